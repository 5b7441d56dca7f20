package ident

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Unified social credit code (统一社会信用代码), GB 32100-2015.
//
//	position 1     registration authority (登记管理部门代码): 1 机构编制, 5 民政,
//	               9 工商/市场监管, Y 其他, ...
//	position 2     entity category (机构类别代码), e.g. under 9: 1 企业,
//	               2 个体工商户, 3 农民专业合作社
//	positions 3-8  region code of the registering authority (GB/T 2260, digits)
//	positions 9-17 entity identifier (主体标识码), i.e. the GB 11714
//	               organisation code whose own check character is position 17
//	position 18    check character
//
// Only the length, the character set (positions 3-8 digits) and the final
// check character are enforced. The GB 11714 check character at position 17
// is not enforced, because codes issued to some entity types do not follow
// it; OrgCodeCheckChar is available for callers that want it.

// USCCLength is the length of a unified social credit code.
const USCCLength = 18

// USCCCharset holds the 31 characters allowed in a unified social credit
// code (I, O, S, V and Z are excluded); a character's index is its value.
const USCCCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31 for positions 1-17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValue maps a byte to its value in USCCCharset, or -1.
var usccValue = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(USCCCharset); i++ {
		v[USCCCharset[i]] = int8(i)
	}
	return v
}()

// NormalizeUSCC trims white space, converts full-width characters to ASCII
// and upper-cases letters. It does not validate.
func NormalizeUSCC(s string) string { return normalize(s) }

// ValidateUSCC normalises s and checks that it is a well-formed unified
// social credit code with a correct check character. It returns nil or an
// *Error with Field "uscc" and Reason ReasonLength, ReasonCharset or
// ReasonCheck.
func ValidateUSCC(s string) error {
	s = normalize(s)
	if err := usccShape(s, USCCLength); err != nil {
		return err
	}
	want, _ := USCCCheckChar(s[:17])
	if s[17] != want {
		return &Error{Field: FieldUSCC, Reason: ReasonCheck, Expected: string(want), Got: s[17:], Pos: 18}
	}
	return nil
}

// usccShape checks the length (in characters) and the character set of an
// already normalised code or code prefix.
func usccShape(s string, n int) error {
	if utf8.RuneCountInString(s) != n {
		return lengthError(FieldUSCC, n, s)
	}
	pos, got := firstBadRune(s, func(pos int, c byte) bool {
		if pos >= 3 && pos <= 8 {
			return isDigit(c)
		}
		return usccValue[c] >= 0
	})
	if pos == 0 {
		return nil
	}
	e := &Error{Field: FieldUSCC, Reason: ReasonCharset, Pos: pos, Got: got}
	if pos >= 3 && pos <= 8 {
		e.Expected = "0-9"
	}
	return e
}

// USCCCheckChar computes the check character (position 18) for the first 17
// characters of a unified social credit code. first17 is normalised first.
func USCCCheckChar(first17 string) (byte, error) {
	s := normalize(first17)
	if err := usccShape(s, 17); err != nil {
		return 0, err
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(usccValue[s[i]]) * usccWeights[i]
	}
	return USCCCharset[(31-sum%31)%31], nil
}

// USCCParts is the decomposition of a valid unified social credit code.
type USCCParts struct {
	Authority byte   // registration authority code, e.g. '9'
	Category  byte   // entity category code, e.g. '1'
	Region    string // 6-digit region code of the registering authority
	OrgCode   string // 9-character entity identifier (organisation code)
	Check     byte   // check character
}

// ParseUSCC validates s (see ValidateUSCC) and splits it into its parts.
func ParseUSCC(s string) (USCCParts, error) {
	if err := ValidateUSCC(s); err != nil {
		return USCCParts{}, err
	}
	s = normalize(s)
	return USCCParts{Authority: s[0], Category: s[1], Region: s[2:8], OrgCode: s[8:17], Check: s[17]}, nil
}

// GB 11714-1997 organisation code (组织机构代码): 8 body characters from
// 0-9A-Z plus a check character computed with these weights.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

func orgValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// OrgCodeCheckChar computes the GB 11714 check character for the first 8
// characters of an organisation code (digits and upper-case letters):
// c = 11 - sum mod 11, where 10 is written 'X' and 11 is written '0'.
// It is a helper only: ValidateUSCC does not enforce it.
func OrgCodeCheckChar(first8 string) (byte, error) {
	s := normalize(first8)
	if len(s) != 8 {
		return 0, fmt.Errorf("organisation code body must be 8 characters, got %d", len(s))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v := orgValue(s[i])
		if v < 0 {
			return 0, fmt.Errorf("organisation code: invalid character %q at position %d", s[i], i+1)
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// ValidOrgCode reports whether s (9 characters, optionally written with a
// hyphen before the check character as "12345678-9") is an organisation
// code with a correct GB 11714 check character.
func ValidOrgCode(s string) bool {
	s = normalize(s)
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	if len(s) != 9 {
		return false
	}
	c, err := OrgCodeCheckChar(s[:8])
	return err == nil && c == s[8]
}

// GenerateUSCC returns a random, valid unified social credit code for
// synthetic demo data, registered by market regulation (position 1 '9') as
// an enterprise (mostly '1'), individual business ('2') or farmers'
// co-operative ('3') in region, a 6-digit region code. The organisation code
// part carries a correct GB 11714 check character. It panics if region is
// not 6 digits.
func GenerateUSCC(r *rand.Rand, region string) string {
	if len(region) != 6 || !allDigits(region) {
		panic("ident.GenerateUSCC: region must be 6 digits, got " + region)
	}
	var b strings.Builder
	b.WriteByte('9')
	switch n := r.IntN(10); {
	case n < 8:
		b.WriteByte('1')
	case n == 8:
		b.WriteByte('2')
	default:
		b.WriteByte('3')
	}
	b.WriteString(region)
	// Entity identifier: codes issued since 2015 start with "MA" followed by
	// characters of the USCC set; older ones are 8 digits.
	body := make([]byte, 0, 8)
	if r.IntN(2) == 0 {
		body = append(body, 'M', 'A')
		for len(body) < 8 {
			body = append(body, USCCCharset[r.IntN(len(USCCCharset))])
		}
	} else {
		for len(body) < 8 {
			body = append(body, byte('0'+r.IntN(10)))
		}
	}
	oc, _ := OrgCodeCheckChar(string(body))
	b.Write(body)
	b.WriteByte(oc)
	check, err := USCCCheckChar(b.String())
	if err != nil {
		panic("ident.GenerateUSCC: " + err.Error())
	}
	b.WriteByte(check)
	return b.String()
}
