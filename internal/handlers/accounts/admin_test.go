package accounts_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/site/sitetest"
)

func TestDepartmentPages(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		admin := env.Login(t, "admin")
		r := admin.Get(t, "/admin/departments")
		want(t, "tree", r, 200, "许昌市人民政府", `data-testid="dept-WD-SJJ"`, "河南省许昌市魏都区", "县（区）级")
		// Depth-first order with indentation: WD-SJJ comes right after WD and is indented twice.
		if !regexp.MustCompile(`(?s)魏都区人民政府.*?　　　　└ 魏都区市场监督管理局`).MatchString(r.Body) {
			t.Fatalf("tree not indented by depth:\n%s", r.Body)
		}
		// A bad region code is refused on its field, the values kept.
		form := url.Values{"parent_id": {strconv.FormatInt(env.Depts["WD"], 10)}, "code": {"WD-SWJ"}, "name": {"魏都区税务局"},
			"kind": {"bureau"}, "region_code": {"419999"}}
		want(t, "bad region", admin.PostForm(t, "/admin/departments", form), 400, `id="region_code-err"`, "行政区划代码不存在", `value="魏都区税务局"`)
		form.Set("region_code", "411002")
		if loc := location(t, "create", admin.PostForm(t, "/admin/departments", form)); loc != "/admin/departments" {
			t.Fatalf("create went to %s", loc)
		}
		want(t, "created", admin.Get(t, "/admin/departments"), 200, `data-testid="dept-WD-SWJ"`, "已新建部门：魏都区税务局")
		want(t, "duplicate code", admin.PostForm(t, "/admin/departments", form), http.StatusConflict, "部门编码已存在")
		// Edit: the form is filled; a department cannot move below itself.
		id := strconv.FormatInt(env.Depts["WD"], 10)
		want(t, "edit form", admin.Get(t, "/admin/departments/"+id), 200, `value="魏都区人民政府"`, "河南省许昌市魏都区")
		if strings.Contains(admin.Get(t, "/admin/departments/"+id).Body, `<option value="`+strconv.FormatInt(env.Depts["WD-SJJ"], 10)+`"`) {
			t.Fatal("a department below WD is offered as its parent")
		}
		edit := url.Values{"parent_id": {strconv.FormatInt(env.Depts["XC"], 10)}, "code": {"WD"}, "name": {"许昌市魏都区人民政府"}, "name_en": {"Weidu District"},
			"kind": {"county"}, "region_code": {"411002"}}
		location(t, "update", admin.PostForm(t, "/admin/departments/"+id, edit))
		want(t, "updated", admin.Get(t, "/admin/departments"), 200, "许昌市魏都区人民政府", "Weidu District")
		edit.Set("parent_id", strconv.FormatInt(env.Depts["WD-SJJ"], 10))
		want(t, "below itself", admin.PostForm(t, "/admin/departments/"+id, edit), 400, "不能把部门移到它自己或其下级之下")
		want(t, "unknown", admin.Get(t, "/admin/departments/9999"), 404)

		// A department admin adds below its own department only.
		sjj := env.Login(t, "sjj-admin")
		r = sjj.Get(t, "/admin/departments")
		if strings.Contains(r.Body, "（无上级：顶级部门）") || strings.Contains(r.Body, `<option value="`+strconv.FormatInt(env.Depts["WD"], 10)+`"`) {
			t.Fatalf("dept admin offered parents outside its scope:\n%s", r.Body)
		}
		sub := url.Values{"parent_id": {strconv.FormatInt(env.Depts["XC-SJJ"], 10)}, "code": {"XC-SJJ-DJK"}, "name": {"登记注册科"}, "kind": {"office"}}
		location(t, "dept admin create", sjj.PostForm(t, "/admin/departments", sub))
		sub.Set("parent_id", strconv.FormatInt(env.Depts["WD"], 10))
		sub.Set("code", "WD-X")
		want(t, "dept admin out of scope", sjj.PostForm(t, "/admin/departments", sub), 400, "只能在本部门之下新建部门")
	})
}

