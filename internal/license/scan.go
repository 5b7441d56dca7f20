package license

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
)

// scanBatchSize is how many licences one scan transaction handles on
// SQLite, and scanBatchSizePG on PostgreSQL, where a batch costs a fixed
// number of round trips whatever its size (variables so that the
// concurrency test can make batches small).
var scanBatchSize, scanBatchSizePG = 250, 2000

// scanFastPath selects the PostgreSQL batch (one statement claims the
// stages, lists the follow-ups, marks the lapses and reads the licences);
// the equality test turns it off to compare with the statement-by-statement
// batch that SQLite runs.
var scanFastPath = true

// scanWorkers is how many batches of one scan run at once on PostgreSQL,
// each in its own transaction on its own connection (SQLite has one
// writer). The batches hold disjoint licences and each claims in
// ascending licence order, so they cannot deadlock, with each other or
// with another scan's batches.
var scanWorkers = 2

// scanNextDue selects the scan's read of the licences whose next due day
// (license_due) has come or whose stage windows opened since the last
// scan (index ranges over license_due_day and licenses_scan); the equality test turns it off to
// compare with the straightforward read of every active licence within
// the first reminder window.
var scanNextDue = true

// Rule is the stage configuration of one licence type: days before
// expiry of the two reminders and the follow-up list, days after expiry
// of the lapse.
type Rule struct {
	Remind1, Remind2, Followup, Lapse int
	sendMinutes                       int
	through, listed                   *string // the type's scan marks (scan_through, scan_listed); nil: none yet
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

// nextDue returns the first day on or after from on which a stage of a
// licence expiring on expires, not in done, can be due, and false when no
// stage can be due any more. For the follow-up list it is the nominal day
// expires - Followup (or from, if later): the list falls due on the last
// working day on or before it, which the scan covers by reading up to
// dueHorizon. The result is never later than the first day DueStages
// returns a stage not in done, from on.
func (r Rule) nextDue(expires, from calendar.Date, done []string, closing bool) (calendar.Date, bool) {
	var best calendar.Date
	found := false
	try := func(stage string, start, end calendar.Date, open bool) { // the stage can be due on [start, end]
		if slices.Contains(done, stage) || (!open && from.After(end)) {
			return
		}
		t := start
		if t.Before(from) {
			t = from
		}
		if !open && t.After(end) && stage != StageFollowup {
			return
		}
		if !found || t.Before(best) {
			best, found = t, true
		}
	}
	if !closing {
		try(StageRemind1, expires.AddDays(-r.Remind1), expires.AddDays(-r.Remind2-1), false)
		try(StageRemind2, expires.AddDays(-r.Remind2), expires.AddDays(-r.Followup-1), false)
	}
	try(StageFollowup, expires.AddDays(-r.Followup), expires.AddDays(r.Lapse-1), false)
	try(StageLapsed, expires.AddDays(r.Lapse), calendar.Date{}, true)
	return best, found
}

// dueHorizon is the last next due day the scan of day today reads: the day
// before the next working day. A follow-up list whose nominal day X falls
// due today (the last working day on or before X is not after today) is
// exactly one with X before the next working day after today.
func dueHorizon(cal *calendar.Calendar, today calendar.Date) calendar.Date {
	h := cal.NextWorkday(today).AddDays(-1)
	if h.Before(today) {
		return today
	}
	return h
}

// newMargin is how many days after the day it is made a new licence's
// first stage window must open for it to be left to the scan's read by
// expiry (no license_due row): a scan that read before the licence was
// committed, on a day up to newMargin days later, still reads that window
// on a later day. An import running longer than that would have to be
// read by its next due day.
const newMargin = 7

// newNextDue is the next due day of a new licence expiring on expires,
// made on today: nil (no license_due row) when no stage window opens within newMargin days (the scan's
// read by expiry finds its first stage), else the first day a stage can be
// due.
func (r Rule) newNextDue(cal *calendar.Calendar, expires, today calendar.Date) *string {
	d, ok := r.nextDue(expires, today, nil, false)
	if !ok || d.After(dueHorizon(cal, today.AddDays(newMargin))) {
		return nil
	}
	return nextDueValue(d, true)
}

// ruleOf is the stage configuration of a type.
func ruleOf(t *Type) Rule {
	return Rule{Remind1: t.Remind1Days, Remind2: t.Remind2Days, Followup: t.FollowupDays, Lapse: t.LapseDays}
}

// nextDueValue is a licence's next due day as license_due keeps it: the
// day, or nil (no row).
func nextDueValue(d calendar.Date, ok bool) *string {
	if !ok {
		return nil
	}
	v := d.String()
	return &v
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
	oldNext *string // the license_due day as read (nil: no row)
	next    *string // the day once the due stages are done: nil (no row: the read by expiry finds the next stage)
}

// markDue marks licence id, if active, for the next scan to compute its
// next due day (an empty day in license_due), in the transaction in ctx.
func (s *Service) markDue(ctx context.Context, id int64) error {
	_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO license_due (license_id, next_due)
		SELECT id, '' FROM licenses WHERE id = $1 AND status = 'active'
		ON CONFLICT (license_id) DO UPDATE SET next_due = ''`, id)
	return err
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
	active, err := s.activeRules(ctx)
	if err != nil {
		return sum, err
	}
	rules := s.readyRules(active)
	if len(rules) == 0 {
		return sum, nil
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return sum, err
	}
	today := s.today()
	if err := s.backfillNextDue(ctx, active, today); err != nil {
		return sum, err
	}
	cands, stale, err := s.candidates(ctx, rules, cal, today)
	if err != nil {
		return sum, err
	}
	if err := s.updateNextDue(ctx, stale); err != nil {
		return sum, err
	}
	types, err := s.scanTypes(ctx)
	if err != nil {
		return sum, err
	}
	run := &scanRun{today: today, types: types, admins: map[int64][]int64{}, sum: sum}
	size, batch, workers := scanBatchSize, s.scanBatch, 1
	if s.DB.Dialect == db.Postgres && scanFastPath {
		// Enough batches for every worker, at most scanBatchSizePG each.
		workers = max(scanWorkers, 1)
		size, batch = max(min(scanBatchSizePG, (len(cands)+workers-1)/workers), 1), s.scanBatchPG
	}
	var parts [][]*candidate
	for start := 0; start < len(cands); start += size {
		parts = append(parts, cands[start:min(start+size, len(cands))])
	}
	if err := eachParallel(ctx, workers, parts, func(ctx context.Context, part []*candidate) error {
		return s.DB.WithTx(ctx, func(ctx context.Context) error { return batch(ctx, run, part) })
	}); err != nil {
		return sum, err
	}
	if err := s.markScanned(ctx, rules, cal, today); err != nil {
		return sum, err
	}
	return sum, s.remindReviews(ctx, today)
}

// eachParallel calls fn for each part, on up to workers goroutines, in
// order of the parts; after the first error it starts no more parts and
// returns that error once the running ones are done.
func eachParallel[T any](ctx context.Context, workers int, parts []T, fn func(context.Context, T) error) error {
	if workers <= 1 || len(parts) <= 1 {
		for _, p := range parts {
			if err := fn(ctx, p); err != nil {
				return err
			}
		}
		return nil
	}
	var mu sync.Mutex
	var first error
	next := 0
	var wg sync.WaitGroup
	for range min(workers, len(parts)) {
		wg.Go(func() {
			for {
				mu.Lock()
				if first != nil || next == len(parts) {
					mu.Unlock()
					return
				}
				p := parts[next]
				next++
				mu.Unlock()
				if err := fn(ctx, p); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// scanRun is what the batches of one scan share: the day, the licence
// types, the department admins read so far (once per department and
// scan) and the summary.
type scanRun struct {
	mu     sync.Mutex // guards admins and sum (batches run in parallel)
	today  calendar.Date
	types  map[int64]*Type
	admins map[int64][]int64
	sum    Summary
}

// activeRules returns the stage rules of the active types.
func (s *Service) activeRules(ctx context.Context) (map[int64]Rule, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, remind1_days, remind2_days, followup_days, lapse_days, send_time, scan_through, scan_listed
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
		if err := rows.Scan(&id, &r.Remind1, &r.Remind2, &r.Followup, &r.Lapse, &send, &r.through, &r.listed); err != nil {
			return nil, err
		}
		if r.sendMinutes, err = parseSendTime(send); err != nil {
			r.sendMinutes = 9 * 60
		}
		out[id] = r
	}
	return out, rows.Err()
}

// readyRules returns those of rules whose send time has passed today.
func (s *Service) readyRules(rules map[int64]Rule) map[int64]Rule {
	now := s.Clock.Now().In(calendar.Shanghai)
	minutes := now.Hour()*60 + now.Minute()
	out := map[int64]Rule{}
	for id, r := range rules {
		if minutes >= r.sendMinutes {
			out[id] = r
		}
	}
	return out
}

// scanTypes reads every licence type once per scan (the message
// templates and renewal guidance of the reminders).
func (s *Service) scanTypes(ctx context.Context) (map[int64]*Type, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+typeCols+" FROM license_types t")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*Type{}
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		out[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	list := make([]*Type, 0, len(out))
	for _, t := range out {
		list = append(list, t)
	}
	return out, s.nameTypes(ctx, list)
}

// expRange is a range (lo, hi] of expiry days; open: no lower bound.
type expRange struct {
	lo, hi calendar.Date
	open   bool
}

// expiryRanges returns the expiry days of the licences of the type (r,
// with its scan marks) whose stage windows open from the day after the
// last scan (r.through) up to today: the first reminder's (opening on
// expires - Remind1), the second's, the follow-up list's (its nominal day
// expires - Followup past the one read up to by the last scan,
// r.listed, and not after dueHorizon) and the lapse's (expires + Lapse).
// Without marks (no scan since migration 0005, or a new type) it is every
// expiry day up to the latest of those bounds. A licence whose due stages
// were done by a scan, and that was not changed since, has a stage due
// today only if that stage's window opened since the last scan: the read
// of these ranges finds it.
func (r Rule) expiryRanges(cal *calendar.Calendar, today calendar.Date) []expRange {
	listHi := dueHorizon(cal, today)
	his := [4]calendar.Date{today.AddDays(r.Remind1), today.AddDays(r.Remind2), listHi.AddDays(r.Followup), today.AddDays(-r.Lapse)}
	var w, listed calendar.Date
	var err error
	if r.through != nil && r.listed != nil {
		if w, err = calendar.ParseDate(*r.through); err == nil {
			listed, err = calendar.ParseDate(*r.listed)
		}
	}
	if r.through == nil || r.listed == nil || err != nil {
		hi := his[0]
		for _, h := range his[1:] {
			if h.After(hi) {
				hi = h
			}
		}
		return []expRange{{hi: hi, open: true}}
	}
	los := [4]calendar.Date{w.AddDays(r.Remind1), w.AddDays(r.Remind2), listed.AddDays(r.Followup), w.AddDays(-r.Lapse)}
	var out []expRange
	for i := range his {
		if los[i].Before(his[i]) {
			out = append(out, expRange{lo: los[i], hi: his[i]})
		}
	}
	return out
}

// mergeRanges returns the union of rs as disjoint ranges in ascending
// order.
func mergeRanges(rs []expRange) []expRange {
	slices.SortFunc(rs, func(a, b expRange) int {
		switch {
		case a.open != b.open:
			if a.open {
				return -1
			}
			return 1
		case a.open:
			return 0
		}
		return a.lo.Sub(b.lo)
	})
	var out []expRange
	for _, r := range rs {
		if n := len(out); n > 0 && (r.open || !r.lo.After(out[n-1].hi)) { // overlaps or touches the last one (open ones come first)
			if r.hi.After(out[n-1].hi) {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// candidates reads the active licences with a stage that may be due today
// (see the read in candidateQuery; with scanNextDue off, those expiring
// within the largest first reminder window) and returns those with a due
// stage and, apart, the licences read with nothing due whose next due
// day is to be cleared. Every licence of a ready type read is, once its
// due stages are done, one whose next stage the read by expiry finds (no
// license_due row).
func (s *Service) candidates(ctx context.Context, rules map[int64]Rule, cal *calendar.Calendar, today calendar.Date) (due, stale []*candidate, err error) {
	q, args := candidateQuery(s.DB.Dialect, rules, cal, today)
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var all []*candidate
	var cur *candidate
	for rows.Next() {
		var id, typeID int64
		var exp, answer, stage string
		var next *string
		if err := rows.Scan(&id, &typeID, &exp, &answer, &next, &stage); err != nil {
			return nil, nil, err
		}
		if cur == nil || cur.id != id {
			d, err := calendar.ParseDate(exp)
			if err != nil {
				return nil, nil, fmt.Errorf("licence %d: %w", id, err)
			}
			cur = &candidate{id: id, typeID: typeID, expires: d, closing: answer == AnswerClosing, oldNext: next}
			all = append(all, cur)
		}
		if stage != "" {
			cur.done = append(cur.done, stage)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, c := range all {
		r, ok := rules[c.typeID]
		if !ok {
			continue // its send time has not come today: its next due day stays as it is
		}
		c.due = r.DueStages(cal, today, c.expires, c.done, c.closing)
		switch {
		case len(c.due) > 0:
			due = append(due, c)
		case c.oldNext != nil:
			stale = append(stale, c)
		}
	}
	return due, stale, nil
}

// candidateQuery is the candidates' read: the active licences whose next
// due day has come (license_due up to dueHorizon: made or changed outside
// the read by expiry) or whose expiry is in one of the types'
// expiryRanges (index ranges of license_due_day and licenses_scan), each with its done stages,
// in licence order. With scanNextDue off it is the straightforward read
// of every active licence within the largest first reminder window. On
// PostgreSQL the done stages are looked up licence by licence (LATERAL):
// the planner estimates the ranges from the statistics of the last
// ANALYZE and, estimating many, merged the join with every stage row ever
// written.
func candidateQuery(dialect db.Dialect, rules map[int64]Rule, cal *calendar.Calendar, today calendar.Date) (string, []any) {
	sel := `SELECT l.id, l.type_id, l.expires_on, l.holder_answer, d.next_due, COALESCE(r.stage, '')
		FROM licenses l LEFT JOIN license_due d ON d.license_id = l.id LEFT JOIN license_reminders r ON r.license_id = l.id WHERE `
	if !scanNextDue {
		horizon := 0
		for _, r := range rules {
			horizon = max(horizon, r.Remind1)
		}
		return sel + "l.status = 'active' AND l.expires_on <= $1 ORDER BY l.id", []any{today.AddDays(horizon).String()}
	}
	if dialect == db.Postgres {
		sel = `SELECT l.id, l.type_id, l.expires_on, l.holder_answer, d.next_due, COALESCE(r.stage, '')
		FROM licenses l LEFT JOIN license_due d ON d.license_id = l.id
		LEFT JOIN LATERAL (SELECT stage FROM license_reminders r WHERE r.license_id = l.id) r ON TRUE WHERE `
	}
	var rs []expRange
	for _, r := range rules {
		rs = append(rs, r.expiryRanges(cal, today)...)
	}
	// One SELECT per index range, their UNION (a licence found by two is
	// read once): with the statistics of a table where most licences have
	// no next due day, SQLite planned the OR of the ranges as a scan of every licence.
	// The read by next due day (license_due_day) is the first SELECT.
	args := []any{dueHorizon(cal, today).String()}
	conds := []string{"d.next_due <= $1"}
	for _, r := range mergeRanges(rs) {
		if r.open {
			args = append(args, r.hi.String())
			conds = append(conds, fmt.Sprintf("l.expires_on <= $%d", len(args)))
			continue
		}
		args = append(args, r.lo.String(), r.hi.String())
		conds = append(conds, fmt.Sprintf("l.expires_on > $%d AND l.expires_on <= $%d", len(args)-1, len(args)))
	}
	var sb strings.Builder
	for i, c := range conds {
		if i > 0 {
			sb.WriteString(" UNION ")
		}
		sb.WriteString(sel + "l.status = 'active' AND " + c)
	}
	sb.WriteString(" ORDER BY 1")
	return sb.String(), args
}

// markScanned records on the ready types that the scan of today is done:
// the next scan's read by expiry starts after it.
func (s *Service) markScanned(ctx context.Context, rules map[int64]Rule, cal *calendar.Calendar, today calendar.Date) error {
	if len(rules) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(rules))
	in, args := inList(ids, 2)
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_types SET scan_through = $1, scan_listed = $2 WHERE id IN ("+in+")",
			append([]any{today.String(), dueHorizon(cal, today).String()}, args...)...)
		return err
	})
}

// backfillNextDue computes the next due day of the active licences
// marked for it (an empty day in license_due: made before migration 0004, answered by
// their holder, or of a type whose stage windows changed), as of today so
// that a stage due today is read by this scan, in chunks of at most
// scanBatchSizePG licences (bounded memory however many are marked). The
// licences of inactive types stay marked until their type is active.
func (s *Service) backfillNextDue(ctx context.Context, rules map[int64]Rule, today calendar.Date) error {
	if len(rules) == 0 {
		return nil
	}
	types := make([]string, 0, len(rules))
	for id := range rules {
		types = append(types, strconv.FormatInt(id, 10))
	}
	q := `SELECT l.id, l.type_id, l.expires_on, l.holder_answer, COALESCE(r.stage, '')
		FROM (SELECT l.id, l.type_id, l.expires_on, l.holder_answer FROM license_due d JOIN licenses l ON l.id = d.license_id
			WHERE d.next_due = '' AND l.status = 'active' AND l.type_id IN (` + strings.Join(types, ",") + `) LIMIT $1) l
		LEFT JOIN license_reminders r ON r.license_id = l.id ORDER BY l.id`
	for {
		var chunk []*candidate
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			rows, err := s.DB.Q(ctx).Query(ctx, q, scanBatchSizePG)
			if err != nil {
				return err
			}
			defer rows.Close()
			var cur *candidate
			for rows.Next() {
				var id, typeID int64
				var exp, answer, stage string
				if err := rows.Scan(&id, &typeID, &exp, &answer, &stage); err != nil {
					return err
				}
				if cur == nil || cur.id != id {
					d, err := calendar.ParseDate(exp)
					if err != nil {
						return fmt.Errorf("licence %d: %w", id, err)
					}
					cur = &candidate{id: id, typeID: typeID, expires: d, closing: answer == AnswerClosing, oldNext: new("")}
					chunk = append(chunk, cur)
				}
				if stage != "" {
					cur.done = append(cur.done, stage)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
			for _, c := range chunk {
				c.next = nextDueValue(rules[c.typeID].nextDue(c.expires, today, c.done, c.closing))
			}
			return s.writeNextDue(ctx, chunk)
		})
		if err != nil || len(chunk) < scanBatchSizePG {
			return err
		}
	}
}

func sameNext(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// updateNextDue writes the next due day of licences read with nothing
// due, in transactions of at most scanBatchSizePG licences, each licence
// only if it is still active and its day still the one read (else it was
// changed since, and is recomputed by the next scan).
func (s *Service) updateNextDue(ctx context.Context, cs []*candidate) error {
	for start := 0; start < len(cs); start += scanBatchSizePG {
		part := cs[start:min(start+scanBatchSizePG, len(cs))]
		if err := s.DB.WithTx(ctx, func(ctx context.Context) error { return s.writeNextDue(ctx, part) }); err != nil {
			return err
		}
	}
	return nil
}

// writeNextDue sets the next due day of each licence of cs to c.next
// where the licence is still active and its day still c.oldNext, in the
// transaction in ctx: a day that goes is a deleted license_due row, a day
// that moves an updated one, a first day an inserted one (the licence
// row is not written). On PostgreSQL one statement, deferred (db.Defer:
// sent with the transaction's next statement or its COMMIT).
func (s *Service) writeNextDue(ctx context.Context, cs []*candidate) error {
	if len(cs) == 0 {
		return nil
	}
	if s.DB.Dialect == db.Postgres {
		ids, next, old := make([]int64, len(cs)), make([]*string, len(cs)), make([]*string, len(cs))
		for i, c := range cs {
			ids[i], next[i], old[i] = c.id, c.next, c.oldNext
		}
		return s.DB.Defer(ctx, `WITH v AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, next, old)),
			del AS (DELETE FROM license_due d USING v WHERE d.license_id = v.id AND v.next IS NULL AND d.next_due = v.old),
			upd AS (UPDATE license_due d SET next_due = v.next FROM v WHERE d.license_id = v.id AND v.next IS NOT NULL AND d.next_due = v.old)
			INSERT INTO license_due (license_id, next_due)
			SELECT v.id, v.next FROM v JOIN licenses l ON l.id = v.id AND l.status = 'active'
			WHERE v.old IS NULL AND v.next IS NOT NULL ORDER BY v.id
			ON CONFLICT (license_id) DO NOTHING`, ids, next, old)
	}
	for _, c := range cs {
		var err error
		switch {
		case c.oldNext == nil:
			_, err = s.DB.Q(ctx).Exec(ctx, `INSERT INTO license_due (license_id, next_due) SELECT id, $1 FROM licenses WHERE id = $2 AND status = 'active'
				ON CONFLICT (license_id) DO NOTHING`, *c.next, c.id)
		case c.next == nil:
			_, err = s.DB.Q(ctx).Exec(ctx, "DELETE FROM license_due WHERE license_id = $1 AND next_due = $2", c.id, *c.oldNext)
		default:
			_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE license_due SET next_due = $1 WHERE license_id = $2 AND next_due = $3", *c.next, c.id, *c.oldNext)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// scanBatch performs the due stages of a batch of licences in the
// transaction in ctx, set-based, statement by statement (SQLite, where a
// statement is a call in process): one query reads the licences, one
// multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING claims every due
// stage (the rows it returns are the stages this scan owns; the others
// were done by a concurrent scan), one statement each lists the
// follow-ups and marks the lapses, one statement per licence with a
// claimed stage whose next due day changes writes its license_due row,
// then finishBatch sends the messages.
func (s *Service) scanBatch(ctx context.Context, run *scanRun, batch []*candidate) error {
	lics, err := s.loadBatch(ctx, batch)
	if err != nil {
		return err
	}
	var want []claimKey
	for _, c := range batch {
		if l := lics[c.id]; l != nil && l.Status == StatusActive { // else renewed or closed since the candidates were read
			for _, stage := range c.due {
				want = append(want, claimKey{c.id, stage})
			}
		}
	}
	claimed, err := s.claimAll(ctx, want, run.today)
	if err != nil || len(claimed) == 0 {
		return err
	}
	var followups, lapses []*scanLicence
	for _, c := range claimed {
		switch l := lics[c.licenseID]; c.stage {
		case StageFollowup:
			followups = append(followups, l)
		case StageLapsed:
			lapses = append(lapses, l)
		}
	}
	if err := s.listFollowups(ctx, followups, run.today); err != nil {
		return err
	}
	lapsed, err := s.markLapsed(ctx, lapses)
	if err != nil {
		return err
	}
	if err := s.writeNextDue(ctx, movedDays(batch, claimed)); err != nil {
		return err
	}
	return s.finishBatch(ctx, run, claimed, lics, lapsed)
}

// movedDays returns the licences of batch with a claimed stage whose next
// due day changes, once each.
func movedDays(batch []*candidate, claimed []claimed) []*candidate {
	byID := make(map[int64]*candidate, len(batch))
	for _, c := range batch {
		byID[c.id] = c
	}
	var moved []*candidate
	for _, c := range claimed {
		if cand := byID[c.licenseID]; cand != nil {
			if !sameNext(cand.oldNext, cand.next) {
				moved = append(moved, cand)
			}
			delete(byID, c.licenseID)
		}
	}
	return moved
}

// scanBatchPG is scanBatch on PostgreSQL, in fewer round trips: one
// statement (data-modifying CTEs over arrays, its SQL the same for every
// batch) keeps the due stages of the licences still active, claims them
// with INSERT ... ON CONFLICT DO NOTHING RETURNING (in ascending licence
// order, as claimAll), lists the claimed follow-ups, marks the claimed
// lapses (the only licence rows written) and returns the claimed rows
// with their licences; the license_due rows of the licences with a claimed
// stage are then written as in scanBatch (writeNextDue), deferred, and
// finishBatch sends the messages and records the counts and the audit
// events.
func (s *Service) scanBatchPG(ctx context.Context, run *scanRun, batch []*candidate) error {
	var ids []int64
	var stages []string
	var guesses []int
	for _, c := range batch {
		for _, stage := range c.due {
			ids, stages, guesses = append(ids, c.id), append(stages, stage), append(guesses, expectedMessages(stage))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `WITH want AS (
			SELECT w.license_id, w.stage, w.messages, w.ord FROM unnest($1::bigint[], $2::text[], $5::int[]) WITH ORDINALITY AS w(license_id, stage, messages, ord)
			JOIN licenses l ON l.id = w.license_id WHERE l.status = 'active'
		), ins AS (
			INSERT INTO license_reminders (license_id, stage, scan_day, created_at, messages)
			SELECT license_id, stage, $3, $4, messages FROM want ORDER BY ord
			ON CONFLICT (license_id, stage) DO NOTHING RETURNING id, license_id, stage
		), fol AS (
			INSERT INTO license_followups (license_id, department_id, listed_on, status, created_at)
			SELECT l.id, l.department_id, $3, 'open', $4 FROM ins JOIN licenses l ON l.id = ins.license_id
			WHERE ins.stage = 'followup' ORDER BY l.id
			ON CONFLICT (license_id) DO NOTHING
		), lap AS (
			UPDATE licenses l SET status = 'lapsed', updated_at = $4
			WHERE l.id IN (SELECT license_id FROM ins WHERE stage = 'lapsed') AND l.status = 'active' RETURNING l.id
		)
		SELECT ins.id, ins.stage, ins.stage = 'lapsed' AND ins.license_id IN (SELECT id FROM lap), `+licenseCols+`, l.phone_enc
		FROM ins JOIN licenses l ON l.id = ins.license_id JOIN license_types t ON t.id = l.type_id`, ids, stages, run.today.String(), s.Clock.Now(), guesses)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[claimKey]int64{}
	lics := map[int64]*scanLicence{}
	var lapsed []int64
	for rows.Next() {
		var id int64
		var stage string
		var wasLapsed bool
		l := &License{}
		var answered *time.Time
		var phoneEnc []byte
		if err := rows.Scan(&id, &stage, &wasLapsed, &l.ID, &l.TypeID, &l.TypeCode, &l.TypeName, &l.DepartmentID, &l.Number, &l.EntityID, &l.HolderName,
			&l.HolderID, &l.Phone, &l.IssuedOn, &l.ExpiresOn, &l.Status, &l.Elderly, &l.Disabled, &l.RenewedByID,
			&l.RenewedOn, &l.RenewalSource, &l.HolderAnswer, &answered, &l.CreatedAt, &l.TypeKind, &phoneEnc); err != nil {
			return err
		}
		got[claimKey{l.ID, stage}] = id
		if wasLapsed {
			lapsed = append(lapsed, l.ID)
		}
		if lics[l.ID] != nil {
			continue
		}
		l.AnsweredAt = answered
		sl := &scanLicence{License: l}
		if len(phoneEnc) > 0 {
			if sl.phone, err = s.Keys.Decrypt(phoneEnc); err != nil {
				return fmt.Errorf("licence %d phone: %w", l.ID, err)
			}
		}
		lics[l.ID] = sl
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	// The claimed stages in the order of the batch, as claimAll returns them.
	claimed := make([]claimed, 0, len(got))
	for i, id := range ids {
		if rid, ok := got[claimKey{id, stages[i]}]; ok {
			claimed = append(claimed, claimedRow(rid, id, stages[i], guesses[i]))
		}
	}
	slices.Sort(lapsed)
	// The due days, deferred (sent with the batch's next statement): those
	// of the lapsed licences go, the others move as in scanBatch.
	if len(lapsed) > 0 {
		if err := s.DB.Defer(ctx, "DELETE FROM license_due WHERE license_id = ANY($1)", lapsed); err != nil {
			return err
		}
	}
	if err := s.writeNextDue(ctx, movedDays(batch, claimed)); err != nil {
		return err
	}
	return s.finishBatch(ctx, run, claimed, lics, lapsed)
}

// finishBatch sends the messages of the claimed stages (the holders'
// reminders in claim order, then the departments' follow-up notices,
// all through one notify.SendMany), records how many messages each stage
// row created and writes the audit events (one per lapsed licence, one
// for the batch) with one RecordAll, in the transaction in ctx.
func (s *Service) finishBatch(ctx context.Context, run *scanRun, claimed []claimed, lics map[int64]*scanLicence, lapsed []int64) error {
	if len(claimed) == 0 {
		return nil
	}
	acted := Summary{}
	listed := map[int64]int{} // department -> licences put on its follow-up list
	holders := map[int64]bool{}
	for _, c := range claimed {
		l := lics[c.licenseID]
		acted[c.stage]++
		if c.stage == StageFollowup {
			listed[l.DepartmentID]++
		}
		if c.stage != StageFollowup && l.EntityID != 0 {
			holders[l.EntityID] = true
		}
	}
	users, err := s.entitiesUsers(ctx, holders)
	if err != nil {
		return err
	}
	var msgs []notify.Message
	first := make([]int, len(claimed)+1) // claimed[i]'s messages are msgs[first[i]:first[i+1]]
	for i, c := range claimed {
		first[i] = len(msgs)
		l := lics[c.licenseID]
		t := run.types[l.TypeID]
		var ms []notify.Message
		switch c.stage {
		case StageRemind1, StageRemind2:
			ms, err = s.holderMessages(l, t, reminderMsg(kindOf(t), false), users[l.EntityID], run.today)
		case StageLapsed:
			ms, err = s.holderMessages(l, t, reminderMsg(kindOf(t), true), users[l.EntityID], run.today)
		}
		if err != nil {
			return fmt.Errorf("licence %d stage %s: %w", l.ID, c.stage, err)
		}
		msgs = append(msgs, ms...)
	}
	first[len(claimed)] = len(msgs)
	notices, err := s.followupMessages(ctx, run, listed)
	if err != nil {
		return err
	}
	sent, err := s.Notify.SendMany(ctx, append(msgs, notices...))
	if err != nil {
		return err
	}
	var rowIDs []int64
	var counts []int
	for i, c := range claimed {
		n := 0
		for _, ids := range sent[first[i]:first[i+1]] {
			n += len(ids)
		}
		if n != c.messages { // else the value the claim wrote
			rowIDs, counts = append(rowIDs, c.id), append(counts, n)
		}
	}
	if err := s.recordCounts(ctx, rowIDs, counts); err != nil {
		return err
	}
	events := make([]audit.Entry, 0, len(lapsed)+1)
	for _, id := range lapsed {
		events = append(events, audit.Entry{Action: "license.lapsed", ObjectType: "license", ObjectID: fmt.Sprint(id),
			Before: map[string]string{"status": StatusActive}, After: map[string]string{"status": StatusLapsed},
			Detail: "expired without renewal: lapsed by the daily scan"})
	}
	events = append(events, audit.Entry{Action: "license.scan", ObjectType: "license_scan", ObjectID: run.today.String(), After: acted,
		Detail: fmt.Sprintf("daily scan %s: %v", run.today, map[string]int(acted))})
	if err := s.Audit.RecordAll(ctx, events); err != nil {
		return err
	}
	db.AfterCommit(ctx, func() {
		for k, v := range acted {
			run.mu.Lock()
			run.sum[k] += v
			run.mu.Unlock()
		}
	})
	return nil
}

// recordCounts sets the messages column of the stage rows ids[i] to
// counts[i]: on PostgreSQL with one UPDATE from arrays, deferred (sent
// with the batch's audit insert, no round trip of its own), on SQLite
// with one UPDATE per distinct count.
func (s *Service) recordCounts(ctx context.Context, ids []int64, counts []int) error {
	if len(ids) == 0 {
		return nil
	}
	if s.DB.Dialect == db.Postgres {
		return s.DB.Defer(ctx, `UPDATE license_reminders r SET messages = v.n
			FROM unnest($1::bigint[], $2::int[]) AS v(id, n) WHERE r.id = v.id`, ids, counts)
	}
	byCount := map[int][]int64{} // messages created -> stage rows
	for i, id := range ids {
		byCount[counts[i]] = append(byCount[counts[i]], id)
	}
	for n, ids := range byCount {
		in, args := inList(ids, 1)
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_reminders SET messages = $1 WHERE id IN ("+in+")", append([]any{n}, args...)...); err != nil {
			return err
		}
	}
	return nil
}

// scanLicence is a licence as the scan needs it: the record and its
// decrypted contact phone.
type scanLicence struct {
	*License
	phone string
}

// loadBatch reads the licences of a batch (with their phones) in one query
// (without department names: the messages name the type's department).
func (s *Service) loadBatch(ctx context.Context, batch []*candidate) (map[int64]*scanLicence, error) {
	ids := make([]int64, len(batch))
	for i, c := range batch {
		ids[i] = c.id
	}
	in, args := inList(ids, 0)
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+licenseCols+", l.phone_enc"+licenseFrom+" WHERE l.id IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]*scanLicence, len(batch))
	for rows.Next() {
		l := &License{}
		var answered *time.Time
		var phoneEnc []byte
		if err := rows.Scan(&l.ID, &l.TypeID, &l.TypeCode, &l.TypeName, &l.DepartmentID, &l.Number, &l.EntityID, &l.HolderName,
			&l.HolderID, &l.Phone, &l.IssuedOn, &l.ExpiresOn, &l.Status, &l.Elderly, &l.Disabled, &l.RenewedByID,
			&l.RenewedOn, &l.RenewalSource, &l.HolderAnswer, &answered, &l.CreatedAt, &l.TypeKind, &phoneEnc); err != nil {
			return nil, err
		}
		l.AnsweredAt = answered
		sl := &scanLicence{License: l}
		if len(phoneEnc) > 0 {
			if sl.phone, err = s.Keys.Decrypt(phoneEnc); err != nil {
				return nil, fmt.Errorf("licence %d phone: %w", l.ID, err)
			}
		}
		out[l.ID] = sl
	}
	return out, rows.Err()
}

// claimKey is a stage of a licence to claim; claimed is one claimed.
type claimKey struct {
	licenseID int64
	stage     string
}

type claimed struct {
	id        int64 // license_reminders row
	licenseID int64
	stage     string
	messages  int // the row's messages column as the claim wrote it
}

func claimedRow(id, licenseID int64, stage string, messages int) claimed {
	return claimed{id: id, licenseID: licenseID, stage: stage, messages: messages}
}

// expectedMessages is what the PostgreSQL claim writes into a stage row's
// messages column, before the messages are sent: none for the follow-up
// list (its notices go to the department, not counted per licence), one
// for a reminder or the lapse (the SMS to the licence's phone, or the
// failed SMS row of a licence without phone and accounts: the common
// case). finishBatch updates the rows whose count differs, so the column
// ends the same whatever this guesses; a right guess saves the update.
func expectedMessages(stage string) int {
	if stage == StageFollowup {
		return 0
	}
	return 1
}

// claimAll inserts the stage rows of want in one statement and returns
// those inserted, in the order of want: a stage whose row already exists
// was done by another scan. On PostgreSQL a concurrent scan claiming the
// same row waits for this transaction and then skips it; both claim in
// ascending licence order, so they cannot deadlock.
func (s *Service) claimAll(ctx context.Context, want []claimKey, today calendar.Date) ([]claimed, error) {
	if len(want) == 0 {
		return nil, nil
	}
	pairs := make([][2]any, len(want))
	for i, k := range want {
		pairs[i] = [2]any{k.licenseID, k.stage}
	}
	q, args := multiRow("INSERT INTO license_reminders (license_id, stage, scan_day, created_at)", "$1,$2",
		" ON CONFLICT (license_id, stage) DO NOTHING RETURNING id, license_id, stage", []any{today.String(), s.Clock.Now()}, pairs)
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[claimKey]int64{}
	for rows.Next() {
		var id int64
		var k claimKey
		if err := rows.Scan(&id, &k.licenseID, &k.stage); err != nil {
			return nil, err
		}
		got[k] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]claimed, 0, len(got))
	for _, k := range want {
		if id, ok := got[k]; ok {
			out = append(out, claimed{id: id, licenseID: k.licenseID, stage: k.stage})
		}
	}
	return out, nil
}

// listFollowups puts licences on their departments' follow-up lists.
func (s *Service) listFollowups(ctx context.Context, ls []*scanLicence, today calendar.Date) error {
	if len(ls) == 0 {
		return nil
	}
	pairs := make([][2]any, len(ls))
	for i, l := range ls {
		pairs[i] = [2]any{l.ID, l.DepartmentID}
	}
	q, args := multiRow("INSERT INTO license_followups (license_id, department_id, listed_on, status, created_at)", "$1,'open',$2",
		" ON CONFLICT (license_id) DO NOTHING", []any{today.String(), s.Clock.Now()}, pairs)
	_, err := s.DB.Q(ctx).Exec(ctx, q, args...)
	return err
}

// multiRow builds a multi-row INSERT: insert + " VALUES ($a,$b,rest),..."
// + tail, one row per pair ($a, $b its values), after the shared arguments
// ($1... in rest).
func multiRow(insert, rest, tail string, shared []any, pairs [][2]any) (string, []any) {
	var sb strings.Builder
	sb.WriteString(insert)
	sb.WriteString(" VALUES ")
	args := append(make([]any, 0, len(shared)+2*len(pairs)), shared...)
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte(',')
		}
		args = append(args, p[0], p[1])
		fmt.Fprintf(&sb, "($%d,$%d,%s)", len(args)-1, len(args), rest)
	}
	sb.WriteString(tail)
	return sb.String(), args
}

// markLapsed sets the lapsed status of licences still active and returns
// the ids of those it changed, ascending.
func (s *Service) markLapsed(ctx context.Context, ls []*scanLicence) ([]int64, error) {
	if len(ls) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	in, args := inList(ids, 1)
	// A lapsed licence has no next due day (an active one alone has one).
	din, dargs := inList(ids, 0)
	if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM license_due WHERE license_id IN ("+din+")", dargs...); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "UPDATE licenses SET status = 'lapsed', updated_at = $1 WHERE status = 'active' AND id IN ("+in+") RETURNING id",
		append([]any{s.Clock.Now()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// inList returns "$k+1,$k+2,..." for ids and the ids as arguments.
func inList(ids []int64, k int) (string, []any) {
	var sb strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "$%d", k+i+1)
		args[i] = id
	}
	return sb.String(), args
}

// holderMessages returns the reminder (or the last notice) to the holder:
// in-app to the accounts bound to the holder entity (users), SMS to the
// licence's phone (or, without one, to those accounts' phones).
func (s *Service) holderMessages(l *scanLicence, t *Type, msgType string, users []int64, today calendar.Date) ([]notify.Message, error) {
	if t == nil {
		return nil, fmt.Errorf("licence type %d not loaded", l.TypeID)
	}
	data, err := s.messageData(l.License, t, today)
	if err != nil {
		return nil, err
	}
	msg := notify.Message{Type: msgType, Data: data, ObjectType: "license", ObjectID: strconv.FormatInt(l.ID, 10), Link: holderPath(l.License)}
	var out []notify.Message
	if len(users) > 0 {
		m := msg
		m.Channels = []string{notify.ChannelInApp}
		if l.phone == "" {
			m.Channels = append(m.Channels, notify.ChannelSMS)
		}
		for _, u := range users {
			m.To = append(m.To, notify.Recipient{UserID: u})
		}
		out = append(out, m)
	}
	if l.phone != "" || len(users) == 0 {
		m := msg
		m.Channels = []string{notify.ChannelSMS}
		m.To = []notify.Recipient{{Phone: l.phone}} // no phone: a failed row says so
		out = append(out, m)
	}
	return out, nil
}

// messageData renders the type's templates for the licence.
func (s *Service) messageData(l *License, t *Type, today calendar.Date) (map[string]any, error) {
	vars := TemplateData(l, t, today)
	vars["link"] = s.holderLink(l)
	sms, err := renderTemplate(t.SMSTemplate, vars)
	if err != nil {
		return nil, fmt.Errorf("SMS template of %s: %w", t.Code, err)
	}
	inapp, err := renderTemplate(t.InAppTemplate, vars)
	if err != nil {
		return nil, fmt.Errorf("in-app template of %s: %w", t.Code, err)
	}
	smsEN, inappEN := sms, inapp
	if t.SMSTemplateEN != "" {
		if smsEN, err = renderTemplate(t.SMSTemplateEN, vars); err != nil {
			return nil, fmt.Errorf("English SMS template of %s: %w", t.Code, err)
		}
	}
	if t.InAppTemplateEN != "" {
		if inappEN, err = renderTemplate(t.InAppTemplateEN, vars); err != nil {
			return nil, fmt.Errorf("English in-app template of %s: %w", t.Code, err)
		}
	}
	return map[string]any{"sms_text": sms, "inapp_text": inapp, "sms_text_en": smsEN, "inapp_text_en": inappEN, "license_type": t.Name,
		"kind_zh": KindLabel(t.Kind, "zh"), "kind_en": KindLabel(t.Kind, "en"), "number": l.Number,
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

// followupMessages are the notices telling each department's admins how
// many licences the scan put on its follow-up list.
// The admins of a department are read once per scan.
func (s *Service) followupMessages(ctx context.Context, run *scanRun, listed map[int64]int) ([]notify.Message, error) {
	var out []notify.Message
	today := run.today
	depts := slices.Sorted(maps.Keys(listed)) // in a fixed order, department by department
	for _, dept := range depts {
		n := listed[dept]
		run.mu.Lock()
		admins, ok := run.admins[dept]
		run.mu.Unlock()
		if !ok {
			var err error
			if admins, err = s.deptAdmins(ctx, dept); err != nil {
				return nil, err
			}
			run.mu.Lock()
			run.admins[dept] = admins
			run.mu.Unlock()
		}
		if len(admins) == 0 {
			continue // no one to tell; the other departments still get theirs
		}
		m := notify.Message{Type: MsgFollowup, Channels: []string{notify.ChannelInApp},
			Data: map[string]any{"count": n, "day": today.String()}, ObjectType: "license_followups", ObjectID: strconv.FormatInt(dept, 10), Link: "/licenses/followups"}
		for _, u := range admins {
			m.To = append(m.To, notify.Recipient{UserID: u})
		}
		out = append(out, m)
	}
	return out, nil
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
				ObjectType: "license_review", ObjectID: strconv.FormatInt(dept, 10), Link: "/licenses/catalogue"}
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
