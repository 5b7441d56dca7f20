package credits_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// TestAssistedRepairInTheBrowser: the tax hall window applies with the
// authorisation, the enterprise sees it on its home card, confirms it, and
// the department's repair page shows the stages; the public pages of item
// 11 and the 双公示 report answer.
func TestAssistedRepairInTheBrowser(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		svc := modules.Get[*credit.Service](env.Modules)
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		d := env.Depts["XC-SJJ"]
		sjjCtx := auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["sjj-staff"], Roles: []auth.Role{auth.DeptStaff}, DepartmentID: d, DeptScope: []int64{d}})
		rec, err := svc.Create(sjjCtx, credit.Input{USCC: sitetest.USCCA, Kind: credit.KindPenalty, Content: credit.Content{DecisionNo: "许市监罚〔2026〕801号", DecidedOn: "2026-08-03",
			LegalBasis: "《广告法》第五十五条", Penalties: []credit.Penalty{{Type: "fine", Amount: 30000}}, Class: credit.ClassGeneral}})
		if err != nil {
			t.Fatal(err)
		}
		res := env.API(t, env.Token(t, "admin"), "PUT", "/api/v1/credit/service-points", map[string]any{"department_id": env.Depts["XC-SWJ"], "kind": "hall", "label": "许昌市税务局办税服务厅", "active": true})
		if res.StatusCode != 200 {
			t.Fatalf("service point: %d %s", res.StatusCode, res.Body)
		}
		post := func(c *sitetest.Client, name string, data []byte) *sitetest.Response {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			_ = mw.WriteField("record_id", fmt.Sprint(rec.ID))
			_ = mw.WriteField("statement", "企业已缴纳罚款，委托本窗口代为申请")
			fw, _ := mw.CreateFormFile("authorisation", name)
			_, _ = fw.Write(data)
			_ = mw.Close()
			return c.PostMultipart(t, "/credit/assisted", mw.FormDataContentType(), &body)
		}
		window := env.Login(t, "swj-staff")
		if page := window.Get(t, "/credit/assisted"); page.StatusCode != 200 || !strings.Contains(page.Body, `data-testid="assisted-form"`) {
			t.Fatalf("window page: %d", page.StatusCode)
		}
		bad := post(window, "授权委托书.pdf", []byte("plain text, not a PDF"))
		if bad.StatusCode != 400 || !strings.Contains(bad.Body, `data-testid="err-authorisation"`) || !strings.Contains(bad.Body, "企业已缴纳罚款，委托本窗口代为申请") {
			t.Fatalf("bad authorisation: %d %s", bad.StatusCode, bad.Body)
		}
		if res := post(window, "授权委托书.pdf", credit.NewPDF("授权委托书").Bytes()); res.StatusCode != 303 {
			t.Fatalf("assisted apply: %d %s", res.StatusCode, res.Body)
		}
		list, err := svc.AssistedList(auth.WithActor(context.Background(), auth.System("test")), credit.AssistedPending)
		if err != nil || len(list) != 1 {
			t.Fatalf("pending: %v %v", list, err)
		}
		x := list[0]
		ent := env.Login(t, "ent")
		home := ent.Get(t, "/")
		if !strings.Contains(home.Body, "待确认的代办信用修复") || !strings.Contains(home.Body, "代办 by 许昌市税务局办税服务厅") {
			t.Fatalf("home card: %d", home.StatusCode)
		}
		path := fmt.Sprintf("/credit/assisted/%d", x.ID)
		if p := ent.Get(t, path); !strings.Contains(p.Body, `data-testid="assisted-answer"`) {
			t.Fatalf("confirm page: %d", p.StatusCode)
		}
		if res := ent.PostForm(t, path+"/answer", url.Values{"answer": {"confirm"}}); res.StatusCode != 400 {
			t.Fatalf("confirm without signing: %d", res.StatusCode)
		}
		if res := ent.PostForm(t, path+"/answer", url.Values{"answer": {"confirm"}, "sign_commitment": {"on"}}); res.StatusCode != 303 {
			t.Fatalf("confirm: %d %s", res.StatusCode, res.Body)
		}
		x2, err := svc.GetAssisted(auth.WithActor(context.Background(), auth.System("test")), x.ID)
		if err != nil || x2.RepairID == 0 {
			t.Fatalf("after confirmation: %+v %v", x2, err)
		}
		sjj := env.Login(t, "sjj-staff")
		rp := sjj.Get(t, fmt.Sprintf("/credit/repairs/%d", x2.RepairID))
		if rp.StatusCode != 200 || !strings.Contains(rp.Body, "代办确认（许昌市税务局办税服务厅）") || !strings.Contains(rp.Body, `data-testid="review-form"`) {
			t.Fatalf("repair page: %d %s", rp.StatusCode, rp.Body)
		}
		steps := env.API(t, env.Token(t, "ent"), "GET", fmt.Sprintf("/api/v1/credit/repairs/%d/steps", x2.RepairID), nil)
		if steps.StatusCode != 200 || !strings.Contains(steps.Body, `"stage":"assisted"`) {
			t.Fatalf("steps API: %d %s", steps.StatusCode, steps.Body)
		}

		anon := env.Anonymous()
		for _, p := range []string{"/public/credit/commitments", "/public/credit/lists"} {
			if res := anon.Get(t, p); res.StatusCode != 200 {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}
		if res := anon.Get(t, "/public/credit/commitments?status=nonsense"); res.StatusCode != 400 {
			t.Errorf("bad status filter: %d", res.StatusCode)
		}
		if res := env.API(t, "", "GET", "/api/v1/credit/public/commitments", nil); res.StatusCode != 200 {
			t.Errorf("public commitments API: %d", res.StatusCode)
		}
		if res := sjj.Get(t, "/credit/publicity?from=2026-08&to=2026-11"); res.StatusCode != 200 || !strings.Contains(res.Body, "许昌市市场监督管理局") {
			t.Errorf("publicity page: %d", res.StatusCode)
		}
		if res := ent.Get(t, "/credit/publicity"); res.StatusCode != 403 {
			t.Errorf("publicity page for an enterprise: %d", res.StatusCode)
		}
		if res := sjj.Get(t, "/credit/publicity?from=bad"); res.StatusCode != 400 {
			t.Errorf("bad month: %d", res.StatusCode)
		}
	})
}