func TestDepartmentAPI(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		tok := env.Token(t, "admin")
		var page struct {
			Items []account.Department `json:"items"`
			Total int64                `json:"total"`
		}
		r := env.API(t, env.Token(t, "ent"), "GET", "/api/v1/departments", nil)
		r.JSON(t, &page)
		if r.StatusCode != 200 || page.Total != 6 || page.Items[0].Code != "XC" || page.Items[0].Depth != 0 {
			t.Fatalf("list: %d %s", r.StatusCode, r.Body)
		}
		var d account.Department
		r = env.API(t, tok, "POST", "/api/v1/departments", account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-CZJ", Name: "许昌市财政局", Kind: "bureau", RegionCode: "411000"})
		r.JSON(t, &d)
		if r.StatusCode != 201 || d.ID == 0 || d.ParentID != env.Depts["XC"] {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		want(t, "invalid", env.API(t, tok, "POST", "/api/v1/departments", map[string]any{"code": "", "name": "", "kind": "x"}), 400, `"field":"code"`, `"field":"kind"`)
		path := "/api/v1/departments/" + strconv.FormatInt(d.ID, 10)
		r = env.API(t, tok, "PUT", path, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-CZJ", Name: "许昌市财政局", NameEN: "Xuchang Finance Bureau", Kind: "bureau"})
		r.JSON(t, &d)
		if r.StatusCode != 200 || d.NameEN != "Xuchang Finance Bureau" {
			t.Fatalf("update: %d %s", r.StatusCode, r.Body)
		}
		want(t, "get", env.API(t, env.Token(t, "sjj-staff"), "GET", path, nil), 200, "Xuchang Finance Bureau")
		want(t, "get unknown", env.API(t, tok, "GET", "/api/v1/departments/9999", nil), 404)
		want(t, "update by other dept admin", env.API(t, env.Token(t, "sjj-admin"), "PUT", path, account.DepartmentInput{Code: "XC-CZJ", Name: "x", Kind: "bureau"}), 403)
	})
}

func TestUserPages(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		admin := env.Login(t, "admin")
		want(t, "list", admin.Get(t, "/admin/users"), 200, `data-testid="user-sjj-admin"`, "部门管理员", "市监局管理员", "137****0000")
		r := admin.Get(t, "/admin/users?role=dept_staff")
		want(t, "role filter", r, 200, `data-testid="user-wd-staff"`)
		if strings.Contains(r.Body, `data-testid="user-admin"`) {
			t.Fatal("role filter ignored")
		}
		r = admin.Get(t, "/admin/users?department_id="+strconv.FormatInt(env.Depts["XC-SJJ"], 10)+"&q=staff")
		if !strings.Contains(r.Body, `data-testid="user-sjj-staff"`) || strings.Contains(r.Body, `data-testid="user-sjj-admin"`) || strings.Contains(r.Body, `data-testid="user-swj-staff"`) {
			t.Fatalf("department + text filter:\n%s", r.Body)
		}
		// Paging: 25 more users make two pages.
		for i := 0; i < 25; i++ {
			addUser(t, env, account.UserInput{Username: "staff" + strconv.Itoa(i), DisplayName: "工作人员" + strconv.Itoa(i), DepartmentID: env.Depts["XC-SWJ"], Roles: []auth.Role{auth.DeptStaff}})
		}
		want(t, "page 1", admin.Get(t, "/admin/users"), 200, "第 1 / 2 页", `href="/admin/users?page=2"`)
		r = admin.Get(t, "/admin/users?page=2")
		want(t, "page 2", r, 200, `data-testid="user-staff24"`, "上一页")

		// The form with a validation error: an enterprise user without an entity, a wrong check character.
		want(t, "new form", admin.Get(t, "/admin/users/new"), 200, "企业用户", "监督人员", `name="roles"`)
		form := url.Values{"username": {"hengda"}, "display_name": {"李秀英"}, "password": {sitetest.Password}, "roles": {"enterprise"}, "phone": {"13803745678"}, "lang": {"zh-CN"}}
		r = admin.PostForm(t, "/admin/users", form)
		want(t, "no entity", r, 400, `id="entity_uscc-err"`, "企业用户必须绑定一个经营主体", `value="hengda"`, `value="enterprise" checked`)
		if strings.Contains(r.Body, sitetest.Password) {
			t.Fatal("password echoed")
		}
		form.Set("entity_uscc", sitetest.USCCB[:17]+"R")
		want(t, "bad check", admin.PostForm(t, "/admin/users", form), 400, "第18位校验码不对，请核对")
		form.Set("entity_uscc", strings.ToLower(sitetest.USCCB))
		loc := location(t, "create", admin.PostForm(t, "/admin/users", form))
		r = admin.Get(t, loc)
		want(t, "edit form", r, 200, "已新建用户：hengda", `value="`+sitetest.USCCB+`"`, `value="13803745678"`, `value="enterprise" checked`)
		id := strings.TrimPrefix(loc, "/admin/users/")

		// Editing without a password keeps it and the phone.
		edit := url.Values{"username": {"hengda"}, "display_name": {"李秀英（财务）"}, "roles": {"enterprise"}, "phone": {"13803745678"},
			"entity_uscc": {sitetest.USCCB}, "lang": {"en"}}
		location(t, "update", admin.PostForm(t, loc, edit))
		firstSignIn(t, env, "hengda")
		want(t, "saved", admin.Get(t, loc), 200, "李秀英（财务）", `value="en" selected`)

		// Lock-out: only failures in a row beyond login-lock-failures lock
		// an account (a stranger from one address is merely slowed down);
		// the unlock button clears the lock and the waits.
		env.App.Accounts.LockFailures = 5
		anon := env.Anonymous()
		for i := 0; i < 5; i++ {
			anon.PostForm(t, "/login", url.Values{"username": {"hengda"}, "password": {"wrong-passw0rd"}})
		}
		want(t, "locked", admin.Get(t, loc), 200, "已临时锁定", `data-testid="unlock-user"`)
		want(t, "locked in list", admin.Get(t, "/admin/users?q=hengda"), 200, "已锁定")
		if n := count(t, env, "SELECT COUNT(*) FROM notifications WHERE msg_type = 'account.locked' AND user_id = $1", id); n == 0 {
			t.Fatal("the holder of the locked account was not told")
		}
		location(t, "unlock", admin.PostForm(t, loc+"/status", url.Values{"status": {"active"}}))
		env.Login(t, "hengda")

		// Disable: the account can no longer sign in; enable again.
		location(t, "disable", admin.PostForm(t, loc+"/status", url.Values{"status": {"disabled"}}))
		want(t, "disabled", admin.Get(t, loc), 200, "已停用", `data-testid="enable-user"`)
		want(t, "disabled login", anon.PostForm(t, "/login", url.Values{"username": {"hengda"}, "password": {sitetest.Password}}), 401)
		location(t, "enable", admin.PostForm(t, loc+"/status", url.Values{"status": {"active"}}))
		want(t, "bad status", admin.PostForm(t, loc+"/status", url.Values{"status": {"gone"}}), 400)
		if n := count(t, env, "SELECT COUNT(*) FROM audit_events WHERE object_type = 'user' AND object_id = $1 AND action IN ('user.create', 'user.update', 'user.disabled', 'user.active')", id); n != 5 {
			t.Fatalf("audit events of the user: %d", n)
		}

		// A department admin: its scope only, no platform roles offered.
		sjj := env.Login(t, "sjj-admin")
		r = sjj.Get(t, "/admin/users")
		if !strings.Contains(r.Body, `data-testid="user-sjj-staff"`) || strings.Contains(r.Body, `data-testid="user-wd-staff"`) {
			t.Fatalf("dept admin list:\n%s", r.Body)
		}
		r = sjj.Get(t, "/admin/users/new")
		if strings.Contains(r.Body, `value="platform_admin"`) || strings.Contains(r.Body, `value="supervisor"`) {
			t.Fatal("dept admin offered platform-wide roles")
		}
		want(t, "out of scope user", sjj.Get(t, "/admin/users/"+strconv.FormatInt(env.Users["wd-staff"], 10)), 404)
		staff := url.Values{"username": {"sjj-new"}, "display_name": {"新同事"}, "password": {"Staff-passw0rd"}, "roles": {"dept_staff"},
			"department_id": {strconv.FormatInt(env.Depts["XC-SJJ"], 10)}, "phone": {"13800003333"}}
		location(t, "dept admin creates", sjj.PostForm(t, "/admin/users", staff))
		// The manager sees the full phone in the form, and saving keeps it.
		nid := strconv.FormatInt(int64(count(t, env, "SELECT id FROM users WHERE username = 'sjj-new'")), 10)
		want(t, "dept admin edit", sjj.Get(t, "/admin/users/"+nid), 200, `value="13800003333"`)
		staff.Set("department_id", strconv.FormatInt(env.Depts["WD-SJJ"], 10))
		staff.Set("username", "sjj-new2")
		want(t, "dept admin out of scope create", sjj.PostForm(t, "/admin/users", staff), 403)
	})
}

