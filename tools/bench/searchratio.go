package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/entity"
)

func init() { scalebCommands["search-scale"] = benchSearchScale }

// benchSearchScale: entity search (a page of 20 and the total, bounded
// count and estimate) against the baseline, the exact COUNT(*) of the same
// filter by plain conditions plus the same page, interleaved A B A B.
//
//	go run ./tools/bench search-scale -engine postgres -rows 1000000 -queries 200 -keep ys_search_1m
func benchSearchScale(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search-scale", flag.ExitOnError)
	var c commonFlags
	c.register(fs)
	rows := fs.Int("rows", 100000, "entities (loaded by an import when the database has fewer)")
	n := fs.Int("queries", 200, "searches per kind")
	every := fs.Int("baseline-every", 4, "run the baseline after every k-th search")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the searches (after any load) to this file")
	_ = fs.Parse(args)
	d, cleanup, err := keptDB(ctx, db.Dialect(c.engine), c.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	es, err := keptServices(d)
	if err != nil {
		return err
	}
	sys := auth.WithActor(ctx, auth.System("bench"))
	have, err := es.CountAll(sys)
	if err != nil {
		return err
	}
	scalebHeader("entity search at scale (issue 17)")
	if have < int64(*rows) {
		start := time.Now()
		if have > 0 {
			return fmt.Errorf("the kept database has %d entities, fewer than -rows %d: use another -keep", have, *rows)
		}
		if err := loadWith(ctx, es, *rows); err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Printf("# loaded %d entities by one import in %s: %.0f rows/s (with the bigram index and audit events)\n", *rows, el.Round(time.Second), float64(*rows)/el.Seconds())
		have = int64(*rows)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	how, err := es.EnsureSearchIndex(ctx)
	if err != nil {
		return err
	}
	if d.Dialect == db.Postgres {
		if _, err := d.W(ctx).Exec(ctx, "ANALYZE"); err != nil {
			return err
		}
	} else if _, err := d.W(ctx).Exec(ctx, "PRAGMA optimize"); err != nil {
		return err
	}
	fmt.Printf("# engine %s, %d entities, name index %s, count bound %d, %d searches per kind, baseline every %d\n",
		d.Dialect, have, how, entity.DefaultCountBound, *n, *every)
	fmt.Println("| kind | engine | entities | p50 | p99 | baseline p50 | baseline p99 | p99 ÷ baseline p99 | estimated | estimate error (mean, max) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	r := rand.New(rand.NewPCG(3, 4))
	two := []string{"瑞丰", "商贸", "机械", "许昌", "建安", "餐馆", "科技", "农业", "恒达", "鑫源", "物流", "服装"}
	four := []string{"瑞丰商贸", "恒达物流", "机械制造", "餐饮管理", "许昌市魏", "鑫源科技", "建筑工程", "美容美发", "专业合作", "魏都区王"}
	regions := []string{"411002", "411003", "411081", "411082", "411024", "411025", "411000"}
	industries := []string{"C", "F", "51", "52", "5191", "3431", "I", "H62"}
	kinds := []struct {
		label string
		mk    func() entity.Filter
	}{
		{"2-character name fragment", func() entity.Filter { return entity.Filter{Q: two[r.IntN(len(two))]} }},
		{"4-character name fragment", func() entity.Filter { return entity.Filter{Q: four[r.IntN(len(four))]} }},
		{"region + industry", func() entity.Filter {
			return entity.Filter{Region: regions[r.IntN(len(regions))], Industry: industries[r.IntN(len(industries))]}
		}},
	}
	for _, k := range kinds {
		var a, b []time.Duration
		var estimated int
		var errSum, errMax float64
		for i := 0; i < *n; i++ {
			f := k.mk()
			f.PerPage = 20
			t0 := time.Now()
			res, err := es.SearchPage(sys, f)
			if err != nil {
				return err
			}
			a = append(a, time.Since(t0))
			if i%*every != 0 {
				continue
			}
			t0 = time.Now()
			exact, err := es.CountExact(sys, f)
			if err != nil {
				return err
			}
			if _, _, err := es.Search(sys, entity.Filter{Q: f.Q, Region: f.Region, Industry: f.Industry, PerPage: 20}); err != nil {
				return err
			}
			b = append(b, time.Since(t0))
			if res.Estimated {
				estimated++
				e := float64(res.Total-exact) / float64(exact)
				errSum += max(e, -e)
				errMax = max(errMax, e, -e)
			} else if res.Total != exact {
				return fmt.Errorf("%+v: exact total %d, baseline %d", f, res.Total, exact)
			}
		}
		meanErr := 0.0
		if estimated > 0 {
			meanErr = errSum / float64(estimated)
		}
		pa, pb := percentile(a, .99), percentile(b, .99)
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %s | %.3f | %d of %d | %.1f%%, %.1f%% |\n", k.label, d.Dialect, have,
			ms(percentile(a, .5)), ms(pa), ms(percentile(b, .5)), ms(pb), float64(pa)/float64(pb), estimated, len(b), 100*meanErr, 100*errMax)
	}
	return nil
}

// loadWith imports rows synthetic entities (one all-or-nothing import).
func loadWith(ctx context.Context, es *entity.Service, rows int) error {
	path, err := makeFile(rows, "csv")
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(path))
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := es.Import(auth.WithActor(ctx, auth.System("bench")), f, "entities.csv", entity.ImportOptions{Mode: entity.ModeAllOrNothing})
	if err != nil {
		return err
	}
	if !rep.Committed {
		return fmt.Errorf("load: %d bad rows", rep.Bad)
	}
	return nil
}
