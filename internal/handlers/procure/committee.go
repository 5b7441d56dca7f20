package procure

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/draw"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// The evaluation committee drawn through module draw: the project page's
// forms and the JSON API (docs/procure.md, "Evaluation committee").

func (h *handlers) mountCommittee() {
	svc := h.svc
	h.s.Page("POST /procure/projects/{id}/committee", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.CommitCommittee(ctx, id, procure.CommitteeInput{PurchaserUSCC: r.FormValue("purchaser_uscc"), Specialties: []string{r.FormValue("specialties")},
			EvaluationAt: r.FormValue("evaluation_at"), Region: r.FormValue("region_code")})
		return err
	}), unitRoles...)
	h.s.Page("POST /procure/projects/{id}/committee/draw", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.RunCommittee(ctx, id, draw.DrawInput{WitnessName: r.FormValue("witness_name"), WitnessValue: r.FormValue("witness_value")})
		return err
	}), unitRoles...)

	reg, mux := h.s.API, h.s.Mux
	tags := []string{"procure"}
	unit := "platform_admin,dept_admin,dept_staff"
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/committee", ID: "getProcureCommittee", Tags: tags, Auth: api.AuthPublic,
		Summary: "评审委员会 / The evaluation committee drawn by the draw module",
		Description: "Before the award the project's unit, the finance bureau and supervisors see the seats under their per-project pseudonyms (names: supervisors only); " +
			"others see nothing. After the award everyone sees the names and each expert's points per bid.",
		Query: IDPath{}, Resp: procure.Committee{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		c, err := svc.Committee(r.Context(), id)
		return reply(w, http.StatusOK, c, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/committee", ID: "commitProcureCommittee", Tags: tags, Auth: unit,
		Summary: "登记专家抽取 / Register the project with the draw module and commit the committee draw",
		Description: "Staff of the project's unit; the project open with at least one supplier; registration closes. The draw avoids experts employed by or related to " +
			"the purchasing unit (purchaser_uscc) and the registered suppliers; a pool too small is 409 with the rules that excluded experts.",
		Query: IDPath{}, Body: procure.CommitteeInput{}, Resp: procure.Committee{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, true, func(id int64, in procure.CommitteeInput) (*procure.Committee, error) {
			return svc.CommitCommittee(r.Context(), id, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/committee/draw", ID: "runProcureCommittee", Tags: tags, Auth: unit,
		Summary: "抽取评审专家 / Run the committed committee draw with the witness's value",
		Query:   IDPath{}, Body: draw.DrawInput{}, Resp: procure.Committee{}}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusOK, true, func(id int64, in draw.DrawInput) (*procure.Committee, error) {
			return svc.RunCommittee(r.Context(), id, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/lot-results", ID: "listProcureLotResults", Tags: tags, Auth: api.AuthPublic,
		Summary:     "分包投标与评分 / Bids on a project's lots with their scores",
		Description: "The project's unit, the finance bureau and supervisors always; a supplier its own; everyone after the award.",
		Query:       IDPath{}, Resp: []procure.LotResult{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		list, err := svc.LotResults(r.Context(), id)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/lots/{lot}/evaluation", ID: "evaluateProcureLot", Tags: tags, Auth: unit,
		Summary: "分包评审 / Evaluate one lot: price deduction, price score, ranks", Query: LotPath{}, Body: procure.ScoreInput{}, Resp: []procure.LotResult{}},
		func(w http.ResponseWriter, r *http.Request) error {
			lot, err := lotParam(r)
			if err != nil {
				return err
			}
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.ScoreInput) ([]procure.LotResult, error) {
				return svc.EvaluateLot(r.Context(), id, lot, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/lots/{lot}/award", ID: "awardProcureLot", Tags: tags, Auth: unit,
		Summary: "分包确定成交 / Award one lot to its first-ranked bid and make its contract", Query: LotPath{}, Resp: procure.Project{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			lot, err := lotParam(r)
			if err != nil {
				return err
			}
			p, err := svc.AwardLot(r.Context(), id, lot)
			return reply(w, http.StatusOK, p, err)
		})
}

// sheetsFromForm reads the committee's sheets from fields named
// sheet.<alias>.<bid id>.
func sheetsFromForm(form map[string][]string) ([]procure.ExpertSheet, []string) {
	byAlias := map[string]*procure.ExpertSheet{}
	var order []string
	var bad []string
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "sheet.")
		if !ok || len(vs) == 0 {
			continue
		}
		alias, bid, ok := strings.Cut(rest, ".")
		id, err1 := parseID(bid)
		pts, err2 := parsePoints(vs[0])
		if !ok || err1 != nil || err2 != nil {
			bad = append(bad, k)
			continue
		}
		sh := byAlias[alias]
		if sh == nil {
			sh = &procure.ExpertSheet{Expert: alias}
			byAlias[alias] = sh
			order = append(order, alias)
		}
		sh.Tech = append(sh.Tech, procure.TechPoints{BidID: id, Points: pts})
	}
	out := make([]procure.ExpertSheet, 0, len(order))
	for _, a := range order {
		out = append(out, *byAlias[a])
	}
	return out, bad
}

func parseID(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) }

func parsePoints(s string) (float64, error) { return strconv.ParseFloat(strings.TrimSpace(s), 64) }

// LotPath names a lot of a project.
type LotPath struct {
	ID  int64 `path:"id" doc:"编号 / id"`
	Lot int   `path:"lot" doc:"包号 / lot number"`
}

func lotParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("lot"))
	if err != nil || n <= 0 {
		return 0, yserr.ErrNotFound("包", "lot")
	}
	return n, nil
}
