package entity

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// Limits on Input fields.
const (
	MaxNameRunes    = 200
	MaxTypeRunes    = 50
	MaxPersonRunes  = 50
	MaxAddressRunes = 200
	MaxTags         = 10
	MaxTagRunes     = 20
	MaxEmployees    = 10_000_000
	MaxAmountWan    = 1e12 // 万元; well above any enterprise
)

// Input field names, as in the JSON payload and in RowError.Field.
const (
	FieldUSCC         = "uscc"
	FieldName         = "name"
	FieldType         = "type"
	FieldLegalRepName = "legal_rep_name"
	FieldLegalRepID   = "legal_rep_id"
	FieldAddress      = "address"
	FieldRegion       = "region_code"
	FieldIndustry     = "industry_code"
	FieldEmployees    = "employees"
	FieldRevenue      = "revenue_wan"
	FieldAssets       = "assets_wan"
	FieldSize         = "size_class"
	FieldFoundedOn    = "founded_on"
	FieldStatus       = "status"
	FieldPhone        = "phone"
	FieldTags         = "tags"
	FieldDepartment   = "department_id"
)

// cst is China Standard Time: "today" and "not in the future" are judged
// on the calendar of the users.
var cst = time.FixedZone("CST", 8*3600)

// earliestFounding is the earliest accepted founding date.
var earliestFounding = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)

// ValidateAt normalises in in place and checks it as of now. It returns nil
// or a *yserr.Error (code invalid) listing every bad field with a Chinese
// and an English reason:
//
//   - uscc: GB 32100 code with a correct check character (the message
//     names the expected one); full-width characters and lower case are
//     accepted and normalised.
//   - name: required, at most 200 characters.
//   - legal_rep_id: empty, or a GB 11643 identity card number whose birth
//     date is not after today.
//   - region_code: empty (then the region inside the USCC is used when it
//     is a known division) or a known 6-digit GB/T 2260 code.
//   - industry_code: empty or a GB/T 4754-2017 code at any level.
//   - employees, revenue_wan, assets_wan: not negative.
//   - size_class: empty (computed with refdata.ClassifySize from the
//     industry and the indicators given, when they decide it) or
//     large/medium/small/micro. An explicit class equal to the computed one
//     is recorded as computed, any other as set.
//   - founded_on: empty or a real date YYYY-MM-DD, not after today (China
//     time) and not before 1800.
//   - status: empty (active) or active/operating/revoked/cancelled.
//   - phone: empty, a mainland mobile number (13812345678, +86 and spaces
//     allowed), a fixed-line number with its area code (0374-1234567,
//     010-12345678, optionally with an extension -123), or a 400/800
//     service number (400-123-4567).
//   - tags: at most 10, each 1-20 characters without commas; duplicates
//     are dropped.
func (in *Input) ValidateAt(now time.Time) error {
	in.normalize()
	var v yserr.Validation
	if err := ident.ValidateUSCC(in.USCC); err != nil {
		v.AddErr(FieldUSCC, err)
	}
	checkText(&v, FieldName, in.Name, MaxNameRunes, true, "名称", "name")
	checkText(&v, FieldType, in.Type, MaxTypeRunes, false, "类型", "type")
	checkText(&v, FieldLegalRepName, in.LegalRepName, MaxPersonRunes, false, "法定代表人", "legal representative")
	checkText(&v, FieldAddress, in.Address, MaxAddressRunes, false, "住所", "address")
	if in.LegalRepID != "" {
		v.AddErr(FieldLegalRepID, ident.ValidateIDCardAt(in.LegalRepID, now.In(cst)))
	}
	in.checkCodes(&v)
	in.checkNumbers(&v)
	if in.FoundedOn != "" {
		checkFounding(&v, in.FoundedOn, now)
	}
	if !in.Status.Valid() {
		v.Add(FieldStatus, "登记状态应为 存续、在业、吊销 或 注销", "status must be active, operating, revoked or cancelled")
	}
	if in.Phone != "" && !validPhone(in.Phone) {
		v.Add(FieldPhone, "联系电话应为手机号码（如 13812345678）或带区号的固定电话（如 0374-1234567）",
			"phone must be a mobile number (e.g. 13812345678) or a fixed-line number with area code (e.g. 0374-1234567)")
	}
	checkTags(&v, in.Tags)
	if in.DepartmentID < 0 {
		v.Add(FieldDepartment, "部门编号无效", "invalid department id")
	}
	if err := v.Err(); err != nil {
		return err
	}
	in.resolveSize()
	return nil
}

