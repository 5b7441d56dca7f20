package credit_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func adminCtx(env *sitetest.Env) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["admin"], Username: "admin", Roles: []auth.Role{auth.PlatformAdmin}, Via: "session"})
}

func saveDemoModels(t *testing.T, svc *credit.Service, ctx context.Context) {
	t.Helper()
	for _, m := range credit.DemoGradeModels() {
		_, err := svc.SaveGradeModel(ctx, m)
		fatal(t, err)
	}
}

// TestScoreModelVeto: on the serious list the records indicator is 0 and,
// with the veto, the level is the lowest whatever the score. Trade model:
// records 40, inspection 30, contract 30; with 100 on both inputs the
// score is 0×0.4 + 100×0.3 + 100×0.3 = 60 (level B), vetoed to C.
func TestScoreModelVeto(t *testing.T) {
	m := credit.DemoGradeModels()[0]
	in := map[string]credit.StoredInput{
		"inspection_result":    {ID: 1, Value: 100, Source: "inspect", Reason: "ok"},
		"contract_performance": {ID: 2, Value: 100, Source: "contract", Reason: "ok"},
	}
	l, score, vetoed, _ := credit.ScoreModel(&m, credit.Facts{SeriousList: 1}, in)
	if score != 60 || l.Code != "C" || !vetoed {
		t.Fatalf("veto: %v %v %v", l.Code, score, vetoed)
	}
	m.SeriousListLowest = false
	if l, _, _, _ := credit.ScoreModel(&m, credit.Facts{SeriousList: 1}, in); l.Code != "B" {
		t.Fatalf("without veto: %s", l.Code)
	}
	if credit.ModelFor(credit.DemoGradeModels(), "5191").Code != "trade" || credit.ModelFor(credit.DemoGradeModels(), "3431").Code != "machinery" ||
		credit.ModelFor(credit.DemoGradeModels(), "6110") != nil {
		t.Fatal("sector match")
	}
}

// TestGradeModels walks item 9 by hand. Entity A (industry 5191, trade
// model): no records, inputs at their defaults (80): 40 + 24 + 24 = 88,
// AA. An inspection result of 100 pushed by the inspect module: 40 + 30 +
// 24 = 94, AAA. A general penalty: records 100 - 20 = 80, 32 + 30 + 24 =
// 86, AA again. Entity B (3431, machinery model, four levels A-D): 50 +
// 75×0.25 + 80×0.25 = 88.75, A.
func TestGradeModels(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		admin := adminCtx(env)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		bad := credit.DemoGradeModels()[0]
		bad.Levels[1].MinScore = 95
		_, err := svc.SaveGradeModel(admin, bad)
		wantCode(t, err, yserr.Invalid, "levels[1].min_score")
		_, err = svc.SaveGradeModel(sjj, credit.DemoGradeModels()[0])
		wantCode(t, err, yserr.Forbidden, "")
		saveDemoModels(t, svc, admin)

		g, err := svc.ModelGradeOf(sjj, a)
		fatal(t, err)
		if g.ModelCode != "trade" || g.Score != 88 || g.Level != "AA" || g.LevelZH != "诚信良好" || len(g.Breakdown) != 3 || g.Breakdown[1].Source != "default" {
			t.Fatalf("defaults: %+v", g)
		}
		_, err = svc.RecordInput(sjj, credit.GradeInput{EntityID: a, Indicator: "inspection_result", Value: 120, Source: "inspect", Reason: "x"})
		wantCode(t, err, yserr.Invalid, "value")
		_, err = svc.RecordInput(sjj, credit.GradeInput{EntityID: a, Indicator: "tax_points", Value: 50, Source: "inspect", Reason: "x"})
		wantCode(t, err, yserr.Invalid, "indicator")
		_, err = svc.RecordInput(entCtx(env, a), credit.GradeInput{EntityID: a, Indicator: "inspection_result", Value: 100, Source: "inspect", Reason: "x"})
		wantCode(t, err, yserr.Forbidden, "")

		sys := auth.WithActor(context.Background(), auth.System("inspect"))
		g, err = svc.RecordInput(sys, credit.GradeInput{USCC: sitetest.USCCA, Indicator: "inspection_result", Value: 100, Source: "inspect", Reason: "双随机抽查未发现问题 XC-2026-0412"})
		fatal(t, err)
		if g.Score != 94 || g.Level != "AAA" {
			t.Fatalf("after the inspection input: %v %s", g.Score, g.Level)
		}
		line := g.Breakdown[1]
		if line.Weight != 30 || line.Share != 30 || line.Value != 100 || line.Points != 30 || line.Source != "inspect" || !strings.Contains(line.Reason, "XC-2026-0412") {
			t.Fatalf("breakdown line: %+v", line)
		}
		_, err = svc.Create(sjj, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		g, err = svc.ModelGradeOf(entCtx(env, a), a)
		fatal(t, err)
		if g.Score != 86 || g.Level != "AA" || g.Breakdown[0].Value != 80 {
			t.Fatalf("after a general penalty: %+v", g)
		}
		hist, err := svc.ModelGradeHistory(sjj, a)
		fatal(t, err)
		if len(hist) != 2 || hist[0].Level != "AA" || hist[0].Previous != "AAA" || hist[1].Level != "AAA" || hist[1].Previous != "" {
			t.Fatalf("history: %+v", hist)
		}
		// The enterprise sees its own grade only.
		_, err = svc.ModelGradeOf(entCtx(env, a), b)
		wantCode(t, err, yserr.NotFound, "")
		gb, err := svc.ModelGradeOf(sjj, b)
		fatal(t, err)
		if gb.ModelCode != "machinery" || gb.Score != 88.75 || gb.Level != "A" {
			t.Fatalf("machinery: %+v", gb)
		}
		// Changing a model regrades the entities graded under it: A's
		// records weight halves (20), contract 30 → 60 ... score =
		// 80×20/80 + 100×30/80 + 80×30/80 = 20 + 37.5 + 30 = 87.5.
		m := credit.DemoGradeModels()[0]
		m.Indicators[0].Weight = 20
		_, err = svc.SaveGradeModel(admin, m)
		fatal(t, err)
		g, err = svc.ModelGradeOf(sjj, a)
		fatal(t, err)
		if g.Score != 87.5 || g.Level != "AA" {
			t.Fatalf("after the model change: %v %s", g.Score, g.Level)
		}
		changes, err := svc.RuleHistory(sjj, credit.TableModels)
		fatal(t, err)
		if len(changes) != 3 {
			t.Fatalf("model changes in the history: %d", len(changes))
		}
	})
}

