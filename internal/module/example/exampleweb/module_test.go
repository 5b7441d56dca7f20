package exampleweb_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/config"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/module/example"
	"yingshang/internal/module/example/exampleweb"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// The example module end to end on both engines: added to the list with
// one line, it gets its table, its page, its API operations (tagged with
// its name in the OpenAPI document), its job, its menu entry and its
// home-page card, and its service checks role and department.
func TestExampleModule(t *testing.T) {
	list := append(slices.Clone(modules.All), exampleweb.Module) // the one line
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.NewWithModules(t, e, list, nil)
			if !slices.Contains(env.App.Jobs.Kinds(), "example.archive") {
				t.Fatalf("job not registered: %v", env.App.Jobs.Kinds())
			}
			if got := env.App.Cfg.Setting("example-max-days"); got != "30" {
				t.Fatalf("setting default: %q", got)
			}

			staff := env.Token(t, "sjj-staff")
			res := env.API(t, staff, "POST", "/api/v1/example/notices", map[string]string{"title": "系统维护通知", "body": "周六 9:00-12:00", "ends_on": "2026-11-30"})
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("post: %d %s", res.StatusCode, res.Body)
			}
			// Bad input names the field, in both languages.
			res = env.API(t, staff, "POST", "/api/v1/example/notices", map[string]string{"title": "x", "ends_on": "2027-12-31"})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "ends_on") || !strings.Contains(res.Body, "30") {
				t.Fatalf("too long: %d %s", res.StatusCode, res.Body)
			}
			// An enterprise may read but not post.
			ent := env.Token(t, "ent")
			if res := env.API(t, ent, "POST", "/api/v1/example/notices", map[string]string{"title": "x", "ends_on": "2026-11-30"}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("enterprise post: %d", res.StatusCode)
			}
			res = env.API(t, ent, "GET", "/api/v1/example/notices", nil)
			var list []example.Notice
			res.JSON(t, &list)
			if len(list) != 1 || list[0].Title != "系统维护通知" || list[0].DepartmentID != env.Depts["XC-SJJ"] {
				t.Fatalf("list: %+v", list)
			}

			// Page, menu entry and card.
			c := env.Login(t, "ent")
			if r := c.Get(t, "/example/notices"); r.StatusCode != 200 || !strings.Contains(r.Body, "系统维护通知") {
				t.Fatalf("page: %d", r.StatusCode)
			}
			home := c.Get(t, "/")
			for _, want := range []string{`data-testid="nav-example"`, `data-testid="home-card"`, "最新公告", "系统维护通知"} {
				if !strings.Contains(home.Body, want) {
					t.Errorf("home page lacks %s", want)
				}
			}

			// OpenAPI: the module's operations carry its tag.
			var doc struct {
				Paths map[string]map[string]struct {
					Tags []string `json:"tags"`
				} `json:"paths"`
			}
			if err := json.Unmarshal([]byte(env.Anonymous().Get(t, "/api/openapi.json").Body), &doc); err != nil {
				t.Fatal(err)
			}
			if tags := doc.Paths["/api/v1/example/notices"]["post"].Tags; !slices.Equal(tags, []string{"example"}) {
				t.Fatalf("tags: %v", tags)
			}

			// The job archives a notice once its last day has passed.
			env.Clock.Set(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
			svc := modules.Get[*example.Service](env.Modules)
			n, err := svc.Archive(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("archive: %d %v", n, err)
			}
			if r := env.API(t, ent, "GET", "/api/v1/example/notices", nil); strings.Contains(r.Body, "系统维护通知") {
				t.Fatal("archived notice still listed")
			}
		})
	}
}

// A module's settings join the table as modules.All's do (in init).
func init() { config.Add(exampleweb.Module.Settings...) }

// A module setting is read and validated like every other setting.
func TestExampleSetting(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	resolve := config.Register(fs)
	if err := fs.Parse([]string{"--example-max-days", "abc"}); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "example-max-days") {
		t.Fatalf("bad setting accepted: %v", err)
	}
	cfg, err := config.Register(flag.NewFlagSet("t", flag.ContinueOnError))(func(k string) string {
		if k == "YINGSHANG_EXAMPLE_MAX_DAYS" {
			return "7"
		}
		return ""
	})
	if err != nil || cfg.Setting("example-max-days") != "7" {
		t.Fatalf("setting from the environment: %v %v", cfg, err)
	}
}
