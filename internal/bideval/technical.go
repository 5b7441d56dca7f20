package bideval

import (
	"cmp"
	"context"
	"slices"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// BidderScore is one coded bid's outcome of the double-blind evaluation,
// by the bidder's credit code: what a module that prices the bids itself
// needs (procure applies MoF Order 87's price score with the small/micro
// price deduction, which this module does not know).
type BidderScore struct {
	USCC         string    `json:"uscc"`
	Code         string    `json:"code" doc:"the virtual code the bid had on the experts' sheets"`
	ExpertTotals []float64 `json:"expert_totals" doc:"each member's technical total, in committee order"`
	Technical    float64   `json:"technical" doc:"aggregated technical score (the project's rule, 2 decimals)"`
	PriceFen     int64     `json:"price_fen" doc:"the price of the commercial part, in fen"`
}

// TechnicalScores returns, once the codes are unmasked, every coded bid's
// technical score (the project's rule over the locked sheets) and its
// declared price, keyed by credit code and ordered by code. Before the
// unmasking it is refused (Conflict): nobody learns a code's bidder or a
// bidder's score earlier. Callers: the platform (another module, with a
// system actor), the centre's staff and supervisors.
func (s *Service) TechnicalScores(ctx context.Context, projectID int64) ([]BidderScore, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !isCentre(a, st) && !a.Has(auth.Supervisor) {
		return nil, yserr.ErrForbidden()
	}
	if !revealed(st) {
		return nil, yserr.New(yserr.Conflict, "双盲评审尚未揭示编码，没有按投标人的技术得分", "the double-blind evaluation is not unmasked yet: no technical scores by bidder")
	}
	res, err := s.compute(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := make([]BidderScore, 0, len(res.Rows))
	for _, r := range res.Rows {
		out = append(out, BidderScore{USCC: r.USCC, Code: r.Code, ExpertTotals: r.ExpertTotals, Technical: r.Technical, PriceFen: r.priceFen})
	}
	slices.SortFunc(out, func(x, y BidderScore) int { return cmp.Compare(x.Code, y.Code) })
	return out, nil
}
