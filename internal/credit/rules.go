package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// The rule tables (publicity periods, department severity classes, grade
// rules, scene rules) are changed by platform admins (a department admin
// for its own department's classes), validated with field errors, audited
// with a readable summary and listed in a change history (the audit events
// of object credit_rules/<table>).

// Rule tables, as named in the change history.
const (
	TablePeriods = "periods"
	TableGrades  = "grades"
	TableScenes  = "scenes"
	rulesObject  = "credit_rules"
)

// TableClasses names a department's classification table.
func TableClasses(dept int64) string { return "classes:" + strconv.FormatInt(dept, 10) }

// RuleChange is one entry of a rule table's change history.
type RuleChange struct {
	Seq    int64     `json:"seq" doc:"audit event"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	ZH     string    `json:"summary_zh"`
	EN     string    `json:"summary_en"`
}

func (s *Service) ruleChange(ctx context.Context, table, action string, before, after any, zh, en string) error {
	detail, err := json.Marshal(map[string]string{"zh": zh, "en": en})
	if err != nil {
		return err
	}
	return s.Audit.Record(ctx, action, rulesObject, table, before, after, string(detail))
}

// ruleReader returns the actor if it may read the rule tables (everyone
// but enterprise users and the public).
func ruleReader(ctx context.Context) (*auth.Actor, error) {
	return auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
}

// RuleHistory lists the changes of a rule table (TablePeriods,
// TableGrades, TableScenes or TableClasses(dept)), newest first.
func (s *Service) RuleHistory(ctx context.Context, table string) ([]RuleChange, error) {
	if _, err := ruleReader(ctx); err != nil {
		return nil, err
	}
	if table != TablePeriods && table != TableGrades && table != TableScenes && table != TableModels && table != TableSceneList && table != TableGovernance && !strings.HasPrefix(table, "classes:") {
		return nil, yserr.Field("table", "未知的规则表", "unknown rule table")
	}
	evs, err := s.Audit.ForObject(ctx, rulesObject, table)
	if err != nil {
		return nil, err
	}
	out := make([]RuleChange, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		c := RuleChange{Seq: e.Seq, At: e.At, Actor: e.ActorName, Action: e.Action}
		var d map[string]string
		if json.Unmarshal([]byte(e.Detail), &d) == nil {
			c.ZH, c.EN = d["zh"], d["en"]
		}
		out = append(out, c)
	}
	return out, nil
}

// ---- publicity periods ----

// PeriodRuleInput is a new publicity period rule, in force from a date.
type PeriodRuleInput struct {
	EffectiveFrom string `json:"effective_from" doc:"YYYY-MM-DD, after today: a rule already in force is never changed"`
	Regime        string `json:"regime" doc:"e.g. order36"`
	Class         string `json:"class" enum:"*,minor,general,serious"`
	Sector        string `json:"sector,omitempty" enum:",special_equipment,work_safety,fire"`
	MinMonths     int    `json:"min_months"`
	MaxMonths     int    `json:"max_months"`
	Publish       bool   `json:"publish"`
	Note          string `json:"note" doc:"source (order, article)"`
}

var regimeRe = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// InForce reports whether the rule applies to decisions on d.
func (r PeriodRule) InForce(d calendar.Date) bool {
	ds := d.String()
	return (r.EffectiveFrom == "" || r.EffectiveFrom <= ds) && (r.EffectiveTo == "" || ds <= r.EffectiveTo)
}

// PeriodRulesOn returns the rules in force for decisions on d.
func (s *Service) PeriodRulesOn(ctx context.Context, d calendar.Date) ([]PeriodRule, error) {
	all, err := s.PeriodRules(ctx)
	if err != nil {
		return nil, err
	}
	out := []PeriodRule{}
	for _, r := range all {
		if r.InForce(d) {
			out = append(out, r)
		}
	}
	return out, nil
}

// AddPeriodRule adds a publicity period rule from a date after today
// (platform admin). The rule of the same class and sector in force then
// gets the day before as its last day; nothing else of it changes, so
// decisions already recorded keep their windows. A rule of the same class
// and sector that starts on or after the date must be deleted first.
func (s *Service) AddPeriodRule(ctx context.Context, in PeriodRuleInput) (*PeriodRule, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	var v yserr.Validation
	in.EffectiveFrom, in.Regime, in.Note = strings.TrimSpace(in.EffectiveFrom), strings.TrimSpace(in.Regime), strings.TrimSpace(in.Note)
	from, err := calendar.ParseDate(in.EffectiveFrom)
	switch {
	case in.EffectiveFrom == "":
		v.Add("effective_from", "请填写生效日期", "the effective date is required")
	case err != nil:
		v.Add("effective_from", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
	case !from.After(s.today()):
		v.Add("effective_from", "生效日期须晚于今天：已生效的规则不能修改，变更只能从明天或以后生效",
			"the effective date must be after today: rules in force are never changed, a change starts tomorrow at the earliest")
	}
	if !regimeRe.MatchString(in.Regime) {
		v.Add("regime", "请填写制度代码（小写字母、数字，如 order36）", "give the regime code (lower-case letters and digits, e.g. order36)")
	}
	if in.Class != "*" && !slices.Contains(Classes, in.Class) {
		v.Add("class", "失信程度须为 minor、general、serious 或 *（全部）", "class must be minor, general, serious or * (all)")
	}
	if _, ok := Sectors[in.Sector]; in.Sector != "" && !ok {
		v.Add("sector", "未知的行业领域", "unknown sector")
	}
	if in.MinMonths < 0 || in.MinMonths > 120 {
		v.Add("min_months", "最短公示期须在 0 至 120 个月之间", "the minimum must be 0 to 120 months")
	}
	switch {
	case in.MaxMonths < 1 || in.MaxMonths > 120:
		v.Add("max_months", "最长公示期须在 1 至 120 个月之间", "the maximum must be 1 to 120 months")
	case in.MaxMonths < in.MinMonths:
		v.Add("max_months", "最长公示期不能短于最短公示期", "the maximum cannot be shorter than the minimum")
	}
	if in.Note == "" {
		v.Add("note", "请填写依据（文件、条款）", "give the source (order, article)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var rule PeriodRule
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.PeriodRules(ctx)
		if err != nil {
			return err
		}
		for _, r := range before {
			if r.Class == in.Class && r.Sector == in.Sector && r.EffectiveFrom >= in.EffectiveFrom {
				return yserr.Field("effective_from", fmt.Sprintf("已有从 %s 起生效的同类规则（#%d），请先删除该规则", r.EffectiveFrom, r.ID),
					fmt.Sprintf("rule #%d of the same class and sector starts on %s: delete it first", r.ID, r.EffectiveFrom))
			}
		}
		last := from.AddDays(-1).String()
		var closed []int64
		for _, r := range before {
			if r.Class == in.Class && r.Sector == in.Sector && r.EffectiveFrom < in.EffectiveFrom && (r.EffectiveTo == "" || r.EffectiveTo >= in.EffectiveFrom) {
				if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_period_rules SET effective_to = $1 WHERE id = $2", last, r.ID); err != nil {
					return err
				}
				closed = append(closed, r.ID)
			}
		}
		rule = PeriodRule{Regime: in.Regime, EffectiveFrom: in.EffectiveFrom, Class: in.Class, Sector: in.Sector,
			MinMonths: in.MinMonths, MaxMonths: in.MaxMonths, Publish: in.Publish, Note: in.Note}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_period_rules (regime, effective_from, effective_to, class, sector, min_months, max_months, publish, note)
			VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8) RETURNING id`, rule.Regime, rule.EffectiveFrom, rule.Class, rule.Sector,
			rule.MinMonths, rule.MaxMonths, rule.Publish, rule.Note).Scan(&rule.ID); err != nil {
			return err
		}
		zh := fmt.Sprintf("新增规则 #%d：自 %s 起，%s%s，最短 %d 个月、最长 %d 个月，%s（%s）", rule.ID, rule.EffectiveFrom, classText(rule.Class, "zh"),
			sectorText(rule.Sector, "zh"), rule.MinMonths, rule.MaxMonths, map[bool]string{true: "公示", false: "不公示"}[rule.Publish], rule.Note)
		en := fmt.Sprintf("rule #%d added: from %s, %s%s, %d to %d months, %s (%s)", rule.ID, rule.EffectiveFrom, classText(rule.Class, "en"),
			sectorText(rule.Sector, "en"), rule.MinMonths, rule.MaxMonths, map[bool]string{true: "published", false: "not published"}[rule.Publish], rule.Note)
		for _, id := range closed {
			zh += fmt.Sprintf("；规则 #%d 截止于 %s", id, last)
			en += fmt.Sprintf("; rule #%d ends on %s", id, last)
		}
		return s.ruleChange(ctx, TablePeriods, "credit.period_rule_add", before, rule, zh, en)
	})
	if err != nil {
		return nil, err
	}
	return &rule, nil
}

