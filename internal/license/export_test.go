package license

import (
	"context"

	"yingshang/internal/calendar"
)

// SetScanBatchSize sets how many licences one scan transaction handles (on
// both engines) and returns a function that restores the previous sizes.
func SetScanBatchSize(n int) (restore func()) {
	old, oldPG := scanBatchSize, scanBatchSizePG
	scanBatchSize, scanBatchSizePG = n, n
	return func() { scanBatchSize, scanBatchSizePG = old, oldPG }
}

// SetScanFastPath turns the PostgreSQL batch of the scan on or off (off:
// the statement-by-statement batch SQLite runs) and returns a function
// that restores the previous setting.
func SetScanFastPath(on bool) (restore func()) {
	old := scanFastPath
	scanFastPath = on
	return func() { scanFastPath = old }
}

// SetScanWorkers sets how many batches of a PostgreSQL scan run at once
// and returns a function that restores the previous number.
func SetScanWorkers(n int) (restore func()) {
	old := scanWorkers
	scanWorkers = n
	return func() { scanWorkers = old }
}

// SetScanNextDue turns the scan's read by next_due on or off (off: every
// active licence within the first reminder window) and returns a function
// that restores the previous setting.
func SetScanNextDue(on bool) (restore func()) {
	old := scanNextDue
	scanNextDue = on
	return func() { scanNextDue = old }
}

// ScanCandidates returns, as of the service clock, the due stages of each
// licence the scan would act on (licence id -> stages), read by next_due
// (nextDue true) or by the full read of the first reminder window. With
// nextDue it first computes the next_due of the licences marked for it,
// as the scan does; it writes nothing else.
func (s *Service) ScanCandidates(ctx context.Context, nextDue bool) (map[int64][]string, error) {
	defer SetScanNextDue(nextDue)()
	active, err := s.activeRules(ctx)
	if err != nil {
		return nil, err
	}
	rules := s.readyRules(active)
	if len(rules) == 0 {
		return map[int64][]string{}, nil
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	if nextDue {
		if err := s.backfillNextDue(ctx, active, s.today()); err != nil {
			return nil, err
		}
	}
	cands, _, err := s.candidates(ctx, rules, cal, s.today())
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, c := range cands {
		out[c.id] = c.due
	}
	return out, nil
}

// LegacyNextDue is the next_due the import wrote before migration 0005
// (the first day a stage can be due, for every new licence).
func LegacyNextDue(t *Type, expires, today calendar.Date) *string {
	return nextDueValue(ruleOf(t).nextDue(expires, today, nil, false))
}

// FixtureNextDue is the next_due the import writes for a new licence of
// type t expiring on expires, imported on today with the working days of
// cal (the benchmark's fixture loads its rows directly).
func FixtureNextDue(t *Type, cal *calendar.Calendar, expires, today calendar.Date) *string {
	return ruleOf(t).newNextDue(cal, expires, today)
}
