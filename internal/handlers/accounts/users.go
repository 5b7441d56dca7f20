package accounts

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/ident"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const usersPerPage = 20

func (h *handlers) mountUsers() {
	s := h.s
	admins := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin}
	s.Page("GET /admin/users", h.users, admins...)
	s.Page("GET /admin/users/new", h.newUser, admins...)
	s.Page("POST /admin/users", h.createUser, admins...)
	s.Page("GET /admin/users/{id}", h.editUser, admins...)
	s.Page("POST /admin/users/{id}", h.updateUser, admins...)
	s.Page("POST /admin/users/{id}/status", h.setStatus, admins...)

	reg, mux := s.API, s.Mux
	tags := []string{"account"}
	reg.DescribeTag("account", "账号：部门、用户、角色、API 令牌、企业账号绑定 / Accounts: departments, users, roles, API tokens, enterprise account bindings")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/users", ID: "listUsers", Summary: "用户列表 / List users",
		Description: "Platform admins and supervisors see every account, department admins the accounts of their department scope.",
		Tags:        tags, Auth: "platform_admin,dept_admin,supervisor", Query: UsersQuery{}, Resp: api.Page[account.User]{}}, h.apiUsers)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/users", ID: "createUser", Summary: "新建用户 / Create a user",
		Tags: tags, Auth: "platform_admin,dept_admin", Body: account.UserInput{}, Resp: account.User{}, Status: http.StatusCreated}, h.apiCreateUser)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/users/{id}", ID: "getUser", Summary: "用户详情 / Get a user",
		Tags: tags, Auth: api.AuthUser, Resp: account.User{}}, h.apiUser)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/users/{id}", ID: "updateUser", Summary: "修改用户 / Update a user",
		Description: "Replaces the account's fields and roles; an empty password keeps the old one. Send the full phone number: the masked one is refused.",
		Tags:        tags, Auth: "platform_admin,dept_admin", Body: account.UserInput{}, Resp: account.User{}}, h.apiUpdateUser)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/users/{id}/status", ID: "setUserStatus", Summary: "启用或停用用户 / Enable or disable a user",
		Description: "Disabling ends the account's sessions; enabling (also of an active account) clears a lock-out after failed sign-ins.",
		Tags:        tags, Auth: "platform_admin,dept_admin", Body: StatusInput{}, Resp: account.User{}}, h.apiSetStatus)
}

// UsersQuery filters the user list.
type UsersQuery struct {
	DepartmentID int64  `query:"department_id"`
	Role         string `query:"role" enum:"platform_admin,dept_admin,dept_staff,supervisor,enterprise"`
	Q            string `query:"q" doc:"part of the username or name"`
	Page         int    `query:"page" doc:"from 1"`
	PerPage      int    `query:"per_page" doc:"1-200, default 20"`
}

// StatusInput enables or disables an account.
type StatusInput struct {
	Status string `json:"status" enum:"active,disabled"`
}

// userRow is a user as the list shows it.
type userRow struct {
	account.User
	DeptName   string
	EntityName string
	Unbound    bool // an enterprise account not yet bound to an entity
	Locked     bool
}

type usersPage struct {
	Rows    []userRow
	Total   int64
	Page    int
	Pages   int
	Filter  UsersQuery
	Depts   []option
	Roles   []option
	CanEdit bool
}

func (h *handlers) users(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "用户与角色", "Users and roles")
	f := UsersQuery{Page: 1}
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	f.Page = max(f.Page, 1)
	users, total, err := h.s.App.Accounts.ListUsers(r.Context(), account.UserFilter{DepartmentID: f.DepartmentID, Role: auth.Role(f.Role),
		Q: f.Q, Page: f.Page, PerPage: usersPerPage})
	if err != nil {
		return err
	}
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	a := auth.From(r.Context())
	names := deptNames(depts)
	p := &usersPage{Total: total, Page: f.Page, Pages: int((total + usersPerPage - 1) / usersPerPage), Filter: f,
		Depts: deptOptions(depts, func(d account.Department) bool { return a.InScope(d.ID) }), Roles: roleOptions(v, nil)}
	now := h.s.App.Clock.Now()
	entities := map[int64]string{}
	for _, u := range users {
		if _, seen := entities[u.EntityID]; u.EntityID != 0 && !seen {
			if e, err := h.s.App.Entities.Get(r.Context(), u.EntityID); err == nil {
				entities[u.EntityID] = e.Name
			}
		}
		p.Rows = append(p.Rows, userRow{User: u, DeptName: names[u.DepartmentID], EntityName: entities[u.EntityID],
			Unbound: u.EntityID == 0 && slices.Contains(u.Roles, auth.Enterprise), Locked: u.LockedUntil != nil && u.LockedUntil.After(now)})
	}
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "accounts/users", v)
}

