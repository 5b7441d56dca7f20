package ident

import (
	"strings"
	"unicode/utf8"
)

// Masking helpers for display and logs. They work on runes and never
// validate; input is trimmed of surrounding white space first.

// mask keeps the first head and the last tail runes of s and replaces every
// rune in between with '*'.
func mask(s string, head, tail int) string {
	r := []rune(s)
	if head+tail > len(r) {
		head, tail = 0, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, c := range r {
		if i < head || i >= len(r)-tail {
			b.WriteRune(c)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// MaskIDCard keeps the first 6 and the last 4 characters of an identity
// card number: "11010519491231002X" -> "110105********002X". Inputs of 10
// characters or fewer keep only the last 4 (4 or fewer: fully masked).
func MaskIDCard(s string) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n > 10:
		return mask(s, 6, 4)
	case n > 4:
		return mask(s, 0, 4)
	default:
		return mask(s, 0, 0)
	}
}

// MaskMobile keeps the first 3 and the last 4 digits of a phone number:
// "13812345678" -> "138****5678". Inputs of 7 characters or fewer keep only
// the last 4 (4 or fewer: fully masked).
func MaskMobile(s string) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n > 7:
		return mask(s, 3, 4)
	case n > 4:
		return mask(s, 0, 4)
	default:
		return mask(s, 0, 0)
	}
}

// MaskName keeps the first rune of a personal name and masks the rest:
// "张三丰" -> "张**", "张三" -> "张*". A one-rune name is returned as is.
func MaskName(s string) string {
	return mask(strings.TrimSpace(s), 1, 0)
}
