package entity

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/secret"
)

// testNow is the service clock in tests.
var testNow = time.Date(2025, 6, 1, 10, 0, 0, 0, cst)

// fixture is a service on a fresh database with three departments:
// deptA with a sub-department deptA1, and deptB.
type fixture struct {
	s                    *Service
	d                    *db.DB
	deptA, deptA1, deptB int64
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(testNow)
	fx := &fixture{d: d, s: &Service{DB: d, Audit: &audit.Log{DB: d, Clock: clk}, Keys: keys, Clock: clk}}
	ctx := context.Background()
	dept := func(code, name string, parent any) int64 {
		var id int64
		err := d.W(ctx).QueryRow(ctx, `INSERT INTO departments (parent_id, code, name, kind, created_at, updated_at)
			VALUES ($1, $2, $3, 'bureau', $4, $4) RETURNING id`, parent, code, name, testNow).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	fx.deptA = dept("scjg", "市场监管局", nil)
	fx.deptA1 = dept("scjg-wd", "魏都区市场监管局", fx.deptA)
	fx.deptB = dept("sw", "税务局", nil)
	return fx
}

func (fx *fixture) admin() context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 1, Username: "admin", Roles: []auth.Role{auth.PlatformAdmin}, Via: "session"})
}

func (fx *fixture) staffA() context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 2, Username: "staff-a", Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: fx.deptA, DeptScope: []int64{fx.deptA, fx.deptA1}, Via: "session"})
}

func (fx *fixture) staffA1() context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 5, Username: "staff-a1", Roles: []auth.Role{auth.DeptAdmin},
		DepartmentID: fx.deptA1, DeptScope: []int64{fx.deptA1}, Via: "session"})
}

func (fx *fixture) staffB() context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 3, Username: "staff-b", Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: fx.deptB, DeptScope: []int64{fx.deptB}, Via: "session"})
}

func supervisor() context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 4, Username: "jijian", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
}

func enterprise(entityID int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 9, Username: "ent", Roles: []auth.Role{auth.Enterprise}, EntityID: entityID, Via: "session"})
}

func (fx *fixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := fx.d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (fx *fixture) auditActions(t testing.TB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := fx.d.Q(ctx).Query(ctx, "SELECT action FROM audit_events ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// uscc returns a valid code with the given 17 first characters' prefix
// padded from seed.
func uscc(t testing.TB, first17 string) string {
	t.Helper()
	c, err := ident.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// idcard returns a valid identity card number.
func idcard(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed))
	return ident.GenerateIDCard(r, "411002", time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC), seed%2 == 0)
}

func ptr[T any](v T) *T { return &v }

// xlsxFile builds a workbook: sheets in order, each a list of rows.
func xlsxFile(t testing.TB, sheets []string, data map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range data[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importAudit returns the audit actions other than the per-entity
// "entity.import_write" events, and how many of those there are.
func (fx *fixture) importAudit(t testing.TB) (string, int) {
	t.Helper()
	var rest []string
	writes := 0
	for _, a := range fx.auditActions(t) {
		if a == "entity.import_write" {
			writes++
		} else {
			rest = append(rest, a)
		}
	}
	return strings.Join(rest, ","), writes
}
