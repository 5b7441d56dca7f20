package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Grade models per sector (issue 18 item 9). Xuchang grades 54 sectors and
// Yulin 23, each with its own indicators; Jiaozuo names five levels
// AAA/AA/A/B/C with colours. A model is data: the sectors it covers
// (GB/T 4754 division-code prefixes, "*" for every sector no other model
// names), its levels (any number, each with a minimum score) and its
// indicators with weights. An indicator's value (0..100) comes either from
// the credit records themselves (source "records") or from other modules
// and departments through RecordInput (inspection results, contract
// performance, procurement ratings); the latest input counts. The score is
// the weighted mean of the values; the level is the first (highest) whose
// minimum the score reaches. The model grade sits beside the A-D grade of
// the rule table (grade.go) and both are recomputed together.

// Indicator sources.
const (
	SourceRecords = "records" // computed from the entity's credit records
	SourceInput   = "input"   // pushed by other modules through RecordInput
)

// ModelLevel is one level of a grade model.
type ModelLevel struct {
	Code     string  `json:"code" doc:"e.g. AAA, A, D"`
	NameZH   string  `json:"name_zh"`
	NameEN   string  `json:"name_en"`
	Colour   string  `json:"colour,omitempty" enum:",green,blue,red,orange,grey"`
	MinScore float64 `json:"min_score" doc:"lowest score (0..100) of the level"`
}

// Indicator is one indicator of a grade model.
type Indicator struct {
	Code    string  `json:"code" doc:"e.g. inspection_result, contract_performance, procurement_rating, records"`
	NameZH  string  `json:"name_zh"`
	NameEN  string  `json:"name_en"`
	Weight  float64 `json:"weight" doc:"relative weight (> 0)"`
	Source  string  `json:"source" enum:"records,input"`
	Default float64 `json:"default" doc:"value (0..100) while no input has come"`
}

// GradeModel is a sector's grade model.
type GradeModel struct {
	ID         int64        `json:"id"`
	Code       string       `json:"code"`
	NameZH     string       `json:"name_zh"`
	NameEN     string       `json:"name_en"`
	Sectors    string       `json:"sectors" doc:"comma-separated GB/T 4754 division-code prefixes (e.g. 51,52), or * for every other sector"`
	Levels     []ModelLevel `json:"levels" doc:"highest first"`
	Indicators []Indicator  `json:"indicators"`
	// SeriousListLowest puts an entity on the serious-dishonesty list at
	// the lowest level whatever its score (一票否决).
	SeriousListLowest bool      `json:"serious_list_lowest"`
	UpdatedAt         time.Time `json:"updated_at"`
}

type modelDefinition struct {
	Levels            []ModelLevel `json:"levels"`
	Indicators        []Indicator  `json:"indicators"`
	SeriousListLowest bool         `json:"serious_list_lowest"`
}

// IndicatorScore is one line of a model grade's breakdown: the value of
// an indicator, its weight and the reason the value has.
type IndicatorScore struct {
	Code     string     `json:"code"`
	NameZH   string     `json:"name_zh"`
	NameEN   string     `json:"name_en"`
	Weight   float64    `json:"weight"`
	Share    float64    `json:"share" doc:"weight / sum of weights, in percent"`
	Value    float64    `json:"value"`
	Points   float64    `json:"points" doc:"value × share: this indicator's part of the score"`
	Source   string     `json:"source" doc:"records, default, or the module or department that sent the input"`
	Reason   string     `json:"reason"`
	InputAt  *time.Time `json:"input_at,omitempty"`
	Recorder string     `json:"recorded_by,omitempty"`
}

// ModelGrade is an entity's level under its sector's model.
type ModelGrade struct {
	EntityID   int64            `json:"entity_id"`
	ModelID    int64            `json:"model_id"`
	ModelCode  string           `json:"model_code"`
	ModelZH    string           `json:"model_name_zh"`
	ModelEN    string           `json:"model_name_en"`
	Level      string           `json:"level"`
	LevelZH    string           `json:"level_name_zh"`
	LevelEN    string           `json:"level_name_en"`
	Colour     string           `json:"colour,omitempty"`
	Score      float64          `json:"score"`
	Vetoed     bool             `json:"vetoed,omitempty" doc:"on the serious list: lowest level whatever the score"`
	Breakdown  []IndicatorScore `json:"breakdown"`
	ComputedAt time.Time        `json:"computed_at"`
}

