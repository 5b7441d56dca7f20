package policy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	goqr "github.com/piglig/go-qr"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// StatementCheck is what the public verification page shows for the code
// printed on a statement PDF.
type StatementCheck struct {
	Code     string    `json:"code"`
	Entity   string    `json:"entity"`
	USCC     string    `json:"uscc"`
	Year     int       `json:"year"`
	Grants   int       `json:"grants" doc:"grants on the statement"`
	TotalFen int64     `json:"total_fen"`
	Total    string    `json:"total"`
	Digest   string    `json:"digest" doc:"SHA-256 of the statement's content"`
	IssuedAt time.Time `json:"issued_at"`
}

// newCode returns a random verification code such as 7KQ2-M9XD-4TBR-P3WH
// (no 0/O, 1/I to misread).
func newCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

// VerifyURL is the public address that verifies a statement code.
func (s *Service) VerifyURL(code string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/public/policy/verify?code=" + code
}

// StatementPDF makes the PDF of an entity's benefit statement for a year
// (the same readers as StatementOf), with a verification code, its QR
// code and the SHA-256 of the content; the code is stored for the public
// verification page and the issue is audited.
func (s *Service) StatementPDF(ctx context.Context, entityID int64, year int) (*StatementCheck, []byte, error) {
	st, err := s.StatementOf(ctx, entityID, year)
	if err != nil {
		return nil, nil, err
	}
	c := &StatementCheck{Code: newCode(), Entity: st.Entity, USCC: st.USCC, Year: year, Grants: len(st.Grants), TotalFen: st.TotalFen,
		Total: st.Total, IssuedAt: s.now()}
	body, err := json.Marshal(struct {
		S *Statement
		C string
	}{st, c.Code})
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(body)
	c.Digest = hex.EncodeToString(sum[:])
	var by *int64
	if a := auth.From(ctx); a != nil && a.UserID != 0 {
		by = &a.UserID
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_statements (code, entity_id, year, grants, total_fen, digest, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.Code, entityID, year, c.Grants, c.TotalFen, c.Digest, by, c.IssuedAt); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "policy.statement", "entity", strconv.FormatInt(entityID, 10), nil, c, "")
	})
	if err != nil {
		return nil, nil, err
	}
	pdf, err := s.statementPDF(c, st)
	if err != nil {
		return nil, nil, err
	}
	return c, pdf, nil
}

// qrSide is the side of the printed QR code in points.
const qrSide = 96.0

func (s *Service) statementPDF(c *StatementCheck, st *Statement) ([]byte, error) {
	p := credit.NewPDF(fmt.Sprintf("红利账单 %d %s", c.Year, c.Code))
	p.Heading(20, fmt.Sprintf("惠企政策红利账单（%d 年度）", c.Year))
	p.Heading(11, fmt.Sprintf("Benefit statement %d · 核验码 Verification code %s", c.Year, c.Code))
	p.Rule()
	p.Para(12, 0, "企业名称 Name："+st.Entity)
	p.Para(12, 0, "统一社会信用代码 USCC："+st.USCC)
	p.Para(12, 0, "生成时间 Issued："+c.IssuedAt.In(calendar.Shanghai).Format("2006-01-02 15:04"))
	p.Para(13, 0, fmt.Sprintf("本年度到账 Paid this year：%d 笔 grants，合计 total %s", c.Grants, c.Total))
	p.Gap(6)
	if len(st.Grants) == 0 {
		p.Para(11, 12, "本年度无到账的政策资金。No grant was paid this year.")
	}
	for i, g := range st.Grants {
		p.Para(11, 12, fmt.Sprintf("%d. %s  %s", i+1, g.Policy, g.AmountText))
		paid := ""
		if g.PaidAt != nil {
			paid = g.PaidAt.In(calendar.Shanghai).Format("2006-01-02")
		}
		p.Para(10, 28, fmt.Sprintf("兑付部门 Paid by：%s · 到账日期 Paid on：%s · 所属期 Period：%s · 政策版本 Version：%d · 流水号 Ref：%s",
			g.Department, paid, g.Period, g.Version, g.PaymentRef))
	}
	p.Gap(6)
	p.Rule()
	p.Para(9, 0, "本账单列出本年度已到账的惠企政策资金。This statement lists the policy grants paid in the year.")
	p.Para(9, 0, "扫码或访问以下地址核验 Scan or visit to verify: "+s.VerifyURL(c.Code))
	p.Para(9, 0, "SHA-256: "+c.Digest)
	q, err := goqr.EncodeText(s.VerifyURL(c.Code), goqr.Medium)
	if err != nil {
		return nil, err
	}
	n := q.Size()
	mod := qrSide / float64(n+8) // a 4-module quiet zone each side
	top := p.Block(qrSide + 8)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if q.Module(x, y) {
				p.Box(p.Left()+float64(x+4)*mod, top+float64(y+4)*mod, mod, mod)
			}
		}
	}
	return p.Bytes(), nil
}

// VerifyStatement looks up a statement code (anyone may, signed in or
// not).
func (s *Service) VerifyStatement(ctx context.Context, code string) (*StatementCheck, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	c := &StatementCheck{Code: code}
	var ent int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT entity_id, year, grants, total_fen, digest, created_at FROM policy_statements WHERE code = $1`, code).
		Scan(&ent, &c.Year, &c.Grants, &c.TotalFen, &c.Digest, &c.IssuedAt)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("核验码", "verification code")
	}
	if err != nil {
		return nil, err
	}
	ref, err := s.Entities.Ref(ctx, ent, "")
	if err != nil {
		return nil, err
	}
	c.Entity, c.USCC, c.Total = ref.Name, ref.USCC, rules.Fen(c.TotalFen)
	return c, nil
}
