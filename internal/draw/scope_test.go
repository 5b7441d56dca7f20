package draw_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// The project list applies the access rule in the query: with more than a
// page (500) of another department's projects opening later, the centre's
// staff and the tenderer still see theirs.
func TestProjectsScopeBeforeTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mine := e.project()
		ctx := context.Background()
		later := start.AddDate(0, 1, 0)
		for from := 0; from < 520; from += 100 {
			var vals []string
			var args []any
			for i := from; i < from+100 && i < 520; i++ {
				args = append(args, fmt.Sprintf("OTHER-%03d", i), e.otherUSCC, later, e.other, start)
				n := len(args)
				vals = append(vals, fmt.Sprintf("($%d, '其他项目', 'works', 1000000, 'A01', $%d, $%d, $%d, $%d, $%d)", n-4, n-3, n-2, n-1, n, n))
			}
			if _, err := d.W(ctx).Exec(ctx, `INSERT INTO draw_projects (code, name, kind, budget_yuan, specialties, tenderer_uscc,
				opening_at, department_id, created_at, updated_at) VALUES `+strings.Join(vals, ", "), args...); err != nil {
				t.Fatal(err)
			}
		}
		for name, ctx := range map[string]context.Context{"centre staff": e.staff, "tenderer": e.ent} {
			list, err := e.s.Projects(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != mine.ID {
				t.Errorf("%s see %d projects, want their 1", name, len(list))
			}
		}
		other := auth.WithActor(ctx, &auth.Actor{UserID: 99, Username: "sjj", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: e.other,
			DeptScope: []int64{e.other}, Via: "session"})
		list, err := e.s.Projects(other)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 500 || list[0].DepartmentID != e.other {
			t.Errorf("the other department sees %d projects, want a full page", len(list))
		}
		sup := auth.WithActor(ctx, &auth.Actor{UserID: 98, Username: "sup", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
		if list, err = e.s.Projects(sup); err != nil || len(list) != 500 {
			t.Errorf("supervisor: %d projects, %v", len(list), err)
		}
	})
}
