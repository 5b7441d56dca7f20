package entity

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/refdata"
)

func TestBigrams(t *testing.T) {
	for name, want := range map[string][]string{
		"":       nil,
		"瑞":      nil,
		"瑞丰":     {"瑞丰"},
		"瑞丰瑞丰":   {"瑞丰", "丰瑞"},
		"A公司 B":  {"A公", "公司", "司 ", " B"},
		"100%物流": {"10", "00", "0%", "%物", "物流"},
	} {
		if got := bigrams(name); !slices.Equal(got, want) {
			t.Errorf("bigrams(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestRoundSig(t *testing.T) {
	for n, want := range map[int64]int64{0: 0, 7: 7, 68: 68, 684: 680, 685: 690, 68417: 68000, 995: 1000, 1_049_999: 1_000_000} {
		if got := roundSig(n, 2); got != want {
			t.Errorf("roundSig(%d) = %d, want %d", n, got, want)
		}
	}
}

// scaleRow is what the reference filter in Go needs of an entity.
type scaleRow struct {
	id                             int64
	name, region, industry, status string
}

// goMatch is the straightforward filter, in Go: name substring, region
// and industry hierarchy, status.
func goMatch(r scaleRow, f Filter) bool {
	if f.Q != "" && !strings.Contains(r.name, f.Q) {
		return false
	}
	if f.Region != "" {
		reg, _ := refdata.Region(f.Region)
		switch reg.Level {
		case refdata.LevelProvince:
			if !strings.HasPrefix(r.region, f.Region[:2]) {
				return false
			}
		case refdata.LevelCity:
			if !strings.HasPrefix(r.region, f.Region[:4]) {
				return false
			}
		default:
			if r.region != f.Region {
				return false
			}
		}
	}
	if f.Industry != "" {
		in, _ := refdata.Industry(f.Industry)
		if in.Level == refdata.IndustrySection {
			ok := r.industry == in.Code
			for _, d := range refdata.IndustryChildren(in.Code) {
				ok = ok || strings.HasPrefix(r.industry, d.Code)
			}
			if !ok {
				return false
			}
		} else if !strings.HasPrefix(r.industry, in.Code) {
			return false
		}
	}
	return f.Status == "" || string(f.Status) == r.status
}

// randomFragment is a substring of n characters of a random stored name.
func randomFragment(r *rand.Rand, rows []scaleRow, n int) string {
	for {
		name := []rune(rows[r.IntN(len(rows))].name)
		if len(name) >= n {
			i := r.IntN(len(name) - n + 1)
			return string(name[i : i+n])
		}
	}
}

// TestSearchBoundedEquality: on random data, every search's page equals
// the straightforward filter's, its total equals the exact count up to
// the bound and is marked an estimate (of the right size) beyond it; the
// bigram index equals the names' fragments after imports, edits and
// renames.
func TestSearchBoundedEquality(t *testing.T) {
	saved, savedMargin := estimateSample, walkMargin
	estimateSample = 480 // 16 runs of 30 ids: the sampling path on a small table
	// A window where a page is just expected: walkPage finds it in about
	// half of the dense searches and falls back to the usual page in the
	// others (SQLite).
	walkMargin = 1
	t.Cleanup(func() { estimateSample, walkMargin = saved, savedMargin })
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		fx.loadIndexed(t, ctx, 7, 8, 2400)
		// A rename and a new entity go through Update and Create.
		first, _, err := fx.s.Search(ctx, Filter{Sort: "id", PerPage: 1})
		if err != nil || len(first) != 1 {
			t.Fatal(err)
		}
		in := mustInput(t, fx, first[0].ID)
		in.Name = "许昌市建安区瑞丰新材料科技有限公司"
		if _, err := fx.s.Update(ctx, first[0].ID, in); err != nil {
			t.Fatal(err)
		}
		checkBigramIndex(t, d)

		rows := readScaleRows(t, d)
		slices.SortFunc(rows, func(a, b scaleRow) int { return int(b.id - a.id) })

		fx.s.CountBound = 60
		r := rand.New(rand.NewPCG(9, 10))
		regions := []string{"", "", "411000", "411002", "411081", "410000", "411024"}
		industries := []string{"", "", "C", "F", "51", "5132", "I", "A"}
		statuses := []Status{"", "", "", StatusActive, StatusOperating}
		estimates := 0
		for i := range 160 {
			f := Filter{Region: regions[r.IntN(len(regions))], Industry: industries[r.IntN(len(industries))], Status: statuses[r.IntN(len(statuses))]}
			switch i % 5 {
			case 0, 1:
				f.Q = randomFragment(r, rows, 2)
			case 2:
				f.Q = randomFragment(r, rows, 4)
			case 3:
				f.Q = randomFragment(r, rows, 1)
			}
			var want []int64
			for _, row := range rows {
				if goMatch(row, f) {
					want = append(want, row.id)
				}
			}
			exact, err := fx.s.CountExact(supervisor(), f)
			if err != nil {
				t.Fatal(err)
			}
			if exact != int64(len(want)) {
				t.Fatalf("%+v: CountExact %d, Go filter %d", f, exact, len(want))
			}
			res, err := fx.s.SearchPage(supervisor(), f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			var got []int64
			for _, e := range res.Items {
				got = append(got, e.ID)
			}
			if w := want[:min(len(want), DefaultPerPage)]; !slices.Equal(got, w) {
				t.Errorf("%+v: page %v, want %v", f, got, w)
			}
			switch {
			case exact <= 60:
				if res.Estimated || res.Total != exact {
					t.Errorf("%+v: total %d (estimated %v), want exactly %d", f, res.Total, res.Estimated, exact)
				}
			default:
				estimates++
				if !res.Estimated || res.Total <= 60 || res.Total < exact/2 || res.Total > exact*2 {
					t.Errorf("%+v: total %d (estimated %v), exact %d", f, res.Total, res.Estimated, exact)
				}
			}
		}
		if estimates < 20 {
			t.Errorf("only %d searches beyond the bound: the test does not exercise the estimate", estimates)
		}
	})
}

func mustInput(t *testing.T, fx *fixture, id int64) Input {
	t.Helper()
	st, err := fx.s.load(fx.admin(), "id = $1", id)
	if err != nil {
		t.Fatal(err)
	}
	in, err := fx.s.input(st)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// checkBigramIndex compares entity_name_bigrams with the fragments that
// the migration's SQL computes from the names.
func checkBigramIndex(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	read := func(sql string) []string {
		rows, err := d.Q(ctx).Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var g string
			var id int64
			if err := rows.Scan(&g, &id); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(g, "|", id))
		}
		slices.Sort(out)
		return out
	}
	got := read("SELECT bigram, entity_id FROM entity_name_bigrams")
	want := read(`WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < 1000)
		SELECT DISTINCT substr(e.name, pos.i, 2), e.id FROM entities e JOIN pos ON pos.i < length(e.name)`)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("bigram index has %d entries, the names %d", len(got), len(want))
	}
}

