package licenses

// Person holders without an account (个人持证人): sign in with the ID
// number on the licence and an SMS code sent to the mobile number on it,
// then see "my licences" and answer reminders. The holder token lives in a
// cookie scoped to /licenses/holder (web) or the X-Holder-Token header
// (API, e.g. for a mini-program). See license/holder.go.

import (
	"context"
	"net/http"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/license"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewHolder     = "license/holder"
	viewHolderMine = "license/holder_mine"
	holderCookie   = "ys_holder"
	holderPath     = "/licenses/holder"
)

func (h *handlers) mountHolder() {
	h.s.UsesViews(viewHolder, viewHolderMine)
	h.s.Page("GET /licenses/holder", h.holderForm)
	h.s.Page("POST /licenses/holder", h.holderSubmit)
	h.s.Page("GET /licenses/holder/mine", h.holderMine)
	h.s.Page("POST /licenses/holder/mine/{id}/answer", h.holderAnswer)
	h.s.Page("POST /licenses/holder/logout", h.holderLogout)

	reg, mux := h.s.API, h.s.Mux
	tags := []string{"license"}
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/license-holder/code", ID: "sendLicenseHolderCode", Tags: tags, Auth: "public",
		Summary:     "个人持证人获取验证码 / Send a person holder an SMS code",
		Description: "For a person who holds licences (no account): checks that licences carry this resident ID number and mobile number, then sends a 6-digit code to the number (at most one a minute and ten a day per number). Rate limited per client.",
		Body:        license.HolderInput{}, Resp: HolderCodeSent{}}, h.apiHolderCode)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/license-holder/token", ID: "createLicenseHolderToken", Tags: tags, Auth: "public",
		Summary:     "个人持证人验证 / Verify a person holder",
		Description: "Checks the SMS code and returns a holder token valid for 30 minutes; send it as the X-Holder-Token header. Rate limited per client.",
		Body:        license.HolderInput{}, Resp: HolderToken{}, Status: 201}, h.apiHolderToken)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/license-holder/licenses", ID: "listLicenseHolderLicenses", Tags: tags, Auth: "public",
		Summary:     "个人持证人的证照 / A person holder's licences",
		Description: "Needs the X-Holder-Token header (401 without a valid one). Soonest expiry first; the ID number and phone masked.",
		Resp:        HolderLicences{}, Errors: []int{http.StatusUnauthorized}}, h.apiHolderLicences)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/license-holder/licenses/{id}/answer", ID: "answerLicenseHolderReminder", Tags: tags, Auth: "public",
		Summary: "个人持证人答复提醒 / A person holder answers a reminder", Description: "Needs the X-Holder-Token header.",
		Body: AnswerInput{}, Status: 204}, h.apiHolderAnswer)
}

// HolderCodeSent is the answer to a code request.
type HolderCodeSent struct {
	PhoneMask string `json:"phone_mask"`
	Minutes   int    `json:"minutes" doc:"the code's lifetime"`
}

// HolderToken is a verified person holder's token.
type HolderToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HolderLicences is a person holder's licences.
type HolderLicences struct {
	Name      string             `json:"name" doc:"masked"`
	IDMask    string             `json:"id_mask"`
	PhoneMask string             `json:"phone_mask"`
	ExpiresAt time.Time          `json:"expires_at" doc:"when the token expires"`
	Licenses  []*license.License `json:"licenses"`
}

func errTooMany() error {
	return yserr.New(yserr.TooMany, "请求过于频繁，请稍后再试", "too many requests, please wait a moment")
}

func (h *handlers) holderToken(r *http.Request) string {
	if t := r.Header.Get("X-Holder-Token"); t != "" {
		return t
	}
	if c, err := r.Cookie(holderCookie); err == nil {
		return c.Value
	}
	return ""
}

func (h *handlers) holderView(r *http.Request) *web.View {
	v := h.s.View(r, "")
	v.Title = v.T("个人持证人查询", "Licences of a person holder")
	v.Data = map[string]any{"Minutes": int(account.CodeTTL / time.Minute)}
	return v
}

func (h *handlers) holderForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.svc.ParseHolder(h.holderToken(r)); err == nil {
		http.Redirect(w, r, holderPath+"/mine", http.StatusSeeOther)
		return nil
	}
	return h.s.Render(w, r, http.StatusOK, viewHolder, h.holderView(r))
}

