package api

import (
	"bytes"
	"time"

	"yingshang/internal/calendar"
)

// shanghaiTimes rewrites every JSON string in body that is a time as
// encoding/json writes a time.Time (RFC 3339 with "Z" or another offset)
// into the same instant with the Asia/Shanghai offset
// ("2026-03-02T17:00:00+08:00"), so the API shows the platform's one time
// zone whatever zone a database driver gave back. A string that only looks
// like a time stays as it is; a user string that is exactly an RFC 3339 time
// becomes the same instant written in Shanghai.
func shanghaiTimes(body []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(body) && body[j] != '"' {
			if body[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(body) {
			break
		}
		if s := body[i+1 : j]; looksTime(s) && !bytes.HasSuffix(s, []byte("+08:00")) {
			if t, err := time.Parse(time.RFC3339Nano, string(s)); err == nil {
				if out == nil {
					out = make([]byte, 0, len(body)+len(body)/8)
				}
				out = append(out, body[last:i+1]...)
				out = t.In(calendar.Shanghai).AppendFormat(out, time.RFC3339Nano)
				last = j
			}
		}
		i = j
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// looksTime reports whether s has the shape of an RFC 3339 time:
// "2006-01-02T15:04:05", an optional fraction, then "Z" or "±07:00".
func looksTime(s []byte) bool {
	if len(s) < 20 || len(s) > 35 {
		return false
	}
	if n := len(s); s[n-1] != 'Z' && (s[n-3] != ':' || (s[n-6] != '+' && s[n-6] != '-')) {
		return false
	}
	for i, c := range s[:19] {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}
