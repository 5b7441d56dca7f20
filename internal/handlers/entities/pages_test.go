package entities_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/entity"
	"yingshang/internal/site/sitetest"
)

const (
	phoneA = "13937451234" // USCCA, managed by WD-SJJ
	phoneB = "13803745678" // USCCB, managed by XC-SJJ
	idA    = "41100219850312001X"
	idB    = "41108219781123004X"
)

func TestSearch(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "sjj-staff")
		cases := []struct {
			query     string
			want, not []string
		}{
			{"q=" + url.QueryEscape("瑞丰"), []string{sitetest.USCCA}, []string{sitetest.USCCB}},
			{"q=914110", []string{sitetest.USCCA, sitetest.USCCB}, nil},
			{"q=91411082", []string{sitetest.USCCB}, []string{sitetest.USCCA}},
			{"region=411082", []string{sitetest.USCCB}, []string{sitetest.USCCA}},
			{"region=411000", []string{sitetest.USCCA, sitetest.USCCB}, nil},
			{"region=411000&region_other=411002", []string{sitetest.USCCA}, []string{sitetest.USCCB}},
			{"industry=F", []string{sitetest.USCCA}, []string{sitetest.USCCB}},
			{"industry=34", []string{sitetest.USCCB}, []string{sitetest.USCCA}},
			{"tag=" + url.QueryEscape("专精特新"), []string{sitetest.USCCA}, []string{sitetest.USCCB}},
			{"status=cancelled", nil, []string{sitetest.USCCA, sitetest.USCCB}},
		}
		for _, tc := range cases {
			r := c.Get(t, "/entities?"+tc.query)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", tc.query, r.StatusCode)
			}
			mustContain(t, tc.query, r.Body, tc.want...)
			mustLack(t, tc.query, r.Body, tc.not...)
		}
		// The table shows the region and industry names, and the export
		// links carry the filter.
		r := c.Get(t, "/entities?q="+url.QueryEscape("瑞丰"))
		mustContain(t, "list", r.Body, "许昌瑞丰商贸有限公司", "河南省许昌市魏都区", "王建国", "/entities/export?format=xlsx&amp;q=%E7%91%9E%E4%B8%B0")
		if got := testid(r.Body, "entity-total"); !strings.Contains(r.Body, `data-testid="entity-total">共 <strong>1</strong>`) {
			t.Errorf("total: %q", got)
		}
		// htmx asks for the content block only.
		p := c.Get(t, "/entities?partial=1&q="+url.QueryEscape("恒达"))
		if strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, `id="results"`) || !strings.Contains(p.Body, sitetest.USCCB) {
			t.Errorf("partial: %s", p.Body)
		}
		// A bad region code is a field error on the page.
		bad := c.Get(t, "/entities?region_other=999999")
		if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, `id="region-err"`) {
			t.Errorf("bad region: %d", bad.StatusCode)
		}
		// Sorting by name (code point order: 许 < 长), both ways.
		for sort, aFirst := range map[string]bool{"name": true, "-name": false} {
			s := c.Get(t, "/entities?sort="+sort)
			i, j := strings.Index(s.Body, sitetest.USCCA), strings.Index(s.Body, sitetest.USCCB)
			if i < 0 || j < 0 || (i < j) != aFirst {
				t.Errorf("sort %s: A at %d, B at %d", sort, i, j)
			}
		}
	})
}

func TestSearchAPI(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		tok := env.Token(t, "supervisor")
		var page struct {
			Items []entity.Entity `json:"items"`
			Total int64           `json:"total"`
			Page  int             `json:"page"`
		}
		r := env.API(t, tok, "GET", "/api/v1/entities?q="+url.QueryEscape("瑞丰"), nil)
		r.JSON(t, &page)
		if r.StatusCode != 200 || page.Total != 1 || len(page.Items) != 1 || page.Items[0].USCC != sitetest.USCCA || page.Page != 1 {
			t.Fatalf("search: %d %s", r.StatusCode, r.Body)
		}
		r = env.API(t, tok, "GET", "/api/v1/entities?industry=C&per_page=1", nil)
		r.JSON(t, &page)
		if page.Total != 1 || page.Items[0].USCC != sitetest.USCCB {
			t.Fatalf("industry C: %s", r.Body)
		}
		if strings.Contains(r.Body, "total_estimated") {
			t.Errorf("exact total marked estimated: %s", r.Body)
		}
		// Beyond the count bound the total is an estimate, and says so.
		env.App.Entities.CountBound = 1
		t.Cleanup(func() { env.App.Entities.CountBound = 0 })
		var est struct {
			Total     int64 `json:"total"`
			Estimated bool  `json:"total_estimated"`
		}
		r = env.API(t, tok, "GET", "/api/v1/entities?region=411000", nil)
		r.JSON(t, &est)
		if r.StatusCode != 200 || !est.Estimated || est.Total != 2 {
			t.Errorf("estimate: %d %s", r.StatusCode, r.Body)
		}
		page2 := env.Login(t, "sjj-staff").Get(t, "/entities?region=411000")
		if got := testid(page2.Body, "entity-total-estimated"); got != "约" || !strings.Contains(page2.Body, "<strong>2</strong> 个经营主体（估算）") {
			t.Errorf("estimated total on the page: %q", got)
		}
		env.App.Entities.CountBound = 0
		for _, q := range []string{"size=huge", "per_page=500", "region=12", "sort=phone"} {
			if r := env.API(t, tok, "GET", "/api/v1/entities?"+q, nil); r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d %s", q, r.StatusCode, r.Body)
			}
		}
	})
}

