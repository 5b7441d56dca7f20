package procure_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"yingshang/internal/entity"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func gunzipJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(data))
	ok(t, err)
	out, err := io.ReadAll(z)
	ok(t, err)
	return out
}

func validateRaw(t *testing.T, sch *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	ok(t, err)
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("%s is not valid OCDS 1.1: %v", what, err)
	}
}

// The bulk files of the demo, built into the file store: both validate
// against the official release and record package schemas (plain and with
// the extension); the bulk release package holds exactly the releases of
// the paged feed (the streaming writer changes nothing); an unchanged
// database is not rebuilt, a change (a complaint) is.
func TestOCDSBulk(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		sys := sitetest.System()
		_, err := x.App.Entities.Create(sys, entity.Input{USCC: uscc(t, 5), Name: "许昌恒信办公科技有限公司", Type: "有限责任公司", LegalRepName: "李娜",
			RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2016-05-12", DepartmentID: x.Depts["WD-SJJ"], SizeClass: refdata.SizeMedium})
		ok(t, err)
		ok(t, x.svc.LoadDemo(sys))
		const base = "https://ys.example.gov.cn"
		bulk := &procure.OCDSBulk{Svc: x.svc, Files: x.App.Files, Base: base}
		if _, _, err := bulk.Open(t.Context(), procure.BulkReleases); yserr.CodeOf(err) != yserr.NotFound {
			t.Fatalf("before the first build: %v", err)
		}
		built, err := bulk.Build(sys, false)
		ok(t, err)
		if !built {
			t.Fatal("the first build did nothing")
		}
		plainRel, plainRec := ocdsSchemas(t, false)
		extRel, extRec := ocdsSchemas(t, true)
		f, gz, err := bulk.Open(t.Context(), procure.BulkReleases)
		ok(t, err)
		rel := gunzipJSON(t, gz)
		validateRaw(t, plainRel, "bulk release package", rel)
		validateRaw(t, extRel, "bulk release package (extension)", rel)
		var pkg struct {
			URI      string `json:"uri"`
			Releases []any  `json:"releases"`
			Links    any    `json:"links"`
		}
		ok(t, json.Unmarshal(rel, &pkg))
		if pkg.URI != base+"/open-data/ocds/bulk/releases.json.gz" || pkg.Links != nil || f.Releases != len(pkg.Releases) || f.Size != int64(len(gz)) {
			t.Fatalf("bulk package uri %q links %v, %d releases (file says %d), size %d of %d", pkg.URI, pkg.Links, len(pkg.Releases), f.Releases, f.Size, len(gz))
		}
		// The same releases as the paged feed, in the same order.
		var paged []any
		for after := int64(0); ; {
			p, err := x.svc.OCDSReleases(t.Context(), procure.OCDSPage{After: after, Limit: 2, Base: base})
			ok(t, err)
			data, err := json.Marshal(p.Releases)
			ok(t, err)
			var rs []any
			ok(t, json.Unmarshal(data, &rs))
			paged = append(paged, rs...)
			if after = nextAfter(t, p.Links); after == 0 {
				break
			}
		}
		if !reflect.DeepEqual(paged, pkg.Releases) {
			t.Fatalf("the bulk releases differ from the paged feed's: %d vs %d", len(pkg.Releases), len(paged))
		}
		rf, gz, err := bulk.Open(t.Context(), procure.BulkRecords)
		ok(t, err)
		rec := gunzipJSON(t, gz)
		validateRaw(t, plainRec, "bulk record package", rec)
		validateRaw(t, extRec, "bulk record package (extension)", rec)
		var rp procure.RecordPackage
		ok(t, json.Unmarshal(rec, &rp))
		if len(rp.Records) < 2 || len(rp.Records) != rf.Projects || len(rp.Packages) != len(rp.Records) || rf.Projects != f.Projects {
			t.Fatalf("%d records, %d packages, file says %d projects", len(rp.Records), len(rp.Packages), rf.Projects)
		}

		// Nothing changed: no rebuild.
		built, err = bulk.Build(sys, false)
		ok(t, err)
		if built {
			t.Fatal("rebuilt without a change")
		}
		// A complaint on the demo's challenge changes the feed: rebuilt.
		chs, err := x.svc.PublicChallenges(t.Context())
		ok(t, err)
		_, err = x.svc.Complain(ent(chs[0].EntityID), chs[0].ID, procure.TextInput{Text: "答复未说明评分依据"})
		ok(t, err)
		built, err = bulk.Build(sys, false)
		ok(t, err)
		f2, gz2, err := bulk.Open(t.Context(), procure.BulkReleases)
		ok(t, err)
		if !built || f2.SHA256 == f.SHA256 || !bytes.Contains(gunzipJSON(t, gz2), []byte(`"status":"complained"`)) {
			t.Fatalf("after a change: built %v, sha %s (was %s)", built, f2.SHA256, f.SHA256)
		}
		list, err := bulk.List(t.Context())
		ok(t, err)
		if len(list) != 2 {
			t.Fatalf("%d bulk files listed", len(list))
		}
	})
}
