package entity

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// Paging limits of Search.
const (
	DefaultPerPage = 20
	MaxPerPage     = 200
)

// query collects the WHERE conditions of a search. Conditions are written
// with "?" for each argument; they are numbered $1, $2 ... when added.
type query struct {
	join string // a JOIN after FROM entities: the name index's matches as nb
	// base replaces "entities" + join after FROM when set: a table
	// expression that names the rows entities (and the index entries nb).
	base string
	ix   *nameMatches
	// walked: the name condition is walkCond's (textWalk).
	walked bool
	// named: the filter has a name or code condition (addText).
	named bool
	// arms are the alternatives of an industry section (its own code,
	// each run of its divisions), which do not overlap; conds[armAt] is
	// their OR (addIndustry).
	arms  []string
	armAt int
	conds []string
	args  []any
}

// nameMatches are the entities whose names contain a fragment, read from
// a name index alone (the bigram table, SQLite's FTS5 table): "SELECT id
// FROM from WHERE where", the ids ascending in the index's own order.
type nameMatches struct {
	from, where, id string
	// alone: joined only when the fragment is the whole filter; with
	// other conditions it is "id IN (ids)", which SQLite reads once,
	// where a join may probe the FTS5 table once per entity of a region.
	alone bool
}

// ids is the statement selecting the matches' ids as entity_id.
func (m *nameMatches) ids() string {
	return "SELECT " + m.id + " AS entity_id FROM " + m.from + " WHERE " + m.where
}

func (q *query) add(cond string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(q.args)), 1)
	}
	q.conds = append(q.conds, cond)
}

// from is " FROM" and the rows the conditions apply to.
func (q *query) from() string {
	if q.base != "" {
		return " FROM " + q.base
	}
	return " FROM entities" + q.join
}

func (q *query) where() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// countSQL is the statement counting the matches up to limit: in one, or
// with an industry section (and no name condition) each arm up to limit
// and the counts added (the arms do not overlap, so the sum is exact
// whenever it is at most limit-1). Each arm is an exact range of the
// region / industry index; their OR is not, so that the count read a
// county's whole region range and filtered it (117,000 entries, 30-100 ms
// at a million entities for section I, whose 2,472 matches are 38 index
// pages).
func (q *query) countSQL(countFrom string, limit int64) string {
	lim := strconv.FormatInt(limit, 10)
	if len(q.arms) < 2 || q.named || q.join != "" || q.base != "" || q.ix != nil {
		return "SELECT COUNT(*) FROM (SELECT 1" + countFrom + " LIMIT " + lim + ") t"
	}
	parts := make([]string, len(q.arms))
	for k, arm := range q.arms {
		conds := slices.Clone(q.conds)
		conds[q.armAt] = arm
		parts[k] = "(SELECT COUNT(*) FROM (SELECT 1 FROM entities WHERE " + strings.Join(conds, " AND ") +
			" LIMIT " + lim + ") t" + strconv.Itoa(k) + ")"
	}
	return "SELECT " + strings.Join(parts, " + ")
}

// next returns the placeholder for one more argument.
func (q *query) next(a any) string {
	q.args = append(q.args, a)
	return "$" + strconv.Itoa(len(q.args))
}

// textMode is how filterQuery matches names.
type textMode int

const (
	textIndex textMode = iota // by the best index there is
	textScan                  // by LIKE / ILIKE, reading each row once
	textWalk                  // as textIndex, but never by an unordered index (walkCond)
)

// DefaultCountBound is how many matches a search counts exactly; beyond it
// the total is an estimate (Result.Estimated). Counting every match of a
// broad filter ("科技" in a million names: 60,000 matches) costs more than
// the page itself; nobody needs more than "约 68,000".
const DefaultCountBound = 5000

// estimateSample is about how many entities the estimate reads: 16 evenly
// spaced runs of ids, so that an import ordered by region or date does not
// skew it. With more than DefaultCountBound matches among a million
// entities the sample holds 100 or more of them: a relative error of about
// 10% or less.
const (
	estimateStrata  = 16
	estimateSigDigs = 2
)

var estimateSample int64 = 20000 // a variable for tests

// Result is one page of a search.
type Result struct {
	Items []Entity
	// Total is the number of all matches: exact up to the count bound,
	// beyond it an estimate rounded to 2 significant digits.
	Total     int64
	Estimated bool
}