// ModelGradeChange is one row of a model grade's history.
type ModelGradeChange struct {
	ModelCode  string           `json:"model_code"`
	Level      string           `json:"level"`
	Previous   string           `json:"previous,omitempty"`
	Score      float64          `json:"score"`
	Breakdown  []IndicatorScore `json:"breakdown"`
	Cause      string           `json:"cause"`
	ComputedAt time.Time        `json:"computed_at"`
}

// GradeInput is a value for one indicator of an entity, pushed by another
// module (inspect, contract, procure) or entered by a department.
type GradeInput struct {
	EntityID  int64   `json:"entity_id,omitempty"`
	USCC      string  `json:"uscc,omitempty"`
	Indicator string  `json:"indicator" doc:"an indicator code of some model with source input"`
	Value     float64 `json:"value" doc:"0..100"`
	Source    string  `json:"source" doc:"the sending module (inspect, contract, procure) or the department's ledger"`
	Reason    string  `json:"reason" doc:"why the value, e.g. the inspection result and its number"`
}

// StoredInput is a recorded input.
type StoredInput struct {
	ID         int64     `json:"id"`
	Indicator  string    `json:"indicator"`
	Value      float64   `json:"value"`
	Source     string    `json:"source"`
	Reason     string    `json:"reason"`
	RecordedBy string    `json:"recorded_by"`
	At         time.Time `json:"at"`
}

