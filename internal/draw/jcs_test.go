package draw

import (
	"bytes"
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
