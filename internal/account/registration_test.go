package account_test

import (
	"context"
	"regexp"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

var smsCodeRe = regexp.MustCompile(`验证码为(\d{6})`)

func registrar(env *sitetest.Env) *account.Registrar {
	return &account.Registrar{Accounts: env.App.Accounts, Entities: env.App.Entities, Notify: env.App.Notify}
}

// sentCode returns the newest registration code in the outbox.
func sentCode(t *testing.T, env *sitetest.Env) string {
	t.Helper()
	ctx := context.Background()
	var body string
	if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT body FROM notifications WHERE msg_type = 'account.sms_code' ORDER BY id DESC LIMIT 1").Scan(&body); err != nil {
		t.Fatal(err)
	}
	m := smsCodeRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %q", body)
	}
	return m[1]
}

func registerAs(t *testing.T, env *sitetest.Env, in account.RegistrationInput) (*account.Registered, error) {
	t.Helper()
	r := registrar(env)
	if _, err := r.SendCode(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	in.Code, in.Password, in.Confirm = sentCode(t, env), "Qiye-passw0rd", "Qiye-passw0rd"
	return r.Register(context.Background(), in)
}

func TestRegistrationService(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			ctx := context.Background()
			r := registrar(env)
			// Normalised input: full-width and lower-case code, +86 phone.
			in := account.RegistrationInput{USCC: " " + "91411002ma9xk1qr11", Name: " 王建国 ", Phone: "+86 139-3745-1234", Username: "ruifeng"}
			masked, err := r.SendCode(ctx, in)
			if err != nil || masked != "139****1234" {
				t.Fatalf("send: %q %v", masked, err)
			}
			// The SMS row has the code type, the phone, and no stored data.
			var data, mask string
			if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT data, address_mask FROM notifications WHERE msg_type = 'account.sms_code'").Scan(&data, &mask); err != nil || data != "{}" || mask != "139****1234" {
				t.Fatalf("sms row: %q %q %v", data, mask, err)
			}
			in.Code, in.Password, in.Confirm = sentCode(t, env), "Qiye-passw0rd", "Qiye-passw0rd"
			res, err := r.Register(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			b := res.Binding
			if b.Status != account.BindingApproved || b.Method != account.MethodAuto || b.USCC != sitetest.USCCA || b.DecidedAt == nil || b.ApplicantName != "王建国" {
				t.Fatalf("binding: %+v", b)
			}
			u, err := env.App.Accounts.GetUser(sitetest.System(), res.UserID)
			if err != nil || u.EntityID != env.Entities[sitetest.USCCA] || len(u.Roles) != 1 || u.Roles[0] != auth.Enterprise || u.DepartmentID != 0 {
				t.Fatalf("user: %+v %v", u, err)
			}
			// The same code cannot be used twice.
			in.Username = "ruifeng-2"
			in.Phone = "13937451234"
			if _, err := r.Register(ctx, in); !yserr.Is(err, yserr.Conflict) || yserr.As(err).Field != "phone" {
				t.Fatalf("phone reused: %v", err)
			}
			// A revoked entity cannot register.
			if _, err := env.App.DB.W(ctx).Exec(ctx, "UPDATE entities SET status = 'revoked' WHERE uscc = $1", sitetest.USCCB); err != nil {
				t.Fatal(err)
			}
			_, err = r.SendCode(ctx, account.RegistrationInput{USCC: sitetest.USCCB, Name: "李秀英", Phone: "13803745678", Username: "hengda"})
			if !yserr.Is(err, yserr.Invalid) || yserr.As(err).Field != "uscc" {
				t.Fatalf("revoked entity: %v", err)
			}
		})
	}
}

