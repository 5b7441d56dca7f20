package account

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Sign-in protection (issue 11, item 8).
//
// Failed sign-ins are counted per typed username and client address
// (login_throttle). After MaxFailures failures from one address each
// further try from that address must wait: 1 s, doubling up to Lockout.
// Another address, the account holder's, is not affected, so a stranger
// cannot lock anyone out, and an unknown username is throttled exactly
// like a real one, so the answers do not reveal which names exist.
//
// Only LockFailures failures in a row from all addresses together (a
// distributed guess) lock the account for Lockout; the holder is told at
// once (in-app and SMS), and while it lasts the answer stays the ordinary
// "wrong username or password".

// TypeAccountLocked is the notification sent when an account is locked.
const TypeAccountLocked = "account.locked"

func init() {
	t := map[string]notify.Template{
		notify.LangZH: {Subject: "账户已临时锁定", Body: "您的账户 {{.username}} 连续 {{.failures}} 次登录失败，已锁定至 {{.until}}。如非本人操作，请尽快联系管理员并修改密码。"},
		notify.LangEN: {Subject: "Account locked", Body: "Your account {{.username}} was locked until {{.until}} after {{.failures}} failed sign-ins in a row. If this was not you, contact an administrator and change your password."},
	}
	notify.RegisterType(notify.MessageType{
		Key: TypeAccountLocked, NameZH: "账户锁定提醒", NameEN: "Account locked",
		Variables: []notify.Variable{
			{Name: "username", ZH: "用户名", EN: "username", Example: "admin"},
			{Name: "failures", ZH: "连续失败次数", EN: "failed sign-ins in a row", Example: 50},
			{Name: "until", ZH: "锁定截止时间", EN: "locked until", Example: "2026-11-23 09:15"},
		},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: t, notify.ChannelEmail: t, notify.ChannelSMS: {
			notify.LangZH: {Body: "【营商】您的账户{{.username}}因连续登录失败已锁定至{{.until}}，如非本人操作请联系管理员。"},
			notify.LangEN: {Body: "[Yingshang] Your account {{.username}} is locked until {{.until}} after failed sign-ins. Not you? Contact an administrator."},
		}},
	})
}

// throttleKey is the typed username as the throttle stores it.
func throttleKey(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// errThrottled is the answer while a client must wait before trying a
// username again; the same for every username.
func errThrottled(wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &yserr.Error{Code: yserr.TooMany, Field: "password",
		ZH: fmt.Sprintf("登录尝试过于频繁，请 %d 秒后再试", secs),
		EN: fmt.Sprintf("too many sign-in attempts: try again in %d seconds", secs)}
}

// throttleWait returns how long the client must still wait before trying
// the username again (0: it may try now).
func (s *Service) throttleWait(ctx context.Context, name, client string, now time.Time) (time.Duration, error) {
	var until *time.Time
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT wait_until FROM login_throttle WHERE username = $1 AND client = $2", name, client).Scan(&until)
	if db.IsNoRows(err) || (err == nil && (until == nil || !until.After(now))) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return until.Sub(now), nil
}

// throttleFail counts a failed sign-in of the username from the client and
// sets the wait before the next try.
func (s *Service) throttleFail(ctx context.Context, name, client string, now time.Time) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var failures int
		err := q.QueryRow(ctx, "SELECT failures FROM login_throttle WHERE username = $1 AND client = $2", name, client).Scan(&failures)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		failures++
		var until any
		if over := failures - s.maxFailures(); over >= 0 {
			wait := s.lockout()
			if over < 30 && time.Second<<over < wait {
				wait = time.Second << over
			}
			until = now.Add(wait)
		}
		if failures == 1 {
			_, err = q.Exec(ctx, `INSERT INTO login_throttle (username, client, failures, wait_until, updated_at) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (username, client) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $5`, name, client, failures, until, now)
			return err
		}
		_, err = q.Exec(ctx, "UPDATE login_throttle SET failures = $1, wait_until = $2, updated_at = $3 WHERE username = $4 AND client = $5",
			failures, until, now, name, client)
		return err
	})
}

