package credit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Scenes as configuration (issue 18 item 10). Jiaozuo applies credit in 18
// scenes (financing, supervision, procurement, subsidies ...); a city adds
// its own here and gives each scene rules in the scene-rule table. A rule
// denies, sets conditions, or grants an incentive (免检, priority
// handling, 容缺 acceptance, bond waivers); it matches on the A-D grade, on
// the level of the entity's sector grade model (AAA, AA ...), or on the
// serious list. Other modules ask Check(scene, entity) and get the outcome,
// the incentives and the reasons.

// Outcomes of a scene rule.
const (
	OutcomeDeny       = "deny"
	OutcomeConditions = "conditions"
	OutcomeIncentive  = "incentive"
)

// Incentive measures (守信激励).
var Measures = []string{"inspection_exempt", "fewer_inspections", "priority", "missing_material", "commitment_approval", "bond_waiver", "credit_loan"}

var measureLabels = map[string][2]string{
	"inspection_exempt":   {"免于日常检查（无事不扰）", "exempt from routine inspections"},
	"fewer_inspections":   {"降低抽查比例和频次", "lower inspection ratio and frequency"},
	"priority":            {"优先办理（绿色通道）", "priority handling (green channel)"},
	"missing_material":    {"容缺受理", "acceptance with missing material (容缺)"},
	"commitment_approval": {"告知承诺制审批", "approval by commitment"},
	"bond_waiver":         {"减免保证金", "bond waived or reduced"},
	"credit_loan":         {"信用贷款优惠（信易贷）", "preferential credit loans"},
}

// MeasureLabel names an incentive measure in the language.
func MeasureLabel(m, lang string) string { return pick(measureLabels, m, lang) }

// OutcomeLabel names a rule outcome in the language.
func OutcomeLabel(o, lang string) string {
	return pick(outcomeLabels, o, lang)
}

