package policy

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy"
	"yingshang/internal/yserr"
)

// Withdrawal, extension and reassignment of applications: the forms on
// the application page (withdrawal is a button of the decision form) and
// their API.

// Withdrawal is the body of a withdrawal.
type Withdrawal struct {
	Reason string `json:"reason"`
	Rev    int    `json:"rev" doc:"the rev the caller saw; 0 skips the check"`
}

func (h *handlers) mountApplyChanges() {
	s := h.s
	s.Page("POST /policy-applications/{id}/extend", h.extend, auth.DeptAdmin)
	s.Page("POST /policy-applications/{id}/reassign", h.reassign, auth.PlatformAdmin)
	h.mountApplyChangesAPI()
}

// changeFailed re-renders the application page with a form's error (the
// form named by kind keeps its input and marks the field), or returns
// err when it is not the user's to fix.
func (h *handlers) changeFailed(w http.ResponseWriter, r *http.Request, kind string, err error) error {
	e := yserr.As(err)
	if e.Code != yserr.Invalid && e.Code != yserr.Conflict {
		return err
	}
	v := h.s.View(r, "")
	v.Form = r.PostForm
	v.Error = e
	v.Errors = map[string]string{}
	if e.Field != "" {
		v.Errors[e.Field] = v.T(e.ZH, e.EN)
	}
	v.Form.Set("form_kind", kind)
	return h.renderApplication(w, r, v, http.StatusUnprocessableEntity)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get(name)), 10, 64)
	return n
}

func (h *handlers) extend(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("申请", "application")
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	if err != nil {
		return h.changeFailed(w, r, "extend", yserr.Field("days", "请填写延长的工作日数（整数）", "give the extension in whole working days"))
	}
	e := policy.Extension{Days: days, Reason: r.PostForm.Get("reason"), Rev: int(formInt(r, "rev"))}
	x, err := h.svc.Extend(r.Context(), id, e)
	if err != nil {
		return h.changeFailed(w, r, "extend", err)
	}
	due := ""
	if x.Due != nil {
		due = x.Due.In(calendar.Shanghai).Format("2006-01-02")
	}
	return h.s.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(id, 10), "时限已延长至 "+due+" / Now due "+due)
}

func (h *handlers) reassign(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("申请", "application")
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	re := policy.Reassignment{From: formInt(r, "from_department_id"), To: formInt(r, "to_department_id"), Reason: r.PostForm.Get("reason"),
		Rev: int(formInt(r, "rev"))}
	if _, err := h.svc.Reassign(r.Context(), id, re); err != nil {
		return h.changeFailed(w, r, "reassign", err)
	}
	return h.s.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(id, 10), "已改派 / Reassigned")
}

func (h *handlers) mountApplyChangesAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"policy"}
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-applications/{id}/withdrawal", ID: "withdrawPolicyApplication", Tags: tags, Auth: "enterprise",
		Summary: "撤回政策申请 / Withdraw a policy application",
		Description: "The applying enterprise, before the decision (under review or waiting for a supplement), with a reason. The application closes, its clock stops, " +
			"and the reviewer departments of the current step are told. Same as a decision with action withdraw.",
		Body: Withdrawal{}, Resp: policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in Withdrawal
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		x, err := h.svc.Decide(r.Context(), id, policy.Decision{Action: policy.ActWithdraw, Note: in.Reason, Rev: in.Rev}, nil)
		if err != nil {
			if e := yserr.As(err); e.Field == "note" {
				return yserr.Field("reason", e.ZH, e.EN)
			}
			return err
		}
		api.WriteJSON(w, http.StatusOK, x)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-applications/{id}/extension", ID: "extendPolicyApplication", Tags: tags, Auth: "dept_admin",
		Summary: "延长审核时限 / Extend the current step's time limit",
		Description: "The head (dept admin) of a reviewer department with a pending task in the current step; once per application; 1 to the step's own limit in working days " +
			"(platform calendar); with a reason; not once the step is overdue. The enterprise is told the new deadline.",
		Body: policy.Extension{}, Resp: policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in policy.Extension
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		x, err := h.svc.Extend(r.Context(), id, in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, x)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-applications/{id}/reassignment", ID: "reassignPolicyApplication", Tags: tags, Auth: "platform_admin",
		Summary: "改派审核任务 / Reassign a pending review task",
		Description: "The office (platform admin) moves the pending task of one department in the current step to another department, with a reason. " +
			"The staff of both departments are told; the clock runs on.",
		Body: policy.Reassignment{}, Resp: policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in policy.Reassignment
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		x, err := h.svc.Reassign(r.Context(), id, in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, x)
		return nil
	})
}
