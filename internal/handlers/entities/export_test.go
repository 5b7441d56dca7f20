package entities_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/entity"
	"yingshang/internal/site/sitetest"
)

// readXLSX opens an exported workbook and returns the rows of its sheet.
func readXLSX(t testing.TB, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("export does not open with excelize: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(entity.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExport(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "sjj-staff")
		// The export link of the page, for a filter keeping USCCB only.
		page := c.Get(t, "/entities?region=411082")
		href := strings.ReplaceAll(attr(page.Body, "export-xlsx", "href"), "&amp;", "&")
		if href != "/entities/export?format=xlsx&region=411082" {
			t.Fatalf("export link %q", href)
		}
		resp, b := getRaw(t, c, env, href)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		cd := resp.Header.Get("Content-Disposition")
		if want := `attachment; filename="entities-20261123.xlsx"; filename*=UTF-8''%E7%BB%8F%E8%90%A5%E4%B8%BB%E4%BD%93-20261123.xlsx`; cd != want {
			t.Errorf("Content-Disposition\n got %s\nwant %s", cd, want)
		}
		rows := readXLSX(t, b)
		for i, r := range rows {
			t.Logf("row %d: %s", i+1, strings.Join(r, " | "))
		}
		if len(rows) != 2 || rows[0][0] != "统一社会信用代码" || rows[0][1] != "名称" || rows[1][0] != sitetest.USCCB || rows[1][1] != "长葛市恒达机械制造有限公司" {
			t.Fatalf("rows: %v", rows)
		}
		// sjj-staff manages USCCB: the phone is in full.
		if got := rows[1][14]; got != phoneB {
			t.Errorf("phone %q", got)
		}
		// CSV, all entities, as the supervisor: masked.
		sup := env.Login(t, "supervisor")
		resp, b = getRaw(t, sup, env, "/entities/export?format=csv&sort=uscc")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(resp.Header.Get("Content-Disposition"), ".csv") {
			t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "\ufeff统一社会信用代码,名称") || !strings.HasPrefix(lines[1], sitetest.USCCA) {
			t.Fatalf("csv lines: %q", lines)
		}
		if strings.Contains(string(b), phoneA) || strings.Contains(string(b), phoneB) || !strings.Contains(string(b), "139****1234") {
			t.Errorf("supervisor CSV not masked: %s", b)
		}
		// A bad filter is an error page, not a broken download.
		if r := c.Get(t, "/entities/export?format=xlsx&region=999999"); r.StatusCode != http.StatusBadRequest || r.Header.Get("Content-Disposition") != "" {
			t.Errorf("bad filter: %d %v", r.StatusCode, r.Header)
		}
		if r := c.Get(t, "/entities/export?format=pdf"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad format: %d", r.StatusCode)
		}
		// The API.
		tok := env.Token(t, "wd-staff")
		r := env.API(t, tok, "GET", "/api/v1/entities/export?industry=F", nil)
		rows = readXLSX(t, []byte(r.Body))
		if len(rows) != 2 || rows[1][0] != sitetest.USCCA || rows[1][14] != phoneA {
			t.Fatalf("API export: %v", rows)
		}
		if r := env.API(t, tok, "GET", "/api/v1/entities/export?format=pdf", nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("API bad format: %d", r.StatusCode)
		}
		// The enterprise user exports its own entity only.
		r = env.API(t, env.Token(t, "ent"), "GET", "/api/v1/entities/export?format=csv", nil)
		if strings.Count(strings.TrimSpace(r.Body), "\n") != 1 || !strings.Contains(r.Body, sitetest.USCCA) {
			t.Errorf("ent export: %s", r.Body)
		}
	})
}

// attr returns an attribute of the element with the data-testid.
func attr(body, id, name string) string {
	i := strings.Index(body, `data-testid="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<")
	end := strings.Index(body[start:], ">")
	tag := body[start : start+end]
	j := strings.Index(tag, name+`="`)
	if j < 0 {
		return ""
	}
	v := tag[j+len(name)+2:]
	return v[:strings.Index(v, `"`)]
}
