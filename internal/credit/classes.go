package credit

import (
	"context"
	"encoding/json"
	"slices"

	"yingshang/internal/db"
)

// Classes returns the credit class (A-D) of each entity in ids, for
// modules that weight their work by credit (the inspect module's strata):
// the stored grade, or the grade the rules give its current facts when
// none is stored yet (no access check: the calling module decides).
//
// Up to classesByID ids, it selects the grades (and the facts of the
// entities without one) of those ids in SQL. Beyond that it reads the
// grade table in one pass and keeps the ids asked for: on PostgreSQL a
// parameter of 300,000 ids costs seconds to parse and probe where the
// whole table's scan costs a tenth of a second (docs/benchmarks.md,
// issue 15), and a frame that large is most of the registry.
func (s *Service) Classes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	where, args, err := s.idsWhere("entity_id", ids)
	if err != nil {
		return nil, err
	}
	var asked []int64 // sorted, when the scan reads more than was asked
	if where == "" {
		where, asked = "1=1", slices.Sorted(slices.Values(ids))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, grade FROM credit_grades WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var g string
		if err := rows.Scan(&id, &g); err != nil {
			rows.Close()
			return nil, err
		}
		if asked != nil {
			if _, ok := slices.BinarySearch(asked, id); !ok {
				continue
			}
		}
		out[id] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []int64
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	rules, err := s.GradeRules(ctx)
	if err != nil {
		return nil, err
	}
	if where, args, err = s.idsWhere("r.entity_id", missing); err != nil {
		return nil, err
	}
	if where == "" {
		where = "1=1"
	}
	facts, err := s.factsWhere(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	for _, id := range missing {
		var f Facts
		if p := facts[id]; p != nil {
			f = *p
		}
		out[id], _, _ = Evaluate(rules, f)
	}
	return out, nil
}

// classesByID is the largest id list Classes selects by id in SQL.
const classesByID = 2000

// idsWhere is the condition "col is one of ids" with its argument, or ""
// when there are more than classesByID ids (the caller reads every row).
func (s *Service) idsWhere(col string, ids []int64) (string, []any, error) {
	if len(ids) > classesByID {
		return "", nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return "", nil, err
	}
	return idsIn(s.DB.Dialect, col), []any{string(list)}, nil
}

// idsIn is the condition "col is one of the ids in $1", $1 being the ids
// as a JSON array: one statement and one parameter, where an IN list
// would need a parameter per id.
func idsIn(d db.Dialect, col string) string {
	if d == db.Postgres {
		return col + " IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)"
	}
	return col + " IN (SELECT value FROM json_each($1))"
}
