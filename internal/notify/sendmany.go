package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/db"
)

// sendManyChunk is how many notification rows one INSERT of SendMany
// writes on PostgreSQL (one array parameter per column), and how many
// rows share one batch of delivery jobs. A variable so that tests can
// make chunks small.
var sendManyChunk = 2000

// SendMany sends msgs in the transaction in ctx (or its own) and returns
// the ids of each message's rows (ids[i] for msgs[i], in Send's order).
// The result is the same as calling Send for each message in turn: the
// same rows in the same order, the same delivery jobs, the same errors
// (the first invalid message fails the whole call). The work is batched
// for callers that send many messages at once (the licence scan): the
// recipients' contacts are read in one query, each type's template
// overrides and the active webhooks once, the rows are written with one
// INSERT of arrays per chunk of sendManyChunk rows on PostgreSQL (one
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
				if hooks, err = s.activeWebhooks(ctx); err != nil {
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

// insertMany stores rows with one INSERT and enqueues the
// deliveries of those that wait for one with one batch insert of jobs, in
// the transaction in ctx. It returns the rows' ids in the order of rows:
// the identity column numbers the rows of one INSERT in the order of its
// VALUES list, or of its ordered SELECT, on both engines, so the ids
// returned, sorted, are the rows'.
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
	// One INSERT ... SELECT FROM unnest of one array per column: the SQL
	// is the same for every row count, so PostgreSQL parses and plans it
	// once per connection (pgx's statement cache), where a VALUES list of
	// 19 parameters a row was a new statement of up to 9,500 parameters
	// for each row count. WITH ORDINALITY ... ORDER BY keeps the rows, and
	// so the identity values, in the order of rows.
	n := len(rows)
	types, channels, masks, langs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	subjects, bodies, datas, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lastErrors, objTypes, objIDs, links := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	users, hooks, resends := make([]*int64, n), make([]*int64, n), make([]*int64, n)
	addrs := make([][]byte, n)
	sents, delivereds := make([]*time.Time, n), make([]*time.Time, n)
	for i, r := range rows {
		if r.Status == StatusDelivered {
			sents[i], delivereds[i] = &now, &now
		}
		types[i], channels[i], masks[i], langs[i] = r.Type, r.Channel, r.Mask, r.Lang
		subjects[i], bodies[i], datas[i], statuses[i] = r.Subject, r.Body, r.Data, r.Status
		lastErrors[i], objTypes[i], objIDs[i], links[i] = r.LastError, r.ObjectType, r.ObjectID, r.Link
		users[i], hooks[i], resends[i] = optID(r.UserID), optID(r.WebhookID), optID(r.ResendOf)
		addrs[i] = s.Keys.Encrypt(r.Address)
	}
	const insert = `INSERT INTO notifications (msg_type, channel, user_id, webhook_id, address_enc, address_mask,
		lang, subject, body, data, status, last_error, object_type, object_id, resend_of, created_at, sent_at, delivered_at, link)
		SELECT v.msg_type, v.channel, v.user_id, v.webhook_id, v.address_enc, v.address_mask, v.lang, v.subject, v.body, v.data,
			v.status, v.last_error, v.object_type, v.object_id, v.resend_of, $19, v.sent_at, v.delivered_at, v.link
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::timestamptz[], $17::timestamptz[], $18::text[])
			WITH ORDINALITY AS v(msg_type, channel, user_id, webhook_id, address_enc, address_mask, lang, subject, body, data,
				status, last_error, object_type, object_id, resend_of, sent_at, delivered_at, link, ord)
		ORDER BY v.ord
		RETURNING id`
	args := []any{types, channels, users, hooks, addrs, masks, langs, subjects, bodies, datas, statuses, lastErrors,
		objTypes, objIDs, resends, sents, delivereds, links, now}
	res, err := s.DB.Q(ctx).Query(ctx, insert, args...)
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

// optID is a nullable id for an array parameter: nil for 0.
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
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
