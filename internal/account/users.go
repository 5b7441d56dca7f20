package account

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

var usernameRe = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]{2,63}$`)

// Validate checks a user input; creating requires a password.
func (in *UserInput) Validate(creating bool) error {
	var v yserr.Validation
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Email = strings.TrimSpace(in.Email)
	if !usernameRe.MatchString(in.Username) {
		v.Add("username", "用户名须为 3-64 位字母、数字或 . _ @ -", "username must be 3-64 letters, digits or . _ @ -")
	}
	if in.DisplayName == "" || utf8.RuneCountInString(in.DisplayName) > 50 {
		v.Add("display_name", "姓名必填，最多 50 字", "display name is required, at most 50 characters")
	}
	if creating || in.Password != "" {
		if err := auth.ValidatePassword(in.Password); err != nil {
			v.AddErr("password", err)
		}
	}
	if in.Phone != "" {
		if err := ident.ValidateMobile(in.Phone); err != nil {
			v.AddErr("phone", err)
		}
	}
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil {
			v.Add("email", "电子邮箱格式不正确", "e-mail address is not valid")
		}
	}
	if len(in.Roles) == 0 {
		v.Add("roles", "至少选择一个角色", "choose at least one role")
	}
	for _, r := range in.Roles {
		if !auth.ValidRole(r) {
			v.Add("roles", fmt.Sprintf("未知角色 %s", r), fmt.Sprintf("unknown role %s", r))
		}
	}
	needsDept := slices.ContainsFunc(in.Roles, func(r auth.Role) bool { return r == auth.DeptAdmin || r == auth.DeptStaff })
	if needsDept && in.DepartmentID == 0 {
		v.Add("department_id", "部门管理员和工作人员必须属于一个部门", "department admins and staff must belong to a department")
	}
	if slices.Contains(in.Roles, auth.Enterprise) && in.EntityID == 0 {
		v.Add("entity_id", "企业用户必须绑定一个经营主体", "enterprise users must be bound to a market entity")
	}
	switch in.Lang {
	case "":
		in.Lang = "zh-CN"
	case "zh-CN", "en":
	default:
		v.Add("lang", "语言须为 zh-CN 或 en", "language must be zh-CN or en")
	}
	return v.Err()
}

// mayManage reports whether a may create or change a user with these roles
// in this department: platform admins always; department admins within
// their scope, and never to grant platform-wide roles.
func mayManage(a *auth.Actor, deptID int64, roles []auth.Role) bool {
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return true
	}
	if !a.Has(auth.DeptAdmin) || !a.InScope(deptID) {
		return false
	}
	for _, r := range roles {
		if r == auth.PlatformAdmin || r == auth.Supervisor {
			return false
		}
	}
	return true
}

const userCols = "id, username, display_name, COALESCE(department_id, 0), COALESCE(entity_id, 0), phone_mask, email, status, lang, locked_until, last_login_at, created_at"

func scanUser(r db.Row, u *User) error {
	return r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.DepartmentID, &u.EntityID, &u.Phone, &u.Email, &u.Status, &u.Lang, &u.LockedUntil, &u.LastLoginAt, &u.CreatedAt)
}

// CreateUser adds an account.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*User, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	if !mayManage(a, in.DepartmentID, in.Roles) {
		return nil, yserr.ErrForbidden()
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, department_id, entity_id,
			phone_enc, phone_mask, phone_hash, email, status, lang, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'active',$10,$11,$11) RETURNING id`,
			in.Username, in.DisplayName, auth.HashPassword(in.Password), nullID(in.DepartmentID), nullID(in.EntityID),
			s.Keys.Encrypt(in.Phone), ident.MaskMobile(in.Phone), s.Keys.Index(in.Phone), in.Email, in.Lang, now).Scan(&id)
		if db.IsUnique(err) {
			return &yserr.Error{Code: yserr.Conflict, Field: "username", ZH: "用户名已被使用", EN: "username is taken"}
		}
		if db.IsForeignKey(err) {
			return yserr.Field("department_id", "部门或经营主体不存在", "department or entity does not exist")
		}
		if err != nil {
			return err
		}
		if err := s.setRoles(ctx, id, in.Roles); err != nil {
			return err
		}
		if !a.IsSystem() {
			// An administrator chose the password: the user replaces it
			// at the first sign-in. (Accounts made by the platform itself,
			// such as the demo's, are not forced.)
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET must_change_password=TRUE WHERE id=$1", id); err != nil {
				return err
			}
		}
		after := in
		after.Password, after.Phone = "", ident.MaskMobile(in.Phone)
		return s.Audit.Record(ctx, "user.create", "user", strconv.FormatInt(id, 10), nil, after, "")
	})
	if err != nil {
		return nil, err
	}
	return s.getUser(ctx, id)
}

