package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// loginAs signs in through the login form with a given password.
func loginAs(t *testing.T, ctx context.Context, s *Site, username, password string) {
	t.Helper()
	run(t, ctx, "login "+username,
		chromedp.Navigate(s.URL+"/lang?to=zh-CN&back=/login"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, username, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, password, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`header .inbox`, chromedp.ByQuery),
	)
	// An account an administrator created chooses its own password first
	// (the demo's accounts are not asked to).
	if countOf(t, ctx, `[data-testid=must-change]`) > 0 {
		run(t, ctx, "change the initial password of "+username,
			chromedp.SendKeys(`#current_password`, password, chromedp.ByQuery),
			chromedp.SendKeys(`#new_password`, password+"-own", chromedp.ByQuery),
			chromedp.Submit(`#new_password`, chromedp.ByQuery),
			chromedp.WaitNotPresent(`[data-testid=must-change]`, chromedp.ByQuery),
		)
	}
	run(t, ctx, "signed in "+username, chromedp.WaitVisible(`[data-testid=nav-my-evaluations]`, chromedp.ByQuery))
}

// signedIn logs in a demo user and waits for the menu of a signed-in page
// (the login page has an h1 too: navigating on before the redirect lands
// aborts it).
func signedIn(t *testing.T, ctx context.Context, s *Site, username string) {
	t.Helper()
	login(t, ctx, s, username)
	run(t, ctx, "signed in "+username, chromedp.WaitVisible(`[data-testid=nav-bideval]`, chromedp.ByQuery))
}

var evalIDRe = regexp.MustCompile(`/draws/projects/(\d+)`)

