// Package demo loads a realistic demonstration data set: the departments of
// Xuchang (许昌市), one account per role, and a few thousand synthetic
// market entities with valid credit codes and real region and industry
// codes. Loading is idempotent: a second run only resets the demo
// accounts' password, which is new each time and printed on the console.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/account"
	"yingshang/internal/app"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/modules"
)

// Entities is how many synthetic market entities the demo loads.
const Entities = 3000

// Login is one demo account.
type Login struct {
	Role     string
	Username string
	Password string
}

// Result tells what Load did.
type Result struct {
	Created     bool
	Entities    int
	Departments int
	Logins      []Login
}

// Password returns a fresh random password that meets the policy.
func Password() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	const digits = "23456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		if i%4 == 3 {
			sb.WriteByte(digits[int(x)%len(digits)])
		} else {
			sb.WriteByte(letters[int(x)%len(letters)])
		}
	}
	return sb.String()
}

type dept struct{ parent, code, name, nameEN, kind, region string }

// The departments of the demo city: the city government, its
// business-environment office (the platform admin's home), bureaus, and
// the districts/counties with their market-regulation bureaus.
var depts = []dept{
	{"", "XC", "许昌市人民政府", "Xuchang Municipal Government", "city", "411000"},
	{"XC", "XC-YSJ", "许昌市营商环境和企业服务局", "Xuchang Business Environment Bureau", "office", "411000"},
	{"XC", "XC-SJJ", "许昌市市场监督管理局", "Xuchang Market Regulation Bureau", "bureau", "411000"},
	{"XC", "XC-SWJ", "国家税务总局许昌市税务局", "Xuchang Tax Bureau", "bureau", "411000"},
	{"XC", "XC-FGW", "许昌市发展和改革委员会", "Xuchang Development and Reform Commission", "bureau", "411000"},
	{"XC", "XC-JYZX", "许昌市公共资源交易中心", "Xuchang Public Resources Trading Centre", "bureau", "411000"},
	{"XC", "XC-ZWFW", "许昌市政务服务和大数据管理局", "Xuchang Government Services Bureau", "bureau", "411000"},
	{"XC", "XC-CZJ", "许昌市财政局", "Xuchang Finance Bureau", "bureau", "411000"},
	{"XC", "WD", "魏都区人民政府", "Weidu District Government", "county", "411002"},
	{"WD", "WD-SJJ", "魏都区市场监督管理局", "Weidu Market Regulation Bureau", "bureau", "411002"},
	{"XC", "JA", "建安区人民政府", "Jian'an District Government", "county", "411003"},
	{"JA", "JA-SJJ", "建安区市场监督管理局", "Jian'an Market Regulation Bureau", "bureau", "411003"},
	{"XC", "YZ", "禹州市人民政府", "Yuzhou Municipal Government", "county", "411081"},
	{"YZ", "YZ-SJJ", "禹州市市场监督管理局", "Yuzhou Market Regulation Bureau", "bureau", "411081"},
	{"XC", "CG", "长葛市人民政府", "Changge Municipal Government", "county", "411082"},
	{"CG", "CG-SJJ", "长葛市市场监督管理局", "Changge Market Regulation Bureau", "bureau", "411082"},
	{"XC", "YL", "鄢陵县人民政府", "Yanling County Government", "county", "411024"},
	{"YL", "YL-SJJ", "鄢陵县市场监督管理局", "Yanling Market Regulation Bureau", "bureau", "411024"},
	{"XC", "XCX", "襄城县人民政府", "Xiangcheng County Government", "county", "411025"},
	{"XCX", "XCX-SJJ", "襄城县市场监督管理局", "Xiangcheng Market Regulation Bureau", "bureau", "411025"},
}

// The market-regulation bureau that manages entities of each county.
var bureauOf = map[string]string{
	"411002": "WD-SJJ", "411003": "JA-SJJ", "411081": "YZ-SJJ", "411082": "CG-SJJ", "411024": "YL-SJJ", "411025": "XCX-SJJ",
}

type user struct {
	role     auth.Role
	username string
	name     string
	dept     string
	entity   bool
	// phone: every demo person has a (synthetic) mobile so that the SMS
	// notifications addressed to them are delivered to the dev outbox
	// instead of being recorded as failed for want of a number.
	phone string
	// bidder: bound to the n-th entity (by id) other than the demo
	// enterprise's, as a bidder of the evaluation demo (module bideval).
	bidder int
}

