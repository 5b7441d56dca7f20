package account

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
	"yingshang/internal/notify"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Figures other packages ask the account service for, so that they never
// read its tables. No access checks: the caller decides who sees them.

// Totals are the account figures of the start page.
type Totals struct {
	Departments     int64
	Users           int64
	PendingBindings int64 // enterprise bindings waiting for a decision
}

// CountTotals counts departments, users and pending enterprise bindings.
func (s *Service) CountTotals(ctx context.Context) (Totals, error) {
	var t Totals
	q := s.DB.Q(ctx)
	for _, c := range []struct {
		sql string
		dst *int64
	}{
		{"SELECT COUNT(*) FROM departments", &t.Departments},
		{"SELECT COUNT(*) FROM users", &t.Users},
		{"SELECT COUNT(*) FROM enterprise_bindings WHERE status = 'pending'", &t.PendingBindings},
	} {
		if err := q.QueryRow(ctx, c.sql).Scan(c.dst); err != nil {
			return Totals{}, err
		}
	}
	return t, nil
}

// PurgePhoneCodes deletes the SMS codes that expired more than a day ago
// (housekeeping); it returns how many.
func (s *Service) PurgePhoneCodes(ctx context.Context) (int64, error) {
	return s.DB.W(ctx).Exec(ctx, "DELETE FROM sms_codes WHERE expires_at < $1", s.now().Add(-24*time.Hour))
}

// The directory: active accounts by department, role and entity, for the
// modules that notify people. They ask here and never read users or
// user_roles themselves.

// DeptUsers lists the active users of a department who hold one of the
// roles (any role when none are given), by id.
func (s *Service) DeptUsers(ctx context.Context, dept int64, roles ...auth.Role) ([]int64, error) {
	args := []any{dept}
	q := "SELECT DISTINCT u.id FROM users u"
	if len(roles) > 0 {
		q += " JOIN user_roles r ON r.user_id = u.id AND r.role IN (" + roleList(roles, &args) + ")"
	}
	return s.userIDs(ctx, q+" WHERE u.department_id = $1 AND u.status = 'active' ORDER BY u.id", args...)
}

// EntityUsers returns, for each of the entities, the active users bound to
// it who hold one of the roles (any role when none are given), in one
// query. Entities without such users are absent from the map.
func (s *Service) EntityUsers(ctx context.Context, entities []int64, roles ...auth.Role) (map[int64][]int64, error) {
	if len(entities) == 1 {
		// One entity's users (an appeal's, a licence holder's): cached.
		m, err := s.cache().entityUsers.Get(ctx, idsKey(entities, roles), func() (map[int64][]int64, error) {
			return s.entityUsers(ctx, entities, roles)
		})
		return cloneIDs(m), err
	}
	return s.entityUsers(ctx, entities, roles)
}

func (s *Service) entityUsers(ctx context.Context, entities []int64, roles []auth.Role) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(entities) == 0 {
		return out, nil
	}
	var args []any
	q := "SELECT DISTINCT u.entity_id, u.id FROM users u"
	if len(roles) > 0 {
		q += " JOIN user_roles r ON r.user_id = u.id AND r.role IN (" + roleList(roles, &args) + ")"
	}
	ph := make([]string, len(entities))
	for i, e := range entities {
		args = append(args, e)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" WHERE u.entity_id IN ("+strings.Join(ph, ", ")+") AND u.status = 'active' ORDER BY u.entity_id, u.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ent, id int64
		if err := rows.Scan(&ent, &id); err != nil {
			return nil, err
		}
		out[ent] = append(out[ent], id)
	}
	return out, rows.Err()
}

// HasRole reports whether the user holds the role.
func (s *Service) HasRole(ctx context.Context, userID int64, role auth.Role) (bool, error) {
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role = $2", userID, string(role)).Scan(&n)
	return n > 0, err
}

// IsEnterpriseUser reports whether the user is bound to an entity or holds
// the enterprise role.
func (s *Service) IsEnterpriseUser(ctx context.Context, userID int64) (bool, error) {
	var ent bool
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT entity_id IS NOT NULL OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = $2)
		FROM users WHERE id = $1`, userID, string(auth.Enterprise)).Scan(&ent)
	if db.IsNoRows(err) {
		return false, yserr.ErrNotFound("用户", "user")
	}
	return ent, err
}

// DepartmentName returns a department's name; NotFound on field
// department_id when there is no such department.
func (s *Service) DepartmentName(ctx context.Context, id int64) (string, error) {
	var n string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT name FROM departments WHERE id = $1", id).Scan(&n)
	if db.IsNoRows(err) {
		return "", yserr.Field("department_id", "部门不存在", "no such department")
	}
	return n, err
}

func roleList(roles []auth.Role, args *[]any) string {
	ph := make([]string, len(roles))
	for i, r := range roles {
		*args = append(*args, string(r))
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return strings.Join(ph, ", ")
}

func (s *Service) userIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LookupUser returns the id of the account with the username; an Invalid
// error on field username when there is none. No access check: the caller
// links the account to its own records (e.g. an expert of the pool).
func (s *Service) LookupUser(ctx context.Context, username string) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM users WHERE username = $1", username).Scan(&id)
	if db.IsNoRows(err) {
		return 0, yserr.Field("username", "用户不存在："+username, "no such user: "+username)
	}
	return id, err
}

// DepartmentByCode returns the id of the department with the code, 0 when
// there is none.
func (s *Service) DepartmentByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM departments WHERE code = $1", code).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// DeptRef is what other modules show of a department.
type DeptRef struct {
	ID   int64
	Code string
	Name string
}

// DepartmentRefs returns the departments with the ids, in one query;
// unknown ids are absent from the map.
func (s *Service) DepartmentRefs(ctx context.Context, ids []int64) (map[int64]DeptRef, error) {
	out := map[int64]DeptRef{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, code, name FROM departments WHERE id IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d DeptRef
		if err := rows.Scan(&d.ID, &d.Code, &d.Name); err != nil {
			return nil, err
		}
		out[d.ID] = d
	}
	return out, rows.Err()
}

// UsersWithRole lists the active users who hold the role, by id.
func (s *Service) UsersWithRole(ctx context.Context, role auth.Role) ([]int64, error) {
	return s.userIDs(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = $1 AND u.status = 'active' ORDER BY u.id`, string(role))
}

