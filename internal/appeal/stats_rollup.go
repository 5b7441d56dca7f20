package appeal

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
)

// The dashboard rollup (table appeal_stats_days, migration 0006): what each
// appeal contributes to the dashboard, added up per local day of
// submission x type x topic x lead department x state. Every write path of
// an appeal moves the appeal's contribution in its own transaction
// (rollupMove: intake in insert, every transition in apply, the demo's
// backdating); the SLA scan writes only alert levels, which the rollup
// does not hold. Stats then reads a few thousand rollup rows instead of
// grouping the appeals table.

// statKey is the rollup row an appeal counts in.
type statKey struct {
	day, kind, topic string
	dept             int64
	state            string
}

// statVec is what an appeal adds to its row (or the sum over a row).
type statVec struct {
	n, replied, onTime, wdSum, wdN, rated, satisfied, reopened int64
}

func (v statVec) minus(o statVec) statVec {
	return statVec{v.n - o.n, v.replied - o.replied, v.onTime - o.onTime, v.wdSum - o.wdSum, v.wdN - o.wdN,
		v.rated - o.rated, v.satisfied - o.satisfied, v.reopened - o.reopened}
}

func (v statVec) plus(o statVec) statVec { return v.minus(statVec{}.minus(o)) }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// statOf is an appeal's rollup row and contribution, with the same
// definitions as the grouped query (statsScan) and the old computation.
func statOf(a *Appeal) (statKey, statVec) {
	k := statKey{day: a.SubmittedAt.In(shanghai).Format("2006-01-02"), kind: string(a.Kind), topic: a.Topic, dept: a.LeadDeptID, state: string(a.State)}
	v := statVec{n: 1, rated: b2i(a.Rating != ""), satisfied: b2i(a.Rating == "satisfied" || a.Rating == "basic"), reopened: b2i(a.ReopenCount > 0)}
	if a.ReplyOnTime != nil {
		v.replied, v.onTime = 1, b2i(*a.ReplyOnTime)
	}
	if a.HandlingWorkdays != nil {
		v.wdSum, v.wdN = int64(*a.HandlingWorkdays), 1
	}
	return k, v
}

// rollupMove moves an appeal's contribution from what it was (nil: a new
// appeal) to what it is: its day row, its month row and its rows of the
// time-dependent figures (stats_due.go). In a transaction the moves are
// added up (rollupAcc) and written at its commit, one statement per table
// (several intakes sharing a transaction, db.Group: issue 17), all in the
// shard of the transaction's first appeal: the shards (migration 0009)
// only spread concurrent transactions over rows, and readers add them up
// (a shard's row may go below zero when an appeal counted in another
// shard moves; the sum stays right). Every transaction takes the rows in
// the same order (days, then months, then the due rows, each in key and
// shard order), so that two of them cannot deadlock on PostgreSQL.
func (s *Service) rollupMove(ctx context.Context, before, after *Appeal) error {
	ka, va := statOf(after)
	var deltas []rollupDelta
	if before == nil {
		deltas = []rollupDelta{{ka, va}}
	} else if kb, vb := statOf(before); kb == ka {
		deltas = []rollupDelta{{ka, va.minus(vb)}}
	} else {
		deltas = []rollupDelta{{kb, statVec{}.minus(vb)}, {ka, va}}
	}
	id := after.ID
	if before != nil {
		id = before.ID
	}
	shard := s.rollupShard(id)
	if _, ok := db.TxFrom(ctx); !ok {
		acc := newRollupAcc(shard)
		acc.add(deltas, before, after)
		return s.DB.ExecAll(ctx, acc.stmts())
	}
	acc, _ := db.Local(ctx, rollupAccKey{}, func() *rollupAcc {
		a := newRollupAcc(shard)
		_ = db.BeforeCommit(ctx, func(ctx context.Context) error { return s.DB.DeferAll(ctx, a.stmts()) })
		return a
	})
	acc.add(deltas, before, after)
	return nil
}

// rollupAccKey keys a transaction's rollupAcc (db.Local).
type rollupAccKey struct{}

// shardKey is a rollup row: its key and shard.
type shardKey struct {
	k     statKey
	shard int64
}

type dueShardKey struct {
	k     dueKey
	shard int64
}

// rollupAcc is what a transaction's moves add to the rollup rows, written
// at its commit.
type rollupAcc struct {
	shard        int64 // the transaction's
	days, months map[shardKey]statVec
	due          map[dueShardKey]int64
}

func newRollupAcc(shard int64) *rollupAcc {
	return &rollupAcc{shard: shard, days: map[shardKey]statVec{}, months: map[shardKey]statVec{}, due: map[dueShardKey]int64{}}
}

