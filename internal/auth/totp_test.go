package auth

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 (the last six of its eight digits).
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		if got := TOTPCode(secret, TOTPStepAt(time.Unix(unix, 0))); got != want {
			t.Errorf("T=%d: %s, want %s", unix, got, want)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	step := TOTPStepAt(now)
	if s, ok := CheckTOTP(secret, TOTPCode(secret, step-1), now, 0); !ok || s != step-1 {
		t.Fatal("the previous step's code is refused")
	}
	if _, ok := CheckTOTP(secret, TOTPCode(secret, step-2), now, 0); ok {
		t.Fatal("a code two steps old is accepted")
	}
	if _, ok := CheckTOTP(secret, TOTPCode(secret, step), now, step); ok {
		t.Fatal("a used code is accepted again")
	}
	if _, ok := CheckTOTP(secret, "12345", now, 0); ok {
		t.Fatal("a short code is accepted")
	}
	if u := TOTPURI("营商", "admin", secret); u != "otpauth://totp/%E8%90%A5%E5%95%86:admin?algorithm=SHA1&digits=6&issuer=%E8%90%A5%E5%95%86&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("URI %s", u)
	}
}
