// Package audit keeps the tamper-evident audit trail (审计留痕).
//
// Every state-changing operation appends an Event in the same transaction
// as the change. Events form a SHA-256 hash chain: each holds the hash of
// the one before, and its own hash covers every field. Verify walks the
// chain and names the first event that was altered, removed or inserted.
// The head hash is published so that outsiders can witness it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Genesis is the previous hash of the first event.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of the chain.
type Event struct {
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
	ActorID      int64     `json:"actor_id,omitempty"`
	ActorName    string    `json:"actor_name"`
	Action       string    `json:"action"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	BeforeDigest string    `json:"before_digest"`
	AfterDigest  string    `json:"after_digest"`
	Detail       string    `json:"detail,omitempty"`
	PrevHash     string    `json:"prev_hash"`
	Hash         string    `json:"hash"`
}

// Compute returns the hash of e given its fields and PrevHash. The
// canonical form is documented in docs/audit.md.
func (e *Event) Compute() string {
	var b strings.Builder
	for _, f := range []string{
		"yingshang-audit-v1", e.PrevHash, strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10), e.ActorName,
		e.Action, e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:])
}

// Digest returns the SHA-256 of v's JSON encoding, or "-" for nil.
func Digest(v any) string {
	if v == nil {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprint(v))
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Log appends to and reads the chain.
type Log struct {
	DB    *db.DB
	Clock clock.Clock
}

// Record appends an event for the actor in ctx. It joins the transaction in
// ctx (starting one if there is none), so the event commits with the change.
func (l *Log) Record(ctx context.Context, action, objectType, objectID string, before, after any, detail string) error {
	return l.DB.WithTx(ctx, func(ctx context.Context) error {
		q := l.DB.Q(ctx)
		e := Event{
			At:           l.Clock.Now().UTC().Truncate(time.Microsecond),
			Action:       action,
			ObjectType:   objectType,
			ObjectID:     objectID,
			BeforeDigest: Digest(before),
			AfterDigest:  Digest(after),
			Detail:       detail,
			ActorName:    "anonymous",
		}
		if a := auth.From(ctx); a != nil {
			e.ActorID, e.ActorName = a.UserID, a.Username
		}
		// Taking the head row's lock first serialises appenders.
		if err := q.QueryRow(ctx, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&e.Seq, &e.PrevHash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		e.Hash = e.Compute()
		if _, err := q.Exec(ctx, "UPDATE audit_head SET hash = $1 WHERE id = 1", e.Hash); err != nil {
			return err
		}
		var actor any
		if e.ActorID != 0 {
			actor = e.ActorID
		}
		_, err := q.Exec(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor_name, action, object_type, object_id,
			before_digest, after_digest, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
			e.Seq, e.At, actor, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail, e.PrevHash, e.Hash)
		return err
	})
}

// Head returns the chain's length and head hash.
func (l *Log) Head(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := l.DB.Q(ctx).QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&seq, &hash)
	return seq, hash, err
}

// Result is the outcome of a verification.
type Result struct {
	OK       bool   `json:"ok"`
	Events   int64  `json:"events"`
	Head     string `json:"head"`
	BrokenAt int64  `json:"broken_at,omitempty"` // seq of the first bad event (or where one is missing)
	Reason   string `json:"reason,omitempty"`
}

const cols = "seq, at, COALESCE(actor_id, 0), actor_name, action, object_type, object_id, before_digest, after_digest, detail, prev_hash, hash"

func scan(r db.Row, e *Event) error {
	return r.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.BeforeDigest, &e.AfterDigest, &e.Detail, &e.PrevHash, &e.Hash)
}

// Verify walks the whole chain in pages and reports the first break.
func (l *Log) Verify(ctx context.Context) (Result, error) {
	res := Result{OK: true}
	prev := Genesis
	var next int64 = 1
	const page = 5000
	for {
		rows, err := l.DB.Q(ctx).Query(ctx, "SELECT "+cols+" FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2", next, page)
		if err != nil {
			return res, err
		}
		n := 0
		for rows.Next() {
			n++
			var e Event
			if err := scan(rows, &e); err != nil {
				rows.Close()
				return res, err
			}
			switch {
			case e.Seq != next:
				res.OK, res.BrokenAt, res.Reason = false, next, fmt.Sprintf("event %d is missing (next present is %d)", next, e.Seq)
			case e.PrevHash != prev:
				res.OK, res.BrokenAt, res.Reason = false, e.Seq, fmt.Sprintf("event %d does not link to the event before it", e.Seq)
			case e.Compute() != e.Hash:
				res.OK, res.BrokenAt, res.Reason = false, e.Seq, fmt.Sprintf("event %d was altered (its hash does not match its content)", e.Seq)
			}
			if !res.OK {
				rows.Close()
				return res, nil
			}
			prev = e.Hash
			next++
			res.Events++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return res, err
		}
		if n < page {
			break
		}
	}
	res.Head = prev
	seq, head, err := l.Head(ctx)
	if err != nil {
		return res, err
	}
	if seq != res.Events || head != prev {
		res.OK, res.BrokenAt = false, res.Events+1
		res.Reason = fmt.Sprintf("the chain ends at event %d but its recorded head is event %d: events were removed from the end", res.Events, seq)
	}
	return res, nil
}

// Filter selects events.
type Filter struct {
	ObjectType string
	ObjectID   string
	ActorID    int64
	Action     string
	BeforeSeq  int64 // cursor: events with seq < BeforeSeq (0: newest)
	Limit      int
}

// List returns events newest first. Only platform admins and supervisors
// may read the whole trail.
func (l *Log) List(ctx context.Context, f Filter) ([]Event, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	return l.list(ctx, f)
}

// ForObject returns the events of one object, oldest first, for timelines.
// The caller must already have checked that the actor may see the object.
func (l *Log) ForObject(ctx context.Context, objectType, objectID string) ([]Event, error) {
	ev, err := l.list(ctx, Filter{ObjectType: objectType, ObjectID: objectID, Limit: 500})
	for i, j := 0, len(ev)-1; i < j; i, j = i+1, j-1 {
		ev[i], ev[j] = ev[j], ev[i]
	}
	return ev, err
}

func (l *Log) list(ctx context.Context, f Filter) ([]Event, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.ActorID != 0 {
		add("actor_id = $%d", f.ActorID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	q := "SELECT " + cols + " FROM audit_events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))
	rows, err := l.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := scan(rows, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Get returns one event.
func (l *Log) Get(ctx context.Context, seq int64) (*Event, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	var e Event
	err := scan(l.DB.Q(ctx).QueryRow(ctx, "SELECT "+cols+" FROM audit_events WHERE seq = $1", seq), &e)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("审计事件", "audit event")
	}
	return &e, err
}
