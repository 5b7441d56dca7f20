package accounts

import (
	"net/http"

	"yingshang/internal/auth"
	"yingshang/internal/server"
	"yingshang/internal/web"
)

const viewPassword = "accounts/password"

// mountPassword: every signed-in user changes its own password here; a
// session whose password an administrator chose is sent here first.
func (h *handlers) mountPassword() {
	h.s.UsesViews(viewPassword)
	h.s.SignedIn("GET /account/password", h.passwordForm)
	h.s.SignedIn("POST /account/password", h.changePassword)
}

func (h *handlers) passwordView(r *http.Request) *web.View {
	v := h.view(r, "修改密码", "Change password")
	a := auth.From(r.Context())
	v.Data = map[string]any{"Forced": a != nil && a.MustChangePassword}
	return v
}

func (h *handlers) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return h.s.Render(w, r, http.StatusOK, viewPassword, h.passwordView(r))
}

func (h *handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	keep := ""
	if c, err := r.Cookie(server.SessionCookie); err == nil {
		keep = c.Value
	}
	err := h.s.App.Accounts.ChangePassword(r.Context(), r.PostFormValue("current_password"), r.PostFormValue("new_password"), keep)
	if err != nil {
		r.Form.Del("current_password")
		r.Form.Del("new_password")
		return h.s.FormError(w, r, viewPassword, h.passwordView(r), err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/", v.T("密码已修改，其他登录会话已退出", "Password changed; your other sessions were signed out"))
}
