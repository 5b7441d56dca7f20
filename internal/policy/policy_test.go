package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func each(t *testing.T, fn func(t *testing.T, env *sitetest.Env, svc *policy.Service)) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			fn(t, env, modules.Get[*policy.Service](env.Modules))
		})
	}
}

func staffCtx(env *sitetest.Env, user, dept string) context.Context {
	d := env.Depts[dept]
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users[user], Username: user, Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: d, DeptScope: []int64{d}, Via: "session"})
}

func entCtx(env *sitetest.Env, entity int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["ent"], Username: "ent", Roles: []auth.Role{auth.Enterprise},
		EntityID: entity, Via: "session"})
}

func fatal(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func rdPolicy(budgetFen int64) policy.Input {
	return policy.Input{Title: "企业研发费用后补助", DocNo: "许政〔2025〕18号", LegalBasis: "《许昌市支持科技创新若干政策》第三条", Category: "innovation",
		Mode: policy.ModeAuto, ValidFrom: "2026-01-01", ValidTo: "2027-12-31", FactYear: 2025, BudgetFen: budgetFen,
		Condition: json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":50}]}`),
		Amount:    json.RawMessage(`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`)}
}

func setRD(t *testing.T, svc *policy.Service, id int64, wan float64) {
	t.Helper()
	fatal(t, svc.SetFact(sitetest.System(), id, 2025, "rd_spending_wan", &wan, "", "test"))
}

func TestPolicyLifecycle(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		swj := staffCtx(env, "swj-staff", "XC-SWJ")
		// A rule that does not compile is refused with the position.
		bad := rdPolicy(0)
		bad.Condition = json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":50},{"fact":"size","op":"<","value":"small"}]}`)
		_, err := svc.Create(sjj, bad)
		if e := yserr.As(err); e.Code != yserr.Invalid || !strings.Contains(e.Error(), "condition$.all[1].op") {
			t.Fatalf("bad rule: %v", err)
		}
		p, err := svc.Create(sjj, rdPolicy(0))
		fatal(t, err)
		if p.DepartmentID != env.Depts["XC-SJJ"] || p.Status != policy.StatusDraft || p.Version != 1 || p.DepartmentName == "" {
			t.Fatalf("created: %+v", p)
		}
		// Another department may neither edit, publish nor see the draft.
		if _, err := svc.Update(swj, p.ID, rdPolicy(0)); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department update: %v", err)
		}
		if _, err := svc.Publish(swj, p.ID); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department publish: %v", err)
		}
		if _, err := svc.Get(swj, p.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("other department sees the draft: %v", err)
		}
		if _, err := svc.Get(context.Background(), p.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("the public sees the draft: %v", err)
		}
		if _, err := svc.Create(entCtx(env, env.Entities[sitetest.USCCA]), rdPolicy(0)); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("enterprise creates: %v", err)
		}
		// A metadata change keeps the version; a rule change adds one.
		in := rdPolicy(0)
		in.Summary = "按研发费用10%补助"
		p, err = svc.Update(sjj, p.ID, in)
		fatal(t, err)
		if p.Version != 1 {
			t.Errorf("metadata change made version %d", p.Version)
		}
		in.Condition = json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":80}]}`)
		in.Note = "门槛提高到80万元"
		p, err = svc.Update(sjj, p.ID, in)
		fatal(t, err)
		vs, err := svc.Versions(sjj, p.ID)
		fatal(t, err)
		if p.Version != 2 || len(vs) != 2 || vs[0].Note != "门槛提高到80万元" || !strings.Contains(string(vs[1].Condition), "50") {
			t.Fatalf("versions: %d %+v", p.Version, vs)
		}
		// Preview: B qualifies (380 万元 -> 380,000 yuan), A does not (60 < 80).
		setRD(t, svc, env.Entities[sitetest.USCCA], 60)
		setRD(t, svc, env.Entities[sitetest.USCCB], 380)
		pv, err := svc.Preview(sjj, p.ID)
		fatal(t, err)
		if pv.Evaluated != 2 || pv.Matched != 1 || pv.TotalFen != 38_000_000 || len(pv.Sample) != 1 || pv.Sample[0].Entity != "长葛市恒达机械制造有限公司" || pv.Total != "¥380,000.00" {
			t.Fatalf("preview: %+v", pv)
		}
		if _, err := svc.Preview(swj, p.ID); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department previews: %v", err)
		}
		p, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		if p.Status != policy.StatusPublished || p.PublishedAt == nil {
			t.Fatalf("published: %+v", p)
		}
		if _, err := svc.Get(context.Background(), p.ID); err != nil {
			t.Errorf("the public cannot see the published policy: %v", err)
		}
		list, err := svc.List(context.Background(), policy.Filter{Q: "研发"})
		fatal(t, err)
		if len(list) != 1 {
			t.Errorf("public list: %d", len(list))
		}
		// Policies for the enterprise: A is a near miss short by 20 万元.
		ms, err := svc.ForEntity(entCtx(env, env.Entities[sitetest.USCCA]), env.Entities[sitetest.USCCA])
		fatal(t, err)
		if len(ms) != 1 || ms[0].Eligible || !ms[0].NearMiss || ms[0].Misses[0].Gap != 20 || ms[0].Version != 2 {
			t.Fatalf("for A: %+v", ms)
		}
		if _, err := svc.ForEntity(entCtx(env, env.Entities[sitetest.USCCA]), env.Entities[sitetest.USCCB]); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("an enterprise sees another's policies: %v", err)
		}
	})
}

