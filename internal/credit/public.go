package credit

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"yingshang/internal/ident"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// PublicEntity is a search hit on the public credit page.
type PublicEntity struct {
	USCC      string `json:"uscc"`
	Name      string `json:"name"`
	Published int    `json:"published" doc:"records under publicity: penalties, list entries and other records whose publicity period is running (repaired or expired ones are not counted)"`
	Local     bool   `json:"local" doc:"registered in this installation's own region (listed first)"`
}

// homeRegion is HomeRegion, or the region of the top-level department.
func (s *Service) homeRegion(ctx context.Context) (string, error) {
	if s.HomeRegion != "" {
		return s.HomeRegion, nil
	}
	depts, err := s.Accounts.ListDepartments(auth.WithActor(ctx, auth.System("credit-public")))
	if err != nil {
		return "", err
	}
	for _, d := range depts {
		if d.ParentID == 0 && d.RegionCode != "" {
			return d.RegionCode, nil
		}
	}
	return "", nil
}

// PublicSearch finds entities by exact credit code or a name fragment
// (at most 20), with the number of records under publicity. Anyone may
// search.
func (s *Service) PublicSearch(ctx context.Context, q string) ([]PublicEntity, error) {
	q = strings.TrimSpace(q)
	if len([]rune(q)) < 2 {
		return nil, yserr.Field("q", "请输入至少两个字的企业名称或统一社会信用代码", "enter at least two characters of a name or a credit code")
	}
	// A whole code mistyped is answered with what is wrong with it (e.g.
	// "第18位校验码不对，请核对"), not with "nothing found".
	if code := ident.NormalizeUSCC(q); looksLikeUSCC(code) {
		if err := ident.ValidateUSCC(code); err != nil {
			var v yserr.Validation
			v.AddErr("q", err)
			return nil, v.Err()
		}
	}
	region, err := s.homeRegion(ctx)
	if err != nil {
		return nil, err
	}
	found, err := s.Entities.FindRefsFrom(ctx, q, strings.NewReplacer("%", "", "_", "").Replace(q), region, 20)
	if err != nil {
		return nil, err
	}
	out := []PublicEntity{}
	if len(found) == 0 {
		return out, nil
	}
	ph := make([]string, len(found))
	args := make([]any, len(found))
	for i, e := range found {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), e.ID
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id, COUNT(*) FROM credit_records WHERE status = 'published' AND entity_id IN ("+
		strings.Join(ph, ", ")+") GROUP BY entity_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	published := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		published[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, e := range found {
		out = append(out, PublicEntity{USCC: e.USCC, Name: e.Name, Published: published[e.ID], Local: e.InRegion})
	}
	return out, nil
}

// PublicRecord is a record as the public sees it.
type PublicRecord struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Class      string    `json:"class,omitempty"`
	Department string    `json:"department"`
	DecisionNo string    `json:"decision_no,omitempty"`
	DecidedOn  string    `json:"decided_on"`
	Title      string    `json:"title,omitempty"`
	LegalBasis string    `json:"legal_basis,omitempty"`
	Penalties  []Penalty `json:"penalties,omitempty"`
	TaxGrade   string    `json:"tax_grade,omitempty"`
	MaxEnd     string    `json:"publicity_until,omitempty"`
}

// PublicProfile is the public credit page of an entity (信用公示).
type PublicProfile struct {
	USCC    string         `json:"uscc"`
	Name    string         `json:"name"`
	Records []PublicRecord `json:"records" doc:"records under publicity only"`
}

// PublicOf returns the public credit page of an entity by id.
func (s *Service) PublicOf(ctx context.Context, entityID int64) (*PublicProfile, error) {
	e, err := s.entity(ctx, entityID, "")
	if err != nil {
		return nil, err
	}
	return s.Public(ctx, e.USCC)
}