// UpdateUser changes an account; an empty password keeps the old one.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserInput) (*User, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.getUser(ctx, id)
		if err != nil {
			return err
		}
		if !mayManage(a, before.DepartmentID, before.Roles) || !mayManage(a, in.DepartmentID, in.Roles) {
			return yserr.ErrForbidden()
		}
		_, err = s.DB.Q(ctx).Exec(ctx, `UPDATE users SET username=$1, display_name=$2, department_id=$3, entity_id=$4,
			phone_enc=$5, phone_mask=$6, phone_hash=$7, email=$8, lang=$9, updated_at=$10 WHERE id=$11`,
			in.Username, in.DisplayName, nullID(in.DepartmentID), nullID(in.EntityID),
			s.Keys.Encrypt(in.Phone), ident.MaskMobile(in.Phone), s.Keys.Index(in.Phone), in.Email, in.Lang, s.now(), id)
		if db.IsUnique(err) {
			return &yserr.Error{Code: yserr.Conflict, Field: "username", ZH: "用户名已被使用", EN: "username is taken"}
		}
		if err != nil {
			return err
		}
		if in.Password != "" {
			// An administrator's reset: the user must choose a new
			// password at the next sign-in, and every session ends; API
			// tokens are revoked too unless the admin keeps them.
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET password_hash=$1, must_change_password=$2 WHERE id=$3",
				auth.HashPassword(in.Password), !a.IsSystem() && a.UserID != id, id); err != nil {
				return err
			}
			if err := s.endSessions(ctx, id, !in.RevokeTokens); err != nil {
				return err
			}
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM user_roles WHERE user_id=$1", id); err != nil {
			return err
		}
		if err := s.setRoles(ctx, id, in.Roles); err != nil {
			return err
		}
		after := in
		after.Password, after.Phone = "", ident.MaskMobile(in.Phone)
		detail := ""
		if in.Password != "" {
			detail = "password changed"
		}
		return s.Audit.Record(ctx, "user.update", "user", strconv.FormatInt(id, 10), before, after, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.getUser(ctx, id)
}

// SetStatus enables or disables an account; disabling ends its sessions
// and a re-enable clears a lock-out and the sign-in waits.
func (s *Service) SetStatus(ctx context.Context, id int64, status string) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return err
	}
	if status != "active" && status != "disabled" {
		return yserr.Field("status", "状态须为 active 或 disabled", "status must be active or disabled")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.getUser(ctx, id)
		if err != nil {
			return err
		}
		if !mayManage(a, u.DepartmentID, u.Roles) {
			return yserr.ErrForbidden()
		}
		if u.ID == a.UserID && status == "disabled" {
			return yserr.Field("status", "不能停用自己的账户", "you cannot disable your own account")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET status=$1, failed_logins=0, locked_until=NULL, updated_at=$2 WHERE id=$3", status, s.now(), id); err != nil {
			return err
		}
		if err := s.changed(ctx); err != nil {
			return err
		}
		if status == "disabled" {
			if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE user_id=$1", id); err != nil {
				return err
			}
		}
		if status == "active" {
			// Unlocking also lifts the waits every address has to keep.
			if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM login_throttle WHERE username = $1", throttleKey(u.Username)); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "user."+status, "user", strconv.FormatInt(id, 10), u.Status, status, "")
	})
}

// setRoles adds roles to the user. Every change of a user's name,
// department, entity, phone, status or roles goes through it (create,
// update, the CLI's admin reset) or calls changed itself.
func (s *Service) setRoles(ctx context.Context, id int64, roles []auth.Role) error {
	if err := s.changed(ctx); err != nil {
		return err
	}
	seen := map[auth.Role]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", id, string(r)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) roles(ctx context.Context, id int64) ([]auth.Role, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, auth.Role(r))
	}
	return out, rows.Err()
}

func (s *Service) getUser(ctx context.Context, id int64) (*User, error) {
	var u User
	err := scanUser(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = $1", id), &u)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("用户", "user")
	}
	if err != nil {
		return nil, err
	}
	u.Roles, err = s.roles(ctx, id)
	return &u, err
}

// GetUser returns an account visible to the caller: itself, or any account
// for platform admins and supervisors, or accounts in a department admin's scope.
func (s *Service) GetUser(ctx context.Context, id int64) (*User, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.getUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.ID == a.UserID || a.Has(auth.PlatformAdmin, auth.Supervisor) || a.IsSystem() || (a.Has(auth.DeptAdmin) && a.InScope(u.DepartmentID)) {
		return u, nil
	}
	return nil, yserr.ErrNotFound("用户", "user")
}

// Phone returns a user's full phone number for sending messages (system
// use and platform admins only).
func (s *Service) Phone(ctx context.Context, id int64) (string, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin)
	if err != nil {
		return "", err
	}
	_ = a
	var enc []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT phone_enc FROM users WHERE id = $1", id).Scan(&enc); err != nil {
		if db.IsNoRows(err) {
			return "", yserr.ErrNotFound("用户", "user")
		}
		return "", err
	}
	return s.Keys.Decrypt(enc)
}

