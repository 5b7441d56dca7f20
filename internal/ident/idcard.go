package ident

import (
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"
)

// Resident identity card number (公民身份号码), GB 11643-1999.
//
//	positions 1-6   address code (GB/T 2260 region of first registration)
//	positions 7-14  birth date YYYYMMDD
//	positions 15-17 sequence code; position 17 is odd for men, even for women
//	position 18     check character 0-9 or X
//
// Validation checks the length, the character set, the province part of the
// address code, the birth date (a real calendar date between 1900-01-01 and
// today) and the check character. The full 6-digit address code is not
// checked against the current division list, because numbers keep the code
// of the place of first registration even after that code is abolished.

// IDCardLength is the length of a resident identity card number.
const IDCardLength = 18

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// idProvinces are the valid first two digits (province-level codes of
// GB/T 2260, plus 83 used for residence permits of Hong Kong, Macao and
// Taiwan residents).
var idProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true, "91": true,
}

// minBirth is the earliest accepted birth date.
var minBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// NormalizeIDCard trims white space, converts full-width characters to ASCII
// and upper-cases a trailing x. It does not validate.
func NormalizeIDCard(s string) string { return normalize(s) }

// ValidateIDCard is ValidateIDCardAt with today = time.Now().
func ValidateIDCard(s string) error { return ValidateIDCardAt(s, time.Now()) }

// ValidateIDCardAt normalises s and checks it as a resident identity card
// number whose birth date is not after today (compared as calendar dates in
// today's location). It returns nil or an *Error with Field "id_number" and
// Reason ReasonLength, ReasonCharset, ReasonRegion, ReasonBirthDate or
// ReasonCheck.
func ValidateIDCardAt(s string, today time.Time) error {
	_, err := parseIDCard(normalize(s), today)
	return err
}

// IDCardInfo is what a valid identity card number tells.
type IDCardInfo struct {
	Number string    // normalised number
	Region string    // 6-digit address code
	Birth  time.Time // birth date, midnight UTC
	Male   bool
}

// ParseIDCardAt validates s like ValidateIDCardAt and decodes it.
func ParseIDCardAt(s string, today time.Time) (IDCardInfo, error) {
	return parseIDCard(normalize(s), today)
}

// AgeAt returns the age in completed years on the given day.
func (i IDCardInfo) AgeAt(day time.Time) int {
	y, m, d := day.Date()
	age := y - i.Birth.Year()
	if m < i.Birth.Month() || m == i.Birth.Month() && d < i.Birth.Day() {
		age--
	}
	return age
}

func parseIDCard(s string, today time.Time) (IDCardInfo, error) {
	if err := idShape(s, IDCardLength); err != nil {
		return IDCardInfo{}, err
	}
	if !idProvinces[s[:2]] {
		return IDCardInfo{}, &Error{Field: FieldIDNumber, Reason: ReasonRegion, Got: s[:6], Pos: 1}
	}
	birth, ok := parseBirth(s[6:14], today)
	if !ok {
		return IDCardInfo{}, &Error{Field: FieldIDNumber, Reason: ReasonBirthDate, Got: s[6:14], Pos: 7}
	}
	want, _ := IDCardCheckChar(s[:17])
	if s[17] != want {
		return IDCardInfo{}, &Error{Field: FieldIDNumber, Reason: ReasonCheck, Expected: string(want), Got: s[17:], Pos: 18}
	}
	return IDCardInfo{Number: s, Region: s[:6], Birth: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// idShape checks the length and character set of a normalised number or
// prefix: digits, with X allowed only at position 18.
func idShape(s string, n int) error {
	if utf8.RuneCountInString(s) != n {
		return lengthError(FieldIDNumber, n, s)
	}
	pos, got := firstBadRune(s, func(pos int, c byte) bool {
		return isDigit(c) || pos == 18 && c == 'X'
	})
	if pos != 0 {
		return &Error{Field: FieldIDNumber, Reason: ReasonCharset, Pos: pos, Got: got}
	}
	return nil
}

// parseBirth parses YYYYMMDD and checks 1900-01-01 <= date <= today.
func parseBirth(ymd string, today time.Time) (time.Time, bool) {
	t, err := time.Parse("20060102", ymd)
	if err != nil || t.Before(minBirth) {
		return time.Time{}, false
	}
	ty, tm, td := today.Date()
	if t.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return time.Time{}, false
	}
	return t, true
}

// IDCardCheckChar computes the check character (position 18) for the first
// 17 digits of an identity card number.
func IDCardCheckChar(first17 string) (byte, error) {
	s := normalize(first17)
	if err := idShape(s, 17); err != nil {
		return 0, err
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11], nil
}

// GenerateIDCard returns a valid identity card number for synthetic demo
// data, with the given 6-digit address code, birth date and sex (the
// sequence code is random). It panics if region is not 6 digits with a valid
// province part or birth is before 1900 or after 9999.
func GenerateIDCard(r *rand.Rand, region string, birth time.Time, male bool) string {
	if len(region) != 6 || !allDigits(region) || !idProvinces[region[:2]] {
		panic("ident.GenerateIDCard: invalid region " + region)
	}
	if birth.Year() < 1900 || birth.Year() > 9999 {
		panic("ident.GenerateIDCard: birth year out of range")
	}
	seq := r.IntN(100)*10 + r.IntN(5)*2 // even: female
	if male {
		seq++
	}
	first17 := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	c, err := IDCardCheckChar(first17)
	if err != nil {
		panic("ident.GenerateIDCard: " + err.Error())
	}
	return first17 + string(c)
}
