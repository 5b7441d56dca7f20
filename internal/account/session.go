package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(h[:])
}

// ErrLogin is the one answer for an unknown user or a wrong password.
func errLogin() error {
	return &yserr.Error{Code: yserr.Unauthorized, Field: "password", ZH: "用户名或密码错误", EN: "wrong username or password"}
}

// Session is a signed-in browser session.
type Session struct {
	ID    string // raw id: goes into the cookie only
	CSRF  string
	Actor *auth.Actor
}

// Login checks a username and password and starts a session. Failures
// are throttled per typed username and client address with growing waits
// (see security.go); the answer never tells whether the username exists.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (*Session, error) {
	return s.LoginCode(ctx, username, password, "", ip, userAgent)
}

// LoginCode is Login with the code of the account's second factor (an
// authenticator code or a recovery code), for accounts that enrolled one;
// without a right one such an account gets yserr.Invalid on "totp_code"
// (the login form then asks for it).
func (s *Service) LoginCode(ctx context.Context, username, password, code, ip, userAgent string) (*Session, error) {
	username = strings.TrimSpace(username)
	key, now := throttleKey(username), s.now()
	if wait, err := s.throttleWait(ctx, key, ip, now); err != nil || wait > 0 {
		if err != nil {
			return nil, err
		}
		return nil, errThrottled(wait)
	}
	var (
		id          int64
		hash        string
		status      string
		failures    int
		lockedUntil *time.Time
	)
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, password_hash, status, failed_logins, locked_until FROM users WHERE username = $1", username).
		Scan(&id, &hash, &status, &failures, &lockedUntil)
	if db.IsNoRows(err) {
		auth.DummyCheck(password)
		if err := s.throttleFail(ctx, key, ip, now); err != nil {
			return nil, err
		}
		return nil, errLogin()
	}
	if err != nil {
		return nil, err
	}
	ok := auth.CheckPassword(hash, password) && status == "active"
	if locked := lockedUntil != nil && lockedUntil.After(now); locked || !ok {
		if err := s.throttleFail(ctx, key, ip, now); err != nil {
			return nil, err
		}
		if !locked {
			if err := s.accountFailed(ctx, id, username, failures, ip, now); err != nil {
				return nil, err
			}
		}
		return nil, errLogin()
	}
	if err := s.secondFactor(ctx, id, code, now); err != nil {
		if yserr.As(err).Field == "totp_code" && strings.TrimSpace(code) != "" {
			if ferr := s.throttleFail(ctx, key, ip, now); ferr != nil {
				return nil, ferr
			}
		}
		return nil, err
	}
	sess := &Session{ID: randomToken(32), CSRF: randomToken(24)}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE users SET failed_logins=0, locked_until=NULL, last_login_at=$1 WHERE id=$2", now, id); err != nil {
			return err
		}
		if err := s.throttleClear(ctx, key, ip); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent)
			VALUES ($1,$2,$3,$4,$5,$4,$6,$7)`, hashToken(sess.ID), id, sess.CSRF, now, now.Add(s.sessionTTL()), ip, truncate(userAgent, 300)); err != nil {
			return err
		}
		a, err := s.actor(ctx, id, "session")
		if err != nil {
			return err
		}
		if err := q.QueryRow(ctx, "SELECT must_change_password FROM users WHERE id = $1", id).Scan(&a.MustChangePassword); err != nil {
			return err
		}
		sess.Actor = a
		return s.Audit.Record(auth.WithActor(ctx, a), "session.login", "user", strconv.FormatInt(id, 10), nil, nil, "from "+ip)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// StartSession opens a session for a user who was authenticated another
// way (single sign-on, a confirmed registration).
func (s *Service) StartSession(ctx context.Context, userID int64, ip, userAgent, how string) (*Session, error) {
	sess := &Session{ID: randomToken(32), CSRF: randomToken(24)}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		a, err := s.actor(ctx, userID, "session")
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent)
			VALUES ($1,$2,$3,$4,$5,$4,$6,$7)`, hashToken(sess.ID), userID, sess.CSRF, now, now.Add(s.sessionTTL()), ip, truncate(userAgent, 300)); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET last_login_at=$1 WHERE id=$2", now, userID); err != nil {
			return err
		}
		sess.Actor = a
		return s.Audit.Record(auth.WithActor(ctx, a), "session.login", "user", strconv.FormatInt(userID, 10), nil, nil, how+" from "+ip)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// SessionActor resolves a session cookie to its actor and CSRF token,
// extending the idle lifetime. An unknown or expired session gives
// Unauthorized.
func (s *Service) SessionActor(ctx context.Context, rawID string) (*auth.Actor, string, error) {
	if rawID == "" {
		return nil, "", yserr.ErrUnauthorized()
	}
	var userID int64
	var csrf string
	var expires, seen time.Time
	var mustChange bool
	h := hashToken(rawID)
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, u.must_change_password
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`, h).Scan(&userID, &csrf, &expires, &seen, &mustChange)
	if db.IsNoRows(err) {
		return nil, "", yserr.ErrUnauthorized()
	}
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	if !expires.After(now) {
		_, _ = s.DB.W(ctx).Exec(ctx, "DELETE FROM sessions WHERE id_hash = $1", h)
		return nil, "", yserr.ErrUnauthorized()
	}
	if now.Sub(seen) > time.Minute {
		if _, err := s.DB.W(ctx).Exec(ctx, "UPDATE sessions SET last_seen_at=$1, expires_at=$2 WHERE id_hash=$3", now, now.Add(s.sessionTTL()), h); err != nil {
			return nil, "", err
		}
	}
	a, err := s.actor(ctx, userID, "session")
	if err != nil {
		return nil, "", err
	}
	a.MustChangePassword = mustChange
	return a, csrf, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, rawID string) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE id_hash = $1", hashToken(rawID))
		if err != nil || n == 0 {
			return err
		}
		if a := auth.From(ctx); a != nil {
			return s.Audit.Record(ctx, "session.logout", "user", strconv.FormatInt(a.UserID, 10), nil, nil, "")
		}
		return nil
	})
}

// PurgeSessions deletes expired sessions (a scheduled job).
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	return s.DB.W(ctx).Exec(ctx, "DELETE FROM sessions WHERE expires_at < $1", s.now())
}
