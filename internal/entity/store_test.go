package entity

import (
	"context"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

func TestCreateGetUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		in := validInput(t)
		in.USCC = strings.ToLower(in.USCC)
		in.Tags = []string{"专精特新", "规上企业", "专精特新"}
		e, err := fx.s.Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		code := uscc(t, "91411002MA44XJ5T2")
		if e.ID == 0 || e.USCC != code || e.RegionCode != "411002" || e.RegionName != "河南省许昌市魏都区" ||
			e.IndustryName != "服装批发" || e.SizeClass != refdata.SizeSmall || e.SizeSource != SizeComputed ||
			e.Status != StatusActive || *e.Employees != 35 || *e.RevenueWan != 1280.5 || e.AssetsWan != nil ||
			e.FoundedOn != "2019-03-15" || e.LegalRepID != idcard(1) || e.Phone != "13812345678" || e.Masked ||
			strings.Join(e.Tags, ",") != "专精特新,规上企业" || e.DepartmentID != 0 || !e.CreatedAt.Equal(testNow) {
			t.Errorf("created %+v", e)
		}
		got, err := fx.s.GetByUSCC(ctx, " "+strings.ToLower(code))
		if err != nil || got.ID != e.ID {
			t.Fatalf("GetByUSCC: %v %+v", err, got)
		}
		if _, err := fx.s.Create(ctx, in); !yserr.Is(err, yserr.Conflict) || yserr.As(err).Field != FieldUSCC {
			t.Errorf("duplicate create: %v", err)
		}
		if _, err := fx.s.Get(ctx, e.ID+100); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("missing: %v", err)
		}

		// Update: masked personal data as shown to others keeps the stored value.
		up := in
		up.Name = "许昌市魏都区瑞丰服饰有限公司"
		up.LegalRepID = ident.MaskIDCard(idcard(1))
		up.Phone = "138****5678"
		up.Employees, up.RevenueWan = ptr(400), ptr(50000.0)
		e2, err := fx.s.Update(ctx, e.ID, up)
		if err != nil {
			t.Fatal(err)
		}
		if e2.Name != up.Name || e2.LegalRepID != idcard(1) || e2.Phone != "13812345678" || e2.SizeClass != refdata.SizeLarge {
			t.Errorf("updated %+v", e2)
		}
		up.Phone = "139****5678"
		if _, err := fx.s.Update(ctx, e.ID, up); !yserr.Is(err, yserr.Invalid) || yserr.As(err).Field != FieldPhone {
			t.Errorf("foreign mask accepted: %v", err)
		}
		// No change: no write, no audit event.
		up.Phone = "13812345678"
		if _, err := fx.s.Update(ctx, e.ID, up); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(fx.auditActions(t), ","); got != "entity.create,entity.update" {
			t.Errorf("audit = %s", got)
		}
		// USCC changed to a registered one: conflict.
		other := validInput(t)
		other.USCC = uscc(t, "91411002MA44XJ5T3")
		o, err := fx.s.Create(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		up.USCC = o.USCC
		if _, err := fx.s.Update(ctx, e.ID, up); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("USCC conflict: %v", err)
		}
		if _, err := fx.s.Update(ctx, 9999, up); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("update missing: %v", err)
		}
		bad := in
		bad.Name = ""
		if _, err := fx.s.Update(ctx, e.ID, bad); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("invalid update: %v", err)
		}
		// Stored encrypted: the plain ID number is not in the row.
		var enc []byte
		var mask string
		if err := d.Q(ctx).QueryRow(ctx, "SELECT legal_rep_id_enc, legal_rep_id_mask FROM entities WHERE id = $1", e.ID).Scan(&enc, &mask); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(enc), idcard(1)) || mask != ident.MaskIDCard(idcard(1)) {
			t.Errorf("stored %q / %q", enc, mask)
		}
	})
}

