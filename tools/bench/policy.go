package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"yingshang/internal/app"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
	"yingshang/internal/secret"
)

// policy-match: a full match of every entity against 100 published
// policies (Service.MatchPolicies: one pass over the registry and the
// yearly facts, every rule evaluated per entity) ÷ streaming the same
// entities' facts with no evaluation (Service.EachFacts), interleaved
// A B A B. Issue 14's target: at most 2 at 1,000,000 entities on both
// engines.
//
//	go run ./tools/bench policy-match -engine both -entities 1000000 [-keep FILE|DBNAME]
//
// The fixture is loaded with multi-row INSERTs (about 7,000 entities per
// statement on PostgreSQL, 220 on SQLite) in one transaction. The 100
// policies (the ten demo policies with ten thresholds each) are published
// before the entities are loaded, so publishing pushes to nobody and the
// load is only the rows.
func init() {
	Register(&Target{Name: "policy-match", Summary: "full match of N entities against 100 policies ÷ streaming their facts (issue 14, target ≤ 2)",
		Smoke: []string{"-entities", "300"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			n := fs.Int("entities", 100_000, "entities (with yearly facts)")
			keep := fs.String("keep", "", "keep the database between runs: a SQLite file path or a PostgreSQL database name")
			return func(r *Run) error { return benchPolicyMatch(r, *n, *keep) }
		}})
}

func benchPolicyMatch(r *Run, n int, keep string) error {
	ctx := auth.WithActor(r.Ctx, auth.System("bench"))
	d, cleanup, err := keptDB(r.Ctx, r.Engine, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	if _, err := d.Migrate(ctx, time.Now(), append(app.CoreSchema(), policy.Schema)); err != nil {
		return err
	}
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		return err
	}
	clk := clock.NewFixed(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	au := &audit.Log{DB: d, Clock: clk}
	svc := &policy.Service{DB: d, Audit: au, Clock: clk, Entities: &entity.Service{DB: d, Audit: au, Keys: keys, Clock: clk}}

	var have, live int
	if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities").Scan(&have); err != nil {
		return err
	}
	if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM policy_policies WHERE status = 'published'").Scan(&live); err != nil {
		return err
	}
	t0 := time.Now()
	if live == 0 {
		if have > 0 {
			return fmt.Errorf("the kept database has entities but no policies: use another -keep")
		}
		if err := benchPolicies(ctx, d, svc); err != nil {
			return err
		}
	}
	if have == 0 {
		if err := loadPolicyFixture(ctx, d, n); err != nil {
			return err
		}
		have = n
		if d.Dialect == db.Postgres {
			_, err = d.W(ctx).Exec(ctx, "ANALYZE")
		} else {
			_, err = d.W(ctx).Exec(ctx, "PRAGMA optimize")
		}
		if err != nil {
			return err
		}
		el := time.Since(t0)
		fmt.Fprintf(r.Out, "fixture: %d entities with yearly facts and 100 published policies loaded in %s (%.0f entities/s)\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	} else if have != n {
		return fmt.Errorf("the kept database has %d entities, not -entities %d: use another -keep", have, n)
	}
	fmt.Fprintf(r.Out, "sizes: %d entities, 100 policies, %d rounds (A B A B)\n", have, r.Rounds)

	var matched int
	match := func(int) (Measure, error) {
		t := time.Now()
		counts, entities, err := svc.MatchPolicies(ctx, nil)
		if err != nil {
			return Measure{}, err
		}
		if entities != have || len(counts) != 100 {
			return Measure{}, fmt.Errorf("matched over %d entities and %d policies, want %d and 100", entities, len(counts), have)
		}
		matched = 0
		for _, c := range counts {
			matched += c.Matched
		}
		return Measure{Label: "full match (100 policies)", Ops: 1, Time: time.Since(t)}, nil
	}
	stream := func(int) (Measure, error) {
		t := time.Now()
		seen := 0
		if err := svc.EachFacts(ctx, 2025, false, func(*rules.Facts) error { seen++; return nil }); err != nil {
			return Measure{}, err
		}
		if seen != have {
			return Measure{}, fmt.Errorf("streamed %d entities, want %d", seen, have)
		}
		return Measure{Label: "stream the facts (baseline)", Ops: 1, Time: time.Since(t)}, nil
	}
	a, b, err := Interleave(r.Rounds, match, stream)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "matches: %d (entity × policy pairs eligible)\n", matched)
	PrintTimes(r.Out, a, b)
	return nil
}

