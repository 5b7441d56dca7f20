package appeal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/workflow"
)

var shanghai = calendar.Shanghai

// computeDeadlines sets the three deadlines of a from its state:
//
//   - first response (签收): end of the FirstResponseWD-th working day after
//     the submission day;
//   - reply: end of the (ReplyWD[kind] + extension + paused)-th working day
//     after the day the clock started (submission, or the reopening or
//     escalation), where paused is the number of distinct working days on
//     which the clock stood still at any moment (a partly paused working day
//     counts as a whole day); no reply deadline when ReplyWD[kind] is 0;
//   - follow-up (回访): end of the FollowUpWD-th working day after the reply day.
func (s *Service) computeDeadlines(ctx context.Context, cal *calendar.Calendar, st Settings, a *Appeal) error {
	fr := workflow.Deadline(cal, a.SubmittedAt, st.FirstResponseWD)
	a.FirstResponseDue = &fr
	a.ReplyDue = nil
	n, err := s.replyDays(ctx, st, a)
	if err != nil {
		return err
	}
	if n > 0 {
		pauses, err := s.pauses(ctx, a)
		if err != nil {
			return err
		}
		c := workflow.Clock{Start: a.ClockStart, Days: n, Extension: a.ExtensionDays, Pauses: pauses}
		if d, ok := c.Due(cal); ok {
			a.ReplyDue = &d
		}
	}
	a.FollowupDue = nil
	if a.RepliedAt != nil {
		d := workflow.Deadline(cal, *a.RepliedAt, st.FollowUpWD)
		a.FollowupDue = &d
	}
	return nil
}

// pauses reads the closed pauses that started after the reply clock
// started.
func (s *Service) pauses(ctx context.Context, a *Appeal) ([]workflow.Span, error) {
	if a.ID == 0 {
		return nil, nil
	}
	rows, err := s.DB.W(ctx).Query(ctx, `SELECT started_at, ended_at FROM appeal_pauses
		WHERE appeal_id = $1 AND started_at >= $2 AND ended_at IS NOT NULL`, a.ID, a.ClockStart)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var spans []workflow.Span
	for rows.Next() {
		var sp workflow.Span
		if err := rows.Scan(&sp.From, &sp.To); err != nil {
			return nil, err
		}
		spans = append(spans, sp)
	}
	return spans, rows.Err()
}

// PausedWorkdays is the number of distinct working days (Asia/Shanghai)
// on which any of the spans [from, to] lies, partly or wholly.
func PausedWorkdays(cal *calendar.Calendar, spans [][2]time.Time) int {
	list := make([]workflow.Span, len(spans))
	for i, sp := range spans {
		list[i] = workflow.Span{From: sp[0], To: sp[1]}
	}
	return workflow.PausedWorkdays(cal, list)
}

