package credits

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Grade models per sector, inputs and the model grade page (issue 18
// item 9); scenes as configuration (item 10, scenes.go); the governance
// dashboard (item 12, governance.go).

const (
	viewRulesModels  = "credit/rules_models"
	viewModelGrade   = "credit/model_grade"
	viewRulesSceneLs = "credit/rules_scene_list"
	viewGovernance   = "credit/governance"
)

// mountIssue18 registers the pages and API operations of items 9, 10, 12.
func (h *handlers) mountIssue18() {
	s := h.s
	s.UsesViews(viewRulesModels, viewModelGrade, viewRulesSceneLs, viewGovernance)
	s.Page("GET /credit/rules/models", h.rulesModels, readRoles...)
	s.Page("POST /credit/rules/models", h.saveModel, readRoles...)
	s.Page("GET /credit/grades/{id}", h.modelGrade, allRoles...)
	s.Page("POST /credit/grades/{id}/inputs", h.recordInput, writeRoles...)
	s.Page("GET /credit/rules/scene-list", h.rulesSceneList, readRoles...)
	s.Page("POST /credit/rules/scene-list", h.saveScene, readRoles...)
	s.Page("GET /credit/governance", h.governance, readRoles...)
	s.Page("POST /credit/governance/settings", h.governanceSettings, readRoles...)
	s.Page("POST /credit/governance/scan", h.governanceScan, readRoles...)
	s.Page("POST /credit/governance/ledger", h.ledgerAdd, readRoles...)
	s.Page("POST /credit/governance/ledger/{id}", h.ledgerUpdate, readRoles...)

	reg, mux := s.API, s.Mux
	tags := []string{"credit"}
	op := func(method, path, id, summary, auth string, query, body, resp any, status int, fn func(w http.ResponseWriter, r *http.Request) error) {
		reg.Handle(mux, api.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Auth: auth, Query: query, Body: body, Resp: resp, Status: status}, fn)
	}
	op("GET", "/api/v1/credit/models", "listCreditGradeModels", "分行业信用评价模型 / Grade models per sector", authStaff, nil, nil, []credit.GradeModel{}, 0, h.apiModels)
	op("PUT", "/api/v1/credit/models/{code}", "saveCreditGradeModel", "新增或修改评价模型 / Create or replace a grade model", "platform_admin", CodePath{}, credit.GradeModel{}, credit.GradeModel{}, 0, h.apiSaveModel)
	op("POST", "/api/v1/credit/grade-inputs", "recordCreditGradeInput", "报送评价指标值（检查结果、合同履约、采购评价） / Record an indicator value (inspection, contract, procurement)",
		authWrite, nil, credit.GradeInput{}, credit.ModelGrade{}, 0, h.apiRecordInput)
	op("GET", "/api/v1/credit/entities/{id}/model-grade", "getCreditModelGrade", "行业评价等级、指标权重及理由 / Sector model level with weights and reasons", authRead, IDPath{}, nil, credit.ModelGrade{}, 0, h.apiModelGrade)
	op("GET", "/api/v1/credit/entities/{id}/model-grade/history", "listCreditModelGradeHistory", "行业评价等级历史 / Sector model level history", authRead, IDPath{}, nil, []credit.ModelGradeChange{}, 0, h.apiModelGradeHistory)
	op("GET", "/api/v1/credit/scenes", "listCreditScenes", "信用核查场景 / Scenes of the credit check", authStaff, nil, nil, []credit.Scene{}, 0, h.apiScenes)
	op("PUT", "/api/v1/credit/scenes/{code}", "saveCreditScene", "新增或修改核查场景 / Create or change a scene", "platform_admin", CodePath{}, credit.Scene{}, credit.Scene{}, 0, h.apiSaveScene)
	op("GET", "/api/v1/credit/governance", "getCreditGovernance", "信用治理看板 / Credit governance dashboard", authStaff, nil, nil, credit.Governance{}, 0, h.apiGovernance)
	op("PUT", "/api/v1/credit/governance/settings", "setCreditGovernanceSettings", "高频失信标准 / High-frequency criterion", "platform_admin", nil, credit.GovernanceSettings{}, credit.GovernanceSettings{}, 0, h.apiGovernanceSettings)
	op("POST", "/api/v1/credit/governance/scan", "scanCreditHighFrequency", "更新重点治理台账（高频失信进入和退出） / Update the ledger (high-frequency entries and exits)", "platform_admin", nil, nil, credit.ScanResult{}, 0, h.apiGovernanceScan)
	op("GET", "/api/v1/credit/governance/ledger", "listCreditGovernanceLedger", "重点治理台账 / Key-governance ledger", authStaff, LedgerQuery{}, nil, []credit.LedgerEntry{}, 0, h.apiLedger)
	op("POST", "/api/v1/credit/governance/ledger", "addCreditLedgerEntry", "列入重点治理台账 / Add an entity to the ledger", "platform_admin", nil, credit.LedgerInput{}, credit.LedgerEntry{}, http.StatusCreated, h.apiLedgerAdd)
	op("PUT", "/api/v1/credit/governance/ledger/{id}", "updateCreditLedgerEntry", "记录治理措施或退出 / Record measures or close an entry", authWrite, IDPath{}, credit.LedgerInput{}, credit.LedgerEntry{}, 0, h.apiLedgerUpdate)
}

// LedgerQuery filters the ledger.
type LedgerQuery struct {
	Status string `query:"status" enum:",active,exited"`
}

// ---- models page ----

