package accounts

import (
	"net/http"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
)

const bindingsPerPage = 20

func (h *handlers) mountBindings() {
	s := h.s
	admins := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin}
	s.Page("GET /admin/bindings", h.bindings, admins...)
	s.Page("POST /admin/bindings/{id}/approve", h.approve, admins...)
	s.Page("POST /admin/bindings/{id}/reject", h.reject, admins...)

	reg, mux := s.API, s.Mux
	tags := []string{"account"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bindings", ID: "listBindings", Summary: "企业绑定申请 / Enterprise binding requests",
		Description: "Requests of self-registered enterprise accounts to act for a market entity, newest first. Department admins see the requests for entities their department scope manages.",
		Tags:        tags, Auth: "platform_admin,dept_admin", Query: BindingsQuery{}, Resp: api.Page[account.Binding]{}}, h.apiBindings)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bindings/{id}/approve", ID: "approveBinding", Summary: "通过绑定申请 / Approve a binding request",
		Description: "Binds the account to the entity and tells the applicant in-app and by SMS.",
		Tags:        tags, Auth: "platform_admin,dept_admin", Resp: account.Binding{}}, h.apiApprove)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bindings/{id}/reject", ID: "rejectBinding", Summary: "驳回绑定申请 / Reject a binding request",
		Description: "Tells the applicant the reason in-app and by SMS.",
		Tags:        tags, Auth: "platform_admin,dept_admin", Body: RejectInput{}, Resp: account.Binding{}}, h.apiReject)
}

// BindingsQuery filters binding requests.
type BindingsQuery struct {
	Status  string `query:"status" enum:"pending,approved,rejected" doc:"empty: all"`
	Page    int    `query:"page" doc:"from 1"`
	PerPage int    `query:"per_page" doc:"1-200, default 20"`
}

// RejectInput gives the reason for a rejection.
type RejectInput struct {
	Reason string `json:"reason" doc:"2-200 characters, sent to the applicant"`
}

// bindingRow is a binding with its labels.
type bindingRow struct {
	account.Binding
	StatusLabel string
	MethodLabel string
}

func bindingRows(list []account.Binding, lang string) []bindingRow {
	out := make([]bindingRow, len(list))
	for i, b := range list {
		out[i] = bindingRow{Binding: b, StatusLabel: account.BindingLabel(b.Status, lang), MethodLabel: account.BindingLabel(b.Method, lang)}
	}
	return out
}

type bindingsPage struct {
	Rows     []bindingRow
	Total    int64
	Page     int
	Pages    int
	Status   string
	Statuses []option
	FailedID int64 // the row whose rejection form has an error
}

func (h *handlers) bindingsData(r *http.Request) (*bindingsPage, error) {
	q := BindingsQuery{Status: account.BindingPending, Page: 1}
	if _, ok := r.URL.Query()["status"]; ok {
		q.Status = ""
	}
	if err := api.DecodeQuery(r, &q); err != nil {
		return nil, err
	}
	q.Page = max(q.Page, 1)
	list, total, err := h.reg.ListBindings(r.Context(), account.BindingFilter{Status: q.Status, Page: q.Page, PerPage: bindingsPerPage})
	if err != nil {
		return nil, err
	}
	lang := h.s.View(r, "").Lang
	p := &bindingsPage{Rows: bindingRows(list, lang), Total: total, Page: q.Page, Pages: int((total + bindingsPerPage - 1) / bindingsPerPage), Status: q.Status}
	p.Statuses = append(p.Statuses, option{Value: "", Label: map[bool]string{true: "All", false: "全部"}[lang == "en"]})
	for _, s := range account.BindingStatuses {
		p.Statuses = append(p.Statuses, option{Value: s, Label: account.BindingLabel(s, lang)})
	}
	return p, nil
}

func (h *handlers) bindings(w http.ResponseWriter, r *http.Request) error {
	p, err := h.bindingsData(r)
	if err != nil {
		return err
	}
	v := h.view(r, "企业绑定审核", "Business binding review")
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "accounts/bindings", v)
}

func (h *handlers) approve(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	b, err := h.reg.ApproveBinding(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/admin/bindings", v.T("已通过绑定申请：", "Binding approved: ")+b.ApplicantName+" → "+b.EntityName)
}

func (h *handlers) reject(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	b, err := h.reg.RejectBinding(r.Context(), id, r.PostFormValue("reason"))
	if err != nil {
		p, lerr := h.bindingsData(r)
		if lerr != nil {
			return lerr
		}
		p.FailedID = id
		v := h.view(r, "企业绑定审核", "Business binding review")
		v.Data = p
		return h.s.FormError(w, r, "accounts/bindings", v, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/admin/bindings", v.T("已驳回绑定申请：", "Binding rejected: ")+b.ApplicantName+" → "+b.EntityName)
}

func (h *handlers) apiBindings(w http.ResponseWriter, r *http.Request) error {
	var q BindingsQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	page, per, err := api.Paging(r)
	if err != nil {
		return err
	}
	list, total, err := h.reg.ListBindings(r.Context(), account.BindingFilter{Status: q.Status, Page: page, PerPage: per})
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(list, total, page, per))
	return nil
}

func (h *handlers) apiApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	b, err := h.reg.ApproveBinding(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (h *handlers) apiReject(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in RejectInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	b, err := h.reg.RejectBinding(r.Context(), id, in.Reason)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, b)
	return nil
}