var users = []user{
	{auth.PlatformAdmin, "admin", "陈静（营商局）", "XC-YSJ", false, "13937400011", 0},
	{auth.Supervisor, "supervisor", "刘明（纪检监察）", "", false, "13937400012", 0},
	{auth.DeptAdmin, "sjj-admin", "王磊（市监局管理员）", "XC-SJJ", false, "13937400013", 0},
	{auth.DeptStaff, "sjj-staff", "赵敏（市监局）", "XC-SJJ", false, "13937400014", 0},
	{auth.DeptStaff, "wd-staff", "孙浩（魏都区市监局）", "WD-SJJ", false, "13937400015", 0},
	{auth.DeptStaff, "swj-staff", "周婷（税务局）", "XC-SWJ", false, "13937400016", 0},
	// A 12345 hotline operator: intake staff of the appeals module (the
	// department is in its intake_depts), registers appeals that arrive by
	// phone, letter or visit.
	{role: auth.DeptStaff, username: "hotline", name: "吴倩（12345热线）", dept: "XC-ZWFW", phone: "13937400017"},
	// The finance bureau's procurement office (module procure: pooling,
	// lead units, complaints).
	{role: auth.DeptStaff, username: "czj-staff", name: "李华（财政局采购科）", dept: "XC-CZJ", phone: "13937400018"},
	{auth.Enterprise, "enterprise", "", "", true, "13937400001", 0},
	// Bidders and evaluation experts of the double-blind evaluation demo
	// (internal/bideval/demo.go links the experts to pool records and
	// gives them the pool's names).
	{auth.Enterprise, "bidder1", "", "", false, "13937400002", 1},
	{auth.Enterprise, "bidder2", "", "", false, "13937400003", 2},
	{auth.Enterprise, "bidder3", "", "", false, "13937400004", 3},
	{auth.Expert, "expert1", "评标专家一", "", false, "13937400021", 0},
	{auth.Expert, "expert2", "评标专家二", "", false, "13937400022", 0},
	{auth.Expert, "expert3", "评标专家三", "", false, "13937400023", 0},
	{auth.Expert, "expert4", "评标专家四", "", false, "13937400024", 0},
	{auth.Expert, "expert5", "评标专家五", "", false, "13937400025", 0},
}

// Load loads the demo data set (once), with every module's demo data, and
// resets the demo passwords.
func Load(ctx context.Context, a *app.App, m *modules.Set) (*Result, error) {
	sys := auth.WithActor(ctx, auth.System("demo"))
	res := &Result{}
	exists, err := a.Accounts.DepartmentByCode(ctx, "XC-YSJ")
	if err != nil {
		return nil, err
	}
	pw := Password()
	if exists == 0 {
		res.Created = true
		if err := load(sys, a, res); err != nil {
			return nil, err
		}
		if err := m.LoadDemo(sys); err != nil {
			return nil, fmt.Errorf("module demo data: %w", err)
		}
		// Some demo rows are written straight to the tables: record the
		// state the deep check starts from (docs/audit.md).
		if _, err := a.Audit.Baseline(sys, true); err != nil {
			return nil, fmt.Errorf("audit baseline: %w", err)
		}
	}
	for _, u := range users {
		if err := resetPassword(sys, a, u.username, pw); err != nil {
			return nil, err
		}
		res.Logins = append(res.Logins, Login{Role: string(u.role), Username: u.username, Password: pw})
	}
	return res, nil
}

func resetPassword(ctx context.Context, a *app.App, username, pw string) error {
	id, err := a.Accounts.UserID(ctx, username)
	if err != nil {
		return err
	}
	u, err := a.Accounts.GetUser(ctx, id)
	if err != nil {
		return err
	}
	_, err = a.Accounts.UpdateUser(ctx, id, account.UserInput{Username: u.Username, DisplayName: u.DisplayName, Password: pw,
		DepartmentID: u.DepartmentID, EntityID: u.EntityID, Email: u.Email, Roles: u.Roles, Lang: u.Lang, Phone: keepPhone(ctx, a, id)})
	return err
}

func keepPhone(ctx context.Context, a *app.App, id int64) string {
	p, err := a.Accounts.Phone(ctx, id)
	if err != nil {
		return ""
	}
	return p
}

