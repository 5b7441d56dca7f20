package web

import (
	"fmt"
	"strconv"
	"strings"
)

// Yuan formats an amount in yuan for a page: thousands separators and the
// decimals as given ("3000000" -> "3,000,000", "1234567.5" -> "1,234,567.5").
// It accepts the integer kinds the services use for whole yuan, the
// decimal strings they use for prices and the floats of figures kept in
// 万元 (an entity's revenue and assets); the page's column header or the
// caller adds the unit (元 / yuan). Templates call it as {{yuan .X}}.
// A string that is not a plain decimal number is an error, so a template
// that passes the wrong field fails instead of printing nonsense.
func Yuan(v any) (string, error) {
	var s string
	switch x := v.(type) {
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case *int64:
		if x == nil {
			return "", nil
		}
		s = strconv.FormatInt(*x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return "", nil
		}
		s = strconv.FormatFloat(*x, 'f', -1, 64)
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return "", nil
		}
	default:
		return "", fmt.Errorf("yuan: unsupported type %T", v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" || !digits(intPart) || (hasFrac && (frac == "" || !digits(frac))) {
		return "", fmt.Errorf("yuan: %q is not a decimal amount", s)
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), nil
}

// WanYuan formats a whole-yuan amount in 万元 (10,000 yuan) with up to two
// decimals and separators: 86000000 -> "8,600", 12345678 -> "1,234.57".
// Use it where a figure is read in 万元, as procurement and tender notices do.
func WanYuan(yuan int64) string {
	s := strconv.FormatFloat(float64(yuan)/10000, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	out, err := Yuan(s)
	if err != nil { // cannot happen: FormatFloat gives a plain decimal
		return s
	}
	return out
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
