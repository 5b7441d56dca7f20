package account_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// TestDirectoryAPIs: what other modules read of accounts (contacts for
// notify, user refs, demo actors, renames), batched and exact.
func TestDirectoryAPIs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		ctx := context.Background()
		city, err := s.CreateDepartment(sys, account.DepartmentInput{Code: "XC", Name: "许昌市人民政府", Kind: "city", RegionCode: "411000"})
		if err != nil {
			t.Fatal(err)
		}
		amr, err := s.CreateDepartment(sys, account.DepartmentInput{ParentID: city.ID, Code: "XC-SJJ", Name: "许昌市市场监督管理局", Kind: "bureau"})
		if err != nil {
			t.Fatal(err)
		}
		var ent int64
		uscc := ident.GenerateUSCC(rand.New(rand.NewPCG(3, 4)), "411002")
		if err := d.W(ctx).QueryRow(ctx, "INSERT INTO entities (uscc, name, created_at, updated_at) VALUES ($1, '许昌示例有限公司', $2, $2) RETURNING id",
			uscc, time.Now()).Scan(&ent); err != nil {
			t.Fatal(err)
		}
		staff, err := s.CreateUser(sys, account.UserInput{Username: "sjj-staff", DisplayName: "王芳", Password: "Passw0rd-123", DepartmentID: city.ID,
			Phone: "13812345678", Email: "wf@example.cn", Lang: "en", Roles: []auth.Role{auth.DeptStaff, auth.DeptAdmin}})
		if err != nil {
			t.Fatal(err)
		}
		boss, err := s.CreateUser(sys, account.UserInput{Username: "boss", DisplayName: "张伟", Password: "Passw0rd-123", EntityID: ent,
			Roles: []auth.Role{auth.Enterprise}})
		if err != nil {
			t.Fatal(err)
		}

		cs, err := s.Contacts(ctx, []int64{staff.ID, boss.ID, 999999})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 || cs[staff.ID].Phone != "13812345678" || cs[staff.ID].Email != "wf@example.cn" || cs[staff.ID].Lang != "en" || cs[boss.ID].Phone != "" {
			t.Fatalf("contacts: %+v", cs)
		}

		refs, err := s.UserRefs(ctx, []int64{staff.ID, boss.ID, 999999})
		if err != nil {
			t.Fatal(err)
		}
		st, bo := refs[staff.ID], refs[boss.ID]
		if len(refs) != 2 || st.Username != "sjj-staff" || st.DisplayName != "王芳" || st.DepartmentID != city.ID || !st.Active || !st.HasPhone ||
			!slices.Equal(st.Roles, []auth.Role{auth.DeptAdmin, auth.DeptStaff}) {
			t.Fatalf("staff ref: %+v", st)
		}
		if bo.EntityID != ent || bo.HasPhone || !slices.Equal(bo.Roles, []auth.Role{auth.Enterprise}) {
			t.Fatalf("boss ref: %+v", bo)
		}
		byName, err := s.UserRefsByName(ctx, []string{"boss", "nobody"})
		if err != nil || len(byName) != 1 || byName["boss"].ID != boss.ID {
			t.Fatalf("by name: %+v %v", byName, err)
		}

		a, err := s.ActorOf(ctx, "sjj-staff", "session")
		if err != nil {
			t.Fatal(err)
		}
		if a.UserID != staff.ID || !a.Has(auth.DeptAdmin) || !a.InScope(amr.ID) || a.Via != "session" {
			t.Fatalf("actor: %+v", a)
		}
		if _, err := s.ActorOf(ctx, "nobody", "session"); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("actor of nobody: %v", err)
		}

		if err := s.SetDisplayName(ctx, boss.ID, "张伟（法人）"); err != nil {
			t.Fatal(err)
		}
		if refs, _ := s.UserRefs(ctx, []int64{boss.ID}); refs[boss.ID].DisplayName != "张伟（法人）" {
			t.Fatalf("renamed: %+v", refs[boss.ID])
		}
		if err := s.SetDisplayName(ctx, 999999, "x"); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("rename of nobody: %v", err)
		}
	})
}

func TestUserEntity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		ctx := context.Background()
		var ent int64
		if err := d.W(ctx).QueryRow(ctx, `INSERT INTO entities (uscc, name, created_at, updated_at)
			VALUES ('91411002MA44XJ5T2X', '许昌测试有限公司', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id`).Scan(&ent); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct {
			name string
			ent  any
		}{{"bound", ent}, {"unbound", nil}} {
			if _, err := d.W(ctx).Exec(ctx, `INSERT INTO users (username, display_name, password_hash, entity_id, created_at, updated_at)
				VALUES ($1, $1, '', $2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, u.name, u.ent); err != nil {
				t.Fatal(err)
			}
		}
		for name, want := range map[string]int64{"bound": ent, "unbound": 0, "nobody": 0} {
			if got, err := s.UserEntity(ctx, name); err != nil || got != want {
				t.Errorf("UserEntity(%s) = %d, %v; want %d", name, got, err, want)
			}
		}
	})
}