// throttleClear forgets the client's failures for the username after a
// successful sign-in.
func (s *Service) throttleClear(ctx context.Context, name, client string) error {
	_, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM login_throttle WHERE username = $1 AND client = $2", name, client)
	return err
}

// PurgeThrottle forgets failures older than a day (with the session purge).
func (s *Service) PurgeThrottle(ctx context.Context) (int64, error) {
	return s.DB.W(ctx).Exec(ctx, "DELETE FROM login_throttle WHERE updated_at < $1", s.now().Add(-24*time.Hour))
}

// accountFailed counts a failed sign-in on the account itself and locks it
// after LockFailures in a row, telling the holder.
func (s *Service) accountFailed(ctx context.Context, id int64, username string, failures int, ip string, now time.Time) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		failures++
		var lock any
		detail := "wrong password"
		locked := s.LockFailures > 0 && failures >= s.LockFailures
		if locked {
			lock, detail = now.Add(s.lockout()), fmt.Sprintf("wrong password; account locked after %d failures in a row", failures)
		}
		n := failures
		if locked {
			n = 0
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET failed_logins=$1, locked_until=COALESCE($2, locked_until) WHERE id=$3", n, lock, id); err != nil {
			return err
		}
		actx := auth.WithActor(ctx, &auth.Actor{UserID: id, Username: username})
		if err := s.Audit.Record(actx, "session.login_failed", "user", strconv.FormatInt(id, 10), nil, nil, detail+" from "+ip); err != nil {
			return err
		}
		if !locked || s.Notify == nil {
			return nil
		}
		until := now.Add(s.lockout()).In(shanghai).Format("2006-01-02 15:04")
		_, err := s.Notify.Send(auth.WithActor(ctx, auth.System("account")), notify.Message{Type: TypeAccountLocked,
			To: []notify.Recipient{{UserID: id}}, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
			Data: map[string]any{"username": username, "failures": failures, "until": until}, ObjectType: "user", ObjectID: strconv.FormatInt(id, 10), Link: "/login"})
		return err
	})
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// ChangePassword sets the signed-in user's own password after checking the
// current one, clears a forced change, and ends the user's other sessions
// (keepSession is the raw id of the session to keep, "" for none).
func (s *Service) ChangePassword(ctx context.Context, current, next, keepSession string) error {
	a, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if a.IsSystem() || a.UserID == 0 {
		return yserr.ErrForbidden()
	}
	var hash string
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT password_hash FROM users WHERE id = $1", a.UserID).Scan(&hash); err != nil {
		return err
	}
	if !auth.CheckPassword(hash, current) {
		return yserr.Field("current_password", "当前密码不正确", "the current password is wrong")
	}
	if err := auth.ValidatePassword(next); err != nil {
		return yserr.Field("new_password", yserr.As(err).ZH, yserr.As(err).EN)
	}
	if next == current {
		return yserr.Field("new_password", "新密码不能与当前密码相同", "the new password must differ from the current one")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE users SET password_hash=$1, must_change_password=FALSE, updated_at=$2 WHERE id=$3",
			auth.HashPassword(next), s.now(), a.UserID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id=$1 AND id_hash <> $2", a.UserID, hashToken(keepSession)); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "user.password_change", "user", strconv.FormatInt(a.UserID, 10), nil, nil, "by the user")
	})
}

// endSessions ends every session of the user and, unless keepTokens,
// revokes its API tokens (after a password reset).
func (s *Service) endSessions(ctx context.Context, id int64, keepTokens bool) error {
	q := s.DB.Q(ctx)
	if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE user_id=$1", id); err != nil {
		return err
	}
	if keepTokens {
		return nil
	}
	if _, err := q.Exec(ctx, "UPDATE api_tokens SET revoked_at=$1 WHERE user_id=$2 AND revoked_at IS NULL", s.now(), id); err != nil {
		return err
	}
	return s.changed(ctx)
}
