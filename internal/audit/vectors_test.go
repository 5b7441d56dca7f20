package audit_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"yingshang/internal/audit"
)

// vectorEvent is the event of docs/audit.md's test vectors.
var vectorEvent = audit.Event{Seq: 42, At: time.Date(2026, 12, 1, 8, 0, 0, 123456000, time.UTC), ActorID: 7, ActorName: "sjj-staff",
	Action: "credit.record_repaired", ObjectType: "credit_record", ObjectID: "15", BeforeDigest: "-", AfterDigest: "-",
	Detail: "", StateDigest: "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"}

// vectorTree returns the leaf bytes of the docs' tree vectors: "leaf 0" ... "leaf 6".
func vectorTree() [][]byte {
	var out [][]byte
	for i := 0; i < 7; i++ {
		out = append(out, []byte(fmt.Sprintf("leaf %d", i)))
	}
	return out
}

type memHashes []tlog.Hash

func (m memHashes) ReadHashes(ix []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ix))
	for i, x := range ix {
		out[i] = m[x]
	}
	return out, nil
}

func hexes(hs []tlog.Hash) string {
	var s []string
	for _, h := range hs {
		s = append(s, hex.EncodeToString(h[:]))
	}
	return strings.Join(s, "\n")
}

// vectors computes every value docs/audit.md lists.
func vectors(t *testing.T) string {
	var b strings.Builder
	leaf := vectorEvent.Leaf()
	fmt.Fprintf(&b, "event leaf bytes (Go %%q): %q\n", leaf)
	lh := tlog.RecordHash(leaf)
	fmt.Fprintf(&b, "event leaf hash: %s\n", hex.EncodeToString(lh[:]))
	var m memHashes
	for i, l := range vectorTree() {
		hs, err := tlog.StoredHashes(int64(i), l, m)
		if err != nil {
			t.Fatal(err)
		}
		m = append(m, hs...)
	}
	for n := int64(1); n <= 7; n++ {
		r, _ := tlog.TreeHash(n, m)
		fmt.Fprintf(&b, "root of size %d: %s\n", n, hex.EncodeToString(r[:]))
	}
	p, _ := tlog.ProveRecord(7, 2, m)
	fmt.Fprintf(&b, "inclusion proof of index 2 in size 7:\n%s\n", hexes(p))
	c, _ := tlog.ProveTree(7, 3, m)
	fmt.Fprintf(&b, "consistency proof from 3 to 7:\n%s\n", hexes(c))
	skey, vkey, err := note.GenerateKey(bytes.NewReader(make([]byte, 64)), "audit.example.gov.cn/audit")
	if err != nil {
		t.Fatal(err)
	}
	k, err := audit.ParseKey(skey)
	if err != nil || k.Public != vkey {
		t.Fatalf("%v %s %s", err, k.Public, vkey)
	}
	r7, _ := tlog.TreeHash(7, m)
	cp := audit.Checkpoint{Origin: "audit.example.gov.cn/audit", Size: 7, Root: r7, Time: time.Date(2026, 12, 1, 8, 0, 5, 0, time.UTC)}
	signed, err := note.Sign(&note.Note{Text: cp.Text()}, k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "verifier key: %s\nsigned checkpoint:\n%s", vkey, signed)
	return b.String()
}

// TestDocVectors checks that docs/audit.md lists exactly the values the
// code computes (run with -v to print them).
func TestDocVectors(t *testing.T) {
	got := vectors(t)
	if testing.Verbose() {
		fmt.Print(got)
	}
	doc, err := os.ReadFile("../../docs/audit.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(got, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(string(doc), line) {
			t.Errorf("docs/audit.md lacks the test vector line %q", line)
		}
	}
}
