package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
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

// Login checks a username and password and starts a session. Failed
// attempts count towards a temporary lock-out of the account.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (*Session, error) {
	username = strings.TrimSpace(username)
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
		return nil, errLogin()
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if lockedUntil != nil && lockedUntil.After(now) {
		mins := int(math.Ceil(lockedUntil.Sub(now).Minutes()))
		return nil, &yserr.Error{Code: yserr.TooMany, Field: "password",
			ZH: fmt.Sprintf("登录失败次数过多，账户已临时锁定，请 %d 分钟后再试", mins),
			EN: fmt.Sprintf("too many failed sign-ins: the account is locked for %d more minutes", mins)}
	}
	if !auth.CheckPassword(hash, password) || status != "active" {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			failures++
			var lock any
			detail := "wrong password"
			if failures >= s.maxFailures() {
				lock, failures, detail = now.Add(s.lockout()), 0, "wrong password; account locked"
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET failed_logins=$1, locked_until=$2 WHERE id=$3", failures, lock, id); err != nil {
				return err
			}
			return s.Audit.Record(auth.WithActor(ctx, &auth.Actor{UserID: id, Username: username}), "session.login_failed", "user", strconv.FormatInt(id, 10), nil, nil, detail+" from "+ip)
		})
		if err != nil {
			return nil, err
		}
		return nil, errLogin()
	}
	sess := &Session{ID: randomToken(32), CSRF: randomToken(24)}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE users SET failed_logins=0, locked_until=NULL, last_login_at=$1 WHERE id=$2", now, id); err != nil {
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
	h := hashToken(rawID)
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT user_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE id_hash = $1", h).Scan(&userID, &csrf, &expires, &seen)
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