func TestUserAPI(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		tok := env.Token(t, "admin")
		var page struct {
			Items []account.User `json:"items"`
			Total int64          `json:"total"`
			Page  int            `json:"page"`
		}
		r := env.API(t, tok, "GET", "/api/v1/users?role=dept_staff&per_page=2&page=2", nil)
		r.JSON(t, &page)
		if r.StatusCode != 200 || page.Total != 3 || len(page.Items) != 1 || page.Page != 2 {
			t.Fatalf("list: %d %s", r.StatusCode, r.Body)
		}
		want(t, "bad role", env.API(t, tok, "GET", "/api/v1/users?role=king", nil), 400, "role")
		var u account.User
		in := account.UserInput{Username: "swj-admin", DisplayName: "税务局管理员", Password: "Admin-passw0rd", DepartmentID: env.Depts["XC-SWJ"],
			Roles: []auth.Role{auth.DeptAdmin}, Phone: "13800004444", Email: "swj@example.cn"}
		r = env.API(t, tok, "POST", "/api/v1/users", in)
		r.JSON(t, &u)
		if r.StatusCode != 201 || u.Phone != "138****4444" || u.Status != "active" {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		want(t, "duplicate", env.API(t, tok, "POST", "/api/v1/users", in), http.StatusConflict, "username")
		path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10)
		in.Password, in.DisplayName = "", "税务局系统管理员"
		r = env.API(t, tok, "PUT", path, in)
		r.JSON(t, &u)
		if r.StatusCode != 200 || u.DisplayName != "税务局系统管理员" {
			t.Fatalf("update: %d %s", r.StatusCode, r.Body)
		}
		in.Phone = u.Phone // the masked phone is refused, not stored
		want(t, "masked phone", env.API(t, tok, "PUT", path, in), 400, "phone")
		r = env.API(t, tok, "POST", path+"/status", map[string]string{"status": "disabled"})
		r.JSON(t, &u)
		if r.StatusCode != 200 || u.Status != "disabled" {
			t.Fatalf("disable: %d %s", r.StatusCode, r.Body)
		}
		want(t, "get self", env.API(t, env.Token(t, "ent"), "GET", "/api/v1/users/"+strconv.FormatInt(env.Users["ent"], 10), nil), 200, `"username":"ent"`)
		want(t, "get other", env.API(t, env.Token(t, "ent"), "GET", path, nil), 404)
		want(t, "disable self", env.API(t, tok, "POST", "/api/v1/users/"+strconv.FormatInt(env.Users["admin"], 10)+"/status", map[string]string{"status": "disabled"}), 400, "不能停用自己的账户")
	})
}

