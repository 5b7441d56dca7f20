package draw

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
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

// canonicalList writes a CandidateList's canonical JSON directly (the same
// bytes as Canonical, without the generic round trip: lists are large).
func canonicalList(l CandidateList) []byte {
	var buf bytes.Buffer
	buf.Grow(40 * (len(l.Candidates) + len(l.Excluded)))
	strs := func(xs []string) {
		if xs == nil {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('[')
		for i, x := range xs {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(&buf, x)
		}
		buf.WriteByte(']')
	}
	buf.WriteString(`{"candidates":`)
	if l.Candidates == nil {
		buf.WriteString("null")
	} else {
		buf.WriteByte('[')
		for i, c := range l.Candidates {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`{"groups":`)
			strs(c.Groups)
			buf.WriteString(`,"id":`)
			writeString(&buf, c.ID)
			buf.WriteByte('}')
		}
		buf.WriteByte(']')
	}
	buf.WriteString(`,"excluded":`)
	if l.Excluded == nil {
		buf.WriteString("null")
	} else {
		buf.WriteByte('[')
		for i, e := range l.Excluded {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`{"id":`)
			writeString(&buf, e.ID)
			buf.WriteString(`,"reasons":`)
			strs(e.Reasons)
			buf.WriteByte('}')
		}
		buf.WriteByte(']')
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
