package draw_test

import (
	"context"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestProjectLookups: ProjectsByID returns the projects in one call (no
// access check), unknown ids absent; ProjectIDByName finds by name, 0 when
// none.
func TestProjectLookups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		p := e.project()
		ctx := context.Background()
		ps, err := e.s.ProjectsByID(ctx, []int64{p.ID, p.ID + 1000})
		if err != nil {
			t.Fatal(err)
		}
		got := ps[p.ID]
		if len(ps) != 1 || got == nil || got.Code != p.Code || got.Name != p.Name || got.TendererUSCC != p.TendererUSCC ||
			got.DepartmentID != p.DepartmentID || got.Committee != p.Committee || !got.OpeningAt.Equal(p.OpeningAt) {
			t.Fatalf("projects by id: %+v, want %+v", ps, p)
		}
		if id, err := e.s.ProjectIDByName(ctx, p.Name); err != nil || id != p.ID {
			t.Fatalf("by name: %d %v", id, err)
		}
		if id, err := e.s.ProjectIDByName(ctx, "没有这个项目"); err != nil || id != 0 {
			t.Fatalf("unknown name: %d %v", id, err)
		}
	})
}
