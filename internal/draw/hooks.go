package draw

// Hooks for other modules (bideval): draws of their own purposes built
// outside this package, sealed records, and the few project and pool
// facts they need. Each hook keeps this package's rules: staff of the
// project's department commit, every change is audited in its
// transaction.

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// seesSealed reports whether the actor may read a sealed record:
// supervisors and the platform itself.
func seesSealed(ctx context.Context) bool {
	a := auth.From(ctx)
	return a != nil && (a.IsSystem() || a.Has(auth.Supervisor))
}

func errSealed() error {
	return yserr.New(yserr.Conflict, "该抽取记录在揭示前密封，仅公布承诺；揭示后公开并可验证",
		"this draw's record is sealed until the unmasking; only its commitment is published until then")
}

// sealedRecord is what a sealed draw shows: the commitment and the spec
// (which names no candidate), no candidate list, no reveal, no picks.
func sealedRecord(r *row) (*Record, error) {
	rec := Record{Version: AlgorithmVersion, DrawID: r.ID, Commitment: r.Commitment,
		Candidates: CandidateList{Candidates: []Candidate{}, Excluded: []Exclusion{}}}
	if err := json.Unmarshal([]byte(r.specJSON), &rec.Spec); err != nil {
		return nil, err
	}
	return &rec, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// builtin purposes are committed by this package's own functions.
var builtin = []string{"experts", "staff", "witnesses", "venues", "seats"}

// CommitFor freezes and commits a draw built by another module for a
// project (e.g. purpose "codes": the bids' virtual codes). The caller
// builds the candidate list (sorted by ID) and the specification; sealed
// keeps the record from everyone but supervisors until Unseal. Only the
// trading centre's staff of the project's department may commit.
func (s *Service) CommitFor(ctx context.Context, projectID int64, purpose string, list CandidateList, spec Spec, sealed bool) (*Draw, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := staff(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	if slices.Contains(builtin, purpose) || purpose == "" || spec.Purpose != purpose {
		return nil, yserr.Field("purpose", "抽取类型不正确", "bad draw purpose")
	}
	if err := checkList(list); err != nil {
		return nil, err
	}
	spec.Algorithm = AlgorithmVersion
	return s.commit(ctx, pending{purpose: purpose, project: p, list: list, spec: spec, sealed: sealed})
}

// CommitOwned freezes and commits a draw of another module's purpose that
// belongs to no project (inspect's stratified sampling). It does no access
// check: the calling module decides, and registers in Runners who may run
// the draw. The commitment is audited in the caller's transaction.
func (s *Service) CommitOwned(ctx context.Context, purpose string, list CandidateList, spec Spec) (*Draw, error) {
	if slices.Contains(builtin, purpose) || purpose == "" || spec.Purpose != purpose || s.Runners[purpose] == nil {
		return nil, yserr.Field("purpose", "抽取类型不正确", "bad draw purpose")
	}
	if err := checkList(list); err != nil {
		return nil, err
	}
	spec.Algorithm = AlgorithmVersion
	if d := checkStrata(spec, list); len(d) > 0 {
		return nil, yserr.New(yserr.Invalid, "分层抽取规格不一致："+strings.Join(d, "; "), "the stratified specification is inconsistent: "+strings.Join(d, "; "))
	}
	return s.commit(ctx, pending{purpose: purpose, list: list, spec: spec})
}

// Unseal publishes a sealed draw's record (in the caller's transaction,
// audited as draw.unseal). Unsealing an unsealed draw does nothing.
func (s *Service) Unseal(ctx context.Context, id int64) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadDraw(ctx, id)
		if err != nil {
			return err
		}
		if err := s.canRun(ctx, r); err != nil {
			return err
		}
		if !r.Sealed {
			return nil
		}
		if r.Status != "drawn" {
			return yserr.New(yserr.Conflict, "该抽取尚未进行，不能揭示", "the draw has not taken place; it cannot be unsealed")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draws SET sealed = FALSE WHERE id = $1", id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.unseal", "draw", strconv.FormatInt(id, 10), true, false, r.Purpose)
	})
}

