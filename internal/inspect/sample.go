package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/yserr"
)

// Reason codes of the sampling record (besides the draw module's).
const (
	ReasonYearCap       = "frequency_cap"  // the enterprise has had its routine checks this year
	ReasonLastInspector = "last_inspector" // inspected the same enterprise last time
	ReasonOtherDept     = "other_department"
)

// Frame is a plan's frozen sampling input: the target directory by class,
// the inspectors and the avoidance, as the draw's candidate list and spec.
type Frame struct {
	Strata   []Stratum          `json:"strata"`
	Targets  int                `json:"targets"`
	Capped   int                `json:"capped" doc:"targets left out by the yearly frequency cap"`
	Eligible int                `json:"inspectors" doc:"eligible inspectors"`
	Avoided  int                `json:"avoided" doc:"inspector-target pairs avoided"`
	List     draw.CandidateList `json:"-"`
	Spec     draw.Spec          `json:"-"`
	entities map[string]int64
}

// DryRun computes the plan's frame without committing anything: the
// strata and the checks that would refuse the commitment.
func (s *Service) DryRun(ctx context.Context, planID int64) (*Frame, error) {
	p, err := s.Plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	return s.frame(ctx, p)
}

// frame builds the frame; a stratum or team that cannot be filled is a
// Conflict naming every stratum's numbers or every short rule.
func (s *Service) frame(ctx context.Context, p *Plan) (*Frame, error) {
	items, err := s.itemsByID(ctx, p.Items)
	if err != nil {
		return nil, err
	}
	targets, err := s.Entities.Targets(ctx, entity.TargetFilter{Regions: p.Regions, Industries: p.Industries})
	if err != nil {
		return nil, err
	}
	// Only enterprises some chosen item applies to are targets.
	applies := func(t entity.Target) bool {
		for _, id := range p.Items {
			it := items[id]
			if len(it.EntityTypes) > 0 && !slices.Contains(it.EntityTypes, t.Type) {
				continue
			}
			if len(it.Industries) > 0 && !slices.ContainsFunc(it.Industries, func(pre string) bool { return strings.HasPrefix(t.Industry, pre) }) {
				continue
			}
			return true
		}
		return false
	}
	year := mustDate(p.StartsOn).Year()
	capped := map[int64]bool{}
	if p.Routine && s.Settings.YearCap > 0 {
		rows, err := s.DB.Q(ctx).Query(ctx, `SELECT entity_id FROM inspect_tasks WHERE year = $1 AND routine GROUP BY entity_id HAVING COUNT(*) >= $2`, year, s.Settings.YearCap)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			capped[id] = true
		}
		rows.Close()
	}
	f := &Frame{entities: make(map[string]int64, len(targets))}
	ids := make([]int64, 0, len(targets))
	kept := targets[:0]
	for _, t := range targets {
		if !applies(t) {
			continue
		}
		kept = append(kept, t)
		ids = append(ids, t.ID)
	}
	classes, err := s.Credit.Classes(ctx, ids)
	if err != nil {
		return nil, err
	}
	list := draw.CandidateList{Candidates: make([]draw.Candidate, 0, len(kept)), Excluded: []draw.Exclusion{}}
	sizes := map[string]int{}
	// One "r:" tag per region and one backing array for every target's
	// two groups: a frame of 300,000 targets otherwise allocates 600,000
	// small objects.
	tags := map[string]string{}
	groups := make([]string, 0, 2*len(kept))
	for _, t := range kept {
		if capped[t.ID] {
			list.Excluded = append(list.Excluded, draw.Exclusion{ID: t.USCC, Reasons: []string{ReasonYearCap}})
			f.Capped++
			continue
		}
		c := classes[t.ID]
		if c == "" {
			c = "A"
		}
		sizes[c]++
		f.entities[t.USCC] = t.ID
		tag, ok := tags[t.Region]
		if !ok {
			tag = "r:" + t.Region
			tags[t.Region] = tag
		}
		groups = append(groups, c, tag)
		list.Candidates = append(list.Candidates, draw.Candidate{ID: t.USCC, Groups: groups[len(groups)-2 : len(groups) : len(groups)]})
	}
	f.Targets = len(f.entities)
	// Inspectors of the participating departments.
	args := s.DB.Dialect.Args()
	insp, err := s.inspectorsWhere(ctx, "department_id IN "+args.In(db.InValues(p.Departments)...), args.List()...)
	if err != nil {
		return nil, err
	}
	pool := map[string][]string{}   // region -> inspector ids
	regionOf := map[string]string{} // active inspector id -> region
	byID := map[int64]string{}
	list.Candidates = slices.Grow(list.Candidates, len(insp))
	for _, in := range insp {
		id := "I-" + in.CertNo
		byID[in.ID] = id
		if in.Status != "active" {
			list.Excluded = append(list.Excluded, draw.Exclusion{ID: id, Reasons: []string{draw.ReasonNotActive}})
			continue
		}
		list.Candidates = append(list.Candidates, draw.Candidate{ID: id, Groups: []string{"inspector", "r:" + in.Region}})
		pool[in.Region] = append(pool[in.Region], id)
		regionOf[id] = in.Region
		f.Eligible++
	}
	// Targets arrive in the registry's order of credit codes (the
	// database's collation), inspectors by id: sort by bytes.
	slices.SortFunc(list.Candidates, func(a, b draw.Candidate) int { return strings.Compare(a.ID, b.ID) })
	sort.Slice(list.Excluded, func(i, j int) bool { return list.Excluded[i].ID < list.Excluded[j].ID })
	// Avoidance: declared relations and the last inspectors of each target.
	avoid := map[string][]draw.Exclusion{}
	addAvoid := func(target, insp, reason string) {
		for i, e := range avoid[target] {
			if e.ID == insp {
				if !slices.Contains(e.Reasons, reason) {
					avoid[target][i].Reasons = append(e.Reasons, reason)
				}
				return
			}
		}
		avoid[target] = append(avoid[target], draw.Exclusion{ID: insp, Reasons: []string{reason}})
	}
	for _, in := range insp {
		for _, u := range in.Relations {
			if _, ok := f.entities[u]; ok && in.Status == "active" {
				addAvoid(u, byID[in.ID], draw.ReasonRelation)
			}
		}
	}
	last, err := s.lastInspectors(ctx)
	if err != nil {
		return nil, err
	}
	for uscc, eid := range f.entities {
		for _, iid := range last[eid] {
			if id, ok := byID[iid]; ok {
				addAvoid(uscc, id, ReasonLastInspector)
			}
		}
	}
	for k := range avoid {
		sort.Slice(avoid[k], func(i, j int) bool { return avoid[k][i].ID < avoid[k][j].ID })
		f.Avoided += len(avoid[k])
	}
	// Strata and their counts.
	spec := draw.Spec{Purpose: Purpose, Subject: p.Code, Rules: map[string]string{
		"target_filter":       fmt.Sprintf("regions %s; industries %s; items %v", orAll(p.Regions), orAll(p.Industries), p.Items),
		"frequency_cap":       fmt.Sprintf("%d routine checks per enterprise per year, joint plans once", s.Settings.YearCap),
		"inspectors_per_task": fmt.Sprint(p.TeamSize),
		"inspector_region":    "same region code as the enterprise",
		"avoidance":           "declared relations; the inspectors of the enterprise's last check",
		"departments":         fmt.Sprint(p.Departments),
	}, Strata: &draw.Strata{RatiosPermille: map[string]int{}},
		Teams: &draw.Teams{Size: p.TeamSize, Pool: "inspector", Match: "r:", Avoid: avoid}}
	total := 0
	for _, c := range Classes {
		st := Stratum{Class: c, Size: sizes[c], Permille: p.Ratios[c], Count: draw.StratumCount(sizes[c], p.Ratios[c])}
		f.Strata = append(f.Strata, st)
		spec.Groups = append(spec.Groups, draw.Group{Name: c, Count: st.Count})
		spec.Strata.RatiosPermille[c] = st.Permille
		total += st.Count
	}
	f.List, f.Spec = list, spec
	var zh, en []string
	if total == 0 {
		for _, st := range f.Strata {
			zh = append(zh, fmt.Sprintf("%s类 %d 户，比例 %d‰，抽 %d 户", st.Class, st.Size, st.Permille, st.Count))
			en = append(en, fmt.Sprintf("class %s: %d targets, %d‰, %d drawn", st.Class, st.Size, st.Permille, st.Count))
		}
		return f, yserr.New(yserr.Conflict, "检查对象名录抽不出任何对象："+strings.Join(zh, "；"), "the target directory yields no task: "+strings.Join(en, "; "))
	}
	// Every target with a positive ratio must be able to get a team, so a
	// committed draw always completes.
	short := 0
	for _, cand := range list.Candidates {
		if strings.HasPrefix(cand.ID, "I-") || p.Ratios[cand.Groups[0]] == 0 {
			continue
		}
		r := strings.TrimPrefix(cand.Groups[1], "r:")
		n := len(pool[r])
		for _, e := range avoid[cand.ID] {
			if reg, ok := regionOf[e.ID]; ok && reg == r {
				n--
			}
		}
		if n < p.TeamSize {
			short++
			if len(zh) < 5 {
				zh = append(zh, fmt.Sprintf("%s（区划 %s）：该区划在岗执法人员 %d 名，回避 %d 名，可派 %d 名，少于 %d 名", cand.ID, r, len(pool[r]), len(pool[r])-n, n, p.TeamSize))
				en = append(en, fmt.Sprintf("%s (region %s): %d active inspectors there, %d avoided, %d eligible, fewer than %d", cand.ID, r, len(pool[r]), len(pool[r])-n, n, p.TeamSize))
			}
		}
	}
	if short > 0 {
		return f, yserr.New(yserr.Conflict, fmt.Sprintf("%d 户检查对象可派执法人员不足：%s", short, strings.Join(zh, "；")),
			fmt.Sprintf("%d targets lack eligible inspectors: %s", short, strings.Join(en, "; ")))
	}
	return f, nil
}

