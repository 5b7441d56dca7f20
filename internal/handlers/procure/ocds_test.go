package procure_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/site/sitetest"
)

// The OCDS feed over HTTP on a fresh database, without login: the release
// and record packages page through links.next (absolute URLs on the
// site's base URL), one project by ocid, the extension files, and a bad
// limit refused as a problem naming the field.
func TestOCDSFeed(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*procure.Service](env.Modules)
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			var codes []string
			for _, in := range []procure.ProjectInput{
				{Title: "执法记录仪采购", Method: "inquiry", CategoryCode: "A02091001", BudgetYuan: "180000", SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: "lowest_price"},
				{Title: "办公楼物业管理服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000", SetAsideInput: procure.SetAsideInput{Decision: "partial", SharePct: 30, SmallMicroPct: 60},
					EvalMethod: "comprehensive", PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4},
				{Title: "单一来源软件升级", Method: "single_source", CategoryCode: "C16000000", BudgetYuan: "90000", SetAsideInput: procure.SetAsideInput{Decision: "none", Exception: "unique_source"}, EvalMethod: "lowest_price", DeductionPct: 10, ConsortiumPct: 4},
			} {
				p, err := svc.CreateProject(unit, in)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, p.Code)
			}
			anon := env.Anonymous()
			path := "/open-data/ocds/releases.json?limit=2"
			var methods []string
			pages := 0
			for path != "" {
				res := anon.Get(t, path)
				if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("%s: %d %s", path, res.StatusCode, res.Body)
				}
				var pkg procure.ReleasePackage
				res.JSON(t, &pkg)
				pages++
				for _, r := range pkg.Releases {
					if r.Tender != nil && r.Tender.ProcurementMethod != "" {
						methods = append(methods, r.Tender.ProcurementMethod+"/"+r.Tender.ProcurementMethodDetails)
					}
				}
				path = ""
				if pkg.Links != nil {
					var ok bool
					if path, ok = strings.CutPrefix(pkg.Links.Next, "http://yingshang.test"); !ok {
						t.Fatalf("links.next %q is not on the base URL", pkg.Links.Next)
					}
				}
			}
			if pages != 2 || strings.Join(methods, ",") != "limited/询价,open/公开招标,direct/单一来源" {
				t.Fatalf("%d pages, methods %v", pages, methods)
			}
			var recs procure.RecordPackage
			anon.Get(t, "/open-data/ocds/records.json?ocid="+procure.DefaultOCIDPrefix+"-"+codes[1]).JSON(t, &recs)
			if len(recs.Records) != 1 || recs.Records[0].CompiledRelease.Tender.LocalRules.SetAside.SharePercent != 30 ||
				!strings.Contains(recs.Records[0].Releases[0].URL, "releases.json?ocid=") {
				t.Fatalf("record: %+v", recs.Records)
			}
			var ext map[string]any
			res := anon.Get(t, "/open-data/ocds/extension.json")
			if err := json.Unmarshal([]byte(res.Body), &ext); err != nil || ext["schemas"] == nil {
				t.Fatalf("extension.json: %d %s", res.StatusCode, res.Body)
			}
			if res := anon.Get(t, "/open-data/ocds/release-schema.json"); res.StatusCode != 200 || !strings.Contains(res.Body, "localRules") {
				t.Fatalf("extension schema: %d", res.StatusCode)
			}
			res = anon.Get(t, "/open-data/ocds/records.json?limit=500")
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "limit") || !strings.Contains(res.Body, "1 至 100") {
				t.Fatalf("bad limit: %d %s", res.StatusCode, res.Body)
			}
		})
	}
}

// The bulk download over HTTP without login: 404 before the job's first
// build; the job (started with the queue) builds both files; each is
// served gzip'd with its length, ETag and Last-Modified, 304 on a
// matching If-None-Match; the packages link to it and the open-data page
// lists it.
func TestOCDSBulkDownload(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*procure.Service](env.Modules)
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			if _, err := svc.CreateProject(unit, procure.ProjectInput{Title: "执法记录仪采购", Method: "inquiry", CategoryCode: "A02091001", BudgetYuan: "180000",
				SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: "lowest_price"}); err != nil {
				t.Fatal(err)
			}
			anon := env.Anonymous()
			if res := anon.Get(t, "/open-data/ocds/bulk/releases.json.gz"); res.StatusCode != http.StatusNotFound {
				t.Fatalf("before the build: %d %s", res.StatusCode, res.Body)
			}
			env.StartJobs(t) // the periodic job runs once at start
			var res *sitetest.Response
			for deadline := time.Now().Add(60 * time.Second); ; {
				if res = anon.Get(t, "/open-data/ocds/bulk/releases.json.gz"); res.StatusCode == http.StatusOK || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/gzip" || res.Header.Get("Content-Length") != strconv.Itoa(len(res.Body)) ||
				res.Header.Get("ETag") == "" || res.Header.Get("Last-Modified") == "" {
				t.Fatalf("bulk file: %d %v", res.StatusCode, res.Header)
			}
			z, err := gzip.NewReader(strings.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			var pkg procure.ReleasePackage
			if err := json.NewDecoder(z).Decode(&pkg); err != nil || len(pkg.Releases) != 2 || pkg.Releases[1].Tender.Title != "执法记录仪采购" {
				t.Fatalf("bulk package: %v %+v", err, pkg.Releases)
			}
			req, _ := http.NewRequest("GET", env.HTTP.URL+"/open-data/ocds/bulk/releases.json.gz", nil)
			req.Header.Set("If-None-Match", res.Header.Get("ETag"))
			nm, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			nm.Body.Close()
			if nm.StatusCode != http.StatusNotModified {
				t.Fatalf("If-None-Match: %d", nm.StatusCode)
			}
			if res := anon.Get(t, "/open-data/ocds/bulk/records.json.gz"); res.StatusCode != http.StatusOK {
				t.Fatalf("records bulk: %d", res.StatusCode)
			}
			if l := anon.Get(t, "/open-data/ocds/releases.json").Header.Get("Link"); l != `<http://yingshang.test/open-data/ocds/bulk/releases.json.gz>; rel="alternate"; type="application/gzip"` {
				t.Fatalf("Link %q", l)
			}
			page := anon.Get(t, "/open-data/ocds")
			if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "releases.json.gz") || !strings.Contains(page.Body, "records.json.gz") {
				t.Fatalf("open-data page: %d", page.StatusCode)
			}
		})
	}
}
