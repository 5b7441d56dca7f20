package license

import (
	"context"
	"fmt"
	"strings"

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

// FixtureFillDue writes the license_due rows the import writes for the
// active licences of type t without one that are not marked (the
// benchmark's fixture loads its licences directly), as if imported on
// today, in transactions of 10,000 rows.
func (s *Service) FixtureFillDue(ctx context.Context, t *Type, today calendar.Date) error {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, expires_on FROM licenses l WHERE type_id = $1 AND status = 'active' AND next_due IS NULL
		AND NOT EXISTS (SELECT 1 FROM license_due d WHERE d.license_id = l.id) ORDER BY id`, t.ID)
	if err != nil {
		return err
	}
	var args []any
	for rows.Next() {
		var id int64
		var exp string
		if err := rows.Scan(&id, &exp); err != nil {
			rows.Close()
			return err
		}
		d, err := calendar.ParseDate(exp)
		if err != nil {
			rows.Close()
			return err
		}
		if next := nextDueValue(ruleOf(t).nextDue(d, today, nil, false)); next != nil {
			args = append(args, id, *next)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	const per = 10_000
	for start := 0; start < len(args); start += 2 * per {
		part := args[start:min(start+2*per, len(args))]
		var sb strings.Builder
		for i := 0; i < len(part); i += 2 {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "($%d,$%d)", i+1, i+2)
		}
		if err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO license_due (license_id, next_due) VALUES "+sb.String(), part...)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
