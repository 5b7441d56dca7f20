package main

import (
	"bytes"
	"strings"
	"testing"

	"yingshang/internal/db"
)

// TestIntakeRatiosSmoke runs intake once at a tiny size on PostgreSQL with
// each HTTP client and checks that it prints both ratios: against the
// bare transaction (the target) and against the same transaction
// behind HTTP.
func TestIntakeRatiosSmoke(t *testing.T) {
	for _, client := range []string{"wire", "net/http"} {
		var out bytes.Buffer
		if err := RunTB(t, &out, "intake", db.Postgres, []string{"-requests", "12", "-clients", "4", "-client", client}); err != nil {
			t.Fatalf("%s: %v\n%s", client, err, out.String())
		}
		for _, want := range []string{
			"4 clients (" + client + " client)",
			"RATIO API POST /api/v1/appeals ÷ bare INSERT appeal + audit tx = ",
			"bare tx behind HTTP                      12 req",
			"RATIO API POST /api/v1/appeals ÷ bare tx behind HTTP = ",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: %q not printed:\n%s", client, want, out.String())
			}
		}
	}
	var out bytes.Buffer
	if err := RunTB(t, &out, "intake", db.Postgres, []string{"-requests", "4", "-client", "curl"}); err == nil || !strings.Contains(err.Error(), "-client is wire or net/http") {
		t.Errorf("-client curl: %v", err)
	}
}

// TestIntakeTwoInstancesSmoke runs intake -instances 2 once at a tiny
// size (nothing timed or asserted about speed), and checks that SQLite
// refuses it.
func TestIntakeTwoInstancesSmoke(t *testing.T) {
	var out bytes.Buffer
	if err := RunTB(t, &out, "intake", db.Postgres, []string{"-requests", "12", "-clients", "4", "-instances", "2"}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "RATIO two instances ÷ one instance") {
		t.Fatalf("no ratio printed:\n%s", out.String())
	}
	t.Log(out.String())
	if err := RunTB(t, &out, "intake", db.SQLite, []string{"-requests", "4", "-instances", "2"}); err == nil {
		t.Fatal("two instances on SQLite ran")
	}
}
