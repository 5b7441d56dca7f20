package audit_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"yingshang/internal/audit"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func TestWitnessCosigns(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t, db.SQLite)
	l := seed(t, d, 5)
	wkey, _, _ := note.GenerateKey(rand.Reader, "witness.example/audit")
	w, err := audit.ParseKey(wkey)
	if err != nil {
		t.Fatal(err)
	}
	proof := func(from, to int64) ([]tlog.Hash, error) { return l.ConsistencyProof(ctx, from, to) }
	cp1, _ := l.SignedCheckpoint(ctx)
	co1, err := audit.Cosign(cp1, l.Signer.Verifier, nil, proof, w)
	if err != nil {
		t.Fatal(err)
	}
	seedMore(t, l, 4)
	cp2, _ := l.SignedCheckpoint(ctx)
	co2, err := audit.Cosign(cp2, l.Signer.Verifier, co1, proof, w)
	if err != nil {
		t.Fatal(err)
	}
	// The co-signed checkpoint verifies with both keys, in audit verify too.
	res, err := l.Verify(ctx, audit.External{Source: "witness", Signed: co2, Witnesses: []note.Verifier{w.Verifier}})
	if err != nil || !res.OK || res.External != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// A checkpoint without the witness's signature is refused when the
	// witness is required.
	if res, _ := l.Verify(ctx, audit.External{Source: "plain", Signed: cp2, Witnesses: []note.Verifier{w.Verifier}}); res.OK {
		t.Fatal("a checkpoint without the witness signature passed")
	}
	// The log rewrites history consistently: the witness refuses.
	for _, q := range []string{"UPDATE audit_events SET detail = 'rewritten', leaf_index = NULL", "DELETE FROM audit_tree_hashes", "DELETE FROM audit_checkpoints",
		"UPDATE audit_head SET seq = 0, hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'"} {
		if _, err := d.W(ctx).Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	seedMore(t, l, 1)
	cp3, _ := l.SignedCheckpoint(ctx)
	if _, err := audit.Cosign(cp3, l.Signer.Verifier, co2, proof, w); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Fatalf("witness co-signed a rewritten log: %v", err)
	}
}

func seedMore(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := l.Record(ctx, "x.more", "thing", "m", nil, i, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
}
