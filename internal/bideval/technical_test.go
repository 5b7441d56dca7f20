package bideval

import (
	"context"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/yserr"
)

// TechnicalScores, the Go API for modules that price the bids themselves:
// refused before the unmasking (to the platform as well) and to bidders;
// after it, every coded bid by credit code with the technical score of the
// project's rule (the trimmed mean here: A's totals 50, 50, 50, 50, 60 give
// 50) and the sealed price of its commercial part, ordered by code; the
// incomplete bid (C) is not there.
func TestTechnicalScores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, members := e.scored(t, "施工方案 A")
		sys := auth.WithActor(context.Background(), auth.System("procure"))
		if _, err := e.s.TechnicalScores(sys, pid); code(err) != yserr.Conflict {
			t.Fatalf("technical scores before the unmasking: %v", err)
		}
		codes, err := e.s.Codes(members[0], pid)
		if err != nil {
			t.Fatal(err)
		}
		// The member reads each part: A's gets 50 (60 from the last member),
		// B's 40, D's 35.
		byCode := map[string]string{}
		for _, c := range codes {
			_, _, data, err := e.s.TechnicalByCode(members[0], pid, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			byCode[c.Code] = string(data[len(data)-1:])
		}
		for i, m := range members {
			in := fullSheet(codes, func(c, k string) float64 {
				p := map[string]float64{"plan": 20, "quality": 15, "schedule": 15}[k]
				if k == "plan" {
					p -= map[string]float64{"B": 10, "D": 15}[byCode[c]]
					if byCode[c] == "A" && i == 4 {
						p += 10
					}
				}
				return p
			})
			in.Lock = true
			if _, err := e.s.SaveSheet(m, pid, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.Unmask(e.staff, pid); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.TechnicalScores(e.bidA, pid); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder reads the technical scores: %v", err)
		}
		got, err := e.s.TechnicalScores(sys, pid)
		if err != nil || len(got) != 3 {
			t.Fatalf("technical scores: %v %+v", err, got)
		}
		want := map[string]struct {
			tech  float64
			price int64
		}{e.uscc["A"]: {50, 360000000}, e.uscc["B"]: {40, 400000000}, e.uscc["D"]: {35, 450000000}}
		for i, g := range got {
			w, ok := want[g.USCC]
			if !ok || g.Technical != w.tech || g.PriceFen != w.price || len(g.ExpertTotals) != 5 || (i > 0 && got[i-1].Code >= g.Code) {
				t.Fatalf("row %d: %+v, want %+v", i, g, w)
			}
		}
		if _, err := e.s.TechnicalScores(e.sup, pid); err != nil {
			t.Fatalf("a supervisor: %v", err)
		}
	})
}
