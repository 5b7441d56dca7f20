package credits_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// TestPublicSearchHomeRegionFirst: the public credit search lists the
// installation's own region (the top-level department's, 411000 许昌) before
// a business of another city whose name sorts first, says what "under
// publicity" counts, and answers a mistyped code with what to check.
func TestPublicSearchHomeRegionFirst(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			env := sitetest.New(t, engine)
			first17 := "91410100MA9XR1AB2" // 郑州市
			c, err := ident.USCCCheckChar(first17)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Entities.Create(sitetest.System(), entity.Input{USCC: first17 + string(c), Name: "丁氏有限公司", Type: "company", RegionCode: "410100", IndustryCode: "5191", FoundedOn: "2020-01-01"}); err != nil {
				t.Fatal(err)
			}
			hits, err := modules.Get[*credit.Service](env.Modules).PublicSearch(sitetest.System(), "有限公司")
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 3 {
				t.Fatalf("hits %+v", hits)
			}
			// Hand-ordered: the two 许昌 businesses by name, then 郑州.
			if !hits[0].Local || !hits[1].Local || hits[2].Local || hits[2].Name != "丁氏有限公司" {
				t.Fatalf("order %+v", hits)
			}
			page := env.Anonymous().Get(t, "/public/credit?q="+url.QueryEscape("有限公司"))
			if page.StatusCode != 200 || !strings.Contains(page.Body, `data-testid="published-explained"`) || strings.Contains(page.Body, "公示中 0") ||
				!strings.Contains(page.Body, "无公示中的信用记录") {
				t.Fatalf("page %d", page.StatusCode)
			}
			// A mistyped whole code: what to check, not "nothing found".
			bad := sitetest.USCCA[:17] + "X"
			page = env.Anonymous().Get(t, "/public/credit?q="+bad)
			if page.StatusCode != http.StatusBadRequest || !strings.Contains(page.Body, "第18位校验码不对，请核对") || strings.Contains(page.Body, "没有找到") {
				t.Fatalf("mistyped code: %d", page.StatusCode)
			}
		})
	}
}

// TestRegionPrefix: the prefix of a province, a city and a county code.
func TestRegionPrefix(t *testing.T) {
	for in, want := range map[string]string{"410000": "41", "411000": "4110", "411002": "411002", "000000": "", "4110": "", "41100A": ""} {
		if got := entity.RegionPrefix(in); got != want {
			t.Errorf("RegionPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}
