package accounts_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
)

// regForm is a complete registration form for step 1.
func regForm(uscc, name, phone, username string) url.Values {
	return url.Values{"uscc": {uscc}, "name": {name}, "phone": {phone}, "username": {username}, "action": {"send"}}
}

// finish turns a step-1 form into step 2 with the code and a password.
func finish(f url.Values, code string) url.Values {
	g := url.Values{}
	for k, v := range f {
		g[k] = v
	}
	g.Set("action", "register")
	g.Set("code", code)
	g.Set("password", "Qiye-passw0rd")
	g.Set("password_confirm", "Qiye-passw0rd")
	return g
}

// me reads /api/v1/me with the client's session.
func me(t *testing.T, c *sitetest.Client) (username string, entityID int64) {
	t.Helper()
	r := c.Get(t, "/api/v1/me")
	var m struct {
		Username string `json:"username"`
		EntityID int64  `json:"entity_id"`
	}
	r.JSON(t, &m)
	return m.Username, m.EntityID
}

func TestRegisterAutoBinding(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		anon := env.Anonymous()
		want(t, "form", anon.Get(t, "/register"), 200, `name="uscc"`, "获取短信验证码")
		f := regForm(sitetest.USCCA, "王建国", "139 3745 1234", "ruifeng")
		want(t, "send code", anon.PostForm(t, "/register", f), 200, "验证码已发送至 139****1234", `value="ruifeng"`)
		if n := count(t, env, "SELECT COUNT(*) FROM sms_codes WHERE purpose = 'register'"); n != 1 {
			t.Fatalf("sms_codes rows: %d", n)
		}
		code := lastCode(t, env, "13937451234")
		// The code is stored hashed only.
		if n := count(t, env, "SELECT COUNT(*) FROM sms_codes WHERE code_hash = $1", code); n != 0 {
			t.Fatal("code stored in plain text")
		}
		// A second code within a minute is refused on the phone field.
		want(t, "resend", anon.PostForm(t, "/register", f), http.StatusTooManyRequests, "验证码发送过于频繁", `id="phone-err"`)
		// Passwords that differ.
		g := finish(f, code)
		g.Set("password_confirm", "Other-passw0rd")
		want(t, "confirm", anon.PostForm(t, "/register", g), 400, "两次输入的密码不一致")
		loc := location(t, "register", anon.PostForm(t, "/register", finish(f, code)))
		if loc != "/register/status" {
			t.Fatalf("after registering: %s", loc)
		}
		want(t, "status", anon.Get(t, "/register/status"), 200, `data-status="approved"`, "许昌瑞丰商贸有限公司", "自动（手机号与登记电话一致）", "注册成功，已自动绑定企业")
		if u, e := me(t, anon); u != "ruifeng" || e != env.Entities[sitetest.USCCA] {
			t.Fatalf("signed in as %s bound to %d", u, e)
		}
		// The code is used up, the phone taken.
		if n := count(t, env, "SELECT COUNT(*) FROM sms_codes WHERE used_at IS NOT NULL"); n != 1 {
			t.Fatalf("used codes: %d", n)
		}
		env.Clock.Advance(2 * time.Minute)
		other := env.Anonymous()
		want(t, "phone taken", other.PostForm(t, "/register", regForm(sitetest.USCCA, "王建国", "13937451234", "ruifeng2")), http.StatusConflict, "该手机号已注册企业账户")
		want(t, "username taken", other.PostForm(t, "/register", regForm(sitetest.USCCA, "王建国", "13937450000", "ruifeng")), http.StatusConflict, "用户名已被使用")
		// Audit trail: the account, the binding, the code.
		for _, action := range []string{"user.register", "binding.create", "sms_code.send", "session.login"} {
			if n := count(t, env, "SELECT COUNT(*) FROM audit_events WHERE action = $1", action); n == 0 {
				t.Errorf("no %s in the audit trail", action)
			}
		}
		// A signed-in enterprise user opening /register goes to its status.
		if loc := location(t, "register again", anon.Get(t, "/register")); loc != "/register/status" {
			t.Fatalf("register again: %s", loc)
		}
	})
}

