package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// GradeRule is one row of the grade table: the first rule (by Seq) whose
// conditions all hold gives the grade; a zero condition is not checked.
type GradeRule struct {
	ID             int64  `json:"id"`
	Seq            int    `json:"seq"`
	Grade          string `json:"grade" enum:"A,B,C,D"`
	Colour         string `json:"colour,omitempty" enum:",green,blue,red,orange,grey" doc:"five-colour class (Jiaozuo): green, blue, red, orange, grey"`
	MinSeriousList int    `json:"min_serious_list,omitempty"`
	MinSerious     int    `json:"min_serious,omitempty"`
	MinGeneral     int    `json:"min_general,omitempty"`
	MinMinor       int    `json:"min_minor,omitempty"`
	MinAbnormal    int    `json:"min_abnormal,omitempty"`
	MinPositive    int    `json:"min_positive,omitempty"`
	TaxGrades      string `json:"tax_grades,omitempty" doc:"comma-separated tax credit grades"`
	ExplainZH      string `json:"explain_zh"`
	ExplainEN      string `json:"explain_en"`
}

// Facts are the counts a grade is computed from: records in force and
// published (repaired, expired, removed and unpublished ones never count).
type Facts struct {
	SeriousList int    `json:"serious_list"`
	Serious     int    `json:"serious"`
	General     int    `json:"general"`
	Minor       int    `json:"minor"`
	Abnormal    int    `json:"abnormal"`
	Positive    int    `json:"positive"`
	TaxGrade    string `json:"tax_grade,omitempty"`
}