// holderSubmit is step 1 (action=send: send the code) or step 2 (verify
// the code and sign in) of the form.
func (h *handlers) holderSubmit(w http.ResponseWriter, r *http.Request) error {
	v := h.holderView(r)
	if h.s.LoginLimited(r) {
		return h.s.FormError(w, r, viewHolder, v, errTooMany())
	}
	in := license.HolderInput{IDNumber: r.PostFormValue("id_number"), Phone: r.PostFormValue("phone"), Code: r.PostFormValue("code"), Lang: v.Lang}
	if r.PostFormValue("action") == "send" {
		masked, err := h.svc.HolderSendCode(r.Context(), in)
		if err != nil {
			return h.s.FormError(w, r, viewHolder, v, err)
		}
		v.Data.(map[string]any)["SentTo"] = masked
		v.Form = r.Form
		return h.s.Render(w, r, http.StatusOK, viewHolder, v)
	}
	tok, err := h.svc.HolderSignIn(r.Context(), in)
	if err != nil {
		return h.s.FormError(w, r, viewHolder, v, err)
	}
	h.s.SetCookie(w, r, holderCookie, tok, holderPath, int(license.HolderTTL/time.Second))
	return h.s.Redirect(w, r, holderPath+"/mine", "")
}

func (h *handlers) holderMine(w http.ResponseWriter, r *http.Request) error {
	holder, list, err := h.svc.HolderLicences(r.Context(), h.holderToken(r))
	if yserr.Is(err, yserr.Unauthorized) {
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, holderPath, yserr.As(err).Message(v.Lang))
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("我的证照", "My licences")
	tok := h.holderToken(r)
	rows, err := h.cardRows(r.Context(), v, list, func(id int64) (*license.Type, error) { return h.svc.HolderType(r.Context(), tok, id) })
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Holder": holder, "Rows": rows, "AnswerBase": holderPath + "/mine/"}
	return h.s.Render(w, r, http.StatusOK, viewHolderMine, v)
}

func (h *handlers) holderAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	err = h.svc.HolderAnswer(r.Context(), h.holderToken(r), id, r.PostFormValue("answer"))
	if yserr.Is(err, yserr.Unauthorized) {
		return h.s.Redirect(w, r, holderPath, yserr.As(err).Message(v.Lang))
	}
	if err != nil {
		return err
	}
	return h.s.Redirect(w, r, holderPath+"/mine", v.T("答复已提交，感谢您的反馈", "Thank you: your answer was sent"))
}

func (h *handlers) holderLogout(w http.ResponseWriter, r *http.Request) error {
	h.s.SetCookie(w, r, holderCookie, "", holderPath, 0)
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, holderPath, v.T("已退出查询", "Signed out"))
}

// cardRow is a licence as a holder sees it, with its type's renewal
// guidance (license_cards partial).
type cardRow struct {
	Row
	T     *license.Type
	Steps []web.StepView
}

// cardRows adds each licence's catalogue entry, looked up once per type.
func (h *handlers) cardRows(ctx context.Context, v *web.View, list []*license.License, typeOf func(int64) (*license.Type, error)) ([]cardRow, error) {
	cal, err := h.svc.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := h.svc.Clock.Now()
	out := make([]cardRow, 0, len(list))
	types := map[int64]*license.Type{}
	for _, l := range list {
		t := types[l.TypeID]
		if t == nil {
			var err error
			if t, err = typeOf(l.TypeID); err != nil {
				return nil, err
			}
			types[l.TypeID] = t
		}
		out = append(out, cardRow{Row: row(v, l), T: t, Steps: licenceSteps(v.Lang, l, t, cal, now)})
	}
	return out, nil
}

func (h *handlers) apiHolderCode(w http.ResponseWriter, r *http.Request) error {
	if h.s.LoginLimited(r) {
		return errTooMany()
	}
	var in license.HolderInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if in.Lang == "" {
		in.Lang = api.Lang(r)
	}
	masked, err := h.svc.HolderSendCode(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, HolderCodeSent{PhoneMask: masked, Minutes: int(account.CodeTTL / time.Minute)})
	return nil
}

func (h *handlers) apiHolderToken(w http.ResponseWriter, r *http.Request) error {
	if h.s.LoginLimited(r) {
		return errTooMany()
	}
	var in license.HolderInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	tok, err := h.svc.HolderSignIn(r.Context(), in)
	if err != nil {
		return err
	}
	holder, err := h.svc.ParseHolder(tok)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, HolderToken{Token: tok, ExpiresAt: holder.Expires})
	return nil
}

func (h *handlers) apiHolderLicences(w http.ResponseWriter, r *http.Request) error {
	holder, list, err := h.svc.HolderLicences(r.Context(), r.Header.Get("X-Holder-Token"))
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, HolderLicences{Name: holder.Name, IDMask: holder.IDMask, PhoneMask: holder.PhoneMask, ExpiresAt: holder.Expires, Licenses: list})
	return nil
}

func (h *handlers) apiHolderAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in AnswerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.HolderAnswer(r.Context(), r.Header.Get("X-Holder-Token"), id, in.Answer); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
