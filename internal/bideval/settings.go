package bideval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// minPriceShare is the lowest price weight per project kind: goods 30 and
// services 10 points of 100 (财政部令第87号 Art.55); works have no
// national floor, any positive weight is accepted.
var minPriceShare = map[string]float64{"goods": 30, "services": 10, "works": 0}

// DefaultCriteria is the template offered for a new project (points of 100
// with a price weight of 30).
func DefaultCriteria() []Criterion {
	return []Criterion{
		{Key: "plan", NameZH: "施工组织设计 / 技术方案", NameEN: "Method statement / technical solution", Max: 30,
			Guidance: "方案完整、针对性强、措施可行得 25-30 分；基本可行 15-24 分；有明显缺陷 0-14 分"},
		{Key: "quality", NameZH: "质量与安全保障措施", NameEN: "Quality and safety measures", Max: 20,
			Guidance: "措施具体、责任明确得 16-20 分；一般 8-15 分；缺项 0-7 分"},
		{Key: "schedule", NameZH: "工期与进度计划", NameEN: "Schedule", Max: 20,
			Guidance: "进度计划合理、关键节点清晰得 16-20 分；一般 8-15 分；不合理 0-7 分"},
	}
}

// Validate checks the input against the project; it returns the deadline.
func (in *SettingsInput) Validate(kind string, opening, now time.Time) (time.Time, error) {
	var v yserr.Validation
	deadline := opening
	if strings.TrimSpace(in.DeadlineAt) != "" {
		t, err := parseTime(in.DeadlineAt)
		if err != nil {
			v.Add("deadline_at", "投标截止时间格式不正确", "the bid deadline must be RFC 3339 or YYYY-MM-DDTHH:MM")
		} else {
			deadline = t
		}
	}
	if deadline.After(opening) {
		v.Add("deadline_at", "投标截止时间不能晚于开标时间 "+fmtTime(opening), "the bid deadline cannot be after the bid opening "+fmtTime(opening))
	}
	if !deadline.After(now) {
		v.Add("deadline_at", "投标截止时间须晚于现在", "the bid deadline must be in the future")
	}
	if in.Rule == "" {
		in.Rule = RuleMean
	}
	if in.Rule != RuleMean && in.Rule != RuleTrimmedMean {
		v.Add("rule", "汇总规则须为 mean 或 trimmed_mean", "the rule must be mean or trimmed_mean")
	}
	if in.PriceMethod == "" {
		in.PriceMethod = PriceLowest
	}
	if in.PriceMethod != PriceLowest {
		v.Add("price_method", "价格分计算方法须为 lowest_price（低价优先法）", "the price method must be lowest_price")
	}
	if len(in.Criteria) == 0 || len(in.Criteria) > 30 {
		v.Add("criteria", "评分项须为 1 到 30 项", "there must be 1 to 30 criteria")
	}
	seen := map[string]bool{}
	sum := 0.0
	for i := range in.Criteria {
		c := &in.Criteria[i]
		row := fmt.Sprintf("criteria[%d]", i)
		c.Key, c.NameZH, c.NameEN, c.Guidance = strings.TrimSpace(c.Key), strings.TrimSpace(c.NameZH), strings.TrimSpace(c.NameEN), strings.TrimSpace(c.Guidance)
		if !keyRe.MatchString(c.Key) {
			v.Add(row+".key", fmt.Sprintf("第 %d 项：代码须为小写字母开头的字母、数字或下划线", i+1), fmt.Sprintf("criterion %d: the key must be a-z, 0-9 or _ starting with a letter", i+1))
		} else if seen[c.Key] {
			v.Add(row+".key", fmt.Sprintf("第 %d 项：代码 %s 重复", i+1, c.Key), fmt.Sprintf("criterion %d: key %s is used twice", i+1, c.Key))
		}
		seen[c.Key] = true
		if c.NameZH == "" {
			v.Add(row+".name_zh", fmt.Sprintf("第 %d 项：请填写评分项名称", i+1), fmt.Sprintf("criterion %d: the name is required", i+1))
		}
		if c.NameEN == "" {
			c.NameEN = c.NameZH
		}
		if !(c.Max > 0) || c.Max > 100 || math.IsNaN(c.Max) || round2(c.Max) != c.Max {
			v.Add(row+".max", fmt.Sprintf("第 %d 项：满分须大于 0、不超过 100，最多两位小数", i+1), fmt.Sprintf("criterion %d: the maximum must be above 0, at most 100, with at most 2 decimals", i+1))
		}
		sum += c.Max
	}
	floor := minPriceShare[kind]
	if !(in.PriceMax > 0) || in.PriceMax < floor || round2(in.PriceMax) != in.PriceMax {
		v.Add("price_max", fmt.Sprintf("价格分须大于 0 且不低于 %g 分（财政部令第87号第55条）", floor),
			fmt.Sprintf("the price weight must be above 0 and at least %g points (MOF Order 87 Art.55)", floor))
	}
	if total := round2(sum + in.PriceMax); !v.Has("price_max") && total != 100 {
		v.Add("criteria", fmt.Sprintf("技术评分项满分合计 %g 分加价格分 %g 分须等于 100 分（现为 %g）", round2(sum), in.PriceMax, total),
			fmt.Sprintf("the technical maxima (%g) plus the price weight (%g) must total 100 (now %g)", round2(sum), in.PriceMax, total))
	}
	return deadline, v.Err()
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04", s, shanghai)
}