// TestDoubleBlindEvaluationEndToEnd: a tenderer registers a project and
// sets its evaluation (the deadline 21 days after the notice); three
// bidders upload both parts (receipts with SHA-256); the trading centre
// draws the experts, one declines and a reserve steps in; the centre issues
// expert accounts and links them; after the deadline the codes are drawn
// (sealed); the experts score by code and lock; the codes are unmasked; the
// winning candidates are published (without the committee) for three days;
// then the award is published and the public verify page confirms the
// codes draw and the expert draw.
func TestDoubleBlindEvaluationEndToEnd(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	files := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// 1. The tenderer registers the project and sets the evaluation.
	ten := browser(t)
	signedIn(t, ten, s, "enterprise")
	var projectURL string
	run(t, ten, "project form", chromedp.Navigate(s.URL+"/draws/projects/new"))
	run(t, ten, "register project",
		chromedp.WaitVisible(`[data-testid=project-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "许昌市双盲评标端到端道路工程", chromedp.ByQuery),
		chromedp.SendKeys(`#budget`, "520", chromedp.ByQuery),
		chromedp.SetValue(`#opening`, "2026-12-22T09:00", chromedp.ByQuery),
		chromedp.Click(`input[name=specialties][value=A01]`, chromedp.ByQuery),
		chromedp.Click(`input[name=specialties][value=A02]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=project-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=project-name]`, chromedp.ByQuery),
		chromedp.Location(&projectURL),
	)
	code := textOf(t, ten, `[data-testid=project-name] span.mono`)
	m := evalIDRe.FindStringSubmatch(projectURL)
	if m == nil {
		t.Fatalf("project URL %q", projectURL)
	}
	evalPath := "/bideval/projects/" + m[1]
	evalURL := s.URL + evalPath
	run(t, ten, "evaluation settings",
		chromedp.WaitVisible(`[data-testid=eval-link]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=eval-link]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=settings-form]`, chromedp.ByQuery),
	)
	shot(t, ten, "bideval-01-settings")
	run(t, ten, "save settings",
		chromedp.Click(`[data-testid=save-settings]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=deadline]`, chromedp.ByQuery),
	)
	if d := textOf(t, ten, `[data-testid=deadline]`); d != "2026-12-22 09:00" {
		t.Fatalf("deadline %q", d)
	}

	// 2. Three bidders (the fewest with which an evaluation goes on) register
	// and upload both parts.
	hashes := map[string]string{}
	for i, bidder := range []string{"bidder1", "bidder2", "bidder3"} {
		b := browser(t)
		signedIn(t, b, s, bidder)
		tech := write(fmt.Sprintf("tech%d.txt", i), fmt.Sprintf("第一章 施工组织设计\n方案%d：分段流水施工，雨污管道先行。\n", i+1))
		comm := write(fmt.Sprintf("comm%d.txt", i), "投标报价一览表\n")
		run(t, b, bidder+" registers",
			chromedp.Navigate(evalURL),
			chromedp.WaitVisible(`[data-testid=register]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=register]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=upload-technical]`, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=technical-file]`, []string{tech}, chromedp.ByQuery),
			chromedp.Click(`[data-testid=upload-technical-submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=receipt-technical]`, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=price]`, []string{"4980000", "5120000.50", "5300000"}[i], chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=commercial-file]`, []string{comm}, chromedp.ByQuery),
			chromedp.Click(`[data-testid=upload-commercial-submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=receipt-commercial]`, chromedp.ByQuery),
		)
		hashes[bidder] = textOf(t, b, `[data-testid=receipt-technical] [data-testid=receipt-hash]`)
		if len(hashes[bidder]) != 64 {
			t.Fatalf("%s receipt hash %q", bidder, hashes[bidder])
		}
		if i == 0 {
			shot(t, b, "bideval-02-bidder-receipts")
		}
	}

	// 3. The centre draws the experts; the first declines, a reserve steps in.
	admin := browser(t)
	signedIn(t, admin, s, "admin")
	run(t, admin, "commit experts",
		chromedp.Navigate(projectURL),
		chromedp.WaitVisible(`[data-testid=six-randoms]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=commit-experts]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=witness-value]`, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=witness-name]`, "王见证", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=witness-value]`, "161803", chromedp.ByQuery),
		chromedp.Click(`button[data-testid^=execute-]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=assignments] td.status-warn`, chromedp.ByQuery),
	)
	var pub context.Context
	answer := func(token, button string) {
		pub = browser(t) // one per answer: waiting for the SMS outbox can be long on a busy machine
		run(t, pub, "answer "+button,
			chromedp.Navigate(s.URL+"/draws/answer/"+token),
			chromedp.WaitVisible(`[data-testid=`+button+`]`, chromedp.ByQuery),
			chromedp.Click(`[data-testid=`+button+`]`, chromedp.ByQuery),
			chromedp.WaitNotPresent(`[data-testid=`+button+`]`, chromedp.ByQuery),
		)
	}
	tokens := answerLinks(t, s.DataDir, code, 5)
	answer(tokens[0], "answer-no")
	tokens = answerLinks(t, s.DataDir, code, 6)
	for _, tok := range tokens[1:6] {
		answer(tok, "answer-yes")
	}
	run(t, admin, "committee confirmed", chromedp.Navigate(projectURL), chromedp.WaitVisible(`[data-testid=assignments]`, chromedp.ByQuery))
	if txt := textOf(t, admin, `[data-testid=assignments]`); strings.Count(txt, "已确认") != 5 || !strings.Contains(txt, "已谢绝") || !strings.Contains(txt, "递补") {
		t.Fatalf("after the answers: %s", txt)
	}

	// 4. The centre issues five expert accounts and links them to the members.
	const expertPW = "Expert-pass-2026"
	admin = browser(t)
	signedIn(t, admin, s, "admin")
	for i := range 5 {
		run(t, admin, fmt.Sprintf("create expert account %d", i),
			chromedp.Navigate(s.URL+"/admin/users/new"),
			chromedp.WaitVisible(`[data-testid=user-form]`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, fmt.Sprintf("e2e-expert%d", i), chromedp.ByQuery),
			chromedp.SendKeys(`#display_name`, fmt.Sprintf("评标专家账号%d", i), chromedp.ByQuery),
			chromedp.SendKeys(`#password`, expertPW, chromedp.ByQuery),
			chromedp.Click(`[data-testid=role-expert]`, chromedp.ByQuery),
			chromedp.Submit(`#username`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=disable-user]`, chromedp.ByQuery),
		)
	}
	// The draw may pick pool experts that the demo already linked to its
	// accounts expert1..expert5: those members keep their accounts; every
	// member without one gets the next new account.
	type account struct{ user, password string }
	var scorers []account
	for i := range 5 {
		// evalURL without the fragment: navigating to the address the page is
		// already at plus "#committee" would only scroll, not reload, and the
		// previous flash would then pass for this link's.
		run(t, admin, "committee", chromedp.Navigate(evalURL), chromedp.WaitVisible(`[data-testid=committee]`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll('.flash').forEach(e => e.remove())`, nil))
		if countOf(t, admin, `[data-testid=link-username]`) == 0 {
			break
		}
		run(t, admin, fmt.Sprintf("link member %d", i),
			chromedp.SendKeys(`[data-testid=link-username]`, fmt.Sprintf("e2e-expert%d", i), chromedp.ByQuery),
			chromedp.Click(`[data-testid=link-account]`, chromedp.ByQuery),
			// the page after the redirect: the committee table is on the page
			// before it too, the flash only after (else the next navigation
			// aborts this POST)
			chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=committee]`, chromedp.ByQuery),
		)
		scorers = append(scorers, account{fmt.Sprintf("e2e-expert%d", i), expertPW})
	}
	if txt := textOf(t, admin, `[data-testid=committee]`); strings.Count(txt, "已关联") != 5 {
		t.Fatalf("committee after linking: %s", txt)
	}
	shot(t, admin, "bideval-03-committee-linked")

	// 5. After the deadline: a late upload is refused; the codes are drawn, sealed.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-22T09:30:00+08:00")
	evalURL = s.URL + evalPath
	late := browser(t)
	signedIn(t, late, s, "bidder1")
	run(t, late, "closed for bidder", chromedp.Navigate(evalURL), chromedp.WaitVisible(`[data-testid=closed]`, chromedp.ByQuery))
	admin = browser(t)
	signedIn(t, admin, s, "admin")
	run(t, admin, "commit codes",
		chromedp.Navigate(evalURL),
		chromedp.WaitVisible(`[data-testid=commit-codes]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=commit-codes]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=codes-witness-value]`, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=codes-witness-name]`, "王见证", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=codes-witness-value]`, "314159", chromedp.ByQuery),
	)
	// The page of the committed draw links its record too: wait for the
	// page after the draw, or the checks below read the old page while the
	// draw is still in flight.
	submitAndLand(t, admin, "draw the codes", chromedp.Click(`[data-testid=run-codes]`, chromedp.ByQuery))
	run(t, admin, "codes drawn", chromedp.WaitVisible(`[data-testid=codes-verify]`, chromedp.ByQuery))
	if txt := textOf(t, admin, `[data-testid=bids]`); strings.Contains(txt, "A01") || !strings.Contains(txt, hashes["bidder1"]) {
		t.Fatalf("staff see a code before the unmasking, or not the receipt hash: %s", txt)
	}
	shot(t, admin, "bideval-04-codes-drawn-sealed")
	var codesVerify string
	run(t, admin, "codes verify link", chromedp.AttributeValue(`[data-testid=codes-verify]`, "href", &codesVerify, nil, chromedp.ByQuery))
	pub = browser(t)
	run(t, pub, "sealed codes record", chromedp.Navigate(s.URL+codesVerify), chromedp.WaitVisible(`[data-testid=sealed-record]`, chromedp.ByQuery))

	// 6. The experts score by code and lock. Members linked by the demo use
	// its accounts (the demo password of this start).
	t.Logf("%d members got new accounts, %d kept the demo's", len(scorers), 5-len(scorers))
	for i := 1; i <= 5; i++ {
		scorers = append(scorers, account{fmt.Sprintf("expert%d", i), s.Password})
	}
	scored := 0
	for _, acc := range scorers {
		if scored == 5 {
			break
		}
		e := browser(t)
		loginAs(t, e, s, acc.user, acc.password)
		var member bool
		run(t, e, "open scoring",
			chromedp.Navigate(evalURL+"/score"),
			chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
			chromedp.Evaluate(`!!document.querySelector('[data-testid=score-form]')`, &member),
		)
		if !member {
			continue // a demo expert not on this committee
		}
		i := scored
		scored++
		if txt := textOf(t, e, `main`); strings.Contains(txt, "许昌市") && strings.Contains(txt, "有限公司") || strings.Contains(txt, "4980000") {
			t.Fatalf("the expert sees a bidder's name or price: %s", txt)
		}
		var actions []chromedp.Action
		for ci, c := range []string{"A01", "A02", "A03"} {
			for _, k := range []string{"plan", "quality", "schedule"} {
				pts := map[string]string{"plan": "24", "quality": "16", "schedule": "15"}[k]
				if ci == 1 {
					pts = map[string]string{"plan": "21", "quality": "15", "schedule": "15"}[k]
				}
				if ci == 2 {
					pts = map[string]string{"plan": "18", "quality": "14", "schedule": "14"}[k]
				}
				actions = append(actions,
					chromedp.SetValue(`[data-testid="pts-`+c+`.`+k+`"]`, pts, chromedp.ByQuery),
					chromedp.SetValue(`[data-testid="cmt-`+c+`.`+k+`"]`, "方案可行，措施具体", chromedp.ByQuery))
			}
		}
		actions = append(actions, chromedp.Evaluate(`window.confirm = () => true`, nil),
			chromedp.Click(`[data-testid=lock-sheet]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=sheet-hash]`, chromedp.ByQuery))
		run(t, e, "score and lock", actions...)
		if i == 0 {
			shot(t, e, "bideval-05-expert-locked")
			if n := countOf(t, e, `[data-testid=committee-scores]`); n != 0 {
				t.Fatal("an expert sees the committee's scores before all have locked")
			}
		}
		if i == 4 {
			run(t, e, "committee scores visible", chromedp.WaitVisible(`[data-testid=committee-scores]`, chromedp.ByQuery))
			shot(t, e, "bideval-06-all-locked")
		}
	}

	if scored != 5 {
		t.Fatalf("%d members scored, want 5", scored)
	}

	// 7. Unmask, the candidates' publicity, award, verification.
	admin = browser(t)
	signedIn(t, admin, s, "admin")
	pub = browser(t)
	run(t, admin, "unmask",
		chromedp.Navigate(evalURL),
		chromedp.WaitVisible(`[data-testid=unmask]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=unmask]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=results]`, chromedp.ByQuery),
	)
	shot(t, admin, "bideval-07-unmasked")
	run(t, admin, "publish the candidates",
		chromedp.WaitVisible(`[data-testid=publish-candidates]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=publish-candidates]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=award-form]`, chromedp.ByQuery),
	)
	run(t, pub, "candidates' notice", chromedp.Navigate(s.URL+"/public/bideval/"+m[1]), chromedp.WaitVisible(`[data-testid=publicity-until]`, chromedp.ByQuery))
	if n := countOf(t, pub, `[data-testid=member-scores]`); n != 0 {
		t.Fatal("the candidates' notice names the committee")
	}
	shot(t, pub, "bideval-07b-candidates")
	// The publicity (3 days) runs out; no objection was filed.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-26T10:00:00+08:00")
	evalURL = s.URL + evalPath
	admin = browser(t)
	signedIn(t, admin, s, "admin")
	pub = browser(t)
	run(t, admin, "award",
		chromedp.Navigate(evalURL),
		chromedp.WaitVisible(`[data-testid=award]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=award]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=winner]`, chromedp.ByQuery),
	)
	var noticeURL string
	run(t, admin, "notice url", chromedp.Location(&noticeURL))
	run(t, pub, "public notice", chromedp.Navigate(noticeURL), chromedp.WaitVisible(`[data-testid=member-scores]`, chromedp.ByQuery))
	winner := textOf(t, pub, `[data-testid=winner]`)
	results := textOf(t, pub, `[data-testid=results]`)
	// A01 scored 55, A02 51 and A03 46 by everyone; bidder1's lowest price
	// scores 30, bidder2's 29.18, bidder3's 28.19: whoever holds A01 wins.
	if !strings.Contains(results, "A01") || !strings.Contains(results, "A03") || !strings.Contains(winner, "A01") {
		t.Fatalf("notice: %s / %s", winner, results)
	}
	if members := textOf(t, pub, `[data-testid=member-scores]`); strings.Count(members, "55") != 5 || strings.Count(members, "51") != 5 {
		t.Fatalf("members' scores on the notice: %s", members)
	}
	shot(t, pub, "bideval-08-publicity")
	run(t, pub, "verify the codes draw",
		chromedp.Click(`[data-testid=verify-codes]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=verify-result]`, chromedp.ByQuery),
	)
	if res := textOf(t, pub, `[data-testid=verify-result]`); !strings.Contains(res, "验证通过") {
		t.Fatalf("codes draw verify: %s", res)
	}
	if w := textOf(t, pub, `[data-testid=witness-value]`); w != "314159" {
		t.Fatalf("codes witness value %q", w)
	}
	shot(t, pub, "bideval-09-codes-verified")
	run(t, pub, "verify the expert draw",
		chromedp.Navigate(noticeURL),
		chromedp.WaitVisible(`[data-testid=verify-experts]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=verify-experts]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=verify-result]`, chromedp.ByQuery),
	)
	if res := textOf(t, pub, `[data-testid=verify-result]`); !strings.Contains(res, "验证通过") {
		t.Fatalf("expert draw verify: %s", res)
	}
}