// UserEntity returns the id of the entity the account with the username is
// bound to; 0 when there is no such account or it is bound to none.
func (s *Service) UserEntity(ctx context.Context, username string) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(entity_id, 0) FROM users WHERE username = $1", username).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

func (s *Service) Contacts(ctx context.Context, ids []int64) (map[int64]notify.Contact, error) {
	out := map[int64]notify.Contact{}
	const batch = 1000
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(len(ids), start+batch)]
		args := make([]any, len(part))
		ph := make([]string, len(part))
		for i, id := range part {
			args[i] = id
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, phone_enc, email, lang FROM users WHERE id IN ("+strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var enc []byte
			var c notify.Contact
			if err := rows.Scan(&id, &enc, &c.Email, &c.Lang); err != nil {
				rows.Close()
				return nil, err
			}
			if c.Phone, err = s.Keys.Decrypt(enc); err != nil {
				rows.Close()
				return nil, fmt.Errorf("decrypt phone of user %d: %w", id, err)
			}
			out[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type UserRef struct {
	ID           int64
	Username     string
	DisplayName  string
	DepartmentID int64 // 0 when none
	EntityID     int64 // 0 when none
	Active       bool
	HasPhone     bool
	Roles        []auth.Role
}

func (s *Service) UserRefs(ctx context.Context, ids []int64) (map[int64]UserRef, error) {
	if len(ids) <= 8 {
		// A few users (an appeal's enterprise, a message's recipients): cached.
		m, err := s.cache().userRefs.Get(ctx, idsKey(ids, nil), func() (map[int64]UserRef, error) {
			return s.userRefsByID(ctx, ids)
		})
		return maps.Clone(m), err
	}
	return s.userRefsByID(ctx, ids)
}

func (s *Service) userRefsByID(ctx context.Context, ids []int64) (map[int64]UserRef, error) {
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	out := map[int64]UserRef{}
	err := s.userRefs(ctx, "id", keys, func(u UserRef) { out[u.ID] = u })
	return out, err
}

func (s *Service) UserRefsByName(ctx context.Context, usernames []string) (map[string]UserRef, error) {
	keys := make([]any, len(usernames))
	for i, n := range usernames {
		keys[i] = n
	}
	out := map[string]UserRef{}
	err := s.userRefs(ctx, "username", keys, func(u UserRef) { out[u.Username] = u })
	return out, err
}

func (s *Service) userRefs(ctx context.Context, col string, keys []any, each func(UserRef)) error {
	const batch = 1000
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(len(keys), start+batch)]
		ph := make([]string, len(part))
		for i := range part {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		in := strings.Join(ph, ", ")
		rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, username, display_name, COALESCE(department_id, 0), COALESCE(entity_id, 0),
			status, phone_mask FROM users WHERE `+col+" IN ("+in+") ORDER BY id", part...)
		if err != nil {
			return err
		}
		var refs []UserRef
		for rows.Next() {
			var u UserRef
			var status, mask string
			if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &u.DepartmentID, &u.EntityID, &status, &mask); err != nil {
				rows.Close()
				return err
			}
			u.Active, u.HasPhone = status == "active", mask != ""
			refs = append(refs, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(refs) == 0 {
			continue
		}
		idx := map[int64]int{}
		args := make([]any, len(refs))
		ph = make([]string, len(refs))
		for i, u := range refs {
			idx[u.ID] = i
			args[i] = u.ID
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err = s.DB.Q(ctx).Query(ctx, "SELECT user_id, role FROM user_roles WHERE user_id IN ("+strings.Join(ph, ", ")+") ORDER BY user_id, role", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var r string
			if err := rows.Scan(&id, &r); err != nil {
				rows.Close()
				return err
			}
			refs[idx[id]].Roles = append(refs[idx[id]].Roles, auth.Role(r))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range refs {
			each(u)
		}
	}
	return nil
}

func (s *Service) ActorOf(ctx context.Context, username, via string) (*auth.Actor, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM users WHERE username = $1 AND status = 'active'", username).Scan(&id)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("用户", "user")
	}
	if err != nil {
		return nil, err
	}
	return s.actor(ctx, id, via)
}

func (s *Service) SetDisplayName(ctx context.Context, id int64, name string) error {
	n, err := s.DB.W(ctx).Exec(ctx, "UPDATE users SET display_name = $1, updated_at = $2 WHERE id = $3", name, s.now(), id)
	if err != nil {
		return err
	}
	if err := s.changed(ctx); err != nil {
		return err
	}
	if n == 0 {
		return yserr.ErrNotFound("用户", "user")
	}
	return nil
}
