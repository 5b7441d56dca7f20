package e2e

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yingshang/internal/ident"
	"yingshang/internal/notify"
)

var smsCodeRe = regexp.MustCompile(`(?:验证码为|verification code is )(\d{6})`)

// devSMSCode waits for the SMS code sent to phone in the dev outbox file.
func devSMSCode(t *testing.T, s *Site, phone string) string {
	t.Helper()
	var code string
	eventually(t, "an SMS code for "+phone+" in the dev outbox", jobLimit, func() (bool, string) {
		lines := smsLines(s.DataDir)
		for _, line := range lines {
			var l notify.LogSMSLine
			if json.Unmarshal([]byte(line), &l) == nil && l.To == phone {
				if m := smsCodeRe.FindStringSubmatch(l.Text); m != nil {
					code = m[1]
				}
			}
		}
		return code != "", "outbox:\n" + tail(strings.Join(lines, "\n"), 2000) + "\nserver log:\n" + tail(s.stderr.String(), 3000)
	})
	return code
}

// TestPersonHolderFlow: a person (no account) whose licence is on a
// department's ledger opens the public page from the landing page, proves
// the ID number and phone with an SMS code, sees the licence masked with
// its renewal guidance, answers "renewing", and staff see the answer.
func TestPersonHolderFlow(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	idNumber := ident.GenerateIDCard(rand.New(rand.NewPCG(11, 12)), "411002", time.Date(1958, 4, 9, 0, 0, 0, 0, time.UTC), true)
	const phone = "13700001234"

	adm := browser(t)
	login(t, adm, s, "sjj-admin")
	open(t, adm, s.URL+"/licenses/catalogue/new", `[data-testid=type-form]`)
	run(t, adm, "new catalogue item",
		chromedp.SetValue(`#code`, "E2E-CY", chromedp.ByQuery),
		chromedp.SetValue(`#name`, "从业人员健康证明", chromedp.ByQuery),
		chromedp.SetValue(`#channels_offline`, "市疾控中心体检窗口", chromedp.ByQuery),
		chromedp.SetValue(`#phone`, "0374-2960000", chromedp.ByQuery),
		chromedp.Click(`[data-testid=type-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=type-table]`, chromedp.ByQuery))
	ledger := writeLicenseLedger(t, "个人台账.xlsx", []any{"E2E-CY", "E2E-P-0001", "王桂兰", idNumber, phone, "2025-12-20", "2026-12-20", "是", "否"})
	run(t, adm, "import ledger", chromedp.Navigate(s.URL+"/licenses/import"), chromedp.WaitVisible(`[data-testid=import-form]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#file`, []string{ledger}, chromedp.ByQuery),
		chromedp.Click(`[data-testid=import-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=import-report]`, chromedp.ByQuery))
	if got := textOf(t, adm, `[data-testid=import-created]`); got != "1" {
		t.Fatalf("created %q:\n%s", got, textOf(t, adm, `[data-testid=import-report]`))
	}

	p := browser(t)
	run(t, p, "phone width", chromedp.EmulateViewport(390, 844))
	run(t, p, "landing", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(`[data-testid=public-license-holder]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=public-license-holder]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=holder-form]`, chromedp.ByQuery))
	run(t, p, "wrong phone", chromedp.SetValue(`#id_number`, idNumber, chromedp.ByQuery), chromedp.SetValue(`#phone`, "13700009999", chromedp.ByQuery),
		chromedp.Click(`[data-testid=holder-send-code]`, chromedp.ByQuery), chromedp.WaitVisible(`#phone-err`, chromedp.ByQuery))
	shot(t, p, "license-holder-01-no-match")
	run(t, p, "send code", chromedp.SetValue(`#phone`, phone, chromedp.ByQuery),
		chromedp.Click(`[data-testid=holder-send-code]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=holder-code-sent]`, chromedp.ByQuery))
	if txt := textOf(t, p, `[data-testid=holder-code-sent]`); !strings.Contains(txt, "137****1234") {
		t.Fatalf("code sent to %q", txt)
	}
	shot(t, p, "license-holder-02-code-sent")
	code := devSMSCode(t, s, phone)
	run(t, p, "verify", chromedp.SetValue(`#code`, code, chromedp.ByQuery),
		chromedp.Click(`[data-testid=holder-verify]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=my-license]`, chromedp.ByQuery))
	txt := textOf(t, p, `main`)
	if !strings.Contains(txt, "E2E-P-0001") || !strings.Contains(txt, "市疾控中心体检窗口") || strings.Contains(txt, idNumber) || strings.Contains(txt, "王桂兰") {
		t.Fatalf("holder's licences (masked, with guidance):\n%s", txt)
	}
	shot(t, p, "license-holder-03-my-licences")
	run(t, p, "answer", chromedp.Click(`[data-testid=answer-renewing]`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	shot(t, p, "license-holder-04-answered")

	staff := browser(t)
	login(t, staff, s, "sjj-staff")
	open(t, staff, s.URL+"/licenses?q=E2E-P-0001", `[data-testid=license-row] a`)
	var detail string
	run(t, staff, "licence link", chromedp.AttributeValue(`[data-testid=license-row] a`, "href", &detail, nil, chromedp.ByQuery))
	open(t, staff, s.URL+detail, `[data-testid=contact-form]`)
	if txt := textOf(t, staff, `main`); !strings.Contains(txt, "正在办理") {
		t.Fatalf("staff do not see the holder's answer:\n%s", txt)
	}
}