// Public returns the public credit page of an entity: records under
// publicity only; repaired, expired, removed and unpublished records never
// appear. Anyone may read it.
func (s *Service) Public(ctx context.Context, uscc string) (*PublicProfile, error) {
	e, err := s.entity(ctx, 0, uscc)
	if err != nil {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	p := &PublicProfile{USCC: e.USCC, Name: e.Name, Records: []PublicRecord{}}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.entity_id = $1 AND r.status = 'published' ORDER BY r.decided_on DESC, r.id DESC", e.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.nameRecords(ctx, list); err != nil {
		return nil, err
	}
	for _, r := range list {
		p.Records = append(p.Records, PublicRecord{ID: r.ID, Kind: r.Kind, Class: r.Class, Department: r.DepartmentName, DecisionNo: r.Content.DecisionNo,
			DecidedOn: r.Content.DecidedOn, Title: r.Content.Title, LegalBasis: r.Content.LegalBasis, Penalties: r.Content.Penalties, TaxGrade: r.Content.TaxGrade, MaxEnd: r.MaxEnd})
	}
	return p, rows.Err()
}

// ExportColumns are the columns of the exchange export, in order (the
// JSON export uses the same names as keys).
var ExportColumns = []string{"record_id", "version", "uscc", "entity_name", "kind", "class", "status", "decision_no", "decided_on",
	"legal_basis", "penalty_types", "amount_yuan", "department_code", "department_name", "publicity_start", "min_end", "max_end", "ended_at", "updated_at"}

// Export writes the records changed since `since` (all when zero) for the
// provincial platform, as CSV or JSON lines-free JSON array. Repaired and
// expired records are included with their status, so that the receiver
// stops publishing them. Staff, supervisors and platform admins only.
func (s *Service) Export(ctx context.Context, w io.Writer, format string, since time.Time) error {
	return s.ExportWithHeader(ctx, w, format, since, ExportColumns)
}

// ExportHeaders name the export's columns in Chinese and English, for a
// person's download (the exchange keeps ExportColumns).
var ExportHeaders = map[string][2]string{
	"record_id": {"记录编号", "Record id"}, "version": {"版本", "Version"}, "uscc": {"统一社会信用代码", "Credit code"},
	"entity_name": {"主体名称", "Entity name"}, "kind": {"信息类别", "Kind"}, "class": {"类别", "Class"}, "status": {"状态", "Status"},
	"decision_no": {"决定文书号", "Decision no."}, "decided_on": {"决定日期", "Decided on"}, "legal_basis": {"法律依据", "Legal basis"},
	"penalty_types": {"处罚类别", "Penalty types"}, "amount_yuan": {"金额（元）", "Amount (yuan)"}, "department_code": {"部门代码", "Department code"},
	"department_name": {"认定部门", "Department"}, "publicity_start": {"公示起始日", "Publicity start"}, "min_end": {"最短公示期届满日", "Minimum publicity end"},
	"max_end": {"最长公示期届满日", "Maximum publicity end"}, "ended_at": {"结束公示时间", "Publicity ended"}, "updated_at": {"更新时间", "Updated at"},
}

// ExportHeader returns the export's CSV header in lang ("en" or Chinese).
func ExportHeader(lang string) []string {
	out := make([]string, len(ExportColumns))
	for i, c := range ExportColumns {
		out[i] = ExportHeaders[c][0]
		if lang == "en" {
			out[i] = ExportHeaders[c][1]
		}
	}
	return out
}