// LoadProject returns a project without an access check, for modules
// that decide access themselves (bideval).
func (s *Service) LoadProject(ctx context.Context, id int64) (*Project, error) {
	return s.project(ctx, id)
}

// AddBidder adds a credit code to the project's known bidders, so that
// expert draws avoid the bidder's employees and declared relations (in the
// caller's transaction, audited).
func (s *Service) AddBidder(ctx context.Context, projectID int64, uscc string) error {
	uscc = ident.NormalizeUSCC(uscc)
	if ident.ValidateUSCC(uscc) != nil {
		return yserr.Field("uscc", "投标人统一社会信用代码无效", "the bidder's credit code is invalid")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.project(ctx, projectID)
		if err != nil {
			return err
		}
		if slices.Contains(p.BidderUSCCs, uscc) {
			return nil
		}
		list := append(slices.Clone(p.BidderUSCCs), uscc)
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_projects SET bidder_usccs = $1, updated_at = $2 WHERE id = $3",
			joinList(list), s.Clock.Now(), p.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.project.bidder", "draw_project", strconv.FormatInt(p.ID, 10), p.BidderUSCCs, list, uscc)
	})
}

// MoveOpening changes a project's bid opening time, in the caller's
// transaction, audited (draw.project.opening): for module bideval, whose
// settings decide when bidders may change it. Refused for a time not in the
// future, and once a draw of the project exists (expert availability and
// the booked rooms depend on the day: cancel and draw again instead).
func (s *Service) MoveOpening(ctx context.Context, projectID int64, at time.Time) error {
	if !at.After(s.Clock.Now()) {
		return yserr.Field("opening_at", "开标时间须晚于现在", "the opening time must be in the future")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.project(ctx, projectID)
		if err != nil {
			return err
		}
		if p.OpeningAt.Equal(at) {
			return nil
		}
		var draws int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM draws WHERE project_id = $1", projectID).Scan(&draws); err != nil {
			return err
		}
		if draws > 0 {
			return yserr.Field("opening_at", "本项目已进行随机抽取（专家、场地等按开标日期抽取），开标时间不能再更改",
				"draws of this project exist (experts and rooms were drawn for the opening day): the opening can no longer change")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_projects SET opening_at = $1, updated_at = $2 WHERE id = $3", at, s.Clock.Now(), projectID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.project.opening", "draw_project", strconv.FormatInt(projectID, 10), p.OpeningAt, at, p.Code)
	})
}

// LinkExpertUser links a pool expert to a user account holding the
// expert role (评标专家账号), so that the expert can sign in and score.
// Staff of the trading centre (or a platform admin) only; a user is linked
// to at most one pool record.
func (s *Service) LinkExpertUser(ctx context.Context, expertID int64, username string) (*Expert, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		e, err := s.Expert(ctx, expertID)
		if err != nil {
			return err
		}
		uid, err := s.userID(ctx, username)
		if err != nil {
			return err
		}
		if uid == nil {
			return yserr.Field("username", "请填写用户名", "the username is required")
		}
		expert, err := s.Accounts.HasRole(ctx, uid.(int64), auth.Expert)
		if err != nil {
			return err
		}
		if !expert {
			return yserr.Field("username", "该用户没有“评标专家”角色："+username, "this user does not hold the expert role: "+username)
		}
		var other int64
		err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM draw_experts WHERE user_id = $1 AND id <> $2", uid, expertID).Scan(&other)
		if err == nil {
			return yserr.Field("username", "该账号已关联其他专家", "this account is already linked to another expert")
		}
		if !db.IsNoRows(err) {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_experts SET user_id = $1, updated_at = $2 WHERE id = $3", uid, s.Clock.Now(), expertID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.expert.link", "draw_expert", strconv.FormatInt(expertID, 10), e.UserID, uid, username)
	})
	if err != nil {
		return nil, err
	}
	return s.Expert(ctx, expertID)
}