// DeletePeriodRule deletes a rule that is not in force yet (it starts
// after today) and gives the rule it had ended its former end back.
func (s *Service) DeletePeriodRule(ctx context.Context, id int64) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.PeriodRules(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(before, func(r PeriodRule) bool { return r.ID == id })
		if i < 0 {
			return yserr.ErrNotFound("公示期限规则", "period rule")
		}
		r := before[i]
		if r.EffectiveFrom == "" || r.EffectiveFrom <= s.today().String() {
			return yserr.New(yserr.Conflict, "规则已生效，不能删除；请新增一条从以后某日起生效的规则", "the rule is in force and cannot be deleted: add a rule from a later date instead")
		}
		from, _ := calendar.ParseDate(r.EffectiveFrom)
		prevEnd := from.AddDays(-1).String()
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_period_rules WHERE id = $1", id); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_period_rules SET effective_to = $1 WHERE class = $2 AND sector = $3 AND effective_to = $4",
			r.EffectiveTo, r.Class, r.Sector, prevEnd); err != nil {
			return err
		}
		return s.ruleChange(ctx, TablePeriods, "credit.period_rule_delete", before, nil,
			fmt.Sprintf("删除尚未生效的规则 #%d（原定 %s 起生效）", id, r.EffectiveFrom), fmt.Sprintf("rule #%d (not yet in force, from %s) deleted", id, r.EffectiveFrom))
	})
}

