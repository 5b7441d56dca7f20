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

func TestOwnerLookups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		bg := context.Background()
		if n, err := fx.s.MaxID(bg); err != nil || n != 0 {
			t.Fatalf("empty MaxID = %d, %v", n, err)
		}
		var ids []int64
		for i, name := range []string{"许昌乙_商行有限公司", "许昌甲%服饰有限公司", "许昌丙服饰有限公司"} {
			in := validInput(t)
			in.USCC = uscc(t, "91411002MA44XJ5T"+string(rune('2'+i)))
			in.Name = name
			e, err := fx.s.Create(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if _, err := d.W(bg).Exec(bg, "UPDATE entities SET status = 'cancelled' WHERE id = $1", ids[1]); err != nil {
			t.Fatal(err)
		}
		if n, err := fx.s.MaxID(bg); err != nil || n != ids[2] {
			t.Errorf("MaxID = %d, %v; want %d", n, err, ids[2])
		}
		if got, err := fx.s.IDsBetween(bg, ids[1], ids[2]+10); err != nil || !slices.Equal(got, ids[1:]) {
			t.Errorf("IDsBetween = %v, %v; want %v", got, err, ids[1:])
		}
		if got, err := fx.s.IDsWithStatus(bg, 1, string(StatusActive), "operating"); err != nil || !slices.Equal(got, ids[:1]) {
			t.Errorf("IDsWithStatus limit 1 = %v, %v", got, err)
		}
		if got, err := fx.s.IDsWithStatus(bg, 10, string(StatusActive)); err != nil || !slices.Equal(got, []int64{ids[0], ids[2]}) {
			t.Errorf("IDsWithStatus active = %v, %v", got, err)
		}
		names := func(rs []Ref) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		// By name, ordered by name; % and _ in the fragment are literal.
		if got, err := fx.s.FindRefs(bg, "", "服饰", 10); err != nil || len(got) != 2 || !slices.Contains(names(got), ids[1]) || !slices.Contains(names(got), ids[2]) {
			t.Errorf("FindRefs 服饰 = %+v, %v", got, err)
		}
		if got, err := fx.s.FindRefs(bg, "", "甲%服", 10); err != nil || !slices.Equal(names(got), ids[1:2]) {
			t.Errorf("FindRefs literal %% = %+v, %v", got, err)
		}
		if got, err := fx.s.FindRefs(bg, "", "许昌_", 10); err != nil || len(got) != 0 {
			t.Errorf("FindRefs literal _ = %+v, %v", got, err)
		}
		if got, err := fx.s.FindRefs(bg, "", "服饰", 1); err != nil || len(got) != 1 {
			t.Errorf("FindRefs limit = %+v, %v", got, err)
		}
		// By credit code, in any case.
		code := uscc(t, "91411002MA44XJ5T4")
		got, err := fx.s.FindRefs(bg, " "+code+" ", "", 10)
		if err != nil || len(got) != 1 || got[0].ID != ids[2] || got[0].USCC != code || got[0].Name != "许昌丙服饰有限公司" {
			t.Errorf("FindRefs by code = %+v, %v", got, err)
		}
	})
}