func roleOptions(v *web.View, a *auth.Actor) []option {
	var out []option
	for _, r := range auth.AllRoles {
		if a != nil && !a.Has(auth.PlatformAdmin) && (r == auth.PlatformAdmin || r == auth.Supervisor) {
			continue
		}
		out = append(out, option{Value: string(r), Label: r.Label(v.Lang)})
	}
	return out
}

// userForm is the data of the create/edit form.
type userForm struct {
	User    *account.User // nil when creating
	Locked  bool
	Depts   []option
	Roles   []option
	Checked map[string]bool
}

func (h *handlers) userForm(r *http.Request, v *web.View, u *account.User) (*userForm, error) {
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return nil, err
	}
	a := auth.From(r.Context())
	f := &userForm{User: u, Depts: deptOptions(depts, func(d account.Department) bool { return a.InScope(d.ID) }),
		Roles: roleOptions(v, a), Checked: map[string]bool{}}
	if u != nil {
		f.Locked = u.LockedUntil != nil && u.LockedUntil.After(h.s.App.Clock.Now())
	}
	return f, nil
}

func (h *handlers) newUser(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "新建用户", "New user")
	f, err := h.userForm(r, v, nil)
	if err != nil {
		return err
	}
	v.Data = f
	v.Form = url.Values{"lang": {"zh-CN"}}
	if q := r.URL.Query().Get("department_id"); q != "" {
		v.Form.Set("department_id", q)
	}
	return h.s.Render(w, r, http.StatusOK, "accounts/user_form", v)
}

// userInput reads the form; the entity is given by its credit code. It
// reports every bad field at once: the credit code's and the input's own.
func (h *handlers) userInput(r *http.Request, creating bool) (account.UserInput, error) {
	in := account.UserInput{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Password: r.PostFormValue("password"), Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"), Lang: r.PostFormValue("lang")}
	for _, role := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, auth.Role(role))
	}
	var err error
	if in.DepartmentID, err = formID(r, "department_id"); err != nil {
		return in, err
	}
	var v yserr.Validation
	if uscc := strings.TrimSpace(r.PostFormValue("entity_uscc")); uscc != "" {
		in.EntityID, err = h.entityID(r, uscc)
		if yserr.CodeOf(err) == yserr.Internal {
			return in, err
		}
		v.AddErr("entity_uscc", err)
	}
	if err := in.Validate(creating); err != nil {
		for _, f := range yserr.As(formFields(err)).Fields {
			if !v.Has(f.Field) {
				v.Add(f.Field, f.ZH, f.EN)
			}
		}
	}
	return in, v.Err()
}

// entityID finds the entity with the credit code.
func (h *handlers) entityID(r *http.Request, uscc string) (int64, error) {
	if err := ident.ValidateUSCC(uscc); err != nil {
		return 0, err
	}
	e, err := h.s.App.Entities.GetByUSCC(r.Context(), uscc)
	if yserr.Is(err, yserr.NotFound) {
		return 0, yserr.Field("entity_uscc", "未在经营主体名录中找到该统一社会信用代码", "this unified social credit code is not in the market-entity register")
	}
	if err != nil {
		return 0, err
	}
	return e.ID, nil
}

// formFields renames the service's entity_id field to the form's entity_uscc.
func formFields(err error) error {
	e := yserr.As(err)
	if e.Code == yserr.Internal {
		return err
	}
	c := *e
	if c.Field == "entity_id" {
		c.Field = "entity_uscc"
	}
	c.Fields = append([]yserr.FieldError(nil), e.Fields...)
	for i := range c.Fields {
		if c.Fields[i].Field == "entity_id" {
			c.Fields[i].Field = "entity_uscc"
		}
	}
	return &c
}