// ExportWithHeader is Export with the CSV header row given (a person's
// download names the columns in the person's language).
func (s *Service) ExportWithHeader(ctx context.Context, w io.Writer, format string, since time.Time, header []string) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return err
	}
	if format != "csv" && format != "json" {
		return yserr.Field("format", "格式须为 csv 或 json", "format must be csv or json")
	}
	cw := csv.NewWriter(w)
	if format == "csv" {
		if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
			return err
		}
		if err := cw.Write(header); err != nil {
			return err
		}
	} else if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	// Pages of records by id; the names of each page's entities and
	// departments come from their owners in one call each.
	const pageSize = 1000
	for after := int64(0); ; {
		page, err := s.exportPage(ctx, since, after, pageSize)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].id
		ents := make([]int64, len(page))
		depts := make([]int64, len(page))
		for i, x := range page {
			ents[i], depts[i] = x.entity, x.dept
		}
		er, err := s.entityRefs(ctx, ents)
		if err != nil {
			return err
		}
		dr, err := s.deptRefs(ctx, depts)
		if err != nil {
			return err
		}
		for _, x := range page {
			c, err := parseContent(x.content)
			if err != nil {
				return err
			}
			var types []string
			amount := 0.0
			for _, p := range c.Penalties {
				types = append(types, p.Type)
				amount += p.Amount
			}
			endedS := ""
			if x.ended != nil {
				endedS = x.ended.In(cst).Format(time.RFC3339)
			}
			e, d := er[x.entity], dr[x.dept]
			vals := []string{strconv.FormatInt(x.id, 10), strconv.Itoa(x.ver), e.USCC, e.Name, x.kind, x.class, x.status, c.DecisionNo, c.DecidedOn, c.LegalBasis,
				strings.Join(types, ";"), strconv.FormatFloat(amount, 'f', 2, 64), d.Code, d.Name, x.start, x.minEnd, x.maxEnd, endedS, x.updated.In(cst).Format(time.RFC3339)}
			if format == "csv" {
				for i, v := range vals {
					if v != "" && strings.ContainsAny(v[:1], "=+-@") {
						vals[i] = "'" + v
					}
				}
				if err := cw.Write(vals); err != nil {
					return err
				}
				continue
			}
			obj := map[string]string{}
			for i, k := range ExportColumns {
				obj[k] = vals[i]
			}
			b, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			sep := ","
			if first {
				sep = ""
			}
			first = false
			if _, err := io.WriteString(w, sep+"\n"+string(b)); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			break
		}
	}
	if format == "csv" {
		cw.Flush()
		return cw.Error()
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

// Verification is what the public verification page shows for a code.
type Verification struct {
	Code       string    `json:"code"`
	Kind       string    `json:"kind" enum:"report,notice"`
	USCC       string    `json:"uscc"`
	Entity     string    `json:"entity"`
	Grade      string    `json:"grade,omitempty"`
	Records    int       `json:"records"`
	Digest     string    `json:"digest,omitempty" doc:"SHA-256 of the report content"`
	DecisionNo string    `json:"decision_no,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Report produces the credit report PDF of an entity (records in force
// and under publicity, the grade with its reasons) and stores its
// verification code. An enterprise may report on itself only.
func (s *Service) Report(ctx context.Context, entityID int64) (*Verification, []byte, error) {
	a, only, err := reader(ctx)
	if err != nil {
		return nil, nil, err
	}
	if only != 0 && only != entityID {
		return nil, nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	e, err := s.entity(ctx, entityID, "")
	if err != nil {
		return nil, nil, err
	}
	prof, err := s.Public(ctx, e.USCC)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.gradeOf(ctx, e.ID)
	if err != nil {
		return nil, nil, err
	}
	v := &Verification{Code: newCode(), Kind: "report", USCC: e.USCC, Entity: e.Name, Grade: g.Grade, Records: len(prof.Records), IssuedAt: s.now()}
	body, err := json.Marshal(struct {
		P *PublicProfile
		G *Grade
		C string
	}{prof, g, v.Code})
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(body)
	v.Digest = hex.EncodeToString(sum[:])
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_reports (code, entity_id, grade, records, digest, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			v.Code, e.ID, g.Grade, v.Records, v.Digest, actorID(a), v.IssuedAt); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.report", "entity", strconv.FormatInt(e.ID, 10), nil, v, "")
	})
	if err != nil {
		return nil, nil, err
	}
	return v, s.reportPDF(v, prof, g), nil
}

func (s *Service) reportPDF(v *Verification, prof *PublicProfile, g *Grade) []byte {
	p := NewPDF("信用报告 " + v.Code)
	p.Heading(20, "企业信用报告")
	p.Heading(11, "Credit report · 核验码 Verification code "+v.Code)
	p.Rule()
	p.Para(12, 0, "企业名称 Name："+prof.Name)
	p.Para(12, 0, "统一社会信用代码 USCC："+prof.USCC)
	p.Para(12, 0, "生成时间 Issued："+v.IssuedAt.In(cst).Format("2006-01-02 15:04"))
	grade := "信用等级 Grade：" + g.Grade
	if g.Colour != "" {
		grade += "（" + ColourLabel(g.Colour, "zh") + " " + g.Colour + "）"
	}
	p.Para(13, 0, grade)
	p.Para(11, 12, "评定理由："+g.Explanation.ZH)
	p.Para(9, 12, "Reason: "+g.Explanation.EN)
	p.Gap(6)
	p.Para(13, 0, fmt.Sprintf("公示中的信用信息 Records under publicity（%d）", len(prof.Records)))
	if len(prof.Records) == 0 {
		p.Para(11, 12, "无。None.")
	}
	for i, r := range prof.Records {
		line := fmt.Sprintf("%d. %s %s %s", i+1, KindLabel(r.Kind, "zh"), r.DecidedOn, r.DecisionNo)
		if r.Class != "" {
			line += " · " + ClassLabel(r.Class, "zh")
		}
		p.Para(11, 12, line)
		detail := r.Department
		if r.Title != "" {
			detail += " · " + r.Title
		}
		if r.MaxEnd != "" {
			detail += " · 公示至 " + r.MaxEnd
		}
		p.Para(10, 28, detail)
	}
	p.Gap(6)
	p.Rule()
	p.Para(9, 0, "本报告不含已修复、公示期满或依规不公示的信息。This report leaves out repaired, expired and unpublished records.")
	p.Para(9, 0, "核验 Verify: "+strings.TrimRight(s.BaseURL, "/")+"/public/credit/verify?code="+v.Code)
	p.Para(9, 0, "SHA-256: "+v.Digest)
	return p.Bytes()
}

// exportRow is one record of the exchange export before naming.
type exportRow struct {
	id, entity, dept                                    int64
	ver                                                 int
	kind, class, status, content, start, minEnd, maxEnd string
	ended                                               *time.Time
	updated                                             time.Time
}

// exportPage reads at most limit records changed since `since` with ids
// above after, by id.
func (s *Service) exportPage(ctx context.Context, since time.Time, after int64, limit int) ([]exportRow, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT r.id, r.current_version, r.entity_id, r.department_id, r.kind, r.class, r.status, v.content,
		r.decided_on, r.min_end, r.max_end, r.ended_at, r.updated_at
		FROM credit_records r JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version
		WHERE r.updated_at >= $1 AND r.id > $2 ORDER BY r.id LIMIT %d`, limit), since, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []exportRow
	for rows.Next() {
		var x exportRow
		if err := rows.Scan(&x.id, &x.ver, &x.entity, &x.dept, &x.kind, &x.class, &x.status, &x.content, &x.start, &x.minEnd, &x.maxEnd, &x.ended, &x.updated); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Verify looks up a report or notice code (anyone may).
func (s *Service) Verify(ctx context.Context, code string) (*Verification, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	v := &Verification{Code: code, Kind: "report"}
	var ent int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT c.entity_id, c.grade, c.records, c.digest, c.created_at FROM credit_reports c WHERE c.code = $1`, code).
		Scan(&ent, &v.Grade, &v.Records, &v.Digest, &v.IssuedAt)
	if err == nil {
		e, err := s.Entities.Ref(ctx, ent, "")
		if err != nil {
			return nil, err
		}
		v.USCC, v.Entity = e.USCC, e.Name
		return v, nil
	}
	if !db.IsNoRows(err) {
		return nil, err
	}
	var body string
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT body FROM credit_notices WHERE code = $1", code).Scan(&body)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("核验码", "verification code")
	}
	if err != nil {
		return nil, err
	}
	var n Notice
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		return nil, err
	}
	return &Verification{Code: code, Kind: "notice", USCC: n.USCC, Entity: n.Entity, DecisionNo: n.DecisionNo, Records: 1, IssuedAt: n.IssuedAt}, nil
}

// looksLikeUSCC reports whether s (normalised) is meant as a whole credit
// code: 18 ASCII letters and digits, at least 8 of them digits.
func looksLikeUSCC(s string) bool {
	if len(s) != ident.USCCLength {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digits >= 8
}
