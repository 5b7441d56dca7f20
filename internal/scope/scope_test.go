package scope

import (
	"reflect"
	"testing"

	"yingshang/internal/auth"
)

func TestWhere(t *testing.T) {
	cols := Columns{Dept: "c.department_id", Entity: "c.entity_id"}
	pub := Columns{Dept: "r.department_id", Public: "r.published = TRUE"}
	staff := &auth.Actor{UserID: 1, Roles: []auth.Role{auth.DeptStaff}, DepartmentID: 3, DeptScope: []int64{3, 7, 9}}
	ent := &auth.Actor{UserID: 2, Roles: []auth.Role{auth.Enterprise}, EntityID: 42}
	both := &auth.Actor{UserID: 3, Roles: []auth.Role{auth.DeptAdmin, auth.Enterprise}, DeptScope: []int64{5}, EntityID: 6}
	for _, c := range []struct {
		name     string
		a        *auth.Actor
		cols     Columns
		prior    []any
		want     string
		wantArgs []any
	}{
		{"system", auth.System("job"), cols, nil, "(1 = 1)", nil},
		{"admin", &auth.Actor{Roles: []auth.Role{auth.PlatformAdmin}}, cols, nil, "(1 = 1)", nil},
		{"supervisor", &auth.Actor{Roles: []auth.Role{auth.Supervisor}}, cols, nil, "(1 = 1)", nil},
		{"staff subtree", staff, cols, []any{"open"}, "(c.department_id IN ($2, $3, $4))", []any{"open", int64(3), int64(7), int64(9)}},
		{"staff without scope", &auth.Actor{Roles: []auth.Role{auth.DeptStaff}}, cols, nil, "(1 = 0)", nil},
		{"enterprise", ent, cols, nil, "(c.entity_id = $1)", []any{int64(42)}},
		{"unbound enterprise", &auth.Actor{Roles: []auth.Role{auth.Enterprise}}, cols, nil, "(1 = 0)", nil},
		{"both roles", both, cols, nil, "(c.department_id IN ($1) OR c.entity_id = $2)", []any{int64(5), int64(6)}},
		{"expert", &auth.Actor{Roles: []auth.Role{auth.Expert}}, cols, nil, "(1 = 0)", nil},
		{"public", nil, pub, nil, "(r.published = TRUE)", nil},
		{"public, nothing public", nil, cols, nil, "(1 = 0)", nil},
		{"enterprise on rows without entity", ent, pub, nil, "(r.published = TRUE)", nil},
		{"staff or public", staff, pub, nil, "(r.department_id IN ($1, $2, $3) OR r.published = TRUE)", []any{int64(3), int64(7), int64(9)}},
	} {
		got, args := Where(c.a, c.cols, c.prior)
		if got != c.want || !reflect.DeepEqual(args, c.wantArgs) {
			t.Errorf("%s: got %q %v, want %q %v", c.name, got, args, c.want, c.wantArgs)
		}
	}
}
