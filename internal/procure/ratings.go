package procure

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Four-party mutual rating (四方互评): after the award the purchaser, the
// agency and the supplier rate each other on the active template's
// indicators for their pair; a rating of a supplier or an agency is also
// handed to the credit module as a procurement-sector input; ratings are
// published on the project's public page.

// Rating parties.
const (
	PartyPurchaser = "purchaser"
	PartyAgency    = "agency"
	PartySupplier  = "supplier"
	// PartyExpert is a member of the evaluation committee drawn by module
	// draw (rater_ref/ratee_ref: the expert's pool id). Experts are people,
	// not entities: ratings of them stay in procure, as the purchaser's.
	PartyExpert = "expert"
)

// Parties lists the rating parties in display order.
var Parties = []string{PartyPurchaser, PartyAgency, PartySupplier, PartyExpert}

var partyLabels = map[string][2]string{PartyPurchaser: {"采购人", "purchaser"}, PartyAgency: {"采购代理机构", "procurement agency"}, PartySupplier: {"供应商", "supplier"},
	PartyExpert: {"评审专家", "evaluation expert"}}

// PartyLabel names a rating party.
func PartyLabel(p, lang string) string { return pick(partyLabels, p, lang) }

// DefaultTemplateCode is the code of the template shipped with the module.
const DefaultTemplateCode = "default-2026"

//go:embed data/rating_default.csv
var defaultTemplateCSV []byte

// MaxIndicators bounds an imported template (Xuchang's has 106).
const MaxIndicators = 500

// Indicator is one indicator of a rating template.
type Indicator struct {
	ID        int64  `json:"id"`
	NodeNo    int    `json:"node_no"`
	NodeZH    string `json:"node_zh"`
	NodeEN    string `json:"node_en,omitempty"`
	Code      string `json:"code"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en,omitempty"`
	Rater     string `json:"rater" enum:"purchaser,agency,supplier,expert"`
	Ratee     string `json:"ratee" enum:"purchaser,agency,supplier,expert"`
	MaxPoints int    `json:"max_points"`
}

// Node names the indicator's node in a language (English falls back to
// Chinese when the template has none).
func (i Indicator) Node(lang string) string {
	if lang == "en" && i.NodeEN != "" {
		return i.NodeEN
	}
	return i.NodeZH
}

// Name names the indicator in a language.
func (i Indicator) Name(lang string) string {
	if lang == "en" && i.NameEN != "" {
		return i.NameEN
	}
	return i.NameZH
}

// Template is a rating template with its indicators in node order.
type Template struct {
	ID         int64       `json:"id"`
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	Nodes      int         `json:"nodes"`
	Indicators []Indicator `json:"indicators"`
}

// For returns the template's indicators a rater gives a ratee.
func (t *Template) For(rater, ratee string) []Indicator {
	var out []Indicator
	for _, i := range t.Indicators {
		if i.Rater == rater && i.Ratee == ratee {
			out = append(out, i)
		}
	}
	return out
}

