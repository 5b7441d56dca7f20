package draw

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// writeStringRuneLoop is the rune-by-rune escaper writeString replaced,
// kept as the straightforward computation it must equal byte for byte.
func writeStringRuneLoop(buf *bytes.Buffer, s string) {
	const hexdig = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			buf.WriteString(`\"`)
		case r == '\\':
			buf.WriteString(`\\`)
		case r == '\b':
			buf.WriteString(`\b`)
		case r == '\f':
			buf.WriteString(`\f`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hexdig[r>>4])
			buf.WriteByte(hexdig[r&0xf])
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

var stringSeeds = []string{"", "E-00000001", "许昌市瑞丰商贸", "a\"b\\c\b\f\n\r\t\x01\x1f\x7f", "\xff\xfe bad \xc3", "\uFFFD ok",
	"mixed 专家 \u2028\u2029 <>&", "\xe4\xb8", "end\\"}

func TestWriteStringSameAsRuneLoop(t *testing.T) {
	for _, s := range stringSeeds {
		var got, want bytes.Buffer
		writeString(&got, s)
		writeStringRuneLoop(&want, s)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%q: got %q, want %q", s, got.Bytes(), want.Bytes())
		}
	}
}

func FuzzWriteString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		writeString(&got, s)
		writeStringRuneLoop(&want, s)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%q: got %q, want %q", s, got.Bytes(), want.Bytes())
		}
	})
}

// BenchmarkWriteString prints the ratio of the run-copying escaper to the
// rune loop on expert keys and Chinese reasons, timed in the same run.
func BenchmarkWriteString(b *testing.B) {
	in := []string{"E-00012345", "回避：与投标人存在劳动关系", "S03", "suspended", "411002"}
	var buf bytes.Buffer
	b.Run("runs", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			for _, s := range in {
				writeString(&buf, s)
			}
		}
	})
	b.Run("runeloop", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			for _, s := range in {
				writeStringRuneLoop(&buf, s)
			}
		}
	})
}

// randomList builds a candidate list from r with strings drawn from
// pieces (and their concatenations), nil and empty slices, Groups slices
// shared among candidates (as Freeze shares them) and fresh ones, and
// lists long enough to cross the encoder's chunk boundary.
func randomList(r *rand.Rand, pieces []string) CandidateList {
	str := func() string {
		s := pieces[r.IntN(len(pieces))]
		if r.IntN(4) == 0 {
			s += pieces[r.IntN(len(pieces))]
		}
		return s
	}
	strs := func() []string {
		switch r.IntN(6) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+r.IntN(3))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	shared := [][]string{strs(), strs(), strs(), strs(), strs(), strs()}
	var l CandidateList
	sizes := []int{0, 1, 3, 40, 3000}
	if n := sizes[r.IntN(len(sizes))]; n > 0 || r.IntN(2) == 0 {
		l.Candidates = make([]Candidate, n)
		for i := range l.Candidates {
			g := shared[r.IntN(len(shared))]
			if r.IntN(3) == 0 {
				g = strs()
			}
			l.Candidates[i] = Candidate{ID: str(), Groups: g}
		}
	}
	if n := sizes[r.IntN(len(sizes))]; n > 0 || r.IntN(2) == 0 {
		l.Excluded = make([]Exclusion, n)
		for i := range l.Excluded {
			l.Excluded[i] = Exclusion{ID: str(), Reasons: strs()}
		}
	}
	return l
}

// checkListEncoding holds the list encoder (stored bytes, streamed hash,
// HashJSON) to the generic Canonical and SHA-256 of its output.
func checkListEncoding(t *testing.T, l CandidateList) {
	t.Helper()
	want, err := Canonical(l)
	if err != nil {
		t.Fatal(err)
	}
	got, sum := canonicalList(l)
	if !bytes.Equal(got, want) {
		t.Fatalf("list encoder\n%.300q\ngeneric\n%.300q", got, want)
	}
	wantSum := sha256.Sum256(want)
	if sum != wantSum || hashList(l) != wantSum {
		t.Fatalf("list hash differs from SHA-256 of the generic canonical JSON")
	}
	if h, _ := HashJSON(&l); h != hex.EncodeToString(wantSum[:]) {
		t.Fatalf("HashJSON(*CandidateList) %s differs", h)
	}
}

