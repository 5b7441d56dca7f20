package procure_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