// TestEstimateOneStatement: the estimate's one statement over all runs
// (reading names, or the bigram / FTS5 index's entries in the runs)
// counts what the runs hold, by the straightforward filter in Go: every
// entity whose id falls in one of the 16 runs and that matches, scaled the
// same way (random data and filters, both engines).
func TestEstimateOneStatement(t *testing.T) {
	saved := estimateSample
	estimateSample = 480
	t.Cleanup(func() { estimateSample = saved })
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		fx.loadIndexed(t, ctx, 11, 12, 1500)
		rows := readScaleRows(t, d)
		lo, hi := rows[0].id, rows[0].id
		for _, r := range rows {
			lo, hi = min(lo, r.id), max(hi, r.id)
		}
		span := hi - lo + 1
		width, step := estimateSample/estimateStrata, span/estimateStrata
		inRun := func(id int64) bool {
			k := (id - lo) / step
			return k < estimateStrata && id-lo-k*step < width
		}
		r := rand.New(rand.NewPCG(13, 14))
		regions := []string{"", "", "411000", "411002", "411081", "410000"}
		industries := []string{"", "", "C", "F", "51", "I"}
		statuses := []Status{"", "", StatusActive}
		nonzero := 0
		for i := range 90 {
			f := Filter{Region: regions[r.IntN(len(regions))], Industry: industries[r.IntN(len(industries))], Status: statuses[r.IntN(len(statuses))]}
			if i%4 != 0 {
				// 1 character: names scanned; 2: the bigram index; 4: the
				// FTS5 table (SQLite) or scanned (PostgreSQL).
				f.Q = randomFragment(r, rows, []int{1, 2, 4}[i%3])
			}
			var hits int64
			for _, row := range rows {
				if inRun(row.id) && goMatch(row, f) {
					hits++
				}
			}
			if hits > 0 {
				nonzero++
			}
			want := max(roundSig(hits*span/(width*estimateStrata), estimateSigDigs), 1)
			got, err := fx.s.estimate(supervisor(), f, 0)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if got != want {
				t.Errorf("%+v: estimate %d, want %d (%d hits in the runs)", f, got, want, hits)
			}
		}
		if nonzero < 30 {
			t.Errorf("only %d filters with matches in the sample", nonzero)
		}
	})
}