var codeRE = func(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// round2 rounds to two decimals (scores are shown and compared so).
func round2(f float64) float64 { return math.Round(f*100) / 100 }

// validateModel checks a model and normalises its fields; errors name the
// field (levels[1].min_score ...).
func validateModel(m *GradeModel) error {
	var v yserr.Validation
	m.Code = strings.TrimSpace(strings.ToLower(m.Code))
	m.NameZH, m.NameEN = strings.TrimSpace(m.NameZH), strings.TrimSpace(m.NameEN)
	if !codeRE(m.Code) {
		v.Add("code", "模型代码须为小写字母、数字、下划线或连字符（至多40个）", "the model code is lower-case letters, digits, _ or - (at most 40)")
	}
	if m.NameZH == "" {
		v.Add("name_zh", "请填写模型中文名称", "the Chinese name is required")
	}
	if m.NameEN == "" {
		v.Add("name_en", "请填写模型英文名称", "the English name is required")
	}
	var secs []string
	for _, p := range strings.FieldsFunc(m.Sectors, func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' }) {
		if p != "*" {
			if _, err := strconv.Atoi(p); err != nil || len(p) < 2 || len(p) > 4 {
				v.Add("sectors", "行业须为国民经济行业分类（GB/T 4754）2至4位代码前缀，或 *", "sectors are GB/T 4754 code prefixes of 2 to 4 digits, or *")
				break
			}
		}
		secs = append(secs, p)
	}
	if len(secs) == 0 {
		v.Add("sectors", "请填写适用行业", "give the sectors the model covers")
	}
	m.Sectors = strings.Join(secs, ",")
	if len(m.Levels) < 2 || len(m.Levels) > 10 {
		v.Add("levels", "等级须有2至10级", "a model has 2 to 10 levels")
	}
	seen := map[string]bool{}
	for i := range m.Levels {
		l := &m.Levels[i]
		f := func(n string) string { return fmt.Sprintf("levels[%d].%s", i, n) }
		l.Code, l.NameZH, l.NameEN = strings.TrimSpace(l.Code), strings.TrimSpace(l.NameZH), strings.TrimSpace(l.NameEN)
		if l.Code == "" || len(l.Code) > 8 || seen[l.Code] {
			v.Add(f("code"), "等级代码须填写、至多8个字符且不重复", "a level code is required, at most 8 characters and unique")
		}
		seen[l.Code] = true
		if l.NameZH == "" || l.NameEN == "" {
			v.Add(f("name_zh"), "请填写等级的中英文名称", "give the level's Chinese and English names")
		}
		if l.Colour != "" && !slices.Contains(Colours, l.Colour) {
			v.Add(f("colour"), "颜色须为 green、blue、red、orange、grey 之一", "colour must be green, blue, red, orange or grey")
		}
		if l.MinScore < 0 || l.MinScore > 100 {
			v.Add(f("min_score"), "最低分须在0至100之间", "the minimum score is between 0 and 100")
		}
		if i > 0 && l.MinScore >= m.Levels[i-1].MinScore {
			v.Add(f("min_score"), "等级须从高到低排列，最低分逐级递减", "levels go from highest to lowest, with falling minimum scores")
		}
	}
	if n := len(m.Levels); n > 0 && m.Levels[n-1].MinScore != 0 {
		v.Add(fmt.Sprintf("levels[%d].min_score", n-1), "最低一级的最低分须为0，使每个分数都有等级", "the lowest level starts at 0 so that every score has a level")
	}
	if len(m.Indicators) == 0 {
		v.Add("indicators", "请至少设一项指标", "give at least one indicator")
	}
	seen = map[string]bool{}
	for i := range m.Indicators {
		in := &m.Indicators[i]
		f := func(n string) string { return fmt.Sprintf("indicators[%d].%s", i, n) }
		in.Code = strings.TrimSpace(strings.ToLower(in.Code))
		in.NameZH, in.NameEN = strings.TrimSpace(in.NameZH), strings.TrimSpace(in.NameEN)
		if !codeRE(in.Code) || seen[in.Code] {
			v.Add(f("code"), "指标代码须为小写字母、数字或下划线，且不重复", "an indicator code is lower-case letters, digits or _, and unique")
		}
		seen[in.Code] = true
		if in.NameZH == "" || in.NameEN == "" {
			v.Add(f("name_zh"), "请填写指标的中英文名称", "give the indicator's Chinese and English names")
		}
		if in.Weight <= 0 || in.Weight > 1000 {
			v.Add(f("weight"), "权重须大于0（至多1000）", "the weight is above 0 (at most 1000)")
		}
		if in.Source != SourceRecords && in.Source != SourceInput {
			v.Add(f("source"), "来源须为信用记录（records）或外部输入（input）", "source must be records or input")
		}
		if in.Default < 0 || in.Default > 100 {
			v.Add(f("default"), "默认值须在0至100之间", "the default is between 0 and 100")
		}
	}
	return v.Err()
}

// RecordsValue is the value (0..100) of the records indicator: 100 less
// 50 per serious, 20 per general and 5 per minor penalty or breach, 10
// per abnormal-list entry, plus 5 per positive record (licences,
// commendations), kept within 0..100; 0 on the serious list.
func RecordsValue(f Facts) (float64, string, string) {
	v := 100 - 50*f.Serious - 20*f.General - 5*f.Minor - 10*f.Abnormal + 5*f.Positive
	if f.SeriousList > 0 {
		v = 0
	}
	v = max(0, min(100, v))
	return float64(v), "按公示中的信用记录计算" + factsZH(f), "from the records under publicity" + factsEN(f)
}

// ScoreModel computes an entity's level under a model from its facts and
// its latest input per indicator.
func ScoreModel(m *GradeModel, f Facts, inputs map[string]StoredInput) (level ModelLevel, score float64, vetoed bool, lines []IndicatorScore) {
	total := 0.0
	for _, in := range m.Indicators {
		total += in.Weight
	}
	for _, in := range m.Indicators {
		l := IndicatorScore{Code: in.Code, NameZH: in.NameZH, NameEN: in.NameEN, Weight: in.Weight, Share: round2(100 * in.Weight / total)}
		switch {
		case in.Source == SourceRecords:
			l.Value, l.Reason, _ = RecordsValue(f)
			l.Source = SourceRecords
		case inputs[in.Code].ID != 0:
			x := inputs[in.Code]
			l.Value, l.Source, l.Reason, l.Recorder = x.Value, x.Source, x.Reason, x.RecordedBy
			at := x.At
			l.InputAt = &at
		default:
			l.Value, l.Source, l.Reason = in.Default, "default", "尚无输入，取默认值 / no input yet: the default applies"
		}
		l.Points = round2(l.Value * in.Weight / total)
		score += l.Value * in.Weight / total
		lines = append(lines, l)
	}
	score = round2(score)
	level = m.Levels[len(m.Levels)-1]
	if m.SeriousListLowest && f.SeriousList > 0 {
		return level, score, true, lines
	}
	for _, l := range m.Levels {
		if score >= l.MinScore {
			return l, score, false, lines
		}
	}
	return level, score, false, lines
}

// ModelFor picks the model of an industry code: the longest matching
// sector prefix wins, "*" when no prefix matches; nil when none applies.
func ModelFor(models []GradeModel, industry string) *GradeModel {
	var best *GradeModel
	bestLen := -1
	for i := range models {
		for _, p := range strings.Split(models[i].Sectors, ",") {
			n := -1
			if p == "*" {
				n = 0
			} else if industry != "" && strings.HasPrefix(industry, p) {
				n = len(p)
			}
			if n > bestLen {
				best, bestLen = &models[i], n
			}
		}
	}
	return best
}

// GradeModels lists the models by code.
func (s *Service) GradeModels(ctx context.Context) ([]GradeModel, error) {
	if _, _, err := reader(ctx); err != nil {
		return nil, err
	}
	return s.gradeModels(ctx)
}

func (s *Service) gradeModels(ctx context.Context) ([]GradeModel, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, code, name_zh, name_en, sectors, definition, updated_at FROM credit_grade_models ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []GradeModel{}
	for rows.Next() {
		var m GradeModel
		var def string
		if err := rows.Scan(&m.ID, &m.Code, &m.NameZH, &m.NameEN, &m.Sectors, &def, &m.UpdatedAt); err != nil {
			return nil, err
		}
		var d modelDefinition
		if err := json.Unmarshal([]byte(def), &d); err != nil {
			return nil, err
		}
		m.Levels, m.Indicators, m.SeriousListLowest = d.Levels, d.Indicators, d.SeriousListLowest
		out = append(out, m)
	}
	return out, rows.Err()
}

// GradeModel returns one model.
func (s *Service) GradeModel(ctx context.Context, code string) (*GradeModel, error) {
	all, err := s.GradeModels(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Code == code {
			return &all[i], nil
		}
	}
	return nil, yserr.ErrNotFound("信用评价模型", "grade model")
}

// SaveGradeModel creates or replaces (by code) a model (platform admin),
// audited, and recomputes the model grades already stored for entities
// of its sectors.
func (s *Service) SaveGradeModel(ctx context.Context, m GradeModel) (*GradeModel, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	if err := validateModel(&m); err != nil {
		return nil, err
	}
	def, err := json.Marshal(modelDefinition{Levels: m.Levels, Indicators: m.Indicators, SeriousListLowest: m.SeriousListLowest})
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		all, err := s.gradeModels(ctx)
		if err != nil {
			return err
		}
		var old *GradeModel
		for i := range all {
			if all[i].Code == m.Code {
				old = &all[i]
			}
		}
		m.UpdatedAt = s.now()
		if old == nil {
			err = s.DB.Q(ctx).QueryRow(ctx, "INSERT INTO credit_grade_models (code, name_zh, name_en, sectors, definition, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
				m.Code, m.NameZH, m.NameEN, m.Sectors, string(def), m.UpdatedAt).Scan(&m.ID)
		} else {
			m.ID = old.ID
			_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE credit_grade_models SET name_zh = $1, name_en = $2, sectors = $3, definition = $4, updated_at = $5 WHERE id = $6",
				m.NameZH, m.NameEN, m.Sectors, string(def), m.UpdatedAt, m.ID)
		}
		if err != nil {
			return err
		}
		zh := fmt.Sprintf("信用评价模型 %s（%s）：行业 %s，%d 个等级，%d 项指标", m.Code, m.NameZH, m.Sectors, len(m.Levels), len(m.Indicators))
		en := fmt.Sprintf("grade model %s (%s): sectors %s, %d levels, %d indicators", m.Code, m.NameEN, m.Sectors, len(m.Levels), len(m.Indicators))
		if err := s.ruleChange(ctx, TableModels, "credit.grade_model", old, m, zh, en); err != nil {
			return err
		}
		// Entities already graded: a changed model (or the sectors it
		// takes over) gives them a new level now; the others are graded
		// on their next record change, input or check.
		ids, err := s.int64s(ctx, "SELECT entity_id FROM credit_model_grades ORDER BY entity_id")
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.recomputeModel(ctx, id, "model "+m.Code+" changed"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if db.IsUnique(err) {
			return nil, yserr.Field("code", "模型代码已存在", "the model code exists")
		}
		return nil, err
	}
	return &m, nil
}