// syncAlerts keeps the alert column of each clock right after a
// transition. The column says up to which level the scan has nothing left
// to send for the clock's current deadline:
//
//   - a clock that does not run in the new state has nothing to send: 3
//     (LevelSecond), which takes the appeal out of the scan's partial
//     index, so the scan never reads closed or answered appeals again;
//   - a clock that starts running (again), or whose deadline moved, gets the
//     highest level already sent for this very deadline (appeal_alerts
//     keeps them), usually 0;
//   - otherwise the column stays.
func (s *Service) syncAlerts(ctx context.Context, before, after *Appeal) error {
	for _, c := range clocks {
		col, due, was := c.alert(after), c.due(after), c.due(before)
		switch {
		case !c.runs(after.State):
			*col = LevelSecond
		case !c.runs(before.State) || !sameTime(was, due):
			*col = 0
			if due == nil || after.ID == 0 {
				continue
			}
			if err := s.DB.W(ctx).QueryRow(ctx, `SELECT COALESCE(MAX(level), 0) FROM appeal_alerts
				WHERE appeal_id = $1 AND clock = $2 AND due_at = $3`, after.ID, c.name, *due).Scan(col); err != nil {
				return err
			}
		}
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// WarnAt is when the warning for a deadline is due: k half working days
// before it, each working day having two halves (00:00-12:00 and
// 12:00-24:00 Asia/Shanghai). k = 1 is 12:00 of the deadline day, k = 2 its
// 00:00, k = 3 12:00 of the previous working day. k <= 0: never.
func WarnAt(cal *calendar.Calendar, due time.Time, k int) (time.Time, bool) {
	return workflow.WarnAt(cal, due, k)
}

// SecondLevelAt is when an overdue deadline goes to the supervisors: the
// end of the n-th working day after the deadline day.
func SecondLevelAt(cal *calendar.Calendar, due time.Time, n int) time.Time {
	return workflow.EscalateAt(cal, due, n)
}

// Alert levels.
const (
	LevelWarning = 1 // 临期预警: handler and department admins
	LevelOverdue = 2 // 逾期: dispatchers
	LevelSecond  = 3 // 二级预警: supervisors
)

// clockDef is one SLA clock the scan watches.
type clockDef struct {
	name, dueCol, alertCol string
	states                 []State // the states in which the clock runs
	due                    func(a *Appeal) *time.Time
	alert                  func(a *Appeal) *int
}

var clocks = []clockDef{
	{"first_response", "first_response_due", "fr_alert", []State{Submitted, Accepted, Assigned},
		func(a *Appeal) *time.Time { return a.FirstResponseDue }, func(a *Appeal) *int { return &a.FRAlert }},
	{"reply", "reply_due", "reply_alert", []State{Assigned, InProgress, Reopened, Escalated},
		func(a *Appeal) *time.Time { return a.ReplyDue }, func(a *Appeal) *int { return &a.ReplyAlert }},
	{"followup", "followup_due", "fu_alert", []State{Replied, Rated},
		func(a *Appeal) *time.Time { return a.FollowupDue }, func(a *Appeal) *int { return &a.FUAlert }},
}

// runs reports whether the clock runs in state st.
func (c clockDef) runs(st State) bool { return contains(c.states, st) }

// dueSQL reads the appeals due by $1 whose alerts are not all sent.
func (c clockDef) dueSQL() string {
	return `SELECT id, ` + c.dueCol + `, ` + c.alertCol + `, state FROM appeals WHERE ` + c.dueCol + ` <= $1 AND ` + c.alertCol + ` < 3`
}

// stateList is the clock's states as SQL literals (constants, not input).
func (c clockDef) stateList() string {
	q := make([]string, len(c.states))
	for i, st := range c.states {
		q[i] = "'" + string(st) + "'"
	}
	return strings.Join(q, ", ")
}

// ScanResult summarises one SLA scan.
type ScanResult struct {
	At       time.Time      `json:"at"`
	Examined int            `json:"examined" doc:"appeals read: due by now (or nearly), alerts not all sent"`
	Settled  int            `json:"settled" doc:"of those, appeals whose clock had stopped: marked as having nothing to send"`
	Alerts   map[string]int `json:"alerts" doc:"clock/level -> alerts sent"`
	Took     string         `json:"took"`
}

// Scan sends the warnings and alerts due now. It is idempotent: each alert
// is sent once per appeal, clock, level and deadline (a UNIQUE row in
// appeal_alerts), so concurrent or repeated scans send nothing twice.
func (s *Service) Scan(ctx context.Context) (*ScanResult, error) {
	start := time.Now()
	now := s.now()
	res := &ScanResult{At: now, Alerts: map[string]int{}}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	// A deadline whose warning is due now ends no later than this.
	cutoff := workflow.WarnHorizon(cal, now, st.WarnHalfDays)
	for _, c := range clocks {
		if err := s.scanClock(ctx, cal, st, c, now, cutoff, res); err != nil {
			return nil, err
		}
	}
	if err := s.scanTerms(ctx, cal, st, now, cutoff, res); err != nil {
		return nil, err
	}
	if err := s.scanMeetingTasks(ctx, now, cutoff, res); err != nil {
		return nil, err
	}
	if err := s.scanCommonFixes(ctx, st, now, res); err != nil {
		return nil, err
	}
	res.Took = time.Since(start).Round(time.Millisecond).String()
	return res, nil
}

type due struct {
	id    int64
	due   time.Time
	level int
	state State
}

func (s *Service) scanClock(ctx context.Context, cal *calendar.Calendar, st Settings, c clockDef, now, cutoff time.Time, res *ScanResult) error {
	list, err := s.dueList(ctx, c, cutoff)
	if err != nil {
		return err
	}
	lad := ladder(st)
	var idle []int64
	for _, d := range list {
		res.Examined++
		if !c.runs(d.state) {
			idle = append(idle, d.id)
			continue
		}
		if _, err := lad.Escalate(cal, d.due, now, d.level, func(level int) error {
			sent, err := s.raise(ctx, c, d, level, now)
			if sent {
				res.Alerts[c.name+"/"+strconv.Itoa(level)]++
			}
			return err
		}); err != nil {
			return err
		}
	}
	n, err := s.settle(ctx, c, idle)
	res.Settled += n
	return err
}

// dueList reads the appeals of clock c due by cutoff whose alerts are not
// all sent. The condition is exactly the partial index's
// (appeals_<clock>_due ... WHERE <clock>_alert < 3) plus a range on the
// deadline, and nothing else: with a condition on the state as well,
// SQLite's planner prefers the index on state and reads every appeal in
// those states. So the cost follows the number of appeals due, not the
// size of the table. The state is filtered afterwards.
func (s *Service) dueList(ctx context.Context, c clockDef, cutoff time.Time) ([]due, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, c.dueSQL(), cutoff)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		var st string
		if err := rows.Scan(&d.id, &d.due, &d.level, &st); err != nil {
			return nil, err
		}
		d.state = State(st)
		out = append(out, d)
	}
	return out, rows.Err()
}

