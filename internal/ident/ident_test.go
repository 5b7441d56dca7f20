package ident

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var testToday = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// wantErr asserts err is an *Error with the given field and reason (and, if
// non-empty, expected value and non-zero position).
func wantErr(t *testing.T, err error, field string, reason Code, expected string, pos int) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error %s/%s, got %v", field, reason, err)
	}
	if e.Field != field || e.Reason != reason {
		t.Fatalf("want %s/%s, got %s/%s (%v)", field, reason, e.Field, e.Reason, err)
	}
	if expected != "" && e.Expected != expected {
		t.Fatalf("want expected %q, got %q (%v)", expected, e.Expected, err)
	}
	if pos != 0 && e.Pos != pos {
		t.Fatalf("want pos %d, got %d (%v)", pos, e.Pos, err)
	}
	if e.MessageZH() == "" || e.MessageEN() == "" || !strings.HasPrefix(e.Error(), field+": ") {
		t.Fatalf("bad messages: %q %q %q", e.MessageZH(), e.MessageEN(), e.Error())
	}
}

func TestValidateUSCC(t *testing.T) {
	tests := []struct {
		in       string
		reason   Code
		expected string
		pos      int
	}{
		{"91350100M000100Y43", "", "", 0},
		{"91110000802100433B", "", "", 0},
		{" 91110000802100433b ", "", "", 0}, // trimmed, upper-cased
		{"９１１１００００８０２１００４３３Ｂ", "", "", 0},   // full-width
		{"", ReasonLength, "18", 0},
		{"   ", ReasonLength, "18", 0},
		{"91110000802100433", ReasonLength, "18", 0},
		{"91110000802100433BB", ReasonLength, "18", 0},
		{"9111000080210043 B", ReasonCharset, "", 17},
		{"9111000080210043IB", ReasonCharset, "", 17}, // I is not in the charset
		{"O1110000802100433B", ReasonCharset, "", 1},
		{"91110000802100433Z", ReasonCharset, "", 18},
		{"9111000080210043SB", ReasonCharset, "", 17},
		{"91110000802100433V", ReasonCharset, "", 18},
		{"911A0000802100433B", ReasonCharset, "0-9", 4}, // region must be digits
		{"91110000802100433中", ReasonCharset, "", 18},
		{"91110000802100433A", ReasonCheck, "B", 18},
		{"91350100M000100Y44", ReasonCheck, "3", 18},
		{"91350100M000100Y4Y", ReasonCheck, "3", 18},
		{"91110000802100434B", ReasonCheck, "", 18},
		{"91110000802100343B", ReasonCheck, "", 18}, // transposition
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			wantErr(t, ValidateUSCC(tc.in), FieldUSCC, tc.reason, tc.expected, tc.pos)
		})
	}
}

func TestUSCCMessages(t *testing.T) {
	err := ValidateUSCC("91350100M000100Y4X")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if got := e.MessageZH(); got != "第18位校验码不对，请核对" {
		t.Errorf("MessageZH = %q", got)
	}
	if got := e.MessageEN(); got != "character 18 (the check character) does not match the rest: please check the code" {
		t.Errorf("MessageEN = %q", got)
	}
	if got := e.ExpectedCheck(); got != "3" {
		t.Errorf("ExpectedCheck = %q, want 3 (kept for the API)", got)
	}
	if got := e.Error(); got != "uscc: character 18 (the check character) does not match the rest: please check the code" {
		t.Errorf("Error = %q", got)
	}
	errors.As(ValidateUSCC("9135010"), &e)
	if got := e.MessageZH(); got != "应为 18 位，实际为 7 位" {
		t.Errorf("MessageZH = %q", got)
	}
	errors.As(ValidateUSCC(""), &e)
	if got := e.MessageEN(); got != "is required" {
		t.Errorf("MessageEN = %q", got)
	}
	errors.As(ValidateUSCC("9135010IM000100Y43"), &e)
	if got := e.MessageZH(); got != "第 8 位字符“I”无效，应为数字" {
		t.Errorf("MessageZH = %q", got)
	}
	if got := FieldLabel(FieldUSCC, "zh"); got != "统一社会信用代码" {
		t.Errorf("FieldLabel = %q", got)
	}
}

func TestUSCCCheckChar(t *testing.T) {
	for _, s := range []string{"91350100M000100Y43", "91110000802100433B"} {
		c, err := USCCCheckChar(s[:17])
		if err != nil || c != s[17] {
			t.Errorf("USCCCheckChar(%s) = %c, %v", s[:17], c, err)
		}
	}
	if _, err := USCCCheckChar("9111"); err == nil {
		t.Error("short prefix accepted")
	}
	if _, err := USCCCheckChar("9111000080210043I"); err == nil {
		t.Error("bad charset accepted")
	}
}