func TestGrantChecksBeforeMoney(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sys := sitetest.System()
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		r := rand.New(rand.NewPCG(5, 6))
		newEntity := func(name string, st entity.Status) int64 {
			e, err := env.App.Entities.Create(sys, entity.Input{USCC: ident.GenerateUSCC(r, "411002"), Name: name, Type: "有限责任公司",
				RegionCode: "411002", IndustryCode: "3431", FoundedOn: "2018-01-01", Status: st})
			fatal(t, err)
			return e.ID
		}
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		c := newEntity("许昌远航精密机械有限公司", entity.StatusActive)
		d := newEntity("许昌旧城机械厂", entity.StatusRevoked)
		setRD(t, svc, a, 100) // 100,000 yuan
		setRD(t, svc, b, 380) // on the serious list
		setRD(t, svc, c, 200) // 200,000 yuan: over the remaining budget
		setRD(t, svc, d, 100) // revoked
		cs := modules.Get[*credit.Service](env.Modules)
		_, err := cs.Create(sys, credit.Input{EntityID: b, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
			Content: credit.Content{DecisionNo: "许发改信用〔2026〕3号", DecidedOn: "2026-11-01", LegalBasis: "名单管理办法"}})
		fatal(t, err)
		p, err := svc.Create(sjj, rdPolicy(25_000_000)) // budget 250,000 yuan
		fatal(t, err)
		if _, err := svc.GrantRun(sjj, p.ID, "2025", false); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("grant run of a draft: %v", err)
		}
		p, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		// A dry run writes nothing.
		dry, err := svc.GrantRun(sjj, p.ID, "2025", true)
		fatal(t, err)
		if dry.Eligible != 4 || dry.Granted != 1 || dry.Excluded != 3 {
			t.Fatalf("dry run: %+v", dry)
		}
		if gs, _ := svc.Grants(sjj, p.ID, "2025"); len(gs) != 0 {
			t.Fatalf("dry run wrote %d grants", len(gs))
		}
		res, err := svc.GrantRun(sjj, p.ID, "2025", false)
		fatal(t, err)
		if res.Granted != 1 || res.Excluded != 3 || res.TotalFen != 10_000_000 || res.Remaining != "¥150,000.00" {
			t.Fatalf("run: %+v", res)
		}
		gs, err := svc.Grants(sjj, p.ID, "2025")
		fatal(t, err)
		by := map[int64]policy.Grant{}
		for _, g := range gs {
			by[g.EntityID] = g
		}
		if g := by[a]; g.Status != policy.GrantAccepted || g.AmountFen != 10_000_000 || g.Version != 1 {
			t.Errorf("A: %+v", g)
		}
		if g := by[b]; g.Status != policy.GrantExcluded || !strings.Contains(g.Reason.ZH, "严重失信") || !strings.Contains(g.Reason.EN, "credit check") {
			t.Errorf("B (serious list): %+v", g)
		}
		if g := by[c]; g.Status != policy.GrantExcluded || !strings.Contains(g.Reason.EN, "remaining budget") {
			t.Errorf("C (budget): %+v", g)
		}
		if g := by[d]; g.Status != policy.GrantExcluded || !strings.Contains(g.Reason.ZH, "吊销") {
			t.Errorf("D (revoked): %+v", g)
		}
		// Resuming grants nobody twice.
		again, err := svc.GrantRun(sjj, p.ID, "2025", false)
		fatal(t, err)
		if again.Granted != 0 || again.Already != 4 {
			t.Errorf("second run: %+v", again)
		}
		all, _ := svc.Grants(sjj, p.ID, "")
		if len(all) != 4 {
			t.Errorf("%d grants after the second run", len(all))
		}
		// Pages of 3 read in SQL add up to the whole list in the same order.
		if n, err := svc.GrantCount(sjj, p.ID); err != nil || n != 4 {
			t.Errorf("grant count %d %v", n, err)
		}
		p1, err := svc.GrantsPage(sjj, p.ID, 3, 0)
		fatal(t, err)
		p2, err := svc.GrantsPage(sjj, p.ID, 3, 3)
		fatal(t, err)
		if got := append(p1, p2...); len(p1) != 3 || len(p2) != 1 || len(got) != len(all) || got[0].ID != all[0].ID || got[3].ID != all[3].ID {
			t.Errorf("pages %d + %d do not make the list of %d", len(p1), len(p2), len(all))
		}
		// The grant keeps its version after the rule changes.
		in := rdPolicy(25_000_000)
		in.Condition = json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":90}]}`)
		p, err = svc.Update(sjj, p.ID, in)
		fatal(t, err)
		gs, _ = svc.Grants(sjj, p.ID, "2025")
		for _, g := range gs {
			if g.Version != 1 {
				t.Errorf("grant %d has version %d after the change", g.ID, g.Version)
			}
		}
		// Another department may not confirm; the owner confirms and pays.
		if _, err := svc.Confirm(staffCtx(env, "swj-staff", "XC-SWJ"), p.ID, "2025"); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department confirms: %v", err)
		}
		n, err := svc.Confirm(sjj, p.ID, "2025")
		fatal(t, err)
		if n != 1 {
			t.Errorf("confirmed %d", n)
		}
		if _, err := svc.RecordPayment(sjj, []int64{by[a].ID}, ""); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("payment without a reference: %v", err)
		}
		_, err = svc.RecordPayment(sjj, []int64{by[a].ID}, "XCCZ-2026-001")
		fatal(t, err)
		if _, err := svc.RecordPayment(sjj, []int64{by[a].ID}, "XCCZ-2026-002"); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("paid twice: %v", err)
		}
		// 受理, 审核, 到账: one in-app message and one SMS each.
		msgs, err := env.App.Notify.ObjectMessages(sys, "policy_grant", strconv.FormatInt(by[a].ID, 10))
		fatal(t, err)
		stages := map[string]int{}
		for _, m := range msgs {
			stages[m.Channel]++
		}
		if stages["inapp"] != 3 || stages["sms"] != 3 {
			t.Errorf("notices: %v (%d messages)", stages, len(msgs))
		}
		st, err := svc.StatementOf(entCtx(env, a), a, 2026)
		fatal(t, err)
		if len(st.Grants) != 1 || st.TotalFen != 10_000_000 || st.Grants[0].Department != "许昌市市场监督管理局" || st.Grants[0].PaidAt == nil {
			t.Errorf("statement: %+v", st)
		}
		if _, err := svc.StatementOf(entCtx(env, a), b, 2026); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("another entity's statement: %v", err)
		}
		dash, err := svc.Dashboard(sys)
		fatal(t, err)
		if dash.Paid != 1 || dash.PaidFen != 10_000_000 || dash.Intercepted != 3 || len(dash.ByMonth) != 1 || dash.ByMonth[0].Key != "2026-11" {
			t.Errorf("dashboard: %+v", dash)
		}
	})
}

