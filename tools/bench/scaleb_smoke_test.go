package main

import (
	"context"
	"os"
	"testing"
)

// TestScalebSmoke runs each of this part's bench subcommands once at tiny
// sizes so that they keep compiling and running: a smoke run, no timing
// is asserted. Search runs on both engines (PostgreSQL when
// YINGSHANG_TEST_POSTGRES is set, and then required when
// YINGSHANG_TEST_REQUIRE_POSTGRES is).
func TestScalebSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke run of the benchmarks")
	}
	engines := []string{"sqlite"}
	if os.Getenv("YINGSHANG_TEST_POSTGRES") != "" {
		engines = append(engines, "postgres")
	} else if os.Getenv("YINGSHANG_TEST_REQUIRE_POSTGRES") != "" {
		t.Fatal("YINGSHANG_TEST_REQUIRE_POSTGRES is set but YINGSHANG_TEST_POSTGRES is not")
	}
	ctx := context.Background()
	for _, e := range engines {
		t.Run("search-scale/"+e, func(t *testing.T) {
			if err := benchSearchScale(ctx, []string{"-engine", e, "-rows", "300", "-queries", "4", "-baseline-every", "2"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("expert-draw", func(t *testing.T) {
		if err := benchExpertDraw(ctx, []string{"-experts", "2000", "-runs", "3"}); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := runScaleb("no-such-bench", nil); err != nil {
		t.Fatal(err)
	}
}
