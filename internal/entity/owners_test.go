package entity

import (
	"context"
	"slices"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

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
