package policy

import (
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/importkit"
	"yingshang/internal/policy/rules"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// fromAttrs fills the registry part of the facts.
func fromAttrs(a *entity.Attrs, f *rules.Facts) {
	f.EntityID = a.ID
	f.Str[rules.StrType] = a.Type
	f.Str[rules.StrIndustry] = a.IndustryCode
	f.Str[rules.StrSection] = sectionOf(a.IndustryCode)
	f.Str[rules.StrSize] = a.SizeClass
	f.Str[rules.StrRegion] = a.RegionCode
	f.Str[rules.StrStatus] = string(a.Status)
	f.Tags = a.Tags
	if d, ok := rules.ParseDay(a.FoundedOn); ok {
		f.Founded = d
	}
	// The registry's own figures stand until a yearly import gives the year's.
	if a.Employees != nil {
		f.SetNum(rules.NumEmployees, float64(*a.Employees))
	}
	if a.RevenueWan != nil {
		f.SetNum(rules.NumRevenue, *a.RevenueWan)
	}
}

// sectionOf returns the GB/T 4754 section letter of an industry code.
func sectionOf(code string) string {
	if code == "" {
		return ""
	}
	if c := code[0]; c >= 'A' && c <= 'T' {
		return code[:1]
	}
	if in, ok := refdata.Industry(code); ok {
		return in.Section
	}
	return ""
}

// yearly is one stored yearly fact.
type yearly struct {
	entity int64
	fact   string
	num    *float64
	text   string
}

func applyYearly(f *rules.Facts, y yearly) {
	switch y.fact {
	case "high_tech":
		f.HighTech = y.num != nil && *y.num != 0
	case "tax_grade":
		f.Str[rules.StrTaxGrade] = y.text
	default:
		if d, ok := rules.Lookup(y.fact); ok && d.NumIndex() >= 0 && y.num != nil {
			f.SetNum(d.NumIndex(), *y.num)
		}
	}
}

// yearlyIn reads the yearly facts of year for the entities lo..hi.
func (s *Service) yearlyIn(ctx context.Context, year int, lo, hi int64, fn func(yearly)) error {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT entity_id, fact, value_num, value_text FROM policy_facts
		WHERE year = $1 AND entity_id BETWEEN $2 AND $3`, year, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var y yearly
		if err := rows.Scan(&y.entity, &y.fact, &y.num, &y.text); err != nil {
			return err
		}
		fn(y)
	}
	return rows.Err()
}

// factsOf returns an entity's facts for year, with the credit module's
// grade and serious-dishonesty status when the module is on. No access
// checks.
func (s *Service) factsOf(ctx context.Context, id int64, year int) (*rules.Facts, error) {
	m, err := s.Entities.AttrsOf(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	a := m[id]
	if a == nil {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	f := &rules.Facts{Year: year}
	fromAttrs(a, f)
	if err := s.yearlyIn(ctx, year, id, id, func(y yearly) { applyYearly(f, y) }); err != nil {
		return nil, err
	}
	if s.Credit != nil {
		g, err := s.Credit.GradeOf(system(ctx), id)
		if err != nil {
			return nil, err
		}
		f.Str[rules.StrCreditGrade] = g.Grade
		f.SeriousList = g.Explanation.Facts.SeriousList > 0
	}
	return f, nil
}

// needsCredit reports whether a rule reads the credit module's facts.
func needsCredit(p *rules.Program) bool {
	return slices.Contains(p.Facts, "credit_grade") || slices.Contains(p.Facts, "serious_list")
}

// EachFacts streams the facts of every entity for year, in id order, in
// pages (one query for the entities and one for their yearly facts per
// page). withCredit adds the credit grade (one call per entity: only for
// rules that read it). fn must not keep f.
func (s *Service) EachFacts(ctx context.Context, year int, withCredit bool, fn func(f *rules.Facts) error) error {
	const page = 2000
	buf := make([]rules.Facts, 0, page)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		idx := make(map[int64]int, len(buf))
		for i := range buf {
			idx[buf[i].EntityID] = i
		}
		if err := s.yearlyIn(ctx, year, buf[0].EntityID, buf[len(buf)-1].EntityID, func(y yearly) {
			if i, ok := idx[y.entity]; ok {
				applyYearly(&buf[i], y)
			}
		}); err != nil {
			return err
		}
		for i := range buf {
			if withCredit && s.Credit != nil {
				g, err := s.Credit.GradeOf(system(ctx), buf[i].EntityID)
				if err != nil {
					return err
				}
				buf[i].Str[rules.StrCreditGrade] = g.Grade
				buf[i].SeriousList = g.Explanation.Facts.SeriousList > 0
			}
			if err := fn(&buf[i]); err != nil {
				return err
			}
		}
		buf = buf[:0]
		return nil
	}
	err := s.Entities.EachAttrs(ctx, 0, page, func(a *entity.Attrs) error {
		buf = append(buf, rules.Facts{Year: year})
		fromAttrs(a, &buf[len(buf)-1])
		if len(buf) == page {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// FactColumns are the import layout of yearly facts: the credit code, the
// year, then one column per fact (blank cells are skipped).
var FactColumns = func() []importkit.Column {
	cols := []importkit.Column{
		{Key: "uscc", Header: "统一社会信用代码", Aliases: []string{"信用代码", "USCC"}, Required: true},
		{Key: "year", Header: "年度", Aliases: []string{"Year"}, Required: true},
	}
	for _, d := range rules.YearlyNumbers() {
		h := d.ZH
		if d.Unit == "wan" {
			h += "（万元）"
		}
		cols = append(cols, importkit.Column{Key: d.Name, Header: h, Aliases: []string{d.EN, d.ZH}})
	}
	cols = append(cols,
		importkit.Column{Key: "high_tech", Header: "高新技术企业", Aliases: []string{"high-tech"}},
		importkit.Column{Key: "tax_grade", Header: "纳税信用等级", Aliases: []string{"tax credit grade"}})
	return cols
}()

// FactImport is the outcome of ImportFacts.
type FactImport struct {
	importkit.Report
	Facts int `json:"facts" doc:"facts written (or that would be, in a dry run)"`
}

// ImportFacts reads yearly facts from a spreadsheet (.xlsx or .csv) in the
// layout of FactColumns. Each row is one entity and year; a cell of the
// wrong type is a row error naming the column. In all_or_nothing mode a
// bad row refuses the file; in valid_only the valid rows are written. One
// transaction; the source recorded with each fact is the department and
// file name.
func (s *Service) ImportFacts(ctx context.Context, r io.Reader, filename, mode string, dryRun bool) (*FactImport, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if mode, err = importkit.CheckMode(mode); err != nil {
		return nil, err
	}
	rd, err := importkit.Open(r, importkit.Options{Sheets: []string{"企业年度数据", "facts"}})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	h, err := rd.Header(FactColumns, importkit.HeaderOptions{})
	if err != nil {
		return nil, err
	}
	rep := &FactImport{Report: importkit.NewReport()}
	type row struct {
		uscc  string
		year  int
		facts []yearly
	}
	var good []row
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
		rw := row{uscc: strings.ToUpper(strings.TrimSpace(h.Get(cells, "uscc")))}
		if rw.uscc == "" {
			bad("uscc", "缺少统一社会信用代码", "the credit code is missing")
		}
		y, ok := importkit.Int(h.Get(cells, "year"))
		if !ok || y < 2000 || y > 2100 {
			bad("year", "年度应为 2000 到 2100 之间的整数", "the year must be a whole number from 2000 to 2100")
		}
		rw.year = y
		for _, d := range rules.YearlyNumbers() {
			if !h.Has(d.Name) {
				continue
			}
			c := strings.TrimSpace(h.Get(cells, d.Name))
			if c == "" {
				continue
			}
			v, ok := importkit.Float(c)
			if !ok || v < 0 || v > 1e10 || math.IsNaN(v) {
				bad(d.Name, "“"+d.ZH+"”应为非负数，而不是“"+c+"”", "\""+d.EN+"\" must be a number not below 0, not \""+c+"\"")
				continue
			}
			rw.facts = append(rw.facts, yearly{fact: d.Name, num: &v})
		}
		if c := strings.TrimSpace(h.Get(cells, "high_tech")); c != "" {
			b, ok := importkit.YesNo(c)
			if !ok {
				bad("high_tech", "“高新技术企业”应为“是”或“否”", "\"high-tech\" must be yes or no")
			} else {
				v := 0.0
				if b {
					v = 1
				}
				rw.facts = append(rw.facts, yearly{fact: "high_tech", num: &v})
			}
		}
		if c := strings.ToUpper(strings.TrimSpace(h.Get(cells, "tax_grade"))); c != "" {
			if !slices.Contains([]string{"A", "B", "M", "C", "D"}, c) {
				bad("tax_grade", "纳税信用等级应为 A、B、M、C 或 D", "the tax credit grade must be A, B, M, C or D")
			} else {
				rw.facts = append(rw.facts, yearly{fact: "tax_grade", text: c})
			}
		}
		if len(errs) > 0 {
			rep.AddBad(errs...)
			continue
		}
		good = append(good, rw)
	}
	// Resolve the credit codes in one query per thousand.
	var codes []string
	for _, g := range good {
		codes = append(codes, g.uscc)
	}
	refs, err := s.Entities.RefsByUSCC(ctx, codes)
	if err != nil {
		return nil, err
	}
	kept := good[:0]
	for i, g := range good {
		if _, ok := refs[g.uscc]; !ok {
			_ = i
			rep.AddBad(importkit.RowError{Column: h.Column("uscc"), Field: "uscc", ZH: "经营主体库中没有信用代码 " + g.uscc, EN: "no market entity has the credit code " + g.uscc})
			continue
		}
		kept = append(kept, g)
	}
	for _, g := range kept {
		rep.Facts += len(g.facts)
	}
	rep.SortRows()
	if dryRun || rep.Refused(mode) || len(kept) == 0 {
		return rep, nil
	}
	source := filename
	if s.Accounts != nil && a.DepartmentID != 0 {
		if name, err := s.Accounts.DepartmentName(ctx, a.DepartmentID); err == nil {
			source = name + " · " + filename
		}
	}
	var dept any
	if a.DepartmentID != 0 {
		dept = a.DepartmentID
	}
	now := s.now()
	run := importkit.Start("policy_facts", filename, mode, a.UserID, now, nil)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		for _, g := range kept {
			id := refs[g.uscc].ID
			for _, y := range g.facts {
				if _, err := s.DB.Q(ctx).Exec(ctx, `DELETE FROM policy_facts WHERE entity_id = $1 AND year = $2 AND fact = $3`, id, g.year, y.fact); err != nil {
					return err
				}
				if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_facts (entity_id, year, fact, value_num, value_text, source, department_id, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, g.year, y.fact, y.num, y.text, source, dept, now); err != nil {
					return err
				}
			}
		}
		rep.Committed = true
		if _, err := run.Finish(ctx, s.DB, importkit.Counts{Total: rep.Total, Updated: len(kept), Bad: rep.Bad}, &rep.Report); err != nil {
			return err
		}
		// Entities the new facts make match a published policy are pushed
		// by the pass this queues (or the next periodic one).
		if _, err := s.queuePush(ctx, 0); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "policy.facts.import", "policy_facts", filename, nil,
			map[string]any{"rows": len(kept), "facts": rep.Facts, "bad": rep.Bad}, "")
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// SetFact records one yearly fact (demo data and tests; imports use
// ImportFacts).
func (s *Service) SetFact(ctx context.Context, entityID int64, year int, fact string, num *float64, text, source string) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff); err != nil {
		return err
	}
	if _, ok := rules.Lookup(fact); !ok {
		return yserr.Field("fact", "未知的事实 "+fact, "unknown fact "+fact)
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, `DELETE FROM policy_facts WHERE entity_id = $1 AND year = $2 AND fact = $3`, entityID, year, fact); err != nil {
			return err
		}
		_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_facts (entity_id, year, fact, value_num, value_text, source, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, entityID, year, fact, num, text, source, s.now())
		return err
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
