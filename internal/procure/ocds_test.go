package procure_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
)

// The official OCDS 1.1.5 schemas are shipped as test data
// (testdata/ocds-1.1.5, Apache 2.0, unchanged from the standard's tag
// 1__1__5); YINGSHANG_OCDS_SCHEMA_DIR points the tests at another copy.
const ocdsBase = "https://standard.open-contracting.org/schema/1__1__5/"

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	ok(t, err)
	var m map[string]any
	ok(t, json.Unmarshal(data, &m))
	return m
}

// mergePatch applies an RFC 7386 merge patch (how OCDS extensions patch
// the release schema).
func mergePatch(dst, patch map[string]any) {
	for k, v := range patch {
		pm, isMap := v.(map[string]any)
		dm, dstMap := dst[k].(map[string]any)
		switch {
		case v == nil:
			delete(dst, k)
		case isMap && dstMap:
			mergePatch(dm, pm)
		default:
			dst[k] = v
		}
	}
}

// ocdsSchemas compiles the official schemas (the shipped copy, or the
// folder YINGSHANG_OCDS_SCHEMA_DIR names).
func ocdsSchemas(t *testing.T, extended bool) (rel, rec *jsonschema.Schema) {
	t.Helper()
	dir := os.Getenv("YINGSHANG_OCDS_SCHEMA_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "ocds-1.1.5")
	}
	c := jsonschema.NewCompiler()
	for _, name := range []string{"release-package-schema", "record-package-schema", "release-schema", "versioned-release-validation-schema"} {
		doc := readJSON(t, filepath.Join(dir, name+".json"))
		if name == "release-schema" && extended {
			mergePatch(doc, readJSON(t, "../handlers/procure/ocds/release-schema.json"))
		}
		ok(t, c.AddResource(ocdsBase+name+".json", doc))
	}
	var err error
	rel, err = c.Compile(ocdsBase + "release-package-schema.json")
	ok(t, err)
	rec, err = c.Compile(ocdsBase + "record-package-schema.json")
	ok(t, err)
	return rel, rec
}

