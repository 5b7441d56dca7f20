// Package appeals serves the enterprise appeals module (涉企诉求): the
// pages of enterprises, intake staff, the dispatcher, departments and
// supervisors, the public typical cases, the JSON API and the Open311
// GeoReport v2 endpoints.
package appeals

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Mount registers the routes.
func Mount(s *server.Server, svc *appeal.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews("appeal/list", "appeal/new", "appeal/detail", "appeal/dashboard", "appeal/alerts", "appeal/cases")
	s.SignedIn("GET /appeals", h.list)
	s.SignedIn("GET /appeals/new", h.newForm)
	s.SignedIn("POST /appeals/new", h.create)
	s.SignedIn("GET /appeals/{id}", h.detail)
	s.SignedIn("POST /appeals/{id}/act", h.act)
	s.SignedIn("POST /appeals/{id}/attach", h.attach)
	s.SignedIn("POST /appeals/{id}/publish", h.publish)
	s.SignedIn("GET /appeals/files/{id}", h.file)
	s.SignedIn("GET /appeals/export.xlsx", h.export)
	s.SignedIn("GET /appeals/dashboard", h.dashboard)
	s.SignedIn("GET /appeals/alerts", h.alerts)
	s.Page("GET /public/cases", h.cases)
	h.mountAPI()
	h.mountTerms()
	h.mountHandovers()
	h.mountOpen311()
}

type handlers struct {
	s   *server.Server
	svc *appeal.Service
}

// option is a value and its label for selects.
type option struct{ Value, Label string }

func kindOptions(v *web.View) []option {
	out := make([]option, 0, len(appeal.Kinds))
	for _, k := range appeal.Kinds {
		out = append(out, option{string(k), k.Label(lang(v))})
	}
	return out
}

func stateOptions(v *web.View) []option {
	out := []option{{"open", v.T("未办结", "open")}, {"closed", v.T("已办结/不予受理/已合并", "finished")}}
	for _, s := range appeal.States {
		out = append(out, option{string(s), s.Label(lang(v))})
	}
	return out
}

func lang(v *web.View) string {
	if v.Lang == "en" {
		return "en"
	}
	return "zh"
}

// row is an appeal in a list.
type row struct {
	appeal.Appeal
	KindLabel, StateLabel, Due, DueClass string
}

func rows(v *web.View, list []appeal.Appeal) []row {
	out := make([]row, len(list))
	now := v.Now
	for i, a := range list {
		r := row{Appeal: a, KindLabel: a.Kind.Label(lang(v)), StateLabel: a.State.Label(lang(v))}
		if d := runningDue(&a); d != nil {
			r.Due = d.In(web.Shanghai).Format("2006-01-02")
			switch {
			case now.After(*d):
				r.DueClass = "status-bad"
			case d.Sub(now).Hours() < 24:
				r.DueClass = "status-warn"
			default:
				r.DueClass = "status-ok"
			}
		}
		out[i] = r
	}
	return out
}

// runningDue is the deadline of the clock that runs in a's state.
func runningDue(a *appeal.Appeal) *timeT {
	switch a.State {
	case appeal.Submitted, appeal.Accepted:
		return a.FirstResponseDue
	case appeal.Assigned:
		if a.FirstResponseDue != nil && (a.ReplyDue == nil || a.FirstResponseDue.Before(*a.ReplyDue)) {
			return a.FirstResponseDue
		}
		return a.ReplyDue
	case appeal.InProgress, appeal.Reopened, appeal.Escalated:
		return a.ReplyDue
	case appeal.Replied, appeal.Rated:
		return a.FollowupDue
	}
	return nil
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	var f appeal.Filter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	f.PerPage = 20
	v := h.s.View(r, "")
	v.Title = v.T("涉企诉求", "Appeals")
	list, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	depts, _ := h.s.App.Accounts.ListDepartments(r.Context())
	q := r.URL.Query()
	q.Del("page")
	v.Data = map[string]any{"Rows": rows(v, list), "Total": total, "Filter": f, "Kinds": kindOptions(v), "States": stateOptions(v),
		"Topics": st.Topics, "Depts": depts, "Query": q.Encode(), "Pages": int((total + 19) / 20), "Page": f.Page,
		"Tabs": h.tabs(r, v, f.Queue)}
	return h.s.Render(w, r, http.StatusOK, "appeal/list", v)
}

type tab struct {
	Label, Href string
	Active      bool
}

