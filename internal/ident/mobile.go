package ident

import (
	"strings"
	"unicode/utf8"
)

// MobileLength is the length of a mainland China mobile number.
const MobileLength = 11

// mobileSeparators removes the spaces and hyphens inside a mobile number;
// built once (a Replacer builds its tables on first use, about 6 KB, which
// NormalizeMobile paid on every call: a tenth of what the licence scan
// allocated).
var mobileSeparators = strings.NewReplacer(" ", "", "-", "")

// NormalizeMobile trims white space, converts full-width digits to ASCII,
// removes inner spaces and hyphens ("138-1234-5678") and a leading country
// code ("+86", "0086" or "86") when 11 digits follow it. It does not
// validate.
func NormalizeMobile(s string) string {
	s = normalize(s)
	s = mobileSeparators.Replace(s)
	for _, p := range []string{"+86", "0086", "86"} {
		if rest, ok := strings.CutPrefix(s, p); ok && len(rest) == MobileLength && allDigits(rest) {
			return rest
		}
	}
	return s
}

// ValidateMobile normalises s (see NormalizeMobile) and checks that it is a
// mainland mobile number: 11 digits starting with 13-19. It returns nil or
// an *Error with Field "mobile" and Reason ReasonLength, ReasonCharset or
// ReasonPrefix.
func ValidateMobile(s string) error {
	s = NormalizeMobile(s)
	if utf8.RuneCountInString(s) != MobileLength {
		return lengthError(FieldMobile, MobileLength, s)
	}
	if pos, got := firstBadRune(s, func(_ int, c byte) bool { return isDigit(c) }); pos != 0 {
		return &Error{Field: FieldMobile, Reason: ReasonCharset, Pos: pos, Got: got}
	}
	if s[0] != '1' || s[1] < '3' {
		return &Error{Field: FieldMobile, Reason: ReasonPrefix, Got: s[:2], Pos: 1}
	}
	return nil
}
