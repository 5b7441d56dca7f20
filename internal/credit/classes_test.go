package credit_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
)

// TestClassesReadsOnlyTheIDsAsked: Classes on both engines, for a short
// list (selected by id in SQL) and a long one (one scan of the grades): a
// stored grade wins over the facts, an entity without a stored grade gets
// the grade the rules give its facts (and one without facts the empty
// facts' grade), and grades of entities not asked for are not returned.
func TestClassesReadsOnlyTheIDsAsked(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		ctx, sys := context.Background(), sitetest.System()
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		third, err := env.App.Entities.Create(sys, entity.Input{USCC: ident.GenerateUSCC(rand.New(rand.NewPCG(7, 7)), "411002"), Name: "许昌三和商贸有限公司", Type: "有限责任公司",
			LegalRepName: "赵敏", LegalRepID: "41100219850312001X", RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2018-01-08",
			Phone: "13937450000", DepartmentID: env.Depts["WD-SJJ"]})
		fatal(t, err)
		others := []int64{third.ID}
		for _, id := range []int64{a, b} {
			_, err := svc.Create(sys, credit.Input{EntityID: id, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
				Content: credit.Content{DecisionNo: "许发改信用〔2026〕" + map[bool]string{true: "7", false: "8"}[id == a] + "号", DecidedOn: "2026-11-01", LegalBasis: "名单管理办法"}})
			fatal(t, err)
		}
		// A's stored grade is B (as if graded under earlier rules); B has
		// no stored grade; the other entity's stored grade is C.
		q := env.App.DB.W(ctx)
		_, err = q.Exec(ctx, "UPDATE credit_grades SET grade = 'B' WHERE entity_id = $1", a)
		fatal(t, err)
		_, err = q.Exec(ctx, "DELETE FROM credit_grades WHERE entity_id = $1", b)
		fatal(t, err)
		_, err = q.Exec(ctx, `INSERT INTO credit_grades (entity_id, grade, colour, explanation, computed_at) VALUES ($1, 'C', '', '{}', $2)
			ON CONFLICT (entity_id) DO UPDATE SET grade = 'C'`, others[0], env.Clock.Now())
		fatal(t, err)
		rules, err := svc.GradeRules(sys)
		fatal(t, err)
		empty, _, _ := credit.Evaluate(rules, credit.Facts{})

		const unknown = int64(1 << 40) // no such entity: no grade, no facts
		got, err := svc.Classes(ctx, []int64{a, b, unknown})
		fatal(t, err)
		if len(got) != 3 || got[a] != "B" || got[b] != "D" || got[unknown] != empty {
			t.Fatalf("classes: %v (want %d:B %d:D %d:%s)", got, a, b, unknown, empty)
		}
		if _, ok := got[others[0]]; ok {
			t.Fatalf("a grade not asked for is returned: %v", got)
		}
		got, err = svc.Classes(ctx, others[:1])
		fatal(t, err)
		if len(got) != 1 || got[others[0]] != "C" {
			t.Fatalf("classes of %d: %v", others[0], got)
		}
		if got, err = svc.Classes(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no ids: %v %v", got, err)
		}
		// 70,000 ids: the scan, with the same answers.
		ids := []int64{a, b}
		for i := int64(1); len(ids) < 70000; i++ {
			ids = append(ids, unknown+i)
		}
		got, err = svc.Classes(ctx, ids)
		fatal(t, err)
		if _, ok := got[others[0]]; len(got) != len(ids) || got[a] != "B" || got[b] != "D" || got[unknown+69997] != empty || ok {
			t.Fatalf("70,000 ids: %d classes, a %s, b %s", len(got), got[a], got[b])
		}
	})
}
