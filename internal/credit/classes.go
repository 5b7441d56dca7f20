package credit

import (
	"context"
	"encoding/json"

	"yingshang/internal/db"
)

// Classes returns the credit class (A-D) of each entity in ids, for
// modules that weight their work by credit (the inspect module's strata):
// the stored grade, or the grade the rules give its current facts when
// none is stored yet. It reads the grades (and, for entities without one,
// the facts) of the ids asked for only, selected in SQL (no access check:
// the calling module decides).
func (s *Service) Classes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	in := idsIn(s.DB.Dialect, "entity_id")
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, grade FROM credit_grades WHERE "+in, string(list))
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
	if list, err = json.Marshal(missing); err != nil {
		return nil, err
	}
	facts, err := s.factsWhere(ctx, idsIn(s.DB.Dialect, "r.entity_id"), string(list))
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

// idsIn is the condition "col is one of the ids in $1", $1 being the ids
// as a JSON array: one statement and one parameter however many ids there
// are (a plan's frame asks for 300,000), where an IN list would need a
// parameter each and batches under each engine's limit.
func idsIn(d db.Dialect, col string) string {
	if d == db.Postgres {
		return col + " IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)"
	}
	return col + " IN (SELECT value FROM json_each($1))"
}
