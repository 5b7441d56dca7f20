package licenses_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/db"
	"yingshang/internal/license"
	"yingshang/internal/site/sitetest"
)

// obligationLedger is an xlsx ledger of dated obligations under the
// headers such a ledger uses (事项编号, 企业名称, 办理截止日期...), as a
// multipart body.
func obligationLedger(t *testing.T, rows ...[]any) (*bytes.Buffer, string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", license.SheetName)
	head := []any{"事项代码", "事项编号", "企业名称", "统一社会信用代码", "起始日期", "办理截止日期"}
	_ = f.SetSheetRow(license.SheetName, "A1", &head)
	for i, r := range rows {
		_ = f.SetSheetRow(license.SheetName, fmt.Sprintf("A%d", i+2), &r)
	}
	var x bytes.Buffer
	if err := f.Write(&x); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("mode", "valid_only")
	fw, _ := mw.CreateFormFile("file", "nianbao.xlsx")
	_, _ = fw.Write(x.Bytes())
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// TestOtherDeadlinePages: an annual-report reminder type saved from the
// catalogue form (bad kind refused, input kept), its ledger imported with
// the obligation headers (a bad row named), the first reminder in the
// enterprise's inbox with its link, the item on the enterprise's home card
// and, with its kind, in the public catalogue.
func TestOtherDeadlinePages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			scanAt(t, env, "2026-11-23")
			admin := env.Login(t, "sjj-admin")
			form := url.Values{"code": {"NB"}, "name": {"2025年度企业年报"}, "kind": {"bogus"}, "channels_online": {"国家企业信用信息公示系统"},
				"remind1_days": {"30"}, "remind2_days": {"10"}, "followup_days": {"5"}, "lapse_days": {"0"}, "send_time": {"09:00"}, "active": {"1"}}
			if r := admin.PostForm(t, "/licenses/catalogue/types", form); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请选择提醒类型") ||
				!strings.Contains(r.Body, "2025年度企业年报") {
				t.Fatalf("bad kind: %d", r.StatusCode)
			}
			form.Set("kind", license.KindAnnualReport)
			if r := admin.PostForm(t, "/licenses/catalogue/types", form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save type: %d %s", r.StatusCode, r.Body)
			}
			if r := admin.Get(t, "/licenses/catalogue"); !strings.Contains(r.Body, "企业年报") {
				t.Fatal("catalogue page lacks the kind")
			}
			body, ct := obligationLedger(t, []any{"NB", "NB2025-A", "许昌瑞丰商贸有限公司", sitetest.USCCA, "2026-01-01", "2026-12-23"},
				[]any{"NB", "NB2025-B", "某企业", sitetest.USCCB, "2026-01-01", "2026-12-32"})
			r := admin.PostMultipart(t, "/licenses/import", ct, body)
			if !strings.Contains(r.Body, `data-testid="import-created">1<`) || !strings.Contains(r.Body, "<tr><td>3</td><td>有效期至</td>") {
				t.Fatalf("obligation import: %d\n%s", r.StatusCode, r.Body)
			}
			// 30 days before 23 Dec: the first reminder on 23 Nov.
			sum := scanAt(t, env, "2026-11-23")
			if sum[license.StageRemind1] != 1 {
				t.Fatalf("scan: %+v", sum)
			}
			ent := env.Login(t, "ent")
			if h := ent.Get(t, "/"); !strings.Contains(h.Body, "即将到期的证照和待办事项") || !strings.Contains(h.Body, "NB2025-A") || !strings.Contains(h.Body, "企业年报") {
				t.Fatal("enterprise home lacks the annual report")
			}
			var n int
			var link string
			sys := sitetest.System()
			if err := env.App.DB.Q(sys).QueryRow(sys, `SELECT COUNT(*), MAX(link) FROM notifications WHERE msg_type = $1 AND user_id = $2 AND channel = 'inapp'`,
				license.MsgDeadline, env.Users["ent"]).Scan(&n, &link); err != nil || n != 1 || link == "" {
				t.Fatalf("deadline message to the enterprise: %d %q %v", n, link, err)
			}
			if r := env.Anonymous().Get(t, "/licenses/reminder-catalogue"); !strings.Contains(r.Body, `data-testid="public-item-kind">企业年报<`) {
				t.Fatal("public catalogue lacks the kind")
			}
		})
	}
}
