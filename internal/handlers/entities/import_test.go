package entities_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yingshang/internal/entity"
	"yingshang/internal/site/sitetest"
)

var tokenFieldRe = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)

// keptFiles counts the files kept for a second import.
func keptFiles(t testing.TB, env *sitetest.Env) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(env.App.Cfg.DataDir, "uploads", "import-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// TestImportPage walks the path the end-to-end test takes: an upload with
// one bad row is refused whole and reported, then the valid rows are
// imported without choosing the file again.
func TestImportPage(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "sjj-staff")
		if r := c.Get(t, "/entities/import"); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="import-form"`) {
			t.Fatalf("import form: %d", r.StatusCode)
		}
		before := count(t, env)
		data := xlsxFile(t, rows(t, [][]string{goodA, goodB}, [][]string{badR}))
		ct, body := multipartBody(t, "企业名单.xlsx", data, map[string]string{"mode": "all_or_nothing"})
		r := c.PostMultipart(t, "/entities/import", ct, body)
		if r.StatusCode != 200 {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
		mustContain(t, "refused import", r.Body, `data-testid="import-summary" data-committed="false"`, `data-testid="import-bad-rows"`,
			`data-row="4"`, "统一社会信用代码", "第18位校验码不对，请核对", `data-testid="import-valid-only"`, "企业名单.xlsx")
		if testid(r.Body, "import-total") != "3" || testid(r.Body, "import-created") != "2" || testid(r.Body, "import-bad") != "1" {
			t.Errorf("counts: total %s created %s bad %s", testid(r.Body, "import-total"), testid(r.Body, "import-created"), testid(r.Body, "import-bad"))
		}
		if n := count(t, env); n != before {
			t.Fatalf("refused import wrote %d entities", n-before)
		}
		m := tokenFieldRe.FindStringSubmatch(r.Body)
		if m == nil || keptFiles(t, env) != 2 {
			t.Fatalf("no kept file (token %v, files %d)", m, keptFiles(t, env))
		}
		// Somebody else cannot use the token.
		other := env.Login(t, "sjj-admin")
		ct, body = multipartBody(t, "", nil, map[string]string{"token": m[1], "mode": "valid_only"})
		if r := other.PostMultipart(t, "/entities/import", ct, body); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "已过期") {
			t.Errorf("token of another user: %d", r.StatusCode)
		}
		// Import only the valid rows.
		ct, body = multipartBody(t, "", nil, map[string]string{"token": m[1], "mode": "valid_only"})
		r = c.PostMultipart(t, "/entities/import", ct, body)
		mustContain(t, "valid-only import", r.Body, `data-committed="true"`, "已导入", `data-row="4"`)
		if testid(r.Body, "import-created") != "2" {
			t.Errorf("created %q", testid(r.Body, "import-created"))
		}
		if n := count(t, env); n != before+2 {
			t.Fatalf("valid-only import: %d new entities, want 2", n-before)
		}
		if keptFiles(t, env) != 0 {
			t.Errorf("the kept file was not deleted after use")
		}
		// The token is used up.
		ct, body = multipartBody(t, "", nil, map[string]string{"token": m[1], "mode": "valid_only"})
		if r := c.PostMultipart(t, "/entities/import", ct, body); r.StatusCode != http.StatusBadRequest {
			t.Errorf("reused token: %d", r.StatusCode)
		}
		e, err := env.App.Entities.GetByUSCC(sitetest.System(), newUSCC(t, goodA[0]))
		if err != nil || e.DepartmentID != env.Depts["XC-SJJ"] || e.Phone != "13912345678" {
			t.Fatalf("imported entity: %+v %v", e, err)
		}
	})
}

func TestImportDryRunAndExpiry(t *testing.T) {
	env := sitetest.New(t, "sqlite")
	c := env.Login(t, "admin")
	before := count(t, env)
	data := xlsxFile(t, rows(t, [][]string{goodA}, nil))
	// As a browser posts it: the CSRF token in the form, not a header.
	browser := *c
	browser.CSRF = ""
	ct, body := multipartBody(t, "a.xlsx", data, map[string]string{"dry_run": "on", "_csrf": c.CSRF})
	r := browser.PostMultipart(t, "/entities/import", ct, body)
	mustContain(t, "dry run", r.Body, "检查完成，未写入任何数据", `data-testid="import-commit"`)
	if count(t, env) != before {
		t.Fatal("a dry run wrote")
	}
	m := tokenFieldRe.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no token after a dry run")
	}
	// After 30 minutes the file is gone.
	env.Clock.Advance(31 * time.Minute)
	ct, body = multipartBody(t, "", nil, map[string]string{"token": m[1]})
	if r := c.PostMultipart(t, "/entities/import", ct, body); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "已过期") {
		t.Errorf("expired token: %d", r.StatusCode)
	}
	// The next upload sweeps the expired file away.
	ct, body = multipartBody(t, "a.xlsx", data, map[string]string{"dry_run": "1"})
	c.PostMultipart(t, "/entities/import", ct, body)
	if n := keptFiles(t, env); n != 2 {
		t.Errorf("kept files after the sweep: %d, want 2 (the new upload only)", n)
	}
}

func TestImportRefusals(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "admin")
		tok := env.Token(t, "admin")
		before := count(t, env)
		data := xlsxFile(t, rows(t, [][]string{goodA, goodB}, nil))

		// Too large: 413, nothing written, through the page and the API.
		env.App.Cfg.UploadLimit = 2048
		ct, body := multipartBody(t, "big.xlsx", data, nil)
		r := c.PostMultipart(t, "/entities/import", ct, body)
		if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "超过 2 KB 的上传上限") {
			t.Errorf("page, too large: %d %s", r.StatusCode, testid(r.Body, "err-file"))
		}
		// A browser sends the CSRF token as a form field, so the whole form
		// is parsed before the handler runs: the file size still decides.
		browser := *c
		browser.CSRF = ""
		ct, body = multipartBody(t, "big.xlsx", data, map[string]string{"_csrf": c.CSRF})
		if r := browser.PostMultipart(t, "/entities/import", ct, body); r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("browser form, too large: %d %s", r.StatusCode, testid(r.Body, "err-file"))
		}
		ct, body = multipartBody(t, "big.xlsx", data, nil)
		if r := apiUpload(t, env, tok, "/api/v1/entities/import", ct, body); r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, `"code":"too_large"`) {
			t.Errorf("API, too large: %d %s", r.StatusCode, r.Body)
		}
		env.App.Cfg.UploadLimit = 20 << 20

		// Not a spreadsheet: 400.
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2}, 100)...)
		ct, body = multipartBody(t, "photo.png", png, nil)
		r = c.PostMultipart(t, "/entities/import", ct, body)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "文件不是 .xlsx 工作簿或 .csv 表格") {
			t.Errorf("page, not a spreadsheet: %d", r.StatusCode)
		}
		ct, body = multipartBody(t, "photo.png", png, nil)
		if r := apiUpload(t, env, tok, "/api/v1/entities/import", ct, body); r.StatusCode != http.StatusBadRequest {
			t.Errorf("API, not a spreadsheet: %d %s", r.StatusCode, r.Body)
		}
		// A missing required column names it.
		csv := "\ufeff名称,类型\n某公司,有限责任公司\n"
		ct, body = multipartBody(t, "x.csv", []byte(csv), nil)
		if r := apiUpload(t, env, tok, "/api/v1/entities/import", ct, body); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "统一社会信用代码") {
			t.Errorf("API, missing column: %d %s", r.StatusCode, r.Body)
		}
		// No file at all.
		ct, body = multipartBody(t, "", nil, map[string]string{"mode": "valid_only"})
		if r := c.PostMultipart(t, "/entities/import", ct, body); r.StatusCode != http.StatusBadRequest || testid(r.Body, "err-file") == "" {
			t.Errorf("page, no file: %d", r.StatusCode)
		}
		// A bad mode.
		ct, body = multipartBody(t, "a.xlsx", data, map[string]string{"mode": "some"})
		if r := apiUpload(t, env, tok, "/api/v1/entities/import", ct, body); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"mode"`) {
			t.Errorf("API, bad mode: %d %s", r.StatusCode, r.Body)
		}
		if n := count(t, env); n != before {
			t.Fatalf("refused uploads wrote %d entities", n-before)
		}
		if keptFiles(t, env) != 0 {
			t.Errorf("refused uploads were kept")
		}
	})
}