func TestRegisterRefusesBadInput(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	anon := env.Anonymous()
	bad := sitetest.USCCA[:17] + "2"
	want(t, "check character", anon.PostForm(t, "/register", regForm(bad, "王建国", "13800001111", "a-user")), 400, "第18位校验码不对，请核对", `id="uscc-err"`)
	c, _ := ident.USCCCheckChar("91411002MA9XK1QR2")
	unknown := "91411002MA9XK1QR2" + string(c)
	want(t, "unknown", anon.PostForm(t, "/register", regForm(unknown, "王建国", "13800001111", "a-user")), 400, "未在经营主体名录中找到该统一社会信用代码")
	want(t, "phone", anon.PostForm(t, "/register", regForm(sitetest.USCCA, "王建国", "12345", "a-user")), 400, `id="phone-err"`)
	want(t, "empty", anon.PostForm(t, "/register", url.Values{"action": {"send"}}), 400, `id="uscc-err"`, `id="name-err"`, `id="phone-err"`, `id="username-err"`)
	// Registering without having asked for a code.
	want(t, "no code", anon.PostForm(t, "/register", finish(regForm(sitetest.USCCA, "王建国", "13800001111", "a-user"), "123456")), 400, "请先获取短信验证码")
	if n := count(t, env, "SELECT COUNT(*) FROM users WHERE username = 'a-user'"); n != 0 {
		t.Fatal("user created from bad input")
	}
}

func TestRegisterCodeLimits(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		anon := env.Anonymous()
		f := regForm(sitetest.USCCB, "张伟", "13800001111", "hengda-zw")
		// Ten codes in 24 hours, then no more.
		for i := 0; i < account.CodesPerDay; i++ {
			want(t, "send "+strconv.Itoa(i), anon.PostForm(t, "/register", f), 200, "验证码已发送至 138****1111")
			env.Clock.Advance(61 * time.Second)
		}
		want(t, "eleventh", anon.PostForm(t, "/register", f), http.StatusTooManyRequests, "已达上限", `id="phone-err"`)
		env.Clock.Advance(24 * time.Hour)
		want(t, "next day", anon.PostForm(t, "/register", f), 200, "验证码已发送")
		code := lastCode(t, env, "13800001111")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		// Five wrong codes count down, then even the right one is refused.
		for i := 1; i <= account.CodeMaxAttempts; i++ {
			msg := "还可尝试 " + strconv.Itoa(account.CodeMaxAttempts-i) + " 次"
			if i == account.CodeMaxAttempts {
				msg = "验证码错误，请重新获取验证码"
			}
			want(t, "wrong "+strconv.Itoa(i), anon.PostForm(t, "/register", finish(f, wrong)), 400, msg, `id="code-err"`)
		}
		want(t, "sixth", anon.PostForm(t, "/register", finish(f, code)), http.StatusTooManyRequests, "验证码错误次数过多")
		if n := count(t, env, "SELECT MAX(attempts) FROM sms_codes"); n != account.CodeMaxAttempts {
			t.Fatalf("attempts: %d", n)
		}
		// A new code replaces the spent one, but expires after 10 minutes.
		env.Clock.Advance(time.Minute)
		want(t, "new code", anon.PostForm(t, "/register", f), 200, "验证码已发送")
		code = lastCode(t, env, "13800001111")
		env.Clock.Advance(account.CodeTTL + time.Second)
		want(t, "expired", anon.PostForm(t, "/register", finish(f, code)), 400, "验证码已过期")
		if n := count(t, env, "SELECT COUNT(*) FROM users WHERE username = 'hengda-zw'"); n != 0 {
			t.Fatal("user created with a bad code")
		}
	})
}

// register runs both steps for a new applicant and returns its client.
func register(t *testing.T, env *sitetest.Env, uscc, name, phone, username string) *sitetest.Client {
	t.Helper()
	c := env.Anonymous()
	f := regForm(uscc, name, phone, username)
	want(t, "send code to "+phone, c.PostForm(t, "/register", f), 200, "验证码已发送")
	location(t, "register "+username, c.PostForm(t, "/register", finish(f, lastCode(t, env, phone))))
	return c
}

// pendingID returns the id of the newest binding request of username.
func pendingID(t *testing.T, env *sitetest.Env, username string) int64 {
	t.Helper()
	return int64(count(t, env, "SELECT MAX(b.id) FROM enterprise_bindings b JOIN users u ON u.id = b.user_id WHERE u.username = $1", username))
}

