package appeal

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
	"yingshang/internal/db"
)

// Count is a labelled number.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int64  `json:"n"`
}

// MonthCount is the volume of one month and type.
type MonthCount struct {
	Month string `json:"month" doc:"YYYY-MM (Asia/Shanghai)"`
	Kind  Kind   `json:"kind"`
	N     int64  `json:"n"`
}

// Stats are the dashboard figures over the appeals matching a filter.
type Stats struct {
	Total         int64        `json:"total"`
	Open          int64        `json:"open"`
	ByKind        []Count      `json:"by_kind"`
	ByTopic       []Count      `json:"by_topic"`
	ByDept        []Count      `json:"by_dept"`
	ByMonth       []MonthCount `json:"by_month"`
	Replied       int64        `json:"replied" doc:"appeals with a reply deadline that were answered"`
	OnTime        int64        `json:"on_time"`
	LateOpen      int64        `json:"late_open" doc:"open appeals past their reply deadline without a reply: counted as late"`
	OnTimeRate    float64      `json:"on_time_rate" doc:"on_time / (replied + late_open), 0-1"`
	Closed        int64        `json:"closed" doc:"closed appeals with their handling time recorded"`
	AvgHandlingWD *float64     `json:"avg_handling_wd" doc:"average working days from submission to reply over the closed appeals; null when none is closed"`
	Rated         int64        `json:"rated"`
	SatisfiedRate float64      `json:"satisfied_rate" doc:"(satisfied + basic) / rated"`
	Reopened      int64        `json:"reopened"`
	ReopenRate    float64      `json:"reopen_rate" doc:"reopened / replied"`
	Overdue       []Appeal     `json:"overdue" doc:"up to 20 open appeals past a deadline"`
	OverdueCount  int64        `json:"overdue_count"`
}

// Stats computes the dashboard figures (dispatchers, supervisors, intake;
// department staff see their own department's).
//
// The figures that only change when an appeal is written come from the
// rollup (stats_rollup.go: per day x type x topic x lead department x
// state, kept in the transactions that write appeals; whole months from
// the month rows); the ones that change with the time (overdue, late and
// still open) from the rollup of the open appeals' deadlines by day plus
// today's passed deadlines (stats_due.go), or, with a period or a
// department's scope, by counting the open appeals of the period through
// a partial index; the 20 newest overdue appeals are an
// indexed query with LIMIT. A filter the rollup cannot answer (words of
// the title, one enterprise) groups the matching appeals instead
// (statsScan). TestStatsSameAsBefore and TestStatsRollupRandom hold both
// paths to the straightforward computation.
func (s *Service) Stats(ctx context.Context, f Filter, lang string) (*Stats, error) {
	return s.stats(ctx, f, lang, false)
}

// StatsScan is the dashboard computed the straightforward way, grouping
// the matching appeals themselves: Stats' path for the filters the rollup
// cannot answer, and the baseline of `go run ./tools/bench appeal-stats`.
func (s *Service) StatsScan(ctx context.Context, f Filter, lang string) (*Stats, error) {
	return s.stats(ctx, f, lang, true)
}

func (s *Service) stats(ctx context.Context, f Filter, lang string, scan bool) (*Stats, error) {
	f.Queue, f.Overdue, f.State = "", false, ""
	where, args, err := s.filterSQL(ctx, f)
	if err != nil {
		return nil, err
	}
	if a := auth.From(ctx); a.Has(auth.Enterprise) && !a.Has(auth.DeptStaff, auth.DeptAdmin, auth.PlatformAdmin, auth.Supervisor) {
		return nil, errForbidden()
	}
	st := &Stats{}
	acc := newStatsAcc()
	conds, scoped, ok, err := s.rollupFilter(ctx, f)
	if err != nil {
		return nil, err
	}
	if ok && !scan {
		if err := s.ensureRollup(ctx); err != nil {
			return nil, err
		}
		if err := s.statsRollup(ctx, conds, f.From, f.To, acc); err != nil {
			return nil, err
		}
		now := s.statsNow
		if !scoped && f.From == "" && f.To == "" {
			now = func(ctx context.Context, where string, args []any, st *Stats) error {
				return s.statsDue(ctx, conds, where, args, st)
			}
		}
		if err := now(ctx, where, args, st); err != nil {
			return nil, err
		}
	} else if err := s.statsScan(ctx, where, args, acc, st); err != nil {
		return nil, err
	}
	if err := s.finishStats(ctx, f, lang, acc, st); err != nil {
		return nil, err
	}
	return st, nil
}

