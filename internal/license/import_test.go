package license_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
	"yingshang/internal/license"
	"yingshang/internal/yserr"
)

// ledgerFile writes rows under the template's headers.
func ledgerFile(t testing.TB, rows [][]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", license.SheetName); err != nil {
		t.Fatal(err)
	}
	head := make([]any, len(license.Columns))
	for i, c := range license.Columns {
		head[i] = c.Header
	}
	if err := f.SetSheetRow(license.SheetName, "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow(license.SheetName, fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestImportLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 10, 0))
		ctx := e.admin(e.deptA, e.adminA)
		// The template reads back with its example row refused only for its unregistered code.
		var tpl bytes.Buffer
		if err := e.s.ImportTemplate(&tpl); err != nil {
			t.Fatal(err)
		}
		rep, err := e.s.Import(ctx, 0, &tpl, "")
		if err != nil || rep.Total != 1 || rep.Bad != 1 || rep.Rows[0].Field != "holder_code" {
			t.Fatalf("template: %+v %v", rep, err)
		}
		badUSCC := e.uscc2[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(indexOf(e.uscc2[17])+1)%31])
		person := ident.GenerateIDCard(e.rnd, "411002", at("1940-05-01", 0, 0), false)
		rows := [][]any{
			{"SP-JY", "OK1", "许昌市示例餐饮有限公司", e.uscc1, "13800001111", "2021-12-20", "2026-12-19", "否", "否"},
			{"SP-JY", "OK2", "李四", person, "13800003333", "2022-01-01", "2027-01-01", "是", "是"},
			{"SP-JY", "BAD1", "某企业", e.uscc2, "", "2026-02-30", "2027-01-01", "", ""},
			{"SP-JY", "BAD2", "某企业", e.uscc2, "", "2026-01-01", "2025-12-31", "", ""},
			{"NOPE", "BAD3", "某企业", e.uscc2, "", "2026-01-01", "2027-01-01", "", ""},
			{"SP-JY", "BAD4", "某企业", badUSCC, "", "2026-01-01", "2027-01-01", "", ""},
			{"SP-JY", "OK1", "某企业", e.uscc2, "", "2026-01-01", "2027-01-01", "", ""},
		}
		rep, err = e.s.Import(ctx, 0, ledgerFile(t, rows), license.ModeAllOrNothing)
		if err != nil {
			t.Fatal(err)
		}
		wantBad := map[int]string{4: "issued_on", 5: "expires_on", 6: "type_code", 7: "holder_code", 8: "number"}
		if rep.Bad != 5 || rep.Committed || rep.Created != 0 {
			t.Fatalf("all or nothing: %+v", rep)
		}
		for _, r := range rep.Rows {
			if wantBad[r.Row] != r.Field {
				t.Errorf("row %d: field %s (%s), want %s", r.Row, r.Field, r.ZH, wantBad[r.Row])
			}
		}
		if n := e.count("SELECT COUNT(*) FROM licenses"); n != 0 {
			t.Fatalf("half-imported: %d licences", n)
		}
		rep, err = e.s.Import(ctx, 0, ledgerFile(t, rows), license.ModeValidOnly)
		if err != nil || rep.Created != 2 || rep.Bad != 5 || !rep.Committed {
			t.Fatalf("valid only: %+v %v", rep, err)
		}
		// Person data is encrypted and masked; staff see it, admins do not.
		id := e.licenseID("OK2")
		l, err := e.s.Get(e.admin(e.deptA, e.adminA), id)
		if err != nil || l.HolderID != ident.MaskIDCard(person) || l.Phone != ident.MaskMobile("13800003333") || !l.Elderly || !l.Disabled {
			t.Fatalf("admin view: %+v %v", l, err)
		}
		l, err = e.s.Get(e.staff(), id)
		if err != nil || l.HolderID != person || l.Phone != "13800003333" {
			t.Fatalf("staff view: %+v %v", l, err)
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE holder_id_mask = $1", person); n != 0 {
			t.Fatal("ID number stored in clear")
		}
		// The same number again is refused as stored.
		rep, err = e.s.Add(ctx, 0, []license.LicenseInput{e.lic("OK1", "2027-12-19")}, "")
		if err != nil || rep.Bad != 1 || rep.Rows[0].Field != "number" {
			t.Fatalf("stored duplicate: %+v %v", rep, err)
		}
	})
}

