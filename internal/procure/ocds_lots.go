package procure

// OCDS for projects with lots (docs/procure.md "Open data"): the tender's
// lots with their own set-aside and deductions and an item each
// (relatedLot), the bids per lot (bids.details, relatedLots), one award per
// lot with its winner (relatedLots) and each lot's contract pointing at its
// award (relatedLots). The shapes are those of the OCDS lots and bids
// extensions; the local-rules extension's schema patch declares them.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// LotRules are a lot's own set-aside decision and price deductions.
type LotRules struct {
	SetAside       SetAsideRules  `json:"smeSetAside"`
	PriceDeduction PriceDeduction `json:"priceDeduction"`
}

// Bids is the bids section (the bids extension): the bids per lot.
type Bids struct {
	Details []BidDetail `json:"details"`
}

// BidDetail is one supplier's bid on one lot.
type BidDetail struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Tenderers   []OrgRef `json:"tenderers"`
	Value       *Value   `json:"value"`
	RelatedLots []string `json:"relatedLots"`
}

// ocdsLotBid is one bid on one lot of an awarded project, with the lot's
// award when this bid won it.
type ocdsLotBid struct {
	lotNo           int
	bidID, entityID int64
	priceFen        int64
	awarded         bool
	awardFen        int64
	awardOn         string
	rank            int
	entity, uscc    string
}