func load(ctx context.Context, a *app.App, res *Result) error {
	ids := map[string]int64{}
	for _, d := range depts {
		out, err := a.Accounts.CreateDepartment(ctx, account.DepartmentInput{ParentID: ids[d.parent], Code: d.code, Name: d.name, NameEN: d.nameEN, Kind: d.kind, RegionCode: d.region})
		if err != nil {
			return fmt.Errorf("department %s: %w", d.code, err)
		}
		ids[d.code] = out.ID
	}
	res.Departments = len(depts)

	// Entities, imported per managing bureau through the real import path.
	groups := map[string][]entity.Input{}
	r := mrand.New(mrand.NewPCG(2026, 11))
	err := entity.GenerateRows(r, Entities, func(in entity.Input) error {
		b, ok := bureauOf[in.RegionCode]
		if !ok {
			b = "XC-SJJ"
		}
		groups[b] = append(groups[b], in)
		return nil
	})
	if err != nil {
		return err
	}
	// In a fixed order (a map's is random): the demo enterprise's bureau
	// first, then by code, so that entity ids, and with them every module
	// demo that takes "the first n entities", are the same on every start.
	codes := slices.Collect(maps.Keys(groups))
	slices.SortFunc(codes, func(a, b string) int {
		if (a == "WD-SJJ") != (b == "WD-SJJ") {
			if a == "WD-SJJ" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var first entity.Input
	for _, code := range codes {
		list := groups[code]
		if code == "WD-SJJ" && first.USCC == "" {
			first = list[0]
		}
		// Imported as a member of the managing bureau, so the bureau owns the records.
		actor := &auth.Actor{Username: "demo", Name: "demo", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: ids[code], DeptScope: []int64{ids[code]}, Via: "demo"}
		rep, err := a.Entities.Import(auth.WithActor(ctx, actor), bytes.NewReader(toCSV(list)), "demo-"+code+".csv", entity.ImportOptions{Mode: entity.ModeAllOrNothing})
		if err != nil {
			return fmt.Errorf("demo entities for %s: %w", code, err)
		}
		if !rep.Committed {
			return fmt.Errorf("demo entities for %s: %d bad rows, first: %+v", code, rep.Bad, rep.Rows[0])
		}
		res.Entities += rep.Created
	}
	ent, err := a.Entities.GetByUSCC(ctx, first.USCC)
	if err != nil {
		return err
	}
	var others []int64
	firstRefs, err := a.Entities.RefsAfter(ctx, 0, 4)
	if err != nil {
		return err
	}
	for _, r := range firstRefs {
		if r.ID != ent.ID && len(others) < 3 {
			others = append(others, r.ID)
		}
	}
	for _, u := range users {
		in := account.UserInput{Username: u.username, DisplayName: u.name, Password: Password(), DepartmentID: ids[u.dept], Roles: []auth.Role{u.role}, Phone: u.phone}
		if u.entity {
			in.EntityID, in.DisplayName = ent.ID, ent.LegalRepName
		}
		if u.bidder > 0 && u.bidder <= len(others) {
			e, err := a.Entities.Get(ctx, others[u.bidder-1])
			if err != nil {
				return err
			}
			in.EntityID, in.DisplayName = e.ID, e.LegalRepName
			if in.DisplayName == "" {
				in.DisplayName = e.Name
			}
		}
		if _, err := a.Accounts.CreateUser(ctx, in); err != nil {
			return fmt.Errorf("demo user %s: %w", u.username, err)
		}
	}
	return nil
}

func toCSV(list []entity.Input) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"uscc", "name", "type", "legal_rep_name", "legal_rep_id", "address", "region_code", "industry_code",
		"employees", "revenue_wan", "assets_wan", "founded_on", "status", "phone", "tags"})
	for _, in := range list {
		_ = w.Write([]string{in.USCC, in.Name, in.Type, in.LegalRepName, in.LegalRepID, in.Address, in.RegionCode, in.IndustryCode,
			optInt(in.Employees), optFloat(in.RevenueWan), optFloat(in.AssetsWan), in.FoundedOn, string(in.Status), in.Phone, strings.Join(in.Tags, ",")})
	}
	w.Flush()
	return buf.Bytes()
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}
