package demo_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/refdata"
	"yingshang/internal/site"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/web"
)

// allowedCJK is Chinese text an English page may show on purpose: the
// language switch offers "中文"; the calendar marks days as the printed
// Chinese calendar does (休, 班), explained in the English legend; the
// expert pool's import help names the spreadsheet's Chinese column headers.
var allowedCJK = []string{"中文", "休", "班", "所在地区代码", "手机号", "职称", "专业代码", "关联单位统一社会信用代码", "工作单位名称", "工作单位统一社会信用代码"}

// No page is skipped: Chinese shown as data on purpose is marked
// lang="zh-CN" (the message templates page's Chinese templates,
// descriptions and examples in table cells; an import page's spreadsheet
// headers in <strong> or <code>) and left out, everything else must be
// English.

// TestEnglishPagesShowNoChinese signs in as each demo role with English,
// opens every page its menu and home cards link to, and fails on any
// Chinese text that is not user data (a string stored in the database:
// names, titles, notes), naming the page and the text. Labels are strict:
// a code without a label fails the page.
func TestEnglishPagesShowNoChinese(t *testing.T) {
	web.StrictLabels = true
	t.Cleanup(func() { web.StrictLabels = false })
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, mods, _ := sitetest.Assemble(t, d)
		res, err := demo.Load(ctx, a, mods)
		if err != nil {
			t.Fatal(err)
		}
		corpus := userData(t, ctx, d)
		// Every audit action and object type in the demo's log has a label.
		rows, err := d.Q(ctx).Query(ctx, `SELECT DISTINCT action, object_type FROM audit_events`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var action, object string
			if err := rows.Scan(&action, &object); err != nil {
				t.Fatal(err)
			}
			if _, ok := web.AuditActionLabel(action, "en"); !ok {
				t.Errorf("audit action %q has no label", action)
			}
			if _, ok := web.LabelText("audit.object", object); !ok {
				t.Errorf("audit object type %q has no label", object)
			}
		}
		rows.Close()
		srv, err := site.New(a, mods)
		if err != nil {
			t.Fatal(err)
		}
		env := &sitetest.Env{App: a, Modules: mods, Server: srv, HTTP: httptest.NewServer(srv.Handler())}
		defer env.HTTP.Close()
		pw := map[string]string{}
		for _, l := range res.Logins {
			pw[l.Username] = l.Password
		}
		failures := map[string][]string{} // text -> pages
		pages := 0
		for _, u := range []string{"admin", "supervisor", "sjj-admin", "sjj-staff", "hotline", "czj-staff", "enterprise", "expert1", "bidder1"} {
			c := env.Anonymous()
			if r := c.PostForm(t, "/login", url.Values{"username": {u}, "password": {pw[u]}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("login %s: %d", u, r.StatusCode)
			}
			c.Get(t, "/lang?to=en&back=/")
			home := c.Get(t, "/")
			seen := map[string]bool{}
			queue := []string{"/"}
			for _, l := range links(home.Body) {
				if !seen[l] {
					seen[l] = true
					queue = append(queue, l)
				}
			}
			for _, p := range queue {
				r := c.Get(t, p)
				if r.StatusCode != http.StatusOK {
					if r.StatusCode >= 500 {
						t.Errorf("%s GET %s: status %d: %s", u, p, r.StatusCode, short(r.Body))
					}
					continue
				}
				if !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
					continue
				}
				pages++
				for _, run := range cjkRuns(visibleText(r.Body)) {
					if slices.Contains(allowedCJK, run) || strings.Contains(corpus, run) {
						continue
					}
					failures[run] = append(failures[run], u+" "+p)
				}
			}
		}
		if pages < 40 {
			t.Fatalf("opened only %d pages", pages)
		}
		var runs []string
		for r := range failures {
			runs = append(runs, r)
		}
		sort.Strings(runs)
		for _, r := range runs {
			ps := failures[r]
			if len(ps) > 3 {
				ps = append(ps[:3], "…")
			}
			t.Errorf("Chinese on an English page: %q on %s", r, strings.Join(ps, ", "))
		}
		t.Logf("%d English pages opened", pages)
	})
}

var hrefRe = regexp.MustCompile(`href="(/[^"#]*)"`)

// links are the page's links to the site's own HTML pages.
func links(body string) []string {
	var out []string
	for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
		p := html.UnescapeString(m[1])
		if p == "/" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/lang") ||
			strings.HasPrefix(p, "/logout") || strings.Contains(p, "export") || strings.Contains(p, ".csv") || strings.Contains(p, ".xlsx") {
			continue
		}
		out = append(out, p)
	}
	return out
}

var (
	dropRe = regexp.MustCompile(`(?s)<(script|style|textarea)\b.*?</(script|style|textarea)>`)
	// A table cell marked lang="zh-CN" is Chinese text shown as data on
	// purpose (a Chinese message template beside its English one).
	zhCellRe = regexp.MustCompile(`(?s)<td\b[^>]*\blang="zh-CN"[^>]*>.*?</td>`)
	// So is a spreadsheet's Chinese column header (<strong> or <code>
	// marked lang="zh-CN") on an import page.
	zhHeadRe = regexp.MustCompile(`<(?:strong|code) lang="zh-CN">[^<]*</(?:strong|code)>`)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
)

// visibleText is a page's text without markup (attributes are left out).
func visibleText(body string) string {
	body = dropRe.ReplaceAllString(body, " ")
	body = zhCellRe.ReplaceAllString(body, " ")
	body = zhHeadRe.ReplaceAllString(body, " ")
	return html.UnescapeString(tagRe.ReplaceAllString(body, "\n"))
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// cjkRuns are the maximal runs of Chinese characters and punctuation.
func cjkRuns(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			if r := strings.Trim(string(cur), "，。：；、（）！？　「」【】《》·"); r != "" {
				out = append(out, r)
			}
			cur = cur[:0]
		}
	}
	for _, r := range s {
		if isCJK(r) && r != '、' {
			cur = append(cur, r)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func short(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// userData is every text value in the database, joined: Chinese found in
// it on a page is user data (a name, a title, a note).
func userData(t *testing.T, ctx context.Context, d *db.DB) string {
	t.Helper()
	q := d.Q(ctx)
	var cols [][2]string
	list := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
	if d.Dialect == db.Postgres {
		list = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := q.Query(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{tb, col})
	}
	rows.Close()
	var b strings.Builder
	for _, c := range cols {
		rows, err := q.Query(ctx, `SELECT CAST("`+c[1]+`" AS TEXT) FROM "`+c[0]+`" WHERE "`+c[1]+`" IS NOT NULL`)
		if err != nil {
			continue // a column that does not cast (binary)
		}
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil && strings.IndexFunc(s, isCJK) >= 0 {
				b.WriteString(s)
				b.WriteByte(0)
			}
		}
		rows.Close()
	}
	// Reference data: the official Chinese names of regions (GB/T 2260)
	// and industries (GB/T 4754), which have no English names.
	var regions func(list []refdata.RegionInfo)
	regions = func(list []refdata.RegionInfo) {
		for _, r := range list {
			b.WriteString(refdata.FullName(r.Code) + "\x00" + r.Name + "\x00")
			regions(refdata.RegionChildren(r.Code))
		}
	}
	regions(refdata.Provinces())
	var industries func(list []refdata.IndustryInfo)
	industries = func(list []refdata.IndustryInfo) {
		for _, i := range list {
			b.WriteString(i.Name + "\x00")
			industries(refdata.IndustryChildren(i.Code))
		}
	}
	industries(refdata.Sections())
	return b.String()
}
