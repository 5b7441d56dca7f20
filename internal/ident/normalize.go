package ident

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// normalize converts full-width ASCII forms (as typed by Chinese input
// methods, e.g. "９１３５" or "Ｘ") to ASCII, trims surrounding white space
// (including the ideographic space U+3000) and upper-cases ASCII letters.
// Other bytes, including invalid UTF-8, are kept as they are, so the
// function is idempotent.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			b.WriteByte(byte(r - 0xFEE0))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	t := []byte(strings.TrimSpace(b.String()))
	for i, c := range t {
		if 'a' <= c && c <= 'z' {
			t[i] = c - 'a' + 'A'
		}
	}
	return string(t)
}

// firstBadRune returns the 1-based position and the text of the first rune
// (or invalid byte) of s that ok rejects, or 0 if every rune is accepted.
func firstBadRune(s string, ok func(pos int, c byte) bool) (int, string) {
	pos := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		pos++
		if size != 1 || r >= utf8.RuneSelf || !ok(pos, s[i]) {
			if r == utf8.RuneError && size == 1 {
				return pos, s[i : i+1]
			}
			return pos, string(r)
		}
		i += size
	}
	return 0, ""
}

func lengthError(field string, want int, s string) *Error {
	return &Error{
		Field:    field,
		Reason:   ReasonLength,
		Expected: strconv.Itoa(want),
		Got:      strconv.Itoa(utf8.RuneCountInString(s)),
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
