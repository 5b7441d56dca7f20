package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

const notificationCols = `id, msg_type, channel, COALESCE(user_id, 0), COALESCE(webhook_id, 0), address_mask, lang, subject, body,
	data, status, attempts, last_error, provider_id, object_type, object_id, COALESCE(resend_of, 0), created_at, sent_at, delivered_at, read_at, link`

// hiddenBody replaces the text of sensitive messages outside delivery.
const hiddenBody = "（内容已隐藏 / content hidden）"

func scanNotification(r db.Row) (*Notification, error) {
	var n Notification
	var data string
	err := r.Scan(&n.ID, &n.Type, &n.Channel, &n.UserID, &n.WebhookID, &n.Address, &n.Lang, &n.Subject, &n.Body,
		&data, &n.Status, &n.Attempts, &n.LastError, &n.ProviderID, &n.ObjectType, &n.ObjectID, &n.ResendOf,
		&n.CreatedAt, &n.SentAt, &n.DeliveredAt, &n.ReadAt, &n.Link)
	if err != nil {
		return nil, err
	}
	if data != "" && data != "{}" {
		_ = json.Unmarshal([]byte(data), &n.Data)
	}
	if t, ok := LookupType(n.Type); ok && t.Sensitive {
		n.Body = hiddenBody
	}
	return &n, nil
}

func (s *Service) list(ctx context.Context, where string, args []any, page, perPage int) ([]Notification, int64, error) {
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, perPage = normPage(page, perPage)
	n := len(args)
	q := fmt.Sprintf("SELECT %s FROM notifications%s ORDER BY id DESC LIMIT $%d OFFSET $%d", notificationCols, where, n+1, n+2)
	rows, err := s.DB.Q(ctx).Query(ctx, q, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		nt, err := scanNotification(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *nt)
	}
	return out, total, rows.Err()
}

func normPage(page, perPage int) (int, int) {
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = 20
	}
	return page, min(perPage, 200)
}

// Inbox returns the actor's in-app notifications, newest first, with the
// number matching (total) and the number unread.
func (s *Service) Inbox(ctx context.Context, onlyUnread bool, page, perPage int) ([]Notification, int64, int64, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	where := " WHERE user_id = $1 AND channel = 'inapp' AND status = 'delivered'"
	var unread int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications"+where+" AND read_at IS NULL", a.UserID).Scan(&unread); err != nil {
		return nil, 0, 0, err
	}
	if onlyUnread {
		where += " AND read_at IS NULL"
	}
	items, total, err := s.list(ctx, where, []any{a.UserID}, page, perPage)
	return items, total, unread, err
}

// MarkRead marks one of the actor's in-app notifications read, at the
// clock's time; marking it again keeps the first read time. Another user's
// notification gives yserr.NotFound.
func (s *Service) MarkRead(ctx context.Context, id int64) error {
	a, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	own := " WHERE id = $2 AND user_id = $3 AND channel = 'inapp'"
	n, err := s.DB.W(ctx).Exec(ctx, "UPDATE notifications SET read_at = $1"+own+" AND read_at IS NULL", s.now(), id, a.UserID)
	if err != nil || n > 0 {
		return err
	}
	var exists int
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE id = $1 AND user_id = $2 AND channel = 'inapp'", id, a.UserID).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return yserr.ErrNotFound("消息", "notification")
	}
	return nil
}

// MarkAllRead marks all of the actor's unread in-app notifications read and
// returns how many it marked.
func (s *Service) MarkAllRead(ctx context.Context) (int64, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return 0, err
	}
	return s.DB.W(ctx).Exec(ctx, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND channel = 'inapp' AND read_at IS NULL", s.now(), a.UserID)
}

// Outbox lists all notifications, newest first (platform admins and
// supervisors).
func (s *Service) Outbox(ctx context.Context, f Filter) ([]Notification, int64, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, col+" = $"+strconv.Itoa(len(args)))
	}
	for _, c := range []struct{ col, v string }{{"status", f.Status}, {"channel", f.Channel}, {"msg_type", f.Type},
		{"object_type", f.ObjectType}, {"object_id", f.ObjectID}} {
		if c.v != "" {
			add(c.col, c.v)
		}
	}
	if f.UserID != 0 {
		add("user_id", f.UserID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return s.list(ctx, where, args, f.Page, f.PerPage)
}

// Get returns one notification: any to platform admins and supervisors,
// their own to other users.
func (s *Service) Get(ctx context.Context, id int64) (*Notification, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	n, err := scanNotification(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+notificationCols+" FROM notifications WHERE id = $1", id))
	if db.IsNoRows(err) || (err == nil && !a.Has(auth.PlatformAdmin, auth.Supervisor) && !a.IsSystem() && n.UserID != a.UserID) {
		return nil, yserr.ErrNotFound("消息", "notification")
	}
	return n, err
}

// Retry puts a failed SMS, e-mail or webhook row back in the queue with a
// fresh set of attempts. A row that failed for lack of an address takes
// the user's current one. Platform admins only; audit-logged. A row that
// has not failed, or still has no address, gives yserr.Conflict.
func (s *Service) Retry(ctx context.Context, id int64) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if n.Status != StatusFailed || n.Channel == ChannelInApp {
			return yserr.New(yserr.Conflict, "只能重发发送失败的短信、邮件或 Webhook 消息", "only failed SMS, e-mail or webhook messages can be retried")
		}
		if err := s.readdress(ctx, n); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE notifications SET status = 'queued' WHERE id = $1", id); err != nil {
			return err
		}
		if err := s.enqueue(ctx, id, DefaultMaxAttempts); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "notification.retry", "notification", strconv.FormatInt(id, 10),
			map[string]any{"status": n.Status, "last_error": n.LastError}, map[string]any{"status": StatusQueued}, "")
	})
}

// readdress gives a user's SMS or e-mail row the user's current address
// (it may have been missing or wrong); a row for raw addresses or a webhook
// keeps its own.
func (s *Service) readdress(ctx context.Context, n *Notification) error {
	if n.Channel == ChannelWebhook {
		return nil
	}
	if n.UserID == 0 {
		var enc []byte
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT address_enc FROM notifications WHERE id = $1", n.ID).Scan(&enc); err != nil {
			return err
		}
		if len(enc) == 0 {
			return yserr.New(yserr.Conflict, "收件人没有地址，无法重发", "the recipient has no address: cannot retry")
		}
		return nil
	}
	a, err := s.resolve(ctx, Recipient{UserID: n.UserID})
	if err != nil {
		return err
	}
	r := row{Channel: n.Channel}
	s.address(&r, a)
	if r.Status == StatusFailed {
		return yserr.New(yserr.Conflict, "无法重发："+ReasonZH(r.LastError), "cannot retry: "+r.LastError)
	}
	_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE notifications SET address_enc = $1, address_mask = $2 WHERE id = $3", s.Keys.Encrypt(r.Address), r.Mask, n.ID)
	return err
}

// Stats counts notifications per channel and status, for the dashboard
// (platform admins and supervisors).
func (s *Service) Stats(ctx context.Context) (map[string]map[string]int64, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT channel, status, COUNT(*) FROM notifications GROUP BY channel, status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var ch, st string
		var n int64
		if err := rows.Scan(&ch, &st, &n); err != nil {
			return nil, err
		}
		if out[ch] == nil {
			out[ch] = map[string]int64{}
		}
		out[ch][st] = n
	}
	return out, rows.Err()
}
