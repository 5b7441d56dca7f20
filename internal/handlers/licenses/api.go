package licenses

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/license"
)

// ListQuery filters the licence list.
type ListQuery struct {
	TypeID   int64  `query:"type_id"`
	Status   string `query:"status" enum:"active,renewed,revoked,cancelled,lapsed"`
	Q        string `query:"q" doc:"holder name or licence number, substring"`
	Expiring int    `query:"expiring" doc:"only active licences expiring within this many days"`
	Page     int    `query:"page"`
	PerPage  int    `query:"per_page"`
}

// FollowupQuery filters the follow-up list.
type FollowupQuery struct {
	DepartmentID int64 `query:"department_id"`
	Overdue      bool  `query:"overdue" doc:"only entries not contacted that expire within a day or have expired"`
	Mine         bool  `query:"mine" doc:"department staff: only the entries assigned to the caller"`
}

// ImportInput is an API import of licences.
type ImportInput struct {
	DepartmentID int64                  `json:"department_id" doc:"0: the caller's department"`
	Mode         string                 `json:"mode" enum:"all_or_nothing,valid_only"`
	Licenses     []license.LicenseInput `json:"licenses"`
}

// StatusInput changes a licence's status.
type StatusInput struct {
	Status string `json:"status" enum:"renewed,revoked,cancelled"`
	Note   string `json:"note"`
}

// AnswerInput is a holder's answer.
type AnswerInput struct {
	Answer string `json:"answer" enum:"renewed,renewing,closing"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"license"}
	reg.DescribeTag("license", "证照到期提醒：证照台账、导入、到期提醒、跟进清单、持证人查询 / Licence expiry reminders: the licence ledger, import, reminders, follow-up lists, holders' look-up")
	readers := "platform_admin,dept_admin,dept_staff,supervisor,enterprise"
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/licenses", ID: "listLicenses", Tags: tags, Auth: readers,
		Summary:     "证照列表 / List licences",
		Description: "Department users see their departments' licences, enterprise users their own; soonest expiry first. ID numbers and phones masked.",
		Query:       ListQuery{}, Resp: api.Page[*license.License]{}}, h.apiList)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/licenses/{id}", ID: "getLicense", Tags: tags, Auth: readers,
		Summary: "证照详情 / Get a licence", Description: "Department staff in scope see the ID number and phone unmasked.", Resp: license.License{}}, h.apiGet)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/licenses/import", ID: "importLicenses", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary:     "导入证照 / Import licences",
		Description: "Adds licences to a department's ledger in one transaction. Always 200 with the per-row report; committed tells whether anything was written. A newer licence of the same holder and type marks the older one renewed.",
		Body:        ImportInput{}, Resp: license.ImportReport{}}, h.apiImport)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/licenses/{id}/status", ID: "setLicenseStatus", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "标记续证、撤销或注销 / Mark a licence renewed, revoked or cancelled", Body: StatusInput{}, Status: 204}, h.apiStatus)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/licenses/{id}/confirm-renewal", ID: "confirmLicenseRenewal", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "确认持证人已续证 / Confirm a holder's renewed answer", Status: 204}, h.apiConfirm)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/licenses/{id}/answer", ID: "answerLicenseReminder", Tags: tags, Auth: "enterprise",
		Summary: "持证人答复提醒 / Answer a reminder", Body: AnswerInput{}, Status: 204}, h.apiAnswer)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/licenses/{id}/contacts", ID: "recordLicenseContact", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "记录电话或上门跟进 / Record a call or visit", Body: license.ContactInput{}, Resp: license.Contact{}, Status: 201}, h.apiContact)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/licenses/{id}/deliveries", ID: "listLicenseDeliveries", Tags: tags, Auth: readers,
		Summary: "证照提醒消息 / Messages sent about a licence", Resp: []license.Delivery{}}, h.apiDeliveries)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/license-followups", ID: "listLicenseFollowups", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "待跟进清单 / Follow-up list", Query: FollowupQuery{}, Resp: []*license.FollowupItem{}}, h.apiFollowups)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/license-types", ID: "listLicenseTypes", Tags: tags, Auth: "user",
		Summary: "提醒事项目录 / Reminder catalogue", Resp: []*license.Type{}}, h.apiTypes)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/license-types", ID: "createLicenseType", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary: "新增提醒事项 / Create a reminder item", Body: license.TypeInput{}, Resp: license.Type{}, Status: 201}, h.apiCreateType)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/license-types/{id}", ID: "updateLicenseType", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary: "修改提醒事项 / Update a reminder item", Body: license.TypeInput{}, Resp: license.Type{}}, h.apiUpdateType)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/license-stats", ID: "getLicenseStats", Tags: tags, Auth: "platform_admin,supervisor,dept_admin",
		Summary: "证照提醒统计 / Dashboard figures per department and type", Resp: []*license.TypeStats{}}, h.apiStats)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	var q ListQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	page, per, err := api.Paging(r)
	if err != nil {
		return err
	}
	list, total, err := h.svc.List(r.Context(), license.Filter{TypeID: q.TypeID, Status: q.Status, Q: q.Q, ExpiringDays: q.Expiring, Page: page, PerPage: per})
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(list, int64(total), page, per))
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	l, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	var in ImportInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	rep, err := h.svc.Add(r.Context(), in.DepartmentID, in.Licenses, in.Mode)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (h *handlers) apiStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in StatusInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetStatus(r.Context(), id, in.Status, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.ConfirmRenewal(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in AnswerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.Answer(r.Context(), id, in.Answer); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiContact(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in license.ContactInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.RecordContact(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *handlers) apiDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	list, err := h.svc.Deliveries(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiFollowups(w http.ResponseWriter, r *http.Request) error {
	var q FollowupQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	var list []*license.FollowupItem
	var err error
	if q.Mine {
		list, err = h.svc.MyFollowups(r.Context(), q.Overdue)
	} else {
		list, err = h.svc.Followups(r.Context(), q.DepartmentID, q.Overdue)
	}
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiTypes(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Types(r.Context(), 0)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiCreateType(w http.ResponseWriter, r *http.Request) error {
	var in license.TypeInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.SaveType(r.Context(), 0, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (h *handlers) apiUpdateType(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in license.TypeInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.SaveType(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *handlers) apiStats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, st)
	return nil
}