// Explanation says why an entity has its grade.
type Explanation struct {
	RuleID int64  `json:"rule_id"`
	Seq    int    `json:"seq"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
	Facts  Facts  `json:"facts"`
}

// Grade is an entity's current grade.
type Grade struct {
	EntityID    int64       `json:"entity_id"`
	Grade       string      `json:"grade" enum:"A,B,C,D"`
	Colour      string      `json:"colour,omitempty"`
	Explanation Explanation `json:"explanation"`
	ComputedAt  time.Time   `json:"computed_at"`
}

// GradeChange is one row of an entity's grade history.
type GradeChange struct {
	Grade       string      `json:"grade"`
	Colour      string      `json:"colour,omitempty"`
	Previous    string      `json:"previous,omitempty"`
	Explanation Explanation `json:"explanation"`
	Cause       string      `json:"cause"`
	ComputedAt  time.Time   `json:"computed_at"`
}

// ColourLabel names a five-colour class in the language.
func ColourLabel(c, lang string) string {
	return pick(colourLabels, c, lang)
}

// Matches reports whether the rule's conditions hold for f.
func (g *GradeRule) Matches(f Facts) bool {
	if g.TaxGrades != "" && !slices.Contains(strings.Split(g.TaxGrades, ","), f.TaxGrade) {
		return false
	}
	return f.SeriousList >= g.MinSeriousList && f.Serious >= g.MinSerious && f.General >= g.MinGeneral &&
		f.Minor >= g.MinMinor && f.Abnormal >= g.MinAbnormal && f.Positive >= g.MinPositive
}

// Evaluate applies the rules (sorted by Seq) to f. With no matching rule
// the grade is A.
func Evaluate(rules []GradeRule, f Facts) (grade, colour string, ex Explanation) {
	for _, r := range rules {
		if r.Matches(f) {
			return r.Grade, r.Colour, Explanation{RuleID: r.ID, Seq: r.Seq, ZH: r.ExplainZH + factsZH(f), EN: r.ExplainEN + factsEN(f), Facts: f}
		}
	}
	return "A", "", Explanation{ZH: "无适用规则，默认A级" + factsZH(f), EN: "no rule applies: grade A by default" + factsEN(f), Facts: f}
}

func factsZH(f Facts) string {
	s := fmt.Sprintf("（公示中：严重失信名单%d条、严重%d条、一般%d条、轻微%d条、经营异常%d条，守信信息%d条", f.SeriousList, f.Serious, f.General, f.Minor, f.Abnormal, f.Positive)
	if f.TaxGrade != "" {
		s += "，纳税信用" + f.TaxGrade + "级"
	}
	return s + "）"
}

func factsEN(f Facts) string {
	s := fmt.Sprintf(" (under publicity: %d serious-list, %d serious, %d general, %d minor, %d abnormal-list, %d positive", f.SeriousList, f.Serious, f.General, f.Minor, f.Abnormal, f.Positive)
	if f.TaxGrade != "" {
		s += ", tax grade " + f.TaxGrade
	}
	return s + ")"
}

// GradeRules returns the grade table in evaluation order.
func (s *Service) GradeRules(ctx context.Context) ([]GradeRule, error) {
	if c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache); c != nil && c.grades != nil {
		return c.grades, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, seq, grade, colour, min_serious_list, min_serious, min_general, min_minor, min_abnormal, min_positive,
		tax_grades, explain_zh, explain_en FROM credit_grade_rules ORDER BY seq, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GradeRule
	for rows.Next() {
		var g GradeRule
		if err := rows.Scan(&g.ID, &g.Seq, &g.Grade, &g.Colour, &g.MinSeriousList, &g.MinSerious, &g.MinGeneral, &g.MinMinor, &g.MinAbnormal,
			&g.MinPositive, &g.TaxGrades, &g.ExplainZH, &g.ExplainEN); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache); c != nil && rows.Err() == nil && out != nil {
		c.grades = out
	}
	return out, rows.Err()
}

// factsSQL counts an entity's published records by kind and class.
const factsSQL = `SELECT r.entity_id, r.kind, r.class, COUNT(*) FROM credit_records r
	WHERE r.status = 'published' AND r.kind <> 'tax_grade' AND %s GROUP BY r.entity_id, r.kind, r.class`

const taxSQL = `SELECT r.entity_id, v.content FROM credit_records r JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version
	WHERE r.status = 'published' AND r.kind = 'tax_grade' AND %s`

func addFact(f *Facts, kind, class string, n int) {
	switch kind {
	case KindSeriousList:
		f.SeriousList += n
	case KindAbnormal:
		f.Abnormal += n
	case KindLicence, KindCommendation:
		f.Positive += n
	case KindPenalty, KindBreach:
		switch class {
		case ClassSerious:
			f.Serious += n
		case ClassGeneral:
			f.General += n
		case ClassMinor:
			f.Minor += n
		}
	}
}

// factsWhere collects the facts of the entities the condition selects.
func (s *Service) factsWhere(ctx context.Context, cond string, args ...any) (map[int64]*Facts, error) {
	out := map[int64]*Facts{}
	get := func(id int64) *Facts {
		if out[id] == nil {
			out[id] = &Facts{}
		}
		return out[id]
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(factsSQL, cond), args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var kind, class string
		var n int
		if err := rows.Scan(&id, &kind, &class, &n); err != nil {
			rows.Close()
			return nil, err
		}
		addFact(get(id), kind, class, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.Q(ctx).Query(ctx, fmt.Sprintf(taxSQL, cond), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var content string
		if err := rows.Scan(&id, &content); err != nil {
			return nil, err
		}
		c, err := parseContent(content)
		if err != nil {
			return nil, err
		}
		get(id).TaxGrade = c.TaxGrade
	}
	return out, rows.Err()
}

// FactsOf returns an entity's grade facts.
func (s *Service) FactsOf(ctx context.Context, entityID int64) (Facts, error) {
	m, err := s.factsWhere(ctx, "r.entity_id = $1", entityID)
	if err != nil || m[entityID] == nil {
		return Facts{}, err
	}
	return *m[entityID], nil
}

// recompute computes an entity's grade now and stores it; a change is
// added to the history and sent to webhooks. It runs in the caller's
// transaction and returns the grade.
func (s *Service) recompute(ctx context.Context, entityID int64, cause string) (*Grade, error) {
	rules, err := s.GradeRules(ctx)
	if err != nil {
		return nil, err
	}
	f, err := s.FactsOf(ctx, entityID)
	if err != nil {
		return nil, err
	}
	old, err := s.storedGrade(ctx, entityID)
	if err != nil {
		return nil, err
	}
	g := &Grade{EntityID: entityID, ComputedAt: s.now()}
	g.Grade, g.Colour, g.Explanation = Evaluate(rules, f)
	if err := s.storeGrade(ctx, g, old, cause); err != nil {
		return nil, err
	}
	// The sector model's level follows the same records (grade_models.go).
	_, err = s.recomputeModel(ctx, entityID, cause)
	return g, err
}

func (s *Service) storeGrade(ctx context.Context, g, old *Grade, cause string) error {
	ex, err := json.Marshal(g.Explanation)
	if err != nil {
		return err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_grades (entity_id, grade, colour, explanation, computed_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (entity_id) DO UPDATE SET grade = excluded.grade, colour = excluded.colour, explanation = excluded.explanation, computed_at = excluded.computed_at`,
		g.EntityID, g.Grade, g.Colour, string(ex), g.ComputedAt); err != nil {
		return err
	}
	prev := ""
	if old != nil {
		prev = old.Grade
		if old.Grade == g.Grade && old.Colour == g.Colour {
			return nil
		}
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_grade_history (entity_id, grade, colour, previous, explanation, cause, computed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.EntityID, g.Grade, g.Colour, prev, string(ex), cause, g.ComputedAt); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	e, err := s.Entities.Ref(ctx, g.EntityID, "")
	if err != nil {
		return err
	}
	uscc, name := e.USCC, e.Name
	if err := s.Audit.Record(ctx, "credit.grade_change", "entity", strconv.FormatInt(g.EntityID, 10), prev, g.Grade, cause); err != nil {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: TypeGradeChanged, ObjectType: "entity", ObjectID: strconv.FormatInt(g.EntityID, 10), Link: "/public/credit/" + uscc,
		Data: map[string]any{"uscc": uscc, "entity": name, "grade": g.Grade, "previous": prev, "colour": g.Colour}})
	return err
}

