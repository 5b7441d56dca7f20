package main

import (
	"bytes"
	"strings"
	"testing"

	"yingshang/internal/db"
)

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
