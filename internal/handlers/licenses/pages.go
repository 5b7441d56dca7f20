package licenses

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// Row is a licence prepared for display.
type Row struct {
	*license.License
	StatusLabel string
	StatusClass string
	AnswerLabel string
	DaysText    string
	Stages      []string
	Tel         string // the holder's phone when shown unmasked, for a tap-to-call link
}

func row(v *web.View, l *license.License) Row {
	r := Row{License: l, StatusLabel: statusLabel(v, l.Status), AnswerLabel: answerLabel(v, l.HolderAnswer)}
	if l.Phone != "" && !strings.Contains(l.Phone, "*") {
		r.Tel = l.Phone
	}
	switch {
	case l.Status != license.StatusActive:
		r.StatusClass = map[string]string{license.StatusRenewed: "status-ok", license.StatusLapsed: "status-bad"}[l.Status]
	case l.DaysLeft <= 3:
		r.StatusClass = "status-bad"
	case l.DaysLeft <= 30:
		r.StatusClass = "status-warn"
	default:
		r.StatusClass = "status-ok"
	}
	switch {
	case l.DaysLeft > 0:
		r.DaysText = v.T(fmt.Sprintf("剩 %d 天", l.DaysLeft), fmt.Sprintf("%d days left", l.DaysLeft))
	case l.DaysLeft == 0:
		r.DaysText = v.T("今日到期", "expires today")
	default:
		r.DaysText = v.T(fmt.Sprintf("已过期 %d 天", -l.DaysLeft), fmt.Sprintf("expired %d days ago", -l.DaysLeft))
	}
	for _, st := range l.Stages {
		r.Stages = append(r.Stages, stageLabel(v, st))
	}
	return r
}

func rows(v *web.View, list []*license.License) []Row {
	out := make([]Row, len(list))
	for i, l := range list {
		out[i] = row(v, l)
	}
	return out
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("证照台账", "Licences")
	q := r.URL.Query()
	f := license.Filter{TypeID: atoi64(q.Get("type")), Status: q.Get("status"), Q: q.Get("q"), ExpiringDays: atoi(q.Get("expiring")), Page: atoi(q.Get("page")), PerPage: 50}
	list, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	types, err := h.svc.Types(r.Context(), 0)
	if err != nil {
		return err
	}
	typeOpts := []Option{{Value: "", Label: v.T("全部证照类型", "All licence types")}}
	for _, t := range types {
		typeOpts = append(typeOpts, Option{Value: strconv.FormatInt(t.ID, 10), Label: t.DepartmentName + " · " + t.Name, Selected: t.ID == f.TypeID})
	}
	page := max(f.Page, 1)
	v.Data = map[string]any{"Rows": rows(v, list), "Total": total, "Page": page, "Pages": (total + 49) / 50,
		"Types": typeOpts, "Statuses": statusOptions(v, f.Status), "CanImport": v.Actor.Has(admins...)}
	return h.s.Render(w, r, http.StatusOK, viewList, v)
}

func (h *handlers) detail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.renderDetail(w, r, id, http.StatusOK, nil)
}

