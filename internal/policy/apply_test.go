package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func instantPolicy() policy.Input {
	in := rdPolicy(0)
	in.Title, in.Mode = "研发投入即申即享奖励", policy.ModeInstant
	return in
}

func reviewPolicy(title string) policy.Input {
	in := rdPolicy(0)
	in.Title, in.Mode, in.ReviewDays = title, policy.ModeReview, 8
	return in
}

func pdf(material, name string) policy.Upload {
	return policy.Upload{Material: material, Name: name, Data: bytes.NewReader([]byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"))}
}

func deptCtx(env *sitetest.Env, user, dept string, role auth.Role) context.Context {
	d := env.Depts[dept]
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users[user], Username: user, Roles: []auth.Role{role},
		DepartmentID: d, DeptScope: []int64{d}, Via: "session"})
}

func stagesOf(t *testing.T, env *sitetest.Env, object string, id int64) map[string]int {
	t.Helper()
	msgs, err := env.App.Notify.ObjectMessages(sitetest.System(), object, strconv.FormatInt(id, 10))
	fatal(t, err)
	out := map[string]int{}
	for _, m := range msgs {
		out[m.Channel]++
	}
	return out
}

func TestInstantClaim(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		p, err := svc.Create(sjj, instantPolicy())
		fatal(t, err)
		// A draft cannot be claimed.
		if _, err := svc.Claim(entCtx(env, a), p.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("claim of a draft: %v", err)
		}
		_, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		// Staff do not claim.
		if _, err := svc.Claim(sjj, p.ID); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("staff claims: %v", err)
		}
		// Not eligible: 30 万元 < 50 万元, refused with the condition and the gap; nothing recorded.
		setRD(t, svc, a, 30)
		_, err = svc.Claim(entCtx(env, a), p.ID)
		if e := yserr.As(err); e == nil || e.Code != yserr.Conflict || !strings.Contains(e.ZH, "研发费用") || !strings.Contains(e.EN, "not eligible") {
			t.Fatalf("not eligible: %v", err)
		}
		if gs, _ := svc.Grants(sjj, p.ID, ""); len(gs) != 0 {
			t.Fatalf("a refused claim recorded %d grants", len(gs))
		}
		// Eligible: 120 万元 × 10% = 120,000 yuan, approved at once.
		setRD(t, svc, a, 120)
		cl, err := svc.Claim(entCtx(env, a), p.ID)
		fatal(t, err)
		if g := cl.Grant; g.Status != policy.GrantApproved || g.AmountFen != 12_000_000 || g.Version != 1 || g.Period != "2025" || g.ApprovedAt == nil || len(cl.Steps) == 0 {
			t.Fatalf("claim: %+v", cl)
		}
		// Twice: refused with the first one's date (2026-11-23 in Shanghai).
		_, err = svc.Claim(entCtx(env, a), p.ID)
		if e := yserr.As(err); e == nil || e.Code != yserr.Conflict || !strings.Contains(e.ZH, "2026-11-23") {
			t.Fatalf("second claim: %v", err)
		}
		// Intercepted: B is on the serious-dishonesty list; its grant is recorded excluded with the rule.
		setRD(t, svc, b, 200)
		cs := modules.Get[*credit.Service](env.Modules)
		_, err = cs.Create(sitetest.System(), credit.Input{EntityID: b, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
			Content: credit.Content{DecisionNo: "许发改信用〔2026〕3号", DecidedOn: "2026-11-01", LegalBasis: "名单管理办法"}})
		fatal(t, err)
		cl, err = svc.Claim(entCtx(env, b), p.ID)
		fatal(t, err)
		if g := cl.Grant; g.Status != policy.GrantExcluded || !strings.Contains(g.Reason.ZH, "严重失信") || g.ApprovedAt != nil {
			t.Fatalf("intercepted: %+v", cl.Grant)
		}
		// The approved claim goes to a payment batch like an automatic grant.
		bt, err := svc.CreateBatch(sjj, p.ID, "2025")
		fatal(t, err)
		if bt.Grants != 1 || bt.TotalFen != 12_000_000 {
			t.Errorf("batch: %+v", bt)
		}
		// The enterprise was told (approved): in-app and SMS.
		gs, _ := svc.Grants(sjj, p.ID, "2025")
		for _, g := range gs {
			if g.EntityID == a {
				if st := stagesOf(t, env, "policy_grant", g.ID); st["inapp"] != 1 || st["sms"] != 1 {
					t.Errorf("claim notices: %v", st)
				}
			}
		}
		// A review-mode policy is not claimed.
		rp, err := svc.Create(sjj, reviewPolicy("首次升规奖励"))
		fatal(t, err)
		_, err = svc.Publish(sjj, rp.ID)
		fatal(t, err)
		if _, err := svc.Claim(entCtx(env, a), rp.ID); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("claim of a review policy: %v", err)
		}
	})
}

