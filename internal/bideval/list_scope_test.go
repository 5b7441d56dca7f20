package bideval

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// The project list is scoped in SQL before its LIMIT: with more of another
// department's projects than one page, the centre's staff still see theirs,
// and another department's staff do not see the centre's.
func TestProjectListScopedBeforeLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mine := e.project("本中心项目")
		ctx := context.Background()
		at := time.Date(2027, 3, 1, 1, 0, 0, 0, time.UTC) // later deadlines sort first
		other := e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XX-JYZX','外地交易中心','office',$1,$1)", at)
		err := d.WithTx(ctx, func(ctx context.Context) error {
			for i := 0; i < 510; i++ {
				var pid int64
				if err := d.Q(ctx).QueryRow(ctx, `INSERT INTO draw_projects (code, name, kind, budget_yuan, specialties, tenderer_uscc, opening_at,
					department_id, created_at, updated_at) VALUES ($1, $2, 'works', 100000, 'A01', '91411002MA9XK1QR11', $3, $4, $3, $3) RETURNING id`,
					fmt.Sprintf("XX-%04d", i), fmt.Sprintf("外地项目%d", i), at, other).Scan(&pid); err != nil {
					return err
				}
				if _, err := d.Q(ctx).Exec(ctx, `INSERT INTO bideval_projects (project_id, deadline_at, template_json, price_max, created_at, updated_at)
					VALUES ($1, $2, '[]', 100, $2, $2)`, pid, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.s.Projects(e.staff)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ProjectID != mine {
			t.Fatalf("the centre's staff see %d projects, want only their own %d", len(list), mine)
		}
		stranger := auth.WithActor(ctx, &auth.Actor{UserID: 9998, Username: "xx", Roles: []auth.Role{auth.DeptStaff},
			DepartmentID: other, DeptScope: []int64{other}, Via: "session"})
		list, err = e.s.Projects(stranger)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 500 {
			t.Fatalf("the other centre sees %d of its 510 projects, want a full page of 500", len(list))
		}
		for _, p := range list {
			if p.ProjectID == mine {
				t.Fatal("another department's staff see the centre's project")
			}
		}
	})
}