var secretRe = regexp.MustCompile(`value="(ys_[^"]+)" data-testid="token-secret"`)

func TestTokenPages(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		admin := env.Login(t, "admin")
		want(t, "page", admin.Get(t, "/admin/tokens"), 200, `data-testid="token-form"`, "yingshang token create")
		want(t, "no name", admin.PostForm(t, "/admin/tokens", url.Values{"username": {"sjj-staff"}, "name": {""}}), 400, `id="name-err"`)
		want(t, "past date", admin.PostForm(t, "/admin/tokens", url.Values{"username": {"sjj-staff"}, "name": {"x"}, "expires_on": {"2026-01-01"}}), 400, "到期日期必须晚于今天")
		want(t, "unknown user", admin.PostForm(t, "/admin/tokens", url.Values{"username": {"nobody"}, "name": {"x"}}), 400, "用户 nobody 不存在")
		r := admin.PostForm(t, "/admin/tokens", url.Values{"username": {"sjj-staff"}, "name": {"市监局业务系统对接"}, "expires_on": {"2026-12-31"}})
		want(t, "created", r, http.StatusCreated, "离开本页后将无法再次查看", "市监局业务系统对接", "2026-12-31 23:59")
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("token page cacheable: %q", r.Header.Get("Cache-Control"))
		}
		if !strings.Contains(r.Body, `data-testid="token-list"`) || strings.Count(r.Body, "市监局业务系统对接") < 2 {
			t.Fatalf("the result page lacks the token list:\n%s", r.Body)
		}
		m := secretRe.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("no secret shown:\n%s", r.Body)
		}
		raw := m[1]
		want(t, "token works", env.API(t, raw, "GET", "/api/v1/me", nil), 200, `"username":"sjj-staff"`)
		// The list shows the prefix, never the secret.
		r = admin.Get(t, "/admin/tokens")
		want(t, "list", r, 200, raw[:9]+"…", "市监局业务系统对接", "有效")
		if strings.Contains(r.Body, raw) {
			t.Fatal("secret shown again")
		}
		id := int64(count(t, env, "SELECT id FROM api_tokens WHERE name = $1", "市监局业务系统对接"))
		location(t, "revoke", admin.PostForm(t, "/admin/tokens/"+strconv.FormatInt(id, 10)+"/revoke", url.Values{}))
		want(t, "revoked", admin.Get(t, "/admin/tokens"), 200, "已撤销")
		want(t, "revoked token", env.API(t, raw, "GET", "/api/v1/me", nil), 401)
		// Expiry: valid up to the end of the date, in Beijing time.
		r = admin.PostForm(t, "/admin/tokens", url.Values{"username": {"admin"}, "name": {"短期"}, "expires_on": {"2026-11-23"}})
		short := secretRe.FindStringSubmatch(r.Body)[1]
		want(t, "valid today", env.API(t, short, "GET", "/api/v1/me", nil), 200)
		env.Clock.Advance(15 * time.Hour) // 2026-11-24 00:00 in Beijing
		want(t, "expired", env.API(t, short, "GET", "/api/v1/me", nil), 401)

		// Other users manage their own tokens only.
		staff := env.Login(t, "sjj-staff")
		want(t, "staff page", staff.Get(t, "/admin/tokens"), 200, `value="sjj-staff" readonly`)
		want(t, "staff for other", staff.PostForm(t, "/admin/tokens", url.Values{"username": {"admin"}, "name": {"x"}}), 400, "只能为自己创建令牌")
		want(t, "staff own", staff.PostForm(t, "/admin/tokens", url.Values{"username": {"sjj-staff"}, "name": {"自用"}}), http.StatusCreated, "自用")
		r = staff.Get(t, "/admin/tokens")
		if strings.Contains(r.Body, "短期") {
			t.Fatal("staff sees other users' tokens")
		}
		sid := strconv.FormatInt(int64(count(t, env, "SELECT id FROM api_tokens WHERE name = '短期'")), 10)
		want(t, "staff revokes other's", staff.PostForm(t, "/admin/tokens/"+sid+"/revoke", url.Values{}), 404)
	})
}