func indexOf(c byte) int {
	return bytes.IndexByte([]byte("0123456789ABCDEFGHJKLMNPQRTUWXY"), c)
}

func TestRenewalStopsReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-12-01", 9, 0))
		e.add(e.lic("OLD", "2026-12-31"))
		if sum := e.scan(); sum[license.StageRemind1] != 1 {
			t.Fatalf("first reminder: %v", sum)
		}
		// The enterprise sees it with the days left and answers "renewing".
		mine, err := e.s.Mine(e.ent())
		if err != nil || len(mine) != 1 || mine[0].DaysLeft != 30 {
			t.Fatalf("mine: %+v %v", mine, err)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND channel = 'inapp' AND msg_type = $2", e.entUser, license.MsgReminder); n != 1 {
			t.Fatalf("in-app reminders: %d", n)
		}
		if err := e.s.Answer(e.ent(), mine[0].ID, license.AnswerRenewing); err != nil {
			t.Fatal(err)
		}
		// Importing the new licence of the same holder and type renews the old one.
		rep, err := e.s.Add(e.admin(e.deptA, e.adminA), 0, []license.LicenseInput{e.lic("NEW", "2031-12-31")}, "")
		if err != nil || rep.Created != 1 || rep.Renewed != 1 {
			t.Fatalf("renewal import: %+v %v", rep, err)
		}
		old, err := e.s.Get(e.admin(e.deptA, e.adminA), e.licenseID("OLD"))
		if err != nil || old.Status != license.StatusRenewed || old.RenewalSource != "import" || old.RenewedByID != e.licenseID("NEW") {
			t.Fatalf("old licence: %+v %v", old, err)
		}
		e.clk.Set(at("2026-12-24", 9, 0))
		if sum := e.scan(); sum[license.StageRemind2] != 0 {
			t.Fatalf("renewed licence reminded: %v", sum)
		}
		// A holder's "renewed" answer needs the department's confirmation.
		e.add(license.LicenseInput{TypeCode: "SP-JY", Number: "H1", HolderName: "许昌市示例药房有限公司", HolderCode: e.uscc2, Phone: "13800004444", IssuedOn: "2021-01-01", ExpiresOn: "2027-01-10"})
		h1 := e.licenseID("H1")
		if err := e.s.Answer(e.ent(), h1, license.AnswerRenewed); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("answer for another entity: %v", err)
		}
		if err := e.s.ConfirmRenewal(e.admin(e.deptA, e.adminA), h1); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("confirm without answer: %v", err)
		}
		if err := e.s.SetStatus(e.staff(), h1, license.StatusRenewed, "看到新证"); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetStatus(e.staff(), h1, license.StatusRevoked, ""); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("second status change: %v", err)
		}
	})
}

func TestHolderAnswerConfirmed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-12-01", 9, 0))
		e.add(e.lic("A1", "2026-12-31"))
		id := e.licenseID("A1")
		if err := e.s.Answer(e.ent(), id, license.AnswerRenewed); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND msg_type = $2", e.adminA, license.MsgAnswer); n != 1 {
			t.Fatalf("department admin not told: %d", n)
		}
		if err := e.s.ConfirmRenewal(e.admin(e.deptA, e.adminA), id); err != nil {
			t.Fatal(err)
		}
		l, _ := e.s.Get(e.ent(), id)
		if l.Status != license.StatusRenewed || l.RenewalSource != "holder" {
			t.Fatalf("%+v", l)
		}
		if sum := e.scan(); sum[license.StageRemind1] != 0 {
			t.Fatalf("renewed licence reminded: %v", sum)
		}
	})
}

