package accounts

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

func (h *handlers) mountTokens() {
	s := h.s
	// Every signed-in user may manage its own tokens; platform admins all.
	s.SignedIn("GET /admin/tokens", h.tokens)
	s.SignedIn("POST /admin/tokens", h.createToken)
	s.SignedIn("POST /admin/tokens/{id}/revoke", h.revokeToken)

	reg, mux := s.API, s.Mux
	tags := []string{"account"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/tokens", ID: "listTokens", Summary: "API 令牌列表 / List API tokens",
		Description: "Platform admins see every token, other users their own. The secret is never shown again.",
		Tags:        tags, Auth: api.AuthUser, Resp: api.Page[account.Token]{}}, h.apiTokens)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/tokens", ID: "createToken", Summary: "创建 API 令牌 / Create an API token",
		Description: "Returns the token once, in the field token. Platform admins may create tokens for any user, others only for themselves.",
		Tags:        tags, Auth: api.AuthUser, Body: TokenInput{}, Resp: TokenCreated{}, Status: http.StatusCreated}, h.apiCreateToken)
	reg.Handle(mux, api.Op{Method: "DELETE", Path: "/api/v1/tokens/{id}", ID: "revokeToken", Summary: "撤销 API 令牌 / Revoke an API token",
		Tags: tags, Auth: api.AuthUser, Status: http.StatusNoContent}, h.apiRevokeToken)
}

// TokenInput creates an API token.
type TokenInput struct {
	UserID    int64      `json:"user_id,omitempty" doc:"the account the token acts as; default the caller"`
	Name      string     `json:"name" doc:"what the token is for, e.g. 12345 hotline bridge"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"none: the token does not expire"`
}

// TokenCreated is a new token with its secret, shown this once.
type TokenCreated struct {
	Secret string `json:"token" doc:"the secret: send it as Authorization: Bearer <token>"`
	account.Token
}

type tokensPage struct {
	Tokens  []account.Token
	IsAdmin bool
	Created *TokenCreated
}

func (h *handlers) tokensView(r *http.Request) (*web.View, *tokensPage, error) {
	v := h.view(r, "API 令牌", "API tokens")
	list, err := h.s.App.Accounts.ListTokens(r.Context())
	if err != nil {
		return nil, nil, err
	}
	p := &tokensPage{Tokens: list, IsAdmin: auth.From(r.Context()).Has(auth.PlatformAdmin)}
	v.Data = p
	return v, p, nil
}

func (h *handlers) tokens(w http.ResponseWriter, r *http.Request) error {
	v, _, err := h.tokensView(r)
	if err != nil {
		return err
	}
	v.Form = map[string][]string{"username": {v.Actor.Username}}
	return h.s.Render(w, r, http.StatusOK, "accounts/tokens", v)
}

// expiryDate turns a YYYY-MM-DD form date into the last second of that
// day in Beijing time ("" is no expiry).
func expiryDate(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, web.Shanghai)
	if err != nil {
		return nil, yserr.Field("expires_on", "日期格式应为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	end := d.AddDate(0, 0, 1).Add(-time.Second).UTC()
	return &end, nil
}

func (h *handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	v, p, err := h.tokensView(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := auth.From(ctx)
	userID := a.UserID
	if name := strings.TrimSpace(r.PostFormValue("username")); name != "" && name != a.Username {
		if userID, err = h.s.App.Accounts.UserID(ctx, name); err != nil {
			if yserr.Is(err, yserr.Forbidden) {
				err = yserr.Field("username", "只能为自己创建令牌", "you can only create tokens for yourself")
			}
			return h.s.FormError(w, r, "accounts/tokens", v, err)
		}
	}
	exp, err := expiryDate(r.PostFormValue("expires_on"))
	if err != nil {
		return h.s.FormError(w, r, "accounts/tokens", v, err)
	}
	raw, tok, err := h.s.App.Accounts.CreateToken(ctx, userID, r.PostFormValue("name"), exp)
	if err != nil {
		if yserr.Is(err, yserr.Invalid) && yserr.As(err).Field == "expires_at" {
			err = yserr.Field("expires_on", "到期日期必须晚于今天", "the expiry date must be after today")
		}
		return h.s.FormError(w, r, "accounts/tokens", v, err)
	}
	p.Created = &TokenCreated{Secret: raw, Token: *tok}
	if p.Tokens, err = h.s.App.Accounts.ListTokens(ctx); err != nil {
		return err
	}
	// The secret is on this page only: keep it out of caches and history.
	w.Header().Set("Cache-Control", "no-store")
	return h.s.Render(w, r, http.StatusCreated, "accounts/tokens", v)
}

func (h *handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Accounts.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/admin/tokens", v.T("已撤销令牌 #", "Token revoked: #")+strconv.FormatInt(id, 10))
}

func (h *handlers) apiTokens(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.App.Accounts.ListTokens(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(list, int64(len(list)), 0, 0))
	return nil
}

func (h *handlers) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in TokenInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if in.UserID == 0 {
		in.UserID = auth.From(r.Context()).UserID
	}
	raw, tok, err := h.s.App.Accounts.CreateToken(r.Context(), in.UserID, in.Name, in.ExpiresAt)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, http.StatusCreated, TokenCreated{Secret: raw, Token: *tok})
	return nil
}

func (h *handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Accounts.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
