package notify

import (
	"context"
	"encoding/json"
	"time"

	"yingshang/internal/db"
)

// resendWindow bounds how old an unread notification may be to get an SMS
// copy, so that switching the feature on does not text everyone about
// months of old messages.
const resendWindow = 7 * 24 * time.Hour

const resendBatch = 200

type unread struct {
	id, userID           int64
	msgType, data        string
	objectType, objectID string
	link                 string
}

// ResendUnread sends an SMS copy (resend_of = the original) of every in-app
// notification unread for longer than ResendUnreadAfter, once per
// notification, and returns how many copies it created. A user without a
// phone number gets a failed copy, so that it is not tried again. It is the
// work of the periodic re-send job.
func (s *Service) ResendUnread(ctx context.Context) (int, error) {
	if s.ResendUnreadAfter <= 0 {
		return 0, nil
	}
	now := s.now()
	cutoff := now.Add(-s.ResendUnreadAfter)
	total := 0
	for {
		batch, err := s.unreadBefore(ctx, cutoff, cutoff.Add(-resendWindow))
		if err != nil {
			return total, err
		}
		for _, u := range batch {
			err := s.DB.WithTx(ctx, func(ctx context.Context) error { return s.resendOne(ctx, u, now) })
			if db.IsUnique(err) {
				continue // another instance re-sent it meanwhile
			}
			if err != nil {
				return total, err
			}
			total++
		}
		if len(batch) < resendBatch {
			return total, nil
		}
	}
}

func (s *Service) unreadBefore(ctx context.Context, cutoff, oldest time.Time) ([]unread, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT n.id, n.user_id, n.msg_type, n.data, n.object_type, n.object_id, n.link
		FROM notifications n
		WHERE n.channel = 'inapp' AND n.read_at IS NULL AND n.resend_of IS NULL AND n.status = 'delivered'
			AND n.created_at <= $1 AND n.created_at > $2
			AND NOT EXISTS (SELECT 1 FROM notifications r WHERE r.resend_of = n.id)
		ORDER BY n.id LIMIT $3`, cutoff, oldest, resendBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []unread
	for rows.Next() {
		var u unread
		if err := rows.Scan(&u.id, &u.userID, &u.msgType, &u.data, &u.objectType, &u.objectID, &u.link); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Service) resendOne(ctx context.Context, u unread, now time.Time) error {
	a, err := s.resolve(ctx, Recipient{UserID: u.userID})
	if err != nil {
		return err
	}
	r := row{Type: u.msgType, Channel: ChannelSMS, UserID: u.userID, Lang: a.lang, Data: u.data,
		ObjectType: u.objectType, ObjectID: u.objectID, Link: u.link, ResendOf: u.id}
	s.address(&r, a)
	if err := s.renderResend(ctx, &r, u); err != nil {
		r.Status, r.LastError = StatusFailed, err.Error()
	}
	_, err = s.insert(ctx, r, now)
	return err
}

// renderResend renders the type's SMS text (or its in-app text adapted)
// from the original's data.
func (s *Service) renderResend(ctx context.Context, r *row, u unread) error {
	t, ok := LookupType(u.msgType)
	if !ok {
		return errUnknownType(u.msgType)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(u.data), &data); err != nil {
		return err
	}
	overrides, err := s.overrides(ctx, t.Key)
	if err != nil {
		return err
	}
	tpl, err := s.render(t, ChannelSMS, r.Lang, overrides, data)
	r.Body = tpl.Body
	return err
}

type errUnknownType string

func (e errUnknownType) Error() string { return "unknown message type " + string(e) }
