package license

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
)

// scanBatch is how many licences one scan transaction handles.
const scanBatch = 100

// Rule is the stage configuration of one licence type: days before
// expiry of the two reminders and the follow-up list, days after expiry
// of the lapse.
type Rule struct {
	Remind1, Remind2, Followup, Lapse int
	sendMinutes                       int
}

// DefaultRule is 30/7/3/0.
func DefaultRule() Rule {
	return Rule{Remind1: 30, Remind2: 7, Followup: 3, Lapse: 0, sendMinutes: 9 * 60}
}

// DueStages returns the stages due on day today for a licence expiring on
// expires, in order, given the stages already done. cal decides the
// working day of the follow-up list.
func (r Rule) DueStages(cal *calendar.Calendar, today, expires calendar.Date, done []string, closing bool) []string {
	d := expires.Sub(today)
	var out []string
	add := func(stage string, due bool) {
		if due && !slices.Contains(done, stage) {
			out = append(out, stage)
		}
	}
	add(StageRemind1, !closing && d <= r.Remind1 && d > r.Remind2)
	add(StageRemind2, !closing && d <= r.Remind2 && d > r.Followup)
	listOn := cal.LastWorkdayOnOrBefore(expires.AddDays(-r.Followup))
	add(StageFollowup, !today.Before(listOn) && d > -r.Lapse)
	add(StageLapsed, d <= -r.Lapse)
	return out
}

// ScanArgs is the periodic job that runs the daily scan.
type ScanArgs struct{}

// Kind names the job.
func (ScanArgs) Kind() string { return "license.scan" }

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	s *Service
}

func (w *scanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	_, err := w.s.Scan(ctx)
	return err
}

// ScanEvery is how often the periodic scan job runs; each run does only
// what is due, so running often costs little and catches up quickly.
const ScanEvery = 10 * time.Minute

// RegisterJobs registers the scan worker and its periodic job on q.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &scanWorker{s: s})
	q.Every(ScanEvery, func() river.JobArgs { return ScanArgs{} }, true)
}

// candidate is an active licence near or past expiry with its done stages.
type candidate struct {
	id      int64
	typeID  int64
	expires calendar.Date
	closing bool
	done    []string
	due     []string
}

// Scan runs the daily scan once as of the service clock: for every active
// licence of a type whose send time has passed today (Asia/Shanghai), it
// performs the stages that are due and not yet done, and returns how many
// licences each stage acted on (every stage key present). Safe to run
// concurrently: each stage of a licence happens once. It also reminds
// department admins once a quarter to review their catalogue.
func (s *Service) Scan(ctx context.Context) (Summary, error) {
	ctx = auth.WithActor(ctx, auth.System("license.scan"))
	sum := Summary{}
	for _, st := range Stages {
		sum[st] = 0
	}
	rules, err := s.readyRules(ctx)
	if err != nil || len(rules) == 0 {
		return sum, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return sum, err
	}
	today := s.today()
	cands, err := s.candidates(ctx, rules, cal, today)
	if err != nil {
		return sum, err
	}
	for start := 0; start < len(cands); start += scanBatch {
		batch := cands[start:min(start+scanBatch, len(cands))]
		if err := s.DB.WithTx(ctx, func(ctx context.Context) error { return s.scanBatch(ctx, batch, today, sum) }); err != nil {
			return sum, err
		}
	}
	return sum, s.remindReviews(ctx, today)
}

// readyRules returns the stage rules of the active types whose send time
// has passed today.
func (s *Service) readyRules(ctx context.Context) (map[int64]Rule, error) {
	now := s.Clock.Now().In(calendar.Shanghai)
	minutes := now.Hour()*60 + now.Minute()
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, remind1_days, remind2_days, followup_days, lapse_days, send_time
		FROM license_types WHERE active = TRUE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]Rule{}
	for rows.Next() {
		var id int64
		var r Rule
		var send string
		if err := rows.Scan(&id, &r.Remind1, &r.Remind2, &r.Followup, &r.Lapse, &send); err != nil {
			return nil, err
		}
		if r.sendMinutes, err = parseSendTime(send); err != nil {
			r.sendMinutes = 9 * 60
		}
		if minutes >= r.sendMinutes {
			out[id] = r
		}
	}
	return out, rows.Err()
}

