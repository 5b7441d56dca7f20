// Package audit keeps the tamper-evident audit trail (审计留痕) as a
// transparency log (RFC 9162, the design of Certificate Transparency and the
// Go checksum database); docs/audit.md specifies every format.
//
// Every state-changing operation appends an Event in the same transaction
// as the change, without taking any shared lock. A single sequencer
// (Integrate, run as an elected periodic job) gives committed events their
// position in a Merkle tree, stores the tree's hashes and signs a
// checkpoint (a C2SP signed note). Inclusion proofs show that an event is in
// the log; consistency proofs show that a later checkpoint extends an earlier
// one, so history cannot be rewritten without the change showing against a
// checkpoint someone kept. Events written before the log (a SHA-256 hash
// chain) were migrated into it in their order and still verify as a chain.
//
// Each event also carries the digest of the changed object's live state
// (StateSource); the deep check (CheckState) recomputes every live object's
// digest and names rows changed, added or deleted outside the application.
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

// Genesis is the previous hash of the first event of the legacy chain.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of the trail. PrevHash and Hash are set only on events
// of the legacy hash chain (written before the log); LeafIndex is the
// event's position in the log, nil until the sequencer integrates it.
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
	StateDigest  string    `json:"state_digest,omitempty"`
	PrevHash     string    `json:"prev_hash,omitempty"`
	Hash         string    `json:"hash,omitempty"`
	LeafIndex    *int64    `json:"leaf_index,omitempty"`
}

// Compute returns the legacy chain hash of e given its fields and PrevHash.
// The canonical form is documented in docs/audit.md.
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

// Log appends to and reads the trail.
type Log struct {
	DB    *db.DB
	Clock clock.Clock
	// Signer signs checkpoints (LoadOrCreateKey); only the sequencer needs it.
	Signer *Key
	// States are the state sources of the audited object kinds.
	States *States

	// crashAfter, in tests, makes Integrate fail after that many events of
	// a batch were written, as if the process died mid-batch.
	crashAfter int
}

// Record appends an event for the actor in ctx. It joins the transaction in
// ctx (starting one if there is none), so the event commits with the change.
func (l *Log) Record(ctx context.Context, action, objectType, objectID string, before, after any, detail string) error {
	return l.record(ctx, action, objectType, objectID, before, after, detail, func(ctx context.Context) (string, error) {
		return l.States.stateDigest(ctx, objectType, objectID)
	})
}

// RecordRow is Record for an object of one row (its kind's only state
// source is source, an SQLSource of one row per object) that the caller
// has just written and knows as the source would read it (cols, each as
// ColsDigest takes it): the state digest is computed without reading the
// row back (one statement and, on PostgreSQL, one round trip less per
// write; issue 17). The owner's tests hold cols equal to the source's read.
func (l *Log) RecordRow(ctx context.Context, action, objectType, objectID string, before, after any, detail, source string, cols []*string) error {
	return l.record(ctx, action, objectType, objectID, before, after, detail, func(ctx context.Context) (string, error) {
		names, srcs := l.States.sources(objectType)
		if len(names) != 1 || names[0] != source {
			return "", fmt.Errorf("audit: %s has state sources %v, not only %s", objectType, names, source)
		}
		if sq, ok := srcs[0].(*SQLSource); !ok || sq.Cols != len(cols) {
			return "", fmt.Errorf("audit: state source %s of %s does not read %d columns", source, objectType, len(cols))
		}
		return combine(names, [][]byte{ColsDigest(cols)}), nil
	})
}

