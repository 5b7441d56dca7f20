package ident

import (
	"errors"
	"testing"
)

func TestPhone(t *testing.T) {
	for _, c := range []struct{ in, norm string }{
		{"0374-12345678", "0374-12345678"},
		{"(0374)12345678", "0374-12345678"},
		{"（０３７４）１２３４５６７", "0374-1234567"},
		{"0374 1234 5678", "0374-12345678"},
		{"037412345678", "0374-12345678"},
		{"010-12345678转8", "010-12345678-8"},
		{"02112345678", "021-12345678"},
		{"+86 374 12345678", "0374-12345678"},
		{"4123456", "4123456"},
		{"+86 138-1234-5678", "13812345678"},
	} {
		if got := NormalizePhone(c.in); got != c.norm {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.norm)
		}
		if err := ValidatePhone(c.in); err != nil {
			t.Errorf("ValidatePhone(%q): %v", c.in, err)
		}
	}
	for _, bad := range []string{"", "12345", "0374-123", "0374-0123456", "021-1234567", "0001-1234567", "0374-12345678-1234567", "abc", "1281234567", "0374-1234-5678-9-1"} {
		err := ValidatePhone(bad)
		var e *Error
		if !errors.As(err, &e) || e.Field != FieldPhone {
			t.Errorf("ValidatePhone(%q) = %v, want a phone error", bad, err)
		}
	}
	if IsMobile("0374-12345678") || !IsMobile("13812345678") {
		t.Error("IsMobile")
	}
}

// FuzzPhone: NormalizePhone is idempotent and never panics; a number that
// validates still validates in its normal form.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"0374-12345678", "(010)1234-5678", "+86 138 1234 5678", "转", "--0", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizePhone(s)
		if NormalizePhone(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, NormalizePhone(n))
		}
		if ValidatePhone(s) == nil && ValidatePhone(n) != nil {
			t.Fatalf("%q validates but its normal form %q does not", s, n)
		}
	})
}