func TestCalculator(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		p, err := svc.Create(sjj, rdPolicy(0))
		fatal(t, err)
		_, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		setRD(t, svc, env.Entities[sitetest.USCCB], 380)
		anon := context.Background()
		rd := 120.0
		res, err := svc.Calculate(anon, policy.CalcInput{Answers: policy.Answers{Industry: "C3431", Size: "small", RDWan: &rd}})
		fatal(t, err)
		if res.Eligible != 1 || res.TotalFen != 12_000_000 || res.Matches[0].Steps[1].Actual != "120" {
			t.Fatalf("answers: %+v", res)
		}
		// By credit code, anonymously: which conditions held, no figures.
		res, err = svc.Calculate(anon, policy.CalcInput{USCC: sitetest.USCCB})
		fatal(t, err)
		if res.Eligible != 1 || res.Entity != "长葛市恒达机械制造有限公司" || res.TotalFen != 0 || res.Matches[0].Steps[1].Actual != "" {
			t.Fatalf("by code: %+v", res)
		}
		bad := -5.0
		_, err = svc.Calculate(anon, policy.CalcInput{Answers: policy.Answers{Industry: "Z99", RDWan: &bad}})
		if e := yserr.As(err); e.Code != yserr.Invalid || len(e.Fields) != 2 {
			t.Errorf("bad answers: %v", err)
		}
		if _, err := svc.Calculate(anon, policy.CalcInput{USCC: "91411002MA0000000X"}); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("unknown code: %v", err)
		}
	})
}

