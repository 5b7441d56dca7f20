package policy

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy/rules"
)

// The .xlsx exports: the eligible list of a policy (every entity its
// current version matches now, with the amount and the reasons), a
// policy's grants, and an enterprise's statement. Headers are bilingual,
// codes are written as their Chinese labels, amounts in yuan as numbers.

// sheetWriter writes rows to one sheet through excelize's stream writer.
type sheetWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newSheet(name string, widths map[int]float64, head ...any) (*sheetWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		f.Close()
		return nil, err
	}
	for col, w := range widths {
		if err := sw.SetColWidth(col, col, w); err != nil {
			f.Close()
			return nil, err
		}
	}
	x := &sheetWriter{f: f, sw: sw}
	return x, x.add(head...)
}

func (x *sheetWriter) add(cells ...any) error {
	x.row++
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, cells)
}

func (x *sheetWriter) finish(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(w)
}

func yuan(fen int64) float64 { return float64(fen) / 100 }

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02")
}

// heldReasons joins the conditions that held, in Chinese.
func heldReasons(steps []rules.Step) string {
	var out []string
	for _, st := range steps {
		if st.Held && st.Fact != "" {
			out = append(out, st.Text.ZH)
		}
	}
	return strings.Join(out, "；")
}

// ExportEligible writes the eligible list of a policy as .xlsx: every
// entity its current version matches now, with the amount, how it was
// computed and the conditions that held (the policy's editors and
// supervisors, as Preview).
func (s *Service) ExportEligible(ctx context.Context, policyID int64, w io.Writer) error {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return err
	}
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return err
	}
	env := s.env()
	var ms []Match
	err = s.EachFacts(ctx, p.FactYear, needsCredit(prog), func(f *rules.Facts) error {
		if prog.Match(f, env) {
			ms = append(ms, decide(p, prog, f, env))
		}
		return nil
	})
	if err != nil {
		return err
	}
	x, err := newSheet("符合条件名单", map[int]float64{2: 22, 3: 36, 5: 40, 6: 60},
		"序号 No.", "统一社会信用代码 USCC", "企业名称 Entity", "测算金额（元）Amount (yuan)", "计算方法 How", "符合的条件 Conditions held", "政策版本 Version")
	if err != nil {
		return err
	}
	for lo := 0; lo < len(ms); lo += 1000 {
		chunk := ms[lo:min(lo+1000, len(ms))]
		ids := make([]int64, len(chunk))
		for i, m := range chunk {
			ids[i] = m.EntityID
		}
		refs, err := s.Entities.Refs(ctx, ids)
		if err != nil {
			x.f.Close()
			return err
		}
		for i, m := range chunk {
			ref := refs[m.EntityID]
			if err := x.add(lo+i+1, ref.USCC, ref.Name, yuan(m.AmountFen), m.AmountHow.ZH, heldReasons(m.Steps), m.Version); err != nil {
				x.f.Close()
				return err
			}
		}
	}
	if err := s.Audit.Record(ctx, "policy.export.eligible", "policy", strconv.FormatInt(p.ID, 10), nil, map[string]int{"rows": len(ms)}, ""); err != nil {
		x.f.Close()
		return err
	}
	return x.finish(w)
}

// ExportGrants writes a policy's grants (for a period, or all) as .xlsx:
// status, amount, the version decided under, dates, the exclusion reason
// and the payment reference (readers as Grants).
func (s *Service) ExportGrants(ctx context.Context, policyID int64, period string, w io.Writer) error {
	gs, err := s.Grants(ctx, policyID, period)
	if err != nil {
		return err
	}
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.EntityID
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return err
	}
	x, err := newSheet("兑现记录", map[int]float64{3: 22, 4: 36, 11: 40},
		"编号 ID", "所属期 Period", "统一社会信用代码 USCC", "企业名称 Entity", "金额（元）Amount (yuan)", "状态 Status", "政策版本 Version",
		"受理日期 Accepted", "审核日期 Approved", "到账日期 Paid", "排除原因 Reason", "支付流水号 Payment ref", "代发批次 Batch")
	if err != nil {
		return err
	}
	for _, g := range gs {
		batch := ""
		if g.BatchID != nil {
			batch = strconv.FormatInt(*g.BatchID, 10)
		}
		if err := x.add(g.ID, g.Period, refs[g.EntityID].USCC, g.Entity, yuan(g.AmountFen), Label(g.Status, "zh"), g.Version,
			day(&g.CreatedAt), day(g.ApprovedAt), day(g.PaidAt), g.Reason.ZH, g.PaymentRef, batch); err != nil {
			x.f.Close()
			return err
		}
	}
	if err := s.Audit.Record(ctx, "policy.export.grants", "policy", strconv.FormatInt(policyID, 10), nil, map[string]any{"rows": len(gs), "period": period}, ""); err != nil {
		x.f.Close()
		return err
	}
	return x.finish(w)
}

// ExportStatement writes an entity's statement for a year as .xlsx (the
// readers of StatementOf).
func (s *Service) ExportStatement(ctx context.Context, entityID int64, year int, w io.Writer) error {
	st, err := s.StatementOf(ctx, entityID, year)
	if err != nil {
		return err
	}
	x, err := newSheet("红利账单", map[int]float64{2: 36, 3: 30},
		"序号 No.", "政策 Policy", "兑付部门 Paid by", "所属期 Period", "政策版本 Version", "金额（元）Amount (yuan)", "到账日期 Paid on", "支付流水号 Payment ref")
	if err != nil {
		return err
	}
	for i, g := range st.Grants {
		if err := x.add(i+1, g.Policy, g.Department, g.Period, g.Version, yuan(g.AmountFen), day(g.PaidAt), g.PaymentRef); err != nil {
			x.f.Close()
			return err
		}
	}
	if err := x.add("合计 Total", st.Entity, st.USCC, strconv.Itoa(year), "", yuan(st.TotalFen)); err != nil {
		x.f.Close()
		return err
	}
	return x.finish(w)
}