func TestRegisterManualBindingApproveAndReject(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		wdAdmin(t, env)
		// Not the registered phone: the request waits for WD-SJJ, which manages USCCA.
		app := register(t, env, sitetest.USCCA, "李明", "13800001111", "liming")
		want(t, "pending status", app.Get(t, "/register/status"), 200, `data-status="pending"`, "待审核", "魏都区市场监督管理局", "绑定申请已提交")
		if _, e := me(t, app); e != 0 {
			t.Fatalf("pending applicant bound to %d", e)
		}
		id := pendingID(t, env, "liming")
		path := "/admin/bindings/" + strconv.FormatInt(id, 10)

		// XC-SJJ does not manage USCCA: it neither sees nor decides the request.
		sjj := env.Login(t, "sjj-admin")
		if r := sjj.Get(t, "/admin/bindings"); strings.Contains(r.Body, "李明") {
			t.Fatal("out-of-scope request listed")
		}
		want(t, "out of scope approve", sjj.PostForm(t, path+"/approve", url.Values{}), http.StatusNotFound)

		wd := env.Login(t, "wd-admin")
		want(t, "list", wd.Get(t, "/admin/bindings"), 200, "李明", "138****1111", "139****1234", "许昌瑞丰商贸有限公司", sitetest.USCCA, "待审核")
		if loc := location(t, "approve", wd.PostForm(t, path+"/approve", url.Values{})); loc != "/admin/bindings" {
			t.Fatalf("approve went to %s", loc)
		}
		// The applicant's next request carries the entity.
		if u, e := me(t, app); u != "liming" || e != env.Entities[sitetest.USCCA] {
			t.Fatalf("after approval: %s bound to %d", u, e)
		}
		want(t, "approved status", app.Get(t, "/register/status"), 200, `data-status="approved"`, "魏都区市监局管理员")
		want(t, "decide twice", wd.PostForm(t, path+"/reject", url.Values{"reason": {"重复处理"}}), http.StatusConflict, "该申请已处理")
		if n := count(t, env, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE u.username = 'liming' AND n.msg_type = 'account.binding_approved' AND n.channel IN ('inapp', 'sms')`); n != 2 {
			t.Fatalf("approval notifications: %d", n)
		}
		if n := count(t, env, "SELECT COUNT(*) FROM audit_events WHERE action = 'binding.approve' AND object_id = $1", strconv.FormatInt(id, 10)); n != 1 {
			t.Fatalf("approve audit events: %d", n)
		}
		want(t, "inbox count", app.Get(t, "/register/status"), 200, `data-testid="unread">1<`)

		// USCCB is managed by XC-SJJ; sjj-admin rejects with a reason.
		app2 := register(t, env, sitetest.USCCB, "赵强", "13800002222", "zhaoqiang")
		id2 := pendingID(t, env, "zhaoqiang")
		path2 := "/admin/bindings/" + strconv.FormatInt(id2, 10)
		want(t, "wd out of scope", wd.PostForm(t, path2+"/approve", url.Values{}), http.StatusNotFound)
		want(t, "no reason", sjj.PostForm(t, path2+"/reject", url.Values{"reason": {" "}}), 400, "请填写不通过的原因", `id="reason-`+strconv.FormatInt(id2, 10)+`-err"`)
		location(t, "reject", sjj.PostForm(t, path2+"/reject", url.Values{"reason": {"营业执照与申请人信息不符"}}))
		want(t, "rejected status", app2.Get(t, "/register/status"), 200, `data-status="rejected"`, "营业执照与申请人信息不符", "未通过")
		if _, e := me(t, app2); e != 0 {
			t.Fatalf("rejected applicant bound to %d", e)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE u.username = 'zhaoqiang' AND n.msg_type = 'account.binding_rejected' AND n.channel IN ('inapp', 'sms') AND n.body LIKE '%营业执照与申请人信息不符%'`); n != 2 {
			t.Fatalf("rejection notifications: %d", n)
		}
		// The rejected applicant applies again; a second request while one
		// is pending is refused; approval then binds the account.
		app2.RefreshCSRF(t)
		if r := app2.PostForm(t, "/register/reapply", url.Values{"uscc": {sitetest.USCCB}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reapply: %d %s", r.StatusCode, r.Body)
		}
		want(t, "reapplied status", app2.Get(t, "/register/status"), 200, `data-status="pending"`, "绑定申请已重新提交")
		app2.PostForm(t, "/register/reapply", url.Values{"uscc": {sitetest.USCCB}})
		want(t, "second reapply refused", app2.Get(t, "/register/status"), 200, "已有待审核的绑定申请")
		if n := count(t, env, "SELECT COUNT(*) FROM enterprise_bindings b JOIN users u ON u.id = b.user_id WHERE u.username = 'zhaoqiang' AND b.status = 'pending'"); n != 1 {
			t.Fatalf("pending requests after two re-applications: %d", n)
		}
		id3 := pendingID(t, env, "zhaoqiang")
		location(t, "approve reapplication", sjj.PostForm(t, "/admin/bindings/"+strconv.FormatInt(id3, 10)+"/approve", url.Values{}))
		if _, e := me(t, app2); e != env.Entities[sitetest.USCCB] {
			t.Fatalf("re-applicant bound to %d, want %d", e, env.Entities[sitetest.USCCB])
		}
		// The status filter.
		want(t, "rejected list", sjj.Get(t, "/admin/bindings?status=rejected"), 200, "赵强", "营业执照与申请人信息不符")
		if r := sjj.Get(t, "/admin/bindings"); strings.Contains(r.Body, "赵强") {
			t.Fatal("decided request in the pending list")
		}
		// Platform admins see everything.
		want(t, "admin list", env.Login(t, "admin").Get(t, "/admin/bindings?status="), 200, "李明", "赵强")
	})
}

