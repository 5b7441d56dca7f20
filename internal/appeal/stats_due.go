package appeal

import (
	"context"
	"strings"
	"time"
)

// The time-dependent dashboard figures (table appeal_stats_due, migration
// 0008). An open appeal is overdue from the earliest deadline of the
// clocks running in its state (overdueCond) and late from its reply
// deadline while the reply clock runs without a reply (lateOpenCond);
// both instants change only when the appeal is written. The rollup counts
// the open appeals per UTC day of each instant; the overdue count at a
// time now is the days before today from the rollup plus the appeals
// whose instant fell today before now, read from the appeals table.

// dueKey is an appeal's row in appeal_stats_due.
type dueKey struct {
	what, day, kind, topic string
	dept                   int64
}

const (
	dueOverdue = "overdue"
	dueLate    = "late"
)

// dueKeys are the rows an appeal counts in (none when it is closed or no
// clock runs).
func dueKeys(a *Appeal) []dueKey {
	var keys []dueKey
	var od *time.Time
	for _, c := range clocks {
		if d := c.due(a); d != nil && c.runs(a.State) && (od == nil || d.Before(*od)) {
			od = d
		}
	}
	k := dueKey{kind: string(a.Kind), topic: a.Topic, dept: a.LeadDeptID}
	if od != nil {
		k.what, k.day = dueOverdue, od.UTC().Format("2006-01-02")
		keys = append(keys, k)
	}
	for _, c := range clocks {
		if c.name == "reply" && c.runs(a.State) && a.ReplyDue != nil && a.RepliedAt == nil {
			k.what, k.day = dueLate, a.ReplyDue.UTC().Format("2006-01-02")
			keys = append(keys, k)
		}
	}
	return keys
}

// rebuildDue fills appeal_stats_due from the open appeals (RebuildRollup's
// transaction), with the same definitions as the writes (dueKeys).
func (s *Service) rebuildDue(ctx context.Context) error {
	w := s.DB.W(ctx)
	if _, err := w.Exec(ctx, `DELETE FROM appeal_stats_due`); err != nil {
		return err
	}
	rows, err := w.Query(ctx, `SELECT a.kind, a.topic, COALESCE(a.lead_dept_id, 0), a.state, a.first_response_due, a.reply_due, a.followup_due,
		a.replied_at FROM appeals a WHERE `+openStatsCond)
	if err != nil {
		return err
	}
	counts := map[dueKey]int64{}
	for rows.Next() {
		var a Appeal
		var kind, state string
		if err := rows.Scan(&kind, &a.Topic, &a.LeadDeptID, &state, &a.FirstResponseDue, &a.ReplyDue, &a.FollowupDue, &a.RepliedAt); err != nil {
			rows.Close()
			return err
		}
		a.Kind, a.State = Kind(kind), State(state)
		for _, k := range dueKeys(&a) {
			counts[k]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for k, n := range counts {
		if _, err := w.Exec(ctx, `INSERT INTO appeal_stats_due (what, due_day, kind, topic, dept_id, n) VALUES ($1, $2, $3, $4, $5, $6)`,
			k.what, k.day, k.kind, k.topic, k.dept, n); err != nil {
			return err
		}
	}
	return nil
}

// statsDue counts the overdue and late open appeals at the time now for
// an unscoped filter without a period (conds: type, topic, lead
// department; where, args: the same filter on the appeals table): the
// rollup's days before today, plus today's deadlines already passed,
// counted from the appeals whose deadline of a running clock lies between
// today's 00:00 UTC and now (the open-deadline indexes; a day's worth).
func (s *Service) statsDue(ctx context.Context, conds []rollupCond, where string, args []any, st *Stats) error {
	now := s.now()
	today := now.UTC().Truncate(24 * time.Hour)
	var b sqlb
	b.add("due_day < ?", today.Format("2006-01-02"))
	for _, c := range conds {
		b.add(c.cond, c.vals...)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT what, COALESCE(SUM(n), 0) FROM appeal_stats_due`+b.where()+` GROUP BY what`, b.args...)
	if err != nil {
		return err
	}
	var overdue, late int64
	for rows.Next() {
		var what string
		var n int64
		if err := rows.Scan(&what, &n); err != nil {
			rows.Close()
			return err
		}
		switch what {
		case dueOverdue:
			overdue = n
		case dueLate:
			late = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Today: overdue by now and not yet at 00:00 (so not in the rollup's
	// days before), late likewise.
	q, qargs := dueTodaySQL(where, args, today, now)
	var odToday, lateToday int64
	if err := s.DB.Q(ctx).QueryRow(ctx, q, qargs...).Scan(&odToday, &lateToday); err != nil {
		return err
	}
	st.OverdueCount, st.LateOpen = overdue+odToday, late+lateToday
	return nil
}

// dueTodaySQL counts the open appeals matching where (with args) that
// became overdue, and late, in [today, now): the candidates are the open
// appeals with a deadline in that range, one range of a partial index
// per clock (TestStatsDuePlans).
func dueTodaySQL(where string, args []any, today, now time.Time) (string, []any) {
	t := sqlb{args: args}
	odNow := t.expr(overdueCond(), now, now, now)
	odDay := t.expr(overdueCond(), today, today, today)
	lateNow := t.expr(lateOpenCond(), now)
	lateDay := t.expr("a.reply_due >= ?", today)
	var ranges []string
	for _, c := range clocks {
		ranges = append(ranges, t.expr(`SELECT id FROM appeals WHERE `+c.dueCol+` >= ? AND `+c.dueCol+` < ? AND state NOT IN ('rejected', 'closed', 'merged')`, today, now))
	}
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	return `SELECT COALESCE(SUM(CASE WHEN ` + odDay + ` THEN 0 WHEN ` + odNow + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + lateNow + ` AND ` + lateDay + ` THEN 1 ELSE 0 END), 0)
		FROM appeals a` + where + `a.id IN (` + strings.Join(ranges, " UNION ") + `)`, t.args
}