func TestAccessAndMasking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		in := validInput(t)
		e, err := fx.s.Create(fx.staffA(), in) // managed by department A
		if err != nil {
			t.Fatal(err)
		}
		if e.DepartmentID != fx.deptA || e.Masked {
			t.Fatalf("staff A's entity: dept %d masked %v", e.DepartmentID, e.Masked)
		}
		in2 := validInput(t)
		in2.USCC = uscc(t, "92411002MA44XJ5T2")
		in2.DepartmentID = fx.deptA1
		e2, err := fx.s.Create(fx.staffA(), in2) // a department within A's scope
		if err != nil || e2.DepartmentID != fx.deptA1 {
			t.Fatalf("create in sub-department: %v %+v", err, e2)
		}
		in3 := in2
		in3.USCC = uscc(t, "93411002MA44XJ5T2")
		in3.DepartmentID = fx.deptB
		if _, err := fx.s.Create(fx.staffA(), in3); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("create for another department: %v", err)
		}

		masked, plain := ident.MaskIDCard(idcard(1)), idcard(1)
		for _, tc := range []struct {
			name   string
			ctx    context.Context
			wantID string
		}{
			{"platform admin", fx.admin(), plain},
			{"system", auth.WithActor(context.Background(), auth.System("job")), plain},
			{"staff of managing department", fx.staffA(), plain},
			{"staff of another department", fx.staffB(), masked},
			{"staff of a sub-department", fx.staffA1(), masked},
			{"supervisor", supervisor(), masked},
			{"bound enterprise", enterprise(e.ID), plain},
		} {
			got, err := fx.s.Get(tc.ctx, e.ID)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			wantPhone := "13812345678"
			if tc.wantID == masked {
				wantPhone = "138****5678"
			}
			if got.LegalRepID != tc.wantID || got.Phone != wantPhone || got.Masked != (tc.wantID == masked) {
				t.Errorf("%s: id %q phone %q masked %v", tc.name, got.LegalRepID, got.Phone, got.Masked)
			}
		}
		// The sub-department's staff sees its own entity in plain text.
		if got, err := fx.s.Get(fx.staffA1(), e2.ID); err != nil || got.Masked {
			t.Errorf("sub-department own entity: %v masked=%v", err, got != nil && got.Masked)
		}

		// Enterprise isolation: another entity is "not found", search shows only its own.
		if _, err := fx.s.Get(enterprise(e.ID), e2.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("enterprise reading another entity: %v", err)
		}
		if _, err := fx.s.GetByUSCC(enterprise(e.ID), e2.USCC); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("enterprise reading another entity by USCC: %v", err)
		}
		list, total, err := fx.s.Search(enterprise(e.ID), Filter{})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != e.ID {
			t.Errorf("enterprise search: %v %d %+v", err, total, list)
		}
		if _, total, _ := fx.s.Search(enterprise(0), Filter{}); total != 0 {
			t.Errorf("unbound enterprise sees %d", total)
		}
		if _, err := fx.s.Get(context.Background(), e.ID); !yserr.Is(err, yserr.Unauthorized) {
			t.Errorf("anonymous: %v", err)
		}
		for name, ctx := range map[string]context.Context{"enterprise": enterprise(e.ID), "supervisor": supervisor()} {
			if _, err := fx.s.Create(ctx, in3); !yserr.Is(err, yserr.Forbidden) {
				t.Errorf("%s create: %v", name, err)
			}
			if _, err := fx.s.Update(ctx, e.ID, in); !yserr.Is(err, yserr.Forbidden) {
				t.Errorf("%s update: %v", name, err)
			}
		}
		// Department scope for writes.
		up := in
		up.Address = "许昌市魏都区八一路1号"
		if _, err := fx.s.Update(fx.staffB(), e.ID, up); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department's update: %v", err)
		}
		if got, err := fx.s.Update(fx.staffA(), e2.ID, Input{USCC: e2.USCC, Name: "改名", LegalRepID: idcard(1)}); err != nil || got.Name != "改名" || got.DepartmentID != fx.deptA1 {
			t.Errorf("scope update: %v %+v", err, got)
		}
		up.DepartmentID = fx.deptB
		if _, err := fx.s.Update(fx.staffA(), e.ID, up); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("moving to a department out of scope: %v", err)
		}
		up.DepartmentID = fx.deptB
		if got, err := fx.s.Update(fx.admin(), e.ID, up); err != nil || got.DepartmentID != fx.deptB {
			t.Errorf("admin moves department: %v", err)
		}
		up.DepartmentID = 99999
		if _, err := fx.s.Update(fx.admin(), e.ID, up); !yserr.Is(err, yserr.Invalid) || yserr.As(err).Field != FieldDepartment {
			t.Errorf("unknown department: %v", err)
		}
	})
}