func (h *handlers) tabs(r *http.Request, v *web.View, cur string) []tab {
	a := auth.From(r.Context())
	var out []tab
	add := func(q, zh, en string) { out = append(out, tab{v.T(zh, en), "/appeals?queue=" + q, cur == q}) }
	if a.Has(auth.Enterprise) {
		add("mine", "我的诉求", "My appeals")
	}
	if a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		out = append(out, tab{v.T("全部可见", "All I can see"), "/appeals", cur == ""})
	}
	if a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff) {
		add("dispatch", "待受理/交办", "To dispatch")
		add("department", "本部门主办", "Led by my department")
		add("cohandle", "本部门协办", "Co-handled")
	}
	return out
}

func (h *handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	return h.renderNew(w, r, v, http.StatusOK)
}

func (h *handlers) renderNew(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	v.Title = v.T("提交诉求", "Submit an appeal")
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	a := auth.From(r.Context())
	uscc := r.URL.Query().Get("uscc")
	var entName string
	if a.Has(auth.Enterprise) && a.EntityID != 0 {
		e, err := h.s.App.Entities.Get(r.Context(), a.EntityID)
		if err != nil {
			return err
		}
		if uscc != "" && uscc != e.USCC {
			// A QR code of another business scanned while signed in: offer
			// to sign in with that business's account, or to go on as this
			// business.
			next := "/appeals/new?uscc=" + url.QueryEscape(uscc)
			return yserr.New(yserr.Forbidden, "您的账户（"+e.Name+"）未绑定该企业，请用该企业的账户登录",
				"your account ("+e.Name+") is not bound to this business: sign in with its account").With(
				yserr.Link{Href: "/logout?next=" + url.QueryEscape(next), ZH: "退出并用该企业账户登录", EN: "Sign out and sign in as that business", Post: true},
				yserr.Link{Href: "/e/" + url.PathEscape(uscc), ZH: "查看该企业的公开信息", EN: "See that business's public page"},
				yserr.Link{Href: "/appeals/new", ZH: "以本企业身份提交诉求", EN: "Submit an appeal as your own business"})
		}
		entName = e.Name + "（" + e.USCC + "）"
	}
	v.Data = map[string]any{"Kinds": kindOptions(v), "Topics": st.Topics, "Entity": entName, "USCC": uscc,
		"Intake": entName == "", "Channels": channelOptions(v, st), "MaxMB": st.MaxAttachmentBytes >> 20,
		"MaxMediaMB": st.MaxMediaBytes >> 20}
	if status != http.StatusOK {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/new", v)
}

func channelOptions(v *web.View, st appeal.Settings) []option {
	var out []option
	for _, c := range st.IntakeChannels() {
		out = append(out, option{c, st.ChannelName(c, lang(v))})
	}
	return out
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		return yserr.Field("file", "上传失败或文件过大", "the upload failed or is too large")
	}
	in := appeal.Input{USCC: strings.TrimSpace(r.FormValue("uscc")), PersonName: r.FormValue("person_name"),
		PersonPhone: r.FormValue("person_phone"), Channel: r.FormValue("channel"), Kind: appeal.Kind(r.FormValue("kind")),
		Topic: r.FormValue("topic"), Title: r.FormValue("title"), Description: r.FormValue("description"),
		ContactPref: r.FormValue("contact_pref"), Publishable: r.FormValue("publishable") == "on"}
	if r.FormValue("from_qr") == "1" {
		in.Channel = "qr"
	}
	a, err := h.svc.Create(r.Context(), in)
	if err != nil {
		v := h.s.View(r, "")
		if e := h.renderNew(w, r, v, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/new", v, err)
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["file"] {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			_, err = h.svc.Attach(r.Context(), a.ID, fh.Filename, f)
			f.Close()
			if err != nil {
				return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", a.ID), yserr.As(err).Message(h.s.View(r, "").Lang))
			}
		}
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", a.ID), v.T("诉求已提交，编号 ", "Appeal submitted, number ")+a.Number)
}

// actionForm describes the form of one allowed action.
type actionForm struct {
	Action, Label                                           string
	Note, NoteRequired, Dept, Days, Approve, Rating, Target bool
	NoteLabel, Danger                                       string
	ResolveBy, Classify                                     bool // the seeds' steps (terms.go)
}

func actionForms(v *web.View, acts []appeal.Action) []actionForm {
	var out []actionForm
	for _, a := range acts {
		f := actionForm{Action: string(a), Label: appeal.ActionLabel(string(a), lang(v)), Note: true, NoteLabel: v.T("说明", "Note")}
		switch a {
		case appeal.ActAccept, appeal.ActClaim, appeal.ActReopen, appeal.ActClose, appeal.ActEscalate:
			f.Note = a == appeal.ActEscalate
		case appeal.ActReject, appeal.ActReturn:
			f.NoteRequired, f.NoteLabel = true, v.T("理由", "Reason")
		case appeal.ActAssign:
			f.Dept = true
		case appeal.ActMerge:
			f.Target, f.Note = true, false
		case appeal.ActRequestInfo:
			f.NoteRequired, f.NoteLabel = true, v.T("需企业补充的内容", "What the enterprise should add")
		case appeal.ActSupplyInfo:
			f.NoteRequired, f.NoteLabel = true, v.T("补充内容", "Information")
		case appeal.ActRequestExt:
			f.Days, f.NoteRequired, f.NoteLabel = true, true, v.T("延期理由", "Reason")
		case appeal.ActDecideExt:
			f.Approve = true
		case appeal.ActCoNote:
			f.NoteRequired, f.NoteLabel = true, v.T("协办意见", "Your department's part")
		case appeal.ActReply:
			f.NoteRequired, f.NoteLabel = true, v.T("答复内容", "Reply")
		case appeal.ActRate:
			f.Rating, f.NoteLabel = true, v.T("评价意见", "Comment")
		case appeal.ActFollowUp:
			f.NoteRequired, f.NoteLabel = true, v.T("回访情况", "Follow-up note")
		case appeal.ActSupervise:
			f.NoteRequired, f.NoteLabel = true, v.T("督办意见", "Supervision notice")
		case appeal.ActFeedback:
			f.NoteRequired, f.NoteLabel, f.ResolveBy = true, v.T("阶段性反馈（告知企业办理进展）", "Interim feedback (where things stand)"), true
		case appeal.ActClassify:
			f.Classify, f.NoteLabel = true, v.T("定性说明", "Note")
		case appeal.ActOnSpot:
			f.NoteRequired, f.NoteLabel = true, v.T("当场解决情况（即答复内容）", "How it was settled (the reply)")
		}
		f.ResolveBy = f.ResolveBy || a == appeal.ActClaim
		out = append(out, f)
	}
	return out
}

type eventRow struct {
	appeal.Event
	ActionLabel, ToLabel string
}

func (h *handlers) detail(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.renderDetail(w, r, v, id, http.StatusOK)
}

func (h *handlers) renderDetail(w http.ResponseWriter, r *http.Request, v *web.View, id int64, status int) error {
	ctx := r.Context()
	a, err := h.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	v.Title = a.Number + " " + a.Title
	tl, err := h.svc.Timeline(ctx, id)
	if err != nil {
		return err
	}
	events := make([]eventRow, len(tl))
	for i, e := range tl {
		events[i] = eventRow{Event: e, ActionLabel: appeal.ActionLabel(e.Action, lang(v)), ToLabel: appeal.State(e.ToState).Label(lang(v))}
	}
	atts, err := h.svc.Attachments(ctx, id)
	if err != nil {
		return err
	}
	acts := h.svc.Allowed(ctx, a)
	data := map[string]any{"A": a, "Row": rows(v, []appeal.Appeal{*a})[0], "Events": events, "Files": atts,
		"Forms": actionForms(v, acts), "Rating": appeal.RatingLabel(a.Rating, lang(v)), "ChannelText": appeal.ChannelLabel(a.Channel, lang(v)),
		"Ratings": []option{{appeal.Satisfied, appeal.RatingLabel(appeal.Satisfied, lang(v))}, {appeal.Basic, appeal.RatingLabel(appeal.Basic, lang(v))},
			{appeal.Unsatisfied, appeal.RatingLabel(appeal.Unsatisfied, lang(v))}}}
	for _, act := range acts {
		switch act {
		case appeal.ActAssign:
			depts, err := h.s.App.Accounts.ListDepartments(ctx)
			if err != nil {
				return err
			}
			data["Depts"] = depts
			prop, err := h.svc.ProposeDept(ctx, a)
			if err != nil {
				return err
			}
			data["Proposed"] = prop
		case appeal.ActMerge:
			dups, err := h.svc.Duplicates(ctx, a)
			if err != nil {
				return err
			}
			data["Dups"] = dups
			if len(dups) == 0 {
				data["Forms"] = dropForm(data["Forms"].([]actionForm), appeal.ActMerge)
			}
		}
	}
	if data["Steps"], err = h.steps(ctx, v.Lang, a); err != nil {
		return err
	}
	actor := auth.From(ctx)
	data["CanPublish"] = a.State == appeal.Closed && a.Publishable && actor.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	data["CanAttach"] = a.Open()
	if err := h.detailTerms(r, v, a, acts, data); err != nil {
		return err
	}
	if err := h.detailHandovers(r, v, a, data); err != nil {
		return err
	}
	v.Data = data
	if status == 0 {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/detail", v)
}

func (h *handlers) act(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	act := appeal.Act{Action: appeal.Action(r.PostFormValue("action")), Note: r.PostFormValue("note"), Rating: r.PostFormValue("rating"),
		Approve: r.PostFormValue("approve") == "1"}
	act.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	act.DeptID, _ = strconv.ParseInt(r.PostFormValue("dept_id"), 10, 64)
	act.Days, _ = strconv.Atoi(r.PostFormValue("days"))
	act.TargetID, _ = strconv.ParseInt(r.PostFormValue("target_id"), 10, 64)
	act.ResolveBy, act.IssueClass = r.PostFormValue("resolve_by"), r.PostFormValue("issue_class")
	act.CommonIssueID, _ = strconv.ParseInt(r.PostFormValue("common_issue_id"), 10, 64)
	for _, c := range r.PostForm["co_depts"] {
		if d, err := strconv.ParseInt(c, 10, 64); err == nil {
			act.CoDepts = append(act.CoDepts, d)
		}
	}
	a, err := h.svc.Transition(r.Context(), id, act)
	v := h.s.View(r, "")
	if err != nil {
		return h.detailError(w, r, v, id, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", id),
		v.T("已"+appeal.ActionLabel(string(act.Action), "zh")+"，当前状态：", "Done ("+appeal.ActionLabel(string(act.Action), "en")+"), now: ")+a.State.Label(lang(v)))
}

// detailError shows bad input as a form error on the appeal's page, with
// what was typed kept; a conflict (a second extension request, a reply to
// an appeal someone else changed meanwhile) shows the appeal as it is now
// with what changed, status 409, the note typed kept. Other errors are
// passed on.
func (h *handlers) detailError(w http.ResponseWriter, r *http.Request, v *web.View, id int64, err error) error {
	if ye := yserr.As(err); ye == nil || (ye.Code != yserr.Invalid && ye.Code != yserr.Conflict) {
		return err
	}
	if e := h.renderDetail(w, r, v, id, 0); e != nil {
		return e
	}
	return h.s.FormError(w, r, "appeal/detail", v, err)
}

func (h *handlers) attach(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return yserr.Field("file", "请选择文件", "choose a file")
	}
	defer f.Close()
	if _, err := h.svc.Attach(r.Context(), id, fh.Filename, f); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", id), v.T("附件已上传", "File attached"))
}

func (h *handlers) file(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	att, rc, err := h.svc.OpenAttachment(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	return h.s.ServeFile(w, r, att.Name, att.MIME, att.Size, true, rc)
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	_, err = h.svc.Publish(r.Context(), id, appeal.CaseInput{Title: r.PostFormValue("case_title"), Summary: r.PostFormValue("summary")})
	v := h.s.View(r, "")
	if err != nil {
		return h.detailError(w, r, v, id, err)
	}
	return h.s.Redirect(w, r, "/public/cases", v.T("典型案例已发布", "Typical case published"))
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request) error {
	var f appeal.Filter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	if _, _, err := h.svc.List(r.Context(), appeal.Filter{Queue: f.Queue, PerPage: 1}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="appeals-ledger.xlsx"`)
	return h.svc.ExportXLSX(r.Context(), f, w)
}

func (h *handlers) alerts(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Alerts(r.Context(), 1, 200)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("预警与督办", "Warnings and supervision")
	type alertRow struct {
		appeal.Alert
		ClockLabel, LevelLabel, StateLabel, Class string
	}
	out := make([]alertRow, len(list))
	for i, a := range list {
		cls := map[int]string{1: "status-warn", 2: "status-bad", 3: "status-bad"}[a.Level]
		out[i] = alertRow{a, appeal.ClockLabel(a.Clock, lang(v)), appeal.LevelLabel(a.Level, lang(v)), a.State.Label(lang(v)), cls}
	}
	fixes, err := h.svc.FixClockIssues(r.Context(), 200)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Alerts": out, "Fixes": fixes}
	return h.s.Render(w, r, http.StatusOK, "appeal/alerts", v)
}

func (h *handlers) cases(w http.ResponseWriter, r *http.Request) error {
	topic, q := r.URL.Query().Get("topic"), r.URL.Query().Get("q")
	list, err := h.svc.Cases(r.Context(), topic, q, 50)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("涉企诉求典型案例", "Typical cases")
	type caseRow struct {
		appeal.Case
		KindLabel string
	}
	out := make([]caseRow, len(list))
	for i, c := range list {
		out[i] = caseRow{c, c.Kind.Label(lang(v))}
	}
	v.Data = map[string]any{"Cases": out, "Topics": st.Topics, "Topic": topic, "Q": q}
	return h.s.Render(w, r, http.StatusOK, "appeal/cases", v)
}

func dropForm(forms []actionForm, act appeal.Action) []actionForm {
	out := forms[:0:0]
	for _, f := range forms {
		if f.Action != string(act) {
			out = append(out, f)
		}
	}
	return out
}