type modelView struct {
	credit.GradeModel
	JSON string
}

func (h *handlers) modelsData(r *http.Request, v *web.View, d map[string]any, editing string) error {
	models, err := h.svc.GradeModels(r.Context())
	if err != nil {
		return err
	}
	var list []modelView
	for _, m := range models {
		js, _ := json.MarshalIndent(m, "", "  ")
		list = append(list, modelView{m, string(js)})
		if m.Code == r.URL.Query().Get("code") && editing == "" {
			editing = string(js)
		}
	}
	if editing == "" {
		js, _ := json.MarshalIndent(credit.DemoGradeModels()[1], "", "  ")
		editing = string(js)
	}
	colours := map[string]string{"": "—"}
	for _, c := range credit.Colours {
		colours[c] = credit.ColourLabel(c, v.Lang)
	}
	d["Models"], d["Editing"], d["ColourNames"] = list, editing, colours
	return nil
}

func (h *handlers) rulesModels(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "models", credit.TableModels)
	if err != nil {
		return err
	}
	if err := h.modelsData(r, v, d, ""); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRulesModels, v)
}

func (h *handlers) saveModel(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "models", credit.TableModels)
	if err != nil {
		return err
	}
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin); err != nil {
		return err
	}
	text := r.PostFormValue("model")
	var m credit.GradeModel
	err = json.Unmarshal([]byte(text), &m)
	if err != nil {
		err = yserr.Field("model", "JSON 格式有误："+err.Error(), "the JSON is malformed: "+err.Error())
	} else {
		_, err = h.svc.SaveGradeModel(r.Context(), m)
	}
	if err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		if err2 := h.modelsData(r, v, d, text); err2 != nil {
			return err2
		}
		d["Errors"] = yserr.As(err)
		return h.s.FormError(w, r, viewRulesModels, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules/models", v.T("已保存信用评价模型", "Grade model saved"))
}

// ---- model grade page ----

func (h *handlers) modelGradeData(r *http.Request, v *web.View, id int64) (map[string]any, error) {
	ctx := r.Context()
	g, err := h.svc.ModelGradeOf(ctx, id)
	if err != nil {
		return nil, err
	}
	base, err := h.svc.GradeOf(ctx, id)
	if err != nil {
		return nil, err
	}
	hist, err := h.svc.ModelGradeHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	inputs, err := h.svc.GradeInputs(ctx, id)
	if err != nil {
		return nil, err
	}
	models, err := h.svc.GradeModels(ctx)
	if err != nil {
		return nil, err
	}
	var indicators []option
	seen := map[string]bool{}
	for _, m := range models {
		for _, in := range m.Indicators {
			if in.Source == credit.SourceInput && !seen[in.Code] {
				seen[in.Code] = true
				indicators = append(indicators, option{in.Code, v.T(in.NameZH, in.NameEN)})
			}
		}
	}
	a := auth.From(ctx)
	return map[string]any{"EntityID": id, "Model": g, "Base": base, "BaseColour": credit.ColourLabel(base.Colour, v.Lang), "History": hist, "Inputs": inputs,
		"Indicators": indicators, "CanInput": a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff), "Form": url.Values{}}, nil
}

func (h *handlers) modelGrade(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("行业信用评价", "Sector credit grade")
	if v.Data, err = h.modelGradeData(r, v, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewModelGrade, v)
}

func (h *handlers) recordInput(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("行业信用评价", "Sector credit grade")
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := credit.GradeInput{EntityID: id, Indicator: r.PostFormValue("indicator"), Source: r.PostFormValue("source"), Reason: r.PostFormValue("reason")}
	val, perr := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("value")), 64)
	if perr != nil {
		err = yserr.Field("value", "指标值须为0至100之间的数字", "the value is a number between 0 and 100")
	} else {
		in.Value = val
		_, err = h.svc.RecordInput(r.Context(), in)
	}
	if err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		d, err2 := h.modelGradeData(r, v, id)
		if err2 != nil {
			return err2
		}
		d["Form"] = r.PostForm
		v.Data = d
		return h.s.FormError(w, r, viewModelGrade, v, err)
	}
	return h.s.Redirect(w, r, "/credit/grades/"+strconv.FormatInt(id, 10), v.T("已记录指标值，评价等级已重新计算", "Value recorded; the level was recomputed"))
}

// ---- API ----

func (h *handlers) apiModels(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return err
	}
	list, err := h.svc.GradeModels(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiSaveModel(w http.ResponseWriter, r *http.Request) error {
	var m credit.GradeModel
	if err := api.Decode(r, &m); err != nil {
		return err
	}
	m.Code = r.PathValue("code")
	out, err := h.svc.SaveGradeModel(r.Context(), m)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiRecordInput(w http.ResponseWriter, r *http.Request) error {
	var in credit.GradeInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	g, err := h.svc.RecordInput(r.Context(), in)
	if err != nil {
		return err
	}
	if g == nil {
		// Recorded; no model covers the entity's sector yet, so there is
		// no level (model_code and level are empty).
		g = &credit.ModelGrade{EntityID: in.EntityID, Breakdown: []credit.IndicatorScore{}}
	}
	api.WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *handlers) apiModelGrade(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		g, err := h.svc.ModelGradeOf(r.Context(), id)
		if err == nil && g == nil {
			err = yserr.ErrNotFound("适用的行业评价模型", "grade model for the entity's sector")
		}
		return g, err
	})
}

func (h *handlers) apiModelGradeHistory(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.ModelGradeHistory(r.Context(), id) })
}
