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

const viewTOTP = "accounts/totp"

// mountTOTP: platform admins and supervisors enrol a second factor.
func (h *handlers) mountTOTP() {
	h.s.UsesViews(viewTOTP)
	roles := []auth.Role{auth.PlatformAdmin, auth.Supervisor}
	h.s.Page("GET /account/totp", h.totpPage, roles...)
	h.s.Page("POST /account/totp", h.totpBegin, roles...)
	h.s.Page("POST /account/totp/confirm", h.totpConfirm, roles...)
}

func (h *handlers) totpView(r *http.Request, data map[string]any) *web.View {
	v := h.view(r, "身份验证器", "Authenticator")
	on, _ := h.s.App.Accounts.TOTPEnabled(r.Context())
	data["Enabled"] = on
	v.Data = data
	return v
}

func (h *handlers) totpPage(w http.ResponseWriter, r *http.Request) error {
	return h.s.Render(w, r, http.StatusOK, viewTOTP, h.totpView(r, map[string]any{}))
}

func (h *handlers) totpBegin(w http.ResponseWriter, r *http.Request) error {
	secret, uri, err := h.s.App.Accounts.BeginTOTP(r.Context())
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewTOTP, h.totpView(r, map[string]any{"Secret": secret, "URI": uri}))
}

func (h *handlers) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	codes, err := h.s.App.Accounts.ConfirmTOTP(r.Context(), r.PostFormValue("totp_code"))
	if err != nil {
		// Start again with a fresh secret shown next to the error.
		secret, uri, berr := h.s.App.Accounts.BeginTOTP(r.Context())
		if berr != nil {
			return berr
		}
		return h.s.FormError(w, r, viewTOTP, h.totpView(r, map[string]any{"Secret": secret, "URI": uri}), err)
	}
	return h.s.Render(w, r, http.StatusOK, viewTOTP, h.totpView(r, map[string]any{"Recovery": codes}))
}
