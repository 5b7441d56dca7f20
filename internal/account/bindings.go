package account

// Binding requests (企业绑定申请): an enterprise account asks to act for a
// market entity; an admin of the department that manages the entity (or a
// platform admin) approves or rejects it, and the applicant is told in-app
// and by SMS.

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Binding states and methods.
const (
	BindingPending  = "pending"
	BindingApproved = "approved"
	BindingRejected = "rejected"
	MethodAuto      = "auto"   // the phone matched the entity's registered phone
	MethodManual    = "manual" // decided by a department admin
)

// BindingStatuses lists the states in display order.
var BindingStatuses = []string{BindingPending, BindingApproved, BindingRejected}

var bindingLabels = map[string][2]string{
	BindingPending:  {"待审核", "Pending"},
	BindingApproved: {"已通过", "Approved"},
	BindingRejected: {"未通过", "Rejected"},
	MethodAuto:      {"自动（手机号与登记电话一致）", "automatic (phone matches the registered phone)"},
	MethodManual:    {"人工审核", "reviewed by the department"},
}

// BindingLabel names a binding state or method in the language.
func BindingLabel(key, lang string) string {
	l, ok := bindingLabels[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Binding is a request of an enterprise account to act for an entity.
// Phones are masked.
type Binding struct {
	ID             int64      `json:"id"`
	UserID         int64      `json:"user_id"`
	Username       string     `json:"username"`
	ApplicantName  string     `json:"applicant_name"`
	ApplicantPhone string     `json:"applicant_phone" doc:"masked"`
	EntityID       int64      `json:"entity_id"`
	EntityName     string     `json:"entity_name"`
	USCC           string     `json:"uscc"`
	EntityPhone    string     `json:"entity_phone" doc:"the entity's registered phone, masked"`
	DepartmentID   int64      `json:"department_id,omitempty" doc:"the department that manages the entity"`
	DepartmentName string     `json:"department_name,omitempty"`
	Status         string     `json:"status" enum:"pending,approved,rejected"`
	Method         string     `json:"method" enum:"auto,manual"`
	Reason         string     `json:"reason,omitempty" doc:"why it was rejected"`
	DecidedBy      int64      `json:"decided_by,omitempty"`
	DecidedByName  string     `json:"decided_by_name,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// BindingFilter selects binding requests.
type BindingFilter struct {
	Status  string // "" for all
	Page    int
	PerPage int
}

// bindingSelect reads the requests; the entities' fields (name, code,
// phone, managing department) come from the registry (withEntities).
const bindingSelect = `SELECT b.id, b.user_id, u.username, u.display_name, u.phone_mask, b.entity_id,
	b.status, b.method, b.reason, COALESCE(b.decided_by, 0),
	COALESCE(x.display_name, ''), b.decided_at, b.created_at
	FROM enterprise_bindings b JOIN users u ON u.id = b.user_id LEFT JOIN users x ON x.id = b.decided_by`

func scanBinding(r db.Row, b *Binding) error {
	return r.Scan(&b.ID, &b.UserID, &b.Username, &b.ApplicantName, &b.ApplicantPhone, &b.EntityID,
		&b.Status, &b.Method, &b.Reason, &b.DecidedBy, &b.DecidedByName, &b.DecidedAt, &b.CreatedAt)
}

// withEntities fills in the entities' fields of the requests and the names
// of their managing departments, one query each for the whole page.
func (r *Registrar) withEntities(ctx context.Context, bs []Binding) error {
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.EntityID
	}
	ents, err := r.Entities.Refs(ctx, ids)
	if err != nil {
		return err
	}
	var depts []int64
	for _, e := range ents {
		if e.DepartmentID != 0 {
			depts = append(depts, e.DepartmentID)
		}
	}
	names, err := r.Accounts.DepartmentRefs(ctx, depts)
	if err != nil {
		return err
	}
	for i := range bs {
		e := ents[bs[i].EntityID]
		bs[i].EntityName, bs[i].USCC, bs[i].EntityPhone, bs[i].DepartmentID = e.Name, e.USCC, e.PhoneMask, e.DepartmentID
		bs[i].DepartmentName = names[e.DepartmentID].Name
	}
	return nil
}

func (r *Registrar) binding(ctx context.Context, id int64) (*Binding, error) {
	var b Binding
	err := scanBinding(r.Accounts.DB.Q(ctx).QueryRow(ctx, bindingSelect+" WHERE b.id = $1", id), &b)
	if db.IsNoRows(err) {
		return nil, errNoBinding()
	}
	if err != nil {
		return nil, err
	}
	one := []Binding{b}
	if err := r.withEntities(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

func errNoBinding() *yserr.Error { return yserr.ErrNotFound("绑定申请", "binding request") }

// mayReview reports whether a may decide requests for entities managed by
// deptID: platform admins always, department admins within their scope
// (an entity managed by no department is for platform admins only).
func mayReview(a *auth.Actor, deptID int64) bool {
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return true
	}
	return a.Has(auth.DeptAdmin) && a.InScope(deptID)
}

// ListBindings lists the requests the caller may review, newest first.
func (r *Registrar) ListBindings(ctx context.Context, f BindingFilter) ([]Binding, int64, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) {
		if len(a.DeptScope) == 0 {
			return nil, 0, nil
		}
	}
	switch f.Status {
	case "":
	case BindingPending, BindingApproved, BindingRejected:
		where = append(where, "b.status = "+arg(f.Status))
	default:
		return nil, 0, yserr.Field("status", "状态须为 pending、approved 或 rejected", "status must be pending, approved or rejected")
	}
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) {
		// The scope is filtered in SQL: the registry tells which of the
		// requested entities the departments in scope manage.
		in, err := r.scopedEntities(ctx, where, args, a.DeptScope)
		if err != nil {
			return nil, 0, err
		}
		if len(in) == 0 {
			return nil, 0, nil
		}
		lits := make([]string, len(in))
		for i, id := range in {
			lits[i] = strconv.FormatInt(id, 10)
		}
		where = append(where, "b.entity_id IN ("+strings.Join(lits, ",")+")")
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	q := r.Accounts.DB.Q(ctx)
	var total int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM enterprise_bindings b"+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per := normPage(f.Page, f.PerPage)
	out, err := r.bindings(ctx, bindingSelect+w+" ORDER BY b.id DESC LIMIT "+arg(per)+" OFFSET "+arg((page-1)*per), args...)
	return out, total, err
}

// scopedEntities returns the entities of the requests matching where (on
// b) that the departments manage.
func (r *Registrar) scopedEntities(ctx context.Context, where []string, args []any, depts []int64) ([]int64, error) {
	q := "SELECT DISTINCT b.entity_id FROM enterprise_bindings b"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	ids, err := db.Int64s(ctx, r.Accounts.DB.Q(ctx), q+" ORDER BY b.entity_id", args...)
	if err != nil {
		return nil, err
	}
	return r.Entities.InDepartments(ctx, ids, depts)
}

func (r *Registrar) bindings(ctx context.Context, query string, args ...any) ([]Binding, error) {
	rows, err := r.Accounts.DB.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []Binding
	for rows.Next() {
		var b Binding
		if err := scanBinding(rows, &b); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, r.withEntities(ctx, out)
}

// GetBinding returns a request the caller may review, or one of its own.
func (r *Registrar) GetBinding(ctx context.Context, id int64) (*Binding, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	b, err := r.binding(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.UserID != a.UserID && !mayReview(a, b.DepartmentID) {
		return nil, errNoBinding()
	}
	return b, nil
}

// MyBindings returns the caller's own requests, newest first.
func (r *Registrar) MyBindings(ctx context.Context) ([]Binding, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	return r.bindings(ctx, bindingSelect+" WHERE b.user_id = $1 ORDER BY b.id DESC", a.UserID)
}

// ApproveBinding approves a pending request and binds the account to the
// entity; the applicant is notified in-app and by SMS.
func (r *Registrar) ApproveBinding(ctx context.Context, id int64) (*Binding, error) {
	return r.decide(ctx, id, BindingApproved, "")
}

// RejectBinding rejects a pending request with a reason the applicant is
// told in-app and by SMS.
func (r *Registrar) RejectBinding(ctx context.Context, id int64, reason string) (*Binding, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
		return nil, yserr.Field("reason", "请填写不通过的原因（2-200 字）", "give the reason for the rejection (2-200 characters)")
	}
	return r.decide(ctx, id, BindingRejected, reason)
}

func (r *Registrar) decide(ctx context.Context, id int64, status, reason string) (*Binding, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	s := r.Accounts
	var after *Binding
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := r.binding(ctx, id)
		if err != nil {
			return err
		}
		if !mayReview(a, before.DepartmentID) {
			return errNoBinding()
		}
		if before.Status != BindingPending {
			return yserr.New(yserr.Conflict, "该申请已处理（"+BindingLabel(before.Status, "zh")+"）",
				"the request was already decided ("+BindingLabel(before.Status, "en")+")")
		}
		if status == BindingApproved {
			if err := r.bind(ctx, before.UserID, before.EntityID); err != nil {
				return err
			}
		}
		now := s.now()
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE enterprise_bindings SET status=$1, reason=$2, decided_by=$3, decided_at=$4
			WHERE id=$5 AND status=$6`, status, reason, nullID(a.UserID), now, id, BindingPending); err != nil {
			return err
		}
		if after, err = r.binding(ctx, id); err != nil {
			return err
		}
		action := map[string]string{BindingApproved: "binding.approve", BindingRejected: "binding.reject"}[status]
		if err := s.Audit.Record(ctx, action, "enterprise_binding", strconv.FormatInt(id, 10), before, after, reason); err != nil {
			return err
		}
		return r.tell(ctx, after)
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// bind sets the account's entity, unless it is bound to another one.
func (r *Registrar) bind(ctx context.Context, userID, entityID int64) error {
	s := r.Accounts
	var current int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(entity_id, 0) FROM users WHERE id = $1", userID).Scan(&current); err != nil {
		return err
	}
	if current != 0 && current != entityID {
		return yserr.New(yserr.Conflict, "申请人已绑定其他经营主体", "the applicant is already bound to another market entity")
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET entity_id=$1, updated_at=$2 WHERE id=$3", entityID, s.now(), userID); err != nil {
		return err
	}
	if err := s.changed(ctx); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "user.bind", "user", strconv.FormatInt(userID, 10), nil, map[string]int64{"entity_id": entityID}, "")
}

// tell notifies the applicant of a decision, in-app and by SMS.
func (r *Registrar) tell(ctx context.Context, b *Binding) error {
	typ := notify.TypeBindingApproved
	data := map[string]any{"entity": b.EntityName, "uscc": b.USCC}
	if b.Status == BindingRejected {
		typ = notify.TypeBindingRejected
		data["reason"] = b.Reason
	}
	_, err := r.Notify.Send(ctx, notify.Message{Type: typ, To: []notify.Recipient{{UserID: b.UserID}},
		Channels: []string{notify.ChannelInApp, notify.ChannelSMS}, Data: data,
		ObjectType: "enterprise_binding", ObjectID: strconv.FormatInt(b.ID, 10), Link: "/register/status"})
	return err
}
