package procure

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// The experts' own sheets (docs/procure.md, "Experts score in the
// platform"): the unit's indicators form, the expert's scoring page and
// list, and the JSON API.

const (
	viewScore   = "procure/score"
	viewScoring = "procure/scoring"
)

// scorePage is the data of GET /procure/projects/{id}/score.
type scorePage struct {
	Sheet *procure.ScoringSheet
}

// scoringPage is the data of GET /procure/scoring.
type scoringPage struct {
	Projects []procure.Project
}

func (h *handlers) mountSheets() {
	svc := h.svc
	h.s.UsesViews(viewScore, viewScoring)
	h.s.Page("GET /procure/scoring", func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.MyCommittees(r.Context())
		if err != nil {
			return err
		}
		v := h.s.View(r, "")
		v.Title, v.Data = v.T("评审打分", "My evaluations"), &scoringPage{Projects: list}
		return h.s.Render(w, r, http.StatusOK, viewScoring, v)
	}, auth.Expert)
	h.s.Page("GET /procure/projects/{id}/score", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		return h.renderScore(w, r, id, nil)
	}, auth.Expert)
	h.s.Page("POST /procure/projects/{id}/score", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return yserr.New(yserr.Invalid, "表单无法读取", "the form cannot be read")
		}
		in, err := sheetFromForm(r.PostForm)
		if err == nil {
			in.Lock = r.FormValue("action") == "lock"
			_, err = svc.SaveSheet(r.Context(), id, in)
		}
		if err != nil {
			return h.renderScore(w, r, id, err)
		}
		v := h.s.View(r, "")
		msg := v.T("评分表已保存。", "The sheet is saved.")
		if r.FormValue("action") == "lock" {
			msg = v.T("评分表已提交并锁定。", "The sheet is locked.")
		}
		return h.s.Redirect(w, r, fmt.Sprintf("/procure/projects/%d/score", id), msg)
	}, auth.Expert)
	h.s.Page("GET /procure/projects/{id}/lots/{lot}/score", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		return h.renderLotScore(w, r, id, lot, nil)
	}, auth.Expert)
	h.s.Page("POST /procure/projects/{id}/lots/{lot}/score", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return yserr.New(yserr.Invalid, "表单无法读取", "the form cannot be read")
		}
		in, err := sheetFromForm(r.PostForm)
		if err == nil {
			in.Lock = r.FormValue("action") == "lock"
			_, err = svc.SaveLotSheet(r.Context(), id, lot, in)
		}
		if err != nil {
			return h.renderLotScore(w, r, id, lot, err)
		}
		v := h.s.View(r, "")
		msg := v.T("评分表已保存。", "The sheet is saved.")
		if in.Lock {
			msg = v.T("评分表已提交并锁定。", "The sheet is locked.")
		}
		return h.s.Redirect(w, r, fmt.Sprintf("/procure/projects/%d/lots/%d/score", id, lot), msg)
	}, auth.Expert)
	h.s.Page("POST /procure/projects/{id}/indicators", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		list, err := indicatorsFromText(r.FormValue("indicators"))
		if err != nil {
			return err
		}
		_, err = svc.SetIndicators(ctx, id, procure.IndicatorsInput{Indicators: list})
		return err
	}), unitRoles...)

	reg, mux := h.s.API, h.s.Mux
	tags := []string{"procure"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/scoring-indicators", ID: "listProcureScoringIndicators", Tags: tags, Auth: api.AuthPublic,
		Summary: "评分因素 / The project's technical scoring indicators (the default: one indicator worth 100 − the price weight)",
		Query:   IDPath{}, Resp: []procure.ScoreIndicator{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		list, err := svc.Indicators(r.Context(), id)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/procure/projects/{id}/scoring-indicators", ID: "setProcureScoringIndicators", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "设置评分因素 / Set the project's technical scoring indicators",
		Description: "Staff of the project's unit; comprehensive scoring, the project open, before any expert saved a sheet (409 after). The maxima add up to " +
			"100 − the price weight; errors name indicators.<n>.",
		Query: IDPath{}, Body: procure.IndicatorsInput{}, Resp: []procure.ScoreIndicator{}}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusOK, true, func(id int64, in procure.IndicatorsInput) ([]procure.ScoreIndicator, error) {
			return svc.SetIndicators(r.Context(), id, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/sheets/mine", ID: "getProcureMySheet", Tags: tags, Auth: "expert",
		Summary: "我的评分表 / The caller's scoring sheet: the bids by blind code only",
		Description: "A drawn member of the project's committee whose expert account is linked to the pool record (403 otherwise). No supplier names or prices " +
			"before the award.",
		Query: IDPath{}, Resp: procure.ScoringSheet{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		sh, err := svc.MySheet(r.Context(), id)
		return reply(w, http.StatusOK, sh, err)
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/procure/projects/{id}/sheets/mine", ID: "saveProcureMySheet", Tags: tags, Auth: "expert",
		Summary: "保存或提交评分表 / Save the caller's sheet, or lock it",
		Description: "Points 0..the indicator's maximum (2 decimals) per code and indicator (errors name points.<code>.<indicator>); lock needs every code × " +
			"indicator and returns the receipt (sha256). A locked sheet, or a project already evaluated, is 409.",
		Query: IDPath{}, Body: procure.SheetInput{}, Resp: procure.ScoringSheet{}}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusOK, true, func(id int64, in procure.SheetInput) (*procure.ScoringSheet, error) {
			return svc.SaveSheet(r.Context(), id, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/lots/{lot}/sheets/mine", ID: "getProcureMyLotSheet", Tags: tags, Auth: "expert",
		Summary: "我的分包评分表 / The caller's scoring sheet of one lot: the bids on the lot by blind code only",
		Description: "A drawn member of the project's committee whose expert account is linked to the pool record (403 otherwise); a lot the project does not " +
			"have is 404. No supplier names or prices before the award.",
		Query: LotPath{}, Resp: procure.ScoringSheet{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		sh, err := svc.MyLotSheet(r.Context(), id, lot)
		return reply(w, http.StatusOK, sh, err)
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/procure/projects/{id}/lots/{lot}/sheets/mine", ID: "saveProcureMyLotSheet", Tags: tags, Auth: "expert",
		Summary: "保存或提交分包评分表 / Save the caller's sheet of one lot, or lock it",
		Description: "As the project's sheet, for the codes of the bids on the lot: points per code and indicator (errors name points.<code>.<indicator>), " +
			"a comment of at most 500 characters per entry (comments.<code>.<indicator>); lock needs every code × indicator and returns the receipt. " +
			"A locked sheet, a lot already evaluated or an awarded project is 409.",
		Query: LotPath{}, Body: procure.SheetInput{}, Resp: procure.ScoringSheet{}}, func(w http.ResponseWriter, r *http.Request) error {
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		return withBody(w, r, http.StatusOK, true, func(id int64, in procure.SheetInput) (*procure.ScoringSheet, error) {
			return svc.SaveLotSheet(r.Context(), id, lot, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/lots/{lot}/sheets", ID: "listProcureLotSheetStates", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "分包评分表进度 / The committee's sheets of one lot: status and receipt (never the points)",
		Description: "The project's unit, the finance bureau and supervisors; other staff 404.",
		Query:       LotPath{}, Resp: []procure.SheetState{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		list, err := svc.LotSheetStates(r.Context(), id, lot)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/sheets", ID: "listProcureSheetStates", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "评分表进度 / The committee's sheets: online or typed by the unit, status and receipt (never the points)",
		Description: "The project's unit, the finance bureau and supervisors; other staff 404.",
		Query:       IDPath{}, Resp: []procure.SheetState{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		list, err := svc.SheetStates(r.Context(), id)
		return reply(w, http.StatusOK, list, err)
	})
}

func (h *handlers) renderScore(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	return h.renderLotScore(w, r, id, 0, formErr)
}

// renderLotScore renders the caller's sheet of a lot (0: the project's).
func (h *handlers) renderLotScore(w http.ResponseWriter, r *http.Request, id int64, lot int, formErr error) error {
	sh, err := h.svc.MyLotSheet(r.Context(), id, lot)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("评分表", "Scoring sheet") + " · " + sh.ProjectCode
	if lot > 0 {
		v.Title += fmt.Sprintf(" · %s%d%s", v.T("第", "lot "), lot, v.T("包", ""))
	}
	v.Data = &scorePage{Sheet: sh}
	if formErr != nil {
		return h.s.FormError(w, r, viewScore, v, formErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewScore, v)
}

// sheetFromForm reads fields named p.<code>.<indicator> and their
// comments c.<code>.<indicator>; empty points are left out of the sheet (a
// comment without points is refused naming the points).
func sheetFromForm(form map[string][]string) (procure.SheetInput, error) {
	var in procure.SheetInput
	var v yserr.Validation
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "p.")
		if !ok || len(vs) == 0 {
			continue
		}
		code, ind, _ := strings.Cut(rest, ".")
		comment := ""
		if c := form["c."+rest]; len(c) > 0 {
			comment = strings.TrimSpace(c[0])
		}
		if strings.TrimSpace(vs[0]) == "" {
			if comment != "" {
				v.Add("points."+code+"."+ind, code+" 的 "+ind+" 有评分理由但未打分", "the comment on "+code+" for "+ind+" needs its points")
			}
			continue
		}
		pts, err := strconv.ParseFloat(strings.TrimSpace(vs[0]), 64)
		if err != nil {
			v.Add("points."+code+"."+ind, code+" 的 "+ind+" 得分应为数字", "the points of "+code+" for "+ind+" must be a number")
			continue
		}
		in.Points = append(in.Points, procure.SheetPoint{Code: code, Indicator: ind, Points: pts, Comment: comment})
	}
	return in, v.Err()
}

// indicatorsFromText reads one indicator a line: code, Chinese name,
// English name, maximum points (separated by commas or |). Errors name the
// line (indicators.<n>).
func indicatorsFromText(text string) ([]procure.ScoreIndicator, error) {
	var out []procure.ScoreIndicator
	var v yserr.Validation
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		n++
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '|' })
		if len(f) != 4 {
			v.Add(fmt.Sprintf("indicators.%d", n), fmt.Sprintf("第%d行应为：代码,中文名称,英文名称,分值", n), fmt.Sprintf("line %d must be: code,Chinese name,English name,maximum", n))
			continue
		}
		mx, err := strconv.ParseFloat(strings.TrimSpace(f[3]), 64)
		if err != nil {
			v.Add(fmt.Sprintf("indicators.%d", n), fmt.Sprintf("第%d行的分值应为数字", n), fmt.Sprintf("the maximum on line %d must be a number", n))
			continue
		}
		out = append(out, procure.ScoreIndicator{Code: strings.TrimSpace(f[0]), NameZH: strings.TrimSpace(f[1]), NameEN: strings.TrimSpace(f[2]), Max: mx})
	}
	return out, v.Err()
}

// indicatorsText writes indicators as the form's lines.
func indicatorsText(list []procure.ScoreIndicator) string {
	var b strings.Builder
	for _, x := range list {
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", x.Code, x.NameZH, x.NameEN, strconv.FormatFloat(x.Max, 'f', -1, 64))
	}
	return b.String()
}

// projectScoring is the project page's part of the experts' sheets: the
// indicators (the unit may change them until a sheet is saved), the seats'
// sheet states for the unit, and the caller's own sheet for a member.
type projectScoring struct {
	Indicators     []procure.ScoreIndicator
	IndicatorsText string
	Sheets         map[string]procure.SheetState
	Mine           *procure.ScoringSheet
	// On a project with lots: the seats' sheet states per lot (the unit)
	// and the caller's own sheet of each lot (a member).
	LotSheets map[int]map[string]procure.SheetState
	MineLots  []*procure.ScoringSheet
}

// State returns the sheet state of a seat.
func (ps projectScoring) State(alias string) procure.SheetState { return ps.Sheets[alias] }

// LotState returns the sheet state of a seat on a lot.
func (ps projectScoring) LotState(lot int, alias string) procure.SheetState {
	return ps.LotSheets[lot][alias]
}

// LotBidCount counts the bids on a lot the caller sees.
func (d *projectPage) LotBidCount(lot int) int {
	n := 0
	for _, r := range d.LotResults {
		if r.LotNo == lot {
			n++
		}
	}
	return n
}

func (h *handlers) scoring(ctx context.Context, a *auth.Actor, p *procure.Project, manage bool) (projectScoring, error) {
	var ps projectScoring
	if p.EvalMethod != procure.EvalComprehensive {
		return ps, nil
	}
	var err error
	if ps.Indicators, err = h.svc.Indicators(ctx, p.ID); err != nil {
		return ps, err
	}
	ps.IndicatorsText = indicatorsText(ps.Indicators)
	if len(p.Lots) > 0 {
		if p.DrawProjectID == 0 {
			return ps, nil
		}
		if manage {
			ps.LotSheets = map[int]map[string]procure.SheetState{}
			for _, l := range p.Lots {
				states, err := h.svc.LotSheetStates(ctx, p.ID, l.No)
				if err != nil {
					return ps, err
				}
				ps.LotSheets[l.No] = map[string]procure.SheetState{}
				for _, st := range states {
					ps.LotSheets[l.No][st.Alias] = st
				}
			}
		}
		if a.Has(auth.Expert) {
			for _, l := range p.Lots {
				sh, err := h.svc.MyLotSheet(ctx, p.ID, l.No)
				if yserr.Is(err, yserr.Forbidden) || yserr.Is(err, yserr.Conflict) {
					break
				}
				if err != nil {
					return ps, err
				}
				ps.MineLots = append(ps.MineLots, sh)
			}
		}
		return ps, nil
	}
	if manage && p.DrawProjectID != 0 {
		states, err := h.svc.SheetStates(ctx, p.ID)
		if err != nil {
			return ps, err
		}
		ps.Sheets = map[string]procure.SheetState{}
		for _, st := range states {
			ps.Sheets[st.Alias] = st
		}
	}
	if a.Has(auth.Expert) && p.DrawProjectID != 0 {
		if ps.Mine, err = h.svc.MySheet(ctx, p.ID); err != nil && !yserr.Is(err, yserr.Forbidden) && !yserr.Is(err, yserr.Conflict) {
			return ps, err
		}
	}
	return ps, nil
}