// Search returns one page of the entities matching f that the caller may
// read, and the number of all matching ones (an estimate when there are
// more than the count bound; SearchPage says which). Errors: unauthorized,
// forbidden, invalid (an unknown region, industry, size, status or sort
// key).
func (s *Service) Search(ctx context.Context, f Filter) ([]Entity, int64, error) {
	r, err := s.SearchPage(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return r.Items, r.Total, nil
}

// countBound is the service's count bound (DefaultCountBound unless set).
func (s *Service) countBound() int64 {
	if s.CountBound > 0 {
		return int64(s.CountBound)
	}
	return DefaultCountBound
}

// SearchPage is Search with the total marked exact or estimated: the
// matches are counted up to the count bound, and beyond it estimated from
// a sample of the table (see estimate).
func (s *Service) SearchPage(ctx context.Context, f Filter) (*Result, error) {
	a, q, err := s.filterQuery(ctx, f, textIndex)
	if err != nil {
		return nil, err
	}
	order, err := orderBy(f.Sort)
	if err != nil {
		return nil, err
	}
	res := &Result{Items: []Entity{}}
	bound := s.countBound()
	from := q.from() + q.where()
	countFrom := from
	if q.ix != nil && len(q.conds) == 0 {
		// The fragment alone: its index entries are the matches (every
		// bigram entry has its entity: ON DELETE CASCADE; the FTS5 table
		// is kept by triggers).
		countFrom = " FROM " + q.ix.from + " WHERE " + q.ix.where
	}
	if err := s.DB.Q(ctx).QueryRow(ctx, q.countSQL(countFrom, bound+1), q.args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	var lo, hi int64 // the id range, read once for the estimate and the page
	if res.Total > bound {
		if lo, hi, err = s.idRange(ctx); err != nil {
			return nil, err
		}
		if res.Total, err = s.estimateIn(ctx, f, bound, lo, hi); err != nil {
			return nil, err
		}
		res.Estimated = true
		if q.ix == nil && f.Q != "" && (order == " ORDER BY id" || order == " ORDER BY id DESC") {
			// More than the bound match: walking the primary key finds a
			// page of them within a few thousand rows, where a trigram
			// index collects and sorts every match (what PostgreSQL's
			// generic plan does: 29,000 heap rows for a page of 20).
			_, wq, err := s.filterQuery(ctx, f, textWalk)
			if err != nil {
				return nil, err
			}
			if wq.walked {
				q = wq
				from = q.from() + q.where()
			}
		}
	}
	page, per := max(f.Page, 1), f.PerPage
	if per <= 0 {
		per = DefaultPerPage
	}
	per = min(per, MaxPerPage)
	idOrder := order == " ORDER BY id" || order == " ORDER BY id DESC"
	if res.Estimated && idOrder && q.join == "" && q.base == "" {
		// More than the bound match, in id order: where the engine would
		// not walk the primary key by itself (PostgreSQL's generic plan
		// of a region and an industry reads the region index's 30,000
		// matches and sorts them), the page's rows are read in id order
		// from the walk, when it is expected to end within walkRows rows.
		if wf := nameSearchOf(s.DB.Dialect).walkFrom(order == " ORDER BY id DESC", ""); wf != "" &&
			int64(page*per)*(hi-lo+1)/max(res.Total, 1) <= walkRows {
			q.base = wf
			from = q.from() + q.where()
		}
	}
	if !res.Estimated && idOrder && q.join == "" && q.base == "" && res.Total > int64((page-1)*per) &&
		nameSearchOf(s.DB.Dialect).walkFrom(false, "") != "" {
		// At most the bound match, in id order: PostgreSQL reads every
		// match through the indexes and sorts them (section I of a county:
		// 2,472 rows from 2,412 heap pages, 14 ms warm and 140 ms cold at a
		// million entities, for a page of 20). Where the matches are dense
		// enough, a window of the primary key at the page's end holds the
		// page within about 11,000 rows read in order (700 heap pages).
		if lo, hi, err = s.idRange(ctx); err != nil {
			return nil, err
		}
		if reach := windowReach(res.Total, (page-1)*per, per, lo, hi); reach > 0 {
			need := int(min(int64(per), res.Total-int64((page-1)*per)))
			ok, err := s.walkPage(ctx, a, q, res, res.Total, need, order == " ORDER BY id DESC", lo, hi, (page-1)*per, per)
			if err != nil || ok {
				return res, err
			}
		}
	}
	if (q.join != "" || (q.base != "" && q.ix != nil)) && idOrder {
		// In the name index's own order ((bigram, entity_id), FTS5 rowid): the page
		// walks the fragment's entries from one end and stops after it,
		// instead of sorting all matches (both engines).
		order = strings.Replace(order, "id", "nb.entity_id", 1)
	}
	if hint := nameSearchOf(s.DB.Dialect).walkHint(); res.Estimated && q.join == "" && q.base == "" && hint != "" && idOrder {
		ok, err := s.walkPage(ctx, a, q, res, res.Total, per, order == " ORDER BY id DESC", lo, hi, (page-1)*per, per)
		if err != nil || ok {
			return res, err
		}
	}
	sql := "SELECT " + selectCols + from + order + " LIMIT " + q.next(per) + " OFFSET " + q.next((page-1)*per)
	err = s.each(ctx, sql, q.args, func(st *stored) error {
		e, err := s.view(a, st)
		if err == nil {
			res.Items = append(res.Items, *e)
		}
		return err
	})
	return res, err
}

// walkMargin: walkPage reads up to walkMargin times the ids in which a
// page of matches is expected (a variable for tests).
var walkMargin int64 = 4

// walkRows: a page of more than the count bound's matches is read by
// walking the primary key (walkFrom) when it is expected to end within
// walkRows ids; a deeper page reads the other indexes' matches and sorts
// them (a variable for tests).
var walkRows int64 = 50000

// walkDense: a search with at most the count bound's matches reads its
// page from a window of the primary key (walkPage) when the page is
// expected within walkDense ids per match (the usual page reads every
// match, each from its own heap page, and sorts them).
var walkDense int64 = 4

// windowReach is how many ids from the end of lo..hi are expected to hold
// the first off+per of total matches (spread evenly), or 0 when that is
// more than walkRows or walkDense ids per match: then the usual page.
func windowReach(total int64, off, per int, lo, hi int64) int64 {
	if total <= 0 {
		return 0
	}
	reach := int64(off+per) * (hi - lo + 1) / total
	if reach > walkRows || reach > walkDense*total {
		return 0
	}
	return max(reach, 1)
}

// walkPage reads the page of a search in id order from the window of ids
// at the page's end where about walkMargin pages of matches are expected
// (total: the matches, exact or estimated), walking the rowid (SQLite:
// with walkHint) or the primary key in a fenced subquery (PostgreSQL:
// walkFrom). The first off+per matches in id order within that window are
// the first overall; when the window holds fewer than need, it reports
// false and the caller runs the usual page (an index range and a sort:
// for a city and an industry section, every match's index entry). ok is
// true when res.Items is the page.
func (s *Service) walkPage(ctx context.Context, a *auth.Actor, q *query, res *Result, total int64, need int, desc bool, lo, hi int64, off, per int) (bool, error) {
	span := hi - lo + 1
	w := min(span, walkMargin*int64(off+per)*span/max(total, 1)+1)
	args := slices.Clip(q.args)
	p := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var cond, order string
	if desc {
		cond, order = "id > "+p(hi-w), " ORDER BY id DESC"
	} else {
		cond, order = "id < "+p(lo+w), " ORDER BY id"
	}
	ns := nameSearchOf(s.DB.Dialect)
	from := " FROM entities" + ns.walkHint() + " WHERE " + cond + sampleConds(q.conds)
	if ns.walkHint() == "" {
		from = " FROM " + ns.walkFrom(desc, cond) + q.where()
	}
	sql := "SELECT " + selectCols + from + order + " LIMIT " + p(per) + " OFFSET " + p(off)
	var items []Entity
	if err := s.each(ctx, sql, args, func(st *stored) error {
		e, err := s.view(a, st)
		if err == nil {
			items = append(items, *e)
		}
		return err
	}); err != nil || len(items) < need {
		return false, err
	}
	res.Items = items
	return true, nil
}

// idRange returns the lowest and highest entity id (0, 0 without any).
func (s *Service) idRange(ctx context.Context) (lo, hi int64, err error) {
	// One aggregate per subquery: SQLite answers a lone MIN or MAX from
	// the primary key's end, but MIN and MAX in one SELECT read every row.
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE((SELECT MIN(id) FROM entities), 0), COALESCE((SELECT MAX(id) FROM entities), 0)").Scan(&lo, &hi)
	return lo, hi, err
}

// CountExact counts every entity matching f that the caller may read, the
// straightforward way (no bound, no name index): what SearchPage's total
// stands for. It is slow on broad filters over large tables; tests and
// benchmarks compare against it.
func (s *Service) CountExact(ctx context.Context, f Filter) (int64, error) {
	_, q, err := s.filterQuery(ctx, f, textScan)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities"+q.where(), q.args...).Scan(&n)
	return n, err
}

// estimate estimates the number of matches of f (known to exceed bound)
// from a stratified sample: estimateStrata runs of consecutive ids evenly
// spaced over the id range, about estimateSample ids in all, each read by
// its primary key and tested with the plain conditions (names by LIKE, or
// a name index's entries within the runs), in one statement, so that its
// cost does not grow with the table or the matches. The matches
// in the sample, scaled by the id range over the ids sampled, rounded to
// estimateSigDigs significant digits, and never below bound+1.
func (s *Service) estimate(ctx context.Context, f Filter, bound int64) (int64, error) {
	lo, hi, err := s.idRange(ctx)
	if err != nil {
		return 0, err
	}
	return s.estimateIn(ctx, f, bound, lo, hi)
}

// estimateIn is estimate over the id range lo..hi (idRange's).
func (s *Service) estimateIn(ctx context.Context, f Filter, bound, lo, hi int64) (int64, error) {
	_, q, err := s.filterQuery(ctx, f, textScan)
	if err != nil {
		return 0, err
	}
	span := hi - lo + 1
	from := " FROM entities" + nameSearchOf(s.DB.Dialect).sampleHint()
	if span <= estimateSample {
		var n int64
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*)"+from+q.where(), q.args...).Scan(&n)
		return max(n, bound+1), err
	}
	width, step := estimateSample/estimateStrata, span/estimateStrata
	// When the search reads a name index, so does the sample: the
	// fragment's entries within each run (the same entities as the names
	// tested by LIKE, a few hundred index entries instead of 20,000 rows).
	var m *nameMatches
	if _, iq, err := s.filterQuery(ctx, f, textIndex); err != nil {
		return 0, err
	} else if iq.ix != nil {
		q, m = iq, iq.ix
	}
	// One statement for all runs: their starts are arguments after the
	// filter's, the width a constant.
	n := len(q.args)
	args := slices.Clip(q.args)
	for k := range int64(estimateStrata) {
		args = append(args, lo+k*step)
	}
	sql := nameSearchOf(s.DB.Dialect).sample(n+1, estimateStrata, width, m, q.conds)
	var hits int64
	if err := s.DB.Q(ctx).QueryRow(ctx, sql, args...).Scan(&hits); err != nil {
		return 0, err
	}
	seen := width * estimateStrata
	return max(roundSig(hits*span/seen, estimateSigDigs), bound+1), nil
}

// roundSig rounds n to d significant digits: 68,417 -> 68,000.
func roundSig(n int64, d int) int64 {
	p := int64(1)
	for m := n; m >= 10; m /= 10 {
		p *= 10
	}
	for range d - 1 {
		p /= 10
	}
	if p <= 1 {
		return n
	}
	return (n + p/2) / p * p
}

// each runs a query and calls fn for every row.
func (s *Service) each(ctx context.Context, sql string, args []any, fn func(*stored) error) error {
	rows, err := s.DB.Q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st stored
		if err := scanStored(rows, &st); err != nil {
			return err
		}
		if err := fn(&st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// filterQuery checks the caller and translates f into conditions.
//
// With textScan, names are matched by LIKE / ILIKE, the way that reads
// each row once (the estimate's sample and the straightforward count);
// otherwise by the best index there is (textWalk: see walkCond).
func (s *Service) filterQuery(ctx context.Context, f Filter, mode textMode) (*auth.Actor, *query, error) {
	a, only, err := readAccess(ctx)
	if err != nil {
		return nil, nil, err
	}
	q := &query{}
	if only != 0 {
		q.add("id = ?", only)
	}
	// alone: the name fragment is the whole filter.
	alone := only == 0 && f.Region == "" && f.Industry == "" && f.Size == "" && f.Status == "" &&
		cleanText(f.Tag) == "" && f.DepartmentID == 0
	if err := s.addText(ctx, q, f.Q, mode, alone); err != nil {
		return nil, nil, err
	}
	var v yserr.Validation
	if f.Region != "" {
		addRegion(q, &v, strings.TrimSpace(f.Region))
	}
	if f.Industry != "" {
		addIndustry(q, &v, f.Industry)
	}
	if f.Size != "" {
		if z, ok := ParseSize(string(f.Size)); ok {
			q.add("size_class = ?", string(z))
		} else {
			v.Add(FieldSize, "企业规模应为 大型、中型、小型 或 微型", "size class must be large, medium, small or micro")
		}
	}
	if f.Status != "" {
		if st, ok := ParseStatus(string(f.Status)); ok {
			q.add("status = ?", string(st))
		} else {
			v.Add(FieldStatus, "登记状态应为 存续、在业、吊销 或 注销", "status must be active, operating, revoked or cancelled")
		}
	}
	if t := cleanText(f.Tag); t != "" {
		q.add(`tags LIKE ? ESCAPE '\'`, "%,"+escapeLike(t)+",%")
	}
	if f.DepartmentID != 0 {
		q.add("department_id = ?", f.DepartmentID)
	}
	if q.ix != nil && q.ix.alone && len(q.conds) > 0 {
		q.conds = append(q.conds, "id IN ("+q.ix.ids()+")")
		q.ix, q.join = nil, ""
	}
	return a, q, v.Err()
}

// addText adds the free-text condition: a USCC prefix or a name substring.
func (s *Service) addText(ctx context.Context, q *query, text string, mode textMode, alone bool) error {
	text = cleanText(text)
	if text == "" {
		return nil
	}
	q.named = true
	code := ident.NormalizeUSCC(text)
	if mode != textScan && !isCodePrefix(code) && useBigrams(text) {
		// The fragment's entries in the bigram index, joined (not "id IN
		// (...)", which both engines would collect in full before the
		// LIMIT of the count and the page).
		gram := q.next(text)
		q.ix = &nameMatches{from: "entity_name_bigrams", where: "bigram = " + gram, id: "entity_id"}
		q.join = " JOIN entity_name_bigrams nb ON nb.entity_id = entities.id AND nb.bigram = " + gram
		return nil
	}
	if mode != textScan && alone && !isCodePrefix(code) {
		if ok, err := nameSearchOf(s.DB.Dialect).driven(ctx, s, q, text); err != nil || ok {
			return err
		}
	}
	if mode != textScan && !isCodePrefix(code) {
		idx, err := s.searchIndex(ctx)
		if err != nil {
			return err
		}
		if m := nameSearchOf(s.DB.Dialect).matches(idx, q, text); m != nil {
			// The same for a trigram index that can be read alone.
			q.ix = m
			q.join = " JOIN (" + m.ids() + ") nb ON nb.entity_id = entities.id"
			return nil
		}
	}
	name, err := s.nameCond(ctx, q, text, mode)
	if err != nil {
		return err
	}
	if !isCodePrefix(code) {
		q.conds = append(q.conds, name)
		return nil
	}
	var usccCond string
	if len(code) == ident.USCCLength {
		usccCond = "uscc = " + q.next(code)
	} else {
		usccCond = "uscc LIKE " + q.next(code+"%")
	}
	q.conds = append(q.conds, "("+usccCond+" OR "+name+")")
	return nil
}

// isCodePrefix reports whether s could start a USCC (1-18 characters of
// the code set).
func isCodePrefix(s string) bool {
	if s == "" || len(s) > ident.USCCLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(ident.USCCCharset, rune(s[i])) {
			return false
		}
	}
	return true
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// addRegion matches a division and everything below it. Codes below a
// province share its first 2 digits, below a city its first 4, so the
// condition is a range on region_code that the index can use.
func addRegion(q *query, v *yserr.Validation, code string) {
	r, ok := refdata.Region(code)
	if !ok {
		v.Add("region", fmt.Sprintf("行政区划代码“%s”无效", code), fmt.Sprintf("unknown region code %q", code))
		return
	}
	switch r.Level {
	case refdata.LevelProvince:
		addPrefixRange(q, "region_code", code[:2])
	case refdata.LevelCity:
		addPrefixRange(q, "region_code", code[:4])
	default:
		q.add("region_code = ?", code)
	}
}

// addPrefixRange adds "col starts with the digits p" as a range: col >= p
// AND col < p+1, which holds in any collation for strings of digits.
func addPrefixRange(q *query, col, p string) {
	lo := p
	n, _ := strconv.Atoi(p)
	hi := fmt.Sprintf("%0*d", len(p), n+1)
	if len(hi) > len(p) { // p was all nines
		q.add(col+" >= ?", lo)
		return
	}
	q.add(fmt.Sprintf("(%s >= ? AND %s < ?)", col, col), lo, hi)
}

// addIndustry matches an industry code and everything below it. A section
// letter matches itself and its divisions (contiguous 2-digit ranges); a
// numeric code matches the codes it prefixes.
func addIndustry(q *query, v *yserr.Validation, code string) {
	in, ok := refdata.Industry(code)
	if !ok {
		v.Add("industry", fmt.Sprintf("行业代码“%s”无效", code), fmt.Sprintf("unknown industry code %q", code))
		return
	}
	if in.Level != refdata.IndustrySection {
		addPrefixRange(q, "industry_code", in.Code)
		return
	}
	parts := []string{"industry_code = " + q.next(in.Code)}
	for _, run := range divisionRuns(in.Code) {
		parts = append(parts, fmt.Sprintf("(industry_code >= %s AND industry_code < %s)", q.next(run[0]), q.next(run[1])))
	}
	q.arms, q.armAt = parts, len(q.conds)
	q.conds = append(q.conds, "("+strings.Join(parts, " OR ")+")")
}

// divisionRuns returns the divisions of a section as [first, last+1) runs.
func divisionRuns(section string) [][2]string {
	var nums []int
	for _, d := range refdata.IndustryChildren(section) {
		n, _ := strconv.Atoi(d.Code)
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var runs [][2]string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		runs = append(runs, [2]string{fmt.Sprintf("%02d", nums[i]), fmt.Sprintf("%02d", nums[j]+1)})
		i = j + 1
	}
	return runs
}

// orderBy translates a Filter.Sort key.
func orderBy(sort string) (string, error) {
	if sort == "" {
		sort = "-id"
	}
	key, desc := strings.CutPrefix(sort, "-")
	if !slices.Contains(SortKeys, key) {
		return "", yserr.Field("sort", fmt.Sprintf("不支持的排序字段“%s”", sort), fmt.Sprintf("unsupported sort key %q", sort))
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	if key == "id" {
		return " ORDER BY id" + dir, nil
	}
	return " ORDER BY " + key + dir + ", id" + dir, nil
}

// How entity names are searched. Every method gives the same answers (a
// case-insensitive substring match); they differ in speed.
type nameIndex int

const (
	nameUnknown nameIndex = iota
	nameLike              // scan with LIKE (SQLite) / ILIKE (PostgreSQL)
	nameFTS5              // SQLite FTS5 trigram table entities_fts for 3+ characters
	nameTrgm              // PostgreSQL pg_trgm GIN index, used by ILIKE for 3+ characters
)

func (n nameIndex) String() string {
	return [...]string{"unknown", "like", "fts5", "pg_trgm"}[n]
}

// nameCond returns the condition "name contains text".
func (s *Service) nameCond(ctx context.Context, q *query, text string, mode textMode) (string, error) {
	switch mode {
	case textScan:
		return nameSearchOf(s.DB.Dialect).cond(nameLike, q, text), nil
	case textWalk:
		if c := nameSearchOf(s.DB.Dialect).walkCond(q, text); c != "" {
			q.walked = true
			return c, nil
		}
	}
	idx, err := s.searchIndex(ctx)
	if err != nil {
		return "", err
	}
	if useBigrams(text) {
		// 2 characters with the USCC alternative: the bigram index as a
		// set of ids.
		return "entities.id IN (SELECT entity_id FROM entity_name_bigrams WHERE bigram = " + q.next(text) + ")", nil
	}
	return nameSearchOf(s.DB.Dialect).cond(idx, q, text), nil
}

// nameSearch is the name index of one engine. Search is the one thing
// allowed to be dialect-specific, and only here: nameSearchOf picks the
// engine's implementation, the rest of the package asks it.
type nameSearch interface {
	// cond is the condition "name contains text" with index idx.
	cond(idx nameIndex, q *query, text string) string
	// probe counts the engine's name indexes (0 or 1); found is the
	// method in use when there is one.
	probe() (sql string, found nameIndex)
	// ensure creates the index when it is missing (and can be created).
	ensure(ctx context.Context, s *Service) error
	// sampleHint follows "FROM entities" in the estimate's sample query:
	// read the rows by primary key, never by another index.
	sampleHint() string
	// walkHint follows "FROM entities" in walkPage's statement, which
	// must read the rowid in page order; "" when the engine's planner
	// finds such a page by itself (walkPage is not used).
	walkHint() string
	// walkCond is "name contains text" answered by no index, for the
	// page of a search with more matches than the count bound (the
	// primary key is walked in page order); "" when the engine's index
	// already gives such a page.
	walkCond(q *query, text string) string
	// matches are the entities whose names contain text, from index idx
	// alone, or nil when the engine's index cannot be read alone.
	matches(idx nameIndex, q *query, text string) *nameMatches
	// walkFrom is the table expression that reads entities in id order
	// (descending with desc) by walking the primary key, those with cond
	// (on id; none when "") only, for the page of a search with more
	// matches than the count bound or a window of it (walkPage); "" when
	// the engine finds such a page by itself or with walkHint.
	walkFrom(desc bool, cond string) string
	// driven sets q to search names containing text (the whole filter)
	// through the entries of one of its bigrams in id order, each entity
	// tested by the name itself, and reports whether it did (false: the
	// engine's usual index).
	driven(ctx context.Context, s *Service, q *query, text string) (bool, error)
	// sample is the estimate's statement: the number of entities matching
	// conds among runs runs of width consecutive ids, whose first ids are
	// the arguments numbered from first; each run read by primary key, or
	// with m the fragment's index entries in the run and their entities
	// by primary key.
	sample(first, runs int, width int64, m *nameMatches, conds []string) string
}

// sampleConds is " AND " and conds, or nothing.
func sampleConds(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}

// sampleStarts is "VALUES ($first), ($first+1), ..." with each placeholder
// followed by cast.
func sampleStarts(first, runs int, cast string) string {
	parts := make([]string, runs)
	for k := range parts {
		parts[k] = "($" + strconv.Itoa(first+k) + cast + ")"
	}
	return "VALUES " + strings.Join(parts, ", ")
}

func nameSearchOf(d db.Dialect) nameSearch {
	if d == db.Postgres {
		return pgTrgmSearch{}
	}
	return sqliteFTSSearch{}
}

// sqliteFTSSearch: an FTS5 trigram table for 3+ characters, LIKE for less.
type sqliteFTSSearch struct{}

func (sqliteFTSSearch) cond(idx nameIndex, q *query, text string) string {
	if idx == nameFTS5 && utf8.RuneCountInString(text) >= 3 {
		phrase := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
		return "id IN (SELECT rowid FROM entities_fts WHERE entities_fts MATCH " + q.next(phrase) + ")"
	}
	return `name LIKE ` + q.next("%"+escapeLike(text)+"%") + ` ESCAPE '\'`
}

func (sqliteFTSSearch) matches(idx nameIndex, q *query, text string) *nameMatches {
	if idx != nameFTS5 || utf8.RuneCountInString(text) < 3 {
		return nil
	}
	phrase := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
	return &nameMatches{from: "entities_fts", where: "entities_fts MATCH " + q.next(phrase), id: "rowid", alone: true}
}

// SQLite's page of a name fragment alone walks the FTS5 table or the
// bigram index in page order; with other conditions, see walkHint.
func (sqliteFTSSearch) walkCond(*query, string) string { return "" }

// SQLite sorts a region index range rather than walk the rowid.
func (sqliteFTSSearch) walkHint() string { return " NOT INDEXED" }

// SQLite walks the rowid with walkHint.
func (sqliteFTSSearch) walkFrom(bool, string) string { return "" }

// SQLite's FTS5 table is read in rowid order (matches).
func (sqliteFTSSearch) driven(context.Context, *Service, *query, string) (bool, error) {
	return false, nil
}

func (sqliteFTSSearch) probe() (string, nameIndex) {
	return "SELECT COUNT(*) FROM sqlite_master WHERE name = 'entities_fts'", nameFTS5
}

func (sqliteFTSSearch) ensure(ctx context.Context, s *Service) error { return s.ensureFTS5(ctx) }

// NOT INDEXED leaves SQLite the rowid ranges only.
func (sqliteFTSSearch) sampleHint() string { return " NOT INDEXED" }

// The run starts are the outer loop (CROSS JOIN keeps SQLite's join
// order), each run a rowid range of entities NOT INDEXED.
func (sqliteFTSSearch) sample(first, runs int, width int64, m *nameMatches, conds []string) string {
	w := strconv.FormatInt(width, 10)
	if m != nil {
		id := m.from + "." + m.id
		sql := "WITH r(a) AS (" + sampleStarts(first, runs, "") + ") SELECT COUNT(*) FROM r CROSS JOIN " + m.from
		if len(conds) > 0 {
			sql += " CROSS JOIN entities NOT INDEXED"
		}
		sql += " WHERE " + m.where + " AND " + id + " >= r.a AND " + id + " < r.a + " + w
		if len(conds) > 0 {
			sql += " AND entities.id = " + id + sampleConds(conds)
		}
		return sql
	}
	return "WITH r(a) AS (" + sampleStarts(first, runs, "") + ") SELECT COUNT(*) FROM r CROSS JOIN entities NOT INDEXED" +
		" WHERE entities.id >= r.a AND entities.id < r.a + " + strconv.FormatInt(width, 10) + sampleConds(conds)
}

// pgTrgmSearch: LIKE / ILIKE, which the planner answers from the pg_trgm
// GIN index by itself when there is one.
type pgTrgmSearch struct{}

func (pgTrgmSearch) cond(_ nameIndex, q *query, text string) string {
	// LIKE scans twice as fast as ILIKE, and is the same for text without
	// letters that have case (Chinese).
	op := "LIKE"
	if hasCase(text) {
		op = "ILIKE"
	}
	// pg_trgm cannot narrow a pattern of fewer than 3 characters, but a
	// generic plan (which pgx's statement cache gets after five runs) does
	// not know the length and may still read the whole trigram index and
	// recheck every row. "name || ''" is not indexed: such a fragment is
	// always a scan, which stops at the count bound or the page's LIMIT.
	col := "name"
	if utf8.RuneCountInString(text) < 3 {
		col = "(name || '')"
	}
	return col + " " + op + " " + q.next("%"+escapeLike(text)+"%") + ` ESCAPE '\'`
}

// A GIN index is not read in id order: the trigram index stays a
// condition that the planner combines with the others.
func (pgTrgmSearch) matches(nameIndex, *query, string) *nameMatches { return nil }

// "name || ”" is not indexed (see cond).
func (pgTrgmSearch) walkCond(q *query, text string) string {
	op := "LIKE"
	if hasCase(text) {
		op = "ILIKE"
	}
	return "(name || '') " + op + " " + q.next("%"+escapeLike(text)+"%") + ` ESCAPE '\'`
}

// PostgreSQL walks the primary key for a dense name fragment's page with
// walkCond, and for other filters with walkFrom.
func (pgTrgmSearch) walkHint() string { return "" }

// A subquery ordered by id that OFFSET 0 keeps from being merged into
// the outer query, so that no condition on it can be answered by another
// index: the planner walks the primary key, in order, and the outer LIMIT
// stops the walk (also in pgx's generic plan, which otherwise reads a
// region and industry's 30,000 index entries and sorts them for a page
// of 20: 200-400 ms at a million entities).
func (pgTrgmSearch) walkFrom(desc bool, cond string) string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	if cond != "" {
		cond = " WHERE " + cond
	}
	return "(SELECT * FROM entities" + cond + " ORDER BY id" + dir + " OFFSET 0) entities"
}

// driverRuns x driverWidth ids are sampled to rank a fragment's bigrams.
const (
	driverRuns  = 16
	driverWidth = 64
)

// driven: a fragment of 3 or more characters without cased letters is
// searched through the bigram index (see bigrams.go): the entries of
// its rarest bigram, in id order, each entity's name tested with LIKE.
// The trigram GIN index is not read in id order: its bounded count
// built the bitmap of every candidate first (100-280 ms for '许昌市魏' at
// a million entities, 92,000 matches), and a page of a sparse fragment
// walked the primary key (50-110 ms for '魏都区王', 226 matches). The
// rarest bigram is found from a sample of the index: driverRuns runs of
// driverWidth ids.
func (pgTrgmSearch) driven(ctx context.Context, s *Service, q *query, text string) (bool, error) {
	if utf8.RuneCountInString(text) < 3 || hasCase(text) {
		return false, nil
	}
	grams := bigrams(text)
	rows, err := s.DB.Q(ctx).Query(ctx, `WITH m AS (SELECT MIN(id) AS lo, MAX(id) AS hi FROM entities)
		SELECT nb.bigram, COUNT(*) FROM m CROSS JOIN generate_series(0, `+strconv.Itoa(driverRuns-1)+`) k CROSS JOIN LATERAL
		(SELECT bigram FROM entity_name_bigrams WHERE bigram = ANY($1::text[])
			AND entity_id >= m.lo + k * ((m.hi - m.lo + 1) / `+strconv.Itoa(driverRuns)+`)
			AND entity_id < m.lo + k * ((m.hi - m.lo + 1) / `+strconv.Itoa(driverRuns)+`) + `+strconv.Itoa(driverWidth)+` OFFSET 0) nb
		GROUP BY nb.bigram`, grams)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	seen := map[string]int64{}
	for rows.Next() {
		var g string
		var n int64
		if err := rows.Scan(&g, &n); err != nil {
			return false, err
		}
		seen[g] = n
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	driver := grams[0]
	for _, g := range grams[1:] {
		if seen[g] < seen[driver] {
			driver = g
		}
	}
	d := q.next(driver)
	q.ix = &nameMatches{from: "entity_name_bigrams", where: "bigram = " + d, id: "entity_id"}
	q.base = "(SELECT entity_id FROM entity_name_bigrams WHERE bigram = " + d + ") nb" +
		" CROSS JOIN LATERAL (SELECT * FROM entities WHERE id = nb.entity_id OFFSET 0) entities"
	q.conds = append(q.conds, "(name || '') LIKE "+q.next("%"+escapeLike(text)+"%")+` ESCAPE '\'`)
	return true, nil
}

func (pgTrgmSearch) probe() (string, nameIndex) {
	return "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'entities_name_trgm'", nameTrgm
}

func (pgTrgmSearch) ensure(ctx context.Context, s *Service) error {
	if err := s.ensureIDName(ctx); err != nil {
		return err
	}
	return s.ensureTrgm(ctx)
}

// The sample's id ranges are narrow: the planner reads them by primary key.
func (pgTrgmSearch) sampleHint() string { return "" }

// PostgreSQL has no NOT INDEXED: each run is read by the primary key in a
// LATERAL subquery that OFFSET 0 keeps from being merged into the outer
// query, and the conditions filter its rows. Else pgx's cached generic
// plan may take the region/industry index for a run of ids and read a
// whole region's entries (0.4 s at a million entities instead of a few
// ms).
func (pgTrgmSearch) sample(first, runs int, width int64, m *nameMatches, conds []string) string {
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	if m != nil {
		id := m.from + "." + m.id
		sql := "SELECT COUNT(*) FROM (" + sampleStarts(first, runs, "::bigint") + ") r(a) CROSS JOIN LATERAL (SELECT " + id +
			" AS entity_id FROM " + m.from + " WHERE " + m.where + " AND " + id + " >= r.a AND " + id + " < r.a + " +
			strconv.FormatInt(width, 10) + " OFFSET 0) nb"
		if len(conds) > 0 {
			sql += " CROSS JOIN LATERAL (SELECT * FROM entities WHERE entities.id = nb.entity_id OFFSET 0) entities" + where
		}
		return sql
	}
	return "SELECT COUNT(*) FROM (" + sampleStarts(first, runs, "::bigint") + ") r(a) CROSS JOIN LATERAL" +
		" (SELECT * FROM entities WHERE id >= r.a AND id < r.a + " + strconv.FormatInt(width, 10) + " OFFSET 0) entities" + where
}

// hasCase reports whether s has a letter with upper and lower case forms.
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.ToUpper(r) != unicode.ToLower(r) {
			return true
		}
	}
	return false
}

// searchIndex finds out once which name index the database has.
func (s *Service) searchIndex(ctx context.Context) (nameIndex, error) {
	s.searchMu.Lock()
	defer s.searchMu.Unlock()
	if s.nameIndex != nameUnknown {
		return s.nameIndex, nil
	}
	probe, found := nameSearchOf(s.DB.Dialect).probe()
	var n int
	if err := s.DB.Q(ctx).QueryRow(ctx, probe).Scan(&n); err != nil {
		return nameUnknown, err
	}
	s.nameIndex = nameLike
	if n > 0 {
		s.nameIndex = found
	}
	return s.nameIndex, nil
}

// sqliteFTS creates the FTS5 trigram index over entity names and the
// triggers that keep it in step with the entities table.
var sqliteFTS = []string{
	`CREATE VIRTUAL TABLE entities_fts USING fts5(name, content='entities', content_rowid='id', tokenize='trigram')`,
	`CREATE TRIGGER entities_fts_ai AFTER INSERT ON entities BEGIN
		INSERT INTO entities_fts(rowid, name) VALUES (new.id, new.name); END`,
	`CREATE TRIGGER entities_fts_au AFTER UPDATE OF name ON entities WHEN old.name <> new.name BEGIN
		INSERT INTO entities_fts(entities_fts, rowid, name) VALUES ('delete', old.id, old.name);
		INSERT INTO entities_fts(rowid, name) VALUES (new.id, new.name); END`,
	`CREATE TRIGGER entities_fts_ad AFTER DELETE ON entities BEGIN
		INSERT INTO entities_fts(entities_fts, rowid, name) VALUES ('delete', old.id, old.name); END`,
	`INSERT INTO entities_fts(entities_fts) VALUES ('rebuild')`,
}

// EnsureSearchIndex creates, when missing, the index that speeds up name
// substring search, and returns the method in use: "fts5" (SQLite FTS5
// with the trigram tokenizer), "pg_trgm" (a GIN trigram index on
// PostgreSQL), or "like" when PostgreSQL does not let the extension be
// created (search then scans; results are the same). Call it at start-up
// after the migrations; on a large existing table the first call builds
// the index and takes a while (about 10 s per million entities).
//
// This is not a migration because the two engines share no syntax for
// it; searching works without it, only slower.
func (s *Service) EnsureSearchIndex(ctx context.Context) (string, error) {
	s.searchMu.Lock()
	s.nameIndex = nameUnknown
	s.searchMu.Unlock()
	if err := nameSearchOf(s.DB.Dialect).ensure(ctx, s); err != nil {
		return "", err
	}
	idx, err := s.searchIndex(ctx)
	return idx.String(), err
}

func (s *Service) ensureFTS5(ctx context.Context) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'entities_fts'").Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, stmt := range sqliteFTS {
			if _, err := s.DB.Q(ctx).Exec(ctx, stmt); err != nil {
				return fmt.Errorf("create entity name index: %w", err)
			}
		}
		return nil
	})
}

