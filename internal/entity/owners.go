package entity

import (
	"context"
	"fmt"
)

// Figures other packages ask the registry for, so that they never read
// the entities table. No access checks: the caller decides who sees them.

// Tally is how many entities share a value of a column.
type Tally struct {
	Key string
	N   int64
}

// tallyColumns are the columns CountBy may group by.
var tallyColumns = map[string]bool{"size_class": true, "status": true, "region_code": true, "industry_code": true}

// CountAll counts the registered entities.
func (s *Service) CountAll(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities").Scan(&n)
	return n, err
}

// CountBy counts the entities per value of a column (size_class, status,
// region_code or industry_code), largest first, at most limit groups (all
// when limit is 0).
func (s *Service) CountBy(ctx context.Context, column string, limit int) ([]Tally, error) {
	if !tallyColumns[column] {
		return nil, fmt.Errorf("entity: cannot count by %q", column)
	}
	q := "SELECT " + column + ", COUNT(*) FROM entities GROUP BY " + column + " ORDER BY 2 DESC, 1"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Tally{}
	for rows.Next() {
		var t Tally
		if err := rows.Scan(&t.Key, &t.N); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