// normalize trims and canonicalises every field; it does not validate.
func (in *Input) normalize() {
	in.USCC = ident.NormalizeUSCC(in.USCC)
	in.Name = cleanText(in.Name)
	in.Type = cleanText(in.Type)
	in.LegalRepName = cleanText(in.LegalRepName)
	in.LegalRepID = ident.NormalizeIDCard(in.LegalRepID)
	in.Address = cleanText(in.Address)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	if in.RegionCode == "" && len(in.USCC) == ident.USCCLength && refdata.ValidRegion(in.USCC[2:8]) {
		in.RegionCode = in.USCC[2:8]
	}
	if in.IndustryCode != "" {
		in.IndustryCode = refdata.NormalizeIndustryCode(in.IndustryCode)
	}
	if s, ok := ParseSize(string(in.SizeClass)); ok {
		in.SizeClass = s
	}
	in.FoundedOn = strings.TrimSpace(in.FoundedOn)
	if st, ok := ParseStatus(string(in.Status)); ok {
		in.Status = st
	}
	in.Phone = normalizePhone(in.Phone)
	in.Tags = normalizeTags(in.Tags)
}

// cleanText trims white space (including the ideographic space) and
// collapses inner runs of white space to one space.
func cleanText(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func checkText(v *yserr.Validation, field, s string, max int, required bool, zh, en string) {
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		v.Add(field, zh+"不能为空", en+" is required")
	case n > max:
		v.Add(field, fmt.Sprintf("%s不能超过 %d 个字符（现有 %d 个）", zh, max, n),
			fmt.Sprintf("%s must be at most %d characters (has %d)", en, max, n))
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, zh+"含有无效字符", en+" contains invalid characters")
	}
}

func (in *Input) checkCodes(v *yserr.Validation) {
	if in.RegionCode != "" {
		if len(in.RegionCode) != 6 || !refdata.ValidRegion(in.RegionCode) {
			v.Add(FieldRegion, fmt.Sprintf("行政区划代码“%s”不是有效的 6 位 GB/T 2260 代码", in.RegionCode),
				fmt.Sprintf("region code %q is not a known 6-digit GB/T 2260 code", in.RegionCode))
		}
	}
	if in.IndustryCode != "" && !refdata.ValidIndustry(in.IndustryCode) {
		v.Add(FieldIndustry, fmt.Sprintf("行业代码“%s”不是有效的 GB/T 4754-2017 代码", in.IndustryCode),
			fmt.Sprintf("industry code %q is not a known GB/T 4754-2017 code", in.IndustryCode))
	}
	if in.SizeClass != "" && !validSize(in.SizeClass) {
		v.Add(FieldSize, "企业规模应为 大型、中型、小型 或 微型", "size class must be large, medium, small or micro")
	}
}

func (in *Input) checkNumbers(v *yserr.Validation) {
	if in.Employees != nil && (*in.Employees < 0 || *in.Employees > MaxEmployees) {
		v.Add(FieldEmployees, "从业人员应为 0 至 10000000 之间的整数", "employees must be a whole number from 0 to 10000000")
	}
	for _, a := range []struct {
		field, zh, en string
		val           *float64
	}{{FieldRevenue, "营业收入", "revenue", in.RevenueWan}, {FieldAssets, "资产总额", "total assets", in.AssetsWan}} {
		if a.val != nil && (math.IsNaN(*a.val) || *a.val < 0 || *a.val > MaxAmountWan) {
			v.Add(a.field, a.zh+"（万元）应为不小于 0 的数", a.en+" (10k yuan) must be a number not below 0")
		}
	}
}

func checkFounding(v *yserr.Validation, s string, now time.Time) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		v.Add(FieldFoundedOn, fmt.Sprintf("成立日期“%s”不是有效日期（格式 YYYY-MM-DD）", s),
			fmt.Sprintf("founding date %q is not a valid date (YYYY-MM-DD)", s))
		return
	}
	today, _ := time.Parse("2006-01-02", now.In(cst).Format("2006-01-02"))
	switch {
	case d.After(today):
		v.Add(FieldFoundedOn, "成立日期不能晚于今天", "founding date cannot be in the future")
	case d.Before(earliestFounding):
		v.Add(FieldFoundedOn, "成立日期不能早于 1800 年", "founding date cannot be before 1800")
	}
}