func TestParseUSCC(t *testing.T) {
	p, err := ParseUSCC("91350100m000100y43")
	if err != nil {
		t.Fatal(err)
	}
	want := USCCParts{Authority: '9', Category: '1', Region: "350100", OrgCode: "M000100Y4", Check: '3'}
	if p != want {
		t.Errorf("got %+v", p)
	}
	if _, err := ParseUSCC("91350100M000100Y44"); err == nil {
		t.Error("invalid code parsed")
	}
}

func TestOrgCode(t *testing.T) {
	// The organisation codes embedded in both samples follow GB 11714.
	if !ValidOrgCode("80210043-3") || !ValidOrgCode("802100433") || !ValidOrgCode("M000100Y4") {
		t.Error("sample organisation codes should be valid")
	}
	if ValidOrgCode("802100434") || ValidOrgCode("8021004") || ValidOrgCode("8021004#3") {
		t.Error("invalid organisation code accepted")
	}
	// A code whose organisation-code check character is wrong but whose
	// USCC check character is right must still validate.
	c, _ := USCCCheckChar("91350100M000100Y5")
	if err := ValidateUSCC("91350100M000100Y5" + string(c)); err != nil {
		t.Errorf("org-code check must not be enforced: %v", err)
	}
	if _, err := OrgCodeCheckChar("80210043!"); err == nil {
		t.Error("9 chars accepted")
	}
	if _, err := OrgCodeCheckChar("8021004!"); err == nil {
		t.Error("bad char accepted")
	}
}

func TestGenerateUSCCProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	prefixes := map[string]int{}
	for i := 0; i < 500; i++ {
		code := GenerateUSCC(r, "411002")
		if err := ValidateUSCC(code); err != nil {
			t.Fatalf("generated %s invalid: %v", code, err)
		}
		if code[2:8] != "411002" {
			t.Fatalf("region not kept: %s", code)
		}
		if !ValidOrgCode(code[8:17]) {
			t.Fatalf("generated org code %s invalid", code[8:17])
		}
		prefixes[code[:2]]++
		// Every single-character substitution must be rejected.
		for pos := 0; pos < len(code); pos++ {
			for j := 0; j < len(USCCCharset); j++ {
				c := USCCCharset[j]
				if c == code[pos] {
					continue
				}
				bad := code[:pos] + string(c) + code[pos+1:]
				if ValidateUSCC(bad) == nil {
					t.Fatalf("%s (from %s, pos %d) validated", bad, code, pos+1)
				}
			}
		}
	}
	for _, p := range []string{"91", "92", "93"} {
		if prefixes[p] == 0 {
			t.Errorf("prefix %s never generated: %v", p, prefixes)
		}
	}
}

func TestGenerateUSCCPanicsOnBadRegion(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	GenerateUSCC(rand.New(rand.NewPCG(1, 1)), "4110")
}

func TestValidateIDCard(t *testing.T) {
	tests := []struct {
		in       string
		reason   Code
		expected string
		pos      int
	}{
		{"11010519491231002X", "", "", 0},
		{"11010519491231002x", "", "", 0},
		{" 11010519491231002X\t", "", "", 0},
		{"１１０１０５１９４９１２３１００２ｘ", "", "", 0},
		{"", ReasonLength, "18", 0},
		{"110105194912310", ReasonLength, "18", 0}, // 15-digit legacy numbers are not accepted
		{"11010519491231002X1", ReasonLength, "18", 0},
		{"1101051949123100XX", ReasonCharset, "", 17},
		{"11010519491231002Y", ReasonCharset, "", 18},
		{"1101051949123100 X", ReasonCharset, "", 17},
		{"A1010519491231002X", ReasonCharset, "", 1},
		{"10010519491231002X", ReasonRegion, "", 0},
		{"00010519491231002X", ReasonRegion, "", 0},
		{"16010519491231002X", ReasonRegion, "", 0},
		{"99010519491231002X", ReasonRegion, "", 0},
		{"11010519491331002X", ReasonBirthDate, "", 7}, // month 13
		{"11010519490230002X", ReasonBirthDate, "", 7}, // 30 February
		{"11010519000229002X", ReasonBirthDate, "", 7}, // 1900 is not a leap year
		{"11010518991231002X", ReasonBirthDate, "", 7}, // before 1900
		{"11010520250602002X", ReasonBirthDate, "", 7}, // after testToday
		{"11010520991231002X", ReasonBirthDate, "", 7},
		{"110105194912310020", ReasonCheck, "X", 18},
		{"110105194912310021", ReasonCheck, "X", 18},
		{"11010519491231003X", ReasonCheck, "", 18},
		{"11010519491213002X", ReasonCheck, "", 18},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			wantErr(t, ValidateIDCardAt(tc.in, testToday), FieldIDNumber, tc.reason, tc.expected, tc.pos)
		})
	}
}

