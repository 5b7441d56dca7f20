package entity

import (
	"context"
	"strconv"
	"strings"
)

// Attrs are the registry attributes that policy rules read (module
// policy): no names, no personal data. No access checks: the caller
// decides who sees what it derives from them.
type Attrs struct {
	ID           int64
	USCC         string
	Type         string
	IndustryCode string
	SizeClass    string
	RegionCode   string
	FoundedOn    string // YYYY-MM-DD or ""
	Status       Status
	Tags         []string
	Employees    *int
	RevenueWan   *float64
}

const attrCols = "id, uscc, entity_type, industry_code, size_class, region_code, founded_on, status, tags, employees, revenue_wan"

func scanAttrs(r interface{ Scan(...any) error }, a *Attrs) error {
	var tags string
	var emp *int64
	if err := r.Scan(&a.ID, &a.USCC, &a.Type, &a.IndustryCode, &a.SizeClass, &a.RegionCode, &a.FoundedOn, &a.Status, &tags, &emp, &a.RevenueWan); err != nil {
		return err
	}
	a.Tags = decodeTags(tags)
	if emp != nil {
		n := int(*emp)
		a.Employees = &n
	}
	return nil
}

// EachAttrs streams the attributes of every entity with id > after, in id
// order, in pages of batch rows (one query per page, so no transaction is
// held open); fn returning an error stops the walk.
func (s *Service) EachAttrs(ctx context.Context, after int64, batch int, fn func(*Attrs) error) error {
	if batch <= 0 {
		batch = 5000
	}
	for {
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+attrCols+" FROM entities WHERE id > $1 ORDER BY id LIMIT $2", after, batch)
		if err != nil {
			return err
		}
		page := make([]Attrs, 0, batch)
		for rows.Next() {
			page = append(page, Attrs{})
			if err := scanAttrs(rows, &page[len(page)-1]); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The page is read and its rows closed before fn runs, so fn may
		// query the database on the same connection.
		for i := range page {
			after = page[i].ID
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < batch {
			return nil
		}
	}
}

// AttrsOf returns the attributes of the entities with the ids; unknown ids
// are absent from the map.
func (s *Service) AttrsOf(ctx context.Context, ids []int64) (map[int64]*Attrs, error) {
	out := map[int64]*Attrs{}
	const batch = 1000
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(len(ids), start+batch)]
		ph := make([]string, len(part))
		args := make([]any, len(part))
		for i, id := range part {
			ph[i], args[i] = "$"+strconv.Itoa(i+1), id
		}
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+attrCols+" FROM entities WHERE id IN ("+strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a := &Attrs{}
			if err := scanAttrs(rows, a); err != nil {
				rows.Close()
				return nil, err
			}
			out[a.ID] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
