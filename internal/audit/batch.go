package audit

import (
	"context"
	"fmt"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
)

// Entry is one event of a batch for RecordAll.
type Entry struct {
	Action, ObjectType, ObjectID string
	Before, After                any
	Detail                       string
}

// ManySource is a StateSource that can give the digests of many objects
// in one read. RecordAll uses it for bulk changes (an import of licences,
// the daily scan lapsing them); sources without it are read one object at a
// time.
type ManySource interface {
	StateSource
	// DigestsOf calls fn for each of ids that has rows.
	DigestsOf(ctx context.Context, ids []string, fn func(id string, digest []byte) error) error
}

// recordBatch is how many events one INSERT of RecordAll writes.
const recordBatch = 200

// RecordAll appends one event per entry for the actor in ctx, in the
// transaction in ctx (starting one if there is none), as Record does for
// each; the state digests are read with one query per kind and source
// where the source allows, and the events are written with multi-row
// inserts. The events of one call share one timestamp.
func (l *Log) RecordAll(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return l.DB.WithTx(ctx, func(ctx context.Context) error {
		at := l.Clock.Now().UTC().Truncate(time.Microsecond)
		var actor any
		actorName := "anonymous"
		if a := auth.From(ctx); a != nil {
			actorName = a.Username
			if a.UserID != 0 {
				actor = a.UserID
			}
		}
		states, err := l.States.stateDigests(ctx, entries)
		if err != nil {
			return err
		}
		txid := "0"
		if l.DB.Dialect == db.Postgres {
			txid = "pg_current_xact_id()::text::bigint"
		}
		q := l.DB.Q(ctx)
		for start := 0; start < len(entries); start += recordBatch {
			part := entries[start:min(start+recordBatch, len(entries))]
			args := make([]any, 0, len(part)*10)
			for i, e := range part {
				args = append(args, at, actor, actorName, e.Action, e.ObjectType, e.ObjectID,
					Digest(e.Before), Digest(e.After), e.Detail, states[start+i])
			}
			// Dialect.Values numbers the placeholders as each engine
			// binds them fastest (SQLite: anonymous "?"; its lookup of
			// numbered ones is linear in their count, quadratic for the
			// statement).
			sql := `INSERT INTO audit_events (at, actor_id, actor_name, action, object_type, object_id,
			before_digest, after_digest, detail, state_digest, txid) VALUES ` + l.DB.Dialect.Values(1, len(part), 10, txid)
			if _, err := q.Exec(ctx, sql, args...); err != nil {
				return fmt.Errorf("audit: record %d events: %w", len(part), err)
			}
		}
		return nil
	})
}

// stateDigests returns the state digest of each entry's object now ("" for
// kinds without a source), reading each source once per kind.
func (s *States) stateDigests(ctx context.Context, entries []Entry) ([]string, error) {
	out := make([]string, len(entries))
	byKind := map[string][]int{}
	for i, e := range entries {
		byKind[e.ObjectType] = append(byKind[e.ObjectType], i)
	}
	for kind, idx := range byKind {
		names, srcs := s.sources(kind)
		if len(srcs) == 0 {
			continue
		}
		ids := make([]string, 0, len(idx))
		seen := map[string]bool{}
		for _, i := range idx {
			if id := entries[i].ObjectID; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		parts := make(map[string][][]byte, len(ids))
		for _, id := range ids {
			parts[id] = make([][]byte, len(srcs))
		}
		for j, src := range srcs {
			if ms, ok := src.(ManySource); ok {
				err := ms.DigestsOf(ctx, ids, func(id string, d []byte) error {
					if p, ok := parts[id]; ok {
						p[j] = append([]byte(nil), d...)
					}
					return nil
				})
				if err != nil {
					return nil, fmt.Errorf("audit: state of %s: %w", kind, err)
				}
				continue
			}
			for _, id := range ids {
				d, ok, err := src.Digest(ctx, id)
				if err != nil {
					return nil, fmt.Errorf("audit: state of %s %s: %w", kind, id, err)
				}
				if ok {
					parts[id][j] = d
				}
			}
		}
		for _, i := range idx {
			out[i] = combine(names, parts[entries[i].ObjectID])
		}
	}
	return out, nil
}
