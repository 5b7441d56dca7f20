package procure

import (
	"testing"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

func field(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error on %s, got none", want)
	}
	e := yserr.As(err)
	if e.Field == want {
		return
	}
	for _, f := range e.Fields {
		if f.Field == want {
			return
		}
	}
	t.Fatalf("want an error on %s, got %+v", want, e)
}

func TestSetAsideThresholds(t *testing.T) {
	n := NationalSetAside
	const wan = 1_000_000 // fen in 10,000 yuan
	// Mandatory.
	field(t, CheckSetAside(n, KindGoods, 100*wan, SetAsideInput{}), "set_aside")
	// Goods at 2 million: reserved in full, a share is not enough.
	field(t, CheckSetAside(n, KindGoods, 200*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 50, SmallMicroPct: 60}), "set_aside")
	if err := CheckSetAside(n, KindGoods, 200*wan, SetAsideInput{Decision: SetAsideFull}); err != nil {
		t.Fatal(err)
	}
	// Above: at least 30% of which 60% small/micro.
	if err := CheckSetAside(n, KindGoods, 200*wan+1, SetAsideInput{Decision: SetAsidePartial, SharePct: 30, SmallMicroPct: 60}); err != nil {
		t.Fatal(err)
	}
	field(t, CheckSetAside(n, KindServices, 300*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 29, SmallMicroPct: 60}), "set_aside_share")
	field(t, CheckSetAside(n, KindServices, 300*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 30, SmallMicroPct: 59}), "small_micro_share")
	// Works: 4 million in full; above, 40% (2022).
	field(t, CheckSetAside(n, KindWorks, 400*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 40, SmallMicroPct: 60}), "set_aside")
	field(t, CheckSetAside(n, KindWorks, 500*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 30, SmallMicroPct: 60}), "set_aside_share")
	// Not reserved needs an exception of Art. 6.
	field(t, CheckSetAside(n, KindGoods, 100*wan, SetAsideInput{Decision: SetAsideNone}), "set_aside_reason")
	if err := CheckSetAside(n, KindGoods, 100*wan, SetAsideInput{Decision: SetAsideNone, Exception: "unique_source"}); err != nil {
		t.Fatal(err)
	}
	// Baoji's local 40% / 70%.
	local, err := ParseSetAside("goods:200:40:70;services:200:40:70;works:400:40:70")
	if err != nil {
		t.Fatal(err)
	}
	field(t, CheckSetAside(local, KindGoods, 300*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 30, SmallMicroPct: 60}), "set_aside_share")
	field(t, CheckSetAside(local, KindGoods, 300*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 40, SmallMicroPct: 60}), "small_micro_share")
	if err := CheckSetAside(local, KindGoods, 300*wan, SetAsideInput{Decision: SetAsidePartial, SharePct: 40, SmallMicroPct: 70}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"goods:100:30:60", "goods:200:20:60", "food:200:30:60", "goods:200:30"} {
		if _, err := ParseSetAside(bad); err == nil {
			t.Errorf("local rule %q accepted", bad)
		}
	}
}

// Hand-computed: services, price weight 30, small/micro deduction 10%,
// consortium 4%.
//
//	A small,      1,000,000 → evaluated 900,000; price 900,000/900,000×30 = 30.00; tech 50 → 80.00
//	B large,        950,000 → evaluated 950,000; price 900,000/950,000×30 = 28.42; tech 55 → 83.42
//	C consortium, 1,000,000 → evaluated 960,000; price 900,000/960,000×30 = 28.13; tech 52 → 80.13
func TestEvaluateHandComputed(t *testing.T) {
	bids := []BidInput{
		{ID: 1, PriceFen: 1_000_000_00, Tech: 50, SmallOrMicro: true, Kind: BidSingle},
		{ID: 2, PriceFen: 950_000_00, Tech: 55, Kind: BidSingle},
		{ID: 3, PriceFen: 1_000_000_00, Tech: 52, Kind: BidConsortium},
	}
	got := Evaluate(EvalComprehensive, 30, 10, 4, bids)
	want := []Scored{
		{ID: 1, DeductionPct: 10, EvaluatedFen: 900_000_00, PriceScore: 30, Total: 80, Rank: 3},
		{ID: 2, DeductionPct: 0, EvaluatedFen: 950_000_00, PriceScore: 28.42, Total: 83.42, Rank: 1},
		{ID: 3, DeductionPct: 4, EvaluatedFen: 960_000_00, PriceScore: 28.13, Total: 80.13, Rank: 2},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("comprehensive bid %d: %+v, want %+v", i+1, got[i], want[i])
		}
	}
	low := Evaluate(EvalLowestPrice, 0, 10, 4, bids)
	for i, r := range []int{1, 2, 3} {
		if low[i].Rank != r || low[i].PriceScore != 0 {
			t.Errorf("lowest price bid %d: %+v, want rank %d", i+1, low[i], r)
		}
	}
	// Without the deduction B would win the lowest-price evaluation.
	if none := Evaluate(EvalLowestPrice, 0, 0, 0, bids); none[1].Rank != 1 {
		t.Errorf("without deduction: %+v", none)
	}
}

