package audit_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// mapSource is a state source over a map, read one object at a time.
type mapSource struct {
	kind string
	rows map[string]string
}

func (m *mapSource) Kind() string { return m.kind }
func (m *mapSource) Digests(ctx context.Context, fn func(string, []byte) error) error {
	for id, v := range m.rows {
		h := sha256.Sum256([]byte(v))
		if err := fn(id, h[:]); err != nil {
			return err
		}
	}
	return nil
}
func (m *mapSource) Digest(ctx context.Context, id string) ([]byte, bool, error) {
	v, ok := m.rows[id]
	if !ok {
		return nil, false, nil
	}
	h := sha256.Sum256([]byte(v))
	return h[:], true, nil
}

// manySource is the same, read in bulk; it counts its reads.
type manySource struct {
	mapSource
	reads int
}

func (m *manySource) DigestsOf(ctx context.Context, ids []string, fn func(string, []byte) error) error {
	m.reads++
	for _, id := range ids {
		if d, ok, _ := m.Digest(ctx, id); ok {
			if err := fn(id, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestRecordAllMatchesRecord records the same changes once with Record and
// once with RecordAll (more than one INSERT's worth, kinds with a bulk
// source, a one-at-a-time source, two parts, and none) and checks that the
// events carry the same state digests, that bulk sources are read once per
// call, and that the log integrates and verifies.
func TestRecordAllMatchesRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.WithActor(context.Background(), &auth.Actor{UserID: 0, Username: "tester", Via: "system"})
		l := newLog(t, d, clock.NewFixed(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)))
		rows := map[string]string{}
		for i := 0; i < 300; i++ {
			if i%7 != 0 { // every seventh object has no row: Absent
				rows[fmt.Sprint(i)] = fmt.Sprintf("row %d", i)
			}
		}
		bulk := &manySource{mapSource: mapSource{kind: "licence", rows: rows}}
		l.States.Add("a", bulk)
		l.States.Add("b", &mapSource{kind: "licence", rows: map[string]string{"3": "extra part"}})
		l.States.Add("a", &mapSource{kind: "single", rows: rows})
		var entries []audit.Entry
		for i := 0; i < 300; i++ {
			for _, kind := range []string{"licence", "single", "nosource"} {
				if kind != "licence" && i%10 != 0 {
					continue
				}
				entries = append(entries, audit.Entry{Action: "x.update", ObjectType: kind, ObjectID: fmt.Sprint(i),
					Before: map[string]int{"v": i}, After: map[string]int{"v": i + 1}, Detail: "d"})
			}
		}
		for _, e := range entries {
			if err := l.Record(ctx, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.Detail); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.RecordAll(ctx, entries); err != nil {
			t.Fatal(err)
		}
		if bulk.reads != 1 {
			t.Errorf("bulk source read %d times, want 1", bulk.reads)
		}
		q := "SELECT action, object_type, object_id, before_digest, after_digest, detail, state_digest FROM audit_events ORDER BY seq"
		r, err := d.Q(ctx).Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got [][7]string
		for r.Next() {
			var v [7]string
			if err := r.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		r.Close()
		n := len(entries)
		if len(got) != 2*n {
			t.Fatalf("%d events, want %d", len(got), 2*n)
		}
		for i := 0; i < n; i++ {
			if got[i] != got[n+i] {
				t.Fatalf("event %d: Record %v, RecordAll %v", i, got[i], got[n+i])
			}
		}
		// Object 0 has no row (Absent), "nosource" has no state, object 1 has one.
		if got[0][6] != audit.Absent || got[2][6] != "" || got[3][6] == "" || got[3][6] == audit.Absent {
			t.Fatalf("state digests: %v %v %v", got[0], got[2], got[3])
		}
		if _, err := l.IntegrateAll(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := l.Verify(ctx)
		if err != nil || !res.OK {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}

// TestPlaceBeyondTheLog: an event given a leaf index the sequencer never
// assigned (beyond the head) is named, and events integrated after the
// head was read are not.
func TestPlaceBeyondTheLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.WithActor(context.Background(), &auth.Actor{UserID: 0, Username: "tester", Via: "system"})
		l := seed(t, d, 5)
		if err := l.Record(ctx, "x.update", "nosource", "1", nil, nil, ""); err != nil {
			t.Fatal(err)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK || res.Pending != 1 {
			t.Fatalf("before: %+v %v", res, err)
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error {
			_, err := d.Q(ctx).Exec(ctx, "UPDATE audit_events SET leaf_index = 99 WHERE leaf_index IS NULL")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		res, err := l.Verify(ctx)
		if err != nil || res.OK || !strings.Contains(res.Reason, "beyond the log's size 5") {
			t.Fatalf("after: %+v %v", res, err)
		}
	})
}