func classText(c, lang string) string {
	if c == "*" {
		return map[bool]string{true: "all classes", false: "全部程度"}[lang == "en"]
	}
	return ClassLabel(c, lang)
}

func sectorText(sec, lang string) string {
	l, ok := Sectors[sec]
	if !ok {
		return ""
	}
	if lang == "en" {
		return ", sector " + l[1]
	}
	return "，" + l[0] + "领域"
}

// ---- department severity classes ----

// DeptClass is one row of a department's classification table.
type DeptClass struct {
	Class    string `json:"class" enum:"minor,general,serious"`
	Used     bool   `json:"used"`
	Criteria string `json:"criteria,omitempty" doc:"the department's criteria for the class (认定标准)"`
}

// DeptClassTable returns a department's classification table: the three
// classes, which are used and their criteria; configured is false when the
// department has no table (all three classes apply).
func (s *Service) DeptClassTable(ctx context.Context, dept int64) (rows []DeptClass, configured bool, err error) {
	if _, err := ruleReader(ctx); err != nil {
		return nil, false, err
	}
	if _, err := s.deptName(ctx, dept); err != nil {
		return nil, false, err
	}
	crit := map[string]string{}
	qr, err := s.DB.Q(ctx).Query(ctx, "SELECT class, criteria FROM credit_dept_classes WHERE department_id = $1", dept)
	if err != nil {
		return nil, false, err
	}
	defer qr.Close()
	for qr.Next() {
		var c, t string
		if err := qr.Scan(&c, &t); err != nil {
			return nil, false, err
		}
		crit[c] = t
	}
	if err := qr.Err(); err != nil {
		return nil, false, err
	}
	for _, c := range Classes {
		t, ok := crit[c]
		rows = append(rows, DeptClass{Class: c, Used: ok || len(crit) == 0, Criteria: t})
	}
	return rows, len(crit) > 0, nil
}

// MayEditClasses reports whether the caller may change department
// dept's classification table.
func (s *Service) MayEditClasses(ctx context.Context, dept int64) bool {
	a := auth.From(ctx)
	return a != nil && (a.Has(auth.PlatformAdmin) || a.Has(auth.DeptAdmin) && a.InScope(dept))
}

