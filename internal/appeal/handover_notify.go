package appeal

// Notifications of the hand-overs (issue 18 item 5): the discipline
// inspection office is told of a clue, with a link to its inbox; the owner
// department of every joint-meeting task is told of the task, warned
// before its deadline and alerted when it is overdue (the SLA scan).

import (
	"context"
	"slices"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/notify"
)

// Message types of the hand-overs.
const (
	MsgClueReceived = "appeal.clue_received" // the receiving office and the supervisors
	MsgMeetingTask  = "appeal.meeting_task"  // a task's owner department
	MsgTaskWarning  = "appeal.task_warning"  // the owner department, before the deadline
	MsgTaskOverdue  = "appeal.task_overdue"  // the owner department's admins and the dispatchers
	taskLevelWarned = 1                      // appeal_meeting_tasks.alert_level
	taskLevelLate   = 2
)

type bothFunc func(zh, en notify.Template) map[string]map[string]notify.Template

func registerHandoverTypes(both bothFunc, number, title notify.Variable) {
	// The clue's content is secret: the message names the appeal only; the
	// office reads the clue behind the link.
	notify.RegisterType(notify.MessageType{Key: MsgClueReceived, NameZH: "违纪违法线索移交", NameEN: "Misconduct clue handed over",
		Variables: []notify.Variable{number, title},
		Defaults: both(notify.Template{Subject: "收到线索移交 {{.number}}", Body: "诉求「{{.title}}」（{{.number}}）中发现的违纪违法线索已移交贵单位，请登录平台查看并处置。"},
			notify.Template{Subject: "Clue handed over {{.number}}", Body: "A misconduct clue found in appeal \"{{.title}}\" ({{.number}}) was handed over to you; sign in to read and handle it."})})
	meeting := notify.Variable{Name: "meeting", ZH: "联席会议", EN: "joint meeting", Example: "2026年第四季度涉企诉求联席会议"}
	decision := notify.Variable{Name: "decision", ZH: "决定事项", EN: "decision", Example: "市场监管局牵头修订检查清单"}
	due := notify.Variable{Name: "due", ZH: "办理期限", EN: "deadline", Example: "2026-12-15 23:59"}
	task := func(key, zhName, enName, zhBody, enBody string) {
		notify.RegisterType(notify.MessageType{Key: key, NameZH: zhName, NameEN: enName,
			Variables: []notify.Variable{meeting, decision, due},
			Defaults: both(notify.Template{Subject: zhName + "：{{.meeting}}", Body: zhBody},
				notify.Template{Subject: enName + ": {{.meeting}}", Body: enBody})})
	}
	task(MsgMeetingTask, "联席会议交办事项", "Joint-meeting task",
		"联席会议「{{.meeting}}」决定由贵单位办理：{{.decision}}，期限 {{.due}}。",
		"The joint meeting \"{{.meeting}}\" gave your department a task: {{.decision}}. Due {{.due}}.")
	task(MsgTaskWarning, "联席会议事项临期预警", "Joint-meeting task due soon",
		"联席会议「{{.meeting}}」交办事项「{{.decision}}」期限 {{.due}} 即将到期，请抓紧办结。",
		"The joint meeting \"{{.meeting}}\" task \"{{.decision}}\" is due {{.due}}; please close it in time.")
	task(MsgTaskOverdue, "联席会议事项逾期", "Joint-meeting task overdue",
		"联席会议「{{.meeting}}」交办事项「{{.decision}}」已逾期（期限 {{.due}}），请督促办理。",
		"The joint meeting \"{{.meeting}}\" task \"{{.decision}}\" is overdue (due {{.due}}).")
}

// clueLink is the office's inbox of clues (the receiving department may not read the appeal itself).
func clueLink(int64) string { return "/appeal-clues" }

func meetingLink(id int64) string { return "/appeal-meetings/" + strconv.FormatInt(id, 10) }