// candidates reads the active licences expiring within the largest first
// reminder window (one index range scan) and keeps those with a due stage.
func (s *Service) candidates(ctx context.Context, rules map[int64]Rule, cal *calendar.Calendar, today calendar.Date) ([]*candidate, error) {
	horizon := 0
	for _, r := range rules {
		horizon = max(horizon, r.Remind1)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT l.id, l.type_id, l.expires_on, l.holder_answer, COALESCE(r.stage, '')
		FROM licenses l LEFT JOIN license_reminders r ON r.license_id = l.id
		WHERE l.status = 'active' AND l.expires_on <= $1 ORDER BY l.id`, today.AddDays(horizon).String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []*candidate
	var cur *candidate
	for rows.Next() {
		var id, typeID int64
		var exp, answer, stage string
		if err := rows.Scan(&id, &typeID, &exp, &answer, &stage); err != nil {
			return nil, err
		}
		if cur == nil || cur.id != id {
			d, err := calendar.ParseDate(exp)
			if err != nil {
				return nil, fmt.Errorf("licence %d: %w", id, err)
			}
			cur = &candidate{id: id, typeID: typeID, expires: d, closing: answer == AnswerClosing}
			all = append(all, cur)
		}
		if stage != "" {
			cur.done = append(cur.done, stage)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		r, ok := rules[c.typeID]
		if !ok {
			continue
		}
		if c.due = r.DueStages(cal, today, c.expires, c.done, c.closing); len(c.due) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// scanBatch performs the due stages of a batch of licences in the
// transaction in ctx.
func (s *Service) scanBatch(ctx context.Context, batch []*candidate, today calendar.Date, sum Summary) error {
	acted := Summary{}
	listed := map[int64]int{} // department -> licences put on its follow-up list
	for _, c := range batch {
		l, t, err := s.loadForScan(ctx, c.id)
		if err != nil {
			return err
		}
		if l.Status != StatusActive {
			continue // renewed or closed since the candidates were read
		}
		for _, stage := range c.due {
			ok, err := s.claim(ctx, c.id, stage, today)
			if err != nil {
				return err
			}
			if !ok {
				continue // another scan did it
			}
			n, err := s.perform(ctx, l, t, stage, today)
			if err != nil {
				return fmt.Errorf("licence %d stage %s: %w", c.id, stage, err)
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_reminders SET messages = $1 WHERE license_id = $2 AND stage = $3", n, c.id, stage); err != nil {
				return err
			}
			acted[stage]++
			if stage == StageFollowup {
				listed[l.DepartmentID]++
			}
		}
	}
	if len(acted) == 0 {
		return nil
	}
	if err := s.notifyFollowups(ctx, listed, today); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "license.scan", "license_scan", today.String(), nil, acted,
		fmt.Sprintf("daily scan %s: %v", today, map[string]int(acted))); err != nil {
		return err
	}
	db.AfterCommit(ctx, func() {
		for k, v := range acted {
			sum[k] += v
		}
	})
	return nil
}

// claim inserts the stage row first: false when it already exists.
func (s *Service) claim(ctx context.Context, id int64, stage string, today calendar.Date) (bool, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `INSERT INTO license_reminders (license_id, stage, scan_day, created_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (license_id, stage) DO NOTHING RETURNING id`, id, stage, today.String(), s.Clock.Now())
	if err != nil {
		return false, err
	}
	defer rows.Close()
	got := rows.Next()
	return got, rows.Err()
}

// perform does one stage of one licence and returns the messages created.
func (s *Service) perform(ctx context.Context, l *License, t *Type, stage string, today calendar.Date) (int, error) {
	switch stage {
	case StageRemind1, StageRemind2:
		return s.remindHolder(ctx, l, t, MsgReminder, today)
	case StageFollowup:
		_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO license_followups (license_id, department_id, listed_on, status, created_at)
			VALUES ($1,$2,$3,'open',$4) ON CONFLICT (license_id) DO NOTHING`, l.ID, l.DepartmentID, today.String(), s.Clock.Now())
		return 0, err
	case StageLapsed:
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE licenses SET status = 'lapsed', updated_at = $1 WHERE id = $2 AND status = 'active'", s.Clock.Now(), l.ID); err != nil {
			return 0, err
		}
		return s.remindHolder(ctx, l, t, MsgExpired, today)
	}
	return 0, fmt.Errorf("unknown stage %q", stage)
}

