package license_test

import (
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

// Department names come from the account directory, and the catalogue and
// the dashboard are ordered by department code, then type code.
func TestDepartmentNamesAndOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 9, 0))
		// A type of department A (XC-SJJ) whose code sorts after department
		// B's (XC-SWJ) type YP-LS: department code decides first.
		if _, err := e.s.SaveType(e.admin(e.deptA, e.adminA), 0, license.TypeInput{Code: "ZZ-01", Name: "其他许可", ChannelsOffline: "市民之家A区", Active: true}); err != nil {
			t.Fatal(err)
		}
		types, err := e.s.Types(e.sysAdmin, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ty := range types {
			got = append(got, ty.Code+"/"+ty.DepartmentName)
		}
		if want := "SP-JY/许昌市市场监督管理局,ZZ-01/许昌市市场监督管理局,YP-LS/许昌市商务局"; strings.Join(got, ",") != want {
			t.Errorf("catalogue = %s, want %s", strings.Join(got, ","), want)
		}
		st, err := e.s.Stats(e.sysAdmin)
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, s := range st {
			got = append(got, s.TypeName+"/"+s.DepartmentName)
		}
		if want := "食品经营许可证/许昌市市场监督管理局,其他许可/许昌市市场监督管理局,药品经营许可证/许昌市商务局"; strings.Join(got, ",") != want {
			t.Errorf("stats = %s, want %s", strings.Join(got, ","), want)
		}
		ty, err := e.s.GetType(e.sysAdmin, e.typeB.ID)
		if err != nil || ty.DepartmentName != "许昌市商务局" {
			t.Errorf("GetType = %+v, %v", ty, err)
		}

		e.add(e.lic("N-1", "2026-12-10"))
		id := e.licenseID("N-1")
		l, err := e.s.Get(e.admin(e.deptA, e.adminA), id)
		if err != nil || l.DepartmentName != "许昌市市场监督管理局" || l.EntityID != e.entity1 {
			t.Errorf("Get = %+v, %v", l, err)
		}
		list, _, err := e.s.List(e.sysAdmin, license.Filter{})
		if err != nil || len(list) != 1 || list[0].DepartmentName != "许昌市市场监督管理局" {
			t.Errorf("List = %+v, %v", list, err)
		}
		mine, err := e.s.Mine(e.ent())
		if err != nil || len(mine) != 1 || mine[0].DepartmentName != "许昌市市场监督管理局" {
			t.Errorf("Mine = %+v, %v", mine, err)
		}
	})
}