// SetDeptClasses replaces a department's classification table (dept admin
// of that department or platform admin): the classes used, each with its
// criteria.
func (s *Service) SetDeptClasses(ctx context.Context, dept int64, classes map[string]string) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return err
	}
	if !a.InScope(dept) {
		return yserr.New(yserr.Forbidden, "只能修改本部门（及下级部门）的失信行为分类标准", "you may only change your own department's classification")
	}
	name, err := s.deptName(ctx, dept)
	if err != nil {
		return err
	}
	var v yserr.Validation
	if len(classes) == 0 {
		v.Add("classes", "至少选择一个失信程度", "choose at least one class")
	}
	for c, crit := range classes {
		switch {
		case !slices.Contains(Classes, c):
			v.Add("classes", "等级须为 minor、general 或 serious", "class must be minor, general or serious")
		case strings.TrimSpace(crit) == "":
			v.Add("criteria_"+c, "请填写“"+ClassLabel(c, "zh")+"”的认定标准", "give the criteria of the "+ClassLabel(c, "en")+" class")
		case len([]rune(crit)) > 2000:
			v.Add("criteria_"+c, "认定标准不超过 2000 字", "the criteria are limited to 2,000 characters")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, _, err := s.DeptClassTable(ctx, dept)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_dept_classes WHERE department_id = $1", dept); err != nil {
			return err
		}
		var zh, en []string
		for _, c := range Classes {
			if crit, ok := classes[c]; ok {
				if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_dept_classes (department_id, class, criteria) VALUES ($1, $2, $3)", dept, c, strings.TrimSpace(crit)); err != nil {
					return err
				}
				zh = append(zh, ClassLabel(c, "zh")+"："+strings.TrimSpace(crit))
				en = append(en, ClassLabel(c, "en")+": "+strings.TrimSpace(crit))
			}
		}
		return s.ruleChange(ctx, TableClasses(dept), "credit.dept_classes", before, classes,
			name+"失信行为分类标准："+strings.Join(zh, "；"), "classification of "+name+": "+strings.Join(en, "; "))
	})
}

// ---- grade rules ----

// Colours are the five-colour classes (Jiaozuo).
var Colours = []string{"green", "blue", "red", "orange", "grey"}

// validateGradeRules checks a grade table with a field error per cell
// (rules[i].field).
func validateGradeRules(rules []GradeRule) error {
	var v yserr.Validation
	if len(rules) == 0 {
		v.Add("rules", "等级规则表不能为空", "the grade table cannot be empty")
	}
	seqs := map[int]int{}
	for i, g := range rules {
		f := func(name string) string { return fmt.Sprintf("rules[%d].%s", i, name) }
		if g.Seq <= 0 {
			v.Add(f("seq"), "顺序号须为正整数", "the order must be a positive number")
		} else if j, dup := seqs[g.Seq]; dup {
			v.Add(f("seq"), fmt.Sprintf("顺序号与第 %d 条重复", j+1), fmt.Sprintf("same order as rule %d", j+1))
		} else {
			seqs[g.Seq] = i
		}
		if !slices.Contains([]string{"A", "B", "C", "D"}, g.Grade) {
			v.Add(f("grade"), "等级须为 A、B、C 或 D", "grade must be A, B, C or D")
		}
		if g.Colour != "" && !slices.Contains(Colours, g.Colour) {
			v.Add(f("colour"), "颜色须为绿、蓝、红、橙、灰之一或不填", "colour must be green, blue, red, orange, grey or none")
		}
		for name, n := range map[string]int{"min_serious_list": g.MinSeriousList, "min_serious": g.MinSerious, "min_general": g.MinGeneral,
			"min_minor": g.MinMinor, "min_abnormal": g.MinAbnormal, "min_positive": g.MinPositive} {
			if n < 0 || n > 1000 {
				v.Add(f(name), "条数须在 0 至 1000 之间", "the count must be 0 to 1000")
			}
		}
		if g.TaxGrades != "" {
			for _, t := range strings.Split(g.TaxGrades, ",") {
				if !slices.Contains(TaxGrades, t) {
					v.Add(f("tax_grades"), "纳税信用级别须为 A、B、M、C、D，以逗号分隔", "tax grades must be A, B, M, C, D separated by commas")
					break
				}
			}
		}
		if strings.TrimSpace(g.ExplainZH) == "" {
			v.Add(f("explain_zh"), "请填写中文说明", "the Chinese explanation is required")
		}
		if strings.TrimSpace(g.ExplainEN) == "" {
			v.Add(f("explain_en"), "请填写英文说明", "the English explanation is required")
		}
	}
	return v.Err()
}

