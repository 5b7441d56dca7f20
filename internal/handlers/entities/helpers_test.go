package entities_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
)

// each runs a scenario on SQLite and on PostgreSQL.
func each(t *testing.T, fn func(t *testing.T, env *sitetest.Env)) {
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(d), func(t *testing.T) { fn(t, sitetest.New(t, d)) })
	}
}

func path(env *sitetest.Env, uscc, suffix string) string {
	return "/entities/" + strconv.FormatInt(env.Entities[uscc], 10) + suffix
}

func apiPath(env *sitetest.Env, uscc string) string {
	return "/api/v1/entities/" + strconv.FormatInt(env.Entities[uscc], 10)
}

// newUSCC returns a valid code with the given 17-character prefix.
func newUSCC(t testing.TB, first17 string) string {
	t.Helper()
	c, err := ident.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// wrongCheck returns code with a wrong check character, and the right one.
func wrongCheck(code string) (string, string) {
	bad := byte('0')
	if code[17] == '0' {
		bad = '1'
	}
	return code[:17] + string(bad), code[17:]
}

// Import rows. goodRows are valid new entities; badRow has a wrong check
// character.
var (
	goodA = []string{"91411002MA9XT1AB2", "许昌市魏都区新兴商贸有限公司", "有限责任公司", "赵丽", "411002198001010028", "许昌市魏都区新兴路 8 号", "411002", "5211", "12", "", "", "", "2020-04-01", "存续", "13912345678", "专精特新"}
	goodB = []string{"91411081MA9XT2CD3", "禹州市钧瓷文化传媒有限公司", "有限责任公司", "钱伟", "", "", "", "7259", "", "", "", "", "2018-09-09", "在业", "", ""}
	badR  = []string{"91411023MA9XT3EF4", "长葛市错误校验位有限公司", "有限责任公司", "孙强", "", "", "", "", "", "", "", "", "2019-01-01", "存续", "", ""}
)

// rows fills in the check characters: the first two rows get the right
// one, a row marked bad the wrong one.
func rows(t testing.TB, good [][]string, bad [][]string) [][]string {
	var out [][]string
	for _, r := range good {
		c := append([]string(nil), r...)
		c[0] = newUSCC(t, r[0])
		if id := c[4]; id != "" {
			k, err := ident.IDCardCheckChar(id[:17])
			if err != nil {
				t.Fatal(err)
			}
			c[4] = id[:17] + string(k)
		}
		out = append(out, c)
	}
	for _, r := range bad {
		c := append([]string(nil), r...)
		c[0], _ = wrongCheck(newUSCC(t, r[0]))
		out = append(out, c)
	}
	return out
}

// xlsxFile builds a workbook in the import layout.
func xlsxFile(t testing.TB, data [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", entity.SheetName); err != nil {
		t.Fatal(err)
	}
	header := make([]any, len(entity.Columns))
	for i, c := range entity.Columns {
		header[i] = c.Header
	}
	if err := f.SetSheetRow(entity.SheetName, "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range data {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(entity.SheetName, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody builds an upload with a file part (when data is not nil)
// and the fields.
func multipartBody(t testing.TB, filename string, data []byte, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &buf
}

// apiUpload posts a multipart body to the API with a bearer token.
func apiUpload(t testing.TB, env *sitetest.Env, token, path, contentType string, body io.Reader) *sitetest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", env.HTTP.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &sitetest.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// getRaw fetches a path with a client and returns the body bytes.
func getRaw(t testing.TB, c *sitetest.Client, env *sitetest.Env, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.HTTP.Get(env.HTTP.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// count returns the number of registered entities.
func count(t testing.TB, env *sitetest.Env) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var testidRe = regexp.MustCompile(`data-testid="([a-z0-9-]+)"[^>]*>([^<]*)<`)

// testid returns the text of the first element with the data-testid.
func testid(body, id string) string {
	for _, m := range testidRe.FindAllStringSubmatch(body, -1) {
		if m[1] == id {
			return strings.TrimSpace(m[2])
		}
	}
	return ""
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustLack(t testing.TB, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