// settingsCols are the evaluation's own columns; the project's (code,
// name, kind, opening, department, tenderer, committee) come from the draw
// module (withProjects).
const settingsCols = `s.project_id, s.deadline_at, s.template_json, s.rule, s.price_method, s.price_max,
	s.status, COALESCE(s.codes_draw_id, 0), s.unmasked_at, s.awarded_at, COALESCE(s.award_bid_id, 0), s.award_note,
	s.procedure_kind, s.notice_at, s.candidates_at, s.publicity_until, s.failed_reason, s.admitted_by`

// withProjects fills in the draw projects' fields of the settings, in one
// call for all of them.
func (s *Service) withProjects(ctx context.Context, sts ...*Settings) error {
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ProjectID
	}
	ps, err := s.Draw.ProjectsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, st := range sts {
		p, ok := ps[st.ProjectID]
		if !ok {
			return fmt.Errorf("bideval: draw project %d is missing", st.ProjectID)
		}
		st.ProjectCode, st.ProjectName, st.Kind, st.OpeningAt = p.Code, p.Name, p.Kind, p.OpeningAt
		st.departmentID, st.tenderer, st.committee = p.DepartmentID, p.TendererUSCC, p.Committee
	}
	return nil
}

func scanSettings(r db.Row, extra ...any) (*Settings, error) {
	var st Settings
	var tmpl string
	dest := []any{&st.ProjectID, &st.DeadlineAt, &tmpl, &st.Rule,
		&st.PriceMethod, &st.PriceMax, &st.Status, &st.CodesDrawID, &st.UnmaskedAt, &st.AwardedAt, &st.AwardBidID, &st.AwardNote,
		&st.Procedure, &st.NoticeAt, &st.CandidatesAt, &st.PublicityUntil, &st.FailedReason, &st.admittedBy}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tmpl), &st.Criteria); err != nil {
		return nil, err
	}
	for _, c := range st.Criteria {
		st.TechnicalMax += c.Max
	}
	st.TechnicalMax = round2(st.TechnicalMax)
	return &st, nil
}

// settings loads a project's evaluation without an access check.
func (s *Service) settings(ctx context.Context, projectID int64) (*Settings, error) {
	st, err := scanSettings(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+settingsCols+
		" FROM bideval_projects s WHERE s.project_id = $1", projectID))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("项目的评标设置", "evaluation of the project")
	}
	if err != nil {
		return nil, err
	}
	if err := s.withProjects(ctx, st); err != nil {
		return nil, err
	}
	s.effective(st)
	return st, nil
}

// Settings returns a project's evaluation settings to any signed-in user
// (they are part of the tender documents: deadline, template, weights).
func (s *Service) Settings(ctx context.Context, projectID int64) (*Settings, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	return s.settings(ctx, projectID)
}

