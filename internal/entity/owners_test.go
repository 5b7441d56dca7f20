package entity

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
)

// TestOwnerPages: RefsAfter pages the registry by id, InDepartments keeps
// the entities the departments manage, Refs carries the masked phone.
func TestOwnerPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := &Service{DB: d}
		ctx := context.Background()
		now := time.Now()
		ins := func(q string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := d.W(ctx).QueryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		dA := ins("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-A', 'A', 'bureau', $1, $1)", now)
		dB := ins("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-B', 'B', 'bureau', $1, $1)", now)
		rnd := rand.New(rand.NewPCG(5, 6))
		var ids []int64
		for i, dept := range []any{dA, dB, nil, dA, dB} {
			ids = append(ids, ins("INSERT INTO entities (uscc, name, department_id, phone_mask, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
				ident.GenerateUSCC(rnd, "411002"), "主体"+string(rune('A'+i)), dept, "138****000"+string(rune('0'+i)), now))
		}
		var seen []int64
		for after := int64(0); ; {
			page, err := s.RefsAfter(ctx, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("page of %d", len(page))
			}
			for _, r := range page {
				seen = append(seen, r.ID)
			}
			after = page[len(page)-1].ID
		}
		if !slices.Equal(seen, ids) {
			t.Fatalf("paged %v, want %v", seen, ids)
		}
		in, err := s.InDepartments(ctx, append(slices.Clone(ids), 999999), []int64{dA})
		if err != nil || !slices.Equal(in, []int64{ids[0], ids[3]}) {
			t.Fatalf("in department A: %v %v", in, err)
		}
		if in, err := s.InDepartments(ctx, ids, nil); err != nil || len(in) != 0 {
			t.Fatalf("no departments: %v %v", in, err)
		}
		refs, err := s.Refs(ctx, ids[1:3])
		if err != nil || len(refs) != 2 || refs[ids[1]].PhoneMask != "138****0001" || refs[ids[1]].DepartmentID != dB || refs[ids[2]].DepartmentID != 0 {
			t.Fatalf("refs: %+v %v", refs, err)
		}
	})
}
