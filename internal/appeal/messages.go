package appeal

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/notify"
)

// Message types of the module.
const (
	MsgTransition  = "appeal.transition"   // every transition: the enterprise (in-app) and webhooks
	MsgAssigned    = "appeal.assigned"     // a department received an appeal
	MsgWarning     = "appeal.warning"      // deadline warning
	MsgOverdue     = "appeal.overdue"      // overdue, to dispatchers
	MsgSecondLevel = "appeal.second_level" // overdue second level, to supervisors
	MsgSupervision = "appeal.supervision"  // 督办 notice to the lead department
)

var registerOnce sync.Once

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	registerOnce.Do(registerTypes)
}

func registerTypes() {
	number := notify.Variable{Name: "number", ZH: "诉求编号", EN: "appeal number", Example: "YS-2026-000123"}
	title := notify.Variable{Name: "title", ZH: "诉求标题", EN: "appeal title", Example: "办理营业执照变更咨询"}
	state := notify.Variable{Name: "state", ZH: "新状态（中文）", EN: "new state (Chinese)", Example: "办理中"}
	stateEN := notify.Variable{Name: "state_en", ZH: "新状态（英文）", EN: "new state (English)", Example: "in progress"}
	action := notify.Variable{Name: "action", ZH: "操作代码", EN: "action code", Example: "claim"}
	stateCode := notify.Variable{Name: "state_code", ZH: "状态代码", EN: "state code", Example: "in_progress"}
	due := notify.Variable{Name: "due", ZH: "期限", EN: "deadline", Example: "2026-12-01 23:59"}
	clock := notify.Variable{Name: "clock", ZH: "时限环节", EN: "clock", Example: "答复"}
	clockEN := notify.Variable{Name: "clock_en", ZH: "时限环节（英文）", EN: "clock (English)", Example: "reply"}
	note := notify.Variable{Name: "note", ZH: "督办意见", EN: "supervision notice", Example: "请于明日前办结"}
	both := func(zh, en notify.Template) map[string]map[string]notify.Template {
		sms := func(t notify.Template) notify.Template { return notify.Template{Body: t.Body} }
		return map[string]map[string]notify.Template{
			notify.ChannelInApp: {notify.LangZH: zh, notify.LangEN: en},
			notify.ChannelSMS:   {notify.LangZH: sms(zh), notify.LangEN: sms(en)},
		}
	}
	notify.RegisterType(notify.MessageType{Key: MsgTransition, NameZH: "诉求状态变化", NameEN: "Appeal state changed",
		Variables: []notify.Variable{number, title, state, stateEN, action, stateCode},
		Defaults: both(notify.Template{Subject: "诉求 {{.number}} {{.state}}", Body: "您的诉求「{{.title}}」（{{.number}}）当前状态：{{.state}}。"},
			notify.Template{Subject: "Appeal {{.number}}: {{.state_en}}", Body: "Your appeal \"{{.title}}\" ({{.number}}) is now {{.state_en}}."})})
	notify.RegisterType(notify.MessageType{Key: MsgAssigned, NameZH: "诉求交办", NameEN: "Appeal assigned",
		Variables: []notify.Variable{number, title, due},
		Defaults: both(notify.Template{Subject: "新交办诉求 {{.number}}", Body: "诉求「{{.title}}」（{{.number}}）已交办贵单位，请及时签收，答复期限 {{.due}}。"},
			notify.Template{Subject: "New appeal {{.number}}", Body: "Appeal \"{{.title}}\" ({{.number}}) was assigned to your department; please claim it. Reply due {{.due}}."})})
	alert := func(key, zhName, enName, zhBody, enBody string) {
		notify.RegisterType(notify.MessageType{Key: key, NameZH: zhName, NameEN: enName,
			Variables: []notify.Variable{number, title, due, clock, clockEN},
			Defaults: both(notify.Template{Subject: zhName + " {{.number}}", Body: zhBody},
				notify.Template{Subject: enName + " {{.number}}", Body: enBody})})
	}
	alert(MsgWarning, "诉求临期预警", "Appeal deadline warning",
		"诉求「{{.title}}」（{{.number}}）{{.clock}}期限 {{.due}} 即将到期，请抓紧办理。",
		"Appeal \"{{.title}}\" ({{.number}}): the {{.clock_en}} deadline {{.due}} is near.")
	alert(MsgOverdue, "诉求逾期提醒", "Appeal overdue",
		"诉求「{{.title}}」（{{.number}}）{{.clock}}已逾期（期限 {{.due}}），请督促办理。",
		"Appeal \"{{.title}}\" ({{.number}}): the {{.clock_en}} deadline {{.due}} has passed.")
	alert(MsgSecondLevel, "诉求逾期二级预警", "Appeal overdue (second level)",
		"诉求「{{.title}}」（{{.number}}）{{.clock}}逾期未办（期限 {{.due}}），请督办。",
		"Appeal \"{{.title}}\" ({{.number}}): the {{.clock_en}} deadline {{.due}} passed long ago; please supervise.")
	registerTermTypes(both, number, title)
	registerHandoverTypes(both, number, title)
	registerCommonFixTypes(both)
	notify.RegisterType(notify.MessageType{Key: MsgSupervision, NameZH: "诉求督办", NameEN: "Appeal supervision notice",
		Variables: []notify.Variable{number, title, note},
		Defaults: both(notify.Template{Subject: "督办 {{.number}}", Body: "诉求「{{.title}}」（{{.number}}）已被督办：{{.note}}"},
			notify.Template{Subject: "Supervision {{.number}}", Body: "Appeal \"{{.title}}\" ({{.number}}) is under supervision: {{.note}}"})})
}

