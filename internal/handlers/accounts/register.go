package accounts

import (
	"net/http"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

func (h *handlers) mountRegistration() {
	s := h.s
	s.Page("GET /register", h.registerForm)
	s.Page("POST /register", h.register)
	s.SignedIn("GET /register/status", h.registerStatus)
	s.Page("POST /register/reapply", h.reapply, auth.Enterprise)
}

// reapply submits a new binding request after a rejection.
func (h *handlers) reapply(w http.ResponseWriter, r *http.Request) error {
	b, err := h.reg.Reapply(r.Context(), r.PostFormValue("uscc"))
	if err != nil {
		if yserr.CodeOf(err) == yserr.Internal {
			return err
		}
		v := h.view(r, "企业绑定进度", "Business binding status")
		return h.s.Redirect(w, r, "/register/status", v.T("未能提交：", "Not submitted: ")+yserr.As(err).Message(v.Lang))
	}
	v := h.view(r, "企业绑定进度", "Business binding status")
	msg := v.T("绑定申请已重新提交，请等待审核。", "Your binding request was submitted again; please wait for the review.")
	if b.Status == account.BindingApproved {
		msg = v.T("已自动绑定企业。", "Bound to the business.")
	}
	return h.s.Redirect(w, r, "/register/status", msg)
}

type registerPage struct {
	SentTo  string // masked phone a code was just sent to
	Minutes int
}

func (h *handlers) registerView(r *http.Request) (*registerPage, *web.View) {
	v := h.view(r, "企业注册", "Register your business")
	p := &registerPage{Minutes: int(account.CodeTTL.Minutes())}
	v.Data = p
	return p, v
}

func (h *handlers) registerForm(w http.ResponseWriter, r *http.Request) error {
	if a := auth.From(r.Context()); a != nil && a.Has(auth.Enterprise) {
		return h.s.Redirect(w, r, "/register/status", "")
	}
	_, v := h.registerView(r)
	return h.s.Render(w, r, http.StatusOK, "accounts/register", v)
}

func registrationInput(r *http.Request, lang string) account.RegistrationInput {
	return account.RegistrationInput{USCC: r.PostFormValue("uscc"), Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"),
		Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), Confirm: r.PostFormValue("password_confirm"),
		Code: r.PostFormValue("code"), Lang: lang}
}

// register handles both buttons of the form: "send" mails a code, "register"
// creates the account and signs it in.
func (h *handlers) register(w http.ResponseWriter, r *http.Request) error {
	p, v := h.registerView(r)
	_ = r.ParseForm()
	r.Form.Del("password")
	r.Form.Del("password_confirm")
	if h.s.LoginLimited(r) {
		return h.s.FormError(w, r, "accounts/register", v, yserr.New(yserr.TooMany, "尝试过于频繁，请一分钟后再试", "too many attempts: try again in a minute"))
	}
	in := registrationInput(r, v.Lang)
	if r.PostFormValue("action") == "send" {
		masked, err := h.reg.SendCode(r.Context(), in)
		if err != nil {
			return h.s.FormError(w, r, "accounts/register", v, err)
		}
		p.SentTo = masked
		v.Form = r.Form
		return h.s.Render(w, r, http.StatusOK, "accounts/register", v)
	}
	res, err := h.reg.Register(r.Context(), in)
	if err != nil {
		return h.s.FormError(w, r, "accounts/register", v, err)
	}
	sess, err := h.s.App.Accounts.StartSession(r.Context(), res.UserID, h.s.ClientIP(r), r.UserAgent(), "registration")
	if err != nil {
		return err
	}
	h.s.SetSession(w, r, sess.ID)
	msg := v.T("注册成功，绑定申请已提交，请等待部门审核。", "Registered. Your binding request was sent to the department for review.")
	if res.Binding.Status == account.BindingApproved {
		msg = v.T("注册成功，已自动绑定企业。", "Registered and bound to your business.")
	}
	return h.s.Redirect(w, r, "/register/status", msg)
}

type statusPage struct {
	Latest *bindingRow
	Older  []bindingRow
}

func (h *handlers) registerStatus(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "企业绑定进度", "Business binding status")
	list, err := h.reg.MyBindings(r.Context())
	if err != nil {
		return err
	}
	p := &statusPage{}
	rows := bindingRows(list, v.Lang)
	if len(rows) > 0 {
		p.Latest, p.Older = &rows[0], rows[1:]
	}
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "accounts/register_status", v)
}
