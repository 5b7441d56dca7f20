package credit

import "context"

// Classes returns the credit class (A-D) of each entity in ids, for
// modules that weight their work by credit (the inspect module's strata):
// the stored grade, or the grade the rules give its current facts when
// none is stored yet. It reads the whole grade table once (no access
// check: the calling module decides).
func (s *Service) Classes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, grade FROM credit_grades")
	if err != nil {
		return nil, err
	}
	stored := map[int64]string{}
	for rows.Next() {
		var id int64
		var g string
		if err := rows.Scan(&id, &g); err != nil {
			rows.Close()
			return nil, err
		}
		stored[id] = g
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing bool
	for _, id := range ids {
		if g, ok := stored[id]; ok {
			out[id] = g
		} else {
			missing = true
		}
	}
	if !missing {
		return out, nil
	}
	rules, err := s.GradeRules(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := s.factsWhere(ctx, "1=1")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		var f Facts
		if p := facts[id]; p != nil {
			f = *p
		}
		out[id], _, _ = Evaluate(rules, f)
	}
	return out, nil
}