// TestScenesWithIncentives: item 10 on the demo scenes. A (grade A, model
// level AAA after an inspection input of 100) is granted a credit loan in
// financing, and both 容缺 acceptance (grade A) and priority handling
// (level AA or above) in approval; after a general penalty (grade B,
// level AA) financing still grants the loan and supervision grants
// nothing. Existing scenes keep working; a city's new scene is accepted.
func TestScenesWithIncentives(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		admin := adminCtx(env)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a := env.Entities[sitetest.USCCA]
		saveDemoModels(t, svc, admin)
		scenes, rules := credit.DemoScenes()
		for _, sc := range scenes {
			_, err := svc.SaveScene(admin, sc)
			fatal(t, err)
		}
		old, err := svc.SceneRules(admin)
		fatal(t, err)
		err = svc.SetSceneRules(admin, append(old, credit.SceneRule{Scene: "bond", Grades: "A", Outcome: credit.OutcomeIncentive, ReasonZH: "x", ReasonEN: "x"}))
		wantCode(t, err, yserr.Invalid, "rules["+strconv.Itoa(len(old))+"].measure")
		err = svc.SetSceneRules(admin, append(old, credit.SceneRule{Scene: "bond", Levels: "ZZZ", Outcome: credit.OutcomeDeny, ReasonZH: "x", ReasonEN: "x"}))
		wantCode(t, err, yserr.Invalid, "rules["+strconv.Itoa(len(old))+"].levels")
		fatal(t, svc.SetSceneRules(admin, append(old, rules...)))

		_, err = svc.RecordInput(sjj, credit.GradeInput{EntityID: a, Indicator: "inspection_result", Value: 100, Source: "inspect", Reason: "抽查合格"})
		fatal(t, err)
		check := func(scene string) *credit.CheckResult {
			t.Helper()
			res, err := svc.Check(sjj, credit.CheckInput{EntityID: a, Scene: scene, Purpose: "T-1"})
			fatal(t, err)
			return res
		}
		measures := func(r *credit.CheckResult) string {
			var m []string
			for _, i := range r.Incentives {
				m = append(m, i.Measure)
			}
			return strings.Join(m, ",")
		}
		if r := check("financing"); r.Result != credit.ResultPass || r.Grade != "A" || r.ModelLevel != "AAA" || measures(r) != "credit_loan" || !strings.Contains(r.Reasons[0].ZH, "守信激励") {
			t.Fatalf("financing: %+v", r)
		}
		if r := check("approval"); measures(r) != "missing_material,priority" {
			t.Fatalf("approval: %+v", r)
		}
		if r := check("supervision"); measures(r) != "inspection_exempt,fewer_inspections" {
			t.Fatalf("supervision: %+v", r)
		}
		_, err = svc.Create(sjj, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		if r := check("financing"); r.Grade != "B" || r.ModelLevel != "AA" || measures(r) != "credit_loan" {
			t.Fatalf("financing after the penalty: %+v", r)
		}
		if r := check("supervision"); r.Result != credit.ResultPass || len(r.Incentives) != 0 {
			t.Fatalf("supervision after the penalty: %+v", r)
		}
		if r := check("subsidy"); r.Result != credit.ResultPass {
			t.Fatalf("subsidy (policy's scene): %+v", r)
		}
		_, err = svc.Check(sjj, credit.CheckInput{EntityID: a, Scene: "tax_service", Purpose: "T-2"})
		wantCode(t, err, yserr.Invalid, "scene")
		_, err = svc.SaveScene(sjj, credit.Scene{Code: "tax_service", NameZH: "纳税服务", NameEN: "tax services"})
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.SaveScene(admin, credit.Scene{Code: "Tax Service", NameZH: "纳税服务"})
		wantCode(t, err, yserr.Invalid, "code")
		_, err = svc.SaveScene(admin, credit.Scene{Code: "tax_service", Seq: 10, NameZH: "纳税服务", NameEN: "tax services"})
		fatal(t, err)
		if r := check("tax_service"); r.Result != credit.ResultPass || credit.SceneLabel("tax_service", "zh") != "纳税服务" {
			t.Fatalf("new scene: %+v", r)
		}
		stats, err := svc.CheckStats(sjj)
		fatal(t, err)
		got := map[string]credit.SceneStats{}
		for _, s := range stats {
			got[s.Scene] = s
		}
		if got["financing"].Checks != 2 || got["financing"].Incentives != 2 || got["supervision"].Incentives != 1 || got["tax_service"].Checks != 1 || got["procurement"].Checks != 0 {
			t.Fatalf("stats: %+v", got)
		}
	})
}