func fmtDue(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}

// enterpriseStates are the states the enterprise is told about.
var enterpriseStates = []State{Submitted, Accepted, Rejected, WaitingEnterprise, Replied, Closed, Merged}

// notifyTransition tells every subscribed webhook about every transition,
// and the enterprise about the states it cares about (enterpriseStates):
// the user who submitted the appeal and every active enterprise account
// bound to its entity, so an appeal that intake staff registered on the
// entity's behalf reaches the enterprise just as one it submitted itself.
// Everyone gets it in-app; those with a mobile number also by SMS when the
// appeal asked for SMS, or when intake staff registered it (the enterprise
// did not use the platform for it and may not look there). The one who
// took the step is not told about it.
func (s *Service) notifyTransition(ctx context.Context, a *Appeal, action string, from, to State) error {
	var rcpt []notify.Recipient
	if from != to && contains(enterpriseStates, to) {
		var err error
		if rcpt, err = s.enterpriseRecipients(ctx, a); err != nil {
			return err
		}
	}
	return s.notifyTransitionTo(ctx, a, action, from, to, rcpt)
}

// notifyTransitionTo is notifyTransition with the enterprise recipients
// already read (intake reads them before its write transaction); rcpt is
// used only when the enterprise is told about the step.
func (s *Service) notifyTransitionTo(ctx context.Context, a *Appeal, action string, from, to State, rcpt []notify.Recipient) error {
	msg := notify.Message{Type: MsgTransition, ObjectType: "appeal", ObjectID: strconv.FormatInt(a.ID, 10), Link: appealLink(a.ID),
		Data: map[string]any{"number": a.Number, "title": a.Title, "state": to.Label("zh"), "state_en": to.Label("en"),
			"action": action, "state_code": string(to)}}
	if from != to && contains(enterpriseStates, to) && len(rcpt) > 0 {
		msg.To, msg.Channels = rcpt, []string{notify.ChannelInApp, notify.ChannelSMS}
	}
	_, err := s.Notify.Send(ctx, msg)
	return err
}

