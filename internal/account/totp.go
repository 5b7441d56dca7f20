package account

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// The optional TOTP second factor (issue 11, item 9): platform admins and
// supervisors enrol with an authenticator app (BeginTOTP shows the secret
// and its otpauth:// URI, ConfirmTOTP checks a first code and returns ten
// single-use recovery codes); from then on signing in needs a code.

// TOTPIssuer names the platform in authenticator apps.
const TOTPIssuer = "Yingshang"

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

func errCodeNeeded() error {
	return &yserr.Error{Code: yserr.Invalid, Field: "totp_code", ZH: "请输入身份验证器中的动态验证码（或一个恢复码）", EN: "enter the code from your authenticator app (or a recovery code)"}
}

func errCodeWrong() error {
	return &yserr.Error{Code: yserr.Invalid, Field: "totp_code", ZH: "动态验证码不正确或已使用", EN: "the code is wrong or was already used"}
}

// secondFactor checks the code of an account with a confirmed TOTP secret
// (nil for an account without one).
func (s *Service) secondFactor(ctx context.Context, id int64, code string, now time.Time) error {
	var enc []byte
	var last int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT totp_secret_enc, totp_last_step FROM users WHERE id = $1", id).Scan(&enc, &last); err != nil {
		return err
	}
	if len(enc) == 0 {
		return nil
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return errCodeNeeded()
	}
	secret, err := s.totpSecret(enc)
	if err != nil {
		return err
	}
	if step, ok := auth.CheckTOTP(secret, code, now, last); ok {
		_, err := s.DB.W(ctx).Exec(ctx, "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, id)
		return err
	}
	// A recovery code works once.
	n, err := s.DB.W(ctx).Exec(ctx, "UPDATE totp_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
		now, id, hashToken(normRecovery(code)))
	if err != nil {
		return err
	}
	if n == 0 {
		return errCodeWrong()
	}
	return s.Audit.Record(auth.WithActor(ctx, &auth.Actor{UserID: id}), "user.totp_recovery_used", "user", strconv.FormatInt(id, 10), nil, nil, "")
}

func (s *Service) totpSecret(enc []byte) ([]byte, error) {
	text, err := s.Keys.Decrypt(enc)
	if err != nil {
		return nil, err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(text)
}

func normRecovery(code string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
}

// totpActor is the signed-in platform admin or supervisor.
func totpActor(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor)
	if err != nil {
		return nil, err
	}
	if a.IsSystem() || a.UserID == 0 {
		return nil, yserr.ErrForbidden()
	}
	return a, nil
}

// TOTPEnabled reports whether the signed-in user has a confirmed second factor.
func (s *Service) TOTPEnabled(ctx context.Context) (bool, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return false, err
	}
	var enc []byte
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT totp_secret_enc FROM users WHERE id = $1", a.UserID).Scan(&enc)
	if db.IsNoRows(err) {
		return false, nil
	}
	return len(enc) > 0, err
}

// BeginTOTP starts the enrolment of the signed-in platform admin or
// supervisor: a new secret, kept aside until ConfirmTOTP, as text and as
// the otpauth:// URI for the app.
func (s *Service) BeginTOTP(ctx context.Context) (secret, uri string, err error) {
	a, err := totpActor(ctx)
	if err != nil {
		return "", "", err
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	text := auth.TOTPSecretText(raw)
	if _, err := s.DB.W(ctx).Exec(ctx, "UPDATE users SET totp_pending_enc = $1 WHERE id = $2", s.Keys.Encrypt(text), a.UserID); err != nil {
		return "", "", err
	}
	return text, auth.TOTPURI(TOTPIssuer, a.Username, raw), nil
}

// ConfirmTOTP checks a code of the secret from BeginTOTP, makes it the
// account's second factor and returns new recovery codes (shown once).
func (s *Service) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	a, err := totpActor(ctx)
	if err != nil {
		return nil, err
	}
	var pending []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT totp_pending_enc FROM users WHERE id = $1", a.UserID).Scan(&pending); err != nil {
		return nil, err
	}
	if len(pending) == 0 {
		return nil, yserr.New(yserr.Conflict, "请先开始绑定身份验证器", "start the enrolment first")
	}
	secret, err := s.totpSecret(pending)
	if err != nil {
		return nil, err
	}
	step, ok := auth.CheckTOTP(secret, code, s.now(), 0)
	if !ok {
		return nil, yserr.Field("totp_code", "动态验证码不正确，请核对手机时间后重试", "the code is wrong: check the phone's clock and try again")
	}
	codes := make([]string, RecoveryCodes)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE users SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_last_step = $1 WHERE id = $2", step, a.UserID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM totp_recovery_codes WHERE user_id = $1", a.UserID); err != nil {
			return err
		}
		for i := range codes {
			b := make([]byte, 6)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			c := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:10]
			codes[i] = c[:5] + "-" + c[5:]
			if _, err := q.Exec(ctx, "INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES ($1, $2)", a.UserID, hashToken(normRecovery(c))); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "user.totp_enable", "user", strconv.FormatInt(a.UserID, 10), nil, nil, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