func TestTokenAPI(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		staff := env.Token(t, "sjj-staff")
		var created struct {
			Token  string `json:"token"`
			ID     int64  `json:"id"`
			Prefix string `json:"prefix"`
			UserID int64  `json:"user_id"`
		}
		exp := env.Clock.Now().Add(48 * time.Hour)
		r := env.API(t, staff, "POST", "/api/v1/tokens", map[string]any{"name": "对接", "expires_at": exp})
		r.JSON(t, &created)
		if r.StatusCode != 201 || !strings.HasPrefix(created.Token, account.TokenPrefix) || created.UserID != env.Users["sjj-staff"] || !strings.HasPrefix(created.Token, created.Prefix) {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		var page struct {
			Items []account.Token `json:"items"`
			Total int64           `json:"total"`
		}
		r = env.API(t, staff, "GET", "/api/v1/tokens", nil)
		r.JSON(t, &page)
		if page.Total != 2 || strings.Contains(r.Body, created.Token) { // the sitetest token and this one
			t.Fatalf("list: %s", r.Body)
		}
		want(t, "for another", env.API(t, staff, "POST", "/api/v1/tokens", map[string]any{"name": "x", "user_id": env.Users["admin"]}), 403)
		want(t, "past expiry", env.API(t, staff, "POST", "/api/v1/tokens", map[string]any{"name": "x", "expires_at": env.Clock.Now().Add(-time.Hour)}), 400, "expires_at")
		path := "/api/v1/tokens/" + strconv.FormatInt(created.ID, 10)
		want(t, "revoke by other", env.API(t, env.Token(t, "swj-staff"), "DELETE", path, nil), 404)
		want(t, "revoke", env.API(t, env.Token(t, "admin"), "DELETE", path, nil), 204)
		want(t, "revoked", env.API(t, created.Token, "GET", "/api/v1/me", nil), 401)
		want(t, "revoke again", env.API(t, staff, "DELETE", path, nil), 204)
	})
}