// enterpriseRecipients are the enterprise users to tell about a: its
// submitter and the active enterprise accounts bound to its entity, but
// not the caller; SMS only for those with a mobile number and only when
// the appeal was registered by intake staff or asked for SMS.
func (s *Service) enterpriseRecipients(ctx context.Context, a *Appeal) ([]notify.Recipient, error) {
	if a.EntityID == 0 && a.SubmitterID == 0 {
		return nil, nil
	}
	var self int64
	if actor := auth.From(ctx); actor != nil {
		self = actor.UserID
	}
	ids := []int64{}
	if a.EntityID != 0 {
		bound, err := s.Accounts.EntityUsers(ctx, []int64{a.EntityID}, auth.Enterprise)
		if err != nil {
			return nil, err
		}
		ids = append(ids, bound[a.EntityID]...)
	}
	if a.SubmitterID != 0 && !slices.Contains(ids, a.SubmitterID) {
		ids = append(ids, a.SubmitterID)
	}
	refs, err := s.Accounts.UserRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	sms := a.RegisteredBy != 0 || a.ContactPref == "sms"
	var out []notify.Recipient
	for _, id := range ids {
		u, ok := refs[id]
		if !ok || id == self || !u.Active || !slices.Contains(u.Roles, auth.Enterprise) {
			continue
		}
		r := notify.Recipient{UserID: id, Channels: []string{notify.ChannelInApp}}
		if sms && u.HasPhone {
			r.Channels = append(r.Channels, notify.ChannelSMS)
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Service) notifyDept(ctx context.Context, a *Appeal, dept int64) error {
	ids, err := s.Accounts.DeptUsers(ctx, dept, auth.DeptStaff, auth.DeptAdmin)
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgAssigned, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal", ObjectID: strconv.FormatInt(a.ID, 10), Link: appealLink(a.ID),
		Data: map[string]any{"number": a.Number, "title": a.Title, "due": fmtDue(a.ReplyDue)}})
	return err
}

func (s *Service) notifySupervision(ctx context.Context, a *Appeal, note string) error {
	var ids []int64
	var err error
	if a.LeadDeptID != 0 {
		ids, err = s.Accounts.DeptUsers(ctx, a.LeadDeptID, auth.DeptStaff, auth.DeptAdmin)
	} else {
		ids, err = s.dispatchers(ctx)
	}
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgSupervision, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal", ObjectID: strconv.FormatInt(a.ID, 10), Link: appealLink(a.ID), Data: map[string]any{"number": a.Number, "title": a.Title, "note": note}})
	return err
}

// notifyAlert sends an SLA alert: warnings to the handler and the lead
// department's admins (the dispatchers before there is a lead), overdue
// alerts to the dispatchers, second-level alerts to the supervisors.
func (s *Service) notifyAlert(ctx context.Context, a *Appeal, clock string, level int, dueAt time.Time) error {
	var ids []int64
	var err error
	typ := MsgWarning
	switch level {
	case LevelWarning:
		if a.LeadDeptID != 0 {
			ids, err = s.Accounts.DeptUsers(ctx, a.LeadDeptID, auth.DeptAdmin)
			if a.HandlerID != 0 && !contains(ids, a.HandlerID) {
				ids = append(ids, a.HandlerID)
			}
		} else {
			ids, err = s.dispatchers(ctx)
		}
	case LevelOverdue:
		typ = MsgOverdue
		ids, err = s.dispatchers(ctx)
	default:
		typ = MsgSecondLevel
		ids, err = s.Accounts.UsersWithRole(ctx, auth.Supervisor)
	}
	if err != nil {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: typ, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal", ObjectID: strconv.FormatInt(a.ID, 10), Link: appealLink(a.ID),
		Data: map[string]any{"number": a.Number, "title": a.Title, "due": fmtDue(&dueAt), "clock": ClockLabel(clock, "zh"), "clock_en": ClockLabel(clock, "en")}})
	return err
}

// dispatchers are the platform admins and the active staff of the
// dispatch departments.
func (s *Service) dispatchers(ctx context.Context) ([]int64, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.Accounts.UsersWithRole(ctx, auth.PlatformAdmin)
	if err != nil {
		return nil, err
	}
	for _, code := range st.DispatchDepts {
		dept, err := s.Accounts.DepartmentByCode(ctx, code)
		if err != nil || dept == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		staff, err := s.Accounts.DeptUsers(ctx, dept, auth.DeptStaff, auth.DeptAdmin)
		if err != nil {
			return nil, err
		}
		ids = append(ids, staff...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

func recipients(ids []int64) []notify.Recipient {
	out := make([]notify.Recipient, len(ids))
	for i, id := range ids {
		out[i] = notify.Recipient{UserID: id}
	}
	return out
}

// requireOffice allows dispatchers and supervisors.
func (s *Service) requireOffice(ctx context.Context) error {
	actor, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return err
	}
	if !r.dispatcher && !r.supervisor {
		return errForbidden()
	}
	return nil
}

// appealLink is the page of an appeal, the item its messages link to.
func appealLink(id int64) string { return "/appeals/" + strconv.FormatInt(id, 10) }
