package bideval

import (
	"errors"
	"math"
	"sort"
)

// Aggregation rules.
const (
	RuleMean        = "mean"         // the mean of all experts' totals
	RuleTrimmedMean = "trimmed_mean" // drop one highest and one lowest total when there are >= 5 scorers, then the mean
)

// Result is one bid's aggregated technical score and rank.
type Result struct {
	Code  string  `json:"code"`
	Score float64 `json:"score" doc:"rounded to 2 decimals"`
	Rank  int     `json:"rank" doc:"1 = best; tied bids share a rank"`
	Tied  bool    `json:"tied"`
}

// Aggregate combines each code's expert totals by rule and ranks the codes
// (highest first). Ties (equal rounded scores) share a rank and are
// flagged; the next rank skips (1, 1, 3). Every code needs at least one
// score.
func Aggregate(rule string, totals map[string][]float64) ([]Result, error) {
	if rule != RuleMean && rule != RuleTrimmedMean {
		return nil, errors.New("unknown aggregation rule " + rule)
	}
	out := make([]Result, 0, len(totals))
	for code, xs := range totals {
		if len(xs) == 0 {
			return nil, errors.New("no scores for " + code)
		}
		s := append([]float64(nil), xs...)
		sort.Float64s(s)
		if rule == RuleTrimmedMean && len(s) >= 5 {
			s = s[1 : len(s)-1]
		}
		sum := 0.0
		for _, x := range s {
			sum += x
		}
		out = append(out, Result{Code: code, Score: round2(sum / float64(len(s)))})
	}
	rank(out)
	return out, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func rank(rs []Result) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Score != rs[j].Score {
			return rs[i].Score > rs[j].Score
		}
		return rs[i].Code < rs[j].Code
	})
	for i := range rs {
		rs[i].Rank = i + 1
		if i > 0 && rs[i].Score == rs[i-1].Score {
			rs[i].Rank = rs[i-1].Rank
			rs[i].Tied, rs[i-1].Tied = true, true
		}
	}
}

// PriceScores is the commercial score by the lowest-price benchmark
// method (综合评估法 price score, e.g. 财政部令第87号 Art.55): the lowest
// valid price gets max points, every other valid price gets
// lowest / price × max, rounded to 2 decimals. Prices must be positive.
func PriceScores(prices map[string]float64, max float64) (map[string]float64, error) {
	low := math.Inf(1)
	for code, p := range prices {
		if p <= 0 || math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, errors.New("invalid price for " + code)
		}
		low = math.Min(low, p)
	}
	out := make(map[string]float64, len(prices))
	for code, p := range prices {
		out[code] = round2(low / p * max)
	}
	return out, nil
}

// Rank combines technical and price scores into the final ranking.
func Rank(technical []Result, price map[string]float64) []Result {
	out := make([]Result, len(technical))
	for i, r := range technical {
		out[i] = Result{Code: r.Code, Score: round2(r.Score + price[r.Code])}
	}
	rank(out)
	return out
}
