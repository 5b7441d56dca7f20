package license_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/jobs"
	"yingshang/internal/license"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/workcal"
)

// env is a licence service on a fresh database with two departments, two
// entities (the first with an enterprise account), and department users.
type env struct {
	t        testing.TB
	d        *db.DB
	s        *license.Service
	clk      *clock.Fake
	deptA    int64 // XC-SJJ
	deptB    int64 // XC-SWJ
	entity1  int64
	entity2  int64
	uscc1    string
	uscc2    string
	entUser  int64
	adminA   int64
	staffA   int64
	adminB   int64
	typeA    *license.Type
	typeB    *license.Type
	rnd      *rand.Rand
	sysAdmin context.Context
}

// at returns a Shanghai instant.
func at(day string, hh, mm int) time.Time {
	d := calendar.MustParseDate(day)
	y, m, dd := d.Date()
	return time.Date(y, m, dd, hh, mm, 0, 0, calendar.Shanghai)
}

func newEnv(t testing.TB, d *db.DB, now time.Time) *env {
	t.Helper()
	return newEnvWith(t, d, now, "k1:"+secret.NewKey(), true)
}

// newEnvWith is newEnv with the key ring keySpec; with seed false the
// database already holds what seed writes (a kept benchmark fixture) and
// the env reads its ids back instead.
func newEnvWith(t testing.TB, d *db.DB, now time.Time, keySpec string, seed bool) *env {
	t.Helper()
	license.RegisterMessages()
	keys, err := secret.Parse(keySpec)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(d, log)
	au := &audit.Log{DB: d, Clock: clk}
	cal := &workcal.Service{DB: d, Audit: au, Clock: clk}
	if _, err := cal.LoadOfficial(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := &notify.Service{DB: d, Audit: au, Keys: keys, Clock: clk, Jobs: q, Log: log, SMS: &notify.LogSMS{Log: log},
		Users: &account.Service{DB: d, Audit: au, Keys: keys, Clock: clk}}
	n.Register(q)
	if err := q.Init(); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, d: d, clk: clk, rnd: rand.New(rand.NewPCG(1, 2)),
		s: &license.Service{DB: d, Audit: au, Clock: clk, Keys: keys, Notify: n, Calendar: cal, Jobs: q,
			Accounts: &account.Service{DB: d, Audit: au, Keys: keys, Clock: clk},
			Entities: &entity.Service{DB: d, Audit: au, Keys: keys, Clock: clk}}}
	e.sysAdmin = auth.WithActor(context.Background(), &auth.Actor{UserID: 0, Username: "admin", Name: "平台管理员", Roles: []auth.Role{auth.PlatformAdmin}, Via: "session"})
	if seed {
		e.seed()
	} else {
		e.reload()
	}
	return e
}

