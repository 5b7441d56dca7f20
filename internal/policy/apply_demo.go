package policy

import (
	"bytes"
	"context"
	"fmt"

	"yingshang/internal/auth"
)

// loadApplyDemo gives the demo's instant policy (吸纳高校毕业生就业补贴) a
// few claims and its review-mode policy (中小微企业贷款贴息) materials,
// two review steps (the second with two departments in parallel) and
// applications in different states, the demo enterprise's among them.
func (s *Service) loadApplyDemo(ctx context.Context, byTitle map[string]*Policy) error {
	own, _ := s.Accounts.UserEntity(ctx, "enterprise")
	entCtx := func(id int64) context.Context {
		return auth.WithActor(ctx, &auth.Actor{Username: "enterprise", Name: "企业经办人", Roles: []auth.Role{auth.Enterprise}, EntityID: id, Via: "session"})
	}
	dept := func(code string) (int64, context.Context, error) {
		id, err := s.Accounts.DepartmentByCode(ctx, code)
		if err != nil {
			return 0, nil, fmt.Errorf("policy demo: department %s: %w", code, err)
		}
		return id, auth.WithActor(ctx, &auth.Actor{Username: code, Name: code + " 审核员", Roles: []auth.Role{auth.DeptStaff},
			DepartmentID: id, DeptScope: []int64{id}, Via: "session"}), nil
	}
	// Instant: the demo enterprise and three other eligible entities claim.
	if p := byTitle["吸纳高校毕业生就业补贴"]; p != nil {
		pv, err := s.Preview(ctx, p.ID)
		if err != nil {
			return err
		}
		ids := []int64{}
		if own != 0 {
			ids = append(ids, own)
		}
		for _, m := range pv.Sample {
			if len(ids) < 4 && m.EntityID != own {
				ids = append(ids, m.EntityID)
			}
		}
		for _, id := range ids {
			if _, err := s.Claim(entCtx(id), p.ID); err != nil && id != own {
				return fmt.Errorf("policy demo claim: %w", err)
			}
		}
	}
	p := byTitle["中小微企业贷款贴息"]
	if p == nil || s.Files == nil {
		return nil
	}
	fgw, fgwCtx, err := dept("XC-FGW")
	if err != nil {
		return err
	}
	czj, czjCtx, err := dept("XC-CZJ")
	if err != nil {
		return err
	}
	swj, swjCtx, err := dept("XC-SWJ")
	if err != nil {
		return err
	}
	_, err = s.SetReview(ctx, p.ID, ReviewDef{
		Materials: []Material{{Key: "loan_contract", Name: "借款合同", Required: true}, {Key: "interest_receipt", Name: "利息支付凭证", Required: true},
			{Key: "other", Name: "其他证明材料"}},
		Steps: []ReviewStep{{Name: "受理审核", Departments: []int64{fgw}, Days: 3}, {Name: "联合审核", Departments: []int64{czj, swj}, Days: 5}}})
	if err != nil {
		return err
	}
	pv, err := s.Preview(ctx, p.ID)
	if err != nil {
		return err
	}
	var ids []int64
	if own != 0 {
		ids = append(ids, own)
	}
	for _, m := range pv.Sample {
		if m.EntityID != own {
			ids = append(ids, m.EntityID)
		}
	}
	doc := func(key, name string) Upload {
		return Upload{Material: key, Name: name, Data: bytes.NewReader([]byte("%PDF-1.4\n% demo material\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))}
	}
	// The demo enterprise applies when its facts qualify; the others
	// walk through the states: waiting at step 1, half-way through the
	// parallel step, returned for supplement, approved, rejected.
	plans := []string{"waiting", "parallel", "returned", "approved", "rejected"}
	i := -1
	for _, id := range ids {
		if i+1 >= len(plans) {
			break
		}
		x, err := s.Apply(entCtx(id), p.ID, []Upload{doc("loan_contract", "借款合同.pdf"), doc("interest_receipt", "利息支付凭证.pdf")})
		if err != nil && id == own {
			continue // the demo enterprise does not qualify for this one
		}
		if err != nil {
			return fmt.Errorf("policy demo application: %w", err)
		}
		i++
		step := func(c context.Context, a AppAction, note string) error {
			var err error
			x, err = s.Decide(c, x.ID, Decision{Action: a, Note: note}, nil)
			return err
		}
		switch plans[i] {
		case "parallel":
			err = firstErr(step(fgwCtx, ActApprove, "材料齐全"), step(czjCtx, ActApprove, "贴息额度核对无误"))
		case "returned":
			err = firstErr(step(fgwCtx, ActApprove, "材料齐全"), step(swjCtx, ActReturn, "请补充加盖银行印章的利息支付凭证"))
		case "approved":
			err = firstErr(step(fgwCtx, ActApprove, "材料齐全"), step(czjCtx, ActApprove, "贴息额度核对无误"), step(swjCtx, ActApprove, "纳税记录正常"))
		case "rejected":
			err = step(fgwCtx, ActReject, "贷款用途不属于生产经营，不符合贴息范围")
		}
		if err != nil {
			return fmt.Errorf("policy demo application %s: %w", plans[i], err)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