// firstSignIn: an account an administrator created (password
// sitetest.Password) is sent to the password change before anything else,
// on pages and in the API; it chooses a password and then (no longer
// forced) changes it back to sitetest.Password for the rest of the test.
func firstSignIn(t *testing.T, env *sitetest.Env, username string) {
	t.Helper()
	c := env.Anonymous()
	location(t, "first sign-in", c.PostForm(t, "/login", url.Values{"username": {username}, "password": {sitetest.Password}}))
	if to := location(t, "forced home", c.Get(t, "/")); to != "/account/password" {
		t.Fatalf("a user created by an admin goes to %s, not to the password change", to)
	}
	if r := c.Get(t, "/api/v1/me"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the API before the change: %d", r.StatusCode)
	}
	page := c.Get(t, "/account/password")
	want(t, "password page", page, 200, `data-testid="must-change"`)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("no CSRF token on the password page")
	}
	c.CSRF = m[1]
	want(t, "same password", c.PostForm(t, "/account/password", url.Values{"current_password": {sitetest.Password}, "new_password": {sitetest.Password}}), 400, "new_password-err")
	location(t, "change", c.PostForm(t, "/account/password", url.Values{"current_password": {sitetest.Password}, "new_password": {"Own-choice-2026"}}))
	c.RefreshCSRF(t)
	location(t, "change back", c.PostForm(t, "/account/password", url.Values{"current_password": {"Own-choice-2026"}, "new_password": {sitetest.Password}}))
}