// reload reads back the ids and types that seed wrote.
func (e *env) reload() {
	ctx := context.Background()
	one := func(q string, args ...any) int64 {
		var id int64
		if err := e.d.Q(ctx).QueryRow(ctx, q, args...).Scan(&id); err != nil {
			e.t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	e.deptA = one("SELECT id FROM departments WHERE code = 'XC-SJJ'")
	e.deptB = one("SELECT id FROM departments WHERE code = 'XC-SWJ'")
	e.entity1 = one("SELECT id FROM entities WHERE name = '许昌市示例餐饮有限公司'")
	e.entity2 = one("SELECT id FROM entities WHERE name = '许昌市示例药房有限公司'")
	if err := e.d.Q(ctx).QueryRow(ctx, "SELECT uscc FROM entities WHERE id = $1", e.entity1).Scan(&e.uscc1); err != nil {
		e.t.Fatal(err)
	}
	if err := e.d.Q(ctx).QueryRow(ctx, "SELECT uscc FROM entities WHERE id = $1", e.entity2).Scan(&e.uscc2); err != nil {
		e.t.Fatal(err)
	}
	user := func(name string) int64 { return one("SELECT id FROM users WHERE username = $1", name) }
	e.entUser, e.adminA, e.staffA, e.adminB = user("ent"), user("sjj-admin"), user("sjj-staff"), user("swj-admin")
	var err error
	if e.typeA, err = e.s.GetType(e.sysAdmin, one("SELECT id FROM license_types WHERE code = 'SP-JY'")); err != nil {
		e.t.Fatal(err)
	}
	if e.typeB, err = e.s.GetType(e.sysAdmin, one("SELECT id FROM license_types WHERE code = 'YP-LS'")); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) exec(q string, args ...any) int64 {
	e.t.Helper()
	var id int64
	if err := e.d.W(context.Background()).QueryRow(context.Background(), q+" RETURNING id", args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (e *env) seed() {
	now := e.clk.Now()
	e.deptA = e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-SJJ','许昌市市场监督管理局','bureau',$1,$1)", now)
	e.deptB = e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-SWJ','许昌市商务局','bureau',$1,$1)", now)
	e.uscc1, e.uscc2 = ident.GenerateUSCC(e.rnd, "411002"), ident.GenerateUSCC(e.rnd, "411002")
	e.entity1 = e.exec("INSERT INTO entities (uscc, name, created_at, updated_at) VALUES ($1,'许昌市示例餐饮有限公司',$2,$2)", e.uscc1, now)
	e.entity2 = e.exec("INSERT INTO entities (uscc, name, created_at, updated_at) VALUES ($1,'许昌市示例药房有限公司',$2,$2)", e.uscc2, now)
	e.entUser = e.user("ent", "enterprise", 0, e.entity1)
	e.adminA = e.user("sjj-admin", "dept_admin", e.deptA, 0)
	e.staffA = e.user("sjj-staff", "dept_staff", e.deptA, 0)
	e.adminB = e.user("swj-admin", "dept_admin", e.deptB, 0)
	var err error
	e.typeA, err = e.s.SaveType(e.admin(e.deptA, e.adminA), 0, license.TypeInput{Code: "SP-JY", Name: "食品经营许可证", ValidityMonths: 60,
		ChannelsOnline: "河南政务服务网", ChannelsOffline: "市民之家A区", Materials: "延续申请书", Phone: "0374-1234567", Active: true})
	if err != nil {
		e.t.Fatal(err)
	}
	e.typeB, err = e.s.SaveType(e.admin(e.deptB, e.adminB), 0, license.TypeInput{Code: "YP-LS", Name: "药品经营许可证", ChannelsOffline: "市民之家B区", Active: true})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) user(name, role string, dept, entity int64) int64 {
	var d, en any
	if dept != 0 {
		d = dept
	}
	if entity != 0 {
		en = entity
	}
	phone := "1390000" + map[string]string{"ent": "0001", "sjj-admin": "0002", "sjj-staff": "0003", "swj-admin": "0004"}[name]
	id := e.exec(`INSERT INTO users (username, display_name, department_id, entity_id, phone_enc, phone_mask, created_at, updated_at)
		VALUES ($1,$1,$2,$3,$4,$5,$6,$6)`, name, d, en, e.s.Keys.Encrypt(phone), ident.MaskMobile(phone), e.clk.Now())
	if _, err := e.d.W(context.Background()).Exec(context.Background(), "INSERT INTO user_roles (user_id, role) VALUES ($1,$2)", id, role); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) actor(id int64, role auth.Role, dept, entity int64) context.Context {
	a := &auth.Actor{UserID: id, Username: "u", Name: "用户", Roles: []auth.Role{role}, DepartmentID: dept, EntityID: entity, Via: "session"}
	if dept != 0 {
		a.DeptScope = []int64{dept}
	}
	return auth.WithActor(context.Background(), a)
}

func (e *env) admin(dept, id int64) context.Context { return e.actor(id, auth.DeptAdmin, dept, 0) }
func (e *env) staff() context.Context               { return e.actor(e.staffA, auth.DeptStaff, e.deptA, 0) }
func (e *env) ent() context.Context                 { return e.actor(e.entUser, auth.Enterprise, 0, e.entity1) }

// add imports licences into department A (all or nothing), failing on any bad row.
func (e *env) add(rows ...license.LicenseInput) {
	e.t.Helper()
	rep, err := e.s.Add(e.admin(e.deptA, e.adminA), e.deptA, rows, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if rep.Bad > 0 {
		e.t.Fatalf("bad rows: %+v", rep.Rows)
	}
}

// lic is a licence of type A for entity 1 expiring on exp.
func (e *env) lic(number, exp string) license.LicenseInput {
	return license.LicenseInput{TypeCode: "SP-JY", Number: number, HolderName: "许昌市示例餐饮有限公司", HolderCode: e.uscc1,
		Phone: "13800001111", IssuedOn: "2021-01-01", ExpiresOn: exp}
}

// person is a licence of type A for a new person holder (no account).
func (e *env) person(number, exp string) license.LicenseInput {
	id := ident.GenerateIDCard(e.rnd, "411002", time.Date(1950+e.rnd.IntN(50), 3, 1, 0, 0, 0, 0, time.UTC), true)
	return license.LicenseInput{TypeCode: "SP-JY", Number: number, HolderName: "张三", HolderCode: id,
		Phone: "13800002222", IssuedOn: "2021-01-01", ExpiresOn: exp}
}

// scan runs the scan and fails on error.
func (e *env) scan() license.Summary {
	e.t.Helper()
	sum, err := e.s.Scan(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return sum
}

// count runs a COUNT query.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.d.Q(context.Background()).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// licenseID returns the id of a licence by number.
func (e *env) licenseID(number string) int64 {
	e.t.Helper()
	var id int64
	if err := e.d.Q(context.Background()).QueryRow(context.Background(), "SELECT id FROM licenses WHERE number = $1", number).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// stages returns stage -> scan day of a licence.
func (e *env) stages(id int64) map[string]string {
	e.t.Helper()
	rows, err := e.d.Q(context.Background()).Query(context.Background(), "SELECT stage, scan_day FROM license_reminders WHERE license_id = $1", id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var st, day string
		if err := rows.Scan(&st, &day); err != nil {
			e.t.Fatal(err)
		}
		if _, dup := out[st]; dup {
			e.t.Fatalf("licence %d: stage %s twice", id, st)
		}
		out[st] = day
	}
	return out
}