func TestDeductionAndCommitteeLimits(t *testing.T) {
	field(t, CheckDeduction(SetAsidePartial, 9, 4), "deduction_pct")
	field(t, CheckDeduction(SetAsideNone, 21, 4), "deduction_pct")
	field(t, CheckDeduction(SetAsidePartial, 10, 7), "consortium_pct")
	field(t, CheckDeduction(SetAsideFull, 10, 4), "deduction_pct")
	if CheckDeduction(SetAsidePartial, 20, 6) != nil || CheckDeduction(SetAsideFull, 0, 0) != nil {
		t.Fatal("valid deductions refused")
	}
	for _, c := range []struct {
		budget int64
		n      int
		ok     bool
	}{{999_999_999, 5, true}, {999_999_999, 4, false}, {999_999_999, 6, false}, {1_000_000_000, 5, false}, {1_000_000_000, 7, true}, {1_000_000_000, 9, true}} {
		if err := CheckCommittee(c.budget, c.n); (err == nil) != c.ok {
			t.Errorf("committee %d at %d fen: %v", c.n, c.budget, err)
		}
	}
	if MinPriceWeight(KindGoods) != 30 || MinPriceWeight(KindServices) != 10 {
		t.Fatal("price weights")
	}
}

func TestProposalsNeverCrossCategories(t *testing.T) {
	lines := []PlanLine{
		{ID: 1, DepartmentID: 10, Category: "A02010104", SpecKey: NormalizeSpec("CPU i5；内存16GB"), WantedOn: "2027-03-01", Quantity: 40, BudgetFen: 100},
		{ID: 2, DepartmentID: 11, Category: "A02010104", SpecKey: NormalizeSpec("内存 16gb; cpu i5"), WantedOn: "2027-04-15", Quantity: 25, BudgetFen: 200},
		{ID: 3, DepartmentID: 12, Category: "A02010105", SpecKey: NormalizeSpec("CPU i5；内存16GB"), WantedOn: "2027-03-02", Quantity: 5, BudgetFen: 300},
		{ID: 4, DepartmentID: 12, Category: "A02010104", SpecKey: NormalizeSpec("CPU i5；内存16GB"), WantedOn: "2027-09-01", Quantity: 9, BudgetFen: 400}, // outside the window
		{ID: 5, DepartmentID: 10, Category: "A02010104", SpecKey: NormalizeSpec("CPU i7；内存32GB"), WantedOn: "2027-03-01", Quantity: 3, BudgetFen: 500},
		{ID: 6, DepartmentID: 13, Category: "A02010105", SpecKey: NormalizeSpec("CPU i5；内存16GB"), WantedOn: "2027-03-20", Quantity: 6, BudgetFen: 600},
		{ID: 7, DepartmentID: 10, Category: "A02010104", SpecKey: NormalizeSpec("CPU i7；内存32GB"), WantedOn: "2027-03-05", Quantity: 3, BudgetFen: 700}, // one unit only
	}
	got := Propose(lines, 90)
	if len(got) != 2 {
		t.Fatalf("proposals %+v, want 2", got)
	}
	if got[0].Category != "A02010104" || len(got[0].PlanIDs) != 2 || got[0].PlanIDs[0] != 1 || got[0].PlanIDs[1] != 2 || got[0].Quantity != 65 || got[0].BudgetFen != 300 {
		t.Errorf("desktops: %+v", got[0])
	}
	if got[1].Category != "A02010105" || len(got[1].Departments) != 2 || got[1].BudgetFen != 900 {
		t.Errorf("laptops: %+v", got[1])
	}
	for _, p := range got {
		for _, id := range p.PlanIDs {
			if lines[id-1].Category != p.Category {
				t.Fatalf("plan %d of %s in a %s group", id, lines[id-1].Category, p.Category)
			}
		}
	}
}