func TestApplicationReview(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		// 2026-09-30 10:00 Shanghai: the National Day holiday (Oct 1-7)
		// follows, Oct 10 (Sat) is worked.
		env.Clock.Set(time.Date(2026, 9, 30, 10, 0, 0, 0, calendar.Shanghai))
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		swj := staffCtx(env, "swj-staff", "XC-SWJ")
		wd := deptCtx(env, "wd-staff", "WD-SJJ", auth.DeptStaff)
		a := env.Entities[sitetest.USCCA]
		ent := entCtx(env, a)
		setRD(t, svc, a, 120)
		p, err := svc.Create(sjj, reviewPolicy("企业研发费用后补助（申请审核）"))
		fatal(t, err)
		p, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		// No steps yet: applications are not open.
		if _, err := svc.Apply(ent, p.ID, []policy.Upload{pdf("audit", "审计报告.pdf")}); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("apply without steps: %v", err)
		}
		def := policy.ReviewDef{
			Materials: []policy.Material{{Key: "audit", Name: "研发费用专项审计报告", Required: true}, {Key: "other", Name: "其他材料"}},
			Steps: []policy.ReviewStep{
				{Name: "受理初审", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 5},
				{Name: "联合审核", Departments: []int64{env.Depts["XC-SWJ"], env.Depts["WD-SJJ"]}, Days: 3},
			}}
		// Only the policy's own department edits its steps; bad steps name the field.
		if _, err := svc.SetReview(swj, p.ID, def); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("other department sets steps: %v", err)
		}
		bad := def
		bad.Steps = []policy.ReviewStep{{Name: "初审", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 0}}
		if _, err := svc.SetReview(sjj, p.ID, bad); yserr.As(err) == nil || yserr.As(err).Field != "steps[0].days" {
			t.Errorf("bad days: %v", err)
		}
		_, err = svc.SetReview(sjj, p.ID, def)
		fatal(t, err)
		// A required material missing, a file of the wrong type: refused naming the material.
		_, err = svc.Apply(ent, p.ID, []policy.Upload{pdf("other", "说明.pdf")})
		if e := yserr.As(err); e == nil || e.Field != "material.audit" {
			t.Fatalf("missing material: %v", err)
		}
		_, err = svc.Apply(ent, p.ID, []policy.Upload{{Material: "audit", Name: "审计报告.pdf", Data: strings.NewReader("MZ\x90\x00not a pdf")}})
		if e := yserr.As(err); e == nil || !strings.HasPrefix(e.Field, "material.audit") {
			t.Fatalf("wrong type: %v", err)
		}
		x, err := svc.Apply(ent, p.ID, []policy.Upload{pdf("audit", "审计报告.pdf")})
		fatal(t, err)
		// Step 1: 5 working days from Sep 30: Oct 8, 9, 10 (worked Saturday), 12, 13.
		if x.State != policy.AppReviewing || x.Step != 0 || x.Version != 1 || len(x.Files) != 1 || x.Due == nil ||
			x.Due.In(calendar.Shanghai).Format(time.DateOnly) != "2026-10-13" || x.DaysLeft != 5 {
			t.Fatalf("applied: %+v due %v", x, x.Due)
		}
		// A second application in the period is refused with the first's date.
		if _, err := svc.Apply(ent, p.ID, []policy.Upload{pdf("audit", "a.pdf")}); yserr.As(err) == nil || !strings.Contains(yserr.As(err).ZH, "2026-09-30") {
			t.Errorf("second application: %v", err)
		}
		// The policy changes after the application: the application keeps version 1.
		in := reviewPolicy("企业研发费用后补助（申请审核）")
		in.Amount = json.RawMessage(`{"kind":"fixed","amount":50000}`)
		_, err = svc.Update(sjj, p.ID, in)
		fatal(t, err)
		// Queues are scoped: step 1 is SJJ's.
		if q, _ := svc.ReviewQueue(swj); len(q) != 0 {
			t.Errorf("SWJ queue at step 1: %d", len(q))
		}
		if q, _ := svc.ReviewQueue(sjj); len(q) != 1 || q[0].ID != x.ID {
			t.Errorf("SJJ queue: %+v", q)
		}
		// Another enterprise does not see it; a reviewer of step 2 may not decide step 1.
		if _, err := svc.Application(entCtx(env, env.Entities[sitetest.USCCB]), x.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("other enterprise reads: %v", err)
		}
		if _, err := svc.Decide(swj, x.ID, policy.Decision{Action: policy.ActApprove}, nil); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("SWJ approves step 1: %v", err)
		}
		if _, err := svc.Decide(ent, x.ID, policy.Decision{Action: policy.ActApprove}, nil); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("enterprise approves: %v", err)
		}
		env.Clock.Set(time.Date(2026, 10, 8, 9, 0, 0, 0, calendar.Shanghai))
		x, err = svc.Decide(sjj, x.ID, policy.Decision{Action: policy.ActApprove, Rev: x.Rev}, nil)
		fatal(t, err)
		// Step 2 (parallel: SWJ and WD-SJJ), 3 working days from Oct 8: Oct 9, 10, 12.
		if x.Step != 1 || x.State != policy.AppReviewing || x.Due.In(calendar.Shanghai).Format(time.DateOnly) != "2026-10-12" {
			t.Fatalf("after step 1: step %d %s due %v", x.Step, x.State, x.Due)
		}
		if q, _ := svc.ReviewQueue(swj); len(q) != 1 {
			t.Errorf("SWJ queue at step 2: %d", len(q))
		}
		// WD-SJJ returns it for supplement (reason required); the clock stands still.
		if _, err := svc.Decide(wd, x.ID, policy.Decision{Action: policy.ActReturn}, nil); yserr.As(err) == nil || yserr.As(err).Field != "note" {
			t.Errorf("return without reason: %v", err)
		}
		x, err = svc.Decide(wd, x.ID, policy.Decision{Action: policy.ActReturn, Note: "请补充研发项目立项材料", Rev: x.Rev}, nil)
		fatal(t, err)
		if x.State != policy.AppSupplement || x.PausedAt == nil {
			t.Fatalf("returned: %+v", x)
		}
		// The enterprise supplements on Oct 10: Oct 8 (partly), 9 and 10 stood still: due Oct 12 + 3 = Oct 15.
		env.Clock.Set(time.Date(2026, 10, 10, 15, 0, 0, 0, calendar.Shanghai))
		x, err = svc.Decide(ent, x.ID, policy.Decision{Action: policy.ActSupplement, Note: "已补充立项材料", Rev: x.Rev}, []policy.Upload{pdf("other", "立项书.pdf")})
		fatal(t, err)
		if x.State != policy.AppReviewing || len(x.Files) != 2 || x.Due.In(calendar.Shanghai).Format(time.DateOnly) != "2026-10-15" {
			t.Fatalf("supplemented: %s files %d due %v", x.State, len(x.Files), x.Due)
		}
		// Oct 15 08:00: warning (the deadline day began); Oct 16: overdue by one working day.
		env.Clock.Set(time.Date(2026, 10, 15, 8, 0, 0, 0, calendar.Shanghai))
		if x, _ = svc.Application(sjj, x.ID); x.Alert != "warning" || x.DaysLeft != 0 {
			t.Errorf("Oct 15: alert %q, %d days left", x.Alert, x.DaysLeft)
		}
		// The alert pass warns the pending departments' staff once (SWJ and WD-SJJ: one user each).
		sys := sitetest.System()
		if n, err := svc.AlertApplications(sys); err != nil || n != 1 {
			t.Errorf("alert pass on Oct 15: %d %v", n, err)
		}
		if n, _ := svc.AlertApplications(sys); n != 0 {
			t.Errorf("second alert pass on Oct 15: %d", n)
		}
		if st := stagesOf(t, env, "policy_application_alert", x.ID); st["inapp"] != 2 || st["sms"] != 2 {
			t.Errorf("warning messages: %v", st)
		}
		env.Clock.Set(time.Date(2026, 10, 16, 9, 0, 0, 0, calendar.Shanghai))
		if x, _ = svc.Application(sjj, x.ID); x.Alert != "overdue" || x.DaysLeft != -1 {
			t.Errorf("Oct 16: alert %q, %d days left", x.Alert, x.DaysLeft)
		}
		if n, err := svc.AlertApplications(sys); err != nil || n != 1 {
			t.Errorf("alert pass on Oct 16: %d %v", n, err)
		}
		if st := stagesOf(t, env, "policy_application_alert", x.ID); st["inapp"] != 4 {
			t.Errorf("overdue messages: %v", st)
		}
		// SWJ approves its part: the step waits for WD-SJJ; a stale rev is refused.
		old := x.Rev
		x, err = svc.Decide(swj, x.ID, policy.Decision{Action: policy.ActApprove, Rev: x.Rev}, nil)
		fatal(t, err)
		if x.State != policy.AppReviewing || x.Step != 1 {
			t.Fatalf("after SWJ: %s step %d", x.State, x.Step)
		}
		if _, err := svc.Decide(swj, x.ID, policy.Decision{Action: policy.ActApprove}, nil); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("SWJ approves twice: %v", err)
		}
		if _, err := svc.Decide(wd, x.ID, policy.Decision{Action: policy.ActApprove, Rev: old}, nil); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("stale rev: %v", err)
		}
		x, err = svc.Decide(wd, x.ID, policy.Decision{Action: policy.ActApprove, Rev: x.Rev}, nil)
		fatal(t, err)
		// The last approval records the grant under version 1: 120 万元 × 10% = 120,000 yuan (not the fixed 50,000 of version 2).
		if x.State != policy.AppApproved || x.GrantID == nil || x.AmountFen != 12_000_000 || x.Version != 1 || x.ClosedAt == nil {
			t.Fatalf("approved: %+v", x)
		}
		gs, err := svc.Grants(sjj, p.ID, "2025")
		fatal(t, err)
		if len(gs) != 1 || gs[0].Status != policy.GrantApproved || gs[0].Version != 1 || gs[0].AmountFen != 12_000_000 {
			t.Fatalf("grant: %+v", gs)
		}
		// Timeline: submit, approve, return, supplement, two alerts (staff only), approve, approve, grant.
		var acts []string
		for _, e := range x.Timeline {
			acts = append(acts, e.Action)
		}
		if strings.Join(acts, ",") != "submit,approve,return,supplement,alert,alert,approve,approve,grant" {
			t.Errorf("timeline: %v", acts)
		}
		// Notices: 受理, step 1 done, returned, granted: 4 in-app + 4 SMS; and the grant's own (审核).
		if st := stagesOf(t, env, "policy_application", x.ID); st["inapp"] != 4 || st["sms"] != 4 {
			t.Errorf("application notices: %v", st)
		}
		if st := stagesOf(t, env, "policy_grant", *x.GrantID); st["inapp"] != 1 || st["sms"] != 1 {
			t.Errorf("grant notices: %v", st)
		}
		mine, err := svc.MyApplications(ent)
		fatal(t, err)
		if len(mine) != 1 || mine[0].ID != x.ID {
			t.Errorf("mine: %+v", mine)
		}

		// A rejection, with its reason, on another policy.
		p2, err := svc.Create(sjj, reviewPolicy("科技型中小企业认定奖励"))
		fatal(t, err)
		_, err = svc.Publish(sjj, p2.ID)
		fatal(t, err)
		_, err = svc.SetReview(sjj, p2.ID, policy.ReviewDef{Materials: []policy.Material{{Key: "cert", Name: "证书", Required: true}},
			Steps: []policy.ReviewStep{{Name: "审核", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 3}}})
		fatal(t, err)
		y, err := svc.Apply(ent, p2.ID, []policy.Upload{pdf("cert", "证书.pdf")})
		fatal(t, err)
		if _, err := svc.Decide(sjj, y.ID, policy.Decision{Action: policy.ActReject}, nil); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("reject without reason: %v", err)
		}
		y, err = svc.Decide(sjj, y.ID, policy.Decision{Action: policy.ActReject, Note: "证书不在有效期内"}, nil)
		fatal(t, err)
		if y.State != policy.AppRejected || y.Reason != "证书不在有效期内" || y.GrantID != nil {
			t.Fatalf("rejected: %+v", y)
		}
		if _, err := svc.Decide(sjj, y.ID, policy.Decision{Action: policy.ActApprove}, nil); err == nil {
			t.Errorf("approve after rejection succeeded")
		}
		if st := stagesOf(t, env, "policy_application", y.ID); st["inapp"] != 2 || st["sms"] != 2 {
			t.Errorf("rejection notices: %v", st)
		}
	})
}
