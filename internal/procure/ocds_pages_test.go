package procure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/entity"
)

// ocdsRandomFixture writes n random projects (awarded or not, 0-4 bids
// with ranks in any order and unranked ones, 0-2 published and unpublished
// contracts, accepted and paid or not, titles json must escape) with the
// seed, and returns a service with a fixed clock.
func ocdsRandomFixture(t *testing.T, d *db.DB, n int, seed uint64) *Service {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 16))
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	titles := []string{"办公设备采购", `打印纸 "A4" & <碳粉>`, "line\nbreak\u2028", "Servers\\racks"}
	dates := []string{"", "2026-11-25", "2026-12-01", "2027-01-31", "2026-02-30"}
	err := d.WithTx(ctx, func(ctx context.Context) error {
		q := d.Q(ctx)
		var depts [6]int64
		var ents [9]int64
		for i := range depts {
			if err := q.QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ($1, $2, 'bureau', $3, $3) RETURNING id",
				fmt.Sprintf("R-%02d", i), fmt.Sprintf("单位%d <&>", i), at).Scan(&depts[i]); err != nil {
				return err
			}
		}
		for i := range ents {
			if err := q.QueryRow(ctx, "INSERT INTO entities (uscc, name, size_class, created_at, updated_at) VALUES ($1, $2, 'small', $3, $3) RETURNING id",
				fmt.Sprintf("91411002MR%08d", i), fmt.Sprintf("供应商%d \"有限\"公司", i), at).Scan(&ents[i]); err != nil {
				return err
			}
		}
		for i := range n {
			status := []string{"awarded", "awarded", "awarded", "open", "evaluated"}[r.IntN(5)]
			var pid int64
			if err := q.QueryRow(ctx, `INSERT INTO procure_projects (code, department_id, title, method, kind, category_code, budget_fen, set_aside, eval_method,
				deduction_pct, status, award_on, award_fen, created_at) VALUES ($1, $2, $3, $4, $5, 'A02010104', $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
				fmt.Sprintf("XC-R-%05d", i), depts[r.IntN(len(depts))], titles[r.IntN(len(titles))]+strconv.Itoa(i),
				[]string{"inquiry", "open_tender", "single_source"}[r.IntN(3)], []string{"goods", "services", "works"}[r.IntN(3)],
				r.Int64N(90000000)+1, []string{"full", "partial", "none"}[r.IntN(3)], []string{"lowest_price", "comprehensive"}[r.IntN(2)],
				[]int{0, 10, 20}[r.IntN(3)], status, dates[r.IntN(len(dates))], r.Int64N(80000000), at.Add(time.Duration(r.IntN(100000))*time.Minute)).Scan(&pid); err != nil {
				return err
			}
			perm := r.Perm(len(ents))
			nb := r.IntN(5)
			var win int64
			for k := range nb {
				rank := []int{0, 1, 2, 3, 4}[r.IntN(5)]
				var bid int64
				if err := q.QueryRow(ctx, `INSERT INTO procure_bids (project_id, entity_id, credit_result, size_declared, size_registry, price_fen, evaluated_fen, rank, created_at)
					VALUES ($1, $2, 'pass', 'small', 'small', $3, $3, $4, $5) RETURNING id`, pid, ents[perm[k]], r.Int64N(50000000), rank, at).Scan(&bid); err != nil {
					return err
				}
				if win == 0 || r.IntN(3) == 0 {
					win = bid
				}
			}
			if win != 0 && r.IntN(4) > 0 {
				if _, err := q.Exec(ctx, "UPDATE procure_projects SET winner_bid_id = $1 WHERE id = $2", win, pid); err != nil {
					return err
				}
			}
			for range r.IntN(3) {
				pub := []string{"", "2026-11-26"}[r.IntN(2)]
				if _, err := q.Exec(ctx, `INSERT INTO procure_contracts (project_id, department_id, entity_id, quantity, budget_fen, amount_fen, sme, small_micro, due_on, signed_on, published_on, accepted_on, paid_on, paid_fen, created_at)
					VALUES ($1, $2, $3, $4, 50000000, $5, TRUE, TRUE, '2026-12-20', $6, $7, $8, $9, $10, $11)`, pid, depts[r.IntN(len(depts))], ents[r.IntN(len(ents))],
					r.IntN(3), r.Int64N(50000000), dates[1+r.IntN(3)], pub, dates[r.IntN(4)], dates[r.IntN(4)], r.Int64N(50000000), at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Service{DB: d, Accounts: &account.Service{DB: d}, Entities: &entity.Service{DB: d}, Clock: clock.NewFixed(time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC))}
}

// ocdsExport reads every page of the release package with the limit and
// returns each release's JSON and the pages' JSON.
func ocdsExport(t *testing.T, s *Service, limit int) (releases []string, pages [][]byte) {
	t.Helper()
	ctx := context.Background()
	for after := int64(0); ; {
		pkg, err := s.OCDSReleases(ctx, OCDSPage{After: after, Limit: limit, Base: "https://ys.example.gov.cn"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(pkg)
		if err != nil {
			t.Fatal(err)
		}
		if fast, err := pkg.AppendJSON(nil); err != nil || string(fast) != string(data) {
			t.Fatalf("AppendJSON differs from json.Marshal (%v):\n%s\n%s", err, fast, data)
		}
		pages = append(pages, data)
		for i := range pkg.Releases {
			b, err := json.Marshal(&pkg.Releases[i])
			if err != nil {
				t.Fatal(err)
			}
			releases = append(releases, string(b))
		}
		if pkg.Links == nil {
			return releases, pages
		}
		u, err := url.Parse(pkg.Links.Next)
		if err != nil {
			t.Fatal(err)
		}
		after, _ = strconv.ParseInt(u.Query().Get("after"), 10, 64)
	}
}

// A page of many projects builds each project's releases exactly as a page
// of one project does (the reads per page are per page, not per project),
// and each project's releases equal those of its ocid: random projects on
// both engines. With OCDS_DUMP=file the 100-project pages are written to
// the file (with their SHA-256 on the log), to compare the output of two
// versions of the export byte for byte (docs/benchmarks.md).
func TestOCDSPagesAgree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := ocdsRandomFixture(t, d, 150, 7)
		big, pages := ocdsExport(t, s, 100)
		small, _ := ocdsExport(t, s, 1)
		mid, _ := ocdsExport(t, s, 7)
		if len(big) < 300 {
			t.Fatalf("only %d releases from 150 projects", len(big))
		}
		for name, other := range map[string][]string{"1": small, "7": mid} {
			if len(other) != len(big) {
				t.Fatalf("%d releases in pages of %s, %d in pages of 100", len(other), name, len(big))
			}
			for i := range big {
				if big[i] != other[i] {
					t.Fatalf("release %d differs between pages of 100 and of %s:\n%s\n%s", i, name, big[i], other[i])
				}
			}
		}
		if path := os.Getenv("OCDS_DUMP"); path != "" {
			f, err := os.Create(path + "." + string(d.Dialect))
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			for _, p := range pages {
				_, _ = f.Write(append(p, '\n'))
				h.Write(p)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d pages, sha256 %s", d.Dialect, len(pages), hex.EncodeToString(h.Sum(nil)))
		}
	})
}
