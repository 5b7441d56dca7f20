package ident

import "strings"

// FieldPhone is the field of a caller's phone number (mobile or landline).
const FieldPhone = "phone"

// ReasonLandline: a number that is neither a mobile number nor a landline
// (an area code starting with 0 and a 7- or 8-digit number, or a local
// 7- or 8-digit number as a 12345 hotline passes it on).
const ReasonLandline Code = "landline"

// NormalizePhone brings a caller's number to one form: a mobile number as
// NormalizeMobile does ("+86 138-1234-5678" -> "13812345678"); a landline
// as area code, hyphen, number and optional extension ("(0374)12345678",
// "0374 1234 5678", "037412345678" -> "0374-12345678"; "010-12345678转8" ->
// "010-12345678-8"). Other input is returned with white space removed. It
// does not validate and is idempotent.
func NormalizePhone(s string) string {
	m := NormalizeMobile(s)
	if len(m) == MobileLength && allDigits(m) && m[0] == '1' {
		return m
	}
	s = strings.Join(strings.Fields(normalize(strings.ToValidUTF8(s, ""))), "")
	s = strings.NewReplacer("(", "", ")", "-", "（", "", "）", "-", "转", "-", "EXT.", "-", "EXT", "-", "X", "-").Replace(s)
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	s = strings.Trim(s, "-")
	for _, p := range []string{"+86", "0086"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = "0" + strings.TrimPrefix(strings.TrimPrefix(rest, "-"), "0")
		}
	}
	parts := strings.Split(s, "-")
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return s
		}
	}
	var area, num, ext string
	switch {
	case len(parts) == 1 && parts[0][0] == '0':
		d := parts[0]
		n := areaLen(d)
		if len(d) <= n {
			return s
		}
		area, num = d[:n], d[n:]
	case len(parts) == 1:
		return s
	case parts[0][0] == '0':
		area, num = parts[0], strings.Join(parts[1:2], "")
		if len(parts) == 3 {
			ext = parts[2]
		} else if len(parts) > 3 {
			return s
		}
		// "0374-1234-5678": a number written in two groups.
		if len(parts) == 3 && len(parts[1])+len(parts[2]) <= 8 && len(parts[1]) <= 4 && len(parts[2]) == 4 {
			num, ext = parts[1]+parts[2], ""
		}
	default:
		if len(parts) != 2 {
			return s
		}
		num, ext = parts[0], parts[1]
	}
	out := num
	if area != "" {
		out = area + "-" + num
	}
	if ext != "" {
		out += "-" + ext
	}
	return out
}

// areaLen is the length of the area code at the start of digits: 3 for
// Beijing (010) and the 02x cities, else 4.
func areaLen(d string) int {
	if strings.HasPrefix(d, "010") || strings.HasPrefix(d, "02") {
		return 3
	}
	return 4
}

// ValidatePhone normalises s (see NormalizePhone) and checks that it is a
// mainland mobile number or a landline: "0374-1234567", "010-12345678",
// with an optional extension of up to 6 digits ("0374-12345678-801"), or a
// local number of 7 or 8 digits not starting with 0 or 1 (as a 12345
// hotline passes on a caller from the same city). It returns nil or an
// *Error with Field "phone".
func ValidatePhone(s string) error {
	s = NormalizePhone(s)
	if s == "" {
		return &Error{Field: FieldPhone, Reason: ReasonLength, Expected: "7-13", Got: "0"}
	}
	if s[0] == '1' && allDigits(s) {
		if err := ValidateMobile(s); err != nil {
			e := err.(*Error)
			e.Field = FieldPhone
			return e
		}
		return nil
	}
	if !isLandline(s) {
		return &Error{Field: FieldPhone, Reason: ReasonLandline, Got: s}
	}
	return nil
}

// IsMobile reports whether s (normalised) is a mobile number, which SMS
// can reach.
func IsMobile(s string) bool { return ValidateMobile(s) == nil }

func isLandline(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return false
		}
	}
	local := func(n string) bool { return (len(n) == 7 || len(n) == 8) && n[0] >= '2' }
	switch {
	case parts[0][0] != '0':
		// A local number, perhaps with an extension.
		return local(parts[0]) && (len(parts) == 1 || len(parts) == 2 && len(parts[1]) <= 6)
	case len(parts) < 2:
		return false
	}
	area, num := parts[0], parts[1]
	if len(area) != areaLen(area) || area[1] == '0' && area != "010" {
		return false
	}
	// After an area code any number not starting with 0 is taken (test
	// and demo numbers such as 0374-12345678 start with 1).
	if len(area) == 3 && len(num) != 8 || len(num) != 7 && len(num) != 8 || num[0] == '0' {
		return false
	}
	return len(parts) == 2 || len(parts[2]) <= 6
}
