package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
	part := fs.Int("part", loadPart, "rows per import when the load needs several (an import file holds at most 1,048,575)")
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
		loaded, err := loadWith(ctx, es, have, *rows, *part)
		if err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Printf("# loaded %d entities by import in %s: %.0f rows/s (with the bigram index and audit events)\n", loaded, el.Round(time.Second), float64(loaded)/el.Seconds())
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

// loadPart is the default size of one import when a load needs several: an
// import file holds at most 1,048,575 rows (an Excel sheet's limit).
const loadPart = 1000000

// loadWith imports synthetic entities until the database holds rows of
// them. Up to per rows it is one all-or-nothing import; above, the rows
// are written as parts of per rows (credit codes unique across parts) and
// imported one after another, each part's rate printed, so the rate at
// each size of the table shows. A database that already holds a whole
// number of parts (an interrupted load) goes on with the next part; it
// returns how many rows it imported.
func loadWith(ctx context.Context, es *entity.Service, have int64, rows, per int) (int, error) {
	if rows <= per {
		if have > 0 {
			return 0, fmt.Errorf("the kept database has %d entities, fewer than -rows %d: use another -keep", have, rows)
		}
		path, err := makeFile(rows, "csv")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(filepath.Dir(path))
		return rows, importFile(ctx, es, path, rows)
	}
	if have%int64(per) != 0 {
		return 0, fmt.Errorf("the kept database has %d entities, not a whole number of %d-row parts: use another -keep", have, per)
	}
	dir, err := os.MkdirTemp("", "ys-bench-parts")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	var paths []string
	var files []*os.File
	err = entity.WriteSampleParts(rand.New(rand.NewPCG(1, 2)), rows, per, func(part int) (io.Writer, error) {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("entities-%03d.csv", part)))
		if err != nil {
			return nil, err
		}
		paths, files = append(paths, f.Name()), append(files, f)
		return f, nil
	})
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		return 0, err
	}
	loaded := 0
	for i, path := range paths {
		if int64((i+1)*per) <= have {
			continue // imported by an earlier, interrupted load
		}
		n := min(per, rows-i*per)
		start := time.Now()
		if err := importFile(ctx, es, path, n); err != nil {
			return loaded, fmt.Errorf("part %d: %w", i+1, err)
		}
		el := time.Since(start)
		loaded += n
		fmt.Printf("# part %d of %d: %d rows into a table of %d in %s: %.0f rows/s (load average %s)\n",
			i+1, len(paths), n, i*per, el.Round(time.Second), float64(n)/el.Seconds(), loadAvg())
	}
	return loaded, nil
}

// importFile imports one synthetic file of rows entities, all or nothing.
func importFile(ctx context.Context, es *entity.Service, path string, rows int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := es.Import(auth.WithActor(ctx, auth.System("bench")), f, "entities.csv", entity.ImportOptions{Mode: entity.ModeAllOrNothing})
	if err != nil {
		return err
	}
	if !rep.Committed || rep.Created != rows {
		return fmt.Errorf("load: committed=%v created=%d bad=%d", rep.Committed, rep.Created, rep.Bad)
	}
	return nil
}
