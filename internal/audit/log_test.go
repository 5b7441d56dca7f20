package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// --- An independent verifier, written from docs/audit.md only: it hashes
// with crypto/sha256 itself and calls nothing of the server but the public
// operations (checkpoint, event, proofs).

func vLeaf(leaf []byte) [32]byte { return sha256.Sum256(append([]byte{0}, leaf...)) }

func vNode(l, r [32]byte) [32]byte {
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// vInclusion is RFC 9162 section 2.1.3.2.
func vInclusion(index, size int64, leaf [32]byte, path [][32]byte, root [32]byte) bool {
	if index >= size {
		return false
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = vNode(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = vNode(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}

// vConsistency is RFC 9162 section 2.1.4.2.
func vConsistency(m, n int64, first, second [32]byte, path [][32]byte) bool {
	if m == n {
		return len(path) == 0 && first == second
	}
	if m > n || m == 0 {
		return false
	}
	if m&(m-1) == 0 { // m is a power of 2
		path = append([][32]byte{first}, path...)
	}
	if len(path) == 0 {
		return false
	}
	fn, sn := m-1, n-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			fr = vNode(c, fr)
			sr = vNode(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = vNode(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	return fr == first && sr == second && sn == 0
}

// vLeafBytes rebuilds an event's leaf bytes from its published fields.
func vLeafBytes(e *audit.Event) []byte {
	var b bytes.Buffer
	b.WriteString("yingshang-audit-leaf-v1\n")
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10),
		e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail, e.StateDigest, e.PrevHash, e.Hash} {
		fmt.Fprintf(&b, "%d:%s\n", len(f), f)
	}
	return b.Bytes()
}

// vCheckpoint reads size and root from a signed checkpoint's body.
func vCheckpoint(t *testing.T, signed []byte) (int64, [32]byte) {
	lines := strings.Split(string(signed), "\n")
	n, err := strconv.ParseInt(lines[1], 10, 64)
	raw, err2 := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || err2 != nil || len(raw) != 32 {
		t.Fatalf("checkpoint %q", signed)
	}
	var r [32]byte
	copy(r[:], raw)
	return n, r
}

func TestProofsVerifyIndependently(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := newLog(t, d, clock.NewFixed(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)))
		roots := map[int64][32]byte{}
		const max = 100
		for n := int64(1); n <= max; n++ {
			if err := l.Record(ctx, "x.test", "thing", fmt.Sprint(n), nil, n, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := l.IntegrateAll(ctx); err != nil {
				t.Fatal(err)
			}
			cp, err := l.SignedCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			size, root := vCheckpoint(t, cp)
			if size != n {
				t.Fatalf("checkpoint size %d, want %d", size, n)
			}
			roots[n] = root
		}
		leaves := map[int64][32]byte{}
		for i := int64(0); i < max; i++ {
			e, leaf, err := l.LogEvent(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(leaf, vLeafBytes(e)) {
				t.Fatalf("leaf %d: bytes differ from the documented encoding", i)
			}
			leaves[i] = vLeaf(leaf)
		}
		// A one-leaf tree's root is its leaf hash.
		if roots[1] != leaves[0] {
			t.Fatal("root of size 1 is not the leaf hash")
		}
		for n := int64(1); n <= max; n++ {
			for _, i := range []int64{0, n / 3, n / 2, n - 1} {
				p, err := l.InclusionProof(ctx, i, n)
				if err != nil {
					t.Fatal(err)
				}
				path := make([][32]byte, len(p))
				for k := range p {
					path[k] = p[k]
				}
				if !vInclusion(i, n, leaves[i], path, roots[n]) {
					t.Fatalf("inclusion of %d in %d does not verify", i, n)
				}
				if i != n-1 && vInclusion(i, n, leaves[n-1], path, roots[n]) {
					t.Fatalf("inclusion of %d in %d verifies for the wrong leaf", i, n)
				}
			}
			for _, m := range []int64{1, n / 2, n - 1, n} {
				if m < 1 {
					continue
				}
				p, err := l.ConsistencyProof(ctx, m, n)
				if err != nil {
					t.Fatal(err)
				}
				path := make([][32]byte, len(p))
				for k := range p {
					path[k] = p[k]
				}
				if !vConsistency(m, n, roots[m], roots[n], path) {
					t.Fatalf("consistency %d -> %d does not verify", m, n)
				}
				if m < n && vConsistency(m, n, roots[m], roots[n-1], path) && n-1 != m {
					t.Fatalf("consistency %d -> %d verifies against a wrong root", m, n)
				}
			}
		}
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Events != max || res.Checkpoints != max {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

func TestConsistentRewriteCaughtByEarlierCheckpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := seed(t, d, 10)
		kept, err := l.SignedCheckpoint(ctx) // someone keeps this one
		if err != nil {
			t.Fatal(err)
		}
		seed2 := newLog(t, d, clock.Real{})
		for i := 0; i < 5; i++ {
			if err := seed2.Record(ctx, "x", "y", fmt.Sprint(i), nil, i, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.IntegrateAll(ctx); err != nil {
			t.Fatal(err)
		}
		// The insider rewrites event 3 and rebuilds the whole tree and every
		// checkpoint consistently, even signing with the log's own key.
		for _, q := range []string{
			"UPDATE audit_events SET detail = 'rewritten', leaf_index = NULL",
			"DELETE FROM audit_tree_hashes", "DELETE FROM audit_checkpoints",
			"UPDATE audit_head SET seq = 0, hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
		} {
			if _, err := d.W(ctx).Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.IntegrateAll(ctx); err != nil {
			t.Fatal(err)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK {
			t.Fatalf("a consistent rewrite passes the log's own check: %+v %v", res, err)
		}
		res, err := l.Verify(ctx, audit.External{Source: "kept.checkpoint", Signed: kept})
		if err != nil || res.OK || !strings.Contains(res.Reason, "history was rewritten") || !strings.Contains(res.Reason, "kept.checkpoint") {
			t.Fatalf("rewrite not caught against the kept checkpoint: %+v %v", res, err)
		}
	})
}

func TestSequencerKilledMidBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := newLog(t, d, clock.Real{})
		for i := 0; i < 20; i++ {
			if err := l.Record(ctx, "x", "y", fmt.Sprint(i), nil, i, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.Integrate(ctx, 7); err != nil {
			t.Fatal(err)
		}
		audit.SetCrashAfter(l, 5)
		if _, err := l.Integrate(ctx, 100); err == nil {
			t.Fatal("the crash hook did not fire")
		}
		audit.SetCrashAfter(l, 0)
		size, _, _ := l.Head(ctx)
		var integrated, hashes int64
		_ = d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE leaf_index IS NOT NULL").Scan(&integrated)
		_ = d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_tree_hashes").Scan(&hashes)
		if size != 7 || integrated != 7 || hashes != 11 {
			t.Fatalf("after the crash: size %d, integrated %d, hashes %d; want 7, 7, 11", size, integrated, hashes)
		}
		if n, err := l.IntegrateAll(ctx); err != nil || n != 13 {
			t.Fatalf("resumed %d %v", n, err)
		}
		var distinct int64
		_ = d.Q(ctx).QueryRow(ctx, "SELECT COUNT(DISTINCT leaf_index) FROM audit_events").Scan(&distinct)
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Events != 20 || distinct != 20 {
			t.Fatalf("%+v %v distinct %d", res, err, distinct)
		}
	})
}

// TestAppendsNeverWait holds many appending transactions open at once with
// a short lock timeout (PostgreSQL; SQLite has one writer by design). With
// the old head row the second append would time out. It also checks that
// an event committed after a later one is not skipped by the sequencer.
func TestAppendsNeverWait(t *testing.T) {
	d := dbtest.New(t, db.Postgres)
	ctx := context.Background()
	l := newLog(t, d, clock.Real{})
	// As many appenders as the pool allows, keeping one connection for
	// the sequencer.
	n := int(d.Pool.Stat().MaxConns()) - 1
	recorded := make(chan error, n)
	release := make(chan struct{})
	done := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			done <- d.WithTx(ctx, func(ctx context.Context) error {
				if _, err := d.Q(ctx).Exec(ctx, "SET LOCAL lock_timeout = '200ms'"); err != nil {
					return err
				}
				err := l.Record(ctx, "x.concurrent", "y", fmt.Sprint(i), nil, i, "")
				recorded <- err
				if err != nil {
					return err
				}
				<-release // hold the transaction open until every append is in
				return nil
			})
		}(i)
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-recorded:
			if err != nil {
				t.Fatalf("an append waited on another: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("appends are waiting on one another")
		}
	}
	// Every transaction is open: the sequencer must take none of them.
	if got, err := l.Integrate(ctx, 100); err != nil || got != 0 {
		t.Fatalf("integrated %d uncommitted events (%v)", got, err)
	}
	close(release)
	for i := 0; i < n; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// An older transaction that commits after a newer one was integrated.
	old := make(chan struct{})
	oldDone := make(chan error, 1)
	go func() {
		oldDone <- d.WithTx(ctx, func(ctx context.Context) error {
			if err := l.Record(ctx, "x.late", "y", "late", nil, 1, ""); err != nil {
				return err
			}
			old <- struct{}{}
			<-old
			return nil
		})
	}()
	<-old
	if err := l.Record(ctx, "x.early", "y", "early", nil, 2, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	old <- struct{}{}
	if err := <-oldDone; err != nil {
		t.Fatal(err)
	}
	if _, err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	var pending int64
	_ = d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE leaf_index IS NULL").Scan(&pending)
	res, err := l.Verify(ctx)
	if err != nil || !res.OK || res.Events != int64(n)+2 || pending != 0 {
		t.Fatalf("%+v %v pending %d", res, err, pending)
	}
}
