package account

// SMS verification codes (短信验证码): one mechanism for every flow that
// proves a person holds a mobile number — enterprise self-registration
// (purpose "register") and, through PhoneCodes, the modules' own flows
// (e.g. a licence holder without an account looking up his or her
// licences). Codes are stored as keyed hashes per phone and purpose, live
// CodeTTL, allow CodeMaxAttempts wrong entries, and are limited per phone
// and purpose to one per CodeInterval and CodesPerDay in 24 hours.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// PhoneCodes sends and checks SMS verification codes for a purpose other
// than registration. The purpose keeps the codes (and their limits) of
// different flows apart.
type PhoneCodes struct {
	Accounts *Service
	Notify   *notify.Service
}

var purposeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Send validates the mobile number and sends a code for purpose to it. It
// returns the masked number. Errors name the field "phone".
func (p *PhoneCodes) Send(ctx context.Context, purpose, phone, lang string) (string, error) {
	if !purposeRe.MatchString(purpose) || purpose == PurposeRegister {
		return "", fmt.Errorf("account: bad SMS code purpose %q", purpose)
	}
	phone = ident.NormalizeMobile(phone)
	if err := ident.ValidateMobile(phone); err != nil {
		return "", yserr.Field("phone", "请输入正确的 11 位手机号码", "enter a valid 11-digit mobile number")
	}
	return sendCode(ctx, p.Accounts, p.Notify, purpose, phone, lang)
}

// Verify checks code against the phone's latest unused code for purpose and
// marks it used. A wrong code counts an attempt (committed even though
// Verify fails), so call it outside a transaction. Errors name the field
// "code".
func (p *PhoneCodes) Verify(ctx context.Context, purpose, phone, code string) error {
	if !codeRe.MatchString(code) {
		return yserr.Field("code", "请输入 6 位短信验证码", "enter the 6-digit SMS code")
	}
	phone = ident.NormalizeMobile(phone)
	id, err := checkCode(ctx, p.Accounts, purpose, phone, code)
	if err != nil {
		return err
	}
	return p.Accounts.DB.WithTx(ctx, func(ctx context.Context) error { return useCode(ctx, p.Accounts, id) })
}

// sendCode stores a new code for (phone, purpose) and sends it by SMS, in
// one transaction with its audit record, after the per-phone limits.
func sendCode(ctx context.Context, s *Service, out *notify.Service, purpose, phone, lang string) (string, error) {
	phoneHash := s.Keys.Index(phone)
	masked := ident.MaskMobile(phone)
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		if err := codeLimits(ctx, s, purpose, phoneHash, now); err != nil {
			return err
		}
		code := newCode()
		var id int64
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO sms_codes (phone_hash, purpose, code_hash, attempts, expires_at, created_at)
			VALUES ($1,$2,$3,0,$4,$5) RETURNING id`, phoneHash, purpose, codeHash(s, purpose, phone, code), now.Add(CodeTTL), now).Scan(&id); err != nil {
			return err
		}
		if _, err := out.Send(ctx, notify.Message{Type: notify.TypeSMSCode, Channels: []string{notify.ChannelSMS},
			To:   []notify.Recipient{{Phone: phone, Lang: lang}},
			Data: map[string]any{"code": code, "minutes": int(CodeTTL / time.Minute)}}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "sms_code.send", "sms_code", strconv.FormatInt(id, 10), nil, nil, purpose+" to "+masked)
	})
	if err != nil {
		return "", err
	}
	return masked, nil
}

// codeLimits refuses a new code when the phone had one for the purpose
// within CodeInterval or CodesPerDay within 24 hours.
func codeLimits(ctx context.Context, s *Service, purpose, phoneHash string, now time.Time) error {
	q := s.DB.Q(ctx)
	var last time.Time
	err := q.QueryRow(ctx, `SELECT created_at FROM sms_codes WHERE phone_hash=$1 AND purpose=$2 ORDER BY created_at DESC LIMIT 1`,
		phoneHash, purpose).Scan(&last)
	if err != nil && !db.IsNoRows(err) {
		return err
	}
	if wait := last.Add(CodeInterval).Sub(now); err == nil && wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return fieldError(yserr.TooMany, "phone", fmt.Sprintf("验证码发送过于频繁，请 %d 秒后再试", secs),
			fmt.Sprintf("a code was just sent: try again in %d seconds", secs))
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM sms_codes WHERE phone_hash=$1 AND purpose=$2 AND created_at > $3`,
		phoneHash, purpose, now.Add(-24*time.Hour)).Scan(&n); err != nil {
		return err
	}
	if n >= CodesPerDay {
		zh := fmt.Sprintf("该手机号 24 小时内已获取 %d 次验证码，已达上限，请明天再试", n)
		en := fmt.Sprintf("this number has received %d codes in 24 hours, the limit: try again tomorrow", n)
		return fieldError(yserr.TooMany, "phone", zh, en)
	}
	return nil
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeHash is a keyed hash, so that a copy of the database does not give
// away live codes.
func codeHash(s *Service, purpose, phone, code string) string {
	return s.Keys.Index(purpose + ":" + phone + ":" + code)
}

// checkCode compares code with the phone's latest unused code for the
// purpose. A wrong code counts an attempt, committed even though the
// caller's operation fails; call it outside a transaction. It returns the
// code's id.
func checkCode(ctx context.Context, s *Service, purpose, phone, code string) (int64, error) {
	var id int64
	var bad error
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var hash string
		var attempts int
		var expires time.Time
		err := s.DB.Q(ctx).QueryRow(ctx, `SELECT id, code_hash, attempts, expires_at FROM sms_codes
			WHERE phone_hash=$1 AND purpose=$2 AND used_at IS NULL ORDER BY id DESC LIMIT 1`,
			s.Keys.Index(phone), purpose).Scan(&id, &hash, &attempts, &expires)
		switch {
		case db.IsNoRows(err):
			bad = yserr.Field("code", "请先获取短信验证码", "request an SMS code first")
			return nil
		case err != nil:
			return err
		case !expires.After(s.now()):
			bad = yserr.Field("code", "验证码已过期，请重新获取", "the code has expired: request a new one")
			return nil
		case attempts >= CodeMaxAttempts:
			bad = fieldError(yserr.TooMany, "code", "验证码错误次数过多，请重新获取", "too many wrong codes: request a new one")
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(codeHash(s, purpose, phone, code))) == 1 {
			return nil
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1", id); err != nil {
			return err
		}
		if left := CodeMaxAttempts - attempts - 1; left > 0 {
			bad = yserr.Field("code", fmt.Sprintf("验证码错误，还可尝试 %d 次", left), fmt.Sprintf("wrong code: %d attempts left", left))
		} else {
			bad = yserr.Field("code", "验证码错误，请重新获取验证码", "wrong code: request a new one")
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, bad
}

// useCode marks a code used, once.
func useCode(ctx context.Context, s *Service, id int64) error {
	n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE sms_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL", s.now(), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return yserr.Field("code", "验证码已使用，请重新获取", "the code was already used: request a new one")
	}
	return nil
}