func TestSplitAddsUp(t *testing.T) {
	got := Split(476_500_00, []int64{40, 25, 30})
	if got[0]+got[1]+got[2] != 476_500_00 {
		t.Fatalf("split %v does not add up", got)
	}
	// 47,650,000 fen × 40/95 = 20,063,157.89 → 20,063,157 (+1 remainder to the largest), ×25/95 = 12,539,473, ×30/95 = 15,047,368.
	if got[0] != 20_063_159 || got[1] != 12_539_473 || got[2] != 15_047_368 {
		t.Fatalf("split %v", got)
	}
}

// 2026: October 1-7 off, Saturday October 10 worked.
func TestClocksAcrossNationalDay(t *testing.T) {
	c := calendar.Official()
	d := calendar.MustParseDate
	// Known Tuesday 29 September: Sep 30, Oct 8, 9, 10 (Sat, worked), 12, 13, 14.
	if got := ChallengeDue(c, d("2026-09-29")); got.String() != "2026-10-14" {
		t.Errorf("challenge due %s, want 2026-10-14", got)
	}
	if got := AnswerDue(c, d("2026-09-30")); got.String() != "2026-10-15" {
		t.Errorf("answer due %s, want 2026-10-15", got)
	}
	// 15 working days from 30 September: Oct 8,9,10,12..16 (8), 19..23 (13), 26, 27 (15).
	if got := ComplaintDue(c, d("2026-09-30")); got.String() != "2026-10-27" {
		t.Errorf("complaint due %s, want 2026-10-27", got)
	}
	if got := PublishDue(c, d("2026-09-30")); got.String() != "2026-10-09" {
		t.Errorf("publish due %s, want 2026-10-09", got)
	}
	if got := ContractDue(d("2026-09-30")); got.String() != "2026-10-30" {
		t.Errorf("contract due %s", got)
	}
	if got := PayDue(d("2026-12-15")); got.String() != "2027-01-14" {
		t.Errorf("pay due %s", got)
	}
	// 30 working days from 30 September.
	if got, want := DecisionDue(c, d("2026-09-30")), c.AddWorkdays(d("2026-09-30"), 30); got != want || c.WorkdaysBetween(d("2026-09-30"), got) != 30 {
		t.Errorf("decision due %s", got)
	}
}

func TestYuanAndNormalize(t *testing.T) {
	for fen, want := range map[int64]string{0: "0", 123456789: "1,234,567.89", 100: "1", 100000000: "1,000,000", 5: "0.05"} {
		if got := Yuan(fen); got != want {
			t.Errorf("Yuan(%d) = %s, want %s", fen, got, want)
		}
	}
	for s, want := range map[string]int64{"1,234.5": 123450, "200000": 20000000, "0.01": 1} {
		if got, ok := ParseYuan(s); !ok || got != want {
			t.Errorf("ParseYuan(%q) = %d %v", s, got, ok)
		}
	}
	for _, bad := range []string{"", "-1", "1.234", "abc", "1e5", "+3"} {
		if _, ok := ParseYuan(bad); ok {
			t.Errorf("ParseYuan(%q) accepted", bad)
		}
	}
	if NormalizeSpec("ＣＰＵ i5；内存 16GB") != NormalizeSpec("内存16gb;cpu i5") {
		t.Error("full-width and order must not matter")
	}
	if KindOf("A02010104") != KindGoods || KindOf("C21040000") != KindServices || KindOf("B01") != KindWorks || KindOf("X1") != "" || KindOf("A0201x") != "" {
		t.Error("KindOf")
	}
}