func (s *Service) ensureTrgm(ctx context.Context) error {
	// CREATE EXTENSION needs privileges the application role may lack;
	// that is not an error, search then scans.
	if _, err := s.DB.W(ctx).Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm"); err != nil {
		var ok bool
		if e := s.DB.W(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").Scan(&ok); e != nil || !ok {
			return nil
		}
	}
	_, err := s.DB.W(ctx).Exec(ctx, "CREATE INDEX IF NOT EXISTS entities_name_trgm ON entities USING gin (name gin_trgm_ops)")
	if err != nil {
		return fmt.Errorf("create entity name index: %w", err)
	}
	return nil
}

// ensureIDName creates the index that gives each entity's name by its id
// without reading the table: a fragment searched through its bigram
// (driven) tests up to the count bound's names one by one, and from the
// table each is a random page read (50-110 ms for 5,001 at a million
// entities against 15-40 ms from this index, which stays in the buffer
// cache: about 70 MB). INCLUDE is PostgreSQL's (11+).
func (s *Service) ensureIDName(ctx context.Context) error {
	if _, err := s.DB.W(ctx).Exec(ctx, "CREATE INDEX IF NOT EXISTS entities_id_name ON entities (id) INCLUDE (name)"); err != nil {
		return fmt.Errorf("create entity name index: %w", err)
	}
	return nil
}