// ParseTemplate reads a template from CSV (UTF-8, optional BOM) with the
// header node_no,node_zh,node_en,code,indicator_zh,indicator_en,rater,
// ratee,max_points; the English columns may be empty. Errors name the row
// and the column.
func ParseTemplate(r io.Reader) ([]Indicator, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, yserr.Field("file", "文件须为 UTF-8 编码的 CSV", "the file must be UTF-8 CSV")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, yserr.Field("file", "CSV 格式错误："+err.Error(), "bad CSV: "+err.Error())
	}
	want := []string{"node_no", "node_zh", "node_en", "code", "indicator_zh", "indicator_en", "rater", "ratee", "max_points"}
	if len(rows) == 0 || len(rows[0]) != len(want) || !slices.Equal(trimAll(rows[0]), want) {
		return nil, yserr.Field("file", "第1行须为表头 "+strings.Join(want, ","), "row 1 must be the header "+strings.Join(want, ","))
	}
	var v yserr.Validation
	var out []Indicator
	seen := map[string]int{}
	for n, row := range rows[1:] {
		line := n + 2
		field := func(col string) string { return fmt.Sprintf("row %d %s", line, col) }
		if len(row) != len(want) {
			v.Add(fmt.Sprintf("row %d", line), fmt.Sprintf("第%d行应有%d列", line, len(want)), fmt.Sprintf("row %d must have %d columns", line, len(want)))
			continue
		}
		row = trimAll(row)
		ind := Indicator{NodeZH: row[1], NodeEN: row[2], Code: row[3], NameZH: row[4], NameEN: row[5], Rater: row[6], Ratee: row[7]}
		var err error
		if ind.NodeNo, err = strconv.Atoi(row[0]); err != nil || ind.NodeNo < 1 || ind.NodeNo > 99 {
			v.Add(field("node_no"), fmt.Sprintf("第%d行 node_no 应为 1-99 的整数", line), fmt.Sprintf("row %d: node_no must be a whole number 1-99", line))
		}
		if ind.NodeZH == "" || ind.NameZH == "" {
			v.Add(field("indicator_zh"), fmt.Sprintf("第%d行缺少环节或指标的中文名称", line), fmt.Sprintf("row %d: the Chinese node or indicator name is missing", line))
		}
		if ind.Code == "" || len(ind.Code) > 32 {
			v.Add(field("code"), fmt.Sprintf("第%d行指标编码不能为空且不超过32个字符", line), fmt.Sprintf("row %d: the indicator code must be 1-32 characters", line))
		} else if prev, dup := seen[ind.Code]; dup {
			v.Add(field("code"), fmt.Sprintf("第%d行指标编码 %s 与第%d行重复", line, ind.Code, prev), fmt.Sprintf("row %d: indicator code %s repeats row %d", line, ind.Code, prev))
		}
		seen[ind.Code] = line
		if !slices.Contains(Parties, ind.Rater) || !slices.Contains(Parties, ind.Ratee) || ind.Rater == ind.Ratee {
			v.Add(field("rater"), fmt.Sprintf("第%d行评价方和被评价方须为 purchaser、agency、supplier、expert 中不同的两方", line),
				fmt.Sprintf("row %d: rater and ratee must be two different of purchaser, agency, supplier, expert", line))
		}
		if ind.MaxPoints, err = strconv.Atoi(row[8]); err != nil || ind.MaxPoints < 1 || ind.MaxPoints > 100 {
			v.Add(field("max_points"), fmt.Sprintf("第%d行满分应为 1-100 的整数", line), fmt.Sprintf("row %d: max_points must be a whole number 1-100", line))
		}
		out = append(out, ind)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 || len(out) > MaxIndicators {
		return nil, yserr.Field("file", fmt.Sprintf("模板应有 1 至 %d 个指标", MaxIndicators), fmt.Sprintf("a template has 1 to %d indicators", MaxIndicators))
	}
	return out, nil
}

