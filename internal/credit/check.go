package credit

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// Check results.
const (
	ResultPass       = "pass"
	ResultConditions = "pass_with_conditions"
	ResultDeny       = "deny"
)

// Scenes are the built-in scenes of the credit check; more are
// configuration (scenes.go, table credit_scenes).
var Scenes = []string{"procurement", "bidding", "subsidy", "licensing", "honours"}

var sceneLabels = map[string][2]string{
	"procurement": {"政府采购", "government procurement"}, "bidding": {"招标投标", "bidding"}, "subsidy": {"财政补贴", "subsidies"},
	"licensing": {"行政许可", "licensing"}, "honours": {"评优评先", "honours"},
}

// SceneLabel names a scene in the language.
func SceneLabel(scene, lang string) string {
	if _, ok := sceneLabels[scene]; !ok {
		if l, ok := configuredSceneLabel(scene, lang); ok {
			return l
		}
	}
	return pick(sceneLabels, scene, lang)
}

// ResultLabel names a check result in the language.
func ResultLabel(r, lang string) string {
	return pick(resultLabels, r, lang)
}

// SceneRule is one row of the scene-rule table.
type SceneRule struct {
	ID            int64  `json:"id"`
	Scene         string `json:"scene"`
	Grades        string `json:"grades,omitempty" doc:"comma-separated grades the rule applies to"`
	Levels        string `json:"levels,omitempty" doc:"comma-separated levels of the sector grade model (e.g. AAA,AA) the rule applies to"`
	OnSeriousList bool   `json:"on_serious_list,omitempty"`
	Outcome       string `json:"outcome" enum:"deny,conditions,incentive"`
	Measure       string `json:"measure,omitempty" enum:",inspection_exempt,fewer_inspections,priority,missing_material,commitment_approval,bond_waiver,credit_loan" doc:"the incentive granted (outcome incentive)"`
	ReasonZH      string `json:"reason_zh"`
	ReasonEN      string `json:"reason_en"`
}

// CheckInput asks the credit check.
type CheckInput struct {
	EntityID int64  `json:"entity_id,omitempty"`
	USCC     string `json:"uscc,omitempty"`
	Scene    string `json:"scene" doc:"a configured scene (GET /api/v1/credit/scenes): procurement, bidding, subsidy, licensing, honours, and those a city adds"`
	Purpose  string `json:"purpose" doc:"why the check is made, e.g. the project or case number"`
}

// CheckResult is the answer of the credit check.
type CheckResult struct {
	ID       int64  `json:"id"`
	EntityID int64  `json:"entity_id"`
	USCC     string `json:"uscc"`
	Entity   string `json:"entity"`
	Scene    string `json:"scene"`
	Result   string `json:"result" enum:"pass,pass_with_conditions,deny"`
	Grade    string `json:"grade"`
	// ModelLevel is the level under the entity's sector grade model ("" when none covers it).
	ModelLevel string      `json:"model_level,omitempty"`
	Incentives []Incentive `json:"incentives"`
	Reasons    []Line      `json:"reasons"`
	At         time.Time   `json:"at"`
}

