package entity

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/yserr"
)

func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		var sample bytes.Buffer
		if err := WriteSample(&sample, FormatXLSX, rand.New(rand.NewPCG(11, 11)), 300); err != nil {
			t.Fatal(err)
		}
		rep, err := fx.s.Import(fx.staffA(), bytes.NewReader(sample.Bytes()), "sample.xlsx", ImportOptions{})
		if err != nil || rep.Created != 300 || rep.Bad != 0 {
			t.Fatalf("sample import: %v %+v", err, rep)
		}
		// Some explicit sizes and a managed-elsewhere entity make the round trip harder.
		list, _, _ := fx.s.Search(fx.admin(), Filter{PerPage: 3})
		for _, e := range list {
			in := entityInput(e)
			in.SizeClass = "large"
			if _, err := fx.s.Update(fx.admin(), e.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name   string
			ctx    context.Context
			format string
			masked bool
		}{
			{"admin xlsx", fx.admin(), FormatXLSX, false},
			{"admin csv", fx.admin(), FormatCSV, false},
			{"other department xlsx (masked)", fx.staffB(), FormatXLSX, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out bytes.Buffer
				if err := fx.s.Export(tc.ctx, Filter{}, &out, tc.format); err != nil {
					t.Fatal(err)
				}
				text := out.String()
				if tc.format == FormatXLSX {
					text = xlsxText(t, out.Bytes())
				}
				if got := strings.Contains(text, "****"); got != tc.masked {
					t.Errorf("masked values present: %v", got)
				}
				before := fx.count(t, "audit_events")
				rep, err := fx.s.Import(fx.staffA(), bytes.NewReader(out.Bytes()), "export."+tc.format, ImportOptions{})
				if err != nil || rep.Total != 300 || rep.Unchanged != 300 || rep.Bad != 0 {
					t.Fatalf("re-import: %v %+v", err, rep)
				}
				if fx.count(t, "audit_events") != before+1 {
					t.Error("re-import recorded no audit event")
				}
			})
		}
		// Filtered export: only the matching rows.
		var out bytes.Buffer
		if err := fx.s.Export(fx.admin(), Filter{Region: "411000", Status: StatusRevoked}, &out, FormatCSV); err != nil {
			t.Fatal(err)
		}
		_, total, _ := fx.s.Search(fx.admin(), Filter{Region: "411000", Status: StatusRevoked})
		if lines := strings.Count(out.String(), "\n"); lines != int(total)+1 || total == 0 {
			t.Errorf("filtered export: %d lines for %d rows", lines, total)
		}
		if err := fx.s.Export(fx.admin(), Filter{}, &out, "pdf"); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("pdf: %v", err)
		}
		if err := fx.s.Export(context.Background(), Filter{}, &out, FormatCSV); !yserr.Is(err, yserr.Unauthorized) {
			t.Errorf("anonymous export: %v", err)
		}
	})
}

// entityInput turns an entity read in plain text back into an input.
func entityInput(e Entity) Input {
	return Input{USCC: e.USCC, Name: e.Name, Type: e.Type, LegalRepName: e.LegalRepName, LegalRepID: e.LegalRepID,
		Address: e.Address, RegionCode: e.RegionCode, IndustryCode: e.IndustryCode, Employees: e.Employees,
		RevenueWan: e.RevenueWan, AssetsWan: e.AssetsWan, SizeClass: e.SizeClass, FoundedOn: e.FoundedOn,
		Status: e.Status, Phone: e.Phone, Tags: e.Tags}
}

// xlsxText returns the cells of the first sheet as text.
func xlsxText(t *testing.T, b []byte) string {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, r := range rows {
		s.WriteString(strings.Join(r, "\t") + "\n")
	}
	return s.String()
}

func TestCSVFormulaProtection(t *testing.T) {
	fx := newFixture(t, dbtest.New(t, db.SQLite))
	in := validInput(t)
	in.Name = "=HYPERLINK(\"http://x\")"
	in.Address = "+1 号"
	if _, err := fx.s.Create(fx.admin(), in); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := fx.s.Export(fx.admin(), Filter{}, &out, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"'=HYPERLINK(""http://x"")"`) || !strings.Contains(out.String(), ",'+1 号,") {
		t.Errorf("not protected:\n%s", out.String())
	}
	rep, err := fx.s.Import(fx.admin(), bytes.NewReader(out.Bytes()), "x.csv", ImportOptions{})
	if err != nil || rep.Unchanged != 1 {
		t.Errorf("round trip: %v %+v", err, rep)
	}
}

func TestTemplate(t *testing.T) {
	fx := newFixture(t, dbtest.New(t, db.SQLite))
	var b bytes.Buffer
	if err := fx.s.Template(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "经营主体,说明" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := f.GetRows(SheetName)
	if len(rows) != 2 || rows[0][0] != "统一社会信用代码" || rows[0][15] != "标签" || len(rows[0]) != len(Columns) {
		t.Errorf("template rows %q", rows)
	}
	notes, _ := f.GetRows("说明")
	text := ""
	for _, r := range notes {
		text += strings.Join(r, "|") + "\n"
	}
	for _, c := range Columns {
		if !strings.Contains(text, c.Header+"|"+c.Field+"|") {
			t.Errorf("说明 lacks %s", c.Header)
		}
	}
	// The example row is valid.
	rep, err := fx.s.Import(fx.admin(), bytes.NewReader(b.Bytes()), "模板.xlsx", ImportOptions{DryRun: true})
	if err != nil || rep.Total != 1 || rep.Created != 1 || rep.Bad != 0 {
		t.Errorf("template example: %v %+v", err, rep)
	}
}
