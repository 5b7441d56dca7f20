package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"yingshang/internal/yserr"
)

// Argon2id parameters (OWASP recommendation: m=19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches the hash. It takes the same
// time whether or not the hash is well-formed enough to compare.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		// Burn the same work so that unknown users cost as much as known ones.
		argon2.IDKey([]byte(pw), []byte("0123456789abcdef"), argonTime, argonMemory, argonThreads, argonKeyLen)
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// DummyCheck spends the time of one password check (for unknown users).
func DummyCheck(pw string) { CheckPassword("", pw) }

// ValidatePassword enforces the password policy: at least 10 characters
// with letters and digits, at most 128.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 10 {
		return yserr.Field("password", "密码至少 10 个字符", "password must have at least 10 characters")
	}
	if n > 128 {
		return yserr.Field("password", "密码最多 128 个字符", "password must have at most 128 characters")
	}
	var letter, digit bool
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		}
	}
	if !letter || !digit {
		return yserr.Field("password", "密码须同时包含字母和数字", "password must contain both letters and digits")
	}
	return nil
}

// ErrBadCredentials is the one answer for an unknown user or a wrong password.
var ErrBadCredentials = errors.New("bad credentials")