func TestImportAPI(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		tok := env.Token(t, "sjj-staff")
		before := count(t, env)
		data := xlsxFile(t, rows(t, [][]string{goodA, goodB}, [][]string{badR}))
		post := func(fields map[string]string) entity.ImportReport {
			ct, body := multipartBody(t, "list.xlsx", data, fields)
			r := apiUpload(t, env, tok, "/api/v1/entities/import", ct, body)
			var rep entity.ImportReport
			r.JSON(t, &rep)
			if r.StatusCode != 200 {
				t.Fatalf("import %v: %d %s", fields, r.StatusCode, r.Body)
			}
			return rep
		}
		rep := post(map[string]string{"dry_run": "true"})
		if rep.Committed || rep.Total != 3 || rep.Created != 2 || rep.Bad != 1 || rep.Rows[0].Row != 4 || rep.Rows[0].Column != "统一社会信用代码" {
			t.Fatalf("dry run: %+v", rep)
		}
		rep = post(nil)
		if rep.Committed || count(t, env) != before {
			t.Fatalf("all_or_nothing with a bad row: %+v", rep)
		}
		rep = post(map[string]string{"mode": "valid_only"})
		if !rep.Committed || rep.Created != 2 || rep.ImportID == 0 || count(t, env) != before+2 {
			t.Fatalf("valid_only: %+v", rep)
		}
		rep = post(map[string]string{"mode": "valid_only"})
		if rep.Unchanged != 2 || rep.Created != 0 {
			t.Fatalf("again: %+v", rep)
		}
		// The template.
		r := env.API(t, tok, "GET", "/api/v1/entities/import/template", nil)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Body, "PK") || !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Fatalf("template: %d %v", r.StatusCode, r.Header)
		}
		if r := env.API(t, env.Token(t, "supervisor"), "GET", "/api/v1/entities/import/template", nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("supervisor template: %d", r.StatusCode)
		}
	})
}

func TestTemplatePage(t *testing.T) {
	env := sitetest.New(t, "sqlite")
	c := env.Login(t, "sjj-staff")
	resp, b := getRaw(t, c, env, "/entities/import/template.xlsx")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("template: %d %v", resp.StatusCode, resp.Header)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
}
