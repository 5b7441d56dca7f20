package ident

import (
	"errors"
	"testing"
	"time"
)

func checkFuzzError(t *testing.T, err error, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is not *Error: %v", err)
	}
	if e.Field != field || e.Reason == "" || e.MessageZH() == "" || e.MessageEN() == "" {
		t.Fatalf("bad error %#v", e)
	}
}

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91110000802100433B", " 91110000802100433b ",
		"91110000802100433A", "9111000080210043IB", "", "911A0000802100433B",
		"９１１１００００８０２１００４３３Ｂ", "91110000802100433中", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeUSCC(s)
		if NormalizeUSCC(n) != n {
			t.Fatalf("NormalizeUSCC not idempotent: %q -> %q", s, n)
		}
		err := ValidateUSCC(s)
		if err != nil {
			checkFuzzError(t, err, FieldUSCC)
			return
		}
		if len(n) != USCCLength {
			t.Fatalf("valid code %q normalises to %q", s, n)
		}
		if ValidateUSCC(n) != nil {
			t.Fatalf("normalised form %q of valid %q is invalid", n, s)
		}
		c, err := USCCCheckChar(n[:17])
		if err != nil || c != n[17] {
			t.Fatalf("check recomputation of %q: %c, %v", n, c, err)
		}
		if _, err := ParseUSCC(s); err != nil {
			t.Fatalf("ParseUSCC(%q): %v", s, err)
		}
	})
}

func FuzzValidateIDCard(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 11010519491231002X ",
		"110105194912310020", "11010519491331002X", "11010519000229002X",
		"10010519491231002X", "1101051949123100XX", "", "１１０１０５１９４９１２３１００２ｘ",
	} {
		f.Add(s)
	}
	today := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeIDCard(s)
		if NormalizeIDCard(n) != n {
			t.Fatalf("NormalizeIDCard not idempotent: %q -> %q", s, n)
		}
		_ = ValidateIDCard(s) // must not panic with the real clock either
		err := ValidateIDCardAt(s, today)
		if err != nil {
			checkFuzzError(t, err, FieldIDNumber)
			return
		}
		if len(n) != IDCardLength || ValidateIDCardAt(n, today) != nil {
			t.Fatalf("normalised form %q of valid %q is invalid", n, s)
		}
		c, err := IDCardCheckChar(n[:17])
		if err != nil || c != n[17] {
			t.Fatalf("check recomputation of %q: %c, %v", n, c, err)
		}
		info, err := ParseIDCardAt(s, today)
		if err != nil || info.Number != n || info.Birth.Format("20060102") != n[6:14] {
			t.Fatalf("ParseIDCardAt(%q) = %+v, %v", s, info, err)
		}
	})
}
