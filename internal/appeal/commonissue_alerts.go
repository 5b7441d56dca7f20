package appeal

// Alerts on a common issue's fix clock (issue 18 item 3). While a common
// issue is being fixed (stage fixing), the SLA scan (the River job
// appeal.scan, and `yingshang appeal scan`) sends
//
//   - a warning when CommonWarnDays calendar days or fewer are left: from
//     00:00 (Asia/Shanghai) of the CommonWarnDays-th last day of the
//     clock (5 by default: due Wed 23 Dec, warned from Sat 19 Dec 00:00);
//   - an overdue alert once the fix deadline (the end of its day) passed,
//
// each once per common issue, to the staff and admins of the department
// responsible for the fix and to the office (dispatchers). The level sent
// is claimed with a conditional UPDATE of appeal_common_issues.fix_alert
// in the message's transaction, so repeated or concurrent scans send
// nothing twice. A scan that first sees an issue already overdue sends
// the overdue alert only. Reporting the issue fixed stops the clock.

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Message types of the fix clock.
const (
	MsgCommonFixWarning = "appeal.common_fix_warning" // the department and the office, before the fix deadline
	MsgCommonFixOverdue = "appeal.common_fix_overdue" // the department and the office, after it
	fixLevelWarned      = 1                           // appeal_common_issues.fix_alert
	fixLevelLate        = 2
)

// DefaultCommonWarnDays is the default of Settings.CommonWarnDays.
const DefaultCommonWarnDays = 5

func registerCommonFixTypes(both bothFunc) {
	issue := notify.Variable{Name: "issue", ZH: "共性问题", EN: "common issue", Example: "企业开办后续环节重复提交登记材料"}
	due := notify.Variable{Name: "due", ZH: "整改期限", EN: "fix deadline", Example: "2026-12-23 23:59"}
	left := notify.Variable{Name: "days_left", ZH: "剩余天数", EN: "days left", Example: "5"}
	notify.RegisterType(notify.MessageType{Key: MsgCommonFixWarning, NameZH: "共性问题整改临期预警", NameEN: "Common-issue fix due soon",
		Variables: []notify.Variable{issue, due, left},
		Defaults: both(notify.Template{Subject: "共性问题整改临期：{{.issue}}", Body: "共性问题「{{.issue}}」整改期限 {{.due}}，剩余 {{.days_left}} 天，请按期完成整改并报告。"},
			notify.Template{Subject: "Common-issue fix due soon: {{.issue}}", Body: "The fix of the common issue \"{{.issue}}\" is due {{.due}} ({{.days_left}} days left); please finish and report it in time."})})
	notify.RegisterType(notify.MessageType{Key: MsgCommonFixOverdue, NameZH: "共性问题整改逾期", NameEN: "Common-issue fix overdue",
		Variables: []notify.Variable{issue, due},
		Defaults: both(notify.Template{Subject: "共性问题整改逾期：{{.issue}}", Body: "共性问题「{{.issue}}」已超过整改期限（{{.due}}）仍未报告整改完成，请督促办理。"},
			notify.Template{Subject: "Common-issue fix overdue: {{.issue}}", Body: "The fix of the common issue \"{{.issue}}\" is overdue (due {{.due}}) and not reported done."})})
}

func issueLink(id int64) string { return "/appeal-issues/" + strconv.FormatInt(id, 10) }

// validateCommonAlerts checks the warning lead of the fix clock.
func (st *Settings) validateCommonAlerts(v *yserr.Validation) {
	if st.CommonWarnDays < 0 || st.CommonWarnDays > 60 {
		v.Add("common_warn_days", "共性问题整改预警提前天数须为 0-60 天（0 为不预警）", "the common-issue fix warning must come 0-60 days before the deadline (0: no warning)")
	}
}

type fixRef struct {
	id, deptID int64
	title      string
	due        time.Time
}

