// Package clock is the single source of time for Yingshang.
//
// All code reads the time through a Clock so that deadlines, reminders and
// scans can be demonstrated and tested "as of" any moment. In non-production
// environments YINGSHANG_FAKE_NOW pins the clock (a timestamp) or shifts it
// (a signed duration such as "+72h" or a number of days such as "+30d").
package clock

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fake is a clock pinned to an instant, or offset from the real time, that
// tests can move forward. It is safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	pinned bool
	at     time.Time     // when pinned: the current fake instant
	offset time.Duration // when not pinned: added to the real time
}

// NewFixed returns a clock pinned at t.
func NewFixed(t time.Time) *Fake { return &Fake{pinned: true, at: t} }

// NewOffset returns a clock running d ahead of (or behind) the real time.
func NewOffset(d time.Duration) *Fake { return &Fake{offset: d} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pinned {
		return f.at
	}
	return time.Now().Add(f.offset)
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pinned {
		f.at = f.at.Add(d)
	} else {
		f.offset += d
	}
}

// Set pins the clock at t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pinned, f.at = true, t
}

// Parse reads a YINGSHANG_FAKE_NOW value: an RFC 3339 timestamp
// ("2026-12-01T09:00:00+08:00"), a date ("2026-12-01", 09:00 Asia/Shanghai
// is not assumed: midnight UTC+8), or an offset ("+72h", "-30m", "+30d").
func Parse(s string) (*Fake, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty fake time")
	}
	if s[0] == '+' || s[0] == '-' {
		if strings.HasSuffix(s, "d") {
			n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
			if err != nil {
				return nil, fmt.Errorf("bad day offset %q", s)
			}
			return NewOffset(time.Duration(n) * 24 * time.Hour), nil
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("bad offset %q: %v", s, err)
		}
		return NewOffset(d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return NewFixed(t), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("CST", 8*3600)); err == nil {
		return NewFixed(t), nil
	}
	return nil, fmt.Errorf("bad fake time %q: want RFC 3339 (2026-12-01T09:00:00+08:00), a date, or an offset (+72h, +30d)", s)
}
