package license_test

import (
	"context"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

func TestPublicCatalogue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 9, 0))
		// Department A: SP-JY with its own stage days, plus an inactive item.
		in := license.TypeInput{Code: "SP-JY", Name: "食品经营许可证", ValidityMonths: 60, LegalBasis: "《食品经营许可和备案管理办法》",
			ChannelsOnline: "河南政务服务网", ChannelsOffline: "市民之家A区", Materials: "延续申请书", Phone: "0374-1234567",
			Remind1Days: 60, Remind2Days: 15, FollowupDays: 5, LapseDays: 2, SendTime: "10:30", Active: true}
		if _, err := e.s.SaveType(e.admin(e.deptA, e.adminA), e.typeA.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.SaveType(e.admin(e.deptA, e.adminA), 0, license.TypeInput{Code: "AA-OLD", Name: "已取消的许可", Active: false}); err != nil {
			t.Fatal(err)
		}
		// No actor at all: the catalogue is public.
		units, err := e.s.PublicCatalogue(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != 2 || units[0].DepartmentCode != "XC-SJJ" || units[1].DepartmentCode != "XC-SWJ" {
			t.Fatalf("units: %+v", units)
		}
		a := units[0]
		if a.DepartmentName != "许昌市市场监督管理局" || len(a.Items) != 1 || a.Items[0].Code != "SP-JY" {
			t.Fatalf("department A (inactive item must not be listed): %+v", a)
		}
		it := a.Items[0]
		if it.ChannelsOnline != "河南政务服务网" || it.SendTime != "10:30" || it.ValidityMonths != 60 || it.LegalBasis == "" {
			t.Fatalf("item: %+v", it)
		}
		want := []struct {
			code string
			days int
			ch   string
		}{{license.PublicStageRemind1, 60, "sms"}, {license.PublicStageRemind2, 15, "sms"}, {license.PublicStageFollowup, 5, "call_visit"}, {license.PublicStageLapse, 2, "sms"}}
		if len(it.Stages) != len(want) {
			t.Fatalf("stages: %+v", it.Stages)
		}
		for i, w := range want {
			if st := it.Stages[i]; st.Code != w.code || st.Days != w.days || st.Channels[0] != w.ch {
				t.Fatalf("stage %d: %+v, want %+v", i, st, w)
			}
		}
		// One department; a department without active items gives nothing.
		only, err := e.s.PublicCatalogue(context.Background(), e.deptB)
		if err != nil {
			t.Fatal(err)
		}
		if len(only) != 1 || only[0].DepartmentID != e.deptB || only[0].Items[0].Code != "YP-LS" || only[0].Items[0].Stages[0].Days != 30 {
			t.Fatalf("department B: %+v", only)
		}
		if _, err := e.s.SaveType(e.admin(e.deptB, e.adminB), e.typeB.ID, license.TypeInput{Code: "YP-LS", Name: "药品经营许可证", Active: false}); err != nil {
			t.Fatal(err)
		}
		if none, err := e.s.PublicCatalogue(context.Background(), e.deptB); err != nil || len(none) != 0 {
			t.Fatalf("inactive department: %+v %v", none, err)
		}
	})
}
