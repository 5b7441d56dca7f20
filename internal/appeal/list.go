package appeal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// Filter selects appeals for queues and the ledger. Empty fields do not filter.
type Filter struct {
	From     string `query:"from" doc:"submitted on or after, YYYY-MM-DD"`
	To       string `query:"to" doc:"submitted on or before, YYYY-MM-DD"`
	Kind     string `query:"kind" enum:",consult,help,complaint,suggestion,praise"`
	Topic    string `query:"topic"`
	DeptID   int64  `query:"dept_id" doc:"lead department"`
	State    string `query:"state" doc:"one state, or open / closed"`
	Overdue  bool   `query:"overdue" doc:"only appeals past a deadline that is still running"`
	EntityID int64  `query:"entity_id"`
	Q        string `query:"q" doc:"number or words of the title"`
	Queue    string `query:"queue" enum:",mine,dispatch,department,cohandle" doc:"mine: the enterprise's; dispatch: the dispatcher's; department: led by my department; cohandle: co-handled"`
	Page     int    `query:"page"`
	PerPage  int    `query:"per_page"`
}

// List returns the appeals the caller may see that match f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Appeal, int64, error) {
	where, args, err := s.filterSQL(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*)`+appealFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := s.page(ctx, where, args, f.Page, f.PerPage)
	return out, total, err
}

// page reads one page of the appeals matching where, newest first.
func (s *Service) page(ctx context.Context, where string, args []any, page, per int) ([]Appeal, error) {
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 500 {
		per = 20
	}
	return s.query(ctx, `SELECT `+appealCols+appealFrom+where+` ORDER BY a.id DESC LIMIT `+strconv.Itoa(per)+
		` OFFSET `+strconv.Itoa((page-1)*per), args, func(a *Appeal) Appeal { return *a })
}

// query reads appeals and maps each through view.
func (s *Service) query(ctx context.Context, sql string, args []any, view func(*Appeal) Appeal) ([]Appeal, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var all []*Appeal
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.withNames(ctx, all); err != nil {
		return nil, err
	}
	var out []Appeal
	for _, a := range all {
		out = append(out, view(a))
	}
	return out, nil
}

type sqlb struct {
	conds []string
	args  []any
}

func (b *sqlb) add(cond string, vals ...any) { b.conds = append(b.conds, b.expr(cond, vals...)) }

// expr numbers the ? of cond after the arguments already taken and takes vals.
func (b *sqlb) expr(cond string, vals ...any) string {
	for _, v := range vals {
		b.args = append(b.args, v)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(b.args)), 1)
	}
	return cond
}

func (b *sqlb) where() string {
	if len(b.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(b.conds, " AND ")
}

// filterSQL builds the WHERE clause including what the caller may see.
func (s *Service) filterSQL(ctx context.Context, f Filter) (string, []any, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return "", nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return "", nil, err
	}
	var b sqlb
	office := r.dispatcher || r.supervisor || r.intake
	queue := f.Queue
	if queue == "" && !office {
		queue = "department"
		if actor.Has(auth.Enterprise) && !actor.Has(auth.DeptStaff, auth.DeptAdmin) {
			queue = "mine"
		}
	}
	switch queue {
	case "":
	case "mine":
		if !actor.Has(auth.Enterprise) {
			return "", nil, errForbidden()
		}
		b.add("(a.entity_id = ? OR a.submitter_id = ?)", actor.EntityID, actor.UserID)
	case "dispatch":
		if !r.dispatcher {
			return "", nil, errForbidden()
		}
		b.add("a.state IN ('submitted', 'accepted', 'escalated')")
	case "department", "cohandle":
		if !actor.Has(auth.DeptStaff, auth.DeptAdmin) || len(actor.DeptScope) == 0 {
			return "", nil, errForbidden()
		}
		b.add(deptCond(actor.DeptScope, f.Queue))
	default:
		return "", nil, yserr.Field("queue", "未知队列", "unknown queue")
	}
	if err := s.addFilters(&b, f); err != nil {
		return "", nil, err
	}
	return b.where(), b.args, nil
}

func (s *Service) addFilters(b *sqlb, f Filter) error {
	var v yserr.Validation
	if f.From != "" {
		t, err := time.ParseInLocation("2006-01-02", f.From, shanghai)
		if err != nil {
			v.Add("from", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD")
		}
		b.add("a.submitted_at >= ?", t.UTC())
	}
	if f.To != "" {
		t, err := time.ParseInLocation("2006-01-02", f.To, shanghai)
		if err != nil {
			v.Add("to", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD")
		}
		b.add("a.submitted_at < ?", t.AddDate(0, 0, 1).UTC())
	}
	if err := v.Err(); err != nil {
		return err
	}
	if f.Kind != "" {
		b.add("a.kind = ?", f.Kind)
	}
	if f.Topic != "" {
		b.add("a.topic = ?", f.Topic)
	}
	if f.DeptID != 0 {
		b.add("a.lead_dept_id = ?", f.DeptID)
	}
	if f.EntityID != 0 {
		b.add("a.entity_id = ?", f.EntityID)
	}
	switch f.State {
	case "":
	case "open":
		b.add("a.state NOT IN ('rejected', 'closed', 'merged')")
	case "closed":
		b.add("a.state IN ('rejected', 'closed', 'merged')")
	default:
		b.add("a.state = ?", f.State)
	}
	if f.Overdue {
		now := s.now()
		b.add(overdueCond(), now, now, now)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		b.add("(a.number = ? OR a.title LIKE ?)", q, "%"+q+"%")
	}
	return nil
}

// overdueCond is "past a deadline whose clock still runs", with one ? for
// the time now per clock.
func overdueCond() string {
	parts := make([]string, len(clocks))
	for i, c := range clocks {
		parts[i] = "a." + c.dueCol + " < ? AND a.state IN (" + c.stateList() + ")"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func errForbidden() error { return yserr.ErrForbidden() }

// ListPublic lists, for anyone, the appeals whose enterprise agreed to
// publication, with only the public facts: number, type, topic, title,
// state, lead department, dates and deadlines. No personal data, no
// description, no entity.
func (s *Service) ListPublic(ctx context.Context, f Filter) ([]Appeal, error) {
	f.Queue, f.EntityID = "", 0
	var b sqlb
	b.add("a.publishable = TRUE")
	if err := s.addFilters(&b, f); err != nil {
		return nil, err
	}
	per := f.PerPage
	if per < 1 || per > 1000 {
		per = 1000
	}
	return s.query(ctx, `SELECT `+appealCols+appealFrom+b.where()+` ORDER BY a.id DESC LIMIT `+strconv.Itoa(per), b.args, publicView)
}

func publicView(a *Appeal) Appeal {
	return Appeal{ID: a.ID, Number: a.Number, Channel: a.Channel, Kind: a.Kind, Topic: a.Topic, Title: a.Title, State: a.State,
		LeadDeptID: a.LeadDeptID, LeadDeptName: a.LeadDeptName, SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt,
		ReplyDue: a.ReplyDue, RepliedAt: a.RepliedAt, ClosedAt: a.ClosedAt, Publishable: true}
}

// deptCond selects the appeals led (queue "department"), co-handled
// ("cohandle") or either (otherwise) by the departments in scope.
func deptCond(scope []int64, queue string) string {
	ids := make([]string, len(scope))
	for i, d := range scope {
		ids[i] = strconv.FormatInt(d, 10)
	}
	in := "(" + strings.Join(ids, ",") + ")"
	switch queue {
	case "department":
		return "a.lead_dept_id IN " + in
	case "cohandle":
		return "a.id IN (SELECT appeal_id FROM appeal_cohandlers WHERE dept_id IN " + in + ")"
	}
	return "(a.lead_dept_id IN " + in + " OR a.id IN (SELECT appeal_id FROM appeal_cohandlers WHERE dept_id IN " + in + "))"
}