// settle marks appeals whose clock c no longer runs as having nothing to
// send (level 3), so that they leave the partial index. Transitions do
// that already (syncAlerts); this catches rows written before they did.
// The state is checked again in the UPDATE: an appeal whose clock started
// again meanwhile keeps its level.
func (s *Service) settle(ctx context.Context, c clockDef, ids []int64) (int, error) {
	total := 0
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		list := make([]string, len(part))
		for i, id := range part {
			list[i] = strconv.FormatInt(id, 10)
		}
		n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeals SET `+c.alertCol+` = 3 WHERE id IN (`+strings.Join(list, ",")+`) AND `+
			c.alertCol+` < 3 AND state NOT IN (`+c.stateList()+`)`)
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// ladder is the alert levels of every clock under the settings, in the
// order of LevelWarning, LevelOverdue, LevelSecond.
func ladder(st Settings) workflow.Ladder {
	return workflow.Ladder{
		workflow.Warning(st.WarnHalfDays, workflow.L(levelLabels[LevelWarning][0], levelLabels[LevelWarning][1])),
		workflow.Overdue(workflow.L(levelLabels[LevelOverdue][0], levelLabels[LevelOverdue][1])),
		workflow.OverdueBy(st.SecondLevelWD, workflow.L(levelLabels[LevelSecond][0], levelLabels[LevelSecond][1])),
	}
}

// raise records and sends one alert in one transaction, unless the
// appeal changed meanwhile (its clock stopped or its deadline moved).
func (s *Service) raise(ctx context.Context, c clockDef, d due, level int, now time.Time) (bool, error) {
	sent := false
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, d.id)
		if err != nil {
			return err
		}
		if !c.runs(a.State) || !sameTime(c.due(a), &d.due) {
			return nil
		}
		n, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_alerts (appeal_id, clock, level, due_at, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (appeal_id, clock, level, due_at) DO NOTHING`, d.id, c.name, level, d.due, now)
		if err != nil || n == 0 {
			return err
		}
		if _, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeals SET `+c.alertCol+` = $1 WHERE id = $2 AND `+c.alertCol+` < $1`, level, d.id); err != nil {
			return err
		}
		detail := c.name + " level " + strconv.Itoa(level)
		if err := s.Audit.Record(ctx, "appeal.alert", "appeal", strconv.FormatInt(d.id, 10), nil,
			map[string]any{"clock": c.name, "level": level, "due": d.due}, detail); err != nil {
			return err
		}
		if err := s.event(ctx, d.id, "alert", a.State, a.State, alertNote(c.name, level), false, now); err != nil {
			return err
		}
		sent = true
		return s.notifyAlert(ctx, a, c.name, level, d.due)
	})
	return sent, err
}

var clockLabels = map[string][2]string{"first_response": {"签收", "first response"}, "reply": {"答复", "reply"}, "followup": {"回访", "follow-up"},
	ClockFeedback: {"阶段性反馈", "interim feedback"}, ClockResolve: {"承诺办结", "committed resolution"}}
var levelLabels = map[int][2]string{LevelWarning: {"临期预警", "deadline warning"}, LevelOverdue: {"逾期", "overdue"}, LevelSecond: {"逾期二级预警", "second-level overdue alert"}}

// ClockLabel and LevelLabel name a clock and an alert level in lang.
func ClockLabel(c, lang string) string { return pick(clockLabels[c], lang) }

// LevelLabel names an alert level in lang.
func LevelLabel(l int, lang string) string { return pick(levelLabels[l], lang) }

func alertNote(clock string, level int) string {
	return ClockLabel(clock, "zh") + LevelLabel(level, "zh") + " / " + ClockLabel(clock, "en") + " " + LevelLabel(level, "en")
}

// Alert is a sent SLA alert.
type Alert struct {
	AppealID int64     `json:"appeal_id"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	Clock    string    `json:"clock" enum:"first_response,reply,followup,feedback,resolve"`
	Level    int       `json:"level" enum:"1,2,3"`
	DueAt    time.Time `json:"due_at"`
	At       time.Time `json:"at"`
	State    State     `json:"state"`
	Dept     string    `json:"dept,omitempty"`
}

// Alerts lists recent alerts of open appeals for dispatchers and
// supervisors (newest first), at most limit.
func (s *Service) Alerts(ctx context.Context, minLevel, limit int) ([]Alert, error) {
	if err := s.requireOffice(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.id, a.number, a.title, l.clock, l.level, l.due_at, l.created_at, a.state, COALESCE(a.lead_dept_id, 0)
		FROM appeal_alerts l JOIN appeals a ON a.id = l.appeal_id
		WHERE l.level >= $1 AND a.state NOT IN ('rejected', 'closed', 'merged') ORDER BY l.id DESC LIMIT `+strconv.Itoa(limit), minLevel)
	if err != nil {
		return nil, err
	}
	var out []Alert
	var depts []int64
	for rows.Next() {
		var a Alert
		var st string
		var dept int64
		if err := rows.Scan(&a.AppealID, &a.Number, &a.Title, &a.Clock, &a.Level, &a.DueAt, &a.At, &st, &dept); err != nil {
			rows.Close()
			return nil, err
		}
		a.State = State(st)
		out = append(out, a)
		depts = append(depts, dept)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.Accounts.DepartmentRefs(ctx, depts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Dept = names[depts[i]].Name
	}
	return out, nil
}
