package appeals

// Hand-overs (issue 18 item 5): clues of misconduct handed to the
// discipline inspection office, and joint meetings (联席会议) whose
// decisions become tasks, as pages and JSON.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

func (h *handlers) mountHandovers() {
	s := h.s
	s.UsesViews("appeal/meetings", "appeal/meeting", "appeal/clues")
	s.SignedIn("POST /appeals/{id}/clues", h.handOver)
	s.SignedIn("GET /appeal-clues", h.clueInbox)
	s.SignedIn("POST /appeal-clues/{id}/disclose", h.disclose)
	s.SignedIn("GET /appeal-meetings", h.meetings)
	s.SignedIn("POST /appeal-meetings", h.createMeeting)
	s.SignedIn("GET /appeal-meetings/{id}", h.meeting)
	s.SignedIn("POST /appeal-meeting-tasks/{id}/close", h.closeTask)

	reg, mux := s.API, s.Mux
	tags := []string{"appeal"}
	staffAuth := "platform_admin,dept_admin,dept_staff,supervisor"
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeals/{id}/clues", ID: "handOverAppealClue", Summary: "移交问题线索 / Hand a clue to discipline inspection",
		Description: "Hands a clue of misconduct (违纪违法线索) from the appeal to the discipline inspection office (the supervisors, and optionally a receiving department). Staff who see the appeal. Secret: read by the supervisors, the receiving department and the sender only.",
		Tags:        tags, Auth: staffAuth, Body: appeal.ClueInput{}, Resp: appeal.Clue{}, Status: 201}, withID(h.apiHandOver))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeals/{id}/clues", ID: "listAppealClues", Summary: "诉求的移交线索 / Clues handed over from an appeal",
		Description: "Only the clues the caller may read (none for enterprises).", Tags: tags, Auth: "user", Resp: []appeal.Clue{}}, withID(h.apiClues))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-clues", ID: "listAppealClueInbox", Summary: "问题线索台账 / Clue ledger",
		Description: "All clues for supervisors; for department staff those their departments received or they handed over.", Tags: tags, Auth: staffAuth, Resp: []appeal.Clue{}}, h.apiClueInbox)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeal-clues/{id}/disclose", ID: "discloseAppealClue", Summary: "允许告知企业 / Let the enterprise be told",
		Description: "The supervisors or the receiving department allow the enterprise to learn that its appeal's clue was handed over (a public timeline entry and a message). Once.",
		Tags:        tags, Auth: staffAuth, Resp: appeal.Clue{}}, withID(h.apiDisclose))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-meetings", ID: "listAppealMeetings", Summary: "联席会议 / Joint meetings",
		Description: "The office and supervisors see all; department staff the meetings their departments attended or own a decision of.", Tags: tags, Auth: staffAuth, Resp: []appeal.Meeting{}}, h.apiMeetings)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeal-meetings", ID: "createAppealMeeting", Summary: "记录联席会议 / Record a joint meeting",
		Description: "Dispatchers (the business-environment office) only. Each decision becomes a task of its owner department due due_wd working days after held_on (platform calendar).",
		Tags:        tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.MeetingInput{}, Resp: appeal.Meeting{}, Status: 201}, h.apiCreateMeeting)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-meetings/{id}", ID: "getAppealMeeting", Summary: "联席会议详情 / A joint meeting",
		Tags: tags, Auth: staffAuth, Resp: appeal.Meeting{}}, withID(h.apiMeeting))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/appeal-meeting-tasks", ID: "listMyAppealMeetingTasks", Summary: "本部门会议决定事项 / My departments' meeting tasks",
		Description: "Open tasks of the caller's departments, earliest deadline first.", Tags: tags, Auth: staffAuth, Resp: []appeal.MeetingTask{}}, h.apiMyTasks)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/appeal-meeting-tasks/{id}/close", ID: "closeAppealMeetingTask", Summary: "办结会议决定事项 / Close a meeting task",
		Description: "Staff of the owner department or dispatchers, with the result; once.",
		Tags:        tags, Auth: "platform_admin,dept_admin,dept_staff", Body: appeal.TaskClose{}, Resp: appeal.MeetingTask{}}, withID(h.apiCloseTask))
}

func (h *handlers) apiHandOver(w http.ResponseWriter, r *http.Request, id int64) error {
	var in appeal.ClueInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.HandOverClue(r.Context(), id, in)
	return respond(w, http.StatusCreated, c, err)
}

func (h *handlers) apiClues(w http.ResponseWriter, r *http.Request, id int64) error {
	list, err := h.svc.Clues(r.Context(), id)
	return writeList(w, list, err)
}

func (h *handlers) apiClueInbox(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ClueInbox(r.Context())
	return writeList(w, list, err)
}

