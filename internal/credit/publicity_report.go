package credit

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// The 双公示 timeliness report (issue 18 item 11): administrative licensing
// and penalty decisions must be published within 7 working days of the
// decision. A decision counts as published on the day (Asia/Shanghai) its
// record was entered on the platform, which publishes it at once; it is on
// time when that day is no later than the 7th working day after the
// decision date (platform calendar, internal/workcal). The rate is per
// department and per month of the decision.

// PublicityWorkdays is the 双公示 limit in working days.
const PublicityWorkdays = 7

// PublicityRow is one department's figures for one month.
type PublicityRow struct {
	DepartmentID   int64   `json:"department_id"`
	DepartmentName string  `json:"department_name"`
	Month          string  `json:"month" doc:"YYYY-MM of the decision date"`
	Decisions      int     `json:"decisions"`
	OnTime         int     `json:"on_time"`
	Late           int     `json:"late"`
	Rate           float64 `json:"rate" doc:"on_time / decisions, 0..1"`
}

// PublicityQuery selects the months of the report.
type PublicityQuery struct {
	From string `query:"from" doc:"YYYY-MM, default: 11 months before to"`
	To   string `query:"to" doc:"YYYY-MM, default: this month"`
}

// LateDecision is a decision published after the limit.
type LateDecision struct {
	RecordID     int64  `json:"record_id"`
	DepartmentID int64  `json:"department_id"`
	Kind         string `json:"kind"`
	DecisionNo   string `json:"decision_no"`
	DecidedOn    string `json:"decided_on"`
	DueOn        string `json:"due_on"`
	PublishedOn  string `json:"published_on"`
}

// PublicityReport is the report with its late decisions.
type PublicityReport struct {
	From  string         `json:"from"`
	To    string         `json:"to"`
	Days  int            `json:"days"`
	Rows  []PublicityRow `json:"rows"`
	Total PublicityRow   `json:"total"`
	Late  []LateDecision `json:"late"`
}

// Publicity computes the report: staff see their departments, platform
// admins and supervisors every department.
func (s *Service) Publicity(ctx context.Context, q PublicityQuery) (*PublicityReport, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	if err != nil {
		return nil, err
	}
	to := s.today().String()[:7]
	if q.To != "" {
		to = q.To
	}
	toDate, err1 := calendar.ParseDate(to + "-01")
	if err1 != nil {
		return nil, yserr.Field("to", "月份格式为 YYYY-MM", "the month is YYYY-MM")
	}
	from := AddMonths(toDate, -11).String()[:7]
	if q.From != "" {
		from = q.From
	}
	fromDate, err2 := calendar.ParseDate(from + "-01")
	if err2 != nil || fromDate.After(toDate) {
		return nil, yserr.Field("from", "起始月份格式为 YYYY-MM，且不晚于截止月份", "from is YYYY-MM and not after to")
	}
	end := AddMonths(toDate, 1).AddDays(-1).String()
	cond, args := scope.Where(a, scope.Columns{Dept: "r.department_id"}, nil)
	args = append(args, fromDate.String(), end)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT r.id, r.department_id, r.kind, r.decided_on, r.created_at, v.content FROM credit_records r
		JOIN credit_record_versions v ON v.record_id = r.id AND v.version = 1
		WHERE `+cond+` AND r.kind IN ('licence', 'penalty') AND r.decided_on >= $`+itoa(len(args)-1)+` AND r.decided_on <= $`+itoa(len(args))+`
		ORDER BY r.decided_on, r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		dept  int64
		month string
	}
	agg := map[key]*PublicityRow{}
	rep := &PublicityReport{From: from, To: to, Days: PublicityWorkdays, Rows: []PublicityRow{}, Late: []LateDecision{}}
	for rows.Next() {
		var id, dept int64
		var kind, decided, content string
		var created time.Time
		if err := rows.Scan(&id, &dept, &kind, &decided, &created, &content); err != nil {
			return nil, err
		}
		d, err := calendar.ParseDate(decided)
		if err != nil {
			continue
		}
		due := cal.AddWorkdays(d, PublicityWorkdays)
		pub := calendar.FromTime(created, calendar.Shanghai)
		k := key{dept, decided[:7]}
		r := agg[k]
		if r == nil {
			r = &PublicityRow{DepartmentID: dept, Month: k.month}
			agg[k] = r
		}
		r.Decisions++
		if pub.After(due) {
			r.Late++
			c, _ := parseContent(content)
			rep.Late = append(rep.Late, LateDecision{RecordID: id, DepartmentID: dept, Kind: kind, DecisionNo: c.DecisionNo, DecidedOn: decided,
				DueOn: due.String(), PublishedOn: pub.String()})
		} else {
			r.OnTime++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names := map[int64]string{}
	for k, r := range agg {
		if _, ok := names[k.dept]; !ok {
			n, err := s.deptName(ctx, k.dept)
			if err != nil {
				return nil, err
			}
			names[k.dept] = n
		}
		r.DepartmentName = names[k.dept]
		r.Rate = float64(r.OnTime) / float64(r.Decisions)
		rep.Rows = append(rep.Rows, *r)
		rep.Total.Decisions += r.Decisions
		rep.Total.OnTime += r.OnTime
		rep.Total.Late += r.Late
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		if rep.Rows[i].Month != rep.Rows[j].Month {
			return rep.Rows[i].Month < rep.Rows[j].Month
		}
		return strings.Compare(rep.Rows[i].DepartmentName, rep.Rows[j].DepartmentName) < 0
	})
	if rep.Total.Decisions > 0 {
		rep.Total.Rate = float64(rep.Total.OnTime) / float64(rep.Total.Decisions)
	}
	return rep, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