// normaliseGradeRules trims texts and sorts by Seq.
func normaliseGradeRules(rules []GradeRule) []GradeRule {
	out := slices.Clone(rules)
	for i := range out {
		g := &out[i]
		g.Grade, g.Colour = strings.ToUpper(strings.TrimSpace(g.Grade)), strings.ToLower(strings.TrimSpace(g.Colour))
		g.ExplainZH, g.ExplainEN = strings.TrimSpace(g.ExplainZH), strings.TrimSpace(g.ExplainEN)
		var tg []string
		for _, t := range strings.FieldsFunc(strings.ToUpper(g.TaxGrades), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
			tg = append(tg, t)
		}
		g.TaxGrades = strings.Join(tg, ",")
	}
	slices.SortStableFunc(out, func(a, b GradeRule) int { return a.Seq - b.Seq })
	return out
}

// SetGradeRules replaces the grade table (platform admin) and starts the
// recomputation of every grade as a durable job (credit.recompute_all),
// enqueued in the same transaction as the change.
func (s *Service) SetGradeRules(ctx context.Context, rules []GradeRule) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	if err := validateGradeRules(rules); err != nil {
		return err
	}
	rules = normaliseGradeRules(rules)
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.GradeRules(ctx)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_grade_rules"); err != nil {
			return err
		}
		var zh, en []string
		for _, g := range rules {
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_grade_rules (seq, grade, colour, min_serious_list, min_serious, min_general, min_minor,
				min_abnormal, min_positive, tax_grades, explain_zh, explain_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				g.Seq, g.Grade, g.Colour, g.MinSeriousList, g.MinSerious, g.MinGeneral, g.MinMinor, g.MinAbnormal, g.MinPositive, g.TaxGrades, g.ExplainZH, g.ExplainEN); err != nil {
				return err
			}
			col := ""
			if g.Colour != "" {
				col = "/" + g.Colour
			}
			zh = append(zh, fmt.Sprintf("%d %s%s %s", g.Seq, g.Grade, col, g.ExplainZH))
			en = append(en, fmt.Sprintf("%d %s%s %s", g.Seq, g.Grade, col, g.ExplainEN))
		}
		if err := s.ruleChange(ctx, TableGrades, "credit.grade_rules", old, rules,
			fmt.Sprintf("等级规则表改为 %d 条（已开始重新评定全部等级）：%s", len(rules), strings.Join(zh, "；")),
			fmt.Sprintf("grade table set to %d rules (recomputation of every grade started): %s", len(rules), strings.Join(en, "; "))); err != nil {
			return err
		}
		if s.jobs != nil {
			// The run starts now, so the page shows "recomputing (0/N)"
			// until the job takes it up.
			if _, err := s.openRecomputeRun(ctx, rules); err != nil {
				return err
			}
		}
		return s.enqueueRecompute(ctx)
	})
}

// RecomputeArgs is the durable job that recomputes every grade after the
// grade table changed.
type RecomputeArgs struct{}

// Kind names the job.
func (RecomputeArgs) Kind() string { return "credit.recompute_all" }

type recomputeWorker struct {
	river.WorkerDefaults[RecomputeArgs]
	s *Service
}

// Timeout lets a recomputation over a million entities finish.
func (w *recomputeWorker) Timeout(*river.Job[RecomputeArgs]) time.Duration { return 2 * time.Hour }

