package appeals

// The seeds' appeal rules (issue 18): an appeal's terms (feedback clock,
// committed resolution date, 个性/共性, on the spot) and the common issues
// (诉求 → 整改 → 提升), as pages and JSON.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

func (h *handlers) mountTerms() {
	s := h.s
	s.UsesViews("appeal/issues", "appeal/issue", "appeal/channels")
	s.SignedIn("GET /appeals/channels", h.channels)
	s.SignedIn("GET /appeal-issues", h.issues)
	s.SignedIn("POST /appeal-issues", h.createIssue)
	s.SignedIn("GET /appeal-issues/{id}", h.issue)
	s.SignedIn("POST /appeal-issues/{id}/step", h.stepIssue)

	reg, mux := s.API, s.Mux
	tags := []string{"appeal"}
	staffAuth := "platform_admin,dept_admin,dept_staff,supervisor"
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}/terms", ID: "getAppealTerms", Summary: "办理承诺与问题定性 / Terms: feedback, commitment, class",
		Description: "The interim-feedback deadline (3日反馈), the committed resolution date (限期办结) and its maximum, the class (个性/共性) and whether it was resolved on the spot.",
		Tags:        tags, Auth: "user", Resp: appeal.Terms{}}, withID(h.apiTerms))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/channel-stats", ID: "getAppealChannelStats", Summary: "分渠道统计 / Figures per channel",
		Description: "Every built-in and configured channel (settings extra_channels) with its appeals, replies, on-time replies, on-the-spot resolutions and ratings.",
		Tags:        tags, Auth: staffAuth, Resp: []appeal.ChannelStat{}}, h.apiChannelStats)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-issues", ID: "listAppealCommonIssues", Summary: "共性问题 / Common issues",
		Tags: tags, Auth: staffAuth, Resp: []appeal.CommonIssue{}}, h.apiIssues)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeal-issues", ID: "createAppealCommonIssue", Summary: "新建共性问题 / Open a common issue",
		Description: "Dispatchers (the business-environment office) only.",
		Tags:        tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.CommonIssueInput{}, Resp: appeal.CommonIssue{}, Status: 201}, h.apiCreateIssue)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-issues/{id}", ID: "getAppealCommonIssue", Summary: "共性问题详情 / A common issue",
		Tags: tags, Auth: staffAuth, Resp: appeal.CommonIssue{}}, withID(h.apiIssue))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeal-issues/{id}/steps", ID: "stepAppealCommonIssue", Summary: "整改步骤 / A step of the fix",
		Description: "plan (starts the 30-day fix clock), fixed (tells every linked appeal's enterprise), improved. Dispatchers or the responsible department.",
		Tags:        tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.CommonIssueStep{}, Resp: appeal.CommonIssue{}}, withID(h.apiStepIssue))
}

func (h *handlers) apiTerms(w http.ResponseWriter, r *http.Request, id int64) error {
	t, err := h.svc.Terms(r.Context(), id)
	return respond(w, http.StatusOK, t, err)
}

func (h *handlers) apiIssues(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.CommonIssues(r.Context())
	return writeList(w, list, err)
}

func (h *handlers) apiCreateIssue(w http.ResponseWriter, r *http.Request) error {
	var in appeal.CommonIssueInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCommonIssue(r.Context(), in)
	return respond(w, http.StatusCreated, c, err)
}

func (h *handlers) apiIssue(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := h.svc.CommonIssue(r.Context(), id)
	return respond(w, http.StatusOK, c, err)
}

func (h *handlers) apiStepIssue(w http.ResponseWriter, r *http.Request, id int64) error {
	var in appeal.CommonIssueStep
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.StepCommonIssue(r.Context(), id, in)
	return respond(w, http.StatusOK, c, err)
}

// issueRow is a common issue with its labels.
type issueRow struct {
	appeal.CommonIssue
	StageLabel string
}

func issueRows(v *web.View, list []appeal.CommonIssue) []issueRow {
	out := make([]issueRow, len(list))
	for i, c := range list {
		out[i] = issueRow{c, appeal.StageLabel(c.Stage, lang(v))}
	}
	return out
}

func (h *handlers) issues(w http.ResponseWriter, r *http.Request) error {
	return h.renderIssues(w, r, h.s.View(r, ""), http.StatusOK)
}

