package appeal

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
)

// StatsBefore is the dashboard computation as it was before the grouping
// moved into SQL (several scans, the month grouped in Go), kept verbatim
// so that the tests can show that Stats gives the same figures.
func (s *Service) StatsBefore(ctx context.Context, f Filter, lang string) (*Stats, error) {
	return s.statsBefore(ctx, f, lang)
}

// DueSQL is the scan's query for a clock (first_response, reply, followup).
func DueSQL(clock string) string {
	for _, c := range clocks {
		if c.name == clock {
			return c.dueSQL()
		}
	}
	return ""
}

func (s *Service) statsBefore(ctx context.Context, f Filter, lang string) (*Stats, error) {
	f.Queue, f.Overdue, f.State = "", false, ""
	where, args, err := s.filterSQL(ctx, f)
	if err != nil {
		return nil, err
	}
	if a := auth.From(ctx); a.Has(auth.Enterprise) && !a.Has(auth.DeptStaff, auth.DeptAdmin, auth.PlatformAdmin, auth.Supervisor) {
		return nil, errForbidden()
	}
	q := s.DB.Q(ctx)
	st := &Stats{}
	var avg *float64
	var satisfied int64
	err = q.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN a.state NOT IN ('rejected', 'closed', 'merged') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.reply_on_time IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.reply_on_time THEN 1 ELSE 0 END), 0),
		AVG(CASE WHEN a.state = 'closed' THEN a.handling_workdays END),
		COUNT(CASE WHEN a.state = 'closed' THEN a.handling_workdays END),
		COALESCE(SUM(CASE WHEN a.reply_due < $`+strconv.Itoa(len(args)+1)+` AND a.replied_at IS NULL AND a.state IN ('assigned', 'in_progress', 'reopened', 'escalated') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.rating <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.reopen_count > 0 THEN 1 ELSE 0 END), 0)`+beforeFrom+where, append(args, s.now())...).
		Scan(&st.Total, &st.Open, &st.Replied, &st.OnTime, &avg, &st.Closed, &st.LateOpen, &st.Rated, &satisfied, &st.Reopened)
	if err != nil {
		return nil, err
	}
	if avg != nil {
		r := round2(*avg)
		st.AvgHandlingWD = &r
	}
	st.OnTimeRate = ratio(st.OnTime, st.Replied+st.LateOpen)
	st.SatisfiedRate = ratio(satisfied, st.Rated)
	st.ReopenRate = ratio(st.Reopened, st.Replied+st.Reopened)
	if st.ByKind, err = s.countByBefore(ctx, "a.kind", where, args, func(k string) string { return Kind(k).Label(lang) }); err != nil {
		return nil, err
	}
	if st.ByTopic, err = s.countByBefore(ctx, "a.topic", where, args, func(k string) string { return k }); err != nil {
		return nil, err
	}
	if st.ByDept, err = s.countByBefore(ctx, "COALESCE(d.name, '')", where, args, func(k string) string {
		if k == "" {
			return pick([2]string{"未交办", "not assigned"}, lang)
		}
		return k
	}); err != nil {
		return nil, err
	}
	if st.ByMonth, err = s.byMonthBefore(ctx, where, args); err != nil {
		return nil, err
	}
	of := f
	of.Overdue, of.State, of.PerPage = true, "open", 20
	if st.Overdue, st.OverdueCount, err = s.List(ctx, of); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) countByBefore(ctx context.Context, col, where string, args []any, label func(string) string) ([]Count, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT `+col+`, COUNT(*)`+beforeFrom+where+` GROUP BY `+col+` ORDER BY COUNT(*) DESC LIMIT 30`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return nil, err
		}
		c.Label = label(c.Key)
		out = append(out, c)
	}
	return out, rows.Err()
}

func sortKeysBefore(keys [][2]string) {
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
}

// byMonth counts by month (Asia/Shanghai) and type. Portable SQL has no
// common date function, so it reads (kind, submitted_at) in one pass and
// groups in Go.
func (s *Service) byMonthBefore(ctx context.Context, where string, args []any) ([]MonthCount, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.kind, a.submitted_at`+beforeFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[[2]string]int64{}
	var keys [][2]string
	for rows.Next() {
		var k string
		var t time.Time
		if err := rows.Scan(&k, &t); err != nil {
			return nil, err
		}
		key := [2]string{t.In(shanghai).Format("2006-01"), k}
		if _, ok := counts[key]; !ok {
			keys = append(keys, key)
		}
		counts[key]++
	}
	sortKeysBefore(keys)
	out := make([]MonthCount, 0, len(keys))
	for _, k := range keys {
		out = append(out, MonthCount{Month: k[0], Kind: Kind(k[1]), N: counts[k]})
	}
	return out, rows.Err()
}

// beforeFrom is the appeals with their lead department, as the replaced
// computation read them (test code may join another package's table).
const beforeFrom = appealFrom + ` LEFT JOIN departments d ON d.id = a.lead_dept_id`

// DueTodaySQL is the dashboard's count of today's passed deadlines, unfiltered.
func DueTodaySQL(now time.Time) (string, []any) {
	return dueTodaySQL("", nil, now.UTC().Truncate(24*time.Hour), now)
}

// PhoneEnc is the encrypted phone number the appeal carries.
func (a *Appeal) PhoneEnc() []byte { return a.phoneEnc }

// Alerts are the appeal's alert levels (not in its JSON).
func (a *Appeal) Alerts() [3]int { return [3]int{a.FRAlert, a.ReplyAlert, a.FUAlert} }

// IntakeGroup is the group of intake write transactions (tests hold its
// slots to make intakes share a transaction).
func (s *Service) IntakeGroup() *db.Group { return s.intakeGroup() }
