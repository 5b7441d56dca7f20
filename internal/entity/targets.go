package entity

import (
	"context"
	"strings"
)

// Target is an entity as an inspection target (the inspect module's target
// directory): the fields sampling needs, nothing personal.
type Target struct {
	ID       int64
	USCC     string
	Region   string
	Industry string
	Type     string
}

// TargetFilter selects inspection targets: entities on the register
// (active or operating) whose region code starts with one of Regions and
// whose industry code starts with one of Industries (empty: any).
type TargetFilter struct {
	Regions    []string
	Industries []string
}

// Targets lists the entities the filter selects, by credit code, in one
// pass (no access check: the calling module decides). It is the inspect
// module's filter over the registry.
func (s *Service) Targets(ctx context.Context, f TargetFilter) ([]Target, error) {
	args := s.DB.Dialect.Args()
	conds := []string{"status IN ('active', 'operating')"}
	prefix := func(col string, list []string) {
		var or []string
		for _, p := range list {
			if p = strings.TrimSpace(p); p != "" {
				or = append(or, col+" LIKE "+args.Add(p+"%"))
			}
		}
		if len(or) > 0 {
			conds = append(conds, "("+strings.Join(or, " OR ")+")")
		}
	}
	prefix("region_code", f.Regions)
	prefix("industry_code", f.Industries)
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, uscc, region_code, industry_code, entity_type FROM entities WHERE "+
		strings.Join(conds, " AND ")+" ORDER BY uscc", args.List()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		var t Target
		if err := rows.Scan(&t.ID, &t.USCC, &t.Region, &t.Industry, &t.Type); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
