// Package accounts serves the accounts area: the department tree, users
// and their roles, API tokens, enterprise self-registration with the
// review of binding requests, and optional OpenID Connect single sign-on.
//
// Every decision about who may do what is made by the account service;
// the handlers turn forms and JSON into service calls and results into
// pages.
package accounts

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"yingshang/internal/account"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Mount registers the routes.
func Mount(s *server.Server) {
	h := &handlers{s: s, reg: &account.Registrar{Accounts: s.App.Accounts, Entities: s.App.Entities, Notify: s.App.Notify}}
	s.UsesViews("accounts/departments", "accounts/users", "accounts/user_form",
		"accounts/tokens", "accounts/register", "accounts/register_status",
		"accounts/bindings", "accounts/sso_error")
	h.mountDepartments()
	h.mountUsers()
	h.mountTokens()
	h.mountRegistration()
	h.mountBindings()
	h.mountSSO()
	h.mountPassword()
	h.mountTOTP()
}

type handlers struct {
	s   *server.Server
	reg *account.Registrar

	ssoMu sync.Mutex
	sso   *account.SSO
}

// view returns the base view with a bilingual title.
func (h *handlers) view(r *http.Request, zh, en string) *web.View {
	v := h.s.View(r, "")
	v.Title = v.T(zh, en)
	return v
}

// formID parses an optional id form field ("" is 0).
func formID(r *http.Request, name string) (int64, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, yserr.Field(name, "请选择有效的选项", "choose a valid option")
	}
	return n, nil
}

// option is an entry of a select list.
type option struct {
	Value string
	Label string
}

// deptOptions lists departments as indented options.
func deptOptions(depts []account.Department, keep func(account.Department) bool) []option {
	var out []option
	for _, d := range depts {
		if keep != nil && !keep(d) {
			continue
		}
		out = append(out, option{Value: strconv.FormatInt(d.ID, 10), Label: strings.Repeat("　", d.Depth) + d.Name + "（" + d.Code + "）"})
	}
	return out
}

// deptNames maps department ids to names.
func deptNames(depts []account.Department) map[int64]string {
	m := make(map[int64]string, len(depts))
	for _, d := range depts {
		m[d.ID] = d.Name
	}
	return m
}