// ListUsers lists accounts the caller may manage or read.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.Supervisor)
	if err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if !a.Has(auth.PlatformAdmin, auth.Supervisor) && !a.IsSystem() {
		if len(a.DeptScope) == 0 {
			return nil, 0, nil
		}
		ph := make([]string, len(a.DeptScope))
		for i, d := range a.DeptScope {
			ph[i] = arg(d)
		}
		where = append(where, "department_id IN ("+strings.Join(ph, ",")+")")
	}
	if f.DepartmentID != 0 {
		where = append(where, "department_id = "+arg(f.DepartmentID))
	}
	if f.Role != "" {
		where = append(where, "id IN (SELECT user_id FROM user_roles WHERE role = "+arg(string(f.Role))+")")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		p := arg("%" + q + "%")
		where = append(where, "(username LIKE "+p+" OR display_name LIKE "+p+")")
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM users"+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per := normPage(f.Page, f.PerPage)
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+userCols+" FROM users"+w+" ORDER BY id LIMIT "+arg(per)+" OFFSET "+arg((page-1)*per), args...)
	if err != nil {
		return nil, 0, err
	}
	var out []User
	for rows.Next() {
		var u User
		if err := scanUser(rows, &u); err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Roles, err = s.roles(ctx, out[i].ID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func normPage(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 200 {
		per = 20
	}
	return page, per
}

// EnsureAdmin creates a platform admin or resets the password of an
// existing one (the `admin create` command; runs as the system actor). A
// reset ends every session of the account and, unless keepTokens, revokes
// its API tokens: whoever knew the old password must not stay signed in.
// It also removes a second factor (the operator's way back in for an admin
// who lost the authenticator and its recovery codes).
func (s *Service) EnsureAdmin(ctx context.Context, username, displayName, password string, keepTokens bool) (*User, bool, error) {
	ctx = auth.WithActor(ctx, auth.System("cli"))
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM users WHERE username = $1", username).Scan(&id)
	if db.IsNoRows(err) {
		u, err := s.CreateUser(ctx, UserInput{Username: username, DisplayName: displayName, Password: password, Roles: []auth.Role{auth.PlatformAdmin}})
		return u, true, err
	}
	if err != nil {
		return nil, false, err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return nil, false, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET password_hash=$1, status='active', failed_logins=0, locked_until=NULL, totp_secret_enc=NULL, totp_pending_enc=NULL, updated_at=$2 WHERE id=$3",
			auth.HashPassword(password), s.now(), id); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM user_roles WHERE user_id=$1 AND role=$2", id, string(auth.PlatformAdmin)); err != nil {
			return err
		}
		if err := s.setRoles(ctx, id, []auth.Role{auth.PlatformAdmin}); err != nil {
			return err
		}
		if err := s.endSessions(ctx, id, keepTokens); err != nil {
			return err
		}
		detail := "password reset from the command line; sessions ended, API tokens revoked"
		if keepTokens {
			detail = "password reset from the command line; sessions ended, API tokens kept"
		}
		return s.Audit.Record(ctx, "user.admin_reset", "user", strconv.FormatInt(id, 10), nil, nil, detail)
	})
	if err != nil {
		return nil, false, err
	}
	u, err := s.getUser(ctx, id)
	return u, false, err
}

// actor builds the Actor of a user, with its department scope.
func (s *Service) actor(ctx context.Context, id int64, via string) (*auth.Actor, error) {
	a, err := s.cache().actors.Get(ctx, id, func() (auth.Actor, error) {
		u, err := s.getUser(ctx, id)
		if err != nil {
			return auth.Actor{}, err
		}
		if u.Status != "active" {
			return auth.Actor{}, yserr.ErrUnauthorized()
		}
		scope, err := s.descendants(ctx, u.DepartmentID)
		if err != nil {
			return auth.Actor{}, err
		}
		return auth.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName, Roles: u.Roles,
			DepartmentID: u.DepartmentID, DeptScope: scope, EntityID: u.EntityID}, nil
	})
	if err != nil {
		return nil, err
	}
	// A copy of its own for each request (the cached one is shared).
	a.Roles, a.DeptScope, a.Via = slices.Clone(a.Roles), slices.Clone(a.DeptScope), via
	return &a, nil
}

// UserID looks up an account id by username (system and platform admins).
func (s *Service) UserID(ctx context.Context, username string) (int64, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM users WHERE username = $1", username).Scan(&id)
	if db.IsNoRows(err) {
		return 0, yserr.Field("username", "用户 "+username+" 不存在", "user "+username+" does not exist")
	}
	return id, err
}