func TestListEncoderSameAsGeneric(t *testing.T) {
	pieces := append(slices.Clone(stringSeeds), "technical", "economic", "r:411002", "c:A", ReasonRelation, "回避")
	for seed := range uint64(60) {
		checkListEncoding(t, randomList(rand.New(rand.NewPCG(seed, 17)), pieces))
	}
}

func FuzzListEncoder(f *testing.F) {
	for i, s := range stringSeeds {
		f.Add(s, "technical", uint64(i))
	}
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		pieces := []string{a, b, "E-00000001", "\u00e9\x01"}
		checkListEncoding(t, randomList(rand.New(rand.NewPCG(seed, 3)), pieces))
	})
}

// plainASCIITable is plainASCII as a byte loop over safeASCII.
func plainASCIITable(b []byte) bool {
	for _, c := range b {
		if !safeASCII[c] {
			return false
		}
	}
	return true
}

// TestPlainASCIISameAsTable puts every byte value at every position of
// strings of 0-24 plain bytes (so in every lane of a word and in the
// tail), and checks appendString against writeString on each.
func TestPlainASCIISameAsTable(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	plain := []byte(" !#-./09:@AZ[]_az{}~")
	for n := range 25 {
		for pos := range max(n, 1) {
			for c := range 256 {
				b := make([]byte, n)
				for i := range b {
					b[i] = plain[r.IntN(len(plain))]
				}
				if n > 0 {
					b[pos] = byte(c)
				}
				if got, want := plainASCII(string(b)), plainASCIITable(b); got != want {
					t.Fatalf("plainASCII(%q) = %v, want %v", b, got, want)
				}
				checkAppendString(t, string(b))
			}
		}
	}
	// Several odd bytes at once, drawn from the edges of each class.
	edges := []byte{0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xc3, 0xff, 'a'}
	for range 20000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = edges[r.IntN(len(edges))]
		}
		if got, want := plainASCII(string(b)), plainASCIITable(b); got != want {
			t.Fatalf("plainASCII(%q) = %v, want %v", b, got, want)
		}
		checkAppendString(t, string(b))
	}
}

// checkAppendString compares appendString with writeString after a
// buffer with no spare room, with room to spare (filled with junk, which
// the word stores of 8-16-byte keys write over) and with 17 and 18 bytes
// spare (the key fast path needs 18).
func checkAppendString(t *testing.T, s string) {
	t.Helper()
	var want bytes.Buffer
	writeString(&want, s)
	for _, spare := range []int{0, 17, 18, 64} {
		dst := append(make([]byte, 0, 1+spare), 'x')
		junk := dst[:cap(dst)]
		for i := 1; i < len(junk); i++ {
			junk[i] = '#'
		}
		if got := appendString(dst, s); !bytes.Equal(got[1:], want.Bytes()) || got[0] != 'x' {
			t.Fatalf("appendString(%q) with %d spare = %q, want x%q", s, spare, got, want.Bytes())
		}
	}
}

// TestHashListPooledBuffers hashes lists one after another through the
// pooled chunk buffers, among them one whose single ID is longer than
// two chunks (its grown buffer is not put back), each against the
// generic encoding's SHA-256.
func TestHashListPooledBuffers(t *testing.T) {
	long := strings.Repeat("E-0000001\x01", 3*chunkSize/10)
	lists := []CandidateList{
		randomList(rand.New(rand.NewPCG(1, 2)), stringSeeds),
		{Candidates: []Candidate{{ID: long, Groups: []string{"technical"}}}, Excluded: []Exclusion{}},
		randomList(rand.New(rand.NewPCG(3, 4)), stringSeeds),
		{Excluded: []Exclusion{{ID: "E-1", Reasons: []string{long}}}},
		{},
	}
	for round := range 3 {
		for i, l := range lists {
			want, err := Canonical(l)
			if err != nil {
				t.Fatal(err)
			}
			if hashList(l) != sha256.Sum256(want) {
				t.Fatalf("round %d, list %d: hash differs from the generic encoding's", round, i)
			}
		}
	}
}