func (h *handlers) renderIssues(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	list, err := h.svc.CommonIssues(r.Context())
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	v.Title = v.T("共性问题整改", "Common issues")
	counts := map[string]int{}
	for _, c := range list {
		counts[c.Stage]++
	}
	var stages []option
	for _, s := range appeal.CommonStages {
		stages = append(stages, option{appeal.StageLabel(s, lang(v)), strconv.Itoa(counts[s])})
	}
	v.Data = map[string]any{"Issues": issueRows(v, list), "Topics": st.Topics, "Depts": depts, "Stages": stages,
		"FixDays": st.CommonFixDays}
	if status == 0 {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/issues", v)
}

func (h *handlers) createIssue(w http.ResponseWriter, r *http.Request) error {
	in := appeal.CommonIssueInput{Title: r.PostFormValue("title"), Cause: r.PostFormValue("cause"), Topic: r.PostFormValue("topic")}
	in.DeptID, _ = strconv.ParseInt(r.PostFormValue("dept_id"), 10, 64)
	c, err := h.svc.CreateCommonIssue(r.Context(), in)
	v := h.s.View(r, "")
	if err != nil {
		if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid {
			return err
		}
		if e := h.renderIssues(w, r, v, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/issues", v, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeal-issues/%d", c.ID), v.T("共性问题已建立", "Common issue opened"))
}

func (h *handlers) issue(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	return h.renderIssue(w, r, h.s.View(r, ""), id, http.StatusOK)
}

func (h *handlers) renderIssue(w http.ResponseWriter, r *http.Request, v *web.View, id int64, status int) error {
	c, err := h.svc.CommonIssue(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title = c.Title
	type linkRow struct {
		appeal.LinkedAppeal
		StateLabel string
	}
	links := make([]linkRow, len(c.Linked))
	for i, l := range c.Linked {
		links[i] = linkRow{l, l.State.Label(lang(v))}
	}
	next := ""
	for step, ft := range map[string]string{appeal.StepPlan: appeal.StageAppeal, appeal.StepFixed: appeal.StageFixing, appeal.StepImproved: appeal.StageFixed} {
		if c.Stage == ft {
			next = step
		}
	}
	var stages []option
	for _, s := range appeal.CommonStages {
		cls := ""
		if s == c.Stage {
			cls = "current"
		}
		stages = append(stages, option{appeal.StageLabel(s, lang(v)), cls})
	}
	v.Data = map[string]any{"C": issueRows(v, []appeal.CommonIssue{*c})[0], "Links": links, "Next": next,
		"NextLabel": appeal.StepLabel(next, lang(v)), "Stages": stages}
	if status == 0 {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/issue", v)
}

func (h *handlers) stepIssue(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	in := appeal.CommonIssueStep{Step: r.PostFormValue("step"), Note: r.PostFormValue("note")}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	c, err := h.svc.StepCommonIssue(r.Context(), id, in)
	v := h.s.View(r, "")
	if err != nil {
		if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid {
			return err
		}
		if e := h.renderIssue(w, r, v, id, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/issue", v, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeal-issues/%d", id),
		v.T("已"+appeal.StepLabel(in.Step, "zh")+"，当前阶段：", "Done ("+appeal.StepLabel(in.Step, "en")+"), now: ")+appeal.StageLabel(c.Stage, lang(v)))
}

// termsView is an appeal's terms as the detail page shows them.
type termsView struct {
	*appeal.Terms
	ClassLabel, StageLabel string
}

// detailTerms adds the terms and the common issues to choose from to the
// detail page's data.
func (h *handlers) detailTerms(r *http.Request, v *web.View, a *appeal.Appeal, acts []appeal.Action, data map[string]any) error {
	t, err := h.svc.TermsOf(r.Context(), a)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	data["ChannelText"] = st.ChannelName(a.Channel, lang(v))
	data["Terms"] = termsView{t, appeal.IssueClassLabel(t.IssueClass, lang(v)), appeal.StageLabel(t.CommonIssueStage, lang(v))}
	if a.ReplyDue != nil {
		data["MaxResolve"] = a.ReplyDue.In(web.Shanghai).Format("2006-01-02")
	}
	for _, act := range acts {
		if act == appeal.ActClassify {
			list, err := h.svc.CommonIssues(r.Context())
			if err != nil {
				return err
			}
			var open []appeal.CommonIssue
			for _, c := range list {
				if c.Stage != appeal.StageImproved {
					open = append(open, c)
				}
			}
			data["Issues"] = open
			data["Classes"] = []option{{appeal.IssueIndividual, appeal.IssueClassLabel(appeal.IssueIndividual, lang(v))},
				{appeal.IssueCommon, appeal.IssueClassLabel(appeal.IssueCommon, lang(v))}}
		}
	}
	return nil
}

func (h *handlers) apiChannelStats(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ChannelStats(r.Context())
	return writeList(w, list, err)
}

func (h *handlers) channels(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ChannelStats(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("分渠道统计", "Figures per channel")
	type chRow struct {
		Label string
		Cells []string // total, replied, on time, on the spot, rated, satisfied
	}
	out := make([]chRow, len(list))
	for i, c := range list {
		out[i] = chRow{Label: c.Name}
		if lang(v) == "en" {
			out[i].Label = c.NameEN
		}
		for _, n := range []int{c.Total, c.Replied, c.OnTime, c.OnSpot, c.Rated, c.Satisfied} {
			out[i].Cells = append(out[i].Cells, thousands(n))
		}
	}
	v.Data = map[string]any{"Channels": out}
	return h.s.Render(w, r, http.StatusOK, "appeal/channels", v)
}

// thousands writes n with thousands separators (12,345).
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
