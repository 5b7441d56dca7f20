package procure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// Lots (标段/包) on the project page: the unit defines the lots (title,
// budget, quantity, specification, each lot's set-aside and deductions), a
// supplier prices the lots it bids on (the registration form), the unit
// evaluates and awards each lot (docs/procure.md, "Lots").

// maxLotRows is the rows of the lots form (the stored lots and blank ones).
const maxLotRows = 20

func (h *handlers) mountLots() {
	svc := h.svc
	h.s.Page("POST /procure/projects/{id}/lots", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		lots, err := lotsFromForm(r.PostForm)
		if err != nil {
			return err
		}
		_, err = svc.SetLots(ctx, id, lots)
		return err
	}), unitRoles...)
	h.s.Page("POST /procure/projects/{id}/lots/{lot}/evaluation", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		var tech []procure.TechPoints
		var v yserr.Validation
		for k, vs := range r.PostForm {
			b, ok := strings.CutPrefix(k, "tech_")
			if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
				continue
			}
			bid, err1 := parseID(b)
			pts, err2 := parsePoints(vs[0])
			if err1 != nil || err2 != nil {
				v.Add(k, fmt.Sprintf("第%d包：技术得分应为数字", lot), fmt.Sprintf("lot %d: the technical points must be numbers", lot))
				continue
			}
			tech = append(tech, procure.TechPoints{BidID: bid, Points: pts})
		}
		sheets, bad := sheetsFromForm(r.PostForm)
		if len(bad) > 0 {
			v.Add("sheets", fmt.Sprintf("第%d包：专家评分应为数字", lot), fmt.Sprintf("lot %d: the experts' points must be numbers", lot))
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = svc.EvaluateLot(ctx, id, lot, procure.ScoreInput{Tech: tech, Sheets: sheets})
		return err
	}), unitRoles...)
	h.s.Page("POST /procure/projects/{id}/lots/{lot}/award", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		lot, err := lotParam(r)
		if err != nil {
			return err
		}
		_, err = svc.AwardLot(ctx, id, lot)
		return err
	}), unitRoles...)

	h.s.API.Handle(h.s.Mux, api.Op{Method: "PUT", Path: "/api/v1/procure/projects/{id}/lots", ID: "setProcureLots", Tags: []string{"procure"}, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "设置分包 / Define a project's lots with their set-aside and deductions",
		Description: "Staff of the project's unit while the project is open and no supplier has registered. Each lot: title, budget_yuan (or budget_fen), quantity, spec, " +
			"and optionally its own set_aside (full, partial with set_aside_share and small_micro_share, none with set_aside_reason) and deduction_pct/consortium_pct " +
			"(default: the project's). The budgets add up to the project's; a project reserved in full has every lot reserved in full; a partial project's share is " +
			"reached through its lots. Errors name lots.<n>.<field>. An empty list removes the lots.",
		Query: IDPath{}, Body: []procure.Lot{}, Resp: procure.Project{}}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusOK, true, func(id int64, in []procure.Lot) (*procure.Project, error) {
			return svc.SetLots(r.Context(), id, in)
		})
	})
}

// lotsFromForm reads the lots form's rows (fields lots.<n>.<name>), in
// order, leaving out rows with nothing typed in.
func lotsFromForm(f url.Values) ([]procure.Lot, error) {
	var out []procure.Lot
	var v yserr.Validation
	for n := 1; n <= maxLotRows; n++ {
		get := func(name string) string { return strings.TrimSpace(f.Get(fmt.Sprintf("lots.%d.%s", n, name))) }
		if get("title") == "" && get("budget_yuan") == "" && get("spec") == "" && get("quantity") == "" {
			continue
		}
		num := func(name string) int64 {
			s := get(name)
			if s == "" {
				return 0
			}
			x, err := strconv.ParseInt(s, 10, 64)
			if err != nil || x < 0 {
				v.Add(fmt.Sprintf("lots.%d.%s", n, name), fmt.Sprintf("第%d包：应为非负整数", n), fmt.Sprintf("lot %d: a whole number of at least 0 is expected", n))
			}
			return x
		}
		out = append(out, procure.Lot{Title: get("title"), LotTerms: procure.LotTerms{BudgetYuan: get("budget_yuan"), Quantity: num("quantity"), Spec: get("spec"),
			SetAside: get("set_aside"), SetAsideShare: int(num("set_aside_share")), SmallMicroShare: int(num("small_micro_share")), SetAsideReason: get("set_aside_reason"),
			DeductionPct: int(num("deduction_pct")), ConsortiumPct: int(num("consortium_pct"))}})
		if out[len(out)-1].BudgetYuan == "" {
			v.Add(fmt.Sprintf("lots.%d.budget_yuan", n), fmt.Sprintf("第%d包：请填写预算", n), fmt.Sprintf("lot %d: enter the budget", n))
		}
	}
	return out, v.Err()
}

// lotBidsFromForm reads the registration form's lot prices (lot_price.<n>;
// empty: not bidding on the lot).
func lotBidsFromForm(f url.Values) []procure.LotBid {
	var out []procure.LotBid
	for k, vs := range f {
		n, ok := strings.CutPrefix(k, "lot_price.")
		no, err := strconv.Atoi(n)
		if !ok || err != nil || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		out = append(out, procure.LotBid{LotNo: no, PriceYuan: strings.TrimSpace(vs[0])})
	}
	slices.SortFunc(out, func(a, b procure.LotBid) int { return a.LotNo - b.LotNo })
	return out
}

// lotRow is one row of the lots form: its number and the values to show
// (the stored lot's, or what was typed when the form came back with an
// error).
type lotRow struct {
	N int
	V map[string]string
}

// lotRows gives the lots form's rows: the stored lots and two blank rows,
// or the submitted rows after an error.
func lotRows(p *procure.Project, posted url.Values) []lotRow {
	names := []string{"title", "budget_yuan", "quantity", "spec", "set_aside", "set_aside_share", "small_micro_share", "set_aside_reason", "deduction_pct", "consortium_pct"}
	n := min(len(p.Lots)+2, maxLotRows)
	rows := make([]lotRow, n)
	for i := range rows {
		rows[i] = lotRow{N: i + 1, V: map[string]string{}}
		if posted != nil {
			for _, k := range names {
				rows[i].V[k] = posted.Get(fmt.Sprintf("lots.%d.%s", i+1, k))
			}
			continue
		}
		if i >= len(p.Lots) {
			continue
		}
		l := p.Lots[i]
		itoa := func(x int64) string {
			if x == 0 {
				return ""
			}
			return strconv.FormatInt(x, 10)
		}
		rows[i].V = map[string]string{"title": l.Title, "budget_yuan": procure.Yuan(l.BudgetFen), "quantity": itoa(l.Quantity), "spec": l.Spec,
			"set_aside": l.SetAside, "set_aside_share": itoa(int64(l.SetAsideShare)), "small_micro_share": itoa(int64(l.SmallMicroShare)),
			"set_aside_reason": l.SetAsideReason, "deduction_pct": strconv.Itoa(l.DeductionPct), "consortium_pct": strconv.Itoa(l.ConsortiumPct)}
	}
	return rows
}

// exception is a set-aside exception in a form's select.
type exception string

// Text is the exception's label.
func (e exception) Text(lang string) string { return procure.ExceptionLabel(string(e), lang) }