// SceneRules returns the stored scene-rule table.
func (s *Service) SceneRules(ctx context.Context) ([]SceneRule, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, scene, grades, levels, on_serious_list, outcome, measure, reason_zh, reason_en FROM credit_scene_rules ORDER BY scene, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SceneRule
	for rows.Next() {
		var r SceneRule
		if err := rows.Scan(&r.ID, &r.Scene, &r.Grades, &r.Levels, &r.OnSeriousList, &r.Outcome, &r.Measure, &r.ReasonZH, &r.ReasonEN); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Decide applies the scene's rules to a grade and facts (no sector model
// level): see DecideStanding.
func Decide(rules []SceneRule, scene, grade string, f Facts) (string, []Line) {
	r, lines, _ := DecideStanding(rules, scene, Standing{Grade: grade, Facts: f})
	return r, lines
}

// Check answers the credit check for an entity in a scene from the
// records in force now (repaired, expired and unpublished records never
// count) and logs who asked and why. Staff, supervisors, platform admins
// and the platform itself (other modules) may ask.
func (s *Service) Check(ctx context.Context, in CheckInput) (*CheckResult, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	if err != nil {
		return nil, err
	}
	in.Purpose = strings.TrimSpace(in.Purpose)
	var v yserr.Validation
	codes, err := s.SceneCodes(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(codes, in.Scene) {
		v.Add("scene", "未知的应用场景", "unknown scene")
	}
	if in.Purpose == "" {
		v.Add("purpose", "请说明查询事由（如项目编号、案件号）", "give the purpose of the check (project or case number)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, in.EntityID, in.USCC)
	if err != nil {
		return nil, err
	}
	rules, err := s.SceneRules(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.gradeOf(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	mg, err := s.modelGradeOf(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	res := &CheckResult{EntityID: e.ID, USCC: e.USCC, Entity: e.Name, Scene: in.Scene, Grade: g.Grade, At: s.now()}
	if mg != nil {
		res.ModelLevel = mg.Level
	}
	res.Result, res.Reasons, res.Incentives = DecideStanding(rules, in.Scene, Standing{Grade: g.Grade, Level: res.ModelLevel, Facts: g.Explanation.Facts})
	var measures []string
	for _, x := range res.Incentives {
		measures = append(measures, x.Measure)
	}
	reasons, err := json.Marshal(res.Reasons)
	if err != nil {
		return nil, err
	}
	asker := a.Username
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		return s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_checks (entity_id, scene, result, reasons, grade, asked_by, asker, purpose, created_at, incentives, model_level)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, e.ID, in.Scene, res.Result, string(reasons), g.Grade, actorID(a), asker, in.Purpose, res.At,
			strings.Join(measures, ","), res.ModelLevel).Scan(&res.ID)
	})
	return res, err
}

// SceneStats counts checks and their results in one scene.
type SceneStats struct {
	Scene      string `json:"scene"`
	Checks     int64  `json:"checks"`
	Pass       int64  `json:"pass"`
	Conditions int64  `json:"pass_with_conditions"`
	Deny       int64  `json:"deny"`
	Incentives int64  `json:"with_incentives" doc:"checks that granted at least one incentive"`
}

// CheckStats returns the statistics per scene ("checks, denials per
// scene").
func (s *Service) CheckStats(ctx context.Context) ([]SceneStats, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	codes, err := s.SceneCodes(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT scene, result, CASE WHEN incentives <> '' THEN 1 ELSE 0 END, COUNT(*) FROM credit_checks GROUP BY scene, result, CASE WHEN incentives <> '' THEN 1 ELSE 0 END")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[string]*SceneStats{}
	for _, sc := range codes {
		by[sc] = &SceneStats{Scene: sc}
	}
	for rows.Next() {
		var scene, result string
		var inc int
		var n int64
		if err := rows.Scan(&scene, &result, &inc, &n); err != nil {
			return nil, err
		}
		st := by[scene]
		if st == nil {
			continue
		}
		st.Checks += n
		if inc == 1 {
			st.Incentives += n
		}
		switch result {
		case ResultPass:
			st.Pass += n
		case ResultConditions:
			st.Conditions += n
		case ResultDeny:
			st.Deny += n
		}
	}
	out := make([]SceneStats, 0, len(codes))
	for _, sc := range codes {
		out = append(out, *by[sc])
	}
	return out, rows.Err()
}

// CheckLog is one logged check.
type CheckLog struct {
	ID      int64     `json:"id"`
	USCC    string    `json:"uscc"`
	Entity  string    `json:"entity"`
	Scene   string    `json:"scene"`
	Result  string    `json:"result"`
	Grade   string    `json:"grade"`
	Asker   string    `json:"asker"`
	Purpose string    `json:"purpose"`
	At      time.Time `json:"at"`
}

// RecentChecks lists the latest logged checks.
func (s *Service) RecentChecks(ctx context.Context, limit int) ([]CheckLog, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT c.id, c.entity_id, c.scene, c.result, c.grade, c.asker, c.purpose, c.created_at
		FROM credit_checks c ORDER BY c.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CheckLog{}
	var ents []int64
	for rows.Next() {
		var c CheckLog
		var ent int64
		if err := rows.Scan(&c.ID, &ent, &c.Scene, &c.Result, &c.Grade, &c.Asker, &c.Purpose, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
		ents = append(ents, ent)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	refs, err := s.entityRefs(ctx, ents)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].USCC, out[i].Entity = refs[ents[i]].USCC, refs[ents[i]].Name
	}
	return out, nil
}
