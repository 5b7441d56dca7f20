package policy

import (
	"context"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/importkit"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// Payment batches (代发批次): the approved grants of a policy and period
// go to the bank in one .xlsx file; the bank's result file settles the
// batch. The import is checked whole before anything is written: a row
// that names a grant outside the batch, a wrong amount, an unknown result
// or a success without the bank's reference is a row error naming the
// row and column, and then nothing is written. A valid file is applied in
// one transaction: each paid grant becomes 到账 (its notice queued), each
// failed one returns to the approved list with the bank's reason in the
// audit log.

// Batch statuses.
const (
	BatchOpen    = "open"    // sent to the bank, result not yet imported
	BatchSettled = "settled" // the bank's result imported
)

// Batch is one payment batch.
type Batch struct {
	ID        int64      `json:"id"`
	PolicyID  int64      `json:"policy_id"`
	Period    string     `json:"period"`
	Status    string     `json:"status" enum:"open,settled"`
	Grants    int        `json:"grants"`
	TotalFen  int64      `json:"total_fen"`
	Total     string     `json:"total"`
	Paid      int        `json:"paid"`
	Failed    int        `json:"failed"`
	CreatedAt time.Time  `json:"created_at"`
	SettledAt *time.Time `json:"settled_at,omitempty"`
}

func init() {
	labels[BatchOpen] = rules.Line{ZH: "待银行回盘", EN: "awaiting the bank's result"}
	labels[BatchSettled] = rules.Line{ZH: "已回盘", EN: "settled"}
}

const batchCols = "id, policy_id, period, status, grants, total_fen, paid, failed, created_at, settled_at"

func scanBatch(r db.Row, b *Batch) error {
	if err := r.Scan(&b.ID, &b.PolicyID, &b.Period, &b.Status, &b.Grants, &b.TotalFen, &b.Paid, &b.Failed, &b.CreatedAt, &b.SettledAt); err != nil {
		return err
	}
	b.Total = rules.Fen(b.TotalFen)
	return nil
}

// CreateBatch gathers the approved grants of a policy and period that are
// in no batch yet into a new payment batch (the policy's department).
func (s *Service) CreateBatch(ctx context.Context, policyID int64, period string) (*Batch, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	a, err := editor(ctx, p.DepartmentID)
	if err != nil {
		return nil, err
	}
	period = strings.TrimSpace(period)
	if period == "" {
		period = strconv.Itoa(p.FactYear)
	}
	b := &Batch{PolicyID: p.ID, Period: period, Status: BatchOpen, CreatedAt: s.now()}
	var by *int64
	if a.UserID != 0 {
		by = &a.UserID
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM policy_grants
			WHERE policy_id = $1 AND period = $2 AND status = 'approved' AND batch_id IS NULL`, p.ID, period).Scan(&b.Grants, &b.TotalFen); err != nil {
			return err
		}
		if b.Grants == 0 {
			return yserr.New(yserr.Conflict, "没有待支付的已审核兑现记录", "no approved grant is waiting for payment")
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_batches (policy_id, period, status, grants, total_fen, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.ID, period, BatchOpen, b.Grants, b.TotalFen, by, b.CreatedAt).Scan(&b.ID); err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_grants SET batch_id = $1
			WHERE policy_id = $2 AND period = $3 AND status = 'approved' AND batch_id IS NULL`, b.ID, p.ID, period)
		if err != nil {
			return err
		}
		if int(n) != b.Grants {
			return yserr.New(yserr.Conflict, "兑现记录正被他人处理，请重试", "the grants are being handled by someone else; try again")
		}
		b.Total = rules.Fen(b.TotalFen)
		return s.Audit.Record(ctx, "policy.batch.create", "policy_batch", strconv.FormatInt(b.ID, 10), nil, b, "")
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// batch reads a batch and its policy, checking the caller edits the
// policy's department (supervisors may read when read is set).
func (s *Service) batch(ctx context.Context, id int64, read bool) (*Batch, *Policy, error) {
	b := &Batch{}
	err := scanBatch(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+batchCols+" FROM policy_batches WHERE id = $1", id), b)
	if db.IsNoRows(err) {
		return nil, nil, yserr.ErrNotFound("代发批次", "payment batch")
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := s.get(ctx, b.PolicyID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !(read && auth.From(ctx).Has(auth.Supervisor)) {
		return nil, nil, err
	}
	return b, p, nil
}

// Batches lists a policy's payment batches, newest first.
func (s *Service) Batches(ctx context.Context, policyID int64) ([]Batch, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+batchCols+" FROM policy_batches WHERE policy_id = $1 ORDER BY id DESC LIMIT 200", policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Batch{}
	for rows.Next() {
		var b Batch
		if err := scanBatch(rows, &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BankColumns is the layout of the bank file: the platform fills the
// first six columns, the bank returns the file with the last three.
var BankColumns = []importkit.Column{
	{Key: "no", Header: "序号"},
	{Key: "grant", Header: "明细编号", Aliases: []string{"grant id", "明细号"}, Required: true},
	{Key: "uscc", Header: "统一社会信用代码", Aliases: []string{"USCC", "信用代码"}},
	{Key: "name", Header: "收款单位", Aliases: []string{"payee"}},
	{Key: "amount", Header: "金额（元）", Aliases: []string{"金额", "amount"}, Required: true},
	{Key: "purpose", Header: "用途", Aliases: []string{"purpose"}},
	{Key: "result", Header: "处理结果", Aliases: []string{"结果", "result"}, Required: true},
	{Key: "ref", Header: "银行流水号", Aliases: []string{"流水号", "bank ref"}},
	{Key: "reason", Header: "失败原因", Aliases: []string{"reason"}},
}

// BankSheet is the bank file's sheet name.
const BankSheet = "代发明细"

// BankFile writes an open batch's bank file (.xlsx, sheet 代发明细, in
// the layout of BankColumns, the result columns empty).
func (s *Service) BankFile(ctx context.Context, batchID int64, w io.Writer) error {
	b, p, err := s.batch(ctx, batchID, false)
	if err != nil {
		return err
	}
	gs, err := s.grants(ctx, "g.batch_id = $1", b.ID)
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
	head := make([]any, len(BankColumns))
	for i, c := range BankColumns {
		head[i] = c.Header
	}
	x, err := newSheet(BankSheet, map[int]float64{3: 22, 4: 36, 6: 40, 8: 24, 9: 30}, head...)
	if err != nil {
		return err
	}
	purpose := p.Title + " " + b.Period
	for i, g := range gs {
		if err := x.add(i+1, strconv.FormatInt(g.ID, 10), refs[g.EntityID].USCC, g.Entity, yuan(g.AmountFen), purpose, "", "", ""); err != nil {
			x.f.Close()
			return err
		}
	}
	if err := s.Audit.Record(ctx, "policy.batch.export", "policy_batch", strconv.FormatInt(b.ID, 10), nil, map[string]int{"rows": len(gs)}, ""); err != nil {
		x.f.Close()
		return err
	}
	return x.finish(w)
}

// BankImport is the outcome of ImportBankResult.
type BankImport struct {
	importkit.Report
	BatchID int64 `json:"batch_id"`
	Paid    int   `json:"paid"`
	Failed  int   `json:"failed"`
}

// bankRow is one checked row of the bank's result.
type bankRow struct {
	grant  int64
	ok     bool
	ref    string
	reason string
}

// ImportBankResult reads the bank's result file of an open batch and, if
// every row is valid and every grant of the batch has exactly one row,
// applies it in one transaction. With any row error nothing is written
// and the report names the rows.
func (s *Service) ImportBankResult(ctx context.Context, batchID int64, r io.Reader) (*BankImport, error) {
	b, p, err := s.batch(ctx, batchID, false)
	if err != nil {
		return nil, err
	}
	if b.Status != BatchOpen {
		return nil, yserr.New(yserr.Conflict, "该批次已回盘", "the batch is already settled")
	}
	gs, err := s.grants(ctx, "g.batch_id = $1", b.ID)
	if err != nil {
		return nil, err
	}
	inBatch := map[int64]*Grant{}
	for i := range gs {
		inBatch[gs[i].ID] = &gs[i]
	}
	rd, err := importkit.Open(r, importkit.Options{Sheets: []string{BankSheet}})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	h, err := rd.Header(BankColumns, importkit.HeaderOptions{})
	if err != nil {
		return nil, err
	}
	rep := &BankImport{Report: importkit.NewReport(), BatchID: b.ID}
	seen := map[int64]int{}
	var good []bankRow
	for {
		n, cells, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if importkit.Blank(cells) {
			continue
		}
		rep.Total++
		var errs []importkit.RowError
		bad := func(key, zh, en string) {
			errs = append(errs, importkit.RowError{Row: n, Column: h.Column(key), Field: key, ZH: zh, EN: en})
		}
		var row bankRow
		cell := strings.TrimSpace(h.Get(cells, "grant"))
		id, ok := importkit.Int(cell)
		g := inBatch[int64(id)]
		switch {
		case !ok || g == nil:
			bad("grant", "明细编号“"+cell+"”不属于本批次", "grant \""+cell+"\" is not in this batch")
		case seen[int64(id)] != 0:
			bad("grant", "明细编号 "+cell+" 与第 "+strconv.Itoa(seen[int64(id)])+" 行重复", "grant "+cell+" repeats row "+strconv.Itoa(seen[int64(id)]))
		default:
			seen[int64(id)] = n
			row.grant = int64(id)
		}
		amt, ok := importkit.Amount(h.Get(cells, "amount"), importkit.Yuan)
		if !ok {
			bad("amount", "金额应为数字", "the amount must be a number")
		} else if g != nil && int64(math.Round(amt*100)) != g.AmountFen {
			bad("amount", "金额 "+rules.Fen(int64(math.Round(amt*100)))+" 与批次中的 "+g.AmountText+" 不符",
				"the amount "+rules.Fen(int64(math.Round(amt*100)))+" differs from the batch's "+g.AmountText)
		}
		res := strings.ToLower(strings.TrimSpace(h.Get(cells, "result")))
		row.ref = strings.TrimSpace(h.Get(cells, "ref"))
		row.reason = strings.TrimSpace(h.Get(cells, "reason"))
		switch res {
		case "成功", "success", "ok", "paid":
			row.ok = true
			if row.ref == "" {
				bad("ref", "支付成功的明细须有银行流水号", "a paid row needs the bank's reference")
			} else if len(row.ref) > 64 {
				bad("ref", "银行流水号过长（不超过 64 个字符）", "the bank's reference is too long (at most 64 characters)")
			}
		case "失败", "failed", "fail":
			if row.reason == "" {
				bad("reason", "支付失败的明细须写明失败原因", "a failed row needs the bank's reason")
			}
		default:
			bad("result", "处理结果应为“成功”或“失败”，而不是“"+res+"”", "the result must be 成功 (success) or 失败 (failed), not \""+res+"\"")
		}
		if len(errs) > 0 {
			rep.AddBad(errs...)
			continue
		}
		good = append(good, row)
	}
	for _, g := range gs {
		if seen[g.ID] == 0 {
			rep.AddBad(importkit.RowError{Column: h.Column("grant"), Field: "grant",
				ZH: "回盘文件缺少明细编号 " + strconv.FormatInt(g.ID, 10) + "（" + g.Entity + "）",
				EN: "the result file lacks grant " + strconv.FormatInt(g.ID, 10) + " (" + g.Entity + ")"})
		}
	}
	rep.SortRows()
	if rep.Bad > 0 {
		return rep, nil
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		for _, row := range good {
			g := inBatch[row.grant]
			id := strconv.FormatInt(g.ID, 10)
			if !row.ok {
				n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_grants SET batch_id = NULL WHERE id = $1 AND batch_id = $2 AND status = 'approved'", g.ID, b.ID)
				if err != nil {
					return err
				}
				if n != 1 {
					return yserr.Newf(yserr.Conflict, "兑现记录 %d 已被他人处理", "grant %d was handled by someone else", g.ID)
				}
				if err := s.Audit.Record(ctx, "policy.grant.payment_failed", "policy_grant", id, map[string]any{"batch_id": b.ID},
					map[string]any{"batch_id": nil, "bank_reason": row.reason}, ""); err != nil {
					return err
				}
				rep.Failed++
				continue
			}
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_grants SET status = 'paid', paid_at = $1, payment_ref = $2 WHERE id = $3 AND batch_id = $4 AND status = 'approved'",
				now, row.ref, g.ID, b.ID)
			if err != nil {
				return err
			}
			if n != 1 {
				return yserr.Newf(yserr.Conflict, "兑现记录 %d 已被他人处理", "grant %d was handled by someone else", g.ID)
			}
			if err := s.Audit.Record(ctx, "policy.grant."+GrantPaid, "policy_grant", id, map[string]string{"status": GrantApproved},
				map[string]string{"status": GrantPaid, "payment_ref": row.ref}, ""); err != nil {
				return err
			}
			g.Status, g.PaidAt, g.PaymentRef = GrantPaid, &now, row.ref
			if err := s.notice(ctx, p.Title, g); err != nil {
				return err
			}
			rep.Paid++
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_batches SET status = $1, paid = $2, failed = $3, settled_at = $4 WHERE id = $5 AND status = $6",
			BatchSettled, rep.Paid, rep.Failed, now, b.ID, BatchOpen)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "该批次已回盘", "the batch is already settled")
		}
		return s.Audit.Record(ctx, "policy.batch.settle", "policy_batch", strconv.FormatInt(b.ID, 10), map[string]string{"status": BatchOpen},
			map[string]any{"status": BatchSettled, "paid": rep.Paid, "failed": rep.Failed}, "")
	})
	if err != nil {
		return nil, err
	}
	rep.Committed = true
	return rep, nil
}

// BatchOf returns a payment batch with the grants still in it (paid ones
// keep their batch; failed ones left it) for the policy's editors and
// supervisors.
func (s *Service) BatchOf(ctx context.Context, id int64) (*Batch, *Policy, []Grant, error) {
	b, p, err := s.batch(ctx, id, true)
	if err != nil {
		return nil, nil, nil, err
	}
	gs, err := s.grants(ctx, "g.batch_id = $1", b.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, p, gs, nil
}