// notifyClue tells the supervisors (纪检监察) and the receiving
// department's staff of a clue handed over, except the sender.
func (s *Service) notifyClue(ctx context.Context, a *Appeal, clueID, office int64) error {
	ids, err := s.Accounts.UsersWithRole(ctx, auth.Supervisor)
	if err != nil {
		return err
	}
	if office != 0 {
		staff, err := s.Accounts.DeptUsers(ctx, office, auth.DeptStaff, auth.DeptAdmin)
		if err != nil {
			return err
		}
		ids = append(ids, staff...)
	}
	ids = without(ids, auth.From(ctx))
	if len(ids) == 0 {
		return nil
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgClueReceived, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal_clue", ObjectID: strconv.FormatInt(clueID, 10), Link: clueLink(clueID),
		Data: map[string]any{"number": a.Number, "title": a.Title}})
	return err
}

// notifyTask sends one task message to its owner department's staff (and,
// for typ MsgTaskOverdue, to its admins and the dispatchers).
func (s *Service) notifyTask(ctx context.Context, typ string, t taskRef) error {
	var ids []int64
	var err error
	if typ == MsgTaskOverdue {
		if ids, err = s.Accounts.DeptUsers(ctx, t.deptID, auth.DeptAdmin); err == nil {
			var d []int64
			d, err = s.dispatchers(ctx)
			ids = append(ids, d...)
		}
	} else {
		ids, err = s.Accounts.DeptUsers(ctx, t.deptID, auth.DeptStaff, auth.DeptAdmin)
	}
	if err != nil {
		return err
	}
	ids = without(ids, auth.From(ctx))
	if len(ids) == 0 {
		return nil
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: typ, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal_meeting_task", ObjectID: strconv.FormatInt(t.id, 10), Link: meetingLink(t.meetingID),
		Data: map[string]any{"meeting": t.meeting, "decision": t.decision, "due": fmtDue(&t.due)}})
	return err
}

type taskRef struct {
	id, meetingID, deptID int64
	meeting, decision     string
	due                   time.Time
}

// without removes duplicates and the actor from ids.
func without(ids []int64, actor *auth.Actor) []int64 {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if actor != nil && actor.UserID != 0 {
		ids = slices.DeleteFunc(ids, func(id int64) bool { return id == actor.UserID })
	}
	return ids
}

// scanMeetingTasks warns the owner departments of open tasks due by
// cutoff and alerts those past due, each once per task and level (the
// level is claimed with a conditional UPDATE in the message's transaction).
func (s *Service) scanMeetingTasks(ctx context.Context, now, cutoff time.Time, res *ScanResult) error {
	for _, lv := range []struct {
		level int
		by    time.Time
		typ   string
		key   string
	}{{taskLevelLate, now, MsgTaskOverdue, "meeting_task/overdue"}, {taskLevelWarned, cutoff, MsgTaskWarning, "meeting_task/warning"}} {
		rows, err := s.DB.Q(ctx).Query(ctx, `SELECT t.id, t.meeting_id, t.dept_id, m.title, t.decision, t.due FROM appeal_meeting_tasks t
			JOIN appeal_meetings m ON m.id = t.meeting_id WHERE t.status = $1 AND t.alert_level < $2 AND t.due <= $3 ORDER BY t.due, t.id LIMIT 1000`,
			TaskOpen, lv.level, lv.by)
		if err != nil {
			return err
		}
		var list []taskRef
		for rows.Next() {
			var t taskRef
			if err := rows.Scan(&t.id, &t.meetingID, &t.deptID, &t.meeting, &t.decision, &t.due); err != nil {
				rows.Close()
				return err
			}
			list = append(list, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range list {
			err := s.DB.WithTx(ctx, func(ctx context.Context) error {
				n, err := s.DB.W(ctx).Exec(ctx, "UPDATE appeal_meeting_tasks SET alert_level = $1 WHERE id = $2 AND alert_level < $1 AND status = $3",
					lv.level, t.id, TaskOpen)
				if err != nil || n == 0 {
					return err
				}
				if err := s.notifyTask(ctx, lv.typ, t); err != nil {
					return err
				}
				res.Alerts[lv.key]++
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