func trimAll(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// insertTemplate stores a template and makes it the active one. In the
// caller's transaction.
func (s *Service) insertTemplate(ctx context.Context, a *auth.Actor, code, name string, list []Indicator) (int64, error) {
	q := s.DB.Q(ctx)
	if _, err := q.Exec(ctx, "UPDATE procure_rating_templates SET active = FALSE WHERE active = TRUE"); err != nil {
		return 0, err
	}
	var id int64
	if err := q.QueryRow(ctx, "INSERT INTO procure_rating_templates (code, name, active, created_by, created_at) VALUES ($1, $2, TRUE, $3, $4) RETURNING id",
		code, name, userID(a), s.now()).Scan(&id); err != nil {
		return 0, err
	}
	for _, i := range list {
		if _, err := q.Exec(ctx, `INSERT INTO procure_rating_indicators (template_id, node_no, node_zh, node_en, code, name_zh, name_en, rater, ratee, max_points)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, i.NodeNo, i.NodeZH, i.NodeEN, i.Code, i.NameZH, i.NameEN, i.Rater, i.Ratee, i.MaxPoints); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// TemplateInput names an imported template.
type TemplateInput struct {
	Code string `json:"code" doc:"unique code, e.g. xuchang-2023"`
	Name string `json:"name" doc:"e.g. 许昌市政府采购四方互评指标（12个环节106项）"`
}

// ImportTemplate loads a city's template from CSV (finance bureau) and
// makes it the active one; ratings already given keep their template.
func (s *Service) ImportTemplate(ctx context.Context, in TemplateInput, r io.Reader) (*Template, error) {
	a, err := s.financeActor(ctx)
	if err != nil {
		return nil, err
	}
	var v yserr.Validation
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if in.Code == "" || len(in.Code) > 40 {
		v.Add("code", "模板编码不能为空且不超过40个字符", "the template code must be 1-40 characters")
	}
	if in.Name == "" {
		v.Add("name", "请填写模板名称", "enter the template's name")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	list, err := ParseTemplate(r)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM procure_rating_templates WHERE code = $1", in.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return yserr.Field("code", "模板编码 "+in.Code+" 已存在", "template code "+in.Code+" exists already")
		}
		id, err := s.insertTemplate(ctx, a, in.Code, in.Name, list)
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.rating_template.import", "procure_rating_template", idStr(id), nil, map[string]any{"code": in.Code, "indicators": len(list)}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.ActiveTemplate(ctx)
}

// ActiveTemplate returns the template in force, storing the shipped default
// the first time when the city has loaded none.
func (s *Service) ActiveTemplate(ctx context.Context) (*Template, error) {
	id, err := s.activeTemplateID(ctx)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		list, err := ParseTemplate(bytes.NewReader(defaultTemplateCSV))
		if err != nil {
			return nil, fmt.Errorf("procure: the default rating template: %w", err)
		}
		err = s.DB.WithTx(ctx, func(ctx context.Context) error {
			if id, err = s.activeTemplateID(ctx); err != nil || id != 0 {
				return err
			}
			var n int
			if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM procure_rating_templates WHERE code = $1", DefaultTemplateCode).Scan(&n); err != nil || n > 0 {
				return err
			}
			sys := auth.System("procure")
			if id, err = s.insertTemplate(ctx, sys, DefaultTemplateCode, "默认四方互评模板 / Default four-party template", list); err != nil {
				return err
			}
			return s.Audit.Record(auth.WithActor(ctx, sys), "procure.rating_template.default", "procure_rating_template", idStr(id), nil, map[string]any{"indicators": len(list)}, "")
		})
		if err != nil {
			// A concurrent first use may have stored the default meanwhile
			// (its code is unique): use it.
			if again, err2 := s.activeTemplateID(ctx); err2 == nil && again != 0 {
				return s.template(ctx, again)
			}
			return nil, err
		}
		if id, err = s.activeTemplateID(ctx); err != nil {
			return nil, err
		}
	}
	return s.template(ctx, id)
}

func (s *Service) activeTemplateID(ctx context.Context) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM procure_rating_templates WHERE active = TRUE ORDER BY id DESC LIMIT 1").Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

func (s *Service) template(ctx context.Context, id int64) (*Template, error) {
	t := &Template{ID: id}
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT code, name FROM procure_rating_templates WHERE id = $1", id).Scan(&t.Code, &t.Name)
	if db.IsNoRows(err) {
		return nil, notFound("评价模板", "rating template")
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, node_no, node_zh, node_en, code, name_zh, name_en, rater, ratee, max_points
		FROM procure_rating_indicators WHERE template_id = $1 ORDER BY node_no, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nodes := map[int]bool{}
	for rows.Next() {
		var i Indicator
		if err := rows.Scan(&i.ID, &i.NodeNo, &i.NodeZH, &i.NodeEN, &i.Code, &i.NameZH, &i.NameEN, &i.Rater, &i.Ratee, &i.MaxPoints); err != nil {
			return nil, err
		}
		nodes[i.NodeNo] = true
		t.Indicators = append(t.Indicators, i)
	}
	t.Nodes = len(nodes)
	return t, rows.Err()
}

// AgencyInput names a project's procurement agency by its credit code.
type AgencyInput struct {
	USCC string `json:"uscc" doc:"统一社会信用代码 of the agency"`
}

// SetAgency names the project's procurement agency (staff of the project's
// unit), before anyone has rated the agency.
func (s *Service) SetAgency(ctx context.Context, projectID int64, in AgencyInput) (*Project, error) {
	a, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	sys := auth.WithActor(ctx, auth.System("procure"))
	e, err := s.Entities.GetByUSCC(sys, strings.TrimSpace(in.USCC))
	if err != nil {
		if yserr.Is(err, yserr.NotFound) || yserr.Is(err, yserr.Invalid) {
			return nil, yserr.Field("uscc", "找不到该统一社会信用代码的主体", "no entity has this credit code")
		}
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var rated int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM procure_ratings WHERE project_id = $1 AND (ratee_party = 'agency' OR rater_party = 'agency')", p.ID).Scan(&rated); err != nil {
			return err
		}
		if rated > 0 {
			return conflict("代理机构已参与互评，不能更换", "the agency has taken part in the ratings and cannot be changed")
		}
		if _, err := q.Exec(ctx, "DELETE FROM procure_project_agencies WHERE project_id = $1", p.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO procure_project_agencies (project_id, entity_id, set_by, set_at) VALUES ($1, $2, $3, $4)", p.ID, e.ID, userID(a), s.now()); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.project.agency", "procure_project", idStr(p.ID), nil, map[string]any{"agency_entity_id": e.ID}, "")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// agencyOf is the project's agency entity, 0 when none is named.
func (s *Service) agencyOf(ctx context.Context, projectID int64) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT entity_id FROM procure_project_agencies WHERE project_id = $1", projectID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// participants are a project's parties: the purchaser's department, the
// agency's and the winning supplier's entities (0 when absent), the drawn
// committee's members, and the caller's pool id when the caller is one
// of them (me).
type participants struct {
	dept, agency, supplier int64
	experts                []CommitteeMember
	me                     int64
}

// expert returns the committee member with the alias (or the pool id).
func (pt participants) expert(alias string, id int64) (CommitteeMember, bool) {
	for _, m := range pt.experts {
		if (alias != "" && m.Alias == alias) || (id != 0 && m.ExpertID == id) {
			return m, true
		}
	}
	return CommitteeMember{}, false
}

func (s *Service) participants(ctx context.Context, p *Project) (participants, error) {
	pt := participants{dept: p.DepartmentID}
	var err error
	if pt.agency, err = s.agencyOf(ctx, p.ID); err != nil {
		return pt, err
	}
	if pt.experts, err = s.members(ctx, p); err != nil {
		return pt, err
	}
	if a := auth.From(ctx); a != nil && a.Has(auth.Expert) && a.UserID != 0 && len(pt.experts) > 0 {
		id, err := s.Draw.ExpertOfUser(ctx, a.UserID)
		if err != nil {
			return pt, err
		}
		if _, ok := pt.expert("", id); ok && id != 0 {
			pt.me = id
		}
	}
	if p.WinnerBidID != 0 {
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT entity_id FROM procure_bids WHERE id = $1", p.WinnerBidID).Scan(&pt.supplier)
		if err != nil && !db.IsNoRows(err) {
			return pt, err
		}
	}
	return pt, nil
}

func (pt participants) ref(party string) int64 {
	switch party {
	case PartyPurchaser:
		return pt.dept
	case PartyAgency:
		return pt.agency
	case PartySupplier:
		return pt.supplier
	case PartyExpert:
		return pt.me
	}
	return 0
}

// partiesOf returns the parties the caller acts for on the project.
func partiesOf(a *auth.Actor, pt participants) []string {
	var out []string
	if a == nil {
		return nil
	}
	if a.Has(auth.DeptAdmin, auth.DeptStaff) && a.DepartmentID != 0 && a.InScope(pt.dept) {
		out = append(out, PartyPurchaser)
	}
	if a.Has(auth.Enterprise) && a.EntityID != 0 {
		if a.EntityID == pt.agency {
			out = append(out, PartyAgency)
		}
		if a.EntityID == pt.supplier {
			out = append(out, PartySupplier)
		}
	}
	if pt.me != 0 {
		out = append(out, PartyExpert)
	}
	return out
}

// RatingInput is one party's rating of another: points per indicator code.
type RatingInput struct {
	As    string `json:"as,omitempty" enum:",purchaser,agency,supplier,expert" doc:"the caller's party, needed only when it acts for two"`
	Ratee string `json:"ratee" enum:"purchaser,agency,supplier,expert"`
	// RateeExpert names the committee member rated (ratee expert).
	RateeExpert string         `json:"ratee_expert,omitempty" doc:"ratee expert: the member's pseudonym on the project"`
	Points      map[string]int `json:"points" doc:"indicator code → points, 0 to the indicator's max_points; every indicator of the pair"`
	Comment     string         `json:"comment,omitempty"`
}

// Rating is a stored rating with its points.
type Rating struct {
	ID         int64         `json:"id"`
	ProjectID  int64         `json:"project_id"`
	RaterParty string        `json:"rater_party"`
	Rater      string        `json:"rater"`
	RateeParty string        `json:"ratee_party"`
	Ratee      string        `json:"ratee"`
	Points     int           `json:"points"`
	MaxPoints  int           `json:"max_points"`
	Score      float64       `json:"score" doc:"points as a percentage of the maximum, one decimal"`
	Comment    string        `json:"comment,omitempty"`
	RatedOn    string        `json:"rated_on"`
	Details    []RatingPoint `json:"details"`
}

// RatingPoint is the points of one indicator.
type RatingPoint struct {
	Indicator
	Points int `json:"points"`
}

// RaterText names the rater's party in a language.
func (r Rating) RaterText(lang string) string { return PartyLabel(r.RaterParty, lang) }

// RateeText names the ratee's party in a language.
func (r Rating) RateeText(lang string) string { return PartyLabel(r.RateeParty, lang) }

// Rate records the caller's rating of another party of an awarded project:
// every indicator of the pair in the active template, points within each
// maximum, once per pair. A rating of an agency or a supplier goes to the
// credit module as a procurement-sector input in the same transaction.
func (s *Service) Rate(ctx context.Context, projectID int64, in RatingInput) (*Rating, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	if !a.Has(auth.DeptAdmin, auth.DeptStaff, auth.Enterprise, auth.Expert) {
		return nil, yserr.New(yserr.Forbidden, "仅采购人、代理机构、供应商和评审专家可参与互评", "only the purchaser, the agency, the supplier and the experts rate")
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	pt, err := s.participants(ctx, p)
	if err != nil {
		return nil, err
	}
	mine := partiesOf(a, pt)
	if len(mine) == 0 {
		return nil, yserr.New(yserr.Forbidden, "您不是本项目的采购人、代理机构、成交供应商或评审专家", "you are not the purchaser, the agency, the winning supplier or an expert of this project")
	}
	if p.Status != ProjectAwarded {
		return nil, conflict("项目确定成交后方可互评", "ratings open once the project is awarded")
	}
	rater := in.As
	if rater == "" {
		if len(mine) > 1 {
			return nil, yserr.Field("as", "您在本项目中承担多个角色，请选择以哪一方评价", "you act for more than one party here: choose which")
		}
		rater = mine[0]
	} else if !slices.Contains(mine, rater) {
		return nil, yserr.Field("as", "您不是本项目的"+PartyLabel(rater, "zh"), "you are not the "+PartyLabel(rater, "en")+" of this project")
	}
	if !slices.Contains(Parties, in.Ratee) || in.Ratee == rater {
		return nil, yserr.Field("ratee", "请选择要评价的另一方", "choose the other party to rate")
	}
	rateeRef := pt.ref(in.Ratee)
	if in.Ratee == PartyExpert {
		m, ok := pt.expert(strings.TrimSpace(in.RateeExpert), 0)
		if !ok {
			return nil, yserr.Field("ratee_expert", "请选择本项目评审委员会的一名专家", "choose a member of this project's committee")
		}
		rateeRef = m.ExpertID
	}
	if rateeRef == 0 {
		return nil, yserr.Field("ratee", "本项目没有"+PartyLabel(in.Ratee, "zh"), "this project has no "+PartyLabel(in.Ratee, "en"))
	}
	raterRef := pt.ref(rater)
	t, err := s.ActiveTemplate(ctx)
	if err != nil {
		return nil, err
	}
	inds := t.For(rater, in.Ratee)
	if len(inds) == 0 {
		return nil, yserr.Field("ratee", "评价模板中没有"+PartyLabel(rater, "zh")+"评价"+PartyLabel(in.Ratee, "zh")+"的指标",
			"the template has no indicators for a "+PartyLabel(rater, "en")+" to rate a "+PartyLabel(in.Ratee, "en"))
	}
	var v yserr.Validation
	total, max := 0, 0
	for _, i := range inds {
		pts, ok := in.Points[i.Code]
		switch {
		case !ok:
			v.Add("points."+i.Code, fmt.Sprintf("请为指标“%s”打分", i.NameZH), fmt.Sprintf("score the indicator %q", i.Name("en")))
		case pts < 0 || pts > i.MaxPoints:
			v.Add("points."+i.Code, fmt.Sprintf("指标“%s”的得分应在 0 到 %d 之间", i.NameZH, i.MaxPoints), fmt.Sprintf("the points of %q must be 0 to %d", i.Name("en"), i.MaxPoints))
		}
		total, max = total+pts, max+i.MaxPoints
	}
	for code := range in.Points {
		if !slices.ContainsFunc(inds, func(i Indicator) bool { return i.Code == code }) {
			v.Add("points."+code, "指标 "+code+" 不属于本次评价", "indicator "+code+" is not part of this rating")
		}
	}
	if utf8.RuneCountInString(in.Comment) > 1000 {
		v.Add("comment", "评价意见不超过1000字", "the comment has at most 1000 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	score := math.Round(float64(total)*1000/float64(max)) / 10
	today := s.today().String()
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM procure_ratings WHERE project_id = $1 AND rater_party = $2 AND rater_ref = $3 AND ratee_party = $4 AND ratee_ref = $5`,
			p.ID, rater, raterRef, in.Ratee, rateeRef).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return conflict("已评价过该方", "this party has been rated already")
		}
		if err := q.QueryRow(ctx, `INSERT INTO procure_ratings (project_id, template_id, rater_party, rater_ref, ratee_party, ratee_ref, points, max_points, score, comment, rated_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, p.ID, t.ID, rater, raterRef, in.Ratee, rateeRef, total, max, score,
			strings.TrimSpace(in.Comment), today, userID(a), s.now()).Scan(&id); err != nil {
			return err
		}
		for _, i := range inds {
			if _, err := q.Exec(ctx, "INSERT INTO procure_rating_points (rating_id, indicator_id, points) VALUES ($1, $2, $3)", id, i.ID, in.Points[i.Code]); err != nil {
				return err
			}
		}
		if in.Ratee == PartyAgency || in.Ratee == PartySupplier {
			if err := s.Credit.AddProcureInput(ctx, credit.ProcureInput{EntityID: rateeRef, Role: in.Ratee, Score: score, Source: "procure_rating:" + idStr(id),
				ProjectCode: p.Code, RaterParty: rater, RatedOn: today}); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "procure.rating.create", "procure_rating", idStr(id), nil,
			map[string]any{"project": p.ID, "rater": rater, "ratee": in.Ratee, "ratee_ref": rateeRef, "points": in.Points, "score": score}, "")
	})
	if err != nil {
		return nil, err
	}
	list, err := s.ratings(ctx, "r.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, errors.New("procure: the rating just stored is missing")
	}
	return &list[0], nil
}

// Ratings lists a project's ratings with their points (public: Xuchang
// publishes the mutual ratings).
func (s *Service) Ratings(ctx context.Context, projectID int64) ([]Rating, error) {
	if _, err := s.Project(ctx, projectID); err != nil {
		return nil, err
	}
	return s.ratings(ctx, "r.project_id = $1", projectID)
}

func (s *Service) ratings(ctx context.Context, cond string, args ...any) ([]Rating, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT r.id, r.project_id, r.rater_party, r.rater_ref, r.ratee_party, r.ratee_ref, r.points, r.max_points, r.score, r.comment, r.rated_on
		FROM procure_ratings r WHERE `+cond+` ORDER BY r.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	out := []Rating{}
	type refs struct{ rater, ratee int64 }
	var keys []refs
	byID := map[int64]int{}
	for rows.Next() {
		var r Rating
		var k refs
		if err := rows.Scan(&r.ID, &r.ProjectID, &r.RaterParty, &k.rater, &r.RateeParty, &k.ratee, &r.Points, &r.MaxPoints, &r.Score, &r.Comment, &r.RatedOn); err != nil {
			rows.Close()
			return nil, err
		}
		byID[r.ID] = len(out)
		out = append(out, r)
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	var depts, ents []int64
	for i, k := range keys {
		for _, x := range []struct {
			party string
			ref   int64
		}{{out[i].RaterParty, k.rater}, {out[i].RateeParty, k.ratee}} {
			switch x.party {
			case PartyPurchaser:
				depts = append(depts, x.ref)
			case PartyExpert:
			default:
				ents = append(ents, x.ref)
			}
		}
	}
	dn := s.deptNames(ctx, depts)
	er, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return nil, err
	}
	experts := map[int64]string{}
	name := func(party string, ref int64) string {
		switch party {
		case PartyPurchaser:
			return dn[ref]
		case PartyExpert:
			if n, ok := experts[ref]; ok {
				return n
			}
			n, _, err := s.Draw.ExpertNames(ctx, ref)
			if err != nil {
				n = ""
			}
			experts[ref] = n
			return n
		}
		return er[ref].Name
	}
	for i, k := range keys {
		out[i].Rater, out[i].Ratee = name(out[i].RaterParty, k.rater), name(out[i].RateeParty, k.ratee)
	}
	ids := make([]any, len(out))
	ph := make([]string, len(out))
	for i, r := range out {
		ids[i], ph[i] = r.ID, fmt.Sprintf("$%d", i+1)
	}
	prow, err := s.DB.Q(ctx).Query(ctx, `SELECT p.rating_id, p.points, i.id, i.node_no, i.node_zh, i.node_en, i.code, i.name_zh, i.name_en, i.rater, i.ratee, i.max_points
		FROM procure_rating_points p JOIN procure_rating_indicators i ON i.id = p.indicator_id WHERE p.rating_id IN (`+strings.Join(ph, ", ")+`) ORDER BY i.node_no, i.id`, ids...)
	if err != nil {
		return nil, err
	}
	defer prow.Close()
	for prow.Next() {
		var rid int64
		var d RatingPoint
		if err := prow.Scan(&rid, &d.Points, &d.ID, &d.NodeNo, &d.NodeZH, &d.NodeEN, &d.Code, &d.NameZH, &d.NameEN, &d.Rater, &d.Ratee, &d.MaxPoints); err != nil {
			return nil, err
		}
		if i, ok := byID[rid]; ok {
			out[i].Details = append(out[i].Details, d)
		}
	}
	return out, prow.Err()
}

// RatingTask is a rating the caller may still give on a project.
type RatingTask struct {
	Rater     string `json:"rater"`
	Ratee     string `json:"ratee"`
	RateeName string `json:"ratee_name"`
	// RateeExpert is the pseudonym of the committee member to rate.
	RateeExpert string      `json:"ratee_expert,omitempty"`
	Indicators  []Indicator `json:"indicators"`
}

// RaterText names the rater's party in a language.
func (t RatingTask) RaterText(lang string) string { return PartyLabel(t.Rater, lang) }

// RateeText names the ratee's party in a language.
func (t RatingTask) RateeText(lang string) string { return PartyLabel(t.Ratee, lang) }

// RatingTasks lists the ratings the caller may still give on an awarded
// project (empty for anyone who is not one of its parties).
func (s *Service) RatingTasks(ctx context.Context, projectID int64) ([]RatingTask, error) {
	a := auth.From(ctx)
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := []RatingTask{}
	if a == nil || p.Status != ProjectAwarded {
		return out, nil
	}
	pt, err := s.participants(ctx, p)
	if err != nil {
		return nil, err
	}
	mine := partiesOf(a, pt)
	if len(mine) == 0 {
		return out, nil
	}
	t, err := s.ActiveTemplate(ctx)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT rater_party, rater_ref, ratee_party, ratee_ref FROM procure_ratings WHERE project_id = $1", p.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var rp, ee string
		var ref, eref int64
		if err := rows.Scan(&rp, &ref, &ee, &eref); err != nil {
			rows.Close()
			return nil, err
		}
		if ref == pt.ref(rp) {
			done[rp+">"+ee] = true
			if ee == PartyExpert {
				done[fmt.Sprintf("%s>%s:%d", rp, ee, eref)] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, rater := range mine {
		for _, ratee := range Parties {
			if ratee == PartyExpert {
				inds := t.For(rater, ratee)
				if rater == PartyExpert || len(inds) == 0 {
					continue
				}
				for _, m := range pt.experts {
					if done[fmt.Sprintf("%s>%s:%d", rater, ratee, m.ExpertID)] {
						continue
					}
					name, _, err := s.Draw.ExpertNames(ctx, m.ExpertID)
					if err != nil {
						return nil, err
					}
					out = append(out, RatingTask{Rater: rater, Ratee: ratee, RateeName: name, RateeExpert: m.Alias, Indicators: inds})
				}
				continue
			}
			ref := pt.ref(ratee)
			if ratee == rater || ref == 0 || done[rater+">"+ratee] {
				continue
			}
			inds := t.For(rater, ratee)
			if len(inds) == 0 {
				continue
			}
			task := RatingTask{Rater: rater, Ratee: ratee, Indicators: inds}
			if ratee == PartyPurchaser {
				task.RateeName = p.Department
			} else if refs, err := s.Entities.Refs(ctx, []int64{ref}); err == nil {
				task.RateeName = refs[ref].Name
			} else {
				return nil, err
			}
			out = append(out, task)
		}
	}
	return out, nil
}

// AgencyName names the project's procurement agency ("" when none).
func (s *Service) AgencyName(ctx context.Context, projectID int64) (string, error) {
	id, err := s.agencyOf(ctx, projectID)
	if err != nil || id == 0 {
		return "", err
	}
	refs, err := s.Entities.Refs(ctx, []int64{id})
	if err != nil {
		return "", err
	}
	return refs[id].Name, nil
}

// SupplierCredit is a supplier of a project's published results with its
// public credit records (the credit module's public page) and its
// procurement ratings in the credit database.
type SupplierCredit struct {
	EntityID int64         `json:"entity_id"`
	Entity   string        `json:"entity"`
	USCC     string        `json:"uscc"`
	Records  []CreditEntry `json:"records"`
	Ratings  int           `json:"ratings" doc:"procurement ratings held by the credit module"`
	Average  float64       `json:"rating_average,omitempty"`
}

// PublicSupplierCredit lists, after the award, every bidder of the project
// with its penalties and list entries under publicity, read through the
// credit module's public API (public: Xuchang publishes them with the
// results), and its procurement-rating summary.
func (s *Service) PublicSupplierCredit(ctx context.Context, projectID int64) ([]SupplierCredit, error) {
	bids, err := s.PublicResults(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := []SupplierCredit{}
	if len(bids) == 0 {
		return out, nil
	}
	ids := make([]int64, len(bids))
	for i, b := range bids {
		ids[i] = b.EntityID
	}
	sums, err := s.Credit.ProcureSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, b := range bids {
		prof, err := s.Credit.PublicOf(ctx, b.EntityID)
		if err != nil {
			return nil, err
		}
		sc := SupplierCredit{EntityID: b.EntityID, Entity: prof.Name, USCC: prof.USCC, Records: []CreditEntry{}, Ratings: sums[b.EntityID].Ratings, Average: sums[b.EntityID].Average}
		for _, r := range prof.Records {
			if r.Kind == credit.KindPenalty || r.Kind == credit.KindSeriousList || r.Kind == credit.KindAbnormal || r.Kind == credit.KindBreach {
				sc.Records = append(sc.Records, CreditEntry{r})
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

// CreditEntry is a public credit record shown with a project.
type CreditEntry struct {
	credit.PublicRecord
}

// KindText names the record's kind in a language.
func (e CreditEntry) KindText(lang string) string { return credit.KindLabel(e.Kind, lang) }

// PenaltyText lists the penalty types (with amounts in yuan) in a language.
func (e CreditEntry) PenaltyText(lang string) string {
	var parts []string
	for _, p := range e.Penalties {
		t := credit.PenaltyTypeLabel(p.Type, lang)
		if p.Amount > 0 {
			if lang == "en" {
				t += fmt.Sprintf(" %s yuan", strconv.FormatFloat(p.Amount, 'f', -1, 64))
			} else {
				t += fmt.Sprintf(" %s元", strconv.FormatFloat(p.Amount, 'f', -1, 64))
			}
		}
		parts = append(parts, t)
	}
	sep := "、"
	if lang == "en" {
		sep = ", "
	}
	return strings.Join(parts, sep)
}
