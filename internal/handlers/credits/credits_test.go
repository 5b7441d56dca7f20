package credits_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"yingshang/internal/modules"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

func each(t *testing.T, fn func(t *testing.T, env *sitetest.Env)) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, sitetest.New(t, e)) })
	}
}

// seed records a general penalty for entity A and one for B by XC-SJJ.
func seed(t *testing.T, env *sitetest.Env) (a, b *credit.Record) {
	t.Helper()
	d := env.Depts["XC-SJJ"]
	ctx := auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["sjj-staff"], Roles: []auth.Role{auth.DeptStaff}, DepartmentID: d, DeptScope: []int64{d}})
	mk := func(uscc, no string) *credit.Record {
		r, err := modules.Get[*credit.Service](env.Modules).Create(ctx, credit.Input{USCC: uscc, Kind: credit.KindPenalty, Content: credit.Content{DecisionNo: no, DecidedOn: "2026-11-20",
			LegalBasis: "《广告法》第五十五条", Penalties: []credit.Penalty{{Type: "fine", Amount: 30000}}, Class: credit.ClassGeneral}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	return mk(sitetest.USCCA, "许市监罚〔2026〕501号"), mk(sitetest.USCCB, "许市监罚〔2026〕502号")
}

var matrixUsers = []string{"", "admin", "sjj-staff", "wd-staff", "supervisor", "ent"}

func TestAuthorisationMatrix(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		ra, rb := seed(t, env)
		A, B := fmt.Sprintf("/credit/records/%d", ra.ID), fmt.Sprintf("/credit/records/%d", rb.ID)
		pages := []struct {
			method, path string
			want         [6]int // anonymous, admin, sjj-staff, wd-staff, supervisor, ent
		}{
			{"GET", "/credit", [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/credit/new", [6]int{303, 200, 200, 200, 403, 403}},
			{"POST", "/credit/new", [6]int{303, 400, 400, 400, 403, 403}},
			{"GET", A, [6]int{303, 200, 200, 200, 200, 200}},
			{"GET", B, [6]int{303, 200, 200, 200, 200, 404}},
			{"GET", A + "/correct", [6]int{303, 200, 200, 403, 403, 403}},
			{"POST", A + "/correct", [6]int{303, 400, 400, 403, 403, 403}},
			{"GET", A + "/notice", [6]int{303, 200, 200, 200, 200, 200}},
			{"GET", B + "/notice.pdf", [6]int{303, 200, 200, 200, 200, 404}},
			{"GET", A + "/apply", [6]int{303, 403, 403, 403, 403, 200}},
			{"POST", A + "/apply", [6]int{303, 403, 403, 403, 403, 400}},
			{"GET", "/credit/repairs", [6]int{303, 200, 200, 200, 200, 200}},
			{"GET", "/credit/checks", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/checks", [6]int{303, 400, 400, 400, 400, 403}},
			{"GET", "/credit/commitments", [6]int{303, 200, 200, 200, 200, 200}},
			{"GET", "/credit/export?format=csv", [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/my/credit", [6]int{303, 403, 403, 403, 403, 200}},
			{"GET", "/public/credit?q=" + sitetest.USCCA, [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/public/credit/" + sitetest.USCCA, [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/public/credit/verify?code=AAAA", [6]int{200, 200, 200, 200, 200, 200}},
		}
		apiA, apiB := fmt.Sprintf("/api/v1/credit/records/%d", ra.ID), fmt.Sprintf("/api/v1/credit/records/%d", rb.ID)
		ops := []struct {
			method, path string
			body         any
			want         [6]int
		}{
			{"GET", "/api/v1/credit/records", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"POST", "/api/v1/credit/records", "{}", [6]int{401, 400, 400, 400, 403, 403}},
			{"GET", apiA, nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", apiB, nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"GET", apiB + "/notice", nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"PUT", apiA + "/obligations", map[string]any{"met": true}, [6]int{401, 204, 204, 403, 403, 403}},
			{"POST", apiA + "/versions", map[string]any{"reason": ""}, [6]int{401, 400, 400, 403, 403, 403}},
			{"POST", "/api/v1/credit/checks", "{}", [6]int{401, 400, 400, 400, 400, 403}},
			{"GET", "/api/v1/credit/checks/stats", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"GET", fmt.Sprintf("/api/v1/credit/entities/%d/grade", env.Entities[sitetest.USCCB]), nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"GET", "/api/v1/credit/public/" + sitetest.USCCA, nil, [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/credit/periods?decided=2026-11-30&class=general", nil, [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/credit/export?format=json", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"POST", "/api/v1/credit/commitments", "{}", [6]int{401, 403, 403, 403, 403, 400}},
			{"GET", "/api/v1/credit/repairs", nil, [6]int{401, 200, 200, 200, 200, 200}},
		}
		for i, user := range matrixUsers {
			c, tok := env.Anonymous(), ""
			if user != "" {
				c, tok = env.Login(t, user), env.Token(t, user)
			}
			for _, p := range pages {
				var r *sitetest.Response
				if p.method == "GET" {
					r = c.Get(t, p.path)
				} else {
					r = c.PostForm(t, p.path, url.Values{})
				}
				if r.StatusCode != p.want[i] {
					t.Errorf("%q %s %s: %d, want %d", user, p.method, p.path, r.StatusCode, p.want[i])
				}
			}
			for _, op := range ops {
				r := env.API(t, tok, op.method, op.path, op.body)
				if r.StatusCode != op.want[i] {
					t.Errorf("%q %s %s: %d, want %d (%.160s)", user, op.method, op.path, r.StatusCode, op.want[i], r.Body)
				}
			}
		}
	})
}

// TestRecordNoticePublicAndPeriods walks the pages: staff records a
// penalty by form, the enterprise finds the notice in its credit page and
// inbox, the public page shows the record, and the period API answers
// the example.
func TestRecordNoticePublicAndPeriods(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		staff := env.Login(t, "sjj-staff")
		form := url.Values{"kind": {"penalty"}, "uscc": {sitetest.USCCA}, "decision_no": {"许市监罚〔2026〕777号"}, "decided_on": {"2026-11-20"},
			"legal_basis": {"《食品安全法》"}, "class": {"general"}, "penalty_type": {"warning"}, "penalty_amount": {"100"}}
		r := staff.PostForm(t, "/credit/new", form)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "不应填写金额") {
			t.Fatalf("warning with an amount: %d", r.StatusCode)
		}
		form.Set("penalty_type", "fine")
		form.Set("penalty_amount", "5000")
		r = staff.PostForm(t, "/credit/new", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %.300s", r.StatusCode, r.Body)
		}
		loc := r.Header.Get("Location")
		ent := env.Login(t, "ent")
		mine := ent.Get(t, "/my/credit")
		if mine.StatusCode != 200 || !strings.Contains(mine.Body, "许市监罚〔2026〕777号") || !strings.Contains(mine.Body, "2027-02-20") || !strings.Contains(mine.Body, `data-grade="B"`) {
			t.Fatalf("my credit: %d", mine.StatusCode)
		}
		notice := ent.Get(t, loc+"/notice")
		if !strings.Contains(notice.Body, "信用修复告知书") || !strings.Contains(notice.Body, "2027-02-20") {
			t.Fatalf("notice page: %d", notice.StatusCode)
		}
		pdf := ent.Get(t, loc+"/notice.pdf")
		if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-1.7") {
			t.Fatalf("notice pdf: %s", pdf.Header.Get("Content-Type"))
		}
		inbox := ent.Get(t, "/inbox")
		if !strings.Contains(inbox.Body, "信用修复告知书") {
			t.Fatal("the notice is not in the inbox")
		}
		pub := env.Anonymous().Get(t, "/public/credit/"+sitetest.USCCA)
		if !strings.Contains(pub.Body, "许市监罚〔2026〕777号") {
			t.Fatal("public page lacks the published record")
		}
		var p credit.Period
		env.API(t, "", "GET", "/api/v1/credit/periods?decided=2026-11-30&class=general", nil).JSON(t, &p)
		if p.MinEnd != "2027-02-28" || p.MaxEnd != "2027-11-30" {
			t.Fatalf("periods: %+v", p)
		}
		// Applying before the earliest date is refused with the date.
		id := strings.TrimPrefix(loc, "/credit/records/")
		r = ent.PostForm(t, "/credit/records/"+id+"/apply", url.Values{"statement": {"已缴清"}, "sign_commitment": {"on"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "最早可于 2027-02-20") {
			t.Fatalf("early apply: %d", r.StatusCode)
		}
		csv := staff.Get(t, "/credit/export?format=csv")
		if !strings.Contains(csv.Body, "记录编号,版本,统一社会信用代码") || !strings.Contains(csv.Body, sitetest.USCCA) {
			t.Fatalf("export: %.200s", csv.Body)
		}
		// The download's header follows the person's language; the API
		// keeps the exchange's column keys.
		staff.Get(t, "/lang?to=en&back=/")
		if csv := staff.Get(t, "/credit/export?format=csv"); !strings.Contains(csv.Body, "Record id,Version,Credit code") {
			t.Fatalf("English export: %.200s", csv.Body)
		}
	})
}
