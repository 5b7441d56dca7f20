package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/policy"
	"yingshang/internal/secret"
)

func benchCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchService is a policy service on a fresh database with n entities,
// their 2025 facts and 100 published policies (the ten demo policies with
// ten thresholds each). The credit module is off: credit facts unknown.
func benchService(b *testing.B, e db.Dialect, n int) *policy.Service {
	ctx := auth.WithActor(context.Background(), auth.System("bench"))
	d := dbtest.New(b, e)
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		b.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	au := &audit.Log{DB: d, Clock: clk}
	svc := &policy.Service{DB: d, Audit: au, Clock: clk, Entities: &entity.Service{DB: d, Audit: au, Keys: keys, Clock: clk}}
	var dept int64
	if err := d.W(ctx).QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-FGW','许昌市发展和改革委员会','bureau',$1,$1) RETURNING id", clk.Now()).Scan(&dept); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	r := rand.New(rand.NewPCG(7, 8))
	industries := []string{"3431", "3741", "6513", "5191", "7320", "1810", "4411", "6420"}
	sizes := []string{"small", "micro", "medium", "large"}
	tags := []string{"", "", ",专精特新,", ",科技型中小企业,"}
	const batch = 400
	seen := map[string]bool{}
	code := func() string {
		for {
			c := ident.GenerateUSCC(r, "411002")
			if !seen[c] {
				seen[c] = true
				return c
			}
		}
	}
	err = d.WithTx(ctx, func(ctx context.Context) error {
		for start := 0; start < n; start += batch {
			var ph []string
			var args []any
			for i := start; i < min(n, start+batch); i++ {
				k := len(args)
				ph = append(ph, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+9))
				args = append(args, code(), fmt.Sprintf("企业%07d", i), industries[i%len(industries)], sizes[i%len(sizes)],
					"411002", fmt.Sprintf("%d-%02d-15", 2005+i%21, 1+i%12), "active", tags[i%len(tags)], clk.Now())
			}
			if _, err := d.Q(ctx).Exec(ctx, `INSERT INTO entities (uscc, name, industry_code, size_class, region_code, founded_on, status, tags, created_at, updated_at)
				VALUES `+strings.Join(ph, ", "), args...); err != nil {
				return err
			}
		}
		facts := []string{"revenue_wan", "rd_spending_wan", "graduates_hired", "insured_employees", "loan_interest_wan", "tax_paid_wan", "investment_wan"}
		for lo := 1; lo <= n; lo += batch / 2 {
			var ph []string
			var args []any
			for id := lo; id < min(n+1, lo+batch/2); id++ {
				for j, f := range facts[:2+id%5] {
					k := len(args)
					ph = append(ph, fmt.Sprintf("($%d, 2025, $%d, $%d, '', 'bench', $%d)", k+1, k+2, k+3, k+4))
					args = append(args, id, f, float64((id*31+j*17)%600), clk.Now())
				}
			}
			if _, err := d.Q(ctx).Exec(ctx, `INSERT INTO policy_facts (entity_id, year, fact, value_num, value_text, source, updated_at) VALUES `+strings.Join(ph, ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for i, dp := range policy.DemoPolicies(2025, "2026-01-01") {
		for k := range 10 {
			in := dp.Input
			in.DepartmentID = dept
			in.Title = fmt.Sprintf("%s（第%d档）", in.Title, k+1)
			// Shift the first numeric threshold so the hundred rules differ.
			in.Condition = json.RawMessage(strings.Replace(string(in.Condition), `"value":50}`, fmt.Sprintf(`"value":%d}`, 50+k*20), 1))
			p, err := svc.Create(ctx, in)
			if err != nil {
				b.Fatalf("policy %d/%d: %v", i, k, err)
			}
			if _, err := svc.Publish(ctx, p.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("fixture: %d entities, facts and 100 policies in %v", n, time.Since(t0).Round(time.Millisecond))
	return svc
}

// The full match of N entities against 100 policies ÷ streaming their
// facts is `go run ./tools/bench policy-match` (tools/bench/policy.go),
// which loads a million entities quickly and runs on both engines.

// BenchmarkCalculator: the calculator's latency with 100 policies (p50 and
// p99 over the run, answers and credit codes alternating).
func BenchmarkCalculator(b *testing.B) {
	svc := benchService(b, db.SQLite, 2000)
	anon := context.Background()
	r := rand.New(rand.NewPCG(1, 1))
	// Rules compile once per policy version, on first use: warm up first.
	if _, err := svc.Calculate(anon, policy.CalcInput{}); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		rd, emp := float64(r.IntN(500)), float64(r.IntN(300))
		in := policy.CalcInput{Answers: policy.Answers{Industry: []string{"C3431", "I6513", "F5191"}[r.IntN(3)], Size: "small", RDWan: &rd, Employees: &emp, FoundedYear: 2010 + r.IntN(16)}}
		t0 := time.Now()
		if _, err := svc.Calculate(anon, in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