func TestBindingDecisions(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			r := registrar(env)
			res, err := registerAs(t, env, account.RegistrationInput{USCC: sitetest.USCCB, Name: "张伟", Phone: "13800001111", Username: "zhangwei"})
			if err != nil || res.Binding.Status != account.BindingPending || res.Binding.Method != account.MethodManual || res.Binding.DepartmentName != "许昌市市场监督管理局" {
				t.Fatalf("register: %+v %v", res, err)
			}
			id := res.Binding.ID
			env.Users["zhangwei"] = res.UserID
			as := func(username string) context.Context {
				a, err := env.App.Accounts.TokenActor(context.Background(), env.Token(t, username))
				if err != nil {
					t.Fatal(err)
				}
				return auth.WithActor(context.Background(), a)
			}
			// The applicant sees its own request, others in scope only.
			mine, err := r.MyBindings(as("zhangwei"))
			if err != nil || len(mine) != 1 || mine[0].ID != id {
				t.Fatalf("mine: %+v %v", mine, err)
			}
			if _, err := r.GetBinding(as("zhangwei"), id); err != nil {
				t.Fatalf("own request: %v", err)
			}
			if _, err := r.GetBinding(as("wd-staff"), id); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("staff reads a request: %v", err)
			}
			if list, total, err := r.ListBindings(as("sjj-admin"), account.BindingFilter{Status: account.BindingPending}); err != nil || total != 1 || len(list) != 1 {
				t.Fatalf("sjj-admin list: %d %v", total, err)
			}
			if _, _, err := r.ListBindings(as("sjj-staff"), account.BindingFilter{}); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("staff lists: %v", err)
			}
			// The applicant was meanwhile bound to another entity by an admin: approval is refused, nothing changes.
			u, _ := env.App.Accounts.GetUser(sitetest.System(), res.UserID)
			if _, err := env.App.Accounts.UpdateUser(sitetest.System(), u.ID, account.UserInput{Username: u.Username, DisplayName: u.DisplayName,
				Phone: "13800001111", EntityID: env.Entities[sitetest.USCCA], Roles: u.Roles}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.ApproveBinding(as("sjj-admin"), id); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("approve while bound elsewhere: %v", err)
			}
			if b, _ := r.GetBinding(sitetest.System(), id); b.Status != account.BindingPending {
				t.Fatalf("status changed by a refused approval: %s", b.Status)
			}
			if _, err := r.RejectBinding(as("sjj-admin"), id, "x"); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("one-character reason: %v", err)
			}
			b, err := r.RejectBinding(as("sjj-admin"), id, "  已绑定其他企业  ")
			if err != nil || b.Status != account.BindingRejected || b.Reason != "已绑定其他企业" || b.DecidedByName != "市监局管理员" {
				t.Fatalf("reject: %+v %v", b, err)
			}
			if _, err := r.ApproveBinding(as("admin"), id); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("approve a rejected request: %v", err)
			}
			if _, _, err := r.ListBindings(as("admin"), account.BindingFilter{Status: "maybe"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("bad status filter: %v", err)
			}
		})
	}
}

func TestCodeAttemptsSurviveFailedRegistration(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ctx := context.Background()
	r := registrar(env)
	in := account.RegistrationInput{USCC: sitetest.USCCB, Name: "张伟", Phone: "13800001111", Username: "zhangwei"}
	if _, err := r.SendCode(ctx, in); err != nil {
		t.Fatal(err)
	}
	good := sentCode(t, env)
	in.Password, in.Confirm, in.Code = "Qiye-passw0rd", "Qiye-passw0rd", "000000"
	if good == "000000" {
		in.Code = "999999"
	}
	if _, err := r.Register(ctx, in); !yserr.Is(err, yserr.Invalid) || yserr.As(err).Field != "code" {
		t.Fatalf("wrong code: %v", err)
	}
	var attempts int
	if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT attempts FROM sms_codes").Scan(&attempts); err != nil || attempts != 1 {
		t.Fatalf("attempts: %d %v", attempts, err)
	}
	// The right code, but a taken username: the code stays unused for the next try.
	if _, err := env.App.Accounts.CreateUser(sitetest.System(), account.UserInput{Username: "zhangwei", DisplayName: "x", Password: "Qiye-passw0rd", Roles: []auth.Role{auth.Supervisor}}); err != nil {
		t.Fatal(err)
	}
	in.Code = good
	if _, err := r.Register(ctx, in); !yserr.Is(err, yserr.Conflict) {
		t.Fatalf("taken username: %v", err)
	}
	in.Username = "zhangwei-2"
	if _, err := r.Register(ctx, in); err != nil {
		t.Fatalf("retry with the same code: %v", err)
	}
}

func TestManagedPhone(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	as := func(username string) context.Context {
		a, err := env.App.Accounts.TokenActor(context.Background(), env.Token(t, username))
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithActor(context.Background(), a)
	}
	if p, err := env.App.Accounts.ManagedPhone(as("sjj-admin"), env.Users["sjj-staff"]); err != nil || p != "13700000000" {
		t.Fatalf("in scope: %q %v", p, err)
	}
	if _, err := env.App.Accounts.ManagedPhone(as("sjj-admin"), env.Users["wd-staff"]); !yserr.Is(err, yserr.NotFound) {
		t.Fatalf("out of scope: %v", err)
	}
	if _, err := env.App.Accounts.ManagedPhone(as("sjj-staff"), env.Users["sjj-staff"]); !yserr.Is(err, yserr.Forbidden) {
		t.Fatalf("staff: %v", err)
	}
}