// readScaleRows reads every entity's id, name, region, industry and status.
func readScaleRows(t *testing.T, d *db.DB) []scaleRow {
	t.Helper()
	ctx := context.Background()
	dbRows, err := d.Q(ctx).Query(ctx, "SELECT id, name, region_code, industry_code, status FROM entities")
	if err != nil {
		t.Fatal(err)
	}
	defer dbRows.Close()
	var rows []scaleRow
	for dbRows.Next() {
		var r scaleRow
		if err := dbRows.Scan(&r.id, &r.name, &r.region, &r.industry, &r.status); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if err := dbRows.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSearchWalksEquality: the pages and totals of the searches that walk
// an index in id order equal the straightforward filter's, on random data
// and both engines: a fragment of 3-5 characters alone (on PostgreSQL the
// entries of its rarest bigram, each name tested by LIKE), and region and
// industry beyond the count bound (on PostgreSQL the primary key walked
// in a fenced subquery, or with walkRows 1 the usual plan), region and
// industry (sections: counted arm by arm) within the bound (on PostgreSQL
// a window of the primary key, found wide enough or not, or the usual
// plan), ascending and descending, first and later pages.
func TestSearchWalksEquality(t *testing.T) {
	saved, savedRows, savedDense, savedMargin := estimateSample, walkRows, walkDense, walkMargin
	estimateSample = 480
	t.Cleanup(func() { estimateSample, walkRows, walkDense, walkMargin = saved, savedRows, savedDense, savedMargin })
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		fx.loadIndexed(t, ctx, 15, 16, 2400)
		rows := readScaleRows(t, d)
		slices.SortFunc(rows, func(a, b scaleRow) int { return int(a.id - b.id) })
		fx.s.CountBound = 60
		r := rand.New(rand.NewPCG(17, 18))
		regions := []string{"411000", "411002", "411081", "410000", "411024"}
		industries := []string{"", "C", "F", "51", "I", "G", "5132"}
		lo, hi := rows[0].id, rows[len(rows)-1].id
		driven, walked, windowed, armed := 0, 0, 0, 0
		for i := range 200 {
			var f Filter
			switch i % 4 {
			case 0, 1:
				f.Q = randomFragment(r, rows, 3+r.IntN(3))
				if i%8 == 1 {
					f.Q = []string{"有限公司", "市魏都", "许昌市", "专业合作社", "%公司", "商贸有"}[r.IntN(6)]
				}
			default:
				f.Region, f.Industry = regions[r.IntN(len(regions))], industries[r.IntN(len(industries))]
			}
			f.Sort = []string{"id", "-id"}[r.IntN(2)]
			f.Page, f.PerPage = 1+r.IntN(3), 10
			walkRows = []int64{50000, 1}[r.IntN(2)]
			// walkDense 1000: the window also for sparse matches; walkMargin
			// 1: a window where the page is just expected, often too narrow.
			walkDense, walkMargin = []int64{4, 1000}[r.IntN(2)], []int64{4, 1}[r.IntN(2)]
			var want []int64
			for _, row := range rows {
				if goMatch(row, f) {
					want = append(want, row.id)
				}
			}
			if f.Sort == "-id" {
				slices.Reverse(want)
			}
			exact := int64(len(want))
			want = want[min(len(want), (f.Page-1)*10):min(len(want), f.Page*10)]
			if _, q, err := fx.s.filterQuery(supervisor(), f, textIndex); err != nil {
				t.Fatal(err)
			} else if q.base != "" {
				driven++
			} else if strings.Contains(q.countSQL("", 61), " + ") {
				armed++
			}
			res, err := fx.s.SearchPage(supervisor(), f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if res.Estimated && f.Q == "" && walkRows > 1 {
				walked++
			}
			if !res.Estimated && f.Q == "" && exact > int64((f.Page-1)*10) && windowReach(exact, (f.Page-1)*10, 10, lo, hi) > 0 {
				windowed++
			}
			var got []int64
			for _, e := range res.Items {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v: page %v, want %v", f, got, want)
			}
			if exact <= 60 && (res.Estimated || res.Total != exact) ||
				exact > 60 && (!res.Estimated || res.Total <= 60 || res.Total < exact/2 || res.Total > exact*2) {
				t.Errorf("%+v: total %d (estimated %v), exact %d", f, res.Total, res.Estimated, exact)
			}
		}
		if d.Dialect == db.Postgres && driven < 80 {
			t.Errorf("only %d of 100 fragments searched through a bigram's entries", driven)
		}
		t.Logf("%d driven, %d walked, %d windowed, %d armed", driven, walked, windowed, armed)
		if walked < 10 {
			t.Errorf("only %d region and industry searches beyond the bound walked", walked)
		}
		if d.Dialect == db.Postgres && windowed < 5 {
			t.Errorf("only %d region and industry searches within the bound read a window", windowed)
		}
		if armed < 10 {
			t.Errorf("only %d industry sections counted arm by arm", armed)
		}
	})
}

// loadIndexed imports n sample entities (seeds a, b) all or nothing and
// builds the name search index.
func (fx *fixture) loadIndexed(t *testing.T, ctx context.Context, a, b uint64, n int) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSample(&buf, FormatCSV, rand.New(rand.NewPCG(a, b)), n); err != nil {
		t.Fatal(err)
	}
	if rep, err := fx.s.Import(ctx, bytes.NewReader(buf.Bytes()), "e.csv", ImportOptions{Mode: ModeAllOrNothing}); err != nil || !rep.Committed {
		t.Fatalf("import: %v %+v", err, rep)
	}
	if _, err := fx.s.EnsureSearchIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
}
