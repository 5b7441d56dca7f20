package appeal

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/calendar"
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
	fr := cal.Deadline(a.SubmittedAt, st.FirstResponseWD)
	a.FirstResponseDue = &fr
	a.ReplyDue = nil
	if n := st.ReplyWD[string(a.Kind)]; n > 0 {
		paused, err := s.pausedWorkdays(ctx, cal, a)
		if err != nil {
			return err
		}
		d := cal.Deadline(a.ClockStart, n+a.ExtensionDays+paused)
		a.ReplyDue = &d
	}
	a.FollowupDue = nil
	if a.RepliedAt != nil {
		d := cal.Deadline(*a.RepliedAt, st.FollowUpWD)
		a.FollowupDue = &d
	}
	return nil
}

// pausedWorkdays counts the distinct working days touched by the closed
// pauses that started after the clock started.
func (s *Service) pausedWorkdays(ctx context.Context, cal *calendar.Calendar, a *Appeal) (int, error) {
	if a.ID == 0 {
		return 0, nil
	}
	rows, err := s.DB.W(ctx).Query(ctx, `SELECT started_at, ended_at FROM appeal_pauses
		WHERE appeal_id = $1 AND started_at >= $2 AND ended_at IS NOT NULL`, a.ID, a.ClockStart)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var spans [][2]time.Time
	for rows.Next() {
		var from, to time.Time
		if err := rows.Scan(&from, &to); err != nil {
			return 0, err
		}
		spans = append(spans, [2]time.Time{from, to})
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return PausedWorkdays(cal, spans), nil
}

// PausedWorkdays is the number of distinct working days (Asia/Shanghai)
// on which any of the spans [from, to] lies, partly or wholly.
func PausedWorkdays(cal *calendar.Calendar, spans [][2]time.Time) int {
	days := map[calendar.Date]bool{}
	for _, sp := range spans {
		from, to := calendar.FromTime(sp[0], shanghai), calendar.FromTime(sp[1], shanghai)
		for d := from; !d.After(to); d = d.AddDays(1) {
			if cal.IsWorkday(d) {
				days[d] = true
			}
		}
	}
	return len(days)
}

// resetAlerts starts the alert level of a clock again when its deadline moved.
func resetAlerts(before, after *Appeal) {
	if !sameTime(before.FirstResponseDue, after.FirstResponseDue) {
		after.FRAlert = 0
	}
	if !sameTime(before.ReplyDue, after.ReplyDue) {
		after.ReplyAlert = 0
	}
	if !sameTime(before.FollowupDue, after.FollowupDue) {
		after.FUAlert = 0
	}
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
	if k <= 0 {
		return time.Time{}, false
	}
	d := calendar.FromTime(due, shanghai)
	day := cal.AddWorkdays(d, -(k-1)/2)
	if (k-1)/2 == 0 {
		day = d
	}
	t := day.Time(shanghai)
	if k%2 == 1 {
		t = t.Add(12 * time.Hour)
	}
	return t, true
}

// SecondLevelAt is when an overdue deadline goes to the supervisors: the
// end of the n-th working day after the deadline day.
func SecondLevelAt(cal *calendar.Calendar, due time.Time, n int) time.Time {
	return cal.Deadline(due, n)
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
	states                 []State
}

var clocks = []clockDef{
	{"first_response", "first_response_due", "fr_alert", []State{Submitted, Accepted, Assigned}},
	{"reply", "reply_due", "reply_alert", []State{Assigned, InProgress, Reopened, Escalated}},
	{"followup", "followup_due", "fu_alert", []State{Replied, Rated}},
}

// ScanResult summarises one SLA scan.
type ScanResult struct {
	At       time.Time      `json:"at"`
	Examined int            `json:"examined"`
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
	cutoff := cal.Deadline(now, (max(st.WarnHalfDays, 1)-1)/2+1)
	for _, c := range clocks {
		if err := s.scanClock(ctx, cal, st, c, now, cutoff, res); err != nil {
			return nil, err
		}
	}
	res.Took = time.Since(start).Round(time.Millisecond).String()
	return res, nil
}

type due struct {
	id    int64
	due   time.Time
	level int
}

func (s *Service) scanClock(ctx context.Context, cal *calendar.Calendar, st Settings, c clockDef, now, cutoff time.Time, res *ScanResult) error {
	list, err := s.dueList(ctx, c, cutoff)
	if err != nil {
		return err
	}
	for _, d := range list {
		res.Examined++
		level := levelAt(cal, st, d.due, now)
		if level <= d.level {
			continue
		}
		sent, err := s.raise(ctx, c, d, level, now)
		if err != nil {
			return err
		}
		if sent {
			res.Alerts[c.name+"/"+strconv.Itoa(level)]++
		}
	}
	return nil
}

// dueList reads the appeals of clock c due by cutoff whose alerts are not
// all sent. It walks the (due, alert) index, so its cost follows the
// number of such appeals, not the size of the table.
func (s *Service) dueList(ctx context.Context, c clockDef, cutoff time.Time) ([]due, error) {
	args := []any{cutoff}
	in := ""
	for i, st := range c.states {
		if i > 0 {
			in += ", "
		}
		args = append(args, string(st))
		in += "$" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, `+c.dueCol+`, `+c.alertCol+` FROM appeals
		WHERE `+c.dueCol+` <= $1 AND `+c.alertCol+` < 3 AND state IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.due, &d.level); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func levelAt(cal *calendar.Calendar, st Settings, dueAt, now time.Time) int {
	switch {
	case now.After(SecondLevelAt(cal, dueAt, st.SecondLevelWD)):
		return LevelSecond
	case now.After(dueAt):
		return LevelOverdue
	}
	if w, ok := WarnAt(cal, dueAt, st.WarnHalfDays); ok && !now.Before(w) {
		return LevelWarning
	}
	return 0
}

// raise records and sends one alert in one transaction.
func (s *Service) raise(ctx context.Context, c clockDef, d due, level int, now time.Time) (bool, error) {
	sent := false
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_alerts (appeal_id, clock, level, due_at, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (appeal_id, clock, level, due_at) DO NOTHING`, d.id, c.name, level, d.due, now)
		if err != nil || n == 0 {
			return err
		}
		if _, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeals SET `+c.alertCol+` = $1 WHERE id = $2 AND `+c.alertCol+` < $1`, level, d.id); err != nil {
			return err
		}
		a, err := s.load(ctx, d.id)
		if err != nil {
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

var clockLabels = map[string][2]string{"first_response": {"签收", "first response"}, "reply": {"答复", "reply"}, "followup": {"回访", "follow-up"}}
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
	Clock    string    `json:"clock" enum:"first_response,reply,followup"`
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
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.id, a.number, a.title, l.clock, l.level, l.due_at, l.created_at, a.state, COALESCE(d.name, '')
		FROM appeal_alerts l JOIN appeals a ON a.id = l.appeal_id LEFT JOIN departments d ON d.id = a.lead_dept_id
		WHERE l.level >= $1 AND a.state NOT IN ('rejected', 'closed', 'merged') ORDER BY l.id DESC LIMIT `+strconv.Itoa(limit), minLevel)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		var st string
		if err := rows.Scan(&a.AppealID, &a.Number, &a.Title, &a.Clock, &a.Level, &a.DueAt, &a.At, &st, &a.Dept); err != nil {
			return nil, err
		}
		a.State = State(st)
		out = append(out, a)
	}
	return out, rows.Err()
}
