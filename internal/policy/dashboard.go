package policy

import (
	"context"
	"slices"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy/rules"
)

// MayEdit reports whether the caller may edit p (for showing buttons; the
// service checks again on every write).
func (s *Service) MayEdit(ctx context.Context, p *Policy) bool {
	_, err := editor(ctx, p.DepartmentID)
	return err == nil
}

// Figure is one row of a dashboard table.
type Figure struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Grants   int64  `json:"grants"`
	TotalFen int64  `json:"total_fen"`
	Total    string `json:"total"`
}

// Dashboard is the office's and supervisors' view of policy delivery.
type Dashboard struct {
	Policies     int64     `json:"policies"`
	Published    int64     `json:"published"`
	Granted      int64     `json:"granted" doc:"grants accepted, approved or paid"`
	Paid         int64     `json:"paid"`
	PaidFen      int64     `json:"paid_fen"`
	PaidTotal    string    `json:"paid_total"`
	Intercepted  int64     `json:"intercepted" doc:"grants stopped by a check before money or a reviewer"`
	Enterprises  int64     `json:"enterprises" doc:"distinct entities granted"`
	ByPolicy     []Figure  `json:"by_policy"`
	ByDepartment []Figure  `json:"by_department"`
	ByMonth      []Figure  `json:"by_month" doc:"paid grants per month of payment (Asia/Shanghai)"`
	Push         PushStats `json:"push" doc:"targeted pushes and their read rate"`
	Tags         TagStats  `json:"tags" doc:"the tag match rate: of the pushes aimed by tags, the share whose entity met the rule when pushed or was granted"`
	ToMoney      ToMoney   `json:"to_money" doc:"working days from eligibility to money, over paid grants"`
}

// ToMoney is the average number of working days (the platform calendar)
// from eligibility (the day the grant was decided: the round that
// computed it) to money (the day it was recorded paid), over paid grants.
type ToMoney struct {
	Grants  int64    `json:"grants" doc:"paid grants measured"`
	Average *float64 `json:"average,omitempty" doc:"mean working days; absent when no grant is paid"`
	// Text is the average as shown, e.g. 4.5, or "—" when none.
	Text string `json:"text"`
}

// toMoney computes ToMoney from the paid grants, on the platform calendar
// (dates in Asia/Shanghai; a grant decided and paid the same day is 0).
func (s *Service) toMoney(ctx context.Context) (ToMoney, error) {
	tm := ToMoney{Text: "—"}
	cal := calendar.New(nil)
	if s.Calendar != nil {
		c, err := s.Calendar.Calendar(ctx)
		if err != nil {
			return tm, err
		}
		cal = c
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT created_at, paid_at FROM policy_grants WHERE status = 'paid' AND paid_at IS NOT NULL")
	if err != nil {
		return tm, err
	}
	defer rows.Close()
	var sum int64
	for rows.Next() {
		var from, to time.Time
		if err := rows.Scan(&from, &to); err != nil {
			return tm, err
		}
		sum += int64(cal.WorkdaysBetween(calendar.FromTime(from, calendar.Shanghai), calendar.FromTime(to, calendar.Shanghai)))
		tm.Grants++
	}
	if err := rows.Err(); err != nil {
		return tm, err
	}
	if tm.Grants > 0 {
		avg := float64(sum) / float64(tm.Grants)
		tm.Average = &avg
		tm.Text = strconv.FormatFloat(avg, 'f', 1, 64)
	}
	return tm, nil
}

// Dashboard returns the delivery figures (platform admin, supervisors,
// department admins).
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin); err != nil {
		return nil, err
	}
	d := &Dashboard{ByPolicy: []Figure{}, ByDepartment: []Figure{}, ByMonth: []Figure{}}
	q := s.DB.Q(ctx)
	if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END), 0) FROM policy_policies").Scan(&d.Policies, &d.Published); err != nil {
		return nil, err
	}
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status <> 'excluded' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_fen ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'excluded' THEN 1 ELSE 0 END), 0),
		COUNT(DISTINCT CASE WHEN status <> 'excluded' THEN entity_id END) FROM policy_grants`).Scan(&d.Granted, &d.Paid, &d.PaidFen, &d.Intercepted, &d.Enterprises); err != nil {
		return nil, err
	}
	d.PaidTotal = rules.Fen(d.PaidFen)
	var err error
	if d.Push, err = s.pushStats(ctx); err != nil {
		return nil, err
	}
	if d.Tags, err = s.tagStats(ctx); err != nil {
		return nil, err
	}
	if d.ToMoney, err = s.toMoney(ctx); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT p.id, p.title, p.department_id, COUNT(*), COALESCE(SUM(g.amount_fen), 0) FROM policy_grants g
		JOIN policy_policies p ON p.id = g.policy_id WHERE g.status <> 'excluded' GROUP BY p.id, p.title, p.department_id ORDER BY 5 DESC`)
	if err != nil {
		return nil, err
	}
	byDept := map[int64]*Figure{}
	var depts []int64
	for rows.Next() {
		var f Figure
		var id, dept int64
		if err := rows.Scan(&id, &f.Label, &dept, &f.Grants, &f.TotalFen); err != nil {
			rows.Close()
			return nil, err
		}
		f.Key, f.Total = itoa(id), rules.Fen(f.TotalFen)
		d.ByPolicy = append(d.ByPolicy, f)
		if byDept[dept] == nil {
			byDept[dept] = &Figure{Key: itoa(dept)}
			depts = append(depts, dept)
		}
		byDept[dept].Grants += f.Grants
		byDept[dept].TotalFen += f.TotalFen
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.Accounts != nil {
		refs, err := s.Accounts.DepartmentRefs(ctx, depts)
		if err != nil {
			return nil, err
		}
		for _, id := range depts {
			f := byDept[id]
			f.Label, f.Total = refs[id].Name, rules.Fen(f.TotalFen)
			d.ByDepartment = append(d.ByDepartment, *f)
		}
	}
	// Months in Shanghai time, computed here so both engines agree.
	prow, err := q.Query(ctx, "SELECT paid_at, amount_fen FROM policy_grants WHERE status = 'paid' AND paid_at IS NOT NULL")
	if err != nil {
		return nil, err
	}
	months := map[string]*Figure{}
	var keys []string
	for prow.Next() {
		var at time.Time
		var fen int64
		if err := prow.Scan(&at, &fen); err != nil {
			prow.Close()
			return nil, err
		}
		k := at.In(calendar.Shanghai).Format("2006-01")
		if months[k] == nil {
			months[k] = &Figure{Key: k, Label: k}
			keys = append(keys, k)
		}
		months[k].Grants++
		months[k].TotalFen += fen
	}
	prow.Close()
	if err := prow.Err(); err != nil {
		return nil, err
	}
	slices.Sort(keys)
	for _, k := range keys {
		months[k].Total = rules.Fen(months[k].TotalFen)
		d.ByMonth = append(d.ByMonth, *months[k])
	}
	return d, nil
}