// SetSettings creates or changes a project's evaluation: the centre's
// staff or the tenderer, while bids are still open. The first call is the
// tender notice: the deadline must leave the procedure's legal minimum of
// days from it. Once a bid exists the deadline can only move later, the
// procedure cannot change, and a change of the criteria needs 15 days
// before the deadline (招标投标法 Art.23); every registered bidder is told
// of each change.
func (s *Service) SetSettings(ctx context.Context, projectID int64, in SettingsInput) (*Settings, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.Draw.LoadProject(ctx, projectID)
		if err != nil {
			return err
		}
		probe := &Settings{departmentID: p.DepartmentID, tenderer: p.TendererUSCC}
		if !isCentre(a, probe) && !s.isTenderer(ctx, a, probe) {
			return yserr.New(yserr.Forbidden, "只有交易中心工作人员或本项目招标人可以设置评标办法", "only the trading centre's staff or the project's tenderer may set the evaluation")
		}
		old, err := s.settings(ctx, projectID)
		if err != nil && !yserr.Is(err, yserr.NotFound) {
			return err
		}
		if old != nil && old.Status != StatusOpen {
			return yserr.Newf(yserr.Conflict, "投标已于 %s 截止，评标办法不能再修改", "bids closed at %s; the evaluation can no longer be changed", fmtTime(old.DeadlineAt))
		}
		now := s.Clock.Now()
		bids := 0
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM bideval_bids WHERE project_id = $1", projectID).Scan(&bids); err != nil {
			return err
		}
		opening := p.OpeningAt
		if strings.TrimSpace(in.OpeningAt) != "" {
			if opening, err = parseTime(strings.TrimSpace(in.OpeningAt)); err != nil {
				return yserr.Field("opening_at", "开标时间格式不正确", "the opening time must be RFC 3339 or YYYY-MM-DDTHH:MM")
			}
			if bids > 0 && opening.Before(p.OpeningAt) {
				return yserr.Field("opening_at", "已有投标人登记，开标时间只能推迟，不能早于 "+fmtTime(p.OpeningAt),
					"bidders have registered: the opening can only move later than "+fmtTime(p.OpeningAt))
			}
		}
		deadline, err := in.Validate(p.Kind, opening, now)
		if err != nil {
			return err
		}
		if err := s.checkTiming(&in, old, deadline, now, bids); err != nil {
			return err
		}
		if err := s.Draw.MoveOpening(ctx, projectID, opening); err != nil {
			return err
		}
		tmpl, _ := json.Marshal(in.Criteria)
		if old == nil {
			if !a.IsSystem() {
				in.AdmittedBy = ""
			}
			_, err = s.DB.Q(ctx).Exec(ctx, `INSERT INTO bideval_projects (project_id, deadline_at, template_json, rule, price_method, price_max,
				status, created_by, created_at, updated_at, procedure_kind, notice_at, admitted_by) VALUES ($1,$2,$3,$4,$5,$6,'open',$7,$8,$8,$9,$8,$10)`,
				projectID, deadline, string(tmpl), in.Rule, in.PriceMethod, in.PriceMax, actorID(ctx), now, in.Procedure, in.AdmittedBy)
		} else {
			_, err = s.DB.Q(ctx).Exec(ctx, `UPDATE bideval_projects SET deadline_at = $1, template_json = $2, rule = $3, price_method = $4,
				price_max = $5, updated_at = $6, procedure_kind = $7 WHERE project_id = $8 AND status = 'open'`,
				deadline, string(tmpl), in.Rule, in.PriceMethod, in.PriceMax, now, in.Procedure, projectID)
		}
		if err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "bideval.settings", "draw_project", strconv.FormatInt(projectID, 10), old, in, p.Code); err != nil {
			return err
		}
		if old == nil {
			return nil
		}
		return s.tellSettingsChanged(ctx, projectID, p.Code, p.Name, deadline)
	})
	if err != nil {
		return nil, err
	}
	return s.settings(ctx, projectID)
}

// amendDays is the least time between a change of the tender documents and
// the bid deadline (招标投标法 Art.23: 15 days).
const amendDays = 15

// checkTiming applies the legal minimums to a settings change.
func (s *Service) checkTiming(in *SettingsInput, old *Settings, deadline, now time.Time, bids int) error {
	if in.Procedure == "" {
		in.Procedure = ProcTender
		if old != nil {
			in.Procedure = old.Procedure
		}
	}
	days, ok := s.minBidDays(in.Procedure)
	if !ok {
		return yserr.Field("procedure", "采购方式须为 tender（招标）、gov_open（政府采购公开招标）或 gov_consultation（竞争性磋商）",
			"the procedure must be tender, gov_open or gov_consultation")
	}
	notice := now
	if old != nil && old.NoticeAt != nil {
		notice = *old.NoticeAt
	}
	if earliest := notice.AddDate(0, 0, days); deadline.Before(earliest) {
		return yserr.Field("deadline_at", fmt.Sprintf("自招标公告（%s）至投标截止不得少于 %d 日，截止时间最早为 %s", fmtTime(notice), days, fmtTime(earliest)),
			fmt.Sprintf("at least %d days must pass from the tender notice (%s) to the bid deadline: the earliest deadline is %s", days, fmtTime(notice), fmtTime(earliest)))
	}
	if old == nil || bids == 0 {
		return nil
	}
	if deadline.Before(old.DeadlineAt) {
		return yserr.Field("deadline_at", fmt.Sprintf("已有投标人登记，投标截止时间只能推迟，不能早于 %s", fmtTime(old.DeadlineAt)),
			fmt.Sprintf("bidders have registered: the deadline can only move later than %s", fmtTime(old.DeadlineAt)))
	}
	if in.Procedure != old.Procedure {
		return yserr.Field("procedure", "已有投标人登记，采购方式不能更改", "bidders have registered: the procedure cannot change")
	}
	tmpl, _ := json.Marshal(in.Criteria)
	was, _ := json.Marshal(old.Criteria)
	changed := string(tmpl) != string(was) || in.Rule != old.Rule || in.PriceMax != old.PriceMax || in.PriceMethod != old.PriceMethod
	if earliest := now.AddDate(0, 0, amendDays); changed && deadline.Before(earliest) {
		return yserr.Field("deadline_at", fmt.Sprintf("已有投标人登记，修改评标办法须距投标截止至少 %d 日（招标投标法第二十三条），请将截止时间推迟至 %s 或以后", amendDays, fmtTime(earliest)),
			fmt.Sprintf("bidders have registered: a change of the evaluation needs %d days before the deadline (Tendering Law Art.23); move the deadline to %s or later", amendDays, fmtTime(earliest)))
	}
	return nil
}