func TestValidateIDCardBoundaries(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	today := time.Date(2025, 6, 1, 23, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		birth time.Time
		ok    bool
	}{
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), true}, // born today
		{time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC), false},
	} {
		id := GenerateIDCard(r, "411002", tc.birth, true)
		if err := ValidateIDCardAt(id, today); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", id, err, tc.ok)
		}
	}
	if err := ValidateIDCard("11010519491231002X"); err != nil {
		t.Errorf("ValidateIDCard: %v", err)
	}
}

func TestParseIDCard(t *testing.T) {
	info, err := ParseIDCardAt("11010519491231002x", testToday)
	if err != nil {
		t.Fatal(err)
	}
	if info.Number != "11010519491231002X" || info.Region != "110105" || info.Male ||
		!info.Birth.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got %+v", info)
	}
	if got := info.AgeAt(time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC)); got != 75 {
		t.Errorf("AgeAt = %d", got)
	}
	if got := info.AgeAt(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); got != 76 {
		t.Errorf("AgeAt = %d", got)
	}
}

func TestIDCardCheckChar(t *testing.T) {
	if c, err := IDCardCheckChar("11010519491231002"); err != nil || c != 'X' {
		t.Errorf("got %c, %v", c, err)
	}
	if _, err := IDCardCheckChar("1101051949123100X"); err == nil {
		t.Error("X inside accepted")
	}
}

func TestGenerateIDCardProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	regions := []string{"411002", "110105", "650102", "810000"}
	for i := 0; i < 500; i++ {
		birth := time.Date(1900+r.IntN(125), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		male := r.IntN(2) == 0
		id := GenerateIDCard(r, regions[i%len(regions)], birth, male)
		info, err := ParseIDCardAt(id, testToday)
		if err != nil {
			t.Fatalf("generated %s invalid: %v", id, err)
		}
		if info.Male != male || !info.Birth.Equal(birth) || info.Region != regions[i%len(regions)] {
			t.Fatalf("generated %s decodes to %+v", id, info)
		}
		for pos := 0; pos < len(id); pos++ {
			for _, c := range []byte("0123456789X") {
				if c == id[pos] {
					continue
				}
				bad := id[:pos] + string(c) + id[pos+1:]
				if ValidateIDCardAt(bad, testToday) == nil {
					t.Fatalf("%s (from %s, pos %d) validated", bad, id, pos+1)
				}
			}
		}
	}
}

func TestValidateMobile(t *testing.T) {
	tests := []struct {
		in     string
		reason Code
		pos    int
	}{
		{"13812345678", "", 0},
		{"19912345678", "", 0},
		{" 138 1234 5678 ", "", 0},
		{"138-1234-5678", "", 0},
		{"+8613812345678", "", 0},
		{"008613812345678", "", 0},
		{"8613812345678", "", 0},
		{"１３８１２３４５６７８", "", 0},
		{"", ReasonLength, 0},
		{"1381234567", ReasonLength, 0},
		{"138123456789", ReasonLength, 0},
		{"1381234567a", ReasonCharset, 11},
		{"12812345678", ReasonPrefix, 0},
		{"10012345678", ReasonPrefix, 0},
		{"23812345678", ReasonPrefix, 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			wantErr(t, ValidateMobile(tc.in), FieldMobile, tc.reason, "", tc.pos)
		})
	}
}

func TestMasks(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{MaskIDCard("11010519491231002X"), "110105********002X"},
		{MaskIDCard("110105491231002"), "110105*****1002"},
		{MaskIDCard("12345"), "*2345"},
		{MaskIDCard("1234"), "****"},
		{MaskIDCard(""), ""},
		{MaskMobile("13812345678"), "138****5678"},
		{MaskMobile(" 13812345678 "), "138****5678"},
		{MaskMobile("12345678"), "123*5678"},
		{MaskMobile("1234567"), "***4567"},
		{MaskName("张三丰"), "张**"},
		{MaskName("张三"), "张*"},
		{MaskName("张"), "张"},
		{MaskName("欧阳娜娜"), "欧***"},
		{MaskName("Alice"), "A****"},
		{MaskName(""), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, s := range []string{" ａｂｃ ", "\u3000９１x\u3000", "\xff\xfe x", "ǅa", ""} {
		n := normalize(s)
		if normalize(n) != n {
			t.Errorf("normalize not idempotent on %q: %q -> %q", s, n, normalize(n))
		}
	}
}
