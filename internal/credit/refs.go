package credit

import (
	"context"

	"yingshang/internal/account"
	"yingshang/internal/entity"
)

// Names of entities and departments come from their owners (entity,
// account) for the page of ids a query returned; credit's SQL never reads
// their tables.

// entityRefs returns the entities with the ids (duplicates and zeros
// ignored) in one call to the registry.
func (s *Service) entityRefs(ctx context.Context, ids []int64) (map[int64]entity.Ref, error) {
	return s.Entities.Refs(ctx, uniqueIDs(ids))
}

// deptRefs returns the departments with the ids (duplicates and zeros
// ignored) in one call to the account directory.
func (s *Service) deptRefs(ctx context.Context, ids []int64) (map[int64]account.DeptRef, error) {
	return s.Accounts.DepartmentRefs(ctx, uniqueIDs(ids))
}

// uniqueIDs drops zeros and repeats, keeping the first order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// nameRecords fills the entity name, credit code and department name of
// the records, in one call to each owner.
func (s *Service) nameRecords(ctx context.Context, list []*Record) error {
	ents := make([]int64, len(list))
	depts := make([]int64, len(list))
	for i, r := range list {
		ents[i], depts[i] = r.EntityID, r.DepartmentID
	}
	er, err := s.entityRefs(ctx, ents)
	if err != nil {
		return err
	}
	dr, err := s.deptRefs(ctx, depts)
	if err != nil {
		return err
	}
	for _, r := range list {
		e := er[r.EntityID]
		r.EntityName, r.USCC, r.DepartmentName = e.Name, e.USCC, dr[r.DepartmentID].Name
	}
	return nil
}

// recordByID reads one record with its names; sql.ErrNoRows (db.IsNoRows)
// when there is none.
func (s *Service) recordByID(ctx context.Context, id int64) (*Record, error) {
	r, err := scanRecord(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.id = $1", id))
	if err != nil {
		return nil, err
	}
	return r, s.nameRecords(ctx, []*Record{r})
}

// nameRepairs fills the entity names of the applications in one call.
func (s *Service) nameRepairs(ctx context.Context, list []*Repair) error {
	ids := make([]int64, len(list))
	for i, p := range list {
		ids[i] = p.EntityID
	}
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range list {
		p.EntityName = refs[p.EntityID].Name
	}
	return nil
}

// repairByID reads one application with its entity name; db.IsNoRows
// when there is none.
func (s *Service) repairByID(ctx context.Context, id int64) (*Repair, error) {
	p, err := scanRepair(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+repairCols+repairFrom+" WHERE p.id = $1", id))
	if err != nil {
		return nil, err
	}
	return p, s.nameRepairs(ctx, []*Repair{p})
}
