package licenses_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/config"
	"yingshang/internal/db"
	"yingshang/internal/license"
	"yingshang/internal/site/sitetest"
)

func TestPublicCatalogue(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.NewWith(t, e, func(c *config.Config) { c.PublicRateLimit = 6 })
			setup(t, env)
			anon := env.Anonymous()
			if r := anon.Get(t, "/"); !strings.Contains(r.Body, `href="/licenses/reminder-catalogue"`) {
				t.Fatalf("landing page has no link to the catalogue:\n%s", r.Body)
			}
			r := anon.Get(t, "/licenses/reminder-catalogue")
			if r.StatusCode != 200 || !strings.Contains(r.Body, "食品经营许可证") || !strings.Contains(r.Body, "市民之家") ||
				!strings.Contains(r.Body, "到期前 30 天") || !strings.Contains(r.Body, "工作人员电话或上门") || !strings.Contains(r.Body, "短信、站内消息") {
				t.Fatalf("public page: %d\n%s", r.StatusCode, r.Body)
			}
			if r := anon.Get(t, "/licenses/reminder-catalogue?department_id=x"); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad department: %d", r.StatusCode)
			}
			r = anon.Get(t, "/api/v1/license-catalogue")
			var units []license.PublicUnit
			r.JSON(t, &units)
			if r.StatusCode != 200 || len(units) != 1 || units[0].Items[0].Code != "SP-JY" || len(units[0].Items[0].Stages) != 4 {
				t.Fatalf("public API: %d %s", r.StatusCode, r.Body)
			}
			var none []license.PublicUnit
			anon.Get(t, fmt.Sprintf("/api/v1/license-catalogue?department_id=%d", env.Depts["XC-SWJ"])).JSON(t, &none)
			if len(none) != 0 {
				t.Fatalf("filtered to a department without items: %+v", none)
			}
			// Public endpoints share the per-client limit (6 a minute here).
			limited := false
			for range 6 {
				if anon.Get(t, "/api/v1/license-catalogue").StatusCode == http.StatusTooManyRequests {
					limited = true
					break
				}
			}
			if !limited {
				t.Fatal("the public catalogue API is not rate limited")
			}
		})
	}
}
