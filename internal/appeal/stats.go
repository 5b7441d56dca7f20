package appeal

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
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
	OnTimeRate    float64      `json:"on_time_rate" doc:"on_time / replied, 0-1"`
	AvgHandlingWD float64      `json:"avg_handling_wd" doc:"average working days from submission to reply"`
	Rated         int64        `json:"rated"`
	SatisfiedRate float64      `json:"satisfied_rate" doc:"(satisfied + basic) / rated"`
	Reopened      int64        `json:"reopened"`
	ReopenRate    float64      `json:"reopen_rate" doc:"reopened / replied"`
	Overdue       []Appeal     `json:"overdue" doc:"up to 20 open appeals past a deadline"`
	OverdueCount  int64        `json:"overdue_count"`
}

// Stats computes the dashboard figures (dispatchers, supervisors, intake;
// department staff see their own department's).
func (s *Service) Stats(ctx context.Context, f Filter, lang string) (*Stats, error) {
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
		AVG(a.handling_workdays),
		COALESCE(SUM(CASE WHEN a.rating <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN a.reopen_count > 0 THEN 1 ELSE 0 END), 0)`+appealFrom+where, args...).
		Scan(&st.Total, &st.Open, &st.Replied, &st.OnTime, &avg, &st.Rated, &satisfied, &st.Reopened)
	if err != nil {
		return nil, err
	}
	if avg != nil {
		st.AvgHandlingWD = round2(*avg)
	}
	st.OnTimeRate = ratio(st.OnTime, st.Replied)
	st.SatisfiedRate = ratio(satisfied, st.Rated)
	st.ReopenRate = ratio(st.Reopened, st.Replied+st.Reopened)
	if st.ByKind, err = s.countBy(ctx, "a.kind", where, args, func(k string) string { return Kind(k).Label(lang) }); err != nil {
		return nil, err
	}
	if st.ByTopic, err = s.countBy(ctx, "a.topic", where, args, func(k string) string { return k }); err != nil {
		return nil, err
	}
	if st.ByDept, err = s.countBy(ctx, "COALESCE(d.name, '')", where, args, func(k string) string {
		if k == "" {
			return pick([2]string{"未交办", "not assigned"}, lang)
		}
		return k
	}); err != nil {
		return nil, err
	}
	if st.ByMonth, err = s.byMonth(ctx, where, args); err != nil {
		return nil, err
	}
	of := f
	of.Overdue, of.State, of.PerPage = true, "open", 20
	if st.Overdue, st.OverdueCount, err = s.List(ctx, of); err != nil {
		return nil, err
	}
	return st, nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return round2(float64(a) / float64(b))
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

func (s *Service) countBy(ctx context.Context, col, where string, args []any, label func(string) string) ([]Count, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT `+col+`, COUNT(*)`+appealFrom+where+` GROUP BY `+col+` ORDER BY COUNT(*) DESC LIMIT 30`, args...)
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

type timeT = time.Time

func sortKeys(keys [][2]string) {
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
func (s *Service) byMonth(ctx context.Context, where string, args []any) ([]MonthCount, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.kind, a.submitted_at`+appealFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[[2]string]int64{}
	var keys [][2]string
	for rows.Next() {
		var k string
		var t timeT
		if err := rows.Scan(&k, &t); err != nil {
			return nil, err
		}
		key := [2]string{t.In(shanghai).Format("2006-01"), k}
		if _, ok := counts[key]; !ok {
			keys = append(keys, key)
		}
		counts[key]++
	}
	sortKeys(keys)
	out := make([]MonthCount, 0, len(keys))
	for _, k := range keys {
		out = append(out, MonthCount{Month: k[0], Kind: Kind(k[1]), N: counts[k]})
	}
	return out, rows.Err()
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

func fmtOpt(t *timeT) string {
	if t == nil {
		return ""
	}
	return fmtDue(t)
}
