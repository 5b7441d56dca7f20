package credit_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// TestGovernanceDashboard checks every figure against a hand count. Today
// is 2026-11-21 (Shanghai); the window shows 2025-12 .. 2026-11.
//
// Records (all by XC-SJJ): A has general penalties decided 2026-08-01 (P1)
// and 2026-10-01 (P2); B has general penalties decided 2026-08-01 (Q1) and
// 2026-03-01 (Q2), and a serious-list entry decided 2026-09-15.
// Repairs: P1 applied and approved at once; Q1 applied, sent back for
// more material, supplemented, approved. So: applications 2 (both in
// 2026-11), first decided 2, first-time passed 1 (50.0%), enterprises
// helped 2, records repaired 2 (both decided in 2026-11); serious list 0
// at the ends of 2025-12 .. 2026-08 and 1 from 2026-09.
//
// High frequency at 2 records within 6 months (since 2026-05-22): A has
// P1, P2 (2; repaired records still count as past misconduct); B has Q1
// and the serious-list entry (2; Q2 is before the window). Both enter the
// ledger. At 3 records both exit on the next scan, with the date.
func TestGovernanceDashboard(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		admin := adminCtx(env)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		wd := staffCtx(env, "wd-staff", "WD-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		entB := auth.WithActor(context.Background(), &auth.Actor{Username: "entb", Roles: []auth.Role{auth.Enterprise}, EntityID: b, Via: "session"})
		p1, err := svc.Create(sjj, penalty(a, "2026-08-01", "general"))
		fatal(t, err)
		_, err = svc.Create(sjj, penalty(a, "2026-10-01", "general"))
		fatal(t, err)
		q1, err := svc.Create(sjj, penalty(b, "2026-08-01", "general"))
		fatal(t, err)
		_, err = svc.Create(sjj, penalty(b, "2026-03-01", "general"))
		fatal(t, err)
		_, err = svc.Create(sitetest.System(), credit.Input{EntityID: b, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
			Content: credit.Content{DecisionNo: "许市监信用〔2026〕3号", DecidedOn: "2026-09-15", LegalBasis: "《市场监督管理严重违法失信名单管理办法》"}})
		fatal(t, err)
		proof := []credit.Upload{{Name: "receipt.pdf", Data: credit.NewPDF("receipt").Bytes()}}
		r1, err := svc.Apply(entCtx(env, a), p1.ID, credit.ApplyInput{Statement: "已缴清罚款", SignCommitment: true, Files: proof})
		fatal(t, err)
		_, err = svc.Review(sjj, r1.ID, credit.ReviewInput{Decision: "approve", Reason: "符合条件"})
		fatal(t, err)
		r2, err := svc.Apply(entB, q1.ID, credit.ApplyInput{Statement: "已缴清罚款", SignCommitment: true, Files: proof})
		fatal(t, err)
		_, err = svc.Review(sjj, r2.ID, credit.ReviewInput{Decision: "more_info", Reason: "请补充整改报告"})
		fatal(t, err)
		_, err = svc.Supplement(entB, r2.ID, credit.ApplyInput{Statement: "整改报告见附件", Files: proof})
		fatal(t, err)
		_, err = svc.Review(sjj, r2.ID, credit.ReviewInput{Decision: "approve", Reason: "符合条件"})
		fatal(t, err)

		_, err = svc.GovernanceDashboard(entCtx(env, a))
		wantCode(t, err, yserr.Forbidden, "")
		fatal(t, svc.SetGovernanceSettings(admin, credit.GovernanceSettings{HFRecords: 2, HFMonths: 6}))
		err = svc.SetGovernanceSettings(sjj, credit.GovernanceSettings{HFRecords: 2, HFMonths: 6})
		wantCode(t, err, yserr.Forbidden, "")
		err = svc.SetGovernanceSettings(admin, credit.GovernanceSettings{HFRecords: 1, HFMonths: 6})
		wantCode(t, err, yserr.Invalid, "hf_records")

		sr, err := svc.ScanHighFrequency(admin)
		fatal(t, err)
		if sr.Entered != 2 || sr.Exited != 0 {
			t.Fatalf("first scan: %+v", sr)
		}
		_, err = svc.ScanHighFrequency(sjj)
		wantCode(t, err, yserr.Forbidden, "")

		g, err := svc.GovernanceDashboard(sjj)
		fatal(t, err)
		if len(g.Months) != 12 || g.Months[0] != "2025-12" || g.Months[11] != "2026-11" {
			t.Fatalf("months: %v", g.Months)
		}
		if g.Applications != 2 || g.ApplicationsMonth[11].N != 2 || g.ApplicationsMonth[10].N != 0 {
			t.Errorf("applications: %d %+v", g.Applications, g.ApplicationsMonth)
		}
		if g.FirstDecided != 2 || g.FirstTimePassed != 1 || g.FirstTimeRate != 50 {
			t.Errorf("first-time pass: %d/%d %v", g.FirstTimePassed, g.FirstDecided, g.FirstTimeRate)
		}
		if g.EnterprisesHelped != 2 || g.RecordsRepaired != 2 || g.RepairedMonth[11].N != 2 {
			t.Errorf("helped %d repaired %d by month %+v", g.EnterprisesHelped, g.RecordsRepaired, g.RepairedMonth)
		}
		for i, m := range g.SeriousList {
			want := int64(0)
			if m.Month >= "2026-09" {
				want = 1
			}
			if m.N != want {
				t.Errorf("serious list at the end of %s (%d): %d, want %d", m.Month, i, m.N, want)
			}
		}
		if len(g.HighFrequency) != 2 || g.HighFrequency[0].Records != 2 || !g.HighFrequency[0].InLedger || g.LedgerActive != 2 || g.LedgerExited != 0 {
			t.Errorf("high frequency: %+v active %d", g.HighFrequency, g.LedgerActive)
		}
		// Another department's staff sees none of XC-SJJ's figures.
		gw, err := svc.GovernanceDashboard(wd)
		fatal(t, err)
		if gw.Applications != 0 || gw.RecordsRepaired != 0 || len(gw.HighFrequency) != 0 || gw.LedgerActive != 0 || gw.SeriousList[11].N != 0 {
			t.Errorf("WD staff sees: %+v", gw)
		}

		// The responsible department records its measures; high-frequency
		// entries cannot be closed by hand.
		list, err := svc.Ledger(sjj, credit.LedgerActive, 0)
		fatal(t, err)
		if len(list) != 2 || list[0].Source != credit.LedgerHighFrequency || list[0].DepartmentID != env.Depts["XC-SJJ"] || list[0].EnteredOn != "2026-11-21" {
			t.Fatalf("ledger: %+v", list)
		}
		_, err = svc.UpdateLedgerEntry(wd, list[0].ID, credit.LedgerInput{Measures: "约谈"})
		wantCode(t, err, yserr.NotFound, "")
		_, err = svc.UpdateLedgerEntry(sjj, list[0].ID, credit.LedgerInput{Measures: "约谈", Exit: true, ExitReason: "x"})
		wantCode(t, err, yserr.Conflict, "")
		e, err := svc.UpdateLedgerEntry(sjj, list[0].ID, credit.LedgerInput{Measures: "信用约谈，列入重点检查"})
		fatal(t, err)
		if e.Measures != "信用约谈，列入重点检查" || e.Status != credit.LedgerActive {
			t.Fatalf("update: %+v", e)
		}

		// Exit tracked: at 3 records neither meets the criterion.
		env.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, calendar.Shanghai))
		fatal(t, svc.SetGovernanceSettings(admin, credit.GovernanceSettings{HFRecords: 3, HFMonths: 6}))
		sr, err = svc.ScanHighFrequency(admin)
		fatal(t, err)
		if sr.Entered != 0 || sr.Exited != 2 {
			t.Fatalf("second scan: %+v", sr)
		}
		ex, err := svc.Ledger(admin, credit.LedgerExited, 0)
		fatal(t, err)
		if len(ex) != 2 || ex[0].ExitedOn != "2026-11-23" || ex[0].ExitReason == "" {
			t.Fatalf("exited: %+v", ex)
		}

		// A manual entry by the office, closed by hand with a reason.
		_, err = svc.AddLedgerEntry(admin, credit.LedgerInput{USCC: "91411002MA9XK1QR10", Measures: "x"})
		wantCode(t, err, yserr.Invalid, "uscc")
		m, err := svc.AddLedgerEntry(admin, credit.LedgerInput{USCC: sitetest.USCCA, DepartmentID: env.Depts["XC-SJJ"], Measures: "专项检查"})
		fatal(t, err)
		_, err = svc.AddLedgerEntry(admin, credit.LedgerInput{USCC: sitetest.USCCA, Measures: "again"})
		wantCode(t, err, yserr.Conflict, "")
		_, err = svc.UpdateLedgerEntry(sjj, m.ID, credit.LedgerInput{Measures: "专项检查", Exit: true})
		wantCode(t, err, yserr.Invalid, "exit_reason")
		m, err = svc.UpdateLedgerEntry(sjj, m.ID, credit.LedgerInput{Measures: "专项检查", Exit: true, ExitReason: "整改到位"})
		fatal(t, err)
		if m.Status != credit.LedgerExited || m.ExitedOn != "2026-11-23" {
			t.Fatalf("manual exit: %+v", m)
		}
		g, err = svc.GovernanceDashboard(admin)
		fatal(t, err)
		if g.LedgerActive != 0 || g.LedgerExited != 3 || len(g.HighFrequency) != 0 || g.Settings.HFRecords != 3 {
			t.Fatalf("after the exits: active %d exited %d hf %d", g.LedgerActive, g.LedgerExited, len(g.HighFrequency))
		}
	})
}