// Work recomputes every grade; when the grade table changed while it ran
// (a second save is not enqueued while one job waits or runs), it runs
// again with the new table.
func (w *recomputeWorker) Work(ctx context.Context, _ *river.Job[RecomputeArgs]) error {
	ctx = auth.WithActor(ctx, auth.System("credit.recompute_all"))
	for range 5 {
		before, err := w.s.GradeRules(ctx)
		if err != nil {
			return err
		}
		if _, err := w.s.RecomputeAll(ctx); err != nil {
			return err
		}
		after, err := w.s.GradeRules(ctx)
		if err != nil {
			return err
		}
		if audit.Digest(before) == audit.Digest(after) {
			return nil
		}
	}
	return nil
}

func (s *Service) enqueueRecompute(ctx context.Context) error {
	if s.jobs == nil {
		_, err := s.RecomputeAll(ctx)
		return err
	}
	return s.jobs.Enqueue(ctx, RecomputeArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}})
}

// GradeCount is how many entities have a grade (and colour).
type GradeCount struct {
	Grade    string `json:"grade"`
	Colour   string `json:"colour,omitempty"`
	Current  int64  `json:"current" doc:"entities with this grade now"`
	Proposed int64  `json:"proposed" doc:"entities that would have it under the proposed table"`
}

// GradePreview is the effect a proposed grade table would have.
type GradePreview struct {
	Entities int64        `json:"entities"`
	Counts   []GradeCount `json:"counts"`
	Changed  int64        `json:"changed" doc:"entities whose grade or colour would change"`
}

// PreviewGradeRules validates a proposed grade table and counts how many
// entities each grade would get, next to the current table's counts. It
// reads the facts of every entity in one aggregate query (a few seconds at
// a million entities) and writes nothing.
func (s *Service) PreviewGradeRules(ctx context.Context, rules []GradeRule) (*GradePreview, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	if err := validateGradeRules(rules); err != nil {
		return nil, err
	}
	rules = normaliseGradeRules(rules)
	current, err := s.GradeRules(ctx)
	if err != nil {
		return nil, err
	}
	total, err := s.Entities.CountAll(ctx)
	if err != nil {
		return nil, err
	}
	tax := s.DB.Dialect.JSONText("v.content", "tax_grade")
	q := `SELECT f.sl, f.se, f.ge, f.mi, f.ab, f.po, COALESCE(t.tg, ''), COUNT(*) FROM (
		SELECT entity_id,
			SUM(CASE WHEN kind = 'serious_list' THEN 1 ELSE 0 END) AS sl,
			SUM(CASE WHEN kind IN ('penalty', 'breach') AND class = 'serious' THEN 1 ELSE 0 END) AS se,
			SUM(CASE WHEN kind IN ('penalty', 'breach') AND class = 'general' THEN 1 ELSE 0 END) AS ge,
			SUM(CASE WHEN kind IN ('penalty', 'breach') AND class = 'minor' THEN 1 ELSE 0 END) AS mi,
			SUM(CASE WHEN kind = 'abnormal' THEN 1 ELSE 0 END) AS ab,
			SUM(CASE WHEN kind IN ('licence', 'commendation') THEN 1 ELSE 0 END) AS po
		FROM credit_records WHERE status = 'published' GROUP BY entity_id) f
		LEFT JOIN (SELECT r.entity_id, MAX(` + tax + `) AS tg FROM credit_records r
			JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version
			WHERE r.status = 'published' AND r.kind = 'tax_grade' GROUP BY r.entity_id) t ON t.entity_id = f.entity_id
		GROUP BY f.sl, f.se, f.ge, f.mi, f.ab, f.po, COALESCE(t.tg, '')`
	rows, err := s.DB.Q(ctx).Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ g, c string }
	cur, prop := map[key]int64{}, map[key]int64{}
	p := &GradePreview{Entities: total}
	seen := int64(0)
	add := func(f Facts, n int64) {
		g1, c1, _ := Evaluate(current, f)
		g2, c2, _ := Evaluate(rules, f)
		cur[key{g1, c1}] += n
		prop[key{g2, c2}] += n
		if g1 != g2 || c1 != c2 {
			p.Changed += n
		}
	}
	for rows.Next() {
		var f Facts
		var n int64
		if err := rows.Scan(&f.SeriousList, &f.Serious, &f.General, &f.Minor, &f.Abnormal, &f.Positive, &f.TaxGrade, &n); err != nil {
			return nil, err
		}
		add(f, n)
		seen += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if total > seen {
		add(Facts{}, total-seen)
	}
	keys := map[key]bool{}
	for k := range cur {
		keys[k] = true
	}
	for k := range prop {
		keys[k] = true
	}
	for k := range keys {
		p.Counts = append(p.Counts, GradeCount{Grade: k.g, Colour: k.c, Current: cur[k], Proposed: prop[k]})
	}
	slices.SortFunc(p.Counts, func(a, b GradeCount) int {
		if a.Grade != b.Grade {
			return strings.Compare(a.Grade, b.Grade)
		}
		return slices.Index(Colours, a.Colour) - slices.Index(Colours, b.Colour)
	})
	return p, nil
}