// benchPolicies creates and publishes the hundred policies: the ten demo
// policies, each with ten thresholds.
func benchPolicies(ctx context.Context, d *db.DB, svc *policy.Service) error {
	var dept int64
	now := time.Now().UTC()
	if err := d.W(ctx).QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-FGW','许昌市发展和改革委员会','bureau',$1,$1) RETURNING id", now).Scan(&dept); err != nil {
		return err
	}
	for i, dp := range policy.DemoPolicies(2025, "2026-01-01") {
		for k := range 10 {
			in := dp.Input
			in.DepartmentID = dept
			in.Title = fmt.Sprintf("%s（第%d档）", in.Title, k+1)
			in.Condition = json.RawMessage(strings.Replace(string(in.Condition), `"value":50}`, fmt.Sprintf(`"value":%d}`, 50+k*20), 1))
			p, err := svc.Create(ctx, in)
			if err != nil {
				return fmt.Errorf("policy %d/%d: %w", i, k, err)
			}
			if _, err := svc.Publish(ctx, p.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadPolicyFixture inserts n entities (industries, sizes, founding dates,
// tags in a fixed cycle) and their 2025 facts (two to six numbers each),
// with multi-row INSERTs in one transaction. Ids run 1..n on a fresh
// database.
func loadPolicyFixture(ctx context.Context, d *db.DB, n int) error {
	industries := []string{"3431", "3741", "6513", "5191", "7320", "1810", "4411", "6420"}
	sizes := []string{"small", "micro", "medium", "large"}
	tags := []string{"", "", ",专精特新,", ",科技型中小企业,"}
	facts := []string{"revenue_wan", "rd_spending_wan", "graduates_hired", "insured_employees", "loan_interest_wan", "tax_paid_wan", "investment_wan"}
	// Parameters per statement: PostgreSQL allows 65,535. On SQLite the
	// driver binds each numbered parameter by name, a linear search, so a
	// statement's cost grows with the square of its parameters: about
	// 2,000 is the sweet spot.
	maxParams := 2_000
	if d.Dialect == db.Postgres {
		maxParams = 65_000
	}
	now := time.Now().UTC()
	var first int64
	return d.WithTx(ctx, func(ctx context.Context) error {
		per := maxParams / 9
		var sb strings.Builder
		for start := 0; start < n; start += per {
			sb.Reset()
			sb.WriteString(`INSERT INTO entities (uscc, name, industry_code, size_class, region_code, founded_on, status, tags, created_at, updated_at) VALUES `)
			args := make([]any, 0, 9*per)
			for i := start; i < min(n, start+per); i++ {
				k := len(args)
				if i > start {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+9)
				// A unique 18-character code; the check digit is not
				// verified on the read path the benchmark measures.
				args = append(args, fmt.Sprintf("91411002%010d", i), fmt.Sprintf("企业%07d", i), industries[i%len(industries)], sizes[i%len(sizes)],
					"411002", fmt.Sprintf("%d-%02d-15", 2005+i%21, 1+i%12), "active", tags[i%len(tags)], now)
			}
			if _, err := d.Q(ctx).Exec(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		if err := d.Q(ctx).QueryRow(ctx, "SELECT MIN(id) FROM entities").Scan(&first); err != nil {
			return err
		}
		per = maxParams / 4
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			sb.Reset()
			sb.WriteString(`INSERT INTO policy_facts (entity_id, year, fact, value_num, value_text, source, updated_at) VALUES `)
			for k := 0; k < len(args); k += 4 {
				if k > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "($%d, 2025, $%d, $%d, '', 'bench', $%d)", k+1, k+2, k+3, k+4)
			}
			_, err := d.Q(ctx).Exec(ctx, sb.String(), args...)
			args = args[:0]
			return err
		}
		for i := 0; i < n; i++ {
			id := first + int64(i)
			for j, f := range facts[:2+i%5] {
				args = append(args, id, f, float64((i*31+j*17)%600), now)
			}
			if len(args)+4*len(facts) > 4*per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}