func (h *handlers) apiDisclose(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := h.svc.DiscloseClue(r.Context(), id)
	return respond(w, http.StatusOK, c, err)
}

func (h *handlers) apiMeetings(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Meetings(r.Context())
	return writeList(w, list, err)
}

func (h *handlers) apiCreateMeeting(w http.ResponseWriter, r *http.Request) error {
	var in appeal.MeetingInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.CreateMeeting(r.Context(), in)
	return respond(w, http.StatusCreated, m, err)
}

func (h *handlers) apiMeeting(w http.ResponseWriter, r *http.Request, id int64) error {
	m, err := h.svc.Meeting(r.Context(), id)
	return respond(w, http.StatusOK, m, err)
}

func (h *handlers) apiMyTasks(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.MyTasks(r.Context())
	return writeList(w, list, err)
}

func (h *handlers) apiCloseTask(w http.ResponseWriter, r *http.Request, id int64) error {
	var in appeal.TaskClose
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.svc.CloseTask(r.Context(), id, in)
	return respond(w, http.StatusOK, t, err)
}

// isStaff reports whether actor works in the module (not an enterprise).
func isStaff(a *auth.Actor) bool {
	return a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
}

// detailHandovers adds the clues the caller may read, the clue form and
// the meetings that took the appeal to the detail page's data.
func (h *handlers) detailHandovers(r *http.Request, v *web.View, a *appeal.Appeal, data map[string]any) error {
	ctx := r.Context()
	clues, err := h.svc.Clues(ctx, a.ID)
	if err != nil {
		return err
	}
	data["Clues"] = clues
	actor := auth.From(ctx)
	disclose := map[int64]bool{} // the office: supervisors or the receiving department
	for _, c := range clues {
		disclose[c.ID] = actor.Has(auth.Supervisor) || actor.Has(auth.DeptStaff, auth.DeptAdmin) && actor.InScope(c.OfficeDeptID)
	}
	data["CanDisclose"] = disclose
	if isStaff(actor) {
		data["CanHandOver"] = true
		depts, err := h.s.App.Accounts.ListDepartments(ctx)
		if err != nil {
			return err
		}
		data["ClueDepts"] = depts
	}
	ms, err := h.svc.MeetingsOf(ctx, a)
	if err != nil {
		return err
	}
	data["Meetings"] = meetingRows(v, ms)
	return nil
}

func (h *handlers) handOver(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	in := appeal.ClueInput{Summary: r.PostFormValue("summary")}
	in.OfficeDeptID, _ = strconv.ParseInt(r.PostFormValue("office_dept_id"), 10, 64)
	_, err = h.svc.HandOverClue(r.Context(), id, in)
	v := h.s.View(r, "")
	if err != nil {
		if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid {
			return err
		}
		if e := h.renderDetail(w, r, v, id, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/detail", v, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", id), v.T("问题线索已移交纪检监察机关", "Clue handed to the discipline inspection office"))
}