func (h *handlers) renderDetail(w http.ResponseWriter, r *http.Request, id int64, status int, formErr error) error {
	ctx := r.Context()
	l, err := h.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	t, err := h.svc.GetType(ctx, l.TypeID)
	if err != nil {
		return err
	}
	contacts, err := h.svc.Contacts(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := h.svc.Deliveries(ctx, id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = l.TypeName + " " + l.Number
	steps, err := h.steps(ctx, v.Lang, l, t)
	if err != nil {
		return err
	}
	var cs []map[string]any
	for _, c := range contacts {
		cs = append(cs, map[string]any{"C": c, "Method": outcomeLabel(v, c.Method), "Outcome": outcomeLabel(v, c.Outcome)})
	}
	var ms []map[string]any
	for _, m := range msgs {
		ms = append(ms, map[string]any{"M": m, "Type": msgLabel(v, m.Type), "ChannelText": msgLabel(v, m.Channel), "StatusText": msgLabel(v, m.Status)})
	}
	v.Data = map[string]any{"Steps": steps, "L": row(v, l), "T": t, "Contacts": cs, "Messages": ms,
		"CanWrite": v.Actor.Has(writers...), "Outcomes": contactOptions(v), "Today": calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).String()}
	if formErr != nil {
		return h.s.FormError(w, r, viewDetail, v, formErr)
	}
	return h.s.Render(w, r, status, viewDetail, v)
}

func contactOptions(v *web.View) []Option {
	var out []Option
	for _, o := range license.ContactOutcomes {
		out = append(out, Option{Value: o, Label: outcomeLabel(v, o)})
	}
	return out
}

func (h *handlers) setStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.SetStatus(r.Context(), id, r.PostFormValue("status"), r.PostFormValue("note")); err != nil {
		return h.renderDetail(w, r, id, 0, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, back(r, fmt.Sprintf("/licenses/%d", id)), v.T("证照状态已更新", "Licence status updated"))
}

func (h *handlers) confirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.ConfirmRenewal(r.Context(), id); err != nil {
		return h.renderDetail(w, r, id, 0, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, fmt.Sprintf("/licenses/%d", id), v.T("已确认续证", "Renewal confirmed"))
}

func (h *handlers) contact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := license.ContactInput{Method: r.PostFormValue("method"), Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note")}
	if _, err := h.svc.RecordContact(r.Context(), id, in); err != nil {
		return h.renderDetail(w, r, id, 0, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, back(r, fmt.Sprintf("/licenses/%d", id)), v.T("跟进记录已保存", "Follow-up recorded"))
}

// FollowupRow is a follow-up list entry for display.
type FollowupRow struct {
	Row
	Item     *license.FollowupItem
	Contacts []map[string]any
}

func (h *handlers) followups(w http.ResponseWriter, r *http.Request) error {
	overdue := r.URL.Query().Get("overdue") == "1"
	mine := r.URL.Query().Get("mine") == "1"
	v := h.s.View(r, "")
	var items []*license.FollowupItem
	var err error
	if mine {
		items, err = h.svc.MyFollowups(r.Context(), overdue)
	} else {
		items, err = h.svc.Followups(r.Context(), 0, overdue)
	}
	if err != nil {
		return err
	}
	v.Title = v.T("待跟进清单", "Follow-up list")
	var out []FollowupRow
	for _, it := range items {
		fr := FollowupRow{Row: row(v, &it.License), Item: it}
		for _, c := range it.Contacts {
			fr.Contacts = append(fr.Contacts, map[string]any{"C": c, "Method": outcomeLabel(v, c.Method), "Outcome": outcomeLabel(v, c.Outcome)})
		}
		out = append(out, fr)
	}
	v.Data = map[string]any{"Rows": out, "Overdue": overdue, "Mine": mine, "Outcomes": contactOptions(v), "Unmasked": v.Actor.Has(auth.DeptStaff),
		"IsStaff": v.Actor.Has(auth.DeptStaff)}
	if v.Actor.Has(auth.DeptAdmin) && v.Actor.DepartmentID != 0 {
		staff, err := h.svc.Assignable(r.Context(), v.Actor.DepartmentID)
		if err != nil {
			return err
		}
		v.Data.(map[string]any)["Staff"] = staff
	}
	return h.s.Render(w, r, http.StatusOK, viewFollowups, v)
}

func (h *handlers) mine(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Mine(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("我的证照", "My licences")
	out, err := h.cardRows(r.Context(), v, list, func(id int64) (*license.Type, error) { return h.svc.GetType(r.Context(), id) })
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": out, "Bound": v.Actor.EntityID != 0, "AnswerBase": "/my/licenses/"}
	return h.s.Render(w, r, http.StatusOK, viewMine, v)
}

func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.Answer(r.Context(), id, r.PostFormValue("answer")); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/my/licenses", v.T("答复已提交，感谢您的反馈", "Thank you: your answer was sent"))
}

// msgLabel names a message type, channel or delivery status.
func msgLabel(v *web.View, k string) string {
	l, ok := map[string][2]string{
		license.MsgReminder: {"到期提醒", "Expiry reminder"}, license.MsgExpired: {"到期通知", "Expired notice"},
		"sms": {"短信", "SMS"}, "inapp": {"站内信", "In-app"}, "email": {"邮件", "E-mail"},
		"queued": {"待发送", "Queued"}, "sent": {"已发送", "Sent"}, "delivered": {"已送达", "Delivered"}, "failed": {"发送失败", "Failed"},
	}[k]
	if !ok {
		return k
	}
	return v.T(l[0], l[1])
}
