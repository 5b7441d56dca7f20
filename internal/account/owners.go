package account

import (
	"context"
	"time"
)

// Figures other packages ask the account service for, so that they never
// read its tables. No access checks: the caller decides who sees them.

// Totals are the account figures of the start page.
type Totals struct {
	Departments     int64
	Users           int64
	PendingBindings int64 // enterprise bindings waiting for a decision
}

// CountTotals counts departments, users and pending enterprise bindings.
func (s *Service) CountTotals(ctx context.Context) (Totals, error) {
	var t Totals
	q := s.DB.Q(ctx)
	for _, c := range []struct {
		sql string
		dst *int64
	}{
		{"SELECT COUNT(*) FROM departments", &t.Departments},
		{"SELECT COUNT(*) FROM users", &t.Users},
		{"SELECT COUNT(*) FROM enterprise_bindings WHERE status = 'pending'", &t.PendingBindings},
	} {
		if err := q.QueryRow(ctx, c.sql).Scan(c.dst); err != nil {
			return Totals{}, err
		}
	}
	return t, nil
}

// PurgePhoneCodes deletes the SMS codes that expired more than a day ago
// (housekeeping); it returns how many.
func (s *Service) PurgePhoneCodes(ctx context.Context) (int64, error) {
	return s.DB.W(ctx).Exec(ctx, "DELETE FROM sms_codes WHERE expires_at < $1", s.now().Add(-24*time.Hour))
}