func (s *Service) storedGrade(ctx context.Context, entityID int64) (*Grade, error) {
	g := &Grade{EntityID: entityID}
	var ex string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT grade, colour, explanation, computed_at FROM credit_grades WHERE entity_id = $1", entityID).
		Scan(&g.Grade, &g.Colour, &ex, &g.ComputedAt)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return g, json.Unmarshal([]byte(ex), &g.Explanation)
}

// GradeOf returns an entity's grade with its explanation (computed when
// none is stored yet). Enterprise users may ask for their own only.
func (s *Service) GradeOf(ctx context.Context, entityID int64) (*Grade, error) {
	_, only, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if only != 0 && only != entityID {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	return s.gradeOf(ctx, entityID)
}

func (s *Service) gradeOf(ctx context.Context, entityID int64) (*Grade, error) {
	g, err := s.storedGrade(ctx, entityID)
	if err != nil || g != nil {
		return g, err
	}
	rules, err := s.GradeRules(ctx)
	if err != nil {
		return nil, err
	}
	f, err := s.FactsOf(ctx, entityID)
	if err != nil {
		return nil, err
	}
	g = &Grade{EntityID: entityID, ComputedAt: s.now()}
	g.Grade, g.Colour, g.Explanation = Evaluate(rules, f)
	return g, nil
}

// GradeHistory lists an entity's grade changes, newest first.
func (s *Service) GradeHistory(ctx context.Context, entityID int64) ([]GradeChange, error) {
	if _, err := s.GradeOf(ctx, entityID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT grade, colour, previous, explanation, cause, computed_at FROM credit_grade_history WHERE entity_id = $1 ORDER BY id DESC", entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []GradeChange{}
	for rows.Next() {
		var c GradeChange
		var ex string
		if err := rows.Scan(&c.Grade, &c.Colour, &c.Previous, &ex, &c.Cause, &c.ComputedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ex), &c.Explanation); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// recomputeBatch is how many entity ids one transaction of RecomputeAll
// covers.
const recomputeBatch = 5000

// RecomputeAll recomputes the grade of every entity, in batches of
// entity ids, each batch in one transaction that also moves the run's
// progress (credit_recompute_runs); it returns how many grades changed
// (or were stored for the first time). A run left unfinished under the
// same grade table (the job was interrupted and retried) goes on from the
// first batch not done; a batch done twice changes nothing the second time.
func (s *Service) RecomputeAll(ctx context.Context) (int, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return 0, err
	}
	rules, err := s.GradeRules(ctx)
	if err != nil {
		return 0, err
	}
	var run RecomputeRun
	if err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.openRecomputeRun(ctx, rules)
		run = r
		return err
	}); err != nil {
		return 0, err
	}
	changed := int(run.Changed)
	for b := run.Done; b < run.Total; b++ {
		lo := 1 + b*recomputeBatch
		n, err := s.recomputeRange(ctx, rules, lo, lo+recomputeBatch-1, func(ctx context.Context, n int) error {
			_, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_recompute_runs SET done = $1, changed = changed + $2 WHERE id = $3", b+1, n, run.ID)
			return err
		})
		if err != nil {
			return changed, err
		}
		changed += n
	}
	return changed, s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_recompute_runs SET finished_at = $1 WHERE id = $2", s.now(), run.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.grade_recompute_all", "credit_grades", "", nil, map[string]int{"changed": changed}, "")
	})
}

