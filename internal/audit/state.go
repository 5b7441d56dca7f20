package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"

	"yingshang/internal/auth"
)

// StateSource gives the digests of the live objects of one kind (an event
// object_type), computed from the rows as they are now. A package that
// owns the rows implements it and registers it with States.Add. A kind may
// have several sources (parts), e.g. a draw project's row (draw) and its
// award (bideval); their digests combine as docs/audit.md describes.
type StateSource interface {
	Kind() string
	// Digests calls fn for every live object of the kind.
	Digests(ctx context.Context, fn func(id string, digest []byte) error) error
	// Digest returns one object's digest; ok is false when it has no row.
	Digest(ctx context.Context, id string) (digest []byte, ok bool, err error)
}

// States is the registry of state sources.
type States struct {
	mu    sync.RWMutex
	parts map[string]map[string]StateSource // kind -> part name -> source
}

// Add registers src as the part named part of its kind. Registering the
// same part twice replaces it.
func (s *States) Add(part string, src StateSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parts == nil {
		s.parts = map[string]map[string]StateSource{}
	}
	k := src.Kind()
	if s.parts[k] == nil {
		s.parts[k] = map[string]StateSource{}
	}
	s.parts[k][part] = src
}

// Kinds lists the kinds that have a state source, sorted.
func (s *States) Kinds() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := range s.parts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *States) sources(kind string) (names []string, srcs []StateSource) {
	if s == nil {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for n := range s.parts[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		srcs = append(srcs, s.parts[kind][n])
	}
	return names, srcs
}

// Absent is the state digest of an object that has no row (deleted).
const Absent = "-"

// combine returns the state digest of an object from its parts' digests
// (nil for a part without a row): SHA-256 over "part:hex\n" lines in part
// name order, or Absent when no part has a row.
func combine(names []string, parts [][]byte) string {
	h := sha256.New()
	any := false
	for i, n := range names {
		if parts[i] == nil {
			continue
		}
		any = true
		fmt.Fprintf(h, "%s:%s\n", n, hex.EncodeToString(parts[i]))
	}
	if !any {
		return Absent
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stateDigest is the state digest of one object now, or "" when its kind
// has no source.
func (s *States) stateDigest(ctx context.Context, kind, id string) (string, error) {
	names, srcs := s.sources(kind)
	if len(srcs) == 0 {
		return "", nil
	}
	parts := make([][]byte, len(srcs))
	for i, src := range srcs {
		d, ok, err := src.Digest(ctx, id)
		if err != nil {
			return "", err
		}
		if ok {
			parts[i] = d
		}
	}
	return combine(names, parts), nil
}

// live returns the state digest of every live object of a kind.
func (s *States) live(ctx context.Context, kind string) (map[string]string, error) {
	names, srcs := s.sources(kind)
	byID := map[string][][]byte{}
	for i, src := range srcs {
		err := src.Digests(ctx, func(id string, d []byte) error {
			p := byID[id]
			if p == nil {
				p = make([][]byte, len(srcs))
				byID[id] = p
			}
			p[i] = append([]byte(nil), d...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("state of %s (%s): %w", kind, names[i], err)
		}
	}
	out := make(map[string]string, len(byID))
	for id, p := range byID {
		out[id] = combine(names, p)
	}
	return out, nil
}

// StateIssue names one object whose rows differ from its latest event.
type StateIssue struct {
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Problem  string `json:"problem"` // changed | added | deleted
	EventSeq int64  `json:"event_seq,omitempty"`
	Reason   string `json:"reason"`
}

// StateResult is the outcome of the deep check.
type StateResult struct {
	OK      bool         `json:"ok"`
	Kinds   []string     `json:"kinds"`
	Objects int64        `json:"objects"`
	Issues  []StateIssue `json:"issues,omitempty"`
}

// latestStates returns, per object of a kind, the state digest and seq of
// its latest event that carries one.
func (l *Log) latestStates(ctx context.Context, kind string) (map[string]StateIssue, error) {
	rows, err := l.DB.Q(ctx).Query(ctx, "SELECT object_id, state_digest, seq FROM audit_events WHERE object_type = $1 AND state_digest <> '' ORDER BY seq", kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]StateIssue{}
	for rows.Next() {
		var id, d string
		var seq int64
		if err := rows.Scan(&id, &d, &seq); err != nil {
			return nil, err
		}
		out[id] = StateIssue{Reason: d, EventSeq: seq}
	}
	return out, rows.Err()
}

// CheckState is the deep check: it recomputes the state digest of every
// live object of every kind with a state source and compares it with the
// object's latest event. A row changed, added or deleted outside the
// application is named. Only platform admins and supervisors may run it.
func (l *Log) CheckState(ctx context.Context) (StateResult, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return StateResult{}, err
	}
	return l.checkState(ctx)
}

func (l *Log) checkState(ctx context.Context) (StateResult, error) {
	res := StateResult{OK: true, Kinds: l.States.Kinds()}
	for _, kind := range res.Kinds {
		live, err := l.States.live(ctx, kind)
		if err != nil {
			return res, err
		}
		ev, err := l.latestStates(ctx, kind)
		if err != nil {
			return res, err
		}
		res.Objects += int64(len(live))
		for id, d := range live {
			e, ok := ev[id]
			switch {
			case !ok || e.Reason == Absent:
				res.Issues = append(res.Issues, StateIssue{Kind: kind, ID: id, Problem: "added", EventSeq: e.EventSeq,
					Reason: fmt.Sprintf("%s %s exists but no audit event records it", kind, id)})
			case e.Reason != d:
				res.Issues = append(res.Issues, StateIssue{Kind: kind, ID: id, Problem: "changed", EventSeq: e.EventSeq,
					Reason: fmt.Sprintf("%s %s differs from its state at event %d", kind, id, e.EventSeq)})
			}
		}
		for id, e := range ev {
			if _, ok := live[id]; !ok && e.Reason != Absent {
				res.Issues = append(res.Issues, StateIssue{Kind: kind, ID: id, Problem: "deleted", EventSeq: e.EventSeq,
					Reason: fmt.Sprintf("%s %s was deleted without an audit event (its last event is %d)", kind, id, e.EventSeq)})
			}
		}
	}
	sort.Slice(res.Issues, func(i, j int) bool {
		a, b := res.Issues[i], res.Issues[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ID < b.ID
	})
	res.OK = len(res.Issues) == 0
	return res, nil
}

// Baseline records an "audit.baseline" event with the current state of
// every live object that has no state-carrying event yet, for the kinds
// not baselined before (all kinds when all is true, e.g. after the demo
// data was loaded). It runs at start-up, so objects created before their
// kind had a state source are covered from then on; rows inserted outside
// the application later are not baselined and the deep check names them.
func (l *Log) Baseline(ctx context.Context, all bool) (int, error) {
	total := 0
	for _, kind := range l.States.Kinds() {
		err := l.DB.WithTx(ctx, func(ctx context.Context) error {
			q := l.DB.Q(ctx)
			if !all {
				var n int
				if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM audit_state_kinds WHERE kind = $1", kind).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return nil
				}
			}
			live, err := l.States.live(ctx, kind)
			if err != nil {
				return err
			}
			ev, err := l.latestStates(ctx, kind)
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(live))
			for id := range live {
				if _, ok := ev[id]; !ok {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			for start := 0; start < len(ids); start += 5000 {
				part := ids[start:min(start+5000, len(ids))]
				entries := make([]Entry, len(part))
				for i, id := range part {
					entries[i] = Entry{Action: "audit.baseline", ObjectType: kind, ObjectID: id,
						Detail: "state recorded when the deep check began to cover this object"}
				}
				if err := l.RecordAll(ctx, entries); err != nil {
					return err
				}
			}
			total += len(ids)
			if _, err := q.Exec(ctx, "DELETE FROM audit_state_kinds WHERE kind = $1", kind); err != nil {
				return err
			}
			_, err = q.Exec(ctx, "INSERT INTO audit_state_kinds (kind, at) VALUES ($1, $2)", kind, l.Clock.Now().UTC())
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// RowDigest is the digest helper for state sources: SHA-256 over the JSON
// encoding of v (Digest's rule), as bytes.
func RowDigest(v any) []byte {
	b, _ := hex.DecodeString(Digest(v))
	return b
}
