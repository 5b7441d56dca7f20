package modules_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/config"
	"yingshang/internal/credit"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

func TestSelect(t *testing.T) {
	all, err := modules.Select("all")
	if err != nil || len(all) != len(modules.All) {
		t.Fatalf("all: %d %v", len(all), err)
	}
	two, err := modules.Select(" license , appeal ")
	if err != nil || len(two) != 2 || two[0].Name != "appeal" || two[1].Name != "license" {
		t.Fatalf("two: %v %v", two, err)
	}
	if _, err := modules.Select("appeal,permits"); err == nil || !strings.Contains(err.Error(), `"permits"`) {
		t.Fatalf("unknown: %v", err)
	}
	// A module whose dependency is off refuses to start, naming both.
	_, err = modules.Select("appeal,bideval")
	if err == nil || !strings.Contains(err.Error(), "bideval") || !strings.Contains(err.Error(), "draw") {
		t.Fatalf("dependency: %v", err)
	}
	// Every module comes after the ones it needs, and names are unique.
	seen := map[string]bool{}
	for _, info := range modules.All {
		if seen[info.Name] || info.Name == "" || info.New == nil || info.Title.ZH == "" || info.Title.EN == "" {
			t.Errorf("module %+v: name, title and constructor required, names unique", info.Name)
		}
		for _, r := range info.Requires {
			if !seen[r] {
				t.Errorf("%s requires %s, which is not before it in All", info.Name, r)
			}
		}
		seen[info.Name] = true
	}
}

// A city that runs only appeals and licence reminders sees nothing else:
// not in the menu, the landing page, the routes, the OpenAPI document or
// the job queue; the data of the modules that are off stays.
func TestOnlyTwoModules(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.NewWith(t, e, func(cfg *config.Config) { cfg.Modules = "appeal,license" })
			if modules.Get[*credit.Service](env.Modules) != nil || modules.Get[*appeal.Service](env.Modules) == nil {
				t.Fatal("wrong modules built")
			}
			admin := env.Login(t, "admin")
			for path, want := range map[string]int{
				"/appeals": 200, "/licenses": 200, "/credit": 404, "/draws": 404, "/bideval": 404, "/public/credit": 404,
			} {
				if got := admin.Get(t, path).StatusCode; got != want {
					t.Errorf("GET %s: %d, want %d", path, got, want)
				}
			}
			tok := env.Token(t, "admin")
			for path, want := range map[string]int{"/api/v1/appeals": 200, "/api/v1/credit/records": 404, "/api/v1/draw-projects": 404} {
				if got := env.API(t, tok, "GET", path, nil).StatusCode; got != want {
					t.Errorf("API %s: %d, want %d", path, got, want)
				}
			}
			home := admin.Get(t, "/").Body
			if !strings.Contains(home, `href="/appeals"`) || strings.Contains(home, `href="/credit"`) || strings.Contains(home, "六随机") {
				t.Error("menu shows modules that are off, or lacks one that is on")
			}
			landing := env.Anonymous().Get(t, "/").Body
			if !strings.Contains(landing, "/public/cases") || strings.Contains(landing, "/public/draws") {
				t.Error("landing page links are not those of the switched-on modules")
			}
			var doc struct {
				Paths map[string]map[string]struct {
					Tags []string `json:"tags"`
				} `json:"paths"`
			}
			if err := json.Unmarshal([]byte(env.Anonymous().Get(t, "/api/openapi.json").Body), &doc); err != nil {
				t.Fatal(err)
			}
			for p, ops := range doc.Paths {
				for m, op := range ops {
					for _, tag := range op.Tags {
						if slices.Contains([]string{"credit", "draw", "bideval"}, tag) {
							t.Errorf("OpenAPI lists %s %s (%s), which is off", m, p, tag)
						}
					}
				}
			}
			if _, ok := doc.Paths["/api/v1/appeals"]; !ok {
				t.Error("OpenAPI lacks the appeals")
			}
			for _, k := range env.App.Jobs.Kinds() {
				if strings.HasPrefix(k, "credit.") || strings.HasPrefix(k, "draw.") || strings.HasPrefix(k, "bideval.") {
					t.Errorf("job %s of a module that is off is registered", k)
				}
			}
			if !slices.ContainsFunc(env.App.Jobs.Kinds(), func(k string) bool { return strings.HasPrefix(k, "license.") }) {
				t.Errorf("the licence jobs are missing: %v", env.App.Jobs.Kinds())
			}
			// The schema check covers the modules that are on; the credit
			// tables the test database has stay untouched.
			if err := env.App.CheckCurrent(t.Context()); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := env.App.DB.Q(t.Context()).QueryRow(t.Context(), "SELECT COUNT(*) FROM schema_versions WHERE component = 'credit'").Scan(&n); err != nil || n == 0 {
				t.Fatalf("credit's schema bookkeeping: %d %v", n, err)
			}
		})
	}
}
