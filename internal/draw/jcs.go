package draw

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Canonical returns the canonical JSON form of v (RFC 8785, JSON
// Canonicalization Scheme) restricted to what draw documents contain:
// objects, arrays, strings, booleans, null and integers with magnitude below
// 2^53. v is first encoded with encoding/json, then re-serialised with
// object members sorted by key (UTF-16 code units; our keys are ASCII), no
// insignificant whitespace, and strings escaped minimally.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, tree); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil || n > 1<<53 || n < -(1<<53) {
			return fmt.Errorf("canonical JSON: only integers below 2^53 are allowed, got %s", x)
		}
		buf.WriteString(strconv.FormatInt(n, 10))
	case string:
		writeString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical JSON: unsupported value %T", v)
	}
	return nil
}

// writeString escapes as RFC 8785 (ECMAScript JSON.stringify): \" \\ \b \f
// \n \r \t, other control characters as \u00xx (lower-case hex), everything
// else as UTF-8 (an invalid byte as U+FFFD). Runs of bytes that need no
// escaping are copied whole, not rune by rune (issue 17: the rune loop was
// a third of a draw's CPU); TestWriteStringSameAsRuneLoop holds it to the
// straightforward loop.
func writeString(buf *bytes.Buffer, s string) {
	const hexdig = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0 // first byte not yet written
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			buf.WriteString(s[start:i])
			buf.WriteString("\uFFFD")
			i++
			start = i
			continue
		}
		buf.WriteString(s[start:i])
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			buf.WriteString(`\u00`)
			buf.WriteByte(hexdig[c>>4])
			buf.WriteByte(hexdig[c&0xf])
		}
		i++
		start = i
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// safeASCII[c] is true for the bytes a JSON string holds as they are:
// printable ASCII except '"' and '\\'.
var safeASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as writeString writes it. Keys, pseudonyms and
// reason codes are plain ASCII: s is checked eight bytes at a time
// (plainASCII) and copied whole; anything else goes through writeString's
// escaper. The check reads s, not the copy: loading a word that
// straddles the bytes just stored stalls (store forwarding), which made
// the check half of the list encoder's time.
func appendString(dst []byte, s string) []byte {
	// Keys of 8 to 16 bytes (pseudonyms such as E-00012345): two words,
	// the first 8 bytes and the last 8 (overlapping under 16), are
	// checked and stored as they are, with no call to copy.
	if n := len(s); n >= 8 && n <= 16 && cap(dst)-len(dst) >= 18 {
		w0, w1 := littleEndian8(s), littleEndian8(s[n-8:])
		if plainWord(w0) && plainWord(w1) {
			p := len(dst)
			b := dst[p : p+18]
			b[0] = '"'
			binary.LittleEndian.PutUint64(b[1:], w0)
			binary.LittleEndian.PutUint64(b[n-7:], w1)
			b[n+1] = '"'
			return dst[:p+n+2]
		}
	}
	if !plainASCII(s) {
		var buf bytes.Buffer
		writeString(&buf, s)
		return append(dst, buf.Bytes()...)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// plainASCII reports whether every byte of b is one a JSON string holds
// as it is (safeASCII). Whole words are tested with the usual bit tricks:
// for a word x with no byte >= 0x80, (x - 0x20..) &^ x has a high bit set
// exactly when some byte is below 0x20, and (y - 0x01..) &^ y, for y = x
// XOR a repeated byte c, exactly when some byte equals c; a byte >= 0x80
// sets its own high bit. TestPlainASCIISameAsTable holds it to the table.
func plainASCII(b string) bool {
	if n := len(b); n >= 8 {
		// Whole words, then the last 8 bytes as one more word (it
		// overlaps the previous one) instead of a byte loop.
		for i := 0; i+8 <= n; i += 8 {
			if !plainWord(littleEndian8(b[i:])) {
				return false
			}
		}
		return n%8 == 0 || plainWord(littleEndian8(b[n-8:]))
	}
	for i := range len(b) {
		if !safeASCII[b[i]] {
			return false
		}
	}
	return true
}

// plainWord reports whether every byte of the word x is plain (see
// plainASCII).
func plainWord(x uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return (x|(x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs)&high == 0
}

// littleEndian8 is the first 8 bytes of s as a little-endian word.
func littleEndian8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendStrings appends a []string's canonical JSON (null when nil).
func appendStrings(dst []byte, xs []string) []byte {
	if xs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, x := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, x)
	}
	return append(dst, ']')
}

// listEncoder writes a CandidateList's canonical JSON (the same bytes as
// Canonical, without the generic round trip through encoding/json and
// interfaces: lists run to 300,000 entries). With keep unset the bytes go
// to the hash in chunks of chunkSize through one reused buffer, so hashing
// a list allocates nothing in proportion to it; with keep set they are
// also returned whole (the stored candidates_json), in one buffer sized
// from an estimate.
type listEncoder struct {
	h    hash.Hash
	buf  []byte
	keep bool
	// groups caches a candidate's head (`{"groups":[...],"id":`) for the
	// last few distinct Groups slices by identity (first element's
	// address and length): a frozen list shares one slice per quota group
	// among all its candidates. last is the entry used last.
	groups     [4]groupsEnc
	next, last int
	touched    byte // see encode's read-ahead; kept so it is not removed
}

// excludeAhead is how far encode reads ahead in the exclusions.
const excludeAhead = 8

type groupsEnc struct {
	first *string
	n     int
	enc   []byte
}

const chunkSize = 64 << 10

// flush hashes buf and returns it emptied once it holds a chunk (unless
// the bytes are kept).
func (e *listEncoder) flush(buf []byte) []byte {
	if !e.keep && len(buf) >= chunkSize {
		e.h.Write(buf)
		return buf[:0]
	}
	return buf
}

// appendCandidateHead appends a candidate's `{"groups":[...],"id":` to
// dst. The whole head is cached per Groups slice (most candidates share
// the slice of the one before them: that entry is tried first).
func (e *listEncoder) appendCandidateHead(dst []byte, gs []string) []byte {
	if len(gs) == 0 {
		dst = append(dst, `{"groups":`...)
		dst = appendStrings(dst, gs)
		return append(dst, `,"id":`...)
	}
	if g := &e.groups[e.last]; g.first == &gs[0] && g.n == len(gs) {
		return append(dst, g.enc...)
	}
	for i := range e.groups {
		if g := &e.groups[i]; g.first == &gs[0] && g.n == len(gs) {
			e.last = i
			return append(dst, g.enc...)
		}
	}
	start := len(dst)
	dst = append(dst, `{"groups":`...)
	dst = appendStrings(dst, gs)
	dst = append(dst, `,"id":`...)
	g := &e.groups[e.next]
	e.last = e.next
	e.next = (e.next + 1) % len(e.groups)
	g.first, g.n = &gs[0], len(gs)
	g.enc = append(g.enc[:0], dst[start:]...)
	return dst
}

// sizeHint estimates the canonical list's length: exact for ASCII
// without escapes when every candidate shares its Groups slice with the
// one before it or the groups are short.
func sizeHint(l CandidateList) int {
	n := 64
	var last []string
	lastLen := 0
	for _, c := range l.Candidates {
		if len(c.Groups) == 0 || len(last) != len(c.Groups) || &last[0] != &c.Groups[0] {
			last, lastLen = c.Groups, 2
			for _, g := range c.Groups {
				lastLen += len(g) + 3
			}
		}
		n += len(c.ID) + 17 + lastLen
	}
	for _, x := range l.Excluded {
		n += len(x.ID) + 20
		for _, r := range x.Reasons {
			n += len(r) + 3
		}
	}
	return n
}

// encode writes the list. The buffer is a local variable while the list
// is written and goes back to e.buf at the end: storing the slice into e
// at every append took a write barrier per store while the collector was
// marking (half of the encoder's barrier calls, 2% of a draw).
func (e *listEncoder) encode(l CandidateList) {
	buf := e.buf
	var touched byte
	buf = append(buf, `{"candidates":`...)
	if l.Candidates == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, c := range l.Candidates {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = e.appendCandidateHead(buf, c.Groups)
			buf = appendString(buf, c.ID)
			buf = append(buf, '}')
			buf = e.flush(buf)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"excluded":`...)
	if l.Excluded == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, x := range l.Excluded {
			if i > 0 {
				buf = append(buf, ',')
			}
			// Every excludeAhead entries, read the first byte of the next
			// excludeAhead IDs in one short loop, so that their cache
			// misses are outstanding together.
			if i%excludeAhead == 0 {
				n := len(l.Excluded)
				for _, y := range l.Excluded[min(i+excludeAhead, n):min(i+2*excludeAhead, n)] {
					if len(y.ID) > 0 {
						touched ^= y.ID[0]
					}
				}
			}
			buf = append(buf, `{"id":`...)
			buf = appendString(buf, x.ID)
			buf = append(buf, `,"reasons":`...)
			buf = appendStrings(buf, x.Reasons)
			buf = append(buf, '}')
			buf = e.flush(buf)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, '}')
	e.h.Write(buf)
	e.buf = buf
	e.touched = touched
}

// chunkBufs holds hashList's chunk buffers between calls: a draw, its
// verification and every commitment hash a list, and each made a fresh
// 68 KiB buffer.
var chunkBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, chunkSize+4<<10)
	return &b
}}

// hashList returns the SHA-256 of the list's canonical JSON, streamed.
func hashList(l CandidateList) [sha256.Size]byte {
	bp := chunkBufs.Get().(*[]byte)
	e := listEncoder{h: sha256.New(), buf: (*bp)[:0]}
	e.encode(l)
	var sum [sha256.Size]byte
	e.h.Sum(sum[:0])
	// A buffer that one long entry grew far past a chunk is let go.
	if cap(e.buf) <= 2*chunkSize {
		*bp = e.buf[:0]
		chunkBufs.Put(bp)
	}
	return sum
}

// canonicalList returns the list's canonical JSON and its SHA-256.
func canonicalList(l CandidateList) ([]byte, [sha256.Size]byte) {
	e := listEncoder{h: sha256.New(), buf: make([]byte, 0, sizeHint(l)), keep: true}
	e.encode(l)
	var sum [sha256.Size]byte
	e.h.Sum(sum[:0])
	return e.buf, sum
}