func validateOCDS(t *testing.T, sch *jsonschema.Schema, what string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	ok(t, err)
	// The feed writes the packages with their own encoder: it must write
	// exactly what json.Marshal writes.
	var fast []byte
	switch p := v.(type) {
	case *procure.ReleasePackage:
		fast, err = p.AppendJSON(nil)
	case *procure.RecordPackage:
		fast, err = p.AppendJSON(nil)
	default:
		t.Fatalf("%s: not an OCDS package: %T", what, v)
	}
	ok(t, err)
	if !bytes.Equal(fast, data) {
		t.Fatalf("%s: AppendJSON differs from json.Marshal:\n%s\n%s", what, fast, data)
	}
	if path := os.Getenv("OCDS_DUMP"); path != "" {
		// Every package the test validates, to compare two versions of the
		// export byte for byte (docs/benchmarks.md).
		f, err := os.OpenFile(path+"."+strings.ReplaceAll(t.Name(), "/", "."), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		ok(t, err)
		_, err = f.Write(append(data, '\n'))
		ok(t, err)
		ok(t, f.Close())
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	ok(t, err)
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("%s is not valid OCDS 1.1: %v", what, err)
	}
}

func nextAfter(t *testing.T, l *procure.Links) int64 {
	t.Helper()
	if l == nil || l.Next == "" {
		return 0
	}
	u, err := url.Parse(l.Next)
	ok(t, err)
	n, err := strconv.ParseInt(u.Query().Get("after"), 10, 64)
	ok(t, err)
	return n
}

// Every demo project's releases and records, page by page through
// links.next, validate against the official OCDS 1.1 release and record
// package schemas, plain and with the local-rules extension patched in;
// the codelists are mapped and the stages follow the project's life.
func TestOCDSDemoValidates(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		sys := sitetest.System()
		anon0 := t.Context()
		// The demo needs three suppliers that pass the credit check (the
		// test registry has two SMEs besides a large firm and a listed one).
		_, err := x.App.Entities.Create(sys, entity.Input{USCC: uscc(t, 5), Name: "许昌恒信办公科技有限公司", Type: "有限责任公司", LegalRepName: "李娜",
			RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2016-05-12", DepartmentID: x.Depts["WD-SJJ"], SizeClass: refdata.SizeMedium})
		ok(t, err)
		ok(t, x.svc.LoadDemo(sys))
		// Accept and pay one published contract so an implementation release exists.
		var cs []procure.Contract
		cs, err = x.svc.PublishedContracts(sys, 0, 100)
		ok(t, err)
		if len(cs) < 3 {
			t.Fatalf("demo published %d contracts, want the 3 pooled ones", len(cs))
		}
		c := cs[0]
		unit := auth.WithActor(t.Context(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: c.DepartmentID, DeptScope: []int64{c.DepartmentID}, Via: "session"})
		_, err = x.svc.AdvanceContract(unit, c.ID, procure.ContractStep{Step: "accept"})
		ok(t, err)
		_, err = x.svc.AdvanceContract(unit, c.ID, procure.ContractStep{Step: "pay", PaidYuan: procure.Yuan(c.AmountFen)})
		ok(t, err)

		// The demo's answered challenge goes on to a complaint and its
		// decision, so the feed carries all three (the extension's
		// tender.challenges).
		chs, err := x.svc.PublicChallenges(anon0)
		ok(t, err)
		if len(chs) == 0 {
			t.Fatal("the demo has no answered challenge")
		}
		_, err = x.svc.Complain(ent(chs[0].EntityID), chs[0].ID, procure.TextInput{Text: "答复未说明评分依据"})
		ok(t, err)
		_, err = x.svc.DecideComplaint(x.fin, chs[0].ID, procure.TextInput{Text: "投诉缺乏事实依据，驳回"})
		ok(t, err)
		challenges := 0

		plainRel, plainRec := ocdsSchemas(t, false)
		extRel, extRec := ocdsSchemas(t, true)
		anon := t.Context()
		tags := map[string]int{}
		methods, cats, statuses := map[string]bool{}, map[string]bool{}, map[string]bool{}
		var ocids []string
		pooled, deduction := false, false
		pages := 0
		for after := int64(0); ; pages++ {
			pkg, err := x.svc.OCDSReleases(anon, procure.OCDSPage{After: after, Limit: 1, Base: "https://ys.example.gov.cn"})
			ok(t, err)
			validateOCDS(t, plainRel, "release package", pkg)
			validateOCDS(t, extRel, "release package (extension)", pkg)
			if pkg.Extensions[0] != "https://ys.example.gov.cn/open-data/ocds/extension.json" {
				t.Fatalf("extensions %v", pkg.Extensions)
			}
			for _, r := range pkg.Releases {
				tags[r.Tag[0]]++
				if r.Tag[0] == "tenderUpdate" {
					if r.ID != r.OCID+"-challenges" || r.Tender == nil || len(r.Tender.Challenges) == 0 || len(r.Parties) == 0 {
						t.Fatalf("challenge release %+v", r)
					}
					for _, c := range r.Tender.Challenges {
						challenges++
						if c.ID == fmt.Sprintf("challenge-%d", chs[0].ID) && (c.Status != "decided" || c.StatusDetails == "" || c.Answer == "" || c.Complaint == nil ||
							c.Complaint.Decision != "投诉缺乏事实依据，驳回" || c.Complaint.DateDecided == "" || c.Challenger.Name != chs[0].Entity ||
							!strings.HasPrefix(c.Challenger.ID, "CN-USCC-91")) {
							t.Fatalf("challenge in the feed: %+v %+v", c, c.Complaint)
						}
					}
				}
				if !strings.HasPrefix(r.OCID, procure.DefaultOCIDPrefix+"-") || !strings.HasPrefix(r.ID, r.OCID+"-") {
					t.Fatalf("ids %s %s", r.OCID, r.ID)
				}
				if r.Tender != nil && r.Tender.LocalRules != nil {
					methods[r.Tender.ProcurementMethod+"/"+r.Tender.ProcurementMethodDetails] = true
					cats[r.Tender.MainProcurementCategory], statuses[r.Tender.Status] = true, true
					if r.Tender.LocalRules.Pooling != nil && len(r.Tender.LocalRules.Pooling.Units) == 3 {
						pooled = true
					}
					if r.Tender.LocalRules.PriceDeduction.SmallMicroPercent == 10 && r.Tender.LocalRules.SetAside.Decision == "partial" {
						deduction = true
					}
				}
			}
			recs, err := x.svc.OCDSRecords(anon, procure.OCDSPage{After: after, Limit: 1, Base: "https://ys.example.gov.cn"})
			ok(t, err)
			validateOCDS(t, plainRec, "record package", recs)
			validateOCDS(t, extRec, "record package (extension)", recs)
			for _, r := range recs.Records {
				ocids = append(ocids, r.OCID)
				if len(r.Releases) < 2 || r.CompiledRelease.Tag[0] != "compiled" || r.CompiledRelease.Tender == nil {
					t.Fatalf("record %s: %+v", r.OCID, r)
				}
				if slices.ContainsFunc(r.Releases, func(l procure.LinkedRelease) bool { return l.Tag[0] == "tenderUpdate" }) != (len(r.CompiledRelease.Tender.Challenges) > 0) {
					t.Fatalf("record %s: the compiled tender's challenges do not follow its releases", r.OCID)
				}
			}
			if after = nextAfter(t, pkg.Links); after == 0 {
				if recs.Links != nil {
					t.Fatalf("records have a next page the releases do not: %+v", recs.Links)
				}
				break
			}
			if pages > 50 {
				t.Fatal("links.next never ends")
			}
		}
		if len(ocids) < 2 || pages+1 != len(ocids) {
			t.Fatalf("records %v over %d pages", ocids, pages+1)
		}
		if challenges != len(chs) {
			t.Fatalf("%d challenges in the feed, %d published", challenges, len(chs))
		}
		for _, st := range []string{"planning", "tender", "tenderUpdate", "award", "contract", "implementation"} {
			if tags[st] == 0 {
				t.Fatalf("no %s release: %v", st, tags)
			}
		}
		want := map[string]bool{"limited/询价": true, "open/公开招标": true}
		for m := range want {
			if !methods[m] {
				t.Fatalf("methods %v, want %v", slicesOf(methods), m)
			}
		}
		if !cats["goods"] || !cats["services"] || !statuses["complete"] {
			t.Fatalf("categories %v statuses %v", cats, statuses)
		}
		if !pooled || !deduction {
			t.Fatalf("local rules missing: pooled %v deduction %v", pooled, deduction)
		}
		// One project by its ocid; an unknown prefix finds nothing.
		one, err := x.svc.OCDSRecords(anon, procure.OCDSPage{OCID: ocids[0]})
		ok(t, err)
		if len(one.Records) != 1 || one.Records[0].OCID != ocids[0] {
			t.Fatalf("by ocid: %+v", one.Records)
		}
		none, err := x.svc.OCDSReleases(anon, procure.OCDSPage{OCID: "ocds-zzzzzz-" + ocids[0]})
		ok(t, err)
		if len(none.Releases) != 0 {
			t.Fatalf("foreign ocid found %d releases", len(none.Releases))
		}
	})
}

func slicesOf(m map[string]bool) []string {
	var out []string
	for k := range maps.Keys(m) {
		out = append(out, k)
	}
	return out
}

// The schema check fails on a broken package (the test can fail).
func TestOCDSSchemaCatchesErrors(t *testing.T) {
	if !procure.ValidOCIDPrefix("ocds-ysxc01") || procure.ValidOCIDPrefix("ocds-YS") || procure.ValidOCIDPrefix("ysxc01") {
		t.Fatal("ValidOCIDPrefix")
	}
	if procure.OCDSMethod("single_source") != "direct" || procure.OCDSMethod("invited_tender") != "selective" || procure.OCDSTenderStatus(procure.ProjectAwarded) != "complete" {
		t.Fatal("codelist mapping")
	}
	rel, _ := ocdsSchemas(t, true)
	bad := map[string]any{"uri": "x", "version": "1.1", "publishedDate": "2026-12-06T00:00:00+08:00", "publisher": map[string]any{"name": "x"},
		"releases": []any{map[string]any{"ocid": "ocds-ysxc01-1", "id": "1", "date": "2026-12-06T00:00:00+08:00", "tag": []string{"tender"}, "initiationType": "tender",
			"tender": map[string]any{"id": "1", "procurementMethod": "inquiry"}}}}
	data, _ := json.Marshal(bad)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	ok(t, err)
	if rel.Validate(inst) == nil {
		t.Fatal("procurementMethod inquiry passed the closed codelist")
	}
	// An unanswered challenge (status filed) is not publishable: the
	// extension's schema refuses it.
	bad["releases"] = []any{map[string]any{"ocid": "ocds-ysxc01-1", "id": "1", "date": "2026-12-06T00:00:00+08:00", "tag": []string{"tenderUpdate"}, "initiationType": "tender",
		"tender": map[string]any{"id": "1", "challenges": []any{map[string]any{"id": "challenge-1", "status": "filed", "challenger": map[string]any{"id": "CN-USCC-1", "name": "x"},
			"description": "x", "dateFiled": "2026-12-06T00:00:00+08:00"}}}}}
	data, _ = json.Marshal(bad)
	inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(data))
	ok(t, err)
	if rel.Validate(inst) == nil {
		t.Fatal("a filed (unanswered) challenge passed the extension's schema")
	}
	if !procure.ValidOCIDPrefix("ocds-ysxc01") || procure.ValidOCIDPrefix("ocds-YS") || procure.ValidOCIDPrefix("ysxc01") {
		t.Fatal("ValidOCIDPrefix")
	}
	if procure.OCDSMethod("single_source") != "direct" || procure.OCDSMethod("invited_tender") != "selective" || procure.OCDSTenderStatus(procure.ProjectAwarded) != "complete" {
		t.Fatal("codelist mapping")
	}
}
