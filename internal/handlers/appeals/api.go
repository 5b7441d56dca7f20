package appeals

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// AlertQuery filters alerts.
type AlertQuery struct {
	MinLevel int `query:"min_level" doc:"1 warnings and above, 2 overdue, 3 second level"`
	Limit    int `query:"limit" doc:"1-500, default 100"`
}

// CaseQuery searches typical cases.
type CaseQuery struct {
	Topic string `query:"topic"`
	Q     string `query:"q" doc:"words of the title or summary"`
}

// Detail is an appeal with what the caller may do next.
type Detail struct {
	appeal.Appeal
	Allowed []appeal.Action `json:"allowed_actions"`
}

// Stats is the dashboard as JSON.
type Stats = appeal.Stats

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"appeal"}
	reg.DescribeTag("appeal", "涉企诉求：受理、交办、办理、答复、评价、回访、台账、典型案例 / Enterprise appeals")
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals", ID: "createAppeal", Summary: "提交诉求 / Submit an appeal",
		Description: "An enterprise submits for its own entity; intake staff register for an entity (uscc) or a person.",
		Tags:        tags, Auth: "user", Body: appeal.Input{}, Resp: appeal.Appeal{}, Status: 201}, h.apiCreate)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals", ID: "listAppeals", Summary: "诉求列表与台账 / Appeals and the ledger",
		Tags: tags, Auth: "user", Query: appeal.Filter{}, Resp: api.Page[appeal.Appeal]{}}, h.apiList)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/ledger.xlsx", ID: "exportAppeals", Summary: "导出台账 / Export the ledger",
		Tags: tags, Auth: "user", Query: appeal.Filter{}, RespContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, h.export)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/stats", ID: "getAppealStats", Summary: "看板数据 / Dashboard figures",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor", Query: appeal.Filter{}, Resp: Stats{}}, h.apiStats)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/alerts", ID: "listAppealAlerts", Summary: "预警与逾期 / Warnings and overdue alerts",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor", Query: AlertQuery{}, Resp: []appeal.Alert{}}, h.apiAlerts)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/transitions", ID: "getAppealTransitions", Summary: "状态机 / The transition table",
		Tags: tags, Auth: "public", Resp: []appeal.RuleDoc{}}, h.apiTable)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/settings", ID: "getAppealSettings", Summary: "模块设置 / Module settings",
		Tags: tags, Auth: "user", Resp: appeal.Settings{}}, h.apiSettings)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/appeals/settings", ID: "putAppealSettings", Summary: "修改模块设置 / Change the settings",
		Tags: tags, Auth: "platform_admin", Body: appeal.Settings{}, Resp: appeal.Settings{}}, h.apiPutSettings)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/routes", ID: "listAppealRoutes", Summary: "分派规则 / Routing rules",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor", Resp: []appeal.Route{}}, h.apiRoutes)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals/routes", ID: "createAppealRoute", Summary: "新增分派规则 / Add a routing rule",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.Route{}, Resp: appeal.Route{}, Status: 201}, h.apiAddRoute)
	reg.Handle(mux, api.Op{Method: "DELETE", Path: "/api/v1/appeals/routes/{id}", ID: "deleteAppealRoute", Summary: "删除分派规则 / Delete a routing rule",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff", Status: 204}, withID(h.apiDeleteRoute))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}", ID: "getAppeal", Summary: "诉求详情 / An appeal",
		Tags: tags, Auth: "user", Resp: Detail{}}, withID(h.apiGet))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}/timeline", ID: "getAppealTimeline", Summary: "办理过程 / Timeline",
		Tags: tags, Auth: "user", Resp: []appeal.Event{}}, withID(h.apiTimeline))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals/{id}/transitions", ID: "transitionAppeal", Summary: "办理操作 / Act on an appeal",
		Description: "One transition of the state machine (GET /api/v1/appeals/transitions). Send the version you saw: a stale one gives 409.",
		Tags:        tags, Auth: "user", Body: appeal.Act{}, Resp: appeal.Appeal{}}, withID(h.apiTransition))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}/attachments", ID: "listAppealAttachments", Summary: "附件 / Attachments",
		Tags: tags, Auth: "user", Resp: []appeal.Attachment{}}, withID(h.apiAttachments))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals/{id}/attachments", ID: "addAppealAttachment", Summary: "上传附件 / Attach a file",
		Description: "Images (JPEG, PNG, GIF, WebP) or PDF; short videos (MP4 with H.264 video) and voice notes (M4A, AMR, MP3, WAV); all checked by content; size limits in the settings (max_attachment_bytes, max_media_bytes).",
		Tags:        tags, Auth: "user", Multipart: true, Resp: appeal.Attachment{}, Status: 201}, withID(h.apiAttach))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}/duplicates", ID: "listAppealDuplicates", Summary: "疑似重复 / Possible duplicates",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor", Resp: []appeal.Duplicate{}}, withID(h.apiDuplicates))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals/{id}/case", ID: "publishAppealCase", Summary: "发布典型案例 / Publish as a typical case",
		Tags: tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.CaseInput{}, Resp: appeal.Case{}, Status: 201}, withID(h.apiPublish))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/public/appeal-cases", ID: "listAppealCases", Summary: "典型案例 / Typical cases",
		Tags: tags, Auth: "public", Query: CaseQuery{}, Resp: []appeal.Case{}}, h.apiCases)
}