// ---- scene rules ----

// SetSceneRules replaces the scene-rule table of the credit check
// (platform admin). Every rule names its scene, matches on a grade list
// and/or the serious list, and gives an outcome with its reason.
func (s *Service) SetSceneRules(ctx context.Context, rules []SceneRule) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	codes, err := s.SceneCodes(ctx)
	if err != nil {
		return err
	}
	levels, err := s.modelLevels(ctx)
	if err != nil {
		return err
	}
	var v yserr.Validation
	for i := range rules {
		r := &rules[i]
		f := func(name string) string { return fmt.Sprintf("rules[%d].%s", i, name) }
		validSceneRule(&v, i, r, levels)
		r.ReasonZH, r.ReasonEN = strings.TrimSpace(r.ReasonZH), strings.TrimSpace(r.ReasonEN)
		var gs []string
		for _, g := range strings.FieldsFunc(strings.ToUpper(r.Grades), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' }) {
			if !slices.Contains([]string{"A", "B", "C", "D"}, g) {
				v.Add(f("grades"), "等级须为 A、B、C、D，以逗号分隔", "grades must be A, B, C, D separated by commas")
				break
			}
			gs = append(gs, g)
		}
		r.Grades = strings.Join(gs, ",")
		if !slices.Contains(codes, r.Scene) {
			v.Add(f("scene"), "未知的应用场景", "unknown scene")
		}
		if r.Outcome != OutcomeDeny && r.Outcome != OutcomeConditions && r.Outcome != OutcomeIncentive {
			v.Add(f("outcome"), "结果须为不通过（deny）、有条件通过（conditions）或守信激励（incentive）", "outcome must be deny, conditions or incentive")
		}
		if r.Grades == "" && r.Levels == "" && !r.OnSeriousList {
			v.Add(f("grades"), "请填写适用的等级或模型等级，或勾选“列入严重失信名单”", "give the grades or model levels, or tick on the serious list")
		}
		if r.ReasonZH == "" {
			v.Add(f("reason_zh"), "请填写中文理由", "the Chinese reason is required")
		}
		if r.ReasonEN == "" {
			v.Add(f("reason_en"), "请填写英文理由", "the English reason is required")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.SceneRules(ctx)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_scene_rules"); err != nil {
			return err
		}
		var zh, en []string
		for _, r := range rules {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_scene_rules (scene, grades, levels, on_serious_list, outcome, measure, reason_zh, reason_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				r.Scene, r.Grades, r.Levels, r.OnSeriousList, r.Outcome, r.Measure, r.ReasonZH, r.ReasonEN); err != nil {
				return err
			}
			when := strings.Trim(r.Grades+","+r.Levels, ",")
			if r.OnSeriousList {
				when = strings.Trim(when+",serious_list", ",")
			}
			zh = append(zh, fmt.Sprintf("%s[%s]→%s", SceneLabel(r.Scene, "zh"), when, OutcomeLabel(r.Outcome, "zh")))
			en = append(en, fmt.Sprintf("%s[%s]→%s", r.Scene, when, r.Outcome))
		}
		return s.ruleChange(ctx, TableScenes, "credit.scene_rules", old, rules,
			fmt.Sprintf("场景规则表改为 %d 条：%s", len(rules), strings.Join(zh, "；")), fmt.Sprintf("scene table set to %d rules: %s", len(rules), strings.Join(en, "; ")))
	})
}