// add adds one move (rollupMove's deltas, and the due rows of before and
// after) in the accumulator's shard.
func (a *rollupAcc) add(deltas []rollupDelta, before, after *Appeal) {
	shard := a.shard
	for _, d := range deltas {
		k := shardKey{d.k, shard}
		a.days[k] = a.days[k].plus(d.v)
		k.k.day = k.k.day[:7]
		a.months[k] = a.months[k].plus(d.v)
	}
	if before != nil {
		for _, k := range dueKeys(before) {
			a.due[dueShardKey{k, shard}]--
		}
	}
	for _, k := range dueKeys(after) {
		a.due[dueShardKey{k, shard}]++
	}
}

// stmts are the upserts of what was added: one multi-row statement per
// table (days, months, due, the order of rollupMove), its rows in key then
// shard order (every transaction locks rows in the same order).
func (a *rollupAcc) stmts() []db.Stmt {
	var out []db.Stmt
	for _, t := range []struct {
		table, col string
		rows       map[shardKey]statVec
	}{{"appeal_stats_days", "day", a.days}, {"appeal_stats_months", "month", a.months}} {
		keys := make([]shardKey, 0, len(t.rows))
		for k, v := range t.rows {
			if v != (statVec{}) {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		slices.SortFunc(keys, func(x, y shardKey) int {
			switch {
			case keyLess(x.k, y.k):
				return -1
			case keyLess(y.k, x.k):
				return 1
			}
			return cmp.Compare(x.shard, y.shard)
		})
		rows := make([][]any, len(keys))
		for i, k := range keys {
			v := t.rows[k]
			rows[i] = []any{k.k.day, k.k.kind, k.k.topic, k.k.dept, k.k.state, k.shard, v.n, v.replied, v.onTime, v.wdSum, v.wdN, v.rated, v.satisfied, v.reopened}
		}
		out = append(out, db.InsertRows(t.table, []string{t.col, "kind", "topic", "dept_id", "state", "shard", "n", "replied", "on_time", "wd_sum", "wd_n", "rated", "satisfied", "reopened"}, rows,
			` ON CONFLICT (`+t.col+`, kind, topic, dept_id, state, shard) DO UPDATE SET n = `+t.table+`.n + excluded.n,
		replied = `+t.table+`.replied + excluded.replied, on_time = `+t.table+`.on_time + excluded.on_time,
		wd_sum = `+t.table+`.wd_sum + excluded.wd_sum, wd_n = `+t.table+`.wd_n + excluded.wd_n,
		rated = `+t.table+`.rated + excluded.rated, satisfied = `+t.table+`.satisfied + excluded.satisfied,
		reopened = `+t.table+`.reopened + excluded.reopened`))
	}
	keys := make([]dueShardKey, 0, len(a.due))
	for k, n := range a.due {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		slices.SortFunc(keys, func(x, y dueShardKey) int {
			return cmp.Or(strings.Compare(x.k.what, y.k.what), strings.Compare(x.k.day, y.k.day), strings.Compare(x.k.kind, y.k.kind),
				strings.Compare(x.k.topic, y.k.topic), cmp.Compare(x.k.dept, y.k.dept), cmp.Compare(x.shard, y.shard))
		})
		rows := make([][]any, len(keys))
		for i, k := range keys {
			rows[i] = []any{k.k.what, k.k.day, k.k.kind, k.k.topic, k.k.dept, k.shard, a.due[k]}
		}
		out = append(out, db.InsertRows("appeal_stats_due", []string{"what", "due_day", "kind", "topic", "dept_id", "shard", "n"}, rows,
			` ON CONFLICT (what, due_day, kind, topic, dept_id, shard) DO UPDATE SET n = appeal_stats_due.n + excluded.n`))
	}
	return out
}

// rollupShards is how many rows each rollup key is split into: on
// PostgreSQL a row updated by an intake stays locked until its commit, and
// 16 shards let that many concurrent intakes of the same day, type and
// topic through at once; SQLite has one writer at a time, so one.
func (s *Service) rollupShards() int64 {
	if s.DB.Dialect == db.Postgres {
		return 16
	}
	return 1
}

// rollupShard is the shard of appeal id's rollup rows.
func (s *Service) rollupShard(id int64) int64 { return id % s.rollupShards() }

type rollupDelta struct {
	k statKey
	v statVec
}

func keyLess(a, b statKey) bool {
	if a.day != b.day {
		return a.day < b.day
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.topic != b.topic {
		return a.topic < b.topic
	}
	if a.dept != b.dept {
		return a.dept < b.dept
	}
	return a.state < b.state
}

// ensureRollup fills the rollup from the appeals table once (the appeals
// that existed before migration 0006, or rows loaded around the
// application), then remembers that it is built.
func (s *Service) ensureRollup(ctx context.Context) error {
	if s.rollupBuilt.Load() {
		return nil
	}
	var n int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM appeal_stats_built`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if err := s.RebuildRollup(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	s.rollupBuilt.Store(true)
	return nil
}

// RebuildRollup recomputes the dashboard rollup from the appeals table in
// one transaction that holds off appeal writes (PostgreSQL: a SHARE lock
// on appeals, which waits for the writers in flight; SQLite: the single
// writer). It is the backfill of migration 0006 and the repair tool after
// appeals were written around the application (bulk loads, benchmarks).
func (s *Service) RebuildRollup(ctx context.Context) error {
	day := "strftime('%Y-%m-%d', submitted_at, '+8 hours')"
	if s.DB.Dialect == db.Postgres {
		day = "to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		w := s.DB.W(ctx)
		if s.DB.Dialect == db.Postgres {
			if _, err := w.Exec(ctx, `LOCK TABLE appeals IN SHARE MODE`); err != nil {
				return err
			}
		}
		if _, err := w.Exec(ctx, `DELETE FROM appeal_stats_days`); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO appeal_stats_days (day, kind, topic, dept_id, state, n, replied, on_time, wd_sum, wd_n, rated, satisfied, reopened)
			SELECT `+day+`, kind, topic, COALESCE(lead_dept_id, 0), state, COUNT(*),
			SUM(CASE WHEN reply_on_time IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN reply_on_time THEN 1 ELSE 0 END),
			COALESCE(SUM(handling_workdays), 0), COUNT(handling_workdays), SUM(CASE WHEN rating <> '' THEN 1 ELSE 0 END),
			SUM(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), SUM(CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END)
			FROM appeals GROUP BY 1, 2, 3, 4, 5`); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `DELETE FROM appeal_stats_months`); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO appeal_stats_months (month, kind, topic, dept_id, state, n, replied, on_time, wd_sum, wd_n, rated, satisfied, reopened)
			SELECT substr(day, 1, 7), kind, topic, dept_id, state, SUM(n), SUM(replied), SUM(on_time), SUM(wd_sum), SUM(wd_n), SUM(rated), SUM(satisfied), SUM(reopened)
			FROM appeal_stats_days GROUP BY substr(day, 1, 7), kind, topic, dept_id, state`); err != nil {
			return err
		}
		if err := s.rebuildDue(ctx); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `DELETE FROM appeal_stats_built`); err != nil {
			return err
		}
		_, err := w.Exec(ctx, `INSERT INTO appeal_stats_built (id, built_at) VALUES (1, $1)`, s.now())
		return err
	})
}

// rollupCond is one condition of a rollup read, with ? for its values.
type rollupCond struct {
	cond string
	vals []any
}

// rollupFilter is the rollup's conditions for a dashboard filter other
// than the period (rollupReads adds that), scoped when they include the
// caller's departments, not ok when the filter needs
// the appeals themselves (words of the title, one enterprise). The
// caller's scope is what filterSQL applies: everything for the appeals
// office, the lead departments in scope for department staff.
func (s *Service) rollupFilter(ctx context.Context, f Filter) (conds []rollupCond, scoped, ok bool, err error) {
	if strings.TrimSpace(f.Q) != "" || f.EntityID != 0 {
		return nil, false, false, nil
	}
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, false, false, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, false, false, err
	}
	if scoped = !(r.dispatcher || r.supervisor || r.intake); scoped {
		// filterSQL let the caller through with the "department" queue.
		ids := make([]any, len(actor.DeptScope))
		marks := make([]string, len(actor.DeptScope))
		for i, d := range actor.DeptScope {
			ids[i], marks[i] = d, "?"
		}
		conds = append(conds, rollupCond{"dept_id IN (" + strings.Join(marks, ", ") + ")", ids})
	}
	if f.Kind != "" {
		conds = append(conds, rollupCond{"kind = ?", []any{f.Kind}})
	}
	if f.Topic != "" {
		conds = append(conds, rollupCond{"topic = ?", []any{f.Topic}})
	}
	if f.DeptID != 0 {
		conds = append(conds, rollupCond{"dept_id = ?", []any{f.DeptID}})
	}
	return conds, scoped, true, nil
}

// rollupRead is one query of the rollup: a table, its period column and
// the conditions on that column.
type rollupRead struct {
	table, col string
	period     []rollupCond
}

// rollupReads splits the period [from, to] (local days YYYY-MM-DD, ""
// unbounded) into the whole months it covers, read from
// appeal_stats_months, and the days of its partial first and last months,
// read from appeal_stats_days. No period: the months table alone.
func rollupReads(from, to string) []rollupRead {
	const day = "2006-01-02"
	var ms, me string // first and last whole month, "" unbounded
	if from != "" {
		t, _ := time.Parse(day, from)
		if t.Day() != 1 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		ms = t.Format("2006-01")
	}
	if to != "" {
		t, _ := time.Parse(day, to)
		if t.AddDate(0, 0, 1).Day() != 1 { // not the month's last day
			t = time.Date(t.Year(), t.Month(), 0, 0, 0, 0, 0, time.UTC)
		}
		me = t.Format("2006-01")
	}
	if from != "" && to != "" && ms > me {
		return []rollupRead{{"appeal_stats_days", "day", []rollupCond{{"day >= ?", []any{from}}, {"day <= ?", []any{to}}}}}
	}
	months := rollupRead{table: "appeal_stats_months", col: "month"}
	var days []string
	var dayArgs []any
	if from != "" {
		months.period = append(months.period, rollupCond{"month >= ?", []any{ms}})
		if from < ms+"-01" {
			days, dayArgs = append(days, "(day >= ? AND day < ?)"), append(dayArgs, from, ms+"-01")
		}
	}
	if to != "" {
		months.period = append(months.period, rollupCond{"month <= ?", []any{me}})
		t, _ := time.Parse("2006-01", me)
		next := t.AddDate(0, 1, 0).Format(day)
		if to >= next {
			days, dayArgs = append(days, "(day >= ? AND day <= ?)"), append(dayArgs, next, to)
		}
	}
	reads := []rollupRead{months}
	if len(days) > 0 {
		reads = append(reads, rollupRead{"appeal_stats_days", "day", []rollupCond{{"(" + strings.Join(days, " OR ") + ")", dayArgs}}})
	}
	return reads
}

// statsRollup adds up the rollup rows matching the filter (conds and the
// period from, to) into acc: whole months from the month rows, the rest
// from the day rows.
func (s *Service) statsRollup(ctx context.Context, conds []rollupCond, from, to string, acc *statsAcc) error {
	for _, rd := range rollupReads(from, to) {
		var b sqlb
		for _, c := range append(slices.Clip(conds), rd.period...) {
			b.add(c.cond, c.vals...)
		}
		if err := s.statsRollupRead(ctx, rd, b.where(), b.args, acc); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) statsRollupRead(ctx context.Context, rd rollupRead, where string, args []any, acc *statsAcc) error {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT kind, topic, dept_id, substr(`+rd.col+`, 1, 7), state, n, replied, on_time,
		wd_sum, wd_n, rated, satisfied, reopened FROM `+rd.table+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, topic, month, state string
		var dept int64
		var v statVec
		if err := rows.Scan(&kind, &topic, &dept, &month, &state, &v.n, &v.replied, &v.onTime, &v.wdSum, &v.wdN, &v.rated, &v.satisfied, &v.reopened); err != nil {
			return err
		}
		if v.n == 0 {
			continue // every appeal of the row moved on
		}
		g := statsGroup{kind: kind, topic: topic, dept: dept, month: month, n: v.n, replied: v.replied, onTime: v.onTime,
			rated: v.rated, satisfied: v.satisfied, reopened: v.reopened}
		switch State(state) {
		case Rejected, Closed, Merged:
		default:
			g.open = v.n
		}
		if State(state) == Closed {
			g.wdSum, g.wdN = v.wdSum, v.wdN
		}
		acc.add(g)
	}
	return rows.Err()
}

// statsNow counts, over the open appeals matching the filter, those past a
// running deadline (overdue) and those past the reply deadline without a
// reply (late): the figures that change with the time and not with a
// write. Every clock runs only in open states, so the query reads the
// partial index appeals_open_stats and never the closed appeals.
func (s *Service) statsNow(ctx context.Context, where string, args []any, st *Stats) error {
	b := sqlb{args: args}
	now := s.now()
	overdue := b.expr(overdueCond(), now, now, now)
	late := b.expr(lateOpenCond(), now)
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	return s.DB.Q(ctx).QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN `+overdue+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+late+` THEN 1 ELSE 0 END), 0)
		FROM appeals a`+where+openStatsCond, b.args...).Scan(&st.OverdueCount, &st.LateOpen)
}

// openStatsCond is the predicate of the partial index appeals_open_stats,
// written exactly so (SQLite uses a partial index only for a query that
// repeats its WHERE term).
const openStatsCond = `a.state NOT IN ('rejected', 'closed', 'merged')`