// scanCommonFixes sends the fix clock's alerts due at now.
func (s *Service) scanCommonFixes(ctx context.Context, st Settings, now time.Time, res *ScanResult) error {
	levels := []struct {
		level int
		by    time.Time // fix deadlines up to this one are due for the level
		typ   string
		key   string
	}{{fixLevelLate, now, MsgCommonFixOverdue, "common_fix/overdue"}}
	if st.CommonWarnDays > 0 {
		// A deadline (the end of day D) is within the warning when D is at
		// most today + CommonWarnDays - 1.
		today := calendar.FromTime(now, shanghai)
		levels = append(levels, struct {
			level int
			by    time.Time
			typ   string
			key   string
		}{fixLevelWarned, endOfDay(today.AddDays(st.CommonWarnDays - 1)), MsgCommonFixWarning, "common_fix/warning"})
	}
	for _, lv := range levels {
		list, err := s.fixesDue(ctx, lv.level, lv.by)
		if err != nil {
			return err
		}
		for _, c := range list {
			err := s.DB.WithTx(ctx, func(ctx context.Context) error {
				n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_common_issues SET fix_alert = $1 WHERE id = $2 AND fix_alert < $1 AND stage = $3`,
					lv.level, c.id, StageFixing)
				if err != nil || n == 0 {
					return err
				}
				if err := s.Audit.Record(ctx, "appeal.common_issue.alert", "appeal_common_issue", strconv.FormatInt(c.id, 10), nil,
					map[string]any{"level": lv.level, "fix_due": c.due}, lv.key); err != nil {
					return err
				}
				if err := s.notifyFix(ctx, lv.typ, c, now); err != nil {
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

// fixesDue reads the common issues being fixed, due by by, whose fix_alert
// is below level.
func (s *Service) fixesDue(ctx context.Context, level int, by time.Time) ([]fixRef, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, COALESCE(dept_id, 0), title, fix_due FROM appeal_common_issues
		WHERE stage = $1 AND fix_alert < $2 AND fix_due <= $3 ORDER BY fix_due, id LIMIT 1000`, StageFixing, level, by)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fixRef
	for rows.Next() {
		var c fixRef
		if err := rows.Scan(&c.id, &c.deptID, &c.title, &c.due); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// notifyFix sends one fix-clock message to the responsible department's
// staff and admins and to the dispatchers.
func (s *Service) notifyFix(ctx context.Context, typ string, c fixRef, now time.Time) error {
	ids, err := s.dispatchers(ctx)
	if err != nil {
		return err
	}
	if c.deptID != 0 {
		staff, err := s.Accounts.DeptUsers(ctx, c.deptID, auth.DeptStaff, auth.DeptAdmin)
		if err != nil {
			return err
		}
		ids = append(ids, staff...)
	}
	ids = without(ids, nil)
	if len(ids) == 0 {
		return nil
	}
	left := calendar.FromTime(c.due, shanghai).Sub(calendar.FromTime(now, shanghai)) + 1
	_, err = s.Notify.Send(ctx, notify.Message{Type: typ, To: recipients(ids), Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal_common_issue", ObjectID: strconv.FormatInt(c.id, 10), Link: issueLink(c.id),
		Data: map[string]any{"issue": c.title, "due": fmtDue(&c.due), "days_left": strconv.Itoa(left)}})
	return err
}

// FixClockIssues lists the common issues being fixed whose fix deadline
// has passed or falls within the warning lead (Settings.CommonWarnDays,
// the same window as the warning), soonest deadline first, at most limit
// (1-500): the alerts page's section on fix clocks. The office and
// supervisors, as for Alerts.
func (s *Service) FixClockIssues(ctx context.Context, limit int) ([]CommonIssue, error) {
	if err := s.requireOffice(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	by := s.now()
	if st.CommonWarnDays > 0 {
		by = by.AddDate(0, 0, st.CommonWarnDays)
	}
	return s.listCommon(ctx, "c.stage = $1 AND c.fix_due <= $2 ORDER BY c.fix_due, c.id LIMIT "+strconv.Itoa(limit), StageFixing, by)
}