func TestBindingsAPI(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		wdAdmin(t, env)
		register(t, env, sitetest.USCCA, "李明", "13800001111", "liming")
		register(t, env, sitetest.USCCB, "赵强", "13800002222", "zhaoqiang")
		register(t, env, sitetest.USCCA, "王建国", "13937451234", "wangjg") // automatic
		wd := env.Token(t, "wd-admin")
		var page struct {
			Items []account.Binding `json:"items"`
			Total int64             `json:"total"`
		}
		r := env.API(t, wd, "GET", "/api/v1/bindings?status=pending", nil)
		r.JSON(t, &page)
		if r.StatusCode != 200 || page.Total != 1 || len(page.Items) != 1 || page.Items[0].Username != "liming" || page.Items[0].ApplicantPhone != "138****1111" || page.Items[0].EntityPhone != "139****1234" {
			t.Fatalf("pending for wd-admin: %d %s", r.StatusCode, r.Body)
		}
		r = env.API(t, env.Token(t, "admin"), "GET", "/api/v1/bindings", nil)
		r.JSON(t, &page)
		if page.Total != 3 {
			t.Fatalf("all for admin: %s", r.Body)
		}
		want(t, "bad status", env.API(t, wd, "GET", "/api/v1/bindings?status=maybe", nil), 400, "status")
		id := page.Items[len(page.Items)-1].ID // liming's, the oldest
		var b account.Binding
		r = env.API(t, wd, "POST", "/api/v1/bindings/"+strconv.FormatInt(id, 10)+"/approve", nil)
		r.JSON(t, &b)
		if r.StatusCode != 200 || b.Status != account.BindingApproved || b.DecidedByName != "魏都区市监局管理员" || b.DecidedAt == nil {
			t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
		}
		id2 := pendingID(t, env, "zhaoqiang")
		sjj := env.Token(t, "sjj-admin")
		want(t, "reject without reason", env.API(t, sjj, "POST", "/api/v1/bindings/"+strconv.FormatInt(id2, 10)+"/reject", map[string]string{"reason": ""}), 400, "reason")
		r = env.API(t, sjj, "POST", "/api/v1/bindings/"+strconv.FormatInt(id2, 10)+"/reject", map[string]string{"reason": "申请人不是企业员工"})
		r.JSON(t, &b)
		if r.StatusCode != 200 || b.Status != account.BindingRejected || b.Reason != "申请人不是企业员工" {
			t.Fatalf("reject: %d %s", r.StatusCode, r.Body)
		}
		want(t, "unknown", env.API(t, sjj, "POST", "/api/v1/bindings/99999/approve", nil), 404)
	})
}
