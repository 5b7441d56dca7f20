package inspect

import (
	"context"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// PublishTask publishes a closed task's result (公示), staff of a
// participating department. The deadline is the task's publish_by.
func (s *Service) PublishTask(ctx context.Context, taskID int64) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, p, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		a := auth.From(ctx)
		if !sees(a, p) || a.Has(auth.Supervisor) && !a.IsSystem() && !a.Has(auth.PlatformAdmin) {
			return yserr.ErrNotFound("检查任务", "inspection task")
		}
		if t.Status != TaskClosed {
			return yserr.New(yserr.Conflict, "任务办结后才能公示", "a task is published once closed")
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_tasks SET published_at = $1, version = version + 1 WHERE id = $2 AND published_at IS NULL", s.now(), taskID)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "已经公示", "already published")
		}
		if err := s.Audit.Record(ctx, "inspect.task.publish", "inspect_task", idText(taskID), nil, map[string]string{"publish_by": t.PublishBy}, ""); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	return out, err
}

// PublicResult is a published task's result (anyone).
type PublicResult struct {
	TaskID      int64              `json:"task_id"`
	PlanCode    string             `json:"plan_code"`
	PlanTitle   string             `json:"plan_title"`
	DrawID      int64              `json:"draw_id" doc:"the sampling draw; its record verifies at /public/draws/{id}/verify"`
	EntityName  string             `json:"entity_name"`
	USCC        string             `json:"uscc"`
	EndedOn     string             `json:"ended_on"`
	PublishedAt time.Time          `json:"published_at"`
	Problem     bool               `json:"problem"`
	Items       []PublicItemResult `json:"items"`
}

// PublicItemResult is one item's published outcome.
type PublicItemResult struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Outcome   string `json:"outcome" enum:"ok,problem,rectify,case"`
	RectifyBy string `json:"rectify_by,omitempty"`
}

// PublicResults lists published results, of one plan (planID) or one
// enterprise (uscc), newest first; at most 200.
func (s *Service) PublicResults(ctx context.Context, planID int64, uscc string) ([]PublicResult, error) {
	args := s.DB.Dialect.Args()
	where := "published_at IS NOT NULL"
	if planID != 0 {
		where += " AND plan_id = " + args.Add(planID)
	}
	if uscc != "" {
		where += " AND uscc = " + args.Add(CodeUSCC(uscc))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, published_at FROM inspect_tasks WHERE "+where+" ORDER BY published_at DESC, id DESC LIMIT 200", args.List()...)
	if err != nil {
		return nil, err
	}
	type idAt struct {
		id int64
		at time.Time
	}
	var list []idAt
	for rows.Next() {
		var x idAt
		if err := rows.Scan(&x.id, &x.at); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, x)
	}
	rows.Close()
	out := []PublicResult{}
	for _, x := range list {
		t, p, err := s.loadTask(ctx, x.id)
		if err != nil {
			return nil, err
		}
		r := PublicResult{TaskID: t.ID, PlanCode: p.Code, PlanTitle: p.Title, DrawID: p.DrawID, EntityName: t.EntityName, USCC: t.USCC,
			EndedOn: t.EndedOn, PublishedAt: x.at, Problem: t.Problem}
		for _, it := range t.Items {
			pr := PublicItemResult{Code: it.Code, Name: it.Name}
			for _, res := range t.Results {
				if res.ItemID == it.ID {
					pr.Outcome, pr.RectifyBy = res.Outcome, res.RectifyBy
				}
			}
			r.Items = append(r.Items, pr)
		}
		out = append(out, r)
	}
	return out, nil
}

// ClassRate is the problem-finding rate of one credit class.
type ClassRate struct {
	Class    string `json:"class"`
	Checked  int    `json:"checked"`
	Problems int    `json:"problems"`
	Permille int    `json:"rate_permille" doc:"problems per thousand checks"`
}

// Stats is the dashboard: problem-finding rate by class, checks per
// enterprise this year against the previous year, scan compliance and
// overdue publicity.
type Stats struct {
	Year            int         `json:"year"`
	Rates           []ClassRate `json:"rates"`
	Checks          int         `json:"checks"`
	Enterprises     int         `json:"enterprises"`
	ChecksPrev      int         `json:"checks_previous_year"`
	EnterprisesPrev int         `json:"enterprises_previous_year"`
	Unscanned       int         `json:"unscanned" doc:"tasks with a result recorded before any scan"`
	OverduePublish  int         `json:"overdue_publicity" doc:"closed tasks past their publicity deadline, unpublished"`
	Rectifying      int         `json:"rectifying" doc:"items under rectification without proof"`
}

// Stats computes the dashboard over the tasks the caller may see (scoped
// in SQL like Tasks).
func (s *Service) Stats(ctx context.Context, year int) (*Stats, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	args := s.DB.Dialect.Args()
	scope := "1=1"
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin, auth.Supervisor) {
		if len(a.DeptScope) == 0 {
			return &Stats{Year: year, Rates: []ClassRate{}}, nil
		}
		scope = "plan_id IN (SELECT plan_id FROM inspect_plan_departments WHERE department_id IN " + args.In(db.InValues(a.DeptScope)...) + ")"
	}
	st := &Stats{Year: year}
	q := s.DB.Q(ctx)
	yArg := args.Add(year)
	rows, err := q.Query(ctx, "SELECT class, COUNT(*), SUM(CASE WHEN problem THEN 1 ELSE 0 END) FROM inspect_tasks WHERE "+scope+
		" AND status = 'closed' AND year = "+yArg+" GROUP BY class", args.List()...)
	if err != nil {
		return nil, err
	}
	got := map[string]ClassRate{}
	for rows.Next() {
		var r ClassRate
		if err := rows.Scan(&r.Class, &r.Checked, &r.Problems); err != nil {
			rows.Close()
			return nil, err
		}
		got[r.Class] = r
	}
	rows.Close()
	for _, c := range Classes {
		r := got[c]
		r.Class = c
		if r.Checked > 0 {
			r.Permille = r.Problems * 1000 / r.Checked
		}
		st.Rates = append(st.Rates, r)
	}
	count := func(y int, checks, ents *int) error {
		l := append([]any(nil), args.List()...)
		l[len(l)-1] = y
		return q.QueryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT entity_id) FROM inspect_tasks WHERE "+scope+" AND year = "+yArg, l...).Scan(checks, ents)
	}
	if err := count(year, &st.Checks, &st.Enterprises); err != nil {
		return nil, err
	}
	if err := count(year-1, &st.ChecksPrev, &st.EnterprisesPrev); err != nil {
		return nil, err
	}
	list := args.List()[:len(args.List())-1]
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM inspect_tasks WHERE "+scope+" AND unscanned", list...).Scan(&st.Unscanned); err != nil {
		return nil, err
	}
	today := s.today().String()
	a3 := s.DB.Dialect.Args(append([]any(nil), list...)...)
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM inspect_tasks WHERE "+scope+" AND status = 'closed' AND published_at IS NULL AND publish_by < "+a3.Add(today),
		a3.List()...).Scan(&st.OverduePublish); err != nil {
		return nil, err
	}
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM inspect_results WHERE outcome = 'rectify' AND proof_file_id IS NULL AND task_id IN (SELECT id FROM inspect_tasks WHERE "+scope+")",
		list...).Scan(&st.Rectifying); err != nil {
		return nil, err
	}
	return st, nil
}