func (h *handlers) clueInbox(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.ClueInbox(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("问题线索移交台账", "Clues handed to discipline inspection")
	v.Data = map[string]any{"Clues": list}
	return h.s.Render(w, r, http.StatusOK, "appeal/clues", v)
}

func (h *handlers) disclose(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	c, err := h.svc.DiscloseClue(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, fmt.Sprintf("/appeals/%d", c.AppealID), v.T("已告知企业线索已移交", "The enterprise was told"))
}

// taskRow is a meeting task with its labels and clock.
type taskRow struct {
	appeal.MeetingTask
	StatusLabel string
	DueNote     string
}

// meetingRow is a meeting with its tasks' labels.
type meetingRow struct {
	appeal.Meeting
	DeptNames string
	TaskRows  []taskRow
}

func meetingRows(v *web.View, list []appeal.Meeting) []meetingRow {
	out := make([]meetingRow, len(list))
	for i, m := range list {
		names := make([]string, len(m.Depts))
		for j, d := range m.Depts {
			names[j] = d.Name
		}
		out[i] = meetingRow{Meeting: m, DeptNames: strings.Join(names, "、")}
		for _, t := range m.Tasks {
			out[i].TaskRows = append(out[i].TaskRows, taskRow{MeetingTask: t, StatusLabel: appeal.TaskStatusLabel(t.Status, lang(v))})
		}
	}
	return out
}

func (h *handlers) meetings(w http.ResponseWriter, r *http.Request) error {
	return h.renderMeetings(w, r, h.s.View(r, ""), http.StatusOK)
}

func (h *handlers) renderMeetings(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	list, err := h.svc.Meetings(r.Context())
	if err != nil {
		return err
	}
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	v.Title = v.T("联席会议", "Joint meetings")
	r.ParseForm()
	// Three decision rows, keeping what the user typed.
	type decRow struct {
		N                     int
		Decision, Dept, DueWD string
	}
	rows := make([]decRow, 3)
	for i := range rows {
		rows[i] = decRow{N: i, Decision: at(r.PostForm["decision"], i), Dept: at(r.PostForm["decision_dept"], i), DueWD: at(r.PostForm["decision_wd"], i)}
	}
	chosen := map[string]bool{}
	for _, d := range r.PostForm["dept_ids"] {
		chosen[d] = true
	}
	v.Data = map[string]any{"Meetings": meetingRows(v, list), "Depts": depts, "Decisions": rows, "Chosen": chosen,
		"CanCreate": auth.From(r.Context()).Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff), "MaxWD": appeal.MaxTaskWD}
	if status == 0 {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/meetings", v)
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// meetingForm reads the meeting form: departments as repeated dept_ids,
// appeal numbers separated by spaces, commas or new lines, and the decision
// rows (decision, decision_dept, decision_wd), skipping empty rows.
func meetingForm(r *http.Request) appeal.MeetingInput {
	in := appeal.MeetingInput{Title: r.PostFormValue("title"), HeldOn: r.PostFormValue("held_on"), Chair: r.PostFormValue("chair"), Minutes: r.PostFormValue("minutes")}
	for _, d := range r.PostForm["dept_ids"] {
		if id, err := strconv.ParseInt(d, 10, 64); err == nil {
			in.DeptIDs = append(in.DeptIDs, id)
		}
	}
	in.Appeals = strings.FieldsFunc(r.PostFormValue("appeals"), func(c rune) bool {
		return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || c == ' ' || c == '\n' || c == '\r' || c == '\t'
	})
	texts := r.PostForm["decision"]
	for i, text := range texts {
		dept, wd := at(r.PostForm["decision_dept"], i), at(r.PostForm["decision_wd"], i)
		if strings.TrimSpace(text) == "" && (dept == "" || dept == "0") && strings.TrimSpace(wd) == "" {
			continue
		}
		d := appeal.DecisionInput{Decision: text}
		d.DeptID, _ = strconv.ParseInt(dept, 10, 64)
		d.DueWD, _ = strconv.Atoi(strings.TrimSpace(wd))
		in.Decisions = append(in.Decisions, d)
	}
	return in
}

func (h *handlers) createMeeting(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	m, err := h.svc.CreateMeeting(r.Context(), meetingForm(r))
	v := h.s.View(r, "")
	if err != nil {
		if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid {
			return err
		}
		if e := h.renderMeetings(w, r, v, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/meetings", v, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeal-meetings/%d", m.ID), v.T("联席会议已记录，决定事项已分派", "Meeting recorded; its decisions were assigned"))
}

func (h *handlers) meeting(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	return h.renderMeeting(w, r, h.s.View(r, ""), id, http.StatusOK)
}

func (h *handlers) renderMeeting(w http.ResponseWriter, r *http.Request, v *web.View, id int64, status int) error {
	m, err := h.svc.Meeting(r.Context(), id)
	if err != nil {
		return err
	}
	cal, err := h.s.App.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	actor := auth.From(r.Context())
	now := h.svc.Clock.Now()
	row := meetingRows(v, []appeal.Meeting{*m})[0]
	canClose := map[int64]bool{}
	for i := range row.TaskRows {
		t := &row.TaskRows[i]
		if t.Status == appeal.TaskOpen {
			it := web.CardItem{}
			it.SetDue(cal, now, t.Due)
			t.DueNote = it.DueNote(lang(v))
			canClose[t.ID] = actor.Has(auth.DeptStaff, auth.DeptAdmin) && actor.InScope(t.DeptID) || actor.Has(auth.PlatformAdmin)
		}
	}
	type linkRow struct {
		appeal.LinkedAppeal
		StateLabel string
	}
	links := make([]linkRow, len(m.Appeals))
	for i, l := range m.Appeals {
		links[i] = linkRow{l, l.State.Label(lang(v))}
	}
	v.Title = m.Title
	v.Data = map[string]any{"M": row, "Links": links, "CanClose": canClose}
	if status == 0 {
		return nil
	}
	return h.s.Render(w, r, status, "appeal/meeting", v)
}

func (h *handlers) closeTask(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	in := appeal.TaskClose{Result: r.PostFormValue("result")}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	mid, _ := strconv.ParseInt(r.PostFormValue("meeting_id"), 10, 64)
	t, err := h.svc.CloseTask(r.Context(), id, in)
	v := h.s.View(r, "")
	if err != nil {
		if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid || mid == 0 {
			return err
		}
		if e := h.renderMeeting(w, r, v, mid, 0); e != nil {
			return e
		}
		return h.s.FormError(w, r, "appeal/meeting", v, err)
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/appeal-meetings/%d", t.MeetingID), v.T("决定事项已办结", "Task closed"))
}
