package credit

import (
	"context"
	"fmt"
	"math"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// Procurement-sector inputs (issue 16): the procure module reports each
// mutual rating of a supplier or an agency here, through this small Go API,
// so that the credit database of suppliers and agencies (Xuchang's 信用+政府
// 采购) holds them next to the entity's records. The inputs do not change
// the grade rules; they are listed with the entity's public profile data.

// ProcureInput is one rating of an entity after a procurement project.
type ProcureInput struct {
	EntityID    int64
	Role        string  // supplier | agency: the part the entity played
	Score       float64 // 0-100: the rating's points as a share of the maximum
	Source      string  // the rating's reference in procure, unique
	ProjectCode string
	RaterParty  string // purchaser | agency | supplier | expert
	RatedOn     string // YYYY-MM-DD
}

// ProcureSummary is an entity's procurement-sector inputs in short.
type ProcureSummary struct {
	EntityID int64   `json:"entity_id"`
	Ratings  int     `json:"ratings"`
	Average  float64 `json:"average" doc:"mean score, 0-100, one decimal"`
}

// AddProcureInput stores one procurement-sector input. It is the procure
// module's call (any authenticated actor, typically within the rating's
// transaction); a source already stored is a Conflict, so an input is
// never counted twice. Audited.
func (s *Service) AddProcureInput(ctx context.Context, in ProcureInput) error {
	if auth.From(ctx) == nil {
		return yserr.ErrUnauthorized()
	}
	var v yserr.Validation
	if in.EntityID <= 0 {
		v.Add("entity_id", "缺少被评价的主体", "the rated entity is missing")
	}
	if in.Role != "supplier" && in.Role != "agency" {
		v.Add("role", "被评价方应为供应商或代理机构", "the rated party must be a supplier or an agency")
	}
	if math.IsNaN(in.Score) || in.Score < 0 || in.Score > 100 {
		v.Add("score", "评价得分应在 0 到 100 之间", "the score must be between 0 and 100")
	}
	if strings.TrimSpace(in.Source) == "" {
		v.Add("source", "缺少评价来源", "the source is missing")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM credit_procure_inputs WHERE source = $1", in.Source).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return yserr.New(yserr.Conflict, "该评价已计入信用数据库", "this rating is in the credit database already")
		}
		var id int64
		if err := q.QueryRow(ctx, `INSERT INTO credit_procure_inputs (entity_id, role, score, source, project_code, rater_party, rated_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.EntityID, in.Role, in.Score, in.Source, in.ProjectCode, in.RaterParty, in.RatedOn, s.now()).Scan(&id); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "credit.procure_input.add", "credit_procure_input", fmt.Sprint(id), nil, in, ""); err != nil {
			return err
		}
		// The same rating is the value of the grade models' procurement
		// indicator: one path from procure to the grade, same transaction.
		_, err := s.recordInput(ctx, auth.From(ctx), GradeInput{EntityID: in.EntityID, Indicator: IndicatorProcureRating, Value: in.Score,
			Source: "procure", Reason: procureReason(in)}, true)
		return err
	})
}

// IndicatorProcureRating and IndicatorInspection are the input indicator
// codes the procure and inspect modules send (the demo models use both).
const (
	IndicatorProcureRating = "procurement_rating"
	IndicatorInspection    = "inspection_result"
)

// procureReason says which rating the value comes from, in both languages.
func procureReason(in ProcureInput) string {
	party := map[string]string{"purchaser": "采购人 / purchaser", "agency": "代理机构 / agency", "supplier": "供应商 / supplier", "expert": "评审专家 / expert"}[in.RaterParty]
	if party == "" {
		party = in.RaterParty
	}
	return fmt.Sprintf("政府采购项目 %s 履约评价 %.1f 分（评价方：%s，%s）/ procurement project %s rated %.1f by the %s on %s",
		in.ProjectCode, in.Score, party, in.RatedOn, in.ProjectCode, in.Score, in.RaterParty, in.RatedOn)
}

// ProcureSummaries returns the procurement-sector inputs of the entities in
// short (public data: the ratings are published by procure). Entities
// without inputs are absent.
func (s *Service) ProcureSummaries(ctx context.Context, entityIDs []int64) (map[int64]ProcureSummary, error) {
	out := map[int64]ProcureSummary{}
	if len(entityIDs) == 0 {
		return out, nil
	}
	ph := make([]string, len(entityIDs))
	args := make([]any, len(entityIDs))
	for i, id := range entityIDs {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, COUNT(*), AVG(score) FROM credit_procure_inputs WHERE entity_id IN ("+strings.Join(ph, ", ")+") GROUP BY entity_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sum ProcureSummary
		if err := rows.Scan(&sum.EntityID, &sum.Ratings, &sum.Average); err != nil {
			return nil, err
		}
		sum.Average = math.Round(sum.Average*10) / 10
		out[sum.EntityID] = sum
	}
	return out, rows.Err()
}
