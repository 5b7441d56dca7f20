package appeal_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/site/sitetest"
)

// addUser creates a user and gives the fixture a context acting as it.
func (f *fixture) addUser(t *testing.T, in account.UserInput) {
	t.Helper()
	in.Password = sitetest.Password
	u, err := f.env.App.Accounts.CreateUser(sitetest.System(), in)
	if err != nil {
		t.Fatal(err)
	}
	f.env.Users[in.Username] = u.ID
	a, err := f.env.App.Accounts.TokenActor(context.Background(), f.env.Token(t, in.Username))
	if err != nil {
		t.Fatal(err)
	}
	f.ctx[in.Username] = auth.WithActor(context.Background(), a)
}

// told lists, for the transition messages about appeal id created since
// mark, "user channel status" rows, sorted.
func (f *fixture) told(t *testing.T, id int64, mark int64) []string {
	t.Helper()
	sys := sitetest.System()
	rows, err := f.env.App.DB.Q(sys).Query(sys, `SELECT u.username, n.channel, n.status FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.msg_type = $1 AND n.object_id = $2 AND n.id > $3`, appeal.MsgTransition, strconv.FormatInt(id, 10), mark)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u, ch, st string
		if err := rows.Scan(&u, &ch, &st); err != nil {
			t.Fatal(err)
		}
		if st == "delivered" || st == "queued" || st == "sent" {
			st = "ok"
		}
		out = append(out, u+" "+ch+" "+st)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func (f *fixture) lastNotification(t *testing.T) int64 {
	t.Helper()
	var n int64
	sys := sitetest.System()
	if err := f.env.App.DB.Q(sys).QueryRow(sys, `SELECT COALESCE(MAX(id), 0) FROM notifications`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIntakeReachesEnterprise: an appeal a 12345 operator registers for a
// registered entity is in the enterprise's "my appeals", and its accounts
// are told of it and of every later step that concerns them, in-app and by
// SMS when they have a mobile number; the same steps as for an appeal the
// enterprise submitted itself.
func TestIntakeReachesEnterprise(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			sys := sitetest.System()
			zw, err := f.env.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: f.env.Depts["XC"], Code: "XC-ZWFW",
				Name: "许昌市政务服务和大数据管理局", Kind: "bureau", RegionCode: "411000"})
			if err != nil {
				t.Fatal(err)
			}
			f.addUser(t, account.UserInput{Username: "hotline", DisplayName: "12345 话务员", DepartmentID: zw.ID, Roles: []auth.Role{auth.DeptStaff}})
			// A second account of the same enterprise, without a mobile number.
			f.addUser(t, account.UserInput{Username: "ent2", DisplayName: "财务 李娜", EntityID: f.env.Entities[sitetest.USCCA],
				Roles: []auth.Role{auth.Enterprise}})

			mark := f.lastNotification(t)
			a, err := f.svc.Create(f.ctx["hotline"], appeal.Input{USCC: sitetest.USCCA, Channel: "hotline12345", Kind: appeal.Help,
				Topic: "纳税", Title: "发票额度不够用", Description: "企业来电：季度开票额度不够用，如何申请调整？"})
			if err != nil {
				t.Fatal(err)
			}
			if a.RegisteredBy != f.env.Users["hotline"] || a.SubmitterID != 0 || a.Channel != "hotline12345" {
				t.Fatalf("registered: %+v", a)
			}
			both := []string{"ent inapp ok", "ent sms ok", "ent2 inapp ok"}
			step := func(id int64, name string, want []string) {
				t.Helper()
				if got := f.told(t, id, mark); !slices.Equal(got, want) {
					t.Fatalf("%s: told %q, want %q", name, got, want)
				}
				mark = f.lastNotification(t)
			}
			step(a.ID, "registered", both)
			for _, u := range []string{"ent", "ent2"} {
				list, _, err := f.svc.List(f.ctx[u], appeal.Filter{Queue: "mine"})
				if err != nil || len(list) != 1 || list[0].ID != a.ID {
					t.Fatalf("%s's appeals: %d %v", u, len(list), err)
				}
			}
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			step(a.ID, "accepted", both)
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SWJ"]})
			f.do(t, "swj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			step(a.ID, "assigned and claimed", nil)
			f.do(t, "swj-staff", a.ID, appeal.Act{Action: appeal.ActRequestInfo, Note: "请提供近三个月开票明细。"})
			step(a.ID, "information requested", both)
			// The enterprise answers; the one who answered is not told.
			f.do(t, "ent2", a.ID, appeal.Act{Action: appeal.ActSupplyInfo, Note: "已上传开票明细。"})
			step(a.ID, "information supplied", nil)
			f.do(t, "swj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "可在电子税务局申请调整额度，两个工作日内办结。"})
			step(a.ID, "replied", both)
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActRate, Rating: appeal.Satisfied})
			step(a.ID, "rated", nil)
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActFollowUp, Note: "电话回访满意。"})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActClose})
			step(a.ID, "closed", both)

			// Submitted by the enterprise itself (in-app preferred): the
			// same steps, in-app only, and not to the one who submitted.
			b := f.submit(t, appeal.Consult)
			step(b.ID, "submitted", []string{"ent2 inapp ok"})
			f.do(t, "admin", b.ID, appeal.Act{Action: appeal.ActAccept})
			step(b.ID, "accepted", []string{"ent inapp ok", "ent2 inapp ok"})
			// Asking for SMS adds it for those with a number.
			c, err := f.svc.Create(f.ctx["ent2"], appeal.Input{Kind: appeal.Consult, Topic: "融资", Title: "贴息政策", Description: "请问贴息怎么申请？", ContactPref: "sms"})
			if err != nil {
				t.Fatal(err)
			}
			f.do(t, "admin", c.ID, appeal.Act{Action: appeal.ActAccept})
			if got, want := f.told(t, c.ID, 0), []string{"ent inapp ok", "ent inapp ok", "ent sms ok", "ent sms ok", "ent2 inapp ok"}; !slices.Equal(got, want) {
				t.Fatalf("sms preferred: %q, want %q", got, want)
			}
			// An unregistered person's appeal tells no account.
			p, err := f.svc.Create(f.ctx["hotline"], appeal.Input{PersonName: "张先生", PersonPhone: "13812345678", Kind: appeal.Consult,
				Topic: "开办企业", Title: "个体户注册", Description: "想开小吃店，需要办什么证？"})
			if err != nil {
				t.Fatal(err)
			}
			f.do(t, "admin", p.ID, appeal.Act{Action: appeal.ActAccept})
			if got := f.told(t, p.ID, 0); len(got) != 0 {
				t.Fatalf("person's appeal told %q", got)
			}
		})
	}
}