// loadLotBids reads the bids per lot of the awarded projects among byID
// (ids lo..hi; bids are public after the award) with the lots' awards, in
// one query; it returns the bidders' entity ids for the page's one look-up.
func (s *Service) loadLotBids(ctx context.Context, byID map[int64]*ocdsProject, lo, hi int64) ([]int64, error) {
	some := false
	for _, x := range byID {
		some = some || (len(x.p.Lots) > 0 && x.p.Status == ProjectAwarded)
	}
	if !some {
		return nil, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT l.project_id, l.lot_no, l.bid_id, b.entity_id, l.price_fen, l.rank, COALESCE(a.award_fen, 0), COALESCE(a.award_on, '')
		FROM procure_bid_lots l JOIN procure_bids b ON b.id = l.bid_id
		LEFT JOIN procure_lot_awards a ON a.project_id = l.project_id AND a.lot_no = l.lot_no AND a.bid_id = l.bid_id
		WHERE l.project_id >= $1 AND l.project_id <= $2 ORDER BY l.project_id, l.lot_no, CASE WHEN l.rank = 0 THEN 1 ELSE 0 END, l.rank, l.bid_id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ents []int64
	for rows.Next() {
		var pid int64
		var b ocdsLotBid
		if err := rows.Scan(&pid, &b.lotNo, &b.bidID, &b.entityID, &b.priceFen, &b.rank, &b.awardFen, &b.awardOn); err != nil {
			return nil, err
		}
		x := byID[pid]
		if x == nil || x.p.Status != ProjectAwarded {
			continue
		}
		b.awarded = b.awardOn != ""
		x.lotBids = append(x.lotBids, b)
		ents = append(ents, b.entityID)
	}
	return ents, rows.Err()
}

// ocdsLots gives a project's lots with their rules, and one item per lot
// (the catalogue category, the lot's quantity and specification,
// relatedLot).
func ocdsLots(p *Project, item Item) ([]OCDSLot, []Item) {
	lots := make([]OCDSLot, 0, len(p.Lots))
	items := make([]Item, 0, len(p.Lots))
	for _, l := range p.Lots {
		id := strconv.Itoa(l.No)
		rules := &LotRules{
			SetAside: SetAsideRules{Decision: l.SetAside, DecisionDetails: SetAsideLabel(l.SetAside, "zh"), SharePercent: l.SetAsideShare,
				SmallMicroSharePercent: l.SmallMicroShare, Exception: l.SetAsideReason},
			PriceDeduction: PriceDeduction{SmallMicroPercent: l.DeductionPct, ConsortiumPercent: l.ConsortiumPct},
		}
		if l.SetAsideReason != "" {
			rules.SetAside.ExceptionDetails = ExceptionLabel(l.SetAsideReason, "zh")
		}
		lots = append(lots, OCDSLot{ID: id, Title: l.Title, Description: l.Spec, Value: cny(l.BudgetFen), LocalRules: rules})
		it := item
		it.ID, it.RelatedLot, it.Quantity = "lot-"+id, id, float64(l.Quantity)
		it.Description = l.Title
		if l.Spec != "" {
			it.Description += "：" + l.Spec
		}
		items = append(items, it)
	}
	return lots, items
}

// ocdsLotAwards gives one award per awarded lot (its winner, amount and
// date), the awards by lot, and the bids per lot.
func ocdsLotAwards(p *Project, bids []ocdsLotBid) ([]Award, map[int]Award, *Bids) {
	titles := map[int]string{}
	for _, l := range p.Lots {
		titles[l.No] = l.Title
	}
	var awards []Award
	byLot := map[int]Award{}
	out := &Bids{Details: []BidDetail{}}
	for _, b := range bids {
		lot := strconv.Itoa(b.lotNo)
		who := OrgRef{ID: "CN-USCC-" + b.uscc, Name: b.entity}
		out.Details = append(out.Details, BidDetail{ID: fmt.Sprintf("bid-%d-lot-%d", b.bidID, b.lotNo), Status: "valid", Tenderers: []OrgRef{who},
			Value: cny(b.priceFen), RelatedLots: []string{lot}})
		if !b.awarded {
			continue
		}
		aw := Award{ID: fmt.Sprintf("%s-award-lot-%d", p.Code, b.lotNo), Title: fmt.Sprintf("%s · 第%d包 %s", p.Title, b.lotNo, titles[b.lotNo]), Status: "active",
			Date: ocdsDate(b.awardOn), Value: cny(b.awardFen), Suppliers: []OrgRef{who}, RelatedLots: []string{lot}}
		awards = append(awards, aw)
		byLot[b.lotNo] = aw
	}
	return awards, byLot, out
}

// ocdsBids reads the bids of the awarded projects among byID (ids lo..hi)
// with the columns the feed publishes, in the results' order; it returns
// the bidders' entity ids.
func (s *Service) ocdsBids(ctx context.Context, byID map[int64]*ocdsProject, lo, hi int64) ([]int64, error) {
	// In the order of the index (project_id, entity_id): no sort in the
	// database; each project's few bids are put in the results' order here.
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, project_id, entity_id, rank FROM procure_bids WHERE project_id >= $1 AND project_id <= $2
		ORDER BY project_id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// The page's bids go into one slice, each project's a part of it (one
	// allocation for the page, not three or four per project).
	var ents []int64
	all := make([]Bid, 0, 4*len(byID))
	var last *ocdsProject
	start := 0
	done := func() {
		if last != nil {
			last.bids = all[start:len(all):len(all)]
			sortOCDSBids(last.bids)
		}
	}
	for rows.Next() {
		var b Bid
		if err := rows.Scan(&b.ID, &b.ProjectID, &b.EntityID, &b.Rank); err != nil {
			return nil, err
		}
		if x := byID[b.ProjectID]; x != nil && x.p.Status == ProjectAwarded {
			if x != last {
				done()
				last, start = x, len(all)
			}
			all = append(all, b)
			ents = append(ents, b.EntityID)
		}
	}
	done()
	return ents, rows.Err()
}

// sortOCDSBids orders a project's bids as the results list them: by rank,
// unranked last, then by id.
func sortOCDSBids(bids []Bid) {
	slices.SortFunc(bids, func(a, b Bid) int {
		if c := cmp.Compare(ocdsRankKey(a.Rank), ocdsRankKey(b.Rank)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

func ocdsRankKey(rank int) int64 {
	if rank == 0 {
		return math.MaxInt64
	}
	return int64(rank)
}

// ocdsContracts reads the published contracts of the projects among byID
// (ids lo..hi) with the columns the feed publishes, oldest first; it
// returns their units and suppliers.
func (s *Service) ocdsContracts(ctx context.Context, byID map[int64]*ocdsProject, lo, hi int64) (depts, ents []int64, err error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, project_id, department_id, entity_id, quantity, amount_fen, signed_on, accepted_on, paid_on, paid_fen, lot_no
		FROM procure_contracts WHERE published_on <> '' AND project_id >= $1 AND project_id <= $2 ORDER BY project_id, id`, lo, hi)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Contract
		if err := rows.Scan(&c.ID, &c.ProjectID, &c.DepartmentID, &c.EntityID, &c.Quantity, &c.AmountFen, &c.SignedOn, &c.AcceptedOn, &c.PaidOn, &c.PaidFen, &c.LotNo); err != nil {
			return nil, nil, err
		}
		if x := byID[c.ProjectID]; x != nil {
			x.contracts = append(x.contracts, c)
			depts, ents = append(depts, c.DepartmentID), append(ents, c.EntityID)
		}
	}
	return depts, ents, rows.Err()
}
