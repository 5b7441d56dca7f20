package appeal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
)

// WorkItem is an appeal on a home page, with the clock that runs on it.
type WorkItem struct {
	Appeal
	Clock string     // the running clock (first_response, reply, followup), "" when none runs
	Due   *time.Time // its deadline
}

// Workbench is what the caller's home page shows of appeals: ToDo waits
// for the caller (or the caller's department), Watch waits for others.
// Both are ordered oldest deadline first (no deadline last), at most
// WorkbenchSize each.
type Workbench struct {
	ToDo, Watch           []WorkItem
	ToDoTitle, WatchTitle string // which list this is: rate, dispatch, handle, overdue...
}

// WorkbenchSize is how many items a home-page list shows.
const WorkbenchSize = 8

// RunningClock returns the clock that runs in the appeal's state and its
// deadline ("" and nil when none runs).
func (a *Appeal) RunningClock() (string, *time.Time) {
	for _, c := range clocks {
		if c.runs(a.State) {
			return c.name, c.due(a)
		}
	}
	return "", nil
}

// dueOrder orders by the deadline of the running clock, none last.
func dueOrder() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, c := range clocks {
		b.WriteString(" WHEN a.state IN (" + c.stateList() + ") THEN a." + c.dueCol)
	}
	b.WriteString(" END")
	e := b.String()
	return " ORDER BY (" + e + ") IS NULL, (" + e + "), a.id"
}

func stateIn(states ...State) string {
	q := make([]string, len(states))
	for i, st := range states {
		q[i] = "'" + string(st) + "'"
	}
	return "a.state IN (" + strings.Join(q, ", ") + ")"
}

// Workbench returns the caller's appeal lists for the home page:
//   - an enterprise: to do, its appeals waiting for its rating or for more
//     material; watch, its other open appeals;
//   - the office (dispatchers): to do, the appeals to accept, assign or
//     decide on after an escalation; watch, those waiting for a follow-up
//     call;
//   - a department: to do, the appeals it leads and must answer; watch,
//     those waiting for the enterprise or its rating;
//   - a supervisor: to do, every overdue appeal of the city; watch, the
//     escalated and supervised ones.
//
// Who sees which appeal is decided in SQL (filterSQL), before the LIMIT.
func (s *Service) Workbench(ctx context.Context) (*Workbench, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	wb := &Workbench{}
	open := stateIn(Submitted, Accepted, Assigned, InProgress, WaitingEnterprise, Replied, Rated, Reopened, Escalated, FollowedUp)
	now := s.now()
	var todo, watch []string
	var todoArgs []any
	queue := ""
	switch {
	case r.supervisor && !r.dispatcher:
		wb.ToDoTitle, wb.WatchTitle = "overdue", "supervised"
		todo = []string{overdueCond()}
		todoArgs = []any{now, now, now}
		watch = []string{"(a.state = 'escalated' OR a.supervision_level > 0)", open}
	case r.dispatcher:
		wb.ToDoTitle, wb.WatchTitle = "dispatch", "followup"
		todo = []string{stateIn(Submitted, Accepted, Escalated)}
		watch = []string{stateIn(Replied, Rated)}
	case actor.Has(auth.DeptStaff, auth.DeptAdmin) && len(actor.DeptScope) > 0:
		wb.ToDoTitle, wb.WatchTitle = "handle", "waiting"
		queue = "department"
		todo = []string{stateIn(Assigned, InProgress, Reopened, Escalated)}
		watch = []string{stateIn(WaitingEnterprise, Replied, Rated)}
	case actor.Has(auth.Enterprise) && actor.EntityID != 0:
		wb.ToDoTitle, wb.WatchTitle = "rate", "mine"
		queue = "mine"
		todo = []string{stateIn(Replied, WaitingEnterprise)}
		watch = []string{open, "NOT " + stateIn(Replied, WaitingEnterprise)}
	default:
		return wb, nil
	}
	list := func(conds []string, extra []any) ([]WorkItem, error) {
		where, args, err := s.filterSQL(ctx, Filter{Queue: queue})
		if err != nil {
			return nil, err
		}
		b := sqlb{args: args}
		if where != "" {
			b.conds = []string{strings.TrimPrefix(where, " WHERE ")}
		}
		for _, c := range conds {
			b.add(c)
		}
		cond := b.where()
		for _, v := range extra {
			b.args = append(b.args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(b.args)), 1)
		}
		as, err := s.query(ctx, `SELECT `+appealCols+appealFrom+cond+dueOrder()+` LIMIT `+strconv.Itoa(WorkbenchSize), b.args,
			func(a *Appeal) Appeal { return *a })
		if err != nil {
			return nil, err
		}
		out := make([]WorkItem, len(as))
		for i, a := range as {
			out[i].Appeal = a
			out[i].Clock, out[i].Due = a.RunningClock()
		}
		return out, nil
	}
	if wb.ToDo, err = list(todo, todoArgs); err != nil {
		return nil, err
	}
	if wb.Watch, err = list(watch, nil); err != nil {
		return nil, err
	}
	return wb, nil
}
