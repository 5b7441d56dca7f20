package licenses

// Hand-off inside a unit (issue 18 item 14): the department admin assigns
// follow-up entries to named staff (form on the follow-up list and the
// API); staff open their own list with ?mine=1 (API: mine=true).

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/yserr"
)

// AssignInput assigns a follow-up entry.
type AssignInput struct {
	AssigneeID int64 `json:"assignee_id" doc:"a member of staff of the entry's department; 0 clears the assignment"`
}

func (h *handlers) mountAssign() {
	h.s.Page("POST /licenses/followups/{id}/assign", h.assign, admins...)
	h.s.API.Handle(h.s.Mux, api.Op{Method: "POST", Path: "/api/v1/license-followups/{id}/assignee", ID: "assignLicenseFollowup", Tags: []string{"license"},
		Auth: "platform_admin,dept_admin", Summary: "分派待跟进事项 / Assign a follow-up entry to a member of staff",
		Description: "{id} is the follow-up entry's followup_id. The department admin (in scope) or a platform admin; the assignee must be active staff of the entry's department.",
		Body:        AssignInput{}, Status: 204}, h.apiAssign)
}

func (h *handlers) assign(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return yserr.ErrNotFound("待跟进事项", "follow-up entry")
	}
	staff := int64(0)
	if s := r.PostFormValue("assignee_id"); s != "" {
		if staff, err = strconv.ParseInt(s, 10, 64); err != nil || staff < 0 {
			return yserr.Field("assignee_id", "请选择工作人员", "choose a member of staff")
		}
	}
	if err := h.svc.AssignFollowup(r.Context(), id, staff); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/licenses/followups", v.T("已分派", "Assigned"))
}

func (h *handlers) apiAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in AssignInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.AssignFollowup(r.Context(), id, in.AssigneeID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
