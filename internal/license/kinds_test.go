package license_test

import (
	"context"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

// TestOtherDeadlines (issue 18 item 15, 许税闹钟): a reminder type for annual
// reports, imported through the ledger (xlsx, bad rows named), runs the
// staged reminders with its own templates and message types. Stages of a
// report due Fri 9 Oct 2026 across National Day (1-7 Oct off), by hand:
//
//	remind_30  d <= 30: Wed 9 Sep
//	followup   the last working day on or before 9 Oct - 3 = Tue 6 Oct
//	           (a holiday) -> Wed 30 Sep
//	remind_7   d <= 7: Fri 2 Oct (a holiday: reminders count calendar days)
//	lapsed     d <= 0: Fri 9 Oct (the last notice)
func TestOtherDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-09-08", 9, 30))
		admin := e.admin(e.deptA, e.adminA)
		if _, err := e.s.SaveType(admin, 0, license.TypeInput{Code: "NB", Name: "企业年度报告", Kind: "nope", Active: true}); !hasField(err, "kind") {
			t.Fatalf("unknown kind: %v", err)
		}
		if _, err := e.s.SaveType(admin, 0, license.TypeInput{Code: "NB", Name: "企业年度报告", Kind: license.KindAnnualReport,
			InAppTemplateEN: "{{.nope}}", Active: true}); !hasField(err, "inapp_template_en") {
			t.Fatalf("bad English template: %v", err)
		}
		typ, err := e.s.SaveType(admin, 0, license.TypeInput{Code: "NB", Name: "2025年度企业年报", Kind: license.KindAnnualReport,
			ChannelsOnline: "国家企业信用信息公示系统", Phone: "0374-1234567", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if typ.Kind != license.KindAnnualReport || typ.InAppTemplateEN != license.DefaultDeadlineInAppEN || typ.SMSTemplate != license.DefaultDeadlineSMS {
			t.Fatalf("annual-report type defaults: %+v", typ)
		}
		rows := [][]any{
			{"NB", "NB2025-0001", "许昌市示例餐饮有限公司", e.uscc1, "13800001111", "2026-01-01", "2026-10-09", "", ""},
			{"NB", "NB2025-0002", "某企业", e.uscc2, "", "2026-01-01", "2026-13-01", "", ""},
			{"NB-X", "NB2025-0003", "某企业", e.uscc2, "", "2026-01-01", "2026-10-09", "", ""},
		}
		rep, err := e.s.Import(admin, 0, ledgerFile(t, rows), license.ModeValidOnly)
		if err != nil || rep.Created != 1 || rep.Bad != 2 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if rep.Rows[0].Row != 3 || rep.Rows[0].Field != "expires_on" || rep.Rows[1].Row != 4 || rep.Rows[1].Field != "type_code" {
			t.Fatalf("row errors: %+v", rep.Rows)
		}
		id := e.licenseID("NB2025-0001")
		steps := []struct {
			day  string
			want map[string]string
		}{
			{"2026-09-08", map[string]string{}},
			{"2026-09-09", map[string]string{license.StageRemind1: "2026-09-09"}},
			{"2026-09-29", map[string]string{license.StageRemind1: "2026-09-09"}},
			{"2026-09-30", map[string]string{license.StageRemind1: "2026-09-09", license.StageFollowup: "2026-09-30"}},
			{"2026-10-01", map[string]string{license.StageRemind1: "2026-09-09", license.StageFollowup: "2026-09-30"}},
			{"2026-10-02", map[string]string{license.StageRemind1: "2026-09-09", license.StageFollowup: "2026-09-30", license.StageRemind2: "2026-10-02"}},
			{"2026-10-08", map[string]string{license.StageRemind1: "2026-09-09", license.StageFollowup: "2026-09-30", license.StageRemind2: "2026-10-02"}},
			{"2026-10-09", map[string]string{license.StageRemind1: "2026-09-09", license.StageFollowup: "2026-09-30", license.StageRemind2: "2026-10-02",
				license.StageLapsed: "2026-10-09"}},
		}
		for _, s := range steps {
			e.clk.Set(at(s.day, 9, 30))
			e.scan()
			got := e.stages(id)
			if len(got) != len(s.want) {
				t.Fatalf("%s: stages %v, want %v", s.day, got, s.want)
			}
			for k, v := range s.want {
				if got[k] != v {
					t.Fatalf("%s: stages %v, want %v", s.day, got, s.want)
				}
			}
		}
		// The messages: the deadline types (not the licence ones), with links.
		ctx := context.Background()
		for _, c := range []struct {
			typ  string
			want int
		}{{license.MsgDeadline, 2}, {license.MsgDeadlineDue, 1}, {license.MsgReminder, 0}, {license.MsgExpired, 0}} {
			if n := e.count(`SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND channel = 'inapp' AND user_id = $2`, c.typ, e.entUser); n != c.want {
				t.Errorf("%s in-app to the enterprise: %d, want %d", c.typ, n, c.want)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM notifications WHERE msg_type IN ($1, $2) AND link = ''`, license.MsgDeadline, license.MsgDeadlineDue); n != 0 {
			t.Errorf("%d deadline messages without a link", n)
		}
		var subject, body string
		if err := e.d.Q(ctx).QueryRow(ctx, `SELECT subject, body FROM notifications WHERE msg_type = $1 AND channel = 'inapp' ORDER BY id LIMIT 1`,
			license.MsgDeadline).Scan(&subject, &body); err != nil {
			t.Fatal(err)
		}
		if subject != "企业年报提醒：2025年度企业年报还剩30天" || body != "您的2025年度企业年报（NB2025-0001）须在2026-10-09前办理，还剩30天。办理渠道：线上：国家企业信用信息公示系统。所需材料：。咨询电话：0374-1234567（许昌市市场监督管理局）。" {
			t.Errorf("first reminder: %q / %q", subject, body)
		}
	})
}