func checkedRoles(r *http.Request) map[string]bool {
	m := map[string]bool{}
	for _, role := range r.PostForm["roles"] {
		m[role] = true
	}
	return m
}

func (h *handlers) createUser(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "新建用户", "New user")
	f, err := h.userForm(r, v, nil)
	if err != nil {
		return err
	}
	v.Data = f
	in, err := h.userInput(r, true)
	if err == nil {
		var u *account.User
		if u, err = h.s.App.Accounts.CreateUser(r.Context(), in); err == nil {
			return h.s.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), v.T("已新建用户：", "User created: ")+u.Username)
		}
	}
	f.Checked = checkedRoles(r)
	r.Form.Del("password")
	return h.s.FormError(w, r, "accounts/user_form", v, formFields(err))
}

func (h *handlers) loadUser(r *http.Request) (*account.User, error) {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return nil, err
	}
	return h.s.App.Accounts.GetUser(r.Context(), id)
}

func (h *handlers) editUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	v := h.view(r, "修改用户", "Edit user")
	f, err := h.userForm(r, v, u)
	if err != nil {
		return err
	}
	v.Data = f
	phone, err := h.s.App.Accounts.ManagedPhone(r.Context(), u.ID)
	if err != nil && yserr.CodeOf(err) == yserr.Internal {
		return err
	}
	v.Form = url.Values{"username": {u.Username}, "display_name": {u.DisplayName}, "department_id": {idText(u.DepartmentID)},
		"phone": {phone}, "email": {u.Email}, "lang": {u.Lang}}
	if u.EntityID != 0 {
		if e, err := h.s.App.Entities.Get(r.Context(), u.EntityID); err == nil {
			v.Form.Set("entity_uscc", e.USCC)
		}
	}
	for _, role := range u.Roles {
		f.Checked[string(role)] = true
	}
	return h.s.Render(w, r, http.StatusOK, "accounts/user_form", v)
}

func (h *handlers) updateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	v := h.view(r, "修改用户", "Edit user")
	f, err := h.userForm(r, v, u)
	if err != nil {
		return err
	}
	v.Data = f
	in, err := h.userInput(r, false)
	if err == nil {
		var nu *account.User
		if nu, err = h.s.App.Accounts.UpdateUser(r.Context(), u.ID, in); err == nil {
			return h.s.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), v.T("已保存用户：", "User saved: ")+nu.Username)
		}
	}
	f.Checked = checkedRoles(r)
	r.Form.Del("password")
	return h.s.FormError(w, r, "accounts/user_form", v, formFields(err))
}

func (h *handlers) setStatus(w http.ResponseWriter, r *http.Request) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	status := r.PostFormValue("status")
	if err := h.s.App.Accounts.SetStatus(r.Context(), u.ID, status); err != nil {
		return err
	}
	v := h.s.View(r, "")
	msg := v.T("已启用账户并解除锁定：", "Account enabled and unlocked: ")
	if status == "disabled" {
		msg = v.T("已停用账户：", "Account disabled: ")
	}
	back := "/admin/users/" + strconv.FormatInt(u.ID, 10)
	if r.PostFormValue("back") == "list" {
		back = "/admin/users"
	}
	return h.s.Redirect(w, r, back, msg+u.Username)
}

func (h *handlers) apiUsers(w http.ResponseWriter, r *http.Request) error {
	var q UsersQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	page, per, err := api.Paging(r)
	if err != nil {
		return err
	}
	users, total, err := h.s.App.Accounts.ListUsers(r.Context(), account.UserFilter{DepartmentID: q.DepartmentID, Role: auth.Role(q.Role),
		Q: q.Q, Page: page, PerPage: per})
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(users, total, page, per))
	return nil
}

func (h *handlers) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in account.UserInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.s.App.Accounts.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (h *handlers) apiUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (h *handlers) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in account.UserInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.s.App.Accounts.UpdateUser(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (h *handlers) apiSetStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in StatusInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.App.Accounts.SetStatus(r.Context(), id, in.Status); err != nil {
		return err
	}
	u, err := h.s.App.Accounts.GetUser(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, u)
	return nil
}