// RecomputeRun is one run of the recomputation of every grade: Done of
// Total batches of entity ids (the rules page shows "recomputing (n/N)").
type RecomputeRun struct {
	ID         int64      `json:"id"`
	Done       int64      `json:"done" doc:"batches of entity ids recomputed"`
	Total      int64      `json:"total" doc:"batches in the run"`
	Changed    int64      `json:"changed" doc:"grades changed or stored for the first time so far"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Running reports whether the run has not finished.
func (r *RecomputeRun) Running() bool { return r != nil && r.FinishedAt == nil }

// openRecomputeRun returns the unfinished run under the same grade table,
// its total brought up to the entities now registered, or starts a new
// one; unfinished runs under another table are closed (the new run covers
// every entity again).
func (s *Service) openRecomputeRun(ctx context.Context, rules []GradeRule) (RecomputeRun, error) {
	maxID, err := s.Entities.MaxID(ctx)
	if err != nil {
		return RecomputeRun{}, err
	}
	total := (maxID + recomputeBatch - 1) / recomputeBatch
	digest := rulesDigest(rules)
	now := s.now()
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_recompute_runs SET finished_at = $1 WHERE finished_at IS NULL AND rules_digest <> $2", now, digest); err != nil {
		return RecomputeRun{}, err
	}
	var r RecomputeRun
	err = s.DB.Q(ctx).QueryRow(ctx, `SELECT id, done, total, changed, started_at FROM credit_recompute_runs
		WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1`).Scan(&r.ID, &r.Done, &r.Total, &r.Changed, &r.StartedAt)
	if err == nil {
		if total > r.Total {
			r.Total = total
			_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE credit_recompute_runs SET total = $1 WHERE id = $2", total, r.ID)
		}
		return r, err
	}
	if !db.IsNoRows(err) {
		return r, err
	}
	r = RecomputeRun{Total: total, StartedAt: now}
	err = s.DB.Q(ctx).QueryRow(ctx, "INSERT INTO credit_recompute_runs (rules_digest, total, started_at) VALUES ($1, $2, $3) RETURNING id",
		digest, total, now).Scan(&r.ID)
	return r, err
}

// rulesDigest identifies a grade table by its content (row ids left out:
// a saved table gets new ones).
func rulesDigest(rules []GradeRule) string {
	c := make([]GradeRule, len(rules))
	for i, r := range rules {
		r.ID = 0
		c[i] = r
	}
	return audit.Digest(c)
}

// LatestRecompute is the latest run of the recomputation of every grade,
// or nil when none ran (staff read it on the rules page).
func (s *Service) LatestRecompute(ctx context.Context) (*RecomputeRun, error) {
	if !isStaff(ctx) {
		return nil, yserr.ErrForbidden()
	}
	var r RecomputeRun
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, done, total, changed, started_at, finished_at FROM credit_recompute_runs ORDER BY id DESC LIMIT 1").
		Scan(&r.ID, &r.Done, &r.Total, &r.Changed, &r.StartedAt, &r.FinishedAt)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *Service) recomputeRange(ctx context.Context, rules []GradeRule, lo, hi int64, done func(ctx context.Context, changed int) error) (int, error) {
	changed := 0
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		facts, err := s.factsWhere(ctx, "r.entity_id BETWEEN $1 AND $2", lo, hi)
		if err != nil {
			return err
		}
		stored := map[int64][3]string{}
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, grade, colour, explanation FROM credit_grades WHERE entity_id BETWEEN $1 AND $2", lo, hi)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var g, c, ex string
			if err := rows.Scan(&id, &g, &c, &ex); err != nil {
				rows.Close()
				return err
			}
			stored[id] = [3]string{g, c, ex}
		}
		rows.Close()
		ids, err := s.entityIDs(ctx, lo, hi)
		if err != nil {
			return err
		}
		now := s.now()
		// New grades and new explanations are written set-wise; a changed
		// grade goes through storeGrade (history, audit event, webhook).
		var upserts, history []any
		for _, id := range ids {
			f := Facts{}
			if facts[id] != nil {
				f = *facts[id]
			}
			g := &Grade{EntityID: id, ComputedAt: now}
			g.Grade, g.Colour, g.Explanation = Evaluate(rules, f)
			old, had := stored[id]
			if had && (old[0] != g.Grade || old[1] != g.Colour) {
				if err := s.storeGrade(ctx, g, &Grade{Grade: old[0], Colour: old[1]}, "recompute all"); err != nil {
					return err
				}
				changed++
				continue
			}
			ex, err := json.Marshal(g.Explanation)
			if err != nil {
				return err
			}
			if had && string(ex) == old[2] {
				continue
			}
			// Keep the explanation current (rule texts may change); a first
			// grade also gets its history row.
			upserts = append(upserts, id, g.Grade, g.Colour, string(ex), now)
			if !had {
				history = append(history, id, g.Grade, g.Colour, string(ex), now)
				changed++
			}
		}
		if err := s.batchInsert(ctx, `INSERT INTO credit_grades (entity_id, grade, colour, explanation, computed_at) VALUES %s
			ON CONFLICT (entity_id) DO UPDATE SET grade = excluded.grade, colour = excluded.colour, explanation = excluded.explanation, computed_at = excluded.computed_at`, 5, upserts); err != nil {
			return err
		}
		if err := s.batchInsert(ctx, `INSERT INTO credit_grade_history (entity_id, grade, colour, explanation, computed_at, previous, cause) VALUES %s`, 5, history,
			"''", "'recompute all'"); err != nil {
			return err
		}
		return done(ctx, changed)
	})
	return changed, err
}

// batchInsert runs stmt (with %s for the VALUES list) over args, width
// values per row, 400 rows per statement; consts are appended to every
// row as literal SQL. The placeholders come from db.Dialect.Values, which
// numbers them the way each engine prepares fast.
func (s *Service) batchInsert(ctx context.Context, stmt string, width int, args []any, consts ...string) error {
	const per = 400
	for lo := 0; lo < len(args); lo += per * width {
		chunk := args[lo:min(lo+per*width, len(args))]
		values := s.DB.Dialect.Values(1, len(chunk)/width, width, consts...)
		if _, err := s.DB.Q(ctx).Exec(ctx, fmt.Sprintf(stmt, values), chunk...); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) entityIDs(ctx context.Context, lo, hi int64) ([]int64, error) {
	return s.Entities.IDsBetween(ctx, lo, hi)
}