// TableModels names the grade models in the rule change history.
const TableModels = "models"

func (s *Service) int64s(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// inputIndicators lists the codes of the input indicators of all models.
func inputIndicators(models []GradeModel) []string {
	var out []string
	for _, m := range models {
		for _, in := range m.Indicators {
			if in.Source == SourceInput && !slices.Contains(out, in.Code) {
				out = append(out, in.Code)
			}
		}
	}
	slices.Sort(out)
	return out
}

// RecordInput records a value of an indicator for an entity: the API
// other modules call (inspection results, contract performance,
// procurement ratings) and departments use. The latest value of an
// indicator counts; the entity's model grade is recomputed in the same
// transaction and a change of level enters its history. Platform admins,
// department staff and admins, and the platform itself may record;
// returns Invalid naming the field for an unknown indicator, a value
// outside 0..100, or a missing source or reason.
func (s *Service) RecordInput(ctx context.Context, in GradeInput) (*ModelGrade, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	return s.recordInput(ctx, a, in, false)
}

// RecordModuleInput is RecordInput for a module reporting an outcome
// within its own transaction (an inspection task closed, a procurement
// rating given): any authenticated actor whose action produced the
// outcome may send it, and when no grade model uses the indicator
// (models are configuration) nothing is stored and the result is nil,
// so the module's action never fails for want of a model.
func (s *Service) RecordModuleInput(ctx context.Context, in GradeInput) (*ModelGrade, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return s.recordInput(ctx, a, in, true)
}

// recordInput validates and stores an input and recomputes the entity's
// model grade; skipUnused drops an input no model uses instead of
// refusing it.
func (s *Service) recordInput(ctx context.Context, a *auth.Actor, in GradeInput, skipUnused bool) (*ModelGrade, error) {
	in.Indicator, in.Source, in.Reason = strings.TrimSpace(in.Indicator), strings.TrimSpace(in.Source), strings.TrimSpace(in.Reason)
	models, err := s.gradeModels(ctx)
	if err != nil {
		return nil, err
	}
	used := slices.Contains(inputIndicators(models), in.Indicator)
	if !used && skipUnused {
		return nil, nil
	}
	var v yserr.Validation
	if !used {
		v.Add("indicator", "没有信用评价模型使用此输入指标", "no grade model has this input indicator")
	}
	if in.Value < 0 || in.Value > 100 || math.IsNaN(in.Value) {
		v.Add("value", "指标值须在0至100之间", "the value is between 0 and 100")
	}
	if in.Source == "" {
		v.Add("source", "请注明来源（模块或台账）", "give the source (module or ledger)")
	}
	if in.Reason == "" {
		v.Add("reason", "请说明理由（如检查结果及编号）", "give the reason (e.g. the inspection result and its number)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, in.EntityID, in.USCC)
	if err != nil {
		return nil, err
	}
	var dept any
	if a.DepartmentID != 0 {
		dept = a.DepartmentID
	}
	var g *ModelGrade
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var id int64
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_grade_inputs (entity_id, indicator, value, source, reason, department_id, recorded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, e.ID, in.Indicator, in.Value, in.Source, in.Reason, dept, a.Username, s.now()).Scan(&id); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "credit.grade_input", "entity", strconv.FormatInt(e.ID, 10), nil, in, in.Reason); err != nil {
			return err
		}
		g, err = s.recomputeModel(ctx, e.ID, "input "+in.Indicator+" from "+in.Source)
		return err
	})
	return g, err
}

