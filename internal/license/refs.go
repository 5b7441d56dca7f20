package license

import (
	"cmp"
	"context"
	"slices"

	"yingshang/internal/account"
)

// Department names come from the account directory for the page of ids a
// query returned; the module's SQL never reads the departments table.

// deptRefs returns the departments with the ids (repeats ignored) in one
// call to the directory.
func (s *Service) deptRefs(ctx context.Context, ids []int64) (map[int64]account.DeptRef, error) {
	seen := make(map[int64]bool, len(ids))
	uniq := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	return s.Accounts.DepartmentRefs(ctx, uniq)
}

// nameLicenses fills the department names of the licences.
func (s *Service) nameLicenses(ctx context.Context, list []*License) error {
	ids := make([]int64, len(list))
	for i, l := range list {
		ids[i] = l.DepartmentID
	}
	refs, err := s.deptRefs(ctx, ids)
	if err != nil {
		return err
	}
	for _, l := range list {
		l.DepartmentName = refs[l.DepartmentID].Name
	}
	return nil
}

// nameTypes fills the department names of the catalogue entries and
// returns the departments (for sorting by their code).
func (s *Service) nameTypes(ctx context.Context, list []*Type) error {
	_, err := s.nameTypeDepts(ctx, list)
	return err
}

func (s *Service) nameTypeDepts(ctx context.Context, list []*Type) (map[int64]account.DeptRef, error) {
	ids := make([]int64, len(list))
	for i, t := range list {
		ids[i] = t.DepartmentID
	}
	refs, err := s.deptRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		t.DepartmentName = refs[t.DepartmentID].Name
	}
	return refs, nil
}

// byDeptCode orders items by their department's code, then by their own
// code (the catalogue order), stably. Callers sort whole result sets only,
// never a page cut by a LIMIT.
func byDeptCode[T any](list []T, refs map[int64]account.DeptRef, dept func(T) int64, code func(T) string) {
	slices.SortStableFunc(list, func(a, b T) int {
		return cmp.Or(cmp.Compare(refs[dept(a)].Code, refs[dept(b)].Code), cmp.Compare(code(a), code(b)))
	})
}

// licenseByID reads one licence with its department name; db.IsNoRows
// when there is none.
func (s *Service) licenseByID(ctx context.Context, id int64) (*License, error) {
	l, err := scanLicense(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+licenseCols+licenseFrom+" WHERE l.id = $1", id))
	if err != nil {
		return nil, err
	}
	return l, s.nameLicenses(ctx, []*License{l})
}
