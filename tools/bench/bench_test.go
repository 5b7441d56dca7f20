package main

import (
	"bytes"
	"strings"
	"testing"

	"yingshang/internal/db/dbtest"
)

// TestSmoke runs every target once at tiny sizes on both engines so that
// the benchmarks keep compiling and running. Nothing is timed or asserted
// about speed: only that each run finishes and prints its figures.
func TestSmoke(t *testing.T) {
	if len(targets) == 0 {
		t.Fatal("no targets registered")
	}
	for _, name := range names() {
		tg := targets[name]
		for _, e := range dbtest.Engines {
			t.Run(name+"/"+string(e), func(t *testing.T) {
				var out bytes.Buffer
				if err := RunTB(t, &out, name, e, tg.Smoke); err != nil {
					t.Fatalf("%s: %v\n%s", name, err, out.String())
				}
				if !strings.Contains(out.String(), "load average:") {
					t.Errorf("no header printed:\n%s", out.String())
				}
				if !tg.NotInAll && !strings.Contains(out.String(), "RATIO") {
					t.Errorf("no ratio printed:\n%s", out.String())
				}
				t.Log(out.String())
			})
		}
	}
}

func TestCommonOnly(t *testing.T) {
	got := commonOnly([]string{"-engine", "postgres", "-requests", "5", "-rounds=3", "--clients", "2"})
	want := []string{"-engine", "postgres", "-rounds=3"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("commonOnly = %q, want %q", got, want)
	}
}