// statsGroup is the figures of a group of appeals.
type statsGroup struct {
	kind, topic, month                                                              string
	dept                                                                            int64
	n, open, replied, onTime, wdSum, wdN, rated, satisfied, reopened, overdue, late int64
}

// statsAcc adds up groups.
type statsAcc struct {
	g      statsGroup // the totals
	kinds  map[string]int64
	topics map[string]int64
	depts  map[int64]int64
	months map[[2]string]int64
}

func newStatsAcc() *statsAcc {
	return &statsAcc{kinds: map[string]int64{}, topics: map[string]int64{}, depts: map[int64]int64{}, months: map[[2]string]int64{}}
}

func (a *statsAcc) add(g statsGroup) {
	t := &a.g
	t.n += g.n
	t.open += g.open
	t.replied += g.replied
	t.onTime += g.onTime
	t.wdSum += g.wdSum
	t.wdN += g.wdN
	t.rated += g.rated
	t.satisfied += g.satisfied
	t.reopened += g.reopened
	t.overdue += g.overdue
	t.late += g.late
	a.kinds[g.kind] += g.n
	a.topics[g.topic] += g.n
	a.depts[g.dept] += g.n
	a.months[[2]string{g.month, g.kind}] += g.n
}

// statsScan groups the matching appeals themselves in one pass: by type,
// topic, lead department and month of submission (Asia/Shanghai), summing
// the figures stored on each appeal when it moved plus whether it is
// overdue now.
func (s *Service) statsScan(ctx context.Context, where string, args []any, acc *statsAcc, st *Stats) error {
	b := sqlb{args: args}
	now := s.now()
	overdue := b.expr(overdueCond(), now, now, now)
	lateOpen := b.expr(lateOpenCond(), now)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.kind, a.topic, COALESCE(a.lead_dept_id, 0), `+s.DB.Dialect.GroupMonth("a.submitted_at")+`, COUNT(*),
		SUM(CASE WHEN a.state NOT IN ('rejected', 'closed', 'merged') THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.reply_on_time IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.reply_on_time THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN a.state = 'closed' THEN a.handling_workdays END), 0), COUNT(CASE WHEN a.state = 'closed' THEN a.handling_workdays END),
		SUM(CASE WHEN a.rating <> '' THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.reopen_count > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN `+overdue+` THEN 1 ELSE 0 END),
		SUM(CASE WHEN `+lateOpen+` THEN 1 ELSE 0 END)
		FROM appeals a`+where+` GROUP BY 1, 2, 3, 4`, b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g statsGroup
		var monthVal any
		if err := rows.Scan(&g.kind, &g.topic, &g.dept, &monthVal, &g.n, &g.open, &g.replied, &g.onTime, &g.wdSum, &g.wdN, &g.rated,
			&g.satisfied, &g.reopened, &g.overdue, &g.late); err != nil {
			return err
		}
		g.month = db.MonthOf(monthVal)
		acc.add(g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st.OverdueCount, st.LateOpen = acc.g.overdue, acc.g.late
	return nil
}

// finishStats turns the sums into the dashboard's figures and lists and
// reads the 20 newest overdue appeals.
func (s *Service) finishStats(ctx context.Context, f Filter, lang string, acc *statsAcc, st *Stats) error {
	t := acc.g
	st.Total, st.Open, st.Replied, st.OnTime, st.Rated, st.Reopened = t.n, t.open, t.replied, t.onTime, t.rated, t.reopened
	st.Closed = t.wdN
	if t.wdN > 0 {
		avg := round2(float64(t.wdSum) / float64(t.wdN))
		st.AvgHandlingWD = &avg
	}
	st.OnTimeRate = ratio(st.OnTime, st.Replied+st.LateOpen)
	st.SatisfiedRate = ratio(t.satisfied, st.Rated)
	st.ReopenRate = ratio(st.Reopened, st.Replied+st.Reopened)
	st.ByKind = top(acc.kinds, func(k string) string { return Kind(k).Label(lang) })
	st.ByTopic = top(acc.topics, func(k string) string { return k })
	byName, err := s.deptNames(ctx, acc.depts)
	if err != nil {
		return err
	}
	st.ByDept = top(byName, func(k string) string {
		if k == "" {
			return pick([2]string{"未交办", "not assigned"}, lang)
		}
		return k
	})
	st.ByMonth = make([]MonthCount, 0, len(acc.months))
	for k, n := range acc.months {
		st.ByMonth = append(st.ByMonth, MonthCount{Month: k[0], Kind: Kind(k[1]), N: n})
	}
	slices.SortFunc(st.ByMonth, func(a, b MonthCount) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	if st.OverdueCount > 0 {
		of := f
		of.Overdue, of.State = true, "open"
		where, args, err := s.filterSQL(ctx, of)
		if err != nil {
			return err
		}
		if st.Overdue, err = s.page(ctx, where, args, 1, 20); err != nil {
			return err
		}
	}
	return nil
}

// deptNames turns counts by lead department id into counts by department
// name ("" = not assigned yet).
func (s *Service) deptNames(ctx context.Context, byID map[int64]int64) (map[string]int64, error) {
	out := map[string]int64{}
	var ids []int64
	for id, n := range byID {
		if id == 0 {
			out[""] += n
		} else {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	depts, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, d := range depts {
		out[d.Name] += byID[id]
	}
	return out, nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return round2(float64(a) / float64(b))
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// top lists the 30 largest counts, largest first (equal counts by key).
func top(counts map[string]int64, label func(string) string) []Count {
	out := make([]Count, 0, len(counts))
	for k, n := range counts {
		out = append(out, Count{Key: k, Label: label(k), N: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out[:min(len(out), 30)]
}

// ExportXLSX writes the ledger (台账) of the appeals matching f as .xlsx.
func (s *Service) ExportXLSX(ctx context.Context, f Filter, w io.Writer) error {
	f.Page, f.PerPage = 1, 500
	x := excelize.NewFile()
	defer x.Close()
	sheet := "诉求台账"
	x.SetSheetName("Sheet1", sheet)
	head := []any{"编号 Number", "提交时间 Submitted", "渠道 Channel", "类型 Type", "领域 Topic", "标题 Title", "企业 Entity",
		"状态 State", "主办部门 Lead", "答复期限 Reply due", "答复时间 Replied", "按期 On time", "办理工作日 WD", "评价 Rating", "重办 Reopened", "督办 Supervision"}
	_ = x.SetSheetRow(sheet, "A1", &head)
	row := 2
	for {
		list, total, err := s.List(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range list {
			onTime := ""
			if a.ReplyOnTime != nil {
				onTime = map[bool]string{true: "是", false: "否"}[*a.ReplyOnTime]
			}
			wd := ""
			if a.HandlingWorkdays != nil {
				wd = strconv.Itoa(*a.HandlingWorkdays)
			}
			vals := []any{a.Number, a.SubmittedAt.In(shanghai).Format("2006-01-02 15:04"), ChannelLabel(a.Channel, "zh"), a.Kind.Label("zh"),
				a.Topic, a.Title, a.EntityName, a.State.Label("zh"), a.LeadDeptName, fmtDue(a.ReplyDue), fmtOpt(a.RepliedAt), onTime, wd,
				RatingLabel(a.Rating, "zh"), a.ReopenCount, a.SupervisionLevel}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			_ = x.SetSheetRow(sheet, cell, &vals)
			row++
		}
		if int64(f.Page*f.PerPage) >= total || len(list) == 0 {
			break
		}
		f.Page++
	}
	_ = x.SetColWidth(sheet, "A", "A", 18)
	_ = x.SetColWidth(sheet, "F", "G", 30)
	return x.Write(w)
}

func fmtOpt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return fmtDue(t)
}

// lateOpenCond is true for an open appeal past its reply deadline without
// a reply (its reply clock is running: a paused clock is not late). It
// takes one argument, now.
func lateOpenCond() string {
	for _, c := range clocks {
		if c.name == "reply" {
			return "a.reply_due < ? AND a.replied_at IS NULL AND a.state IN (" + c.stateList() + ")"
		}
	}
	panic("appeal: no reply clock")
}