// respond writes v as JSON with status, unless err.
func respond(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	api.WriteJSON(w, status, v)
	return nil
}

// writeList writes items as a JSON array (empty rather than null), unless err.
func writeList[T any](w http.ResponseWriter, items []T, err error) error {
	if items == nil {
		items = []T{}
	}
	return respond(w, http.StatusOK, items, err)
}

// withID passes the {id} of the path to fn.
func withID(fn func(w http.ResponseWriter, r *http.Request, id int64) error) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		return fn(w, r, id)
	}
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in appeal.Input
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.svc.Create(r.Context(), in)
	return respond(w, http.StatusCreated, a, err)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	var f appeal.Filter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	page, per, err := api.Paging(r)
	if err != nil {
		return err
	}
	f.Page, f.PerPage = page, per
	items, total, err := h.svc.List(r.Context(), f)
	if items == nil {
		items = []appeal.Appeal{}
	}
	return respond(w, http.StatusOK, api.Page[appeal.Appeal]{Items: items, Total: total, Page: page, PerPage: per}, err)
}

func (h *handlers) apiStats(w http.ResponseWriter, r *http.Request) error {
	var f appeal.Filter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	st, err := h.svc.Stats(r.Context(), f, api.Lang(r))
	return respond(w, http.StatusOK, st, err)
}

func (h *handlers) apiAlerts(w http.ResponseWriter, r *http.Request) error {
	var q AlertQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	alerts, err := h.svc.Alerts(r.Context(), max(q.MinLevel, 1), q.Limit)
	return writeList(w, alerts, err)
}

func (h *handlers) apiTable(w http.ResponseWriter, r *http.Request) error {
	return respond(w, http.StatusOK, appeal.Table(), nil)
}

func (h *handlers) apiSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Settings(r.Context())
	return respond(w, http.StatusOK, st, err)
}

func (h *handlers) apiPutSettings(w http.ResponseWriter, r *http.Request) error {
	var st appeal.Settings
	if err := api.Decode(r, &st); err != nil {
		return err
	}
	if err := h.svc.SaveSettings(r.Context(), st); err != nil {
		return err
	}
	return h.apiSettings(w, r)
}

func (h *handlers) apiRoutes(w http.ResponseWriter, r *http.Request) error {
	routes, err := h.svc.Routes(r.Context())
	return writeList(w, routes, err)
}

func (h *handlers) apiAddRoute(w http.ResponseWriter, r *http.Request) error {
	var in appeal.Route
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	rt, err := h.svc.AddRoute(r.Context(), in)
	return respond(w, http.StatusCreated, rt, err)
}

func (h *handlers) apiDeleteRoute(w http.ResponseWriter, r *http.Request, id int64) error {
	if err := h.svc.DeleteRoute(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request, id int64) error {
	a, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	acts := h.svc.Allowed(r.Context(), a)
	if acts == nil {
		acts = []appeal.Action{}
	}
	return respond(w, http.StatusOK, Detail{Appeal: *a, Allowed: acts}, nil)
}

func (h *handlers) apiTimeline(w http.ResponseWriter, r *http.Request, id int64) error {
	tl, err := h.svc.Timeline(r.Context(), id)
	return writeList(w, tl, err)
}

func (h *handlers) apiTransition(w http.ResponseWriter, r *http.Request, id int64) error {
	var act appeal.Act
	if err := api.Decode(r, &act); err != nil {
		return err
	}
	a, err := h.svc.Transition(r.Context(), id, act)
	return respond(w, http.StatusOK, a, err)
}

func (h *handlers) apiAttachments(w http.ResponseWriter, r *http.Request, id int64) error {
	atts, err := h.svc.Attachments(r.Context(), id)
	return writeList(w, atts, err)
}

func (h *handlers) apiAttach(w http.ResponseWriter, r *http.Request, id int64) error {
	if _, err := h.svc.Get(r.Context(), id); err != nil {
		return err
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return yserr.Field("file", "请上传文件（表单字段 file）", "upload a file (form field file)")
	}
	defer f.Close()
	att, err := h.svc.Attach(r.Context(), id, fh.Filename, f)
	return respond(w, http.StatusCreated, att, err)
}

func (h *handlers) apiDuplicates(w http.ResponseWriter, r *http.Request, id int64) error {
	a, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if auth.From(r.Context()).Has(auth.Enterprise) {
		return yserr.ErrForbidden()
	}
	dups, err := h.svc.Duplicates(r.Context(), a)
	return writeList(w, dups, err)
}

func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request, id int64) error {
	var in appeal.CaseInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.Publish(r.Context(), id, in)
	return respond(w, http.StatusCreated, c, err)
}

func (h *handlers) apiCases(w http.ResponseWriter, r *http.Request) error {
	var q CaseQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	cases, err := h.svc.Cases(r.Context(), q.Topic, q.Q, 50)
	return writeList(w, cases, err)
}
