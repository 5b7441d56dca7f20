package credit_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
)

// Entity and department names come from their owners (entity, account)
// on every read path that shows them.
func TestNamesFromOwners(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		bg := context.Background()
		a := env.Entities[sitetest.USCCA]
		ent, err := svc.Entities.Ref(bg, a, "")
		fatal(t, err)
		dept, err := svc.Accounts.DepartmentName(bg, env.Depts["XC-SJJ"])
		fatal(t, err)
		if ent.Name == "" || dept == "" {
			t.Fatalf("fixture names %q %q", ent.Name, dept)
		}
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		r, err := svc.Create(sjj, penalty(a, "2026-01-10", "general"))
		fatal(t, err)
		if r.EntityName != ent.Name || r.USCC != sitetest.USCCA || r.DepartmentName != dept {
			t.Errorf("create: %q %q %q", r.EntityName, r.USCC, r.DepartmentName)
		}
		list, total, err := svc.List(sjj, credit.Filter{})
		fatal(t, err)
		if total != 1 || len(list) != 1 || list[0].EntityName != ent.Name || list[0].USCC != sitetest.USCCA || list[0].DepartmentName != dept {
			t.Errorf("list: %d %+v", total, list)
		}
		pub, err := svc.Public(bg, sitetest.USCCA)
		fatal(t, err)
		if len(pub.Records) != 1 || pub.Records[0].Department != dept {
			t.Errorf("public: %+v", pub.Records)
		}
		// Search by a name fragment finds the entity with its published count.
		frag := string([]rune(ent.Name)[len([]rune(ent.Name))-4:])
		hits, err := svc.PublicSearch(bg, frag)
		fatal(t, err)
		found := false
		for _, h := range hits {
			if h.USCC == sitetest.USCCA {
				found = h.Name == ent.Name && h.Published == 1
			}
		}
		if !found {
			t.Errorf("search %q: %+v", frag, hits)
		}
		var buf bytes.Buffer
		fatal(t, svc.Export(sjj, &buf, "csv", time.Time{}))
		if out := buf.String(); !strings.Contains(out, sitetest.USCCA+","+ent.Name+",") || !strings.Contains(out, ",XC-SJJ,"+dept+",") {
			t.Errorf("export:\n%s", out)
		}
		_, err = svc.Check(sjj, credit.CheckInput{EntityID: a, Scene: credit.Scenes[0], Purpose: "x"})
		fatal(t, err)
		checks, err := svc.RecentChecks(sjj, 10)
		fatal(t, err)
		if len(checks) != 1 || checks[0].USCC != sitetest.USCCA || checks[0].Entity != ent.Name {
			t.Errorf("checks: %+v", checks)
		}
		_, err = svc.Apply(entCtx(env, a), r.ID, credit.ApplyInput{Statement: "已整改", SignCommitment: true,
			Files: []credit.Upload{{Name: "receipt.pdf", Data: credit.NewPDF("receipt").Bytes()}}})
		fatal(t, err)
		reps, err := svc.Repairs(sjj, credit.RepairFilter{})
		fatal(t, err)
		if len(reps) != 1 || reps[0].EntityName != ent.Name {
			t.Errorf("repairs: %+v", reps)
		}
		p, err := svc.GetRepair(sjj, reps[0].ID)
		fatal(t, err)
		if p.EntityName != ent.Name {
			t.Errorf("repair: %+v", p)
		}
		cs, err := svc.Commitments(entCtx(env, a), "")
		fatal(t, err)
		if len(cs) == 0 || cs[0].EntityName != ent.Name {
			t.Errorf("commitments: %+v", cs)
		}
	})
}