func (l *Log) record(ctx context.Context, action, objectType, objectID string, before, after any, detail string, state func(context.Context) (string, error)) error {
	return l.DB.WithTx(ctx, func(ctx context.Context) error {
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
		sd, err := state(ctx)
		if err != nil {
			return fmt.Errorf("audit: state of %s %s: %w", objectType, objectID, err)
		}
		e.StateDigest = sd
		var actor any
		if e.ActorID != 0 {
			actor = e.ActorID
		}
		// No shared row is touched: seq comes from the table's identity and
		// the position in the log is given later by the sequencer. On
		// PostgreSQL the transaction id is kept for diagnosis (which events
		// one transaction wrote).
		txid := db.Expr("0")
		if l.DB.Dialect == db.Postgres {
			txid = "pg_current_xact_id()::text::bigint"
		}
		// Appended: written with the transaction's next statement or its
		// COMMIT, with the events of the same transaction in one INSERT
		// (requests that share a transaction, db.Group; issue 17).
		return l.DB.Append(ctx, "audit_events", eventCols,
			e.At, actor, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail, e.StateDigest, txid)
	})
}

// eventCols are the columns record writes.
var eventCols = []string{"at", "actor_id", "actor_name", "action", "object_type", "object_id",
	"before_digest", "after_digest", "detail", "state_digest", "txid"}

// Head returns the log's tree size and root hash (hex) as of the last
// checkpoint the sequencer wrote.
func (l *Log) Head(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := l.DB.Q(ctx).QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&seq, &hash)
	return seq, hash, err
}

// Total returns the number of events: those integrated into the log (the
// tree head) plus those waiting for the sequencer (read through the
// pending index, so it stays cheap on a large log).
func (l *Log) Total(ctx context.Context) (int64, error) {
	size, _, err := l.Head(ctx)
	if err != nil {
		return 0, err
	}
	var pending int64
	err = l.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE leaf_index IS NULL").Scan(&pending)
	return size + pending, err
}

// Count returns the number of events, integrated into the log or not.
func (l *Log) Count(ctx context.Context) (int64, error) {
	var n int64
	err := l.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events").Scan(&n)
	return n, err
}

const cols = "seq, at, COALESCE(actor_id, 0), actor_name, action, object_type, object_id, before_digest, after_digest, detail, state_digest, prev_hash, hash, leaf_index"

func scan(r db.Row, e *Event) error {
	return r.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.BeforeDigest, &e.AfterDigest, &e.Detail, &e.StateDigest, &e.PrevHash, &e.Hash, &e.LeafIndex)
}

// verifyChain walks the legacy hash chain (the events that carry a hash)
// and reports its first break into res.
func (l *Log) verifyChain(ctx context.Context, res *Result) error {
	prev := Genesis
	var next int64 = 1
	const page = 5000
	for {
		rows, err := l.DB.Q(ctx).Query(ctx, "SELECT "+cols+" FROM audit_events WHERE hash <> '' AND seq >= $1 ORDER BY seq LIMIT $2", next, page)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
			var e Event
			if err := scan(rows, &e); err != nil {
				rows.Close()
				return err
			}
			switch {
			case e.Seq != next:
				res.fail(next, fmt.Sprintf("event %d is missing (next present is %d)", next, e.Seq))
			case e.PrevHash != prev:
				res.fail(e.Seq, fmt.Sprintf("event %d does not link to the event before it", e.Seq))
			case e.Compute() != e.Hash:
				res.fail(e.Seq, fmt.Sprintf("event %d was altered (its hash does not match its content)", e.Seq))
			}
			if !res.OK {
				rows.Close()
				return nil
			}
			prev = e.Hash
			next++
			res.ChainEvents++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		if n < page {
			break
		}
	}
	res.ChainHead = prev
	var seq int64
	var head string
	if err := l.DB.Q(ctx).QueryRow(ctx, "SELECT seq, hash FROM audit_legacy_head WHERE id = 1").Scan(&seq, &head); err != nil {
		return err
	}
	if seq != res.ChainEvents || head != prev {
		res.fail(res.ChainEvents+1, fmt.Sprintf("the chain ends at event %d but its recorded head is event %d: events were removed from the end", res.ChainEvents, seq))
	}
	return nil
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
