package entity

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"yingshang/internal/yserr"
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

// Ref is the little other modules keep of an entity: its identity, its
// registering department and its legal representative's name.
type Ref struct {
	ID           int64
	USCC         string
	Name         string
	DepartmentID int64 // 0 when none
	LegalRepName string
	PhoneMask    string // the registered phone, masked
	InRegion     bool   // FindRefsFrom: inside the region asked for
}

const refCols = "id, uscc, name, COALESCE(department_id, 0), legal_rep_name, phone_mask"

// Refs returns the entities with the ids, in one query; unknown ids are
// absent from the map.
func (s *Service) Refs(ctx context.Context, ids []int64) (map[int64]Ref, error) {
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = id
	}
	out := map[int64]Ref{}
	err := s.refs(ctx, "id", keys, func(r Ref) { out[r.ID] = r })
	return out, err
}

// RefsByUSCC returns the entities with the credit codes (upper case), in
// one query; unknown codes are absent from the map.
func (s *Service) RefsByUSCC(ctx context.Context, codes []string) (map[string]Ref, error) {
	keys := make([]any, len(codes))
	for i, c := range codes {
		keys[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	out := map[string]Ref{}
	err := s.refs(ctx, "uscc", keys, func(r Ref) { out[r.USCC] = r })
	return out, err
}

// Ref returns one entity by id, or by credit code when id is 0; NotFound
// on field entity_id when there is none.
func (s *Service) Ref(ctx context.Context, id int64, uscc string) (Ref, error) {
	var r Ref
	var found bool
	col, key := "id", any(id)
	if id == 0 {
		col, key = "uscc", any(strings.ToUpper(strings.TrimSpace(uscc)))
	}
	if err := s.refs(ctx, col, []any{key}, func(x Ref) { r, found = x, true }); err != nil {
		return r, err
	}
	if !found {
		return r, yserr.Field("entity_id", "经营主体不存在", "no such market entity")
	}
	return r, nil
}

func (s *Service) refs(ctx context.Context, col string, keys []any, each func(Ref)) error {
	// Bounded batches keep every engine under its bind-parameter limit.
	const batch = 1000
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(len(keys), start+batch)]
		ph := make([]string, len(part))
		for i := range part {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+refCols+" FROM entities WHERE "+col+" IN ("+strings.Join(ph, ", ")+")", part...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r Ref
			if err := rows.Scan(&r.ID, &r.USCC, &r.Name, &r.DepartmentID, &r.LegalRepName, &r.PhoneMask); err != nil {
				rows.Close()
				return err
			}
			each(r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// MaxID returns the highest entity id (0 when there are none), for callers
// that walk the registry in id ranges.
func (s *Service) MaxID(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM entities").Scan(&n)
	return n, err
}

// IDsBetween lists the ids of the entities with lo <= id <= hi, ascending.
func (s *Service) IDsBetween(ctx context.Context, lo, hi int64) ([]int64, error) {
	return s.ids(ctx, "SELECT id FROM entities WHERE id BETWEEN $1 AND $2 ORDER BY id", lo, hi)
}

// IDsWithStatus lists the ids of the first limit entities (by id) whose
// status is one of the statuses.
func (s *Service) IDsWithStatus(ctx context.Context, limit int, statuses ...string) ([]int64, error) {
	if len(statuses) == 0 || limit <= 0 {
		return nil, nil
	}
	args := make([]any, len(statuses))
	ph := make([]string, len(statuses))
	for i, st := range statuses {
		args[i] = st
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	return s.ids(ctx, fmt.Sprintf("SELECT id FROM entities WHERE status IN (%s) ORDER BY id LIMIT %d", strings.Join(ph, ", "), limit), args...)
}

// FindRefs returns the entities whose credit code is code (upper-cased) or
// whose name contains fragment (literally: % and _ match themselves), by
// name, at most limit. An empty fragment matches no name.
func (s *Service) FindRefs(ctx context.Context, code, fragment string, limit int) ([]Ref, error) {
	return s.FindRefsFrom(ctx, code, fragment, "", limit)
}

// FindRefsFrom is FindRefs with the entities of region (a GB/T 2260 code;
// a province or city code covers its counties) first, then the others, each
// by name; the order is decided before the limit. The refs carry
// InRegion. An empty region is FindRefs.
func (s *Service) FindRefsFrom(ctx context.Context, code, fragment, region string, limit int) ([]Ref, error) {
	if limit <= 0 {
		return nil, nil
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	cond, args := "(uscc = $1", []any{code}
	if fragment != "" {
		cond += ` OR name LIKE $2 ESCAPE '\'`
		args = append(args, "%"+escapeLike(fragment)+"%")
	}
	cond += ")"
	local := "0"
	if p := RegionPrefix(region); p != "" {
		args = append(args, p+"%")
		local = fmt.Sprintf("CASE WHEN region_code LIKE $%d THEN 1 ELSE 0 END", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT "+refCols+", "+local+" AS local FROM entities WHERE %s ORDER BY local DESC, name, id LIMIT %d", cond, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		var local int
		if err := rows.Scan(&r.ID, &r.USCC, &r.Name, &r.DepartmentID, &r.LegalRepName, &r.PhoneMask, &local); err != nil {
			return nil, err
		}
		r.InRegion = local == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// RegionPrefix is the prefix every code inside region shares: "411000"
// (a city) -> "4110", "410000" (a province) -> "41", "411002" -> "411002".
// Codes that are not six digits give "".
func RegionPrefix(region string) string {
	if len(region) != 6 || strings.Trim(region, "0123456789") != "" {
		return ""
	}
	p := region
	for len(p) > 2 && strings.HasSuffix(p, "00") {
		p = p[:len(p)-2]
	}
	if p == "00" {
		return ""
	}
	return p
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Service) RefsAfter(ctx context.Context, after int64, limit int) ([]Ref, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+refCols+" FROM entities WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ref
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.USCC, &r.Name, &r.DepartmentID, &r.LegalRepName, &r.PhoneMask); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) InDepartments(ctx context.Context, ids, depts []int64) ([]int64, error) {
	out := []int64{}
	if len(ids) == 0 || len(depts) == 0 {
		return out, nil
	}
	const batch = 1000
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(len(ids), start+batch)]
		var args []any
		list := func(vs []int64) string {
			ph := make([]string, len(vs))
			for i, v := range vs {
				args = append(args, v)
				ph[i] = "$" + strconv.Itoa(len(args))
			}
			return strings.Join(ph, ", ")
		}
		q := "SELECT id FROM entities WHERE id IN (" + list(part) + ") AND department_id IN (" + list(depts) + ") ORDER BY id"
		rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
