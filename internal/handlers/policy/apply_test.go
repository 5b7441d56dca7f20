package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

// TestApplyPages: the enterprise claims an instant policy from its list
// (a second claim is refused), applies for a review-mode policy with a
// material (a missing one re-renders the form with the error), follows
// it in "my applications"; the reviewer finds it in the queue and
// approves it from its page; another department gets 404.
func TestApplyPages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*policy.Service](env.Modules)
			a := env.Entities[sitetest.USCCA]
			rd := 120.0
			if err := svc.SetFact(sitetest.System(), a, 2025, "rd_spending_wan", &rd, "", "test"); err != nil {
				t.Fatal(err)
			}
			d := env.Depts["XC-SJJ"]
			sjj := auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["sjj-staff"], Username: "sjj-staff", Roles: []auth.Role{auth.DeptStaff},
				DepartmentID: d, DeptScope: []int64{d}, Via: "session"})
			mk := func(title, mode string) *policy.Policy {
				p, err := svc.Create(sjj, policy.Input{Title: title, Category: "innovation", Mode: mode, ValidFrom: "2026-01-01", ValidTo: "2027-12-31", FactYear: 2025,
					Condition: json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":50}]}`),
					Amount:    json.RawMessage(`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`)})
				if err != nil {
					t.Fatal(err)
				}
				if p, err = svc.Publish(sjj, p.ID); err != nil {
					t.Fatal(err)
				}
				return p
			}
			ip, rp := mk("研发投入即申即享奖励", policy.ModeInstant), mk("研发费用后补助（申请审核）", policy.ModeReview)
			ent := env.Login(t, "ent")
			r := ent.Get(t, "/my/policies")
			if r.StatusCode != 200 || !strings.Contains(r.Body, "policy-claim-"+strconv.FormatInt(ip.ID, 10)) || !strings.Contains(r.Body, "policy-apply-"+strconv.FormatInt(rp.ID, 10)) {
				t.Fatalf("my policies: %d\n%s", r.StatusCode, r.Body)
			}
			claim := "/my/policies/" + strconv.FormatInt(ip.ID, 10) + "/claim"
			if r = ent.PostForm(t, claim, url.Values{}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("claim: %d\n%s", r.StatusCode, r.Body)
			}
			if r = ent.PostForm(t, claim, url.Values{}); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "2026-11-23") {
				t.Fatalf("second claim: %d\n%s", r.StatusCode, r.Body)
			}
			// The steps editor: the own department saves, the form names a bad field.
			staff := env.Login(t, "sjj-staff")
			steps := "/policies/" + strconv.FormatInt(rp.ID, 10) + "/review"
			if r = staff.Get(t, steps); r.StatusCode != 200 || !strings.Contains(r.Body, "steps-form") {
				t.Fatalf("steps form: %d", r.StatusCode)
			}
			form := url.Values{"material_key_0": {"audit"}, "material_name_0": {"专项审计报告"}, "material_required_0": {"1"},
				"step_name_0": {"受理审核"}, "step_days_0": {"0"}, "step_depts_0": {strconv.FormatInt(d, 10)}}
			if r = staff.PostForm(t, steps, form); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "专项审计报告") {
				t.Fatalf("bad steps: %d\n%s", r.StatusCode, r.Body)
			}
			form.Set("step_days_0", "5")
			if r = staff.PostForm(t, steps, form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save steps: %d\n%s", r.StatusCode, r.Body)
			}
			if r = env.Login(t, "swj-staff").PostForm(t, steps, form); r.StatusCode != http.StatusForbidden {
				t.Errorf("other department saves steps: %d", r.StatusCode)
			}
			// Apply: without the material, then with it.
			apply := "/my/policies/" + strconv.FormatInt(rp.ID, 10) + "/apply"
			if r = ent.Get(t, apply); r.StatusCode != 200 || !strings.Contains(r.Body, `name="material.audit"`) {
				t.Fatalf("apply form: %d\n%s", r.StatusCode, r.Body)
			}
			post := func(file bool) *sitetest.Response {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				if file {
					fw, _ := mw.CreateFormFile("material.audit", "审计报告.pdf")
					fw.Write([]byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"))
				}
				mw.Close()
				return ent.PostMultipart(t, apply, mw.FormDataContentType(), &body)
			}
			if r = post(false); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "缺少必需材料") {
				t.Fatalf("apply without material: %d\n%s", r.StatusCode, r.Body)
			}
			if r = post(true); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/policy-applications/") {
				t.Fatalf("apply: %d\n%s", r.StatusCode, r.Body)
			}
			page := r.Header.Get("Location")
			if r = ent.Get(t, "/my/policy-applications"); r.StatusCode != 200 || !strings.Contains(r.Body, "stepbar") || !strings.Contains(r.Body, "受理审核") {
				t.Fatalf("my applications: %d\n%s", r.StatusCode, r.Body)
			}
			if r = ent.Get(t, page); r.StatusCode != 200 || !strings.Contains(r.Body, "审计报告.pdf") || strings.Contains(r.Body, "decide-approve") {
				t.Fatalf("enterprise detail: %d\n%s", r.StatusCode, r.Body)
			}
			if r = env.Login(t, "swj-staff").Get(t, page); r.StatusCode != http.StatusNotFound {
				t.Errorf("other department reads: %d", r.StatusCode)
			}
			if r = staff.Get(t, "/policy-review"); r.StatusCode != 200 || !strings.Contains(r.Body, "queue-row") {
				t.Fatalf("queue: %d\n%s", r.StatusCode, r.Body)
			}
			if r = staff.Get(t, page); r.StatusCode != 200 || !strings.Contains(r.Body, "decide-approve") {
				t.Fatalf("reviewer detail: %d\n%s", r.StatusCode, r.Body)
			}
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("action", "approve")
			mw.WriteField("note", "材料齐全")
			mw.Close()
			if r = staff.PostMultipart(t, page+"/decide", mw.FormDataContentType(), &body); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d\n%s", r.StatusCode, r.Body)
			}
			if r = ent.Get(t, page); !strings.Contains(r.Body, `data-state="approved"`) || !strings.Contains(r.Body, "¥120,000.00") {
				t.Fatalf("after approval:\n%s", r.Body)
			}
			// The API is in the OpenAPI document.
			r = env.Anonymous().Get(t, "/api/openapi.json")
			var doc map[string]any
			if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || r.StatusCode != 200 {
				t.Fatalf("openapi: %d %v", r.StatusCode, err)
			}
			for _, op := range []string{"claimPolicy", "applyPolicy", "decidePolicyApplication", "setPolicyReview", "policyReviewQueue", "listMyPolicyApplications"} {
				if !strings.Contains(r.Body, `"`+op+`"`) {
					t.Errorf("openapi lacks %s", op)
				}
			}
		})
	}
}
