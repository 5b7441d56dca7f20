package credit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
)

// pageRows is more than one list page (the lists stop at 500 rows).
const pageRows = 520

// bulkInsert adds n rows with one multi-row INSERT per 100 rows.
func bulkInsert(t *testing.T, ctx context.Context, env *sitetest.Env, head string, n int, row func(i int) []any) {
	t.Helper()
	for start := 0; start < n; start += 100 {
		var vals []string
		var args []any
		for i := start; i < min(n, start+100); i++ {
			r := row(i)
			ph := make([]string, len(r))
			for j := range r {
				args = append(args, r[j])
				ph[j] = fmt.Sprintf("$%d", len(args))
			}
			vals = append(vals, "("+strings.Join(ph, ", ")+")")
		}
		if _, err := env.App.DB.W(ctx).Exec(ctx, head+" VALUES "+strings.Join(vals, ", "), args...); err != nil {
			t.Fatal(err)
		}
	}
}

// Staff see their department's commitments and repair applications even
// when more than a page of other departments' rows sort before them: the
// scope is part of the query, not a filter after LIMIT.
func TestListsScopeBeforeTheLimit(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		ctx := context.Background()
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		sjj, swj := env.Depts["XC-SJJ"], env.Depts["XC-SWJ"]
		now := env.Clock.Now()

		// Commitments: two for 市监局 due last, a page and more for 商务局 due first.
		for _, due := range []string{"2027-06-01", "2027-06-02"} {
			_, err := svc.Sign(entCtx(env, a), credit.CommitmentInput{DepartmentID: sjj, Kind: "missing_material", Process: "许可变更", Text: "补交材料", DeadlineOn: due})
			fatal(t, err)
		}
		bulkInsert(t, ctx, env, "INSERT INTO credit_commitments (entity_id, department_id, kind, process, text, deadline_on, status, signed_at)", pageRows,
			func(i int) []any { return []any{b, swj, "other", "", "承诺", "2027-01-01", "open", now} })
		list, err := svc.Commitments(staffCtx(env, "sjj-staff", "XC-SJJ"), "open")
		fatal(t, err)
		if len(list) != 2 || list[0].DepartmentID != sjj || list[1].DepartmentID != sjj {
			t.Fatalf("市监局 staff see %d commitments, want their 2", len(list))
		}
		list, err = svc.Commitments(entCtx(env, a), "")
		fatal(t, err)
		if len(list) != 2 || list[0].EntityID != a {
			t.Fatalf("the enterprise sees %d commitments, want its 2", len(list))
		}
		list, err = svc.Commitments(staffCtx(env, "swj-staff", "XC-SWJ"), "open")
		fatal(t, err)
		if len(list) != 500 || list[0].DepartmentID != swj {
			t.Fatalf("商务局 staff see %d commitments, want a full page", len(list))
		}

		// Repairs: one application at 市监局, then a page and more at 商务局
		// with newer ids (the list is newest first).
		r, err := svc.Create(staffCtx(env, "sjj-staff", "XC-SJJ"), penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		env.Clock.Set(time.Date(2027, 2, 22, 2, 0, 0, 0, time.UTC))
		proof := []credit.Upload{{Name: "receipt.pdf", Data: credit.NewPDF("receipt").Bytes()}}
		p, err := svc.Apply(entCtx(env, a), r.ID, credit.ApplyInput{Statement: "罚款已缴清", SignCommitment: true, Files: proof})
		fatal(t, err)
		bulkInsert(t, ctx, env, "INSERT INTO credit_repairs (record_id, entity_id, department_id, status, statement, commitment_id, created_at, updated_at)", pageRows,
			func(i int) []any { return []any{r.ID, b, swj, "submitted", "x", p.CommitmentID, now, now} })
		repairs, err := svc.Repairs(staffCtx(env, "sjj-staff", "XC-SJJ"), credit.RepairFilter{})
		fatal(t, err)
		if len(repairs) != 1 || repairs[0].ID != p.ID {
			t.Fatalf("市监局 staff see %d applications, want their 1", len(repairs))
		}
		repairs, err = svc.Repairs(entCtx(env, a), credit.RepairFilter{})
		fatal(t, err)
		if len(repairs) != 1 || repairs[0].ID != p.ID {
			t.Fatalf("the enterprise sees %d applications, want its 1", len(repairs))
		}
		repairs, err = svc.Repairs(sitetest.System(), credit.RepairFilter{Status: credit.RepairSubmitted})
		fatal(t, err)
		if len(repairs) != 500 {
			t.Fatalf("the platform sees %d applications, want a full page", len(repairs))
		}
	})
}