// latestInputs returns the entity's latest input per indicator.
func (s *Service) latestInputs(ctx context.Context, entityID int64) (map[string]StoredInput, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, indicator, value, source, reason, recorded_by, created_at FROM credit_grade_inputs
		WHERE entity_id = $1 ORDER BY id`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]StoredInput{}
	for rows.Next() {
		var x StoredInput
		if err := rows.Scan(&x.ID, &x.Indicator, &x.Value, &x.Source, &x.Reason, &x.RecordedBy, &x.At); err != nil {
			return nil, err
		}
		out[x.Indicator] = x
	}
	return out, rows.Err()
}

// computeModel computes the entity's model grade now; nil when no model
// covers its sector.
func (s *Service) computeModel(ctx context.Context, entityID int64) (*ModelGrade, error) {
	models, err := s.gradeModels(ctx)
	if err != nil || len(models) == 0 {
		return nil, err
	}
	attrs, err := s.Entities.AttrsOf(ctx, []int64{entityID})
	if err != nil {
		return nil, err
	}
	industry := ""
	if a := attrs[entityID]; a != nil {
		industry = a.IndustryCode
	}
	m := ModelFor(models, industry)
	if m == nil {
		return nil, nil
	}
	f, err := s.FactsOf(ctx, entityID)
	if err != nil {
		return nil, err
	}
	inputs, err := s.latestInputs(ctx, entityID)
	if err != nil {
		return nil, err
	}
	g := &ModelGrade{EntityID: entityID, ModelID: m.ID, ModelCode: m.Code, ModelZH: m.NameZH, ModelEN: m.NameEN, ComputedAt: s.now()}
	var l ModelLevel
	l, g.Score, g.Vetoed, g.Breakdown = ScoreModel(m, f, inputs)
	g.Level, g.LevelZH, g.LevelEN, g.Colour = l.Code, l.NameZH, l.NameEN, l.Colour
	return g, nil
}

// recomputeModel computes and stores the entity's model grade in the
// caller's transaction; a new level enters the history.
func (s *Service) recomputeModel(ctx context.Context, entityID int64, cause string) (*ModelGrade, error) {
	g, err := s.computeModel(ctx, entityID)
	if err != nil || g == nil {
		return g, err
	}
	bd, err := json.Marshal(g.Breakdown)
	if err != nil {
		return nil, err
	}
	var prevLevel string
	var prevModel int64
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT level, model_id FROM credit_model_grades WHERE entity_id = $1", entityID).Scan(&prevLevel, &prevModel)
	had := err == nil
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_model_grades (entity_id, model_id, level, score, breakdown, computed_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (entity_id) DO UPDATE SET model_id = excluded.model_id, level = excluded.level, score = excluded.score, breakdown = excluded.breakdown, computed_at = excluded.computed_at`,
		entityID, g.ModelID, g.Level, g.Score, string(bd), g.ComputedAt); err != nil {
		return nil, err
	}
	if had && prevLevel == g.Level && prevModel == g.ModelID {
		return g, nil
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_model_grade_history (entity_id, model_id, model_code, level, previous, score, breakdown, cause, computed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, entityID, g.ModelID, g.ModelCode, g.Level, prevLevel, g.Score, string(bd), cause, g.ComputedAt); err != nil {
		return nil, err
	}
	if !had {
		return g, nil
	}
	return g, s.Audit.Record(ctx, "credit.model_grade_change", "entity", strconv.FormatInt(entityID, 10), prevLevel, g.Level, cause)
}