func orAll(xs []string) string {
	if len(xs) == 0 {
		return "all"
	}
	return strings.Join(xs, ",")
}

func mustDate(s string) calendar.Date {
	d, _ := calendar.ParseDate(s)
	return d
}

// lastInspectors returns, per entity, the inspectors of its latest task.
func (s *Service) lastInspectors(ctx context.Context) (map[int64][]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT t.entity_id, ti.inspector_id FROM inspect_tasks t
		JOIN inspect_task_inspectors ti ON ti.task_id = t.id
		WHERE t.id IN (SELECT MAX(id) FROM inspect_tasks GROUP BY entity_id)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var e, i int64
		if err := rows.Scan(&e, &i); err != nil {
			return nil, err
		}
		out[e] = append(out[e], i)
	}
	return out, rows.Err()
}

// CommitPlan freezes a filed plan's target directory and inspectors and
// commits the sampling draw (staff of the lead department). A frame that
// cannot be filled is refused before anything is committed.
func (s *Service) CommitPlan(ctx context.Context, id int64) (*Plan, error) {
	var out *Plan
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.Plan(ctx, id)
		if err != nil {
			return err
		}
		a := auth.From(ctx)
		if !a.IsSystem() && (!a.Has(auth.DeptAdmin, auth.DeptStaff) || !a.InScope(p.DepartmentID)) {
			return yserr.New(yserr.Forbidden, "只有牵头部门可以冻结名录并抽取", "only the lead department freezes the directory and samples")
		}
		if p.Status != PlanFiled {
			return yserr.New(yserr.Conflict, "计划须先经备案才能抽取", "the plan must be filed before sampling")
		}
		f, err := s.frame(ctx, p)
		if err != nil {
			return err
		}
		d, err := s.Draw.CommitOwned(ctx, Purpose, f.List, f.Spec)
		if err != nil {
			return err
		}
		strata, _ := json.Marshal(f.Strata)
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_plans SET status = $1, draw_id = $2, strata = $3, version = version + 1 WHERE id = $4 AND status = $5`,
			PlanCommitted, d.ID, string(strata), id, PlanFiled); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "inspect.plan.commit", "inspect_plan", idText(id), map[string]string{"status": PlanFiled},
			map[string]any{"status": PlanCommitted, "draw_id": d.ID, "strata": f.Strata}, fmt.Sprintf("%d targets, %d capped, %d inspectors", f.Targets, f.Capped, f.Eligible)); err != nil {
			return err
		}
		out, err = s.loadPlan(ctx, id)
		return err
	})
	return out, err
}

// SampleInput runs a committed plan's draw: the witness's name and value.
type SampleInput struct {
	WitnessName  string `json:"witness_name"`
	WitnessValue string `json:"witness_value"`
}

// Sample runs the committed draw; its result becomes the plan's tasks (in
// the draw's transaction, through the applier).
func (s *Service) Sample(ctx context.Context, id int64, in SampleInput) (*draw.Record, error) {
	p, err := s.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != PlanCommitted {
		return nil, yserr.New(yserr.Conflict, "计划尚未冻结名录，或已经抽取", "the plan is not committed, or already sampled")
	}
	return s.Draw.Execute(ctx, p.DrawID, draw.DrawInput{WitnessName: in.WitnessName, WitnessValue: in.WitnessValue})
}

// Register plugs the module into the draw service: who runs its draws and
// what their result does.
func (s *Service) Register() {
	if s.Draw.Appliers == nil {
		s.Draw.Appliers = map[string]func(context.Context, *draw.Draw, *draw.Record) error{}
	}
	if s.Draw.Runners == nil {
		s.Draw.Runners = map[string]func(context.Context, *draw.Draw) error{}
	}
	s.Draw.Appliers[Purpose] = s.applySample
	s.Draw.Runners[Purpose] = func(ctx context.Context, d *draw.Draw) error {
		p, err := s.planOfDraw(ctx, d.ID)
		if err != nil {
			return err
		}
		a := auth.From(ctx)
		if a.IsSystem() || a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID) {
			return nil
		}
		return yserr.ErrNotFound("抽查计划", "inspection plan")
	}
}

func (s *Service) planOfDraw(ctx context.Context, drawID int64) (*Plan, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM inspect_plans WHERE draw_id = $1", drawID).Scan(&id)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("抽查计划", "inspection plan")
	}
	if err != nil {
		return nil, err
	}
	return s.loadPlan(ctx, id)
}

// applySample turns a drawn record into tasks and team assignments.
func (s *Service) applySample(ctx context.Context, d *draw.Draw, rec *draw.Record) error {
	p, err := s.planOfDraw(ctx, d.ID)
	if err != nil {
		return err
	}
	var codes []string
	class := map[string]string{}
	for _, pk := range rec.Picks {
		if slices.Contains(Classes, pk.Group) {
			codes = append(codes, pk.ID)
			class[pk.ID] = pk.Group
		}
	}
	refs, err := s.Entities.RefsByUSCC(ctx, codes)
	if err != nil {
		return err
	}
	certs, err := s.inspectorIDsByCert(ctx, p.Departments)
	if err != nil {
		return err
	}
	year := mustDate(p.StartsOn).Year()
	now := s.now()
	taskOf := make(map[string]int64, len(codes))
	// Multi-row inserts of up to 4,000 tasks and 10,000 team rows a
	// statement (under SQLite's 32,766 and PostgreSQL's 65,535 parameters);
	// what every task of the plan shares is written as constants. RETURNING
	// names each row's credit code, as the order of returned rows is not
	// promised.
	shared := []string{strconv.FormatInt(p.ID, 10), strconv.Itoa(year), map[bool]string{true: "TRUE", false: "FALSE"}[p.Routine], "'assigned'"}
	const taskRows, teamRows = 4000, 10000
	for lo := 0; lo < len(codes); lo += taskRows {
		part := codes[lo:min(len(codes), lo+taskRows)]
		vals := make([]any, 0, 4*len(part))
		for _, c := range part {
			vals = append(vals, refs[c].ID, c, class[c], now)
		}
		rows, err := s.DB.Q(ctx).Query(ctx, "INSERT INTO inspect_tasks (entity_id, uscc, class, created_at, plan_id, year, routine, status) VALUES "+
			s.DB.Dialect.Values(1, len(part), 4, shared...)+" RETURNING id, uscc", vals...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var tid int64
			var c string
			if err := rows.Scan(&tid, &c); err != nil {
				rows.Close()
				return err
			}
			taskOf[c] = tid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	vals := make([]any, 0, 3*max(0, len(rec.Picks)-len(codes)))
	for _, pk := range rec.Picks {
		if tid, ok := taskOf[pk.Group]; ok {
			vals = append(vals, tid, certs[strings.TrimPrefix(pk.ID, "I-")], pk.Order)
		}
	}
	for start := 0; start < len(vals); start += 3 * teamRows {
		part := vals[start:min(len(vals), start+3*teamRows)]
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_task_inspectors (task_id, inspector_id, seq) VALUES "+s.DB.Dialect.Values(1, len(part)/3, 3), part...); err != nil {
			return err
		}
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_plans SET status = $1, version = version + 1 WHERE id = $2", PlanSampled, p.ID); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "inspect.plan.sample", "inspect_plan", idText(p.ID), map[string]string{"status": PlanCommitted},
		map[string]any{"status": PlanSampled, "tasks": len(codes)}, "draw "+idText(d.ID)+", seed "+rec.Seed)
}

func (s *Service) inspectorIDsByCert(ctx context.Context, depts []int64) (map[string]int64, error) {
	args := s.DB.Dialect.Args()
	list, err := s.inspectorsWhere(ctx, "department_id IN "+args.In(db.InValues(depts)...), args.List()...)
	out := map[string]int64{}
	for _, in := range list {
		out[in.CertNo] = in.ID
	}
	return out, err
}