func factsFile(t *testing.T, rows ...[]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	head := []any{"统一社会信用代码", "年度", "研发费用（万元）", "新招用高校毕业生", "高新技术企业", "纳税信用等级"}
	for i, r := range append([][]any{head}, rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestImportFacts(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		good := []any{sitetest.USCCA, 2025, 120.5, 3, "是", "A"}
		bad := []any{sitetest.USCCB, 2025, "一百", 2, "也许", "Z"}
		// All or nothing: a bad row refuses the file and names the cells.
		rep, err := svc.ImportFacts(sjj, factsFile(t, good, bad), "研发费用2025.xlsx", "all_or_nothing", false)
		fatal(t, err)
		if rep.Committed || rep.Bad != 1 || len(rep.Rows) != 3 || rep.Rows[0].Row != 3 || rep.Rows[0].Column != "研发费用（万元）" {
			t.Fatalf("refused import: %+v", rep)
		}
		ms, err := svc.ForEntity(sjj, env.Entities[sitetest.USCCA])
		fatal(t, err)
		_ = ms
		// Valid only: the good row is written with its source.
		rep, err = svc.ImportFacts(sjj, factsFile(t, good, bad), "研发费用2025.xlsx", "valid_only", false)
		fatal(t, err)
		if !rep.Committed || rep.Facts != 4 || rep.ImportID == 0 {
			t.Fatalf("valid-only import: %+v", rep)
		}
		p, err := svc.Create(sjj, rdPolicy(0))
		fatal(t, err)
		_, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		ms, err = svc.ForEntity(sjj, env.Entities[sitetest.USCCA])
		fatal(t, err)
		if len(ms) != 1 || !ms[0].Eligible || ms[0].AmountFen != 12_050_000 {
			t.Fatalf("after import: %+v", ms)
		}
		if _, err := svc.ImportFacts(entCtx(env, env.Entities[sitetest.USCCA]), factsFile(t, good), "x.xlsx", "", false); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("enterprise imports facts: %v", err)
		}
	})
}
