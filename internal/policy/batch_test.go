package policy_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/calendar"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// sheetRows reads the first sheet of an .xlsx export.
func sheetRows(t *testing.T, b []byte) (string, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	fatal(t, err)
	defer f.Close()
	name := f.GetSheetName(0)
	rows, err := f.GetRows(name)
	fatal(t, err)
	return name, rows
}

// bankResult fills the result columns of a bank file: fill maps a grant
// id to (result, ref, reason); amount, when set, replaces the amount.
func bankResult(t *testing.T, file []byte, fill func(row []string) []string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	fatal(t, err)
	defer f.Close()
	rows, err := f.GetRows(policy.BankSheet)
	fatal(t, err)
	for i, r := range rows[1:] {
		for len(r) < 9 {
			r = append(r, "")
		}
		r = fill(r)
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		fatal(t, f.SetSheetRow(policy.BankSheet, cell, &vals))
	}
	var out bytes.Buffer
	fatal(t, f.Write(&out))
	return out.Bytes()
}

func TestPaymentBatchAndStatementPDF(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sys := sitetest.System()
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		swj := staffCtx(env, "swj-staff", "XC-SWJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		setRD(t, svc, a, 100) // 100,000 yuan
		setRD(t, svc, b, 80)  // 80,000 yuan
		p, err := svc.Create(sjj, rdPolicy(0))
		fatal(t, err)
		_, err = svc.Publish(sjj, p.ID)
		fatal(t, err)

		// The eligible list as .xlsx: both entities with hand-computed amounts.
		var buf bytes.Buffer
		fatal(t, svc.ExportEligible(sjj, p.ID, &buf))
		name, rows := sheetRows(t, buf.Bytes())
		if name != "符合条件名单" || len(rows) != 3 {
			t.Fatalf("eligible export: %s %v", name, rows)
		}
		amounts := map[string]string{}
		for _, r := range rows[1:] {
			amounts[r[1]] = r[3]
			if !strings.Contains(r[5], "研发") {
				t.Errorf("eligible row without its reason: %v", r)
			}
		}
		if amounts[sitetest.USCCA] != "100000" || amounts[sitetest.USCCB] != "80000" {
			t.Errorf("eligible amounts: %v", amounts)
		}
		if err := svc.ExportEligible(swj, p.ID, &bytes.Buffer{}); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("another department exports the eligible list: %v", err)
		}

		_, err = svc.GrantRun(sjj, p.ID, "2025", false)
		fatal(t, err)
		if _, err := svc.CreateBatch(sjj, p.ID, "2025"); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("batch before confirmation: %v", err)
		}
		_, err = svc.Confirm(sjj, p.ID, "2025")
		fatal(t, err)
		if _, err := svc.CreateBatch(swj, p.ID, "2025"); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("another department makes a batch: %v", err)
		}
		bt, err := svc.CreateBatch(sjj, p.ID, "2025")
		fatal(t, err)
		if bt.Grants != 2 || bt.TotalFen != 18_000_000 || bt.Status != policy.BatchOpen {
			t.Fatalf("batch: %+v", bt)
		}
		if _, err := svc.CreateBatch(sjj, p.ID, "2025"); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("second batch of the same grants: %v", err)
		}
		buf.Reset()
		fatal(t, svc.BankFile(sjj, bt.ID, &buf))
		bank := buf.Bytes()
		name, rows = sheetRows(t, bank)
		if name != policy.BankSheet || len(rows) != 3 || rows[0][1] != "明细编号" {
			t.Fatalf("bank file: %s %v", name, rows)
		}
		gs, err := svc.Grants(sjj, p.ID, "2025")
		fatal(t, err)
		byEntity := map[int64]policy.Grant{}
		for _, g := range gs {
			byEntity[g.EntityID] = g
		}
		idA, idB := strconv.FormatInt(byEntity[a].ID, 10), strconv.FormatInt(byEntity[b].ID, 10)

		// A bad result file: every problem named by row and column, nothing written.
		badFile := bankResult(t, bank, func(r []string) []string {
			if r[1] == idA {
				r[4], r[6] = "99999", "成功" // wrong amount, and no reference
			} else {
				r[6] = "退回"
			}
			return r
		})
		rep, err := svc.ImportBankResult(sjj, bt.ID, bytes.NewReader(badFile))
		fatal(t, err)
		if rep.Committed || rep.Bad != 2 || rep.Errors != 3 {
			t.Fatalf("bad file report: %+v", rep)
		}
		fields := map[string]bool{}
		for _, e := range rep.Rows {
			fields[e.Field+"@"+e.Column] = true
			if e.Row < 2 || e.ZH == "" || e.EN == "" {
				t.Errorf("row error without row or text: %+v", e)
			}
		}
		if !fields["amount@金额（元）"] || !fields["ref@银行流水号"] || !fields["result@处理结果"] {
			t.Errorf("row errors: %+v", rep.Rows)
		}
		gs, _ = svc.Grants(sjj, p.ID, "2025")
		for _, g := range gs {
			if g.Status != policy.GrantApproved || g.BatchID == nil || *g.BatchID != bt.ID {
				t.Errorf("after a refused file, grant %d is %s batch %v", g.ID, g.Status, g.BatchID)
			}
		}
		// A file missing a grant is refused too.
		short := bankResult(t, bank, func(r []string) []string {
			if r[1] == idB {
				return make([]string, len(r))
			}
			r[6], r[7] = "成功", "BOC-1"
			return r
		})
		rep, err = svc.ImportBankResult(sjj, bt.ID, bytes.NewReader(short))
		fatal(t, err)
		if rep.Committed || rep.Bad != 1 || !strings.Contains(rep.Rows[0].ZH, idB) {
			t.Fatalf("file missing a grant: %+v", rep)
		}
		if _, err := svc.ImportBankResult(swj, bt.ID, bytes.NewReader(bank)); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("another department imports the result: %v", err)
		}

		// The good file: A paid, B failed and back on the approved list.
		good := bankResult(t, bank, func(r []string) []string {
			if r[1] == idA {
				r[6], r[7] = "成功", "BOC-XC-20261120-0001"
			} else {
				r[6], r[8] = "失败", "户名与账号不符"
			}
			return r
		})
		rep, err = svc.ImportBankResult(sjj, bt.ID, bytes.NewReader(good))
		fatal(t, err)
		if !rep.Committed || rep.Paid != 1 || rep.Failed != 1 || rep.Bad != 0 {
			t.Fatalf("good file: %+v", rep)
		}
		if _, err := svc.ImportBankResult(sjj, bt.ID, bytes.NewReader(good)); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("second import into a settled batch: %v", err)
		}
		gs, _ = svc.Grants(sjj, p.ID, "2025")
		for _, g := range gs {
			switch g.EntityID {
			case a:
				if g.Status != policy.GrantPaid || g.PaymentRef != "BOC-XC-20261120-0001" || g.PaidAt == nil {
					t.Errorf("A after the result: %+v", g)
				}
			case b:
				if g.Status != policy.GrantApproved || g.BatchID != nil {
					t.Errorf("B after the result: %+v", g)
				}
			}
		}
		bs, err := svc.Batches(sjj, p.ID)
		fatal(t, err)
		if len(bs) != 1 || bs[0].Status != policy.BatchSettled || bs[0].Paid != 1 || bs[0].Failed != 1 || bs[0].SettledAt == nil {
			t.Errorf("batches: %+v", bs)
		}
		// B can go out again in a new batch.
		bt2, err := svc.CreateBatch(sjj, p.ID, "2025")
		fatal(t, err)
		if bt2.Grants != 1 || bt2.TotalFen != 8_000_000 {
			t.Errorf("second batch: %+v", bt2)
		}
		// 受理, 审核, 到账 for A: three in-app messages and three SMS, each with a link.
		msgs, err := env.App.Notify.ObjectMessages(sys, "policy_grant", idA)
		fatal(t, err)
		paidNotice := 0
		for _, m := range msgs {
			if m.Link == "" {
				t.Errorf("notice without a link: %+v", m)
			}
			if strings.Contains(m.Body, "已到账") {
				paidNotice++
			}
		}
		if len(msgs) != 6 || paidNotice != 2 {
			t.Errorf("A's notices: %d, %d of them 到账", len(msgs), paidNotice)
		}

		// Grants export.
		buf.Reset()
		fatal(t, svc.ExportGrants(sjj, p.ID, "2025", &buf))
		_, rows = sheetRows(t, buf.Bytes())
		if len(rows) != 3 {
			t.Fatalf("grants export: %v", rows)
		}
		for _, r := range rows[1:] {
			if r[0] == idA && (r[5] != "已到账" || r[11] != "BOC-XC-20261120-0001") {
				t.Errorf("A's grant row: %v", r)
			}
		}

		// The statement: .xlsx and the verifiable PDF.
		year := env.App.Clock.Now().In(calendar.Shanghai).Year()
		buf.Reset()
		fatal(t, svc.ExportStatement(entCtx(env, a), a, year, &buf))
		_, rows = sheetRows(t, buf.Bytes())
		if len(rows) != 3 || rows[1][5] != "100000" || rows[2][5] != "100000" {
			t.Errorf("statement export: %v", rows)
		}
		chk, pdf, err := svc.StatementPDF(entCtx(env, a), a, year)
		fatal(t, err)
		if !bytes.HasPrefix(pdf, []byte("%PDF-1.7")) || !bytes.Contains(pdf, []byte(" re f\n")) || chk.Grants != 1 || chk.TotalFen != 10_000_000 || len(chk.Digest) != 64 {
			t.Fatalf("statement PDF: %+v (%d bytes)", chk, len(pdf))
		}
		if !bytes.Contains(pdf, []byte(hexUTF16(chk.Code))) {
			t.Error("the PDF does not carry its code")
		}
		got, err := svc.VerifyStatement(context.Background(), strings.ToLower(chk.Code))
		fatal(t, err)
		if got.Entity == "" || got.USCC != sitetest.USCCA || got.Year != year || got.Total != "¥100,000.00" || got.Digest != chk.Digest {
			t.Errorf("verify: %+v", got)
		}
		if _, err := svc.VerifyStatement(context.Background(), "AAAA-BBBB-CCCC-DDDD"); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("unknown code: %v", err)
		}
		if _, _, err := svc.StatementPDF(entCtx(env, a), b, year); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("another entity's statement PDF: %v", err)
		}
	})
}

// hexUTF16 is how the PDF writer stores text.
func hexUTF16(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(strings.ToUpper(strconv.FormatInt(int64(r)+0x10000, 16)[1:]))
	}
	return b.String()
}
