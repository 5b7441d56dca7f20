package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/db"
)

// sendManyChunk is how many notification rows one multi-row INSERT of
// SendMany writes (19 parameters a row: 9,500 per statement, below both
// engines' limits). A variable so that tests can make chunks small.
var sendManyChunk = 500

// SendMany sends msgs in the transaction in ctx (or its own) and returns
// the ids of each message's rows (ids[i] for msgs[i], in Send's order).
// The result is the same as calling Send for each message in turn: the
// same rows in the same order, the same delivery jobs, the same errors
// (the first invalid message fails the whole call). The work is batched
// for callers that send many messages at once (the licence scan): the
// recipients' contacts are read in one query, each type's template
// overrides and the active webhooks once, the rows are written with one
// multi-row INSERT per chunk of sendManyChunk rows on PostgreSQL (one
// prepared INSERT per row on SQLite, in process) and the delivery jobs
// with one River InsertManyTx per chunk.
func (s *Service) SendMany(ctx context.Context, msgs []Message) ([][]int64, error) {
	types := make([]*MessageType, len(msgs))
	channels := make([][]string, len(msgs))
	for i := range msgs {
		t, chs, err := msgs[i].check()
		if err != nil {
			return nil, err
		}
		types[i], channels[i] = t, chs
	}
	var out [][]int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.sendMany(ctx, types, channels, msgs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) sendMany(ctx context.Context, types []*MessageType, channels [][]string, msgs []Message) ([][]int64, error) {
	now := s.now()
	contacts, err := s.contactsOf(ctx, msgs)
	if err != nil {
		return nil, err
	}
	overrides := map[string]map[tplKey]Template{}
	var hooks []*Webhook
	hooksRead := false
	var rows []row
	counts := make([]int, len(msgs))
	for i, msg := range msgs {
		t, first := types[i], len(rows)
		ov, ok := overrides[t.Key]
		if !ok {
			if ov, err = s.overrides(ctx, t.Key); err != nil {
				return nil, err
			}
			overrides[t.Key] = ov
		}
		data, err := dataJSON(t, msg.Data)
		if err != nil {
			return nil, err
		}
		base := row{Type: t.Key, Data: data, ObjectType: msg.ObjectType, ObjectID: msg.ObjectID, Link: msg.Link, MaxAttempts: msg.MaxAttempts}
		rendered := map[tplKey]Template{}
		for _, to := range msg.To {
			a, err := resolveIn(to, contacts)
			if err != nil {
				return nil, err
			}
			for _, ch := range channels[i] {
				if len(to.Channels) > 0 && !slices.Contains(to.Channels, ch) {
					continue
				}
				k := tplKey{ch, a.lang}
				tpl, ok := rendered[k]
				if !ok {
					if tpl, err = s.render(t, ch, a.lang, ov, msg.Data); err != nil {
						return nil, err
					}
					rendered[k] = tpl
				}
				r := base
				r.Channel, r.UserID, r.Lang, r.Subject, r.Body = ch, a.userID, a.lang, tpl.Subject, tpl.Body
				s.address(&r, a)
				rows = append(rows, r)
			}
		}
		if !t.Sensitive {
			if !hooksRead {
				if hooks, err = s.queryWebhooks(ctx, " WHERE active = TRUE"); err != nil {
					return nil, err
				}
				hooksRead = true
			}
			var subs []*Webhook
			for _, h := range hooks {
				if matchEvent(h.Events, t.Key) {
					subs = append(subs, h)
				}
			}
			hr, err := s.hookRows(t, msg, data, now, subs)
			if err != nil {
				return nil, err
			}
			rows = append(rows, hr...)
		}
		counts[i] = len(rows) - first
	}
	ids := make([]int64, 0, len(rows))
	for start := 0; start < len(rows); start += sendManyChunk {
		got, err := s.insertMany(ctx, rows[start:min(start+sendManyChunk, len(rows))], now)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	out := make([][]int64, len(msgs))
	at := 0
	for i, n := range counts {
		out[i] = ids[at : at+n : at+n]
		at += n
	}
	return out, nil
}

// contactsOf reads the contacts of every user recipient of msgs in one
// directory query.
func (s *Service) contactsOf(ctx context.Context, msgs []Message) (map[int64]Contact, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, m := range msgs {
		for _, to := range m.To {
			if to.UserID != 0 && !seen[to.UserID] {
				seen[to.UserID] = true
				ids = append(ids, to.UserID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if s.Users == nil {
		return nil, fmt.Errorf("notify: no user directory to reach user %d", ids[0])
	}
	return s.Users.Contacts(ctx, ids)
}

// insertMany stores rows with one multi-row INSERT and enqueues the
// deliveries of those that wait for one with one batch insert of jobs, in
// the transaction in ctx. It returns the rows' ids in the order of rows:
// the identity column numbers the rows of one INSERT in the order of its
// VALUES list on both engines, so the ids returned, sorted, are the rows'.
func (s *Service) insertMany(ctx context.Context, rows []row, now time.Time) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	if s.DB.Dialect == db.SQLite {
		// In process, a multi-row INSERT saves no round trip, and its SQL,
		// different for every row count, is parsed on each call (the
		// statement cache prepares only what repeats): the single-row
		// INSERT, prepared once, was faster in the licence-scan benchmark.
		ids := make([]int64, len(rows))
		for i, r := range rows {
			id, err := s.insertRow(ctx, r, now)
			if err != nil {
				return nil, err
			}
			ids[i] = id
		}
		return ids, s.enqueueMany(ctx, rows, ids)
	}
	const cols = 19
	var sb strings.Builder
	sb.WriteString(`INSERT INTO notifications (msg_type, channel, user_id, webhook_id, address_enc, address_mask,
		lang, subject, body, data, status, last_error, object_type, object_id, resend_of, created_at, sent_at, delivered_at, link) VALUES `)
	args := make([]any, 0, cols*len(rows))
	for i, r := range rows {
		var sent, delivered *time.Time
		if r.Status == StatusDelivered {
			sent, delivered = &now, &now
		}
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for c := 1; c <= cols; c++ {
			if c > 1 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "$%d", i*cols+c)
		}
		sb.WriteByte(')')
		args = append(args, r.Type, r.Channel, nullID(r.UserID), nullID(r.WebhookID), s.Keys.Encrypt(r.Address), r.Mask,
			r.Lang, r.Subject, r.Body, r.Data, r.Status, r.LastError, r.ObjectType, r.ObjectID, nullID(r.ResendOf), now, sent, delivered, r.Link)
	}
	sb.WriteString(" RETURNING id")
	res, err := s.DB.Q(ctx).Query(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("insert notifications: %w", err)
	}
	defer res.Close()
	ids := make([]int64, 0, len(rows))
	for res.Next() {
		var id int64
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("insert notifications: %w", err)
	}
	res.Close()
	if len(ids) != len(rows) {
		return nil, fmt.Errorf("insert notifications: %d ids for %d rows", len(ids), len(rows))
	}
	slices.Sort(ids)
	return ids, s.enqueueMany(ctx, rows, ids)
}

// enqueueMany enqueues the deliveries of the rows (ids[i] is rows[i]'s)
// that wait for one, in one batch.
func (s *Service) enqueueMany(ctx context.Context, rows []row, ids []int64) error {
	var jobs []river.InsertManyParams
	for i, r := range rows {
		if r.Status != StatusQueued {
			continue
		}
		if s.Jobs == nil {
			return fmt.Errorf("notify: no job queue to deliver notification %d", ids[i])
		}
		maxAttempts := r.MaxAttempts
		if maxAttempts <= 0 {
			maxAttempts = DefaultMaxAttempts
		}
		jobs = append(jobs, river.InsertManyParams{Args: DeliverArgs{NotificationID: ids[i]}, InsertOpts: &river.InsertOpts{MaxAttempts: maxAttempts}})
	}
	return s.Jobs.EnqueueMany(ctx, jobs)
}