// remindHolder sends a reminder (or the last notice) to the holder: in-app
// to the accounts bound to the holder entity, SMS to the licence's phone
// (or, without one, to those accounts' phones).
func (s *Service) remindHolder(ctx context.Context, l *License, t *Type, msgType string, today calendar.Date) (int, error) {
	phone, err := s.phone(ctx, l.ID)
	if err != nil {
		return 0, err
	}
	users, err := s.entityUsers(ctx, l.EntityID)
	if err != nil {
		return 0, err
	}
	data, err := s.messageData(l, t, today)
	if err != nil {
		return 0, err
	}
	msg := notify.Message{Type: msgType, Data: data, ObjectType: "license", ObjectID: strconv.FormatInt(l.ID, 10)}
	n := 0
	if len(users) > 0 {
		m := msg
		m.Channels = []string{notify.ChannelInApp}
		if phone == "" {
			m.Channels = append(m.Channels, notify.ChannelSMS)
		}
		for _, u := range users {
			m.To = append(m.To, notify.Recipient{UserID: u})
		}
		ids, err := s.Notify.Send(ctx, m)
		if err != nil {
			return 0, err
		}
		n += len(ids)
	}
	if phone != "" || len(users) == 0 {
		m := msg
		m.Channels = []string{notify.ChannelSMS}
		m.To = []notify.Recipient{{Phone: phone}} // no phone: a failed row says so
		ids, err := s.Notify.Send(ctx, m)
		if err != nil {
			return 0, err
		}
		n += len(ids)
	}
	return n, nil
}

// messageData renders the type's templates for the licence.
func (s *Service) messageData(l *License, t *Type, today calendar.Date) (map[string]any, error) {
	vars := TemplateData(l, t, today)
	sms, err := renderTemplate(t.SMSTemplate, vars)
	if err != nil {
		return nil, fmt.Errorf("SMS template of %s: %w", t.Code, err)
	}
	inapp, err := renderTemplate(t.InAppTemplate, vars)
	if err != nil {
		return nil, fmt.Errorf("in-app template of %s: %w", t.Code, err)
	}
	return map[string]any{"sms_text": sms, "inapp_text": inapp, "license_type": t.Name, "number": l.Number,
		"expires_on": l.ExpiresOn, "days_left": vars["days_left"], "license_id": l.ID}, nil
}

// TemplateData returns the template variables for a licence as of today.
func TemplateData(l *License, t *Type, today calendar.Date) map[string]any {
	exp, _ := calendar.ParseDate(l.ExpiresOn)
	channels := ""
	switch {
	case t.ChannelsOnline != "" && t.ChannelsOffline != "":
		channels = "线上：" + t.ChannelsOnline + "；线下：" + t.ChannelsOffline
	case t.ChannelsOnline != "":
		channels = "线上：" + t.ChannelsOnline
	default:
		channels = "线下：" + t.ChannelsOffline
	}
	return map[string]any{"holder": l.HolderName, "license_type": t.Name, "number": l.Number, "expires_on": l.ExpiresOn,
		"days_left": max(exp.Sub(today), 0), "channels": channels, "materials": t.Materials, "phone": t.Phone, "department": t.DepartmentName}
}

// notifyFollowups tells each department's admins how many licences the
// scan put on its follow-up list.
func (s *Service) notifyFollowups(ctx context.Context, listed map[int64]int, today calendar.Date) error {
	for dept, n := range listed {
		admins, err := s.deptAdmins(ctx, dept)
		if err != nil || len(admins) == 0 {
			return err
		}
		m := notify.Message{Type: MsgFollowup, Channels: []string{notify.ChannelInApp},
			Data: map[string]any{"count": n, "day": today.String()}, ObjectType: "license_followups", ObjectID: strconv.FormatInt(dept, 10)}
		for _, u := range admins {
			m.To = append(m.To, notify.Recipient{UserID: u})
		}
		if _, err := s.Notify.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// remindReviews reminds the admins of each department with a catalogue
// not reviewed this quarter, once per quarter.
func (s *Service) remindReviews(ctx context.Context, today calendar.Date) error {
	q := Quarter(today)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT DISTINCT department_id FROM license_types
		WHERE active = TRUE AND review_reminded <> $1 AND last_review_on < $2`, q, QuarterStart(today).String())
	if err != nil {
		return err
	}
	var depts []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		depts = append(depts, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, dept := range depts {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			c, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_types SET review_reminded = $1 WHERE department_id = $2 AND review_reminded <> $1", q, dept)
			if err != nil || c == 0 {
				return err
			}
			admins, err := s.deptAdmins(ctx, dept)
			if err != nil || len(admins) == 0 {
				return err
			}
			m := notify.Message{Type: MsgReview, Channels: []string{notify.ChannelInApp}, Data: map[string]any{"quarter": q},
				ObjectType: "license_review", ObjectID: strconv.FormatInt(dept, 10)}
			for _, u := range admins {
				m.To = append(m.To, notify.Recipient{UserID: u})
			}
			_, err = s.Notify.Send(ctx, m)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Quarter names the quarter of d, e.g. 2026Q4.
func Quarter(d calendar.Date) string {
	return fmt.Sprintf("%dQ%d", d.Year(), (int(d.Month())-1)/3+1)
}

// QuarterStart is the first day of d's quarter.
func QuarterStart(d calendar.Date) calendar.Date {
	return calendar.NewDate(d.Year(), time.Month((int(d.Month())-1)/3*3+1), 1)
}