// storedModelGrade returns the stored model grade, or nil.
func (s *Service) storedModelGrade(ctx context.Context, entityID int64) (*ModelGrade, error) {
	g := &ModelGrade{EntityID: entityID}
	var bd string
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT g.model_id, m.code, m.name_zh, m.name_en, g.level, g.score, g.breakdown, g.computed_at
		FROM credit_model_grades g JOIN credit_grade_models m ON m.id = g.model_id WHERE g.entity_id = $1`, entityID).
		Scan(&g.ModelID, &g.ModelCode, &g.ModelZH, &g.ModelEN, &g.Level, &g.Score, &bd, &g.ComputedAt)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return g, json.Unmarshal([]byte(bd), &g.Breakdown)
}

// modelGradeOf returns the entity's model grade: the stored one with its
// level names, or one computed now (not stored) when none is; nil when no
// model covers the entity's sector.
func (s *Service) modelGradeOf(ctx context.Context, entityID int64) (*ModelGrade, error) {
	g, err := s.storedModelGrade(ctx, entityID)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return s.computeModel(ctx, entityID)
	}
	models, err := s.gradeModels(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		if m.ID == g.ModelID {
			for _, l := range m.Levels {
				if l.Code == g.Level {
					g.LevelZH, g.LevelEN, g.Colour = l.NameZH, l.NameEN, l.Colour
				}
			}
		}
	}
	return g, nil
}

// ModelGradeOf returns an entity's level under its sector's model with
// each indicator's weight, value and reason; nil when no model covers its
// sector. Enterprise users may ask for their own only.
func (s *Service) ModelGradeOf(ctx context.Context, entityID int64) (*ModelGrade, error) {
	_, only, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if only != 0 && only != entityID {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	return s.modelGradeOf(ctx, entityID)
}

// ModelGradeHistory lists the entity's model level changes, newest first.
func (s *Service) ModelGradeHistory(ctx context.Context, entityID int64) ([]ModelGradeChange, error) {
	if _, err := s.ModelGradeOf(ctx, entityID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT model_code, level, previous, score, breakdown, cause, computed_at FROM credit_model_grade_history
		WHERE entity_id = $1 ORDER BY id DESC`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ModelGradeChange{}
	for rows.Next() {
		var c ModelGradeChange
		var bd string
		if err := rows.Scan(&c.ModelCode, &c.Level, &c.Previous, &c.Score, &bd, &c.Cause, &c.ComputedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(bd), &c.Breakdown); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// GradeInputs lists the inputs recorded for an entity, newest first.
func (s *Service) GradeInputs(ctx context.Context, entityID int64) ([]StoredInput, error) {
	if _, err := s.ModelGradeOf(ctx, entityID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, indicator, value, source, reason, recorded_by, created_at FROM credit_grade_inputs
		WHERE entity_id = $1 ORDER BY id DESC LIMIT 200`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StoredInput{}
	for rows.Next() {
		var x StoredInput
		if err := rows.Scan(&x.ID, &x.Indicator, &x.Value, &x.Source, &x.Reason, &x.RecordedBy, &x.At); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// DemoGradeModels are the two demo models: wholesale and retail (GB/T
// 4754 divisions 51, 52) with Jiaozuo's five levels and colours, and
// manufacturing of machinery (33, 34, 35) with four levels A-D.
func DemoGradeModels() []GradeModel {
	return []GradeModel{
		{Code: "trade", NameZH: "批发零售业信用评价模型", NameEN: "Wholesale and retail grade model", Sectors: "51,52", SeriousListLowest: true,
			Levels: []ModelLevel{
				{Code: "AAA", NameZH: "诚信示范", NameEN: "exemplary", Colour: "green", MinScore: 90},
				{Code: "AA", NameZH: "诚信良好", NameEN: "good", Colour: "blue", MinScore: 80},
				{Code: "A", NameZH: "诚信一般", NameEN: "fair", Colour: "grey", MinScore: 70},
				{Code: "B", NameZH: "诚信警示", NameEN: "warning", Colour: "orange", MinScore: 60},
				{Code: "C", NameZH: "严重失信", NameEN: "seriously dishonest", Colour: "red", MinScore: 0},
			},
			Indicators: []Indicator{
				{Code: "records", NameZH: "公共信用记录", NameEN: "public credit records", Weight: 40, Source: SourceRecords},
				{Code: "inspection_result", NameZH: "双随机抽查结果", NameEN: "random inspection results", Weight: 30, Source: SourceInput, Default: 80},
				{Code: "contract_performance", NameZH: "合同履约", NameEN: "contract performance", Weight: 30, Source: SourceInput, Default: 80},
			}},
		{Code: "machinery", NameZH: "装备制造业信用评价模型", NameEN: "Machinery manufacturing grade model", Sectors: "33,34,35",
			Levels: []ModelLevel{
				{Code: "A", NameZH: "守信", NameEN: "trustworthy", Colour: "green", MinScore: 85},
				{Code: "B", NameZH: "基本守信", NameEN: "mostly trustworthy", Colour: "blue", MinScore: 70},
				{Code: "C", NameZH: "失信", NameEN: "dishonest", Colour: "orange", MinScore: 50},
				{Code: "D", NameZH: "严重失信", NameEN: "seriously dishonest", Colour: "red", MinScore: 0},
			},
			Indicators: []Indicator{
				{Code: "records", NameZH: "公共信用记录", NameEN: "public credit records", Weight: 50, Source: SourceRecords},
				{Code: "procurement_rating", NameZH: "政府采购履约评价", NameEN: "procurement rating", Weight: 25, Source: SourceInput, Default: 75},
				{Code: "inspection_result", NameZH: "双随机抽查结果", NameEN: "random inspection results", Weight: 25, Source: SourceInput, Default: 80},
			}},
	}
}

// modelLevels lists the level codes of all models.
func (s *Service) modelLevels(ctx context.Context) ([]string, error) {
	models, err := s.gradeModels(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range models {
		for _, l := range m.Levels {
			if !slices.Contains(out, l.Code) {
				out = append(out, l.Code)
			}
		}
	}
	return out, nil
}