// TestMasking checks who sees personal data, on the detail page and in
// the API: the managing department and the platform admin in full,
// others masked; an enterprise user its own only.
func TestMasking(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		type view struct {
			user         string
			plainA       bool
			plainB       bool
			forbiddenAll bool
		}
		for _, vw := range []view{
			{"admin", true, true, false},
			{"sjj-staff", false, true, false},
			{"wd-staff", true, false, false},
			{"supervisor", false, false, false},
		} {
			c := env.Login(t, vw.user)
			tok := env.Token(t, vw.user)
			for _, x := range []struct {
				uscc, id, phone string
				plain           bool
			}{{sitetest.USCCA, idA, phoneA, vw.plainA}, {sitetest.USCCB, idB, phoneB, vw.plainB}} {
				page := c.Get(t, path(env, x.uscc, ""))
				var e entity.Entity
				r := env.API(t, tok, "GET", apiPath(env, x.uscc), nil)
				r.JSON(t, &e)
				if page.StatusCode != 200 || r.StatusCode != 200 {
					t.Fatalf("%s %s: page %d api %d", vw.user, x.uscc, page.StatusCode, r.StatusCode)
				}
				if x.plain {
					mustContain(t, vw.user+" page "+x.uscc, page.Body, x.id, x.phone)
					mustLack(t, vw.user+" page "+x.uscc, page.Body, `data-testid="masked-note"`)
					if e.Masked || e.Phone != x.phone || e.LegalRepID != x.id {
						t.Errorf("%s API %s: %+v", vw.user, x.uscc, e)
					}
				} else {
					mustLack(t, vw.user+" page "+x.uscc, page.Body, x.id, x.phone)
					mustContain(t, vw.user+" page "+x.uscc, page.Body, "已脱敏", x.phone[:3]+"****"+x.phone[7:])
					if !e.Masked || e.Phone == x.phone || e.LegalRepID == x.id {
						t.Errorf("%s API %s unmasked: %+v", vw.user, x.uscc, e)
					}
				}
			}
		}
		// The enterprise user: its own entity in full, the other not found.
		ent := env.Login(t, "ent")
		mine := ent.Get(t, "/my/entity")
		mustContain(t, "ent /my/entity", mine.Body, "许昌瑞丰商贸有限公司", idA, phoneA, "/e/"+sitetest.USCCA+"/qr.png?download=1")
		mustLack(t, "ent /my/entity", mine.Body, "已脱敏", "entity-history")
		if r := ent.Get(t, path(env, sitetest.USCCB, "")); r.StatusCode != http.StatusNotFound {
			t.Errorf("ent sees B's page: %d", r.StatusCode)
		}
		if r := ent.Get(t, path(env, sitetest.USCCA, "")); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/my/entity" {
			t.Errorf("ent own page: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		tok := env.Token(t, "ent")
		for _, p := range []string{apiPath(env, sitetest.USCCB), "/api/v1/entities/by-uscc/" + sitetest.USCCB, "/api/v1/entities/by-uscc/" + sitetest.USCCB + "/qr.png"} {
			if r := env.API(t, tok, "GET", p, nil); r.StatusCode != http.StatusNotFound {
				t.Errorf("ent %s: %d", p, r.StatusCode)
			}
		}
		var own entity.Entity
		r := env.API(t, tok, "GET", "/api/v1/entities/by-uscc/"+strings.ToLower(sitetest.USCCA), nil)
		r.JSON(t, &own)
		if own.Phone != phoneA || own.Masked {
			t.Errorf("ent own API: %+v", own)
		}
		var list struct{ Total int64 }
		env.API(t, tok, "GET", "/api/v1/entities", nil).JSON(t, &list)
		if list.Total != 1 {
			t.Errorf("ent list total %d", list.Total)
		}
	})
}

func TestDetail(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "sjj-staff")
		r := c.Get(t, path(env, sitetest.USCCB, ""))
		mustContain(t, "detail", r.Body,
			"长葛市恒达机械制造有限公司", "河南省许昌市长葛市", "制造业", "许昌市市场监督管理局",
			`data-testid="entity-history"`, "登记", `src="/e/`+sitetest.USCCB+`/qr.png"`, "http://yingshang.test/e/"+sitetest.USCCB,
			`data-testid="entity-edit"`)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("detail cacheable: %q", r.Header.Get("Cache-Control"))
		}
		// sjj-staff may not edit USCCA (managed by WD-SJJ): no button.
		a := c.Get(t, path(env, sitetest.USCCA, ""))
		mustLack(t, "detail A", a.Body, `data-testid="entity-edit"`)
		if r := c.Get(t, "/entities/999999"); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown id: %d", r.StatusCode)
		}
		if r := c.Get(t, "/entities/abc"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad id: %d", r.StatusCode)
		}
	})
}

