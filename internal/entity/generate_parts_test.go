package entity

import (
	"bytes"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWriteSampleParts: the parts hold, in order and each under its own
// header, exactly the rows of one WriteSample file, and no credit code twice.
func TestWriteSampleParts(t *testing.T) {
	var whole bytes.Buffer
	if err := WriteSample(&whole, FormatCSV, rand.New(rand.NewPCG(5, 6)), 2500); err != nil {
		t.Fatal(err)
	}
	var parts []*bytes.Buffer
	err := WriteSampleParts(rand.New(rand.NewPCG(5, 6)), 2500, 1000, func(part int) (io.Writer, error) {
		if part != len(parts) {
			t.Fatalf("part %d asked for after %d parts", part, len(parts))
		}
		parts = append(parts, new(bytes.Buffer))
		return parts[part], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	read := func(b []byte) [][]string {
		t.Helper()
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	want := read(whole.Bytes())
	var got [][]string
	seen := map[string]bool{}
	for i, p := range parts {
		recs := read(p.Bytes())
		if strings.Join(recs[0], ",") != strings.Join(want[0], ",") {
			t.Fatalf("part %d header %v", i, recs[0])
		}
		wantRows := []int{1000, 1000, 500}[i]
		if len(recs)-1 != wantRows {
			t.Fatalf("part %d has %d rows, want %d", i, len(recs)-1, wantRows)
		}
		for _, r := range recs[1:] {
			if seen[r[0]] {
				t.Fatalf("credit code %s twice", r[0])
			}
			seen[r[0]] = true
		}
		got = append(got, recs[1:]...)
	}
	if len(got) != len(want)-1 {
		t.Fatalf("%d rows in the parts, %d in the file", len(got), len(want)-1)
	}
	for i := range got {
		if strings.Join(got[i], "\x00") != strings.Join(want[i+1], "\x00") {
			t.Fatalf("row %d differs:\n%v\n%v", i, got[i], want[i+1])
		}
	}
	if err := WriteSampleParts(rand.New(rand.NewPCG(5, 6)), 10, 0, nil); err == nil {
		t.Fatal("part size 0 accepted")
	}
}