func TestAuthorisation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-12-26", 9, 0))
		e.add(e.lic("A1", "2026-12-29"))
		if _, err := e.s.Add(e.admin(e.deptB, e.adminB), 0, []license.LicenseInput{{TypeCode: "YP-LS", Number: "B1", HolderName: "李四",
			HolderCode: e.uscc2, Phone: "13800005555", IssuedOn: "2021-01-01", ExpiresOn: "2026-12-29"}}, ""); err != nil {
			t.Fatal(err)
		}
		e.scan()
		a1, b1 := e.licenseID("A1"), e.licenseID("B1")
		adminB := e.admin(e.deptB, e.adminB)
		if _, err := e.s.Get(adminB, a1); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("department B reads A's licence: %v", err)
		}
		if err := e.s.SetStatus(adminB, a1, license.StatusRevoked, ""); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("department B changes A's licence: %v", err)
		}
		if _, err := e.s.RecordContact(adminB, a1, license.ContactInput{Method: "call", Outcome: "reached"}); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("department B records a call on A's licence: %v", err)
		}
		list, total, err := e.s.List(adminB, license.Filter{})
		if err != nil || total != 1 || list[0].ID != b1 {
			t.Errorf("department B list: %d %v", total, err)
		}
		fu, err := e.s.Followups(adminB, 0, false)
		if err != nil || len(fu) != 1 || fu[0].ID != b1 {
			t.Errorf("department B follow-ups: %+v %v", fu, err)
		}
		// Staff of A see A's follow-up with the phone unmasked and can record a call.
		fu, err = e.s.Followups(e.staff(), 0, false)
		if err != nil || len(fu) != 1 || fu[0].ID != a1 || fu[0].Phone != "13800001111" {
			t.Fatalf("staff follow-ups: %+v %v", fu, err)
		}
		if _, err := e.s.RecordContact(e.staff(), a1, license.ContactInput{Method: "visit", Outcome: "renewing", Note: "上门告知"}); err != nil {
			t.Fatal(err)
		}
		fu, _ = e.s.Followups(e.admin(e.deptA, e.adminA), 0, false)
		if len(fu[0].Contacts) != 1 || fu[0].Phone != ident.MaskMobile("13800001111") {
			t.Errorf("admin follow-up: %+v", fu[0])
		}
		// The enterprise sees only its own licence; an enterprise cannot list the department's.
		mine, err := e.s.Mine(e.ent())
		if err != nil || len(mine) != 1 || mine[0].ID != a1 {
			t.Errorf("mine: %+v %v", mine, err)
		}
		if _, err := e.s.Get(e.ent(), b1); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("enterprise reads another holder's licence: %v", err)
		}
		if _, err := e.s.Followups(e.ent(), 0, false); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("enterprise follow-ups: %v", err)
		}
		if _, err := e.s.SaveType(adminB, e.typeA.ID, license.TypeInput{Code: "X", Name: "X", DepartmentID: e.deptA}); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("department B edits A's catalogue: %v", err)
		}
		if _, err := e.s.Add(e.staff(), 0, nil, ""); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("staff import: %v", err)
		}
		// Dashboard: each department admin sees its own types.
		st, err := e.s.Stats(adminB)
		if err != nil || len(st) != 1 || st[0].TypeID != e.typeB.ID || st[0].Followups != 1 || st[0].Sent["sms"] != 0 {
			t.Errorf("stats B: %+v %v", st, err)
		}
		st, err = e.s.Stats(e.sysAdmin)
		if err != nil || len(st) != 2 || st[0].Contacts != 1 || st[0].Due != 1 || st[0].RenewalRate != 0 {
			t.Errorf("stats all: %+v %v", st[0], err)
		}
		if err := e.s.SetStatus(e.staff(), a1, license.StatusRenewed, ""); err != nil {
			t.Fatal(err)
		}
		st, _ = e.s.Stats(e.sysAdmin)
		if st[0].RenewalRate != 1 {
			t.Errorf("renewal rate after renewal: %+v", st[0])
		}
	})
}

func TestCatalogueAndReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 9, 0))
		ctx := e.admin(e.deptA, e.adminA)
		_, err := e.s.SaveType(ctx, 0, license.TypeInput{Code: "SP-JY", Name: "重复", SMSTemplate: "{{.nope}}", Remind1Days: 7, Remind2Days: 30, FollowupDays: 3})
		for _, f := range []string{"sms_template", "remind1_days"} {
			if !hasField(err, f) {
				t.Errorf("missing error on %s: %v", f, err)
			}
		}
		_, err = e.s.SaveType(ctx, 0, license.TypeInput{Code: "SP-JY", Name: "重复"})
		if !hasField(err, "code") {
			t.Errorf("duplicate code: %v", err)
		}
		// The first scan of the quarter reminds the admins to review; once.
		e.scan()
		e.scan()
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE msg_type = $1", license.MsgReview); n != 2 {
			t.Fatalf("review reminders: %d, want one per department admin", n)
		}
		if err := e.s.ConfirmReview(ctx, 0, "无新增事项"); err != nil {
			t.Fatal(err)
		}
		if err := e.s.ConfirmReview(ctx, 0, ""); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("second review: %v", err)
		}
		st, err := e.s.Review(ctx, 0)
		if err != nil || !st.Done || st.Quarter != "2026Q4" {
			t.Fatalf("review: %+v %v", st, err)
		}
	})
}

func hasField(err error, f string) bool {
	e := yserr.As(err)
	if e == nil {
		return false
	}
	for _, fe := range e.Fields {
		if fe.Field == f {
			return true
		}
	}
	return false
}

// TestImportLedgerCSVAnd1904 imports the same ledger as a GBK CSV, a
// tab-separated UTF-16 file and a workbook in the 1904 date system (the
// import kit reads them all), with dates written as Excel serials, 2026年
// dates and 8-digit dates.
func TestImportLedgerCSVAnd1904(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 10, 0))
		ctx := e.admin(e.deptA, e.adminA)
		head := make([]string, len(license.Columns))
		for i, c := range license.Columns {
			head[i] = c.Header
		}
		csvLine := func(sep string, cells ...string) string { return strings.Join(cells, sep) + "\n" }
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(csvLine(",", head...) +
			csvLine(",", "SP-JY", "G1", "许昌市示例餐饮有限公司", e.uscc1, "13800001111", "2021年12月20日", "20261219", "否", "有"))
		if err != nil {
			t.Fatal(err)
		}
		utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(csvLine("\t", head...) +
			csvLine("\t", "SP-JY", "U1", "许昌市示例餐饮有限公司", e.uscc1, "13800001111", "2021/12/20", "2026-12-19", "N", "Y"))
		if err != nil {
			t.Fatal(err)
		}
		// In a 1904 workbook, serial 43088 is 2021-12-20 (1462 days later than in the 1900 system).
		f := excelize.NewFile()
		is1904 := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &is1904}); err != nil {
			t.Fatal(err)
		}
		headAny := make([]any, len(head))
		for i, h := range head {
			headAny[i] = h
		}
		row := []any{"SP-JY", "W1", "许昌市示例餐饮有限公司", e.uscc1, "13800001111", 43088, "2026-12-19", "否", "是"}
		if err := f.SetSheetRow("Sheet1", "A1", &headAny); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", "A2", &row); err != nil {
			t.Fatal(err)
		}
		var wb bytes.Buffer
		if err := f.Write(&wb); err != nil {
			t.Fatal(err)
		}
		for name, file := range map[string]string{"gbk": gbk, "utf16": utf16, "1904": wb.String()} {
			rep, err := e.s.Import(ctx, 0, strings.NewReader(file), "")
			if err != nil || rep.Created != 1 || rep.Bad != 0 {
				t.Fatalf("%s: %v %+v", name, err, rep)
			}
		}
		for _, n := range []string{"G1", "U1", "W1"} {
			l, err := e.s.Get(e.staff(), e.licenseID(n))
			if err != nil || l.IssuedOn != "2021-12-20" || l.ExpiresOn != "2026-12-19" || l.Elderly || !l.Disabled {
				t.Errorf("%s: %+v %v", n, l, err)
			}
		}
	})
}