func checkTags(v *yserr.Validation, tags []string) {
	if len(tags) > MaxTags {
		v.Add(FieldTags, fmt.Sprintf("标签最多 %d 个（现有 %d 个）", MaxTags, len(tags)),
			fmt.Sprintf("at most %d tags (has %d)", MaxTags, len(tags)))
		return
	}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t); n > MaxTagRunes {
			v.Add(FieldTags, fmt.Sprintf("标签“%s”超过 %d 个字符", t, MaxTagRunes),
				fmt.Sprintf("tag %q is longer than %d characters", t, MaxTagRunes))
			return
		}
		if !utf8.ValidString(t) || strings.IndexFunc(t, unicode.IsControl) >= 0 {
			v.Add(FieldTags, "标签含有无效字符", "a tag contains invalid characters")
			return
		}
	}
}

// normalizeTags trims each tag, splits on commas, drops empty ones and
// duplicates, keeping the first occurrence order.
func normalizeTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		for _, p := range splitTags(t) {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// splitTags splits a cell on the separators people type: , ， 、 ; ；
func splitTags(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	}) {
		if p = cleanText(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolveSize fills SizeClass and sizeSource from the indicators.
func (in *Input) resolveSize() {
	computed := in.computeSize()
	switch {
	case in.SizeClass == "" && computed != "":
		in.SizeClass, in.sizeSource = computed, SizeComputed
	case in.SizeClass == "":
		in.sizeSource = ""
	case in.SizeClass == computed:
		in.sizeSource = SizeComputed
	default:
		in.sizeSource = SizeSet
	}
}

// computeSize classifies the entity when the industry and the indicators
// decide the class, and returns "" otherwise.
func (in *Input) computeSize() refdata.Size {
	if in.IndustryCode == "" || in.Employees == nil && in.RevenueWan == nil && in.AssetsWan == nil {
		return ""
	}
	emp, rev, ast := refdata.Unknown, float64(refdata.Unknown), float64(refdata.Unknown)
	if in.Employees != nil {
		emp = *in.Employees
	}
	if in.RevenueWan != nil {
		rev = *in.RevenueWan
	}
	if in.AssetsWan != nil {
		ast = *in.AssetsWan
	}
	size, err := refdata.ClassifySize(in.IndustryCode, emp, rev, ast)
	if err != nil {
		return ""
	}
	return size
}

func validSize(s refdata.Size) bool {
	return s == refdata.SizeLarge || s == refdata.SizeMedium || s == refdata.SizeSmall || s == refdata.SizeMicro
}

// ParseSize reads a size class written as a code (large), an English label
// (Large) or a Chinese one (大型, 大型企业, 大).
func ParseSize(s string) (refdata.Size, bool) {
	s = strings.ToLower(cleanText(s))
	s = strings.TrimSuffix(s, "企业")
	for _, z := range []refdata.Size{refdata.SizeLarge, refdata.SizeMedium, refdata.SizeSmall, refdata.SizeMicro} {
		zh := z.Label("zh")
		if s == string(z) || s == zh || s == strings.TrimSuffix(zh, "型") {
			return z, true
		}
	}
	return refdata.Size(s), false
}

// ParseStatus reads a status written as a code (active) or a label (存续,
// Active). A label followed by a parenthesised note, as registration
// systems print it ("存续（在营、开业、在册）"), is accepted too; "" is
// active.
func ParseStatus(s string) (Status, bool) {
	s = strings.ToLower(cleanText(s))
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" {
		return StatusActive, true
	}
	for st, l := range statusLabels {
		if s == string(st) || s == l[0] || s == strings.ToLower(l[1]) {
			return st, true
		}
	}
	switch s {
	case "在营", "开业", "在册":
		return StatusActive, true
	}
	return Status(s), false
}

var (
	fixedLineRe = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$`)
	serviceRe   = regexp.MustCompile(`^[48]00-?[0-9]{3}-?[0-9]{4}$`)
)

// normalizePhone canonicalises a mobile number to its 11 digits and a
// fixed-line or service number to ASCII without spaces.
func normalizePhone(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if ident.ValidateMobile(s) == nil {
		return ident.NormalizeMobile(s)
	}
	s = ident.NormalizeIDCard(s) // full-width to ASCII, trimmed
	s = strings.NewReplacer(" ", "", "—", "-", "－", "-", "转", "-", "(", "", ")", "-").Replace(s)
	return strings.TrimPrefix(s, "-")
}

func validPhone(s string) bool {
	return ident.ValidateMobile(s) == nil || fixedLineRe.MatchString(s) || serviceRe.MatchString(s)
}

// isMasked reports whether s is a masked form (contains '*').
func isMasked(s string) bool { return strings.Contains(s, "*") }