func TestCreateAndEdit(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		c := env.Login(t, "sjj-staff")
		good := newUSCC(t, "91411002MA9XN7PQ4")
		bad, want := wrongCheck(good)
		form := url.Values{"uscc": {bad}, "name": {"许昌市新登记测试有限公司"}, "status": {"active"},
			"employees": {"abc"}, "phone": {"12345"}, "founded_on": {"2021-06-01"}, "tags": {"外贸, 新设"}}
		r := c.PostForm(t, "/entities/new", form)
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad create: %d", r.StatusCode)
		}
		if got := testid(r.Body, "err-uscc"); !strings.Contains(got, "第18位校验码不对，请核对") {
			t.Errorf("uscc error %q, want the expected check character %s", got, want)
		}
		if testid(r.Body, "err-employees") == "" || testid(r.Body, "err-phone") == "" {
			t.Errorf("all field errors at once expected:\n%s", r.Body)
		}
		mustContain(t, "refilled form", r.Body, `value="`+bad+`"`, `value="许昌市新登记测试有限公司"`, `aria-invalid="true" aria-describedby="uscc-err"`)
		// In English.
		r = c.PostForm(t, "/entities/new?lang=en", url.Values{"uscc": {bad}, "name": {"x"}})
		if got := testid(r.Body, "err-uscc"); !strings.Contains(got, "character 18 (the check character) does not match the rest: please check the code") {
			t.Errorf("English uscc error %q", got)
		}

		form.Set("uscc", good)
		form.Set("employees", "8")
		form.Set("phone", "0374-1234567")
		r = c.PostForm(t, "/entities/new", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		loc := r.Header.Get("Location")
		d := c.Get(t, loc)
		mustContain(t, "created", d.Body, "已登记：许昌市新登记测试有限公司", good, "0374-1234567", "外贸", "新设", "许昌市市场监督管理局")
		e, err := env.App.Entities.GetByUSCC(sitetest.System(), good)
		if err != nil || e.DepartmentID != env.Depts["XC-SJJ"] {
			t.Fatalf("created entity: %+v %v", e, err)
		}

		// Edit: the form is filled, a change is saved and appears in the history.
		f := c.Get(t, loc+"/edit")
		mustContain(t, "edit form", f.Body, `value="`+good+`"`, `value="0374-1234567"`)
		form.Set("name", "许昌市新登记测试（改名）有限公司")
		form.Set("department_id", "")
		r = c.PostForm(t, loc+"/edit", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.StatusCode, r.Body)
		}
		d = c.Get(t, loc)
		mustContain(t, "edited", d.Body, "已保存", "许昌市新登记测试（改名）有限公司", "修改")

		// Editing an entity another department manages is refused.
		wd := env.Login(t, "wd-staff")
		if r := wd.Get(t, loc+"/edit"); r.StatusCode != http.StatusForbidden {
			t.Errorf("wd-staff edit form: %d", r.StatusCode)
		}
		if r := wd.PostForm(t, loc+"/edit", form); r.StatusCode != http.StatusForbidden {
			t.Errorf("wd-staff edit: %d", r.StatusCode)
		}
		// The supervisor reads but never edits.
		if r := env.Login(t, "supervisor").Get(t, loc+"/edit"); r.StatusCode != http.StatusForbidden {
			t.Errorf("supervisor edit form: %d", r.StatusCode)
		}
	})
}

func TestEditKeepsMaskedValues(t *testing.T) {
	env := sitetest.New(t, "sqlite")
	ctx := sitetest.System()
	// An entity with no managing department: any department user may
	// edit it but sees its personal data masked.
	e, err := env.App.Entities.Create(ctx, entity.Input{USCC: newUSCC(t, "91411002MA9XM5KL6"), Name: "无主管部门测试企业",
		Phone: "13611112222", LegalRepID: idA})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Login(t, "wd-staff")
	p := "/entities/" + itoa(e.ID)
	f := c.Get(t, p+"/edit")
	mustContain(t, "masked edit form", f.Body, `value="136****2222"`, `data-testid="masked-note"`)
	mustLack(t, "masked edit form", f.Body, "13611112222", idA)
	form := url.Values{"uscc": {e.USCC}, "name": {"无主管部门测试企业（改）"}, "status": {"active"},
		"phone": {"136****2222"}, "legal_rep_id": {"411002********001X"}}
	if r := c.PostForm(t, p+"/edit", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit with masked values: %d %s", r.StatusCode, r.Body)
	}
	after, err := env.App.Entities.Get(context.WithoutCancel(ctx), e.ID)
	if err != nil || after.Phone != "13611112222" || after.LegalRepID != idA || after.Name != "无主管部门测试企业（改）" {
		t.Fatalf("after: %+v %v", after, err)
	}
}