// Entry is a project in the evaluation lists.
type Entry struct {
	Settings
	Bids        int    `json:"bids"`
	MyBid       bool   `json:"my_bid,omitempty"`
	SheetStatus string `json:"sheet_status,omitempty" enum:",draft,locked"`
}

// visibleWhere is the SQL condition on bideval_projects s of the projects
// the actor may list (its arguments numbered from $1).
func (s *Service) visibleWhere(ctx context.Context, a *auth.Actor) (string, []any, error) {
	if a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) {
		return "TRUE", nil, nil
	}
	var depts []int64
	if a.Has(auth.DeptAdmin, auth.DeptStaff) {
		depts = a.DeptScope
	}
	own := s.ownUSCC(ctx, a)
	ids, err := s.Draw.ProjectIDsFor(ctx, depts, own, s.linkedExpert(ctx, a))
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	if len(ids) > 0 {
		lit := make([]string, len(ids))
		for i, id := range ids {
			lit[i] = strconv.FormatInt(id, 10) // integers from the database: literals, not thousands of parameters
		}
		conds = append(conds, "s.project_id IN ("+strings.Join(lit, ",")+")")
	}
	if own != "" && a.EntityID != 0 {
		args = append(args, StatusOpen, a.EntityID)
		conds = append(conds, "s.status = $1", "s.project_id IN (SELECT project_id FROM bideval_bids WHERE entity_id = $2)")
	}
	if len(conds) == 0 {
		return "FALSE", nil, nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

// Projects lists the evaluations the actor works on: the centre's staff,
// supervisors and admins every project of their scope; the tenderer its
// projects; enterprises the projects open for bids and those they bid
// on; experts the projects of their confirmed assignments.
func (s *Service) Projects(ctx context.Context) ([]Entry, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	// Who sees which project is decided here, in the query, before the
	// LIMIT: the centre's staff the projects of their departments, an
	// enterprise the open ones and those it tenders or bids on, an expert
	// those of its confirmed assignments.
	where, args, err := s.visibleWhere(ctx, a)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+settingsCols+`, (SELECT COUNT(*) FROM bideval_bids b WHERE b.project_id = s.project_id)
		FROM bideval_projects s WHERE `+where+` ORDER BY s.deadline_at DESC, s.project_id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	var all []Entry
	for rows.Next() {
		var e Entry
		st, err := scanSettings(rows, &e.Bids)
		if err != nil {
			rows.Close()
			return nil, err
		}
		e.Settings = *st
		s.effective(&e.Settings)
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sts := make([]*Settings, len(all))
	for i := range all {
		sts[i] = &all[i].Settings
	}
	if err := s.withProjects(ctx, sts...); err != nil {
		return nil, err
	}
	own := s.ownUSCC(ctx, a)
	expertID := s.linkedExpert(ctx, a)
	var out []Entry
	for _, e := range all {
		switch {
		case isCentre(a, &e.Settings) || a.Has(auth.Supervisor):
		case own != "" && own == e.tenderer:
		case own != "":
			var n int
			if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM bideval_bids WHERE project_id = $1 AND entity_id = $2", e.ProjectID, a.EntityID).Scan(&n); err != nil {
				return nil, err
			}
			e.MyBid = n > 0
			if !e.MyBid && e.Status != StatusOpen {
				continue
			}
		case expertID != 0:
			if _, err := s.assignment(ctx, e.ProjectID, expertID); err != nil {
				continue
			}
			if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT status FROM bideval_sheets WHERE project_id = $1 AND expert_id = $2",
				e.ProjectID, expertID).Scan(&e.SheetStatus); err != nil && !db.IsNoRows(err) {
				return nil, err
			}
		default:
			continue
		}
		if !isCentre(a, &e.Settings) && !a.Has(auth.Supervisor) && e.tenderer != own {
			e.Bids = 0 // how many bid is not told to competitors
		}
		out = append(out, e)
	}
	return out, nil
}