// Scene is a configured scene of the credit check.
type Scene struct {
	Code   string `json:"code" doc:"lower-case letters, digits and _"`
	Seq    int    `json:"seq"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	NoteZH string `json:"note_zh,omitempty" doc:"where the scene applies"`
	NoteEN string `json:"note_en,omitempty"`
}

// Incentive is an incentive a check grants.
type Incentive struct {
	Measure string `json:"measure" enum:"inspection_exempt,fewer_inspections,priority,missing_material,commitment_approval,bond_waiver,credit_loan"`
	ZH      string `json:"zh"`
	EN      string `json:"en"`
}

// sceneNames keeps the names of the configured scenes seen by this
// process, so that SceneLabel names scenes added after the built-in ones.
var sceneNames sync.Map // code -> [2]string

func rememberScenes(list []Scene) {
	for _, sc := range list {
		sceneNames.Store(sc.Code, [2]string{sc.NameZH, sc.NameEN})
	}
}

func configuredSceneLabel(code, lang string) (string, bool) {
	v, ok := sceneNames.Load(code)
	if !ok {
		return "", false
	}
	n := v.([2]string)
	if lang == "en" {
		return n[1], true
	}
	return n[0], true
}

// SceneList returns the configured scenes in their order. Anyone may read
// it (scene names are shown with checks).
func (s *Service) SceneList(ctx context.Context) ([]Scene, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT code, seq, name_zh, name_en, note_zh, note_en FROM credit_scenes ORDER BY seq, code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Scene{}
	for rows.Next() {
		var sc Scene
		if err := rows.Scan(&sc.Code, &sc.Seq, &sc.NameZH, &sc.NameEN, &sc.NoteZH, &sc.NoteEN); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	rememberScenes(out)
	return out, rows.Err()
}

// SceneCodes returns the codes of the configured scenes.
func (s *Service) SceneCodes(ctx context.Context) ([]string, error) {
	list, err := s.SceneList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, sc := range list {
		out[i] = sc.Code
	}
	return out, nil
}

// SaveScene adds or changes (by code) a scene (platform admin), audited
// in the rule history.
func (s *Service) SaveScene(ctx context.Context, sc Scene) (*Scene, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	sc.Code = strings.TrimSpace(strings.ToLower(sc.Code))
	sc.NameZH, sc.NameEN = strings.TrimSpace(sc.NameZH), strings.TrimSpace(sc.NameEN)
	sc.NoteZH, sc.NoteEN = strings.TrimSpace(sc.NoteZH), strings.TrimSpace(sc.NoteEN)
	var v yserr.Validation
	if !codeRE(sc.Code) || strings.Contains(sc.Code, "-") {
		v.Add("code", "场景代码须为小写字母、数字或下划线（至多40个）", "the scene code is lower-case letters, digits or _ (at most 40)")
	}
	if sc.NameZH == "" {
		v.Add("name_zh", "请填写场景中文名称", "the Chinese name is required")
	}
	if sc.NameEN == "" {
		v.Add("name_en", "请填写场景英文名称", "the English name is required")
	}
	if sc.Seq < 0 || sc.Seq > 999 {
		v.Add("seq", "排序号须在0至999之间", "the order is between 0 and 999")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var old Scene
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT code, seq, name_zh, name_en, note_zh, note_en FROM credit_scenes WHERE code = $1", sc.Code).
			Scan(&old.Code, &old.Seq, &old.NameZH, &old.NameEN, &old.NoteZH, &old.NoteEN)
		var before any
		switch {
		case db.IsNoRows(err):
			_, err = s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_scenes (code, seq, name_zh, name_en, note_zh, note_en) VALUES ($1, $2, $3, $4, $5, $6)",
				sc.Code, sc.Seq, sc.NameZH, sc.NameEN, sc.NoteZH, sc.NoteEN)
		case err == nil:
			before = old
			_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE credit_scenes SET seq = $1, name_zh = $2, name_en = $3, note_zh = $4, note_en = $5 WHERE code = $6",
				sc.Seq, sc.NameZH, sc.NameEN, sc.NoteZH, sc.NoteEN, sc.Code)
		}
		if err != nil {
			return err
		}
		return s.ruleChange(ctx, TableSceneList, "credit.scene", before, sc,
			fmt.Sprintf("核查场景 %s：%s", sc.Code, sc.NameZH), fmt.Sprintf("scene %s: %s", sc.Code, sc.NameEN))
	})
	if err != nil {
		return nil, err
	}
	rememberScenes([]Scene{sc})
	return &sc, nil
}

// TableSceneList names the scene list in the rule change history.
const TableSceneList = "scene_list"

// Standing is what a scene rule looks at: the A-D grade, the sector model
// level ("" when no model covers the entity) and the facts.
type Standing struct {
	Grade string
	Level string
	Facts Facts
}

func inList(list, v string) bool {
	return list != "" && v != "" && slices.Contains(strings.Split(list, ","), v)
}

// DecideStanding applies the scene's rules: every matching rule adds its
// reason; the worst of deny and conditions wins; incentives are granted
// unless the result is deny.
func DecideStanding(rules []SceneRule, scene string, st Standing) (string, []Line, []Incentive) {
	result := ResultPass
	reasons := []Line{}
	var incentives []Incentive
	for _, r := range rules {
		if r.Scene != scene {
			continue
		}
		hit := r.OnSeriousList && st.Facts.SeriousList > 0 || inList(r.Grades, st.Grade) || inList(r.Levels, st.Level)
		if !hit {
			continue
		}
		switch r.Outcome {
		case OutcomeDeny:
			result = ResultDeny
		case OutcomeIncentive:
			incentives = append(incentives, Incentive{Measure: r.Measure, ZH: r.ReasonZH, EN: r.ReasonEN})
			continue
		default:
			if result == ResultPass {
				result = ResultConditions
			}
		}
		reasons = append(reasons, Line{r.ReasonZH, r.ReasonEN})
	}
	if result == ResultDeny {
		incentives = nil
	}
	for _, in := range incentives {
		reasons = append(reasons, Line{"守信激励：" + MeasureLabel(in.Measure, "zh") + "。" + in.ZH, "incentive: " + MeasureLabel(in.Measure, "en") + ". " + in.EN})
	}
	if result == ResultPass && len(incentives) == 0 {
		reasons = append(reasons, Line{"信用等级" + st.Grade + "级，无限制情形", "credit grade " + st.Grade + ": no restriction applies"})
	}
	if incentives == nil {
		incentives = []Incentive{}
	}
	return result, reasons, incentives
}

// validSceneRule checks the fields this file adds to a scene rule: the
// outcome incentive needs a measure, levels are level codes of a model.
func validSceneRule(v *yserr.Validation, i int, r *SceneRule, levels []string) {
	f := func(name string) string { return fmt.Sprintf("rules[%d].%s", i, name) }
	var ls []string
	for _, l := range strings.FieldsFunc(strings.ToUpper(r.Levels), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' }) {
		if !slices.Contains(levels, l) {
			v.Add(f("levels"), "模型等级须为信用评价模型中的等级代码："+strings.Join(levels, "、"), "model levels must be level codes of a grade model: "+strings.Join(levels, ", "))
			break
		}
		ls = append(ls, l)
	}
	r.Levels = strings.Join(ls, ",")
	if r.Outcome == OutcomeIncentive {
		if !slices.Contains(Measures, r.Measure) {
			v.Add(f("measure"), "守信激励须选择激励措施", "an incentive needs its measure")
		}
	} else {
		r.Measure = ""
	}
}

// DemoScenes are the scenes the demo adds to the built-in five, with
// rules that grant incentives as well as conditions and denials.
func DemoScenes() ([]Scene, []SceneRule) {
	scenes := []Scene{
		{Code: "financing", Seq: 6, NameZH: "融资信贷", NameEN: "financing", NoteZH: "信易贷、银税互动", NoteEN: "credit loans, bank-tax interaction"},
		{Code: "supervision", Seq: 7, NameZH: "监管执法", NameEN: "supervision", NoteZH: "双随机抽查比例和频次", NoteEN: "random inspection ratio and frequency"},
		{Code: "approval", Seq: 8, NameZH: "政务服务办理", NameEN: "government services", NoteZH: "审批窗口、一件事", NoteEN: "approval windows, one-thing services"},
		{Code: "bond", Seq: 9, NameZH: "保证金缴纳", NameEN: "bonds and deposits", NoteZH: "投标、履约、农民工工资保证金", NoteEN: "bid, performance and wage bonds"},
	}
	rules := []SceneRule{
		{Scene: "financing", Levels: "AAA,AA", Outcome: OutcomeIncentive, Measure: "credit_loan", ReasonZH: "行业信用评价AA级以上，推荐信用贷款并给予利率优惠", ReasonEN: "sector level AA or above: recommended for credit loans at a preferential rate"},
		{Scene: "financing", OnSeriousList: true, Outcome: OutcomeDeny, ReasonZH: "列入严重失信主体名单，不予信用贷款", ReasonEN: "on the serious-dishonesty list: no credit loan"},
		{Scene: "financing", Grades: "C,D", Outcome: OutcomeConditions, ReasonZH: "信用等级C级或D级：须提供担保", ReasonEN: "credit grade C or D: a guarantee is required"},
		{Scene: "supervision", Levels: "AAA", Outcome: OutcomeIncentive, Measure: "inspection_exempt", ReasonZH: "行业信用评价AAA级，无投诉举报不主动检查", ReasonEN: "sector level AAA: no routine inspection without a complaint"},
		{Scene: "supervision", Grades: "A", Outcome: OutcomeIncentive, Measure: "fewer_inspections", ReasonZH: "信用等级A级，降低抽查比例和频次", ReasonEN: "credit grade A: lower inspection ratio and frequency"},
		{Scene: "supervision", Grades: "D", Outcome: OutcomeConditions, ReasonZH: "信用等级D级：提高抽查比例和频次，列入重点监管", ReasonEN: "credit grade D: higher inspection ratio and frequency, key supervision"},
		{Scene: "approval", Grades: "A", Outcome: OutcomeIncentive, Measure: "missing_material", ReasonZH: "信用等级A级，非核心材料缺失可容缺受理", ReasonEN: "credit grade A: accepted while non-essential material is missing"},
		{Scene: "approval", Levels: "AAA,AA", Outcome: OutcomeIncentive, Measure: "priority", ReasonZH: "行业信用评价AA级以上，开通绿色通道优先办理", ReasonEN: "sector level AA or above: priority handling"},
		{Scene: "approval", OnSeriousList: true, Outcome: OutcomeConditions, ReasonZH: "列入严重失信主体名单：不适用告知承诺和容缺受理", ReasonEN: "on the serious-dishonesty list: no approval by commitment or with missing material"},
		{Scene: "bond", Grades: "A", Outcome: OutcomeIncentive, Measure: "bond_waiver", ReasonZH: "信用等级A级，免收投标保证金", ReasonEN: "credit grade A: bid bond waived"},
		{Scene: "bond", Grades: "D", Outcome: OutcomeConditions, ReasonZH: "信用等级D级：全额缴纳保证金", ReasonEN: "credit grade D: full bond required"},
	}
	return scenes, rules
}
