package refdata

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Enterprise size classes under 《中小企业划型标准规定》
// (工信部联企业〔2011〕300号), with the industry scope read in GB/T 4754-2017
// terms as in the NBS 统计上大中小微型企业划分办法（2017）.
//
// Indicators: X = 从业人员 employees (persons), Y = 营业收入 operating revenue
// (万元), Z = 资产总额 total assets (万元). Each cell is the lower bound
// (inclusive, "及以上") of the class:
//
//	group (行业)          indicators  large (大型)       medium (中型)    small (小型)
//	农林牧渔业            Y           Y>=20000           Y>=500           Y>=50
//	工业                  X, Y        X>=1000, Y>=40000  X>=300, Y>=2000  X>=20, Y>=300
//	建筑业                Y, Z        Y>=80000, Z>=80000 Y>=6000, Z>=5000 Y>=300, Z>=300
//	批发业                X, Y        X>=200, Y>=40000   X>=20, Y>=5000   X>=5, Y>=1000
//	零售业                X, Y        X>=300, Y>=20000   X>=50, Y>=500    X>=10, Y>=100
//	交通运输业            X, Y        X>=1000, Y>=30000  X>=300, Y>=3000  X>=20, Y>=200
//	仓储业                X, Y        X>=200, Y>=30000   X>=100, Y>=1000  X>=20, Y>=100
//	邮政业                X, Y        X>=1000, Y>=30000  X>=300, Y>=2000  X>=20, Y>=100
//	住宿业                X, Y        X>=300, Y>=10000   X>=100, Y>=2000  X>=10, Y>=100
//	餐饮业                X, Y        X>=300, Y>=10000   X>=100, Y>=2000  X>=10, Y>=100
//	信息传输业            X, Y        X>=2000, Y>=100000 X>=100, Y>=1000  X>=10, Y>=100
//	软件和信息技术服务业  X, Y        X>=300, Y>=10000   X>=100, Y>=1000  X>=10, Y>=50
//	房地产开发经营        Y, Z        Y>=200000, Z>=10000 Y>=1000, Z>=5000 Y>=100, Z>=2000
//	物业管理              X, Y        X>=1000, Y>=5000   X>=300, Y>=1000  X>=100, Y>=500
//	租赁和商务服务业      X, Z        X>=300, Z>=120000  X>=100, Z>=8000  X>=10, Z>=100
//	其他未列明行业        X           X>=300             X>=100           X>=10
//
// Rule: an enterprise belongs to the highest class whose lower bounds it
// meets on every listed indicator at once (须同时满足); otherwise it drops to
// the next class. Micro (微型) is everything below small, i.e. below the small
// bound on any one indicator. So under 工业 1000 employees with 30000 revenue
// is medium, not large: the standard's "从业人员1000人以下或营业收入40000万元
// 以下的为中小微型企业" makes large require both bounds.
//
// Industry scope (GB/T 4754-2017 codes):
//
//	农林牧渔业 A; 工业 B, C, D; 建筑业 E; 批发业 51; 零售业 52;
//	交通运输业 54-58 and 591 (装卸搬运), not railways (53); 仓储业 592-599;
//	邮政业 60; 住宿业 61; 餐饮业 62; 信息传输业 63, 64; 软件和信息技术服务业 65;
//	房地产开发经营 7010; 物业管理 7020; 租赁和商务服务业 L (71, 72);
//	其他未列明行业 M, N, O, P, Q, R and 7030, 7040, 7090.
//
// Not covered (ErrSizeNotCovered): railway transport (53), finance (J, which
// has its own standard, 银发〔2015〕309号), S (public administration and
// organisations) and T (international organisations).

// Size is an enterprise size class.
type Size string

// Size classes.
const (
	SizeLarge  Size = "large"
	SizeMedium Size = "medium"
	SizeSmall  Size = "small"
	SizeMicro  Size = "micro"
)

// Label returns the display name: 大型/中型/小型/微型 for lang "zh" (or
// "zh-..."), Large/Medium/Small/Micro otherwise.
func (s Size) Label(lang string) string {
	zh := lang == "zh" || strings.HasPrefix(lang, "zh-") || strings.HasPrefix(lang, "zh_")
	labels := map[Size][2]string{
		SizeLarge:  {"大型", "Large"},
		SizeMedium: {"中型", "Medium"},
		SizeSmall:  {"小型", "Small"},
		SizeMicro:  {"微型", "Micro"},
	}
	l, ok := labels[s]
	if !ok {
		return string(s)
	}
	if zh {
		return l[0]
	}
	return l[1]
}

// SizeGroup is one of the 16 industry groups of the size standard, named as
// in the standard.
type SizeGroup string

// Industry groups of 工信部联企业〔2011〕300号.
const (
	SizeGroupAgriculture   SizeGroup = "农林牧渔业"
	SizeGroupIndustry      SizeGroup = "工业"
	SizeGroupConstruction  SizeGroup = "建筑业"
	SizeGroupWholesale     SizeGroup = "批发业"
	SizeGroupRetail        SizeGroup = "零售业"
	SizeGroupTransport     SizeGroup = "交通运输业"
	SizeGroupWarehousing   SizeGroup = "仓储业"
	SizeGroupPostal        SizeGroup = "邮政业"
	SizeGroupAccommodation SizeGroup = "住宿业"
	SizeGroupCatering      SizeGroup = "餐饮业"
	SizeGroupInfoTransmit  SizeGroup = "信息传输业"
	SizeGroupSoftware      SizeGroup = "软件和信息技术服务业"
	SizeGroupRealEstateDev SizeGroup = "房地产开发经营"
	SizeGroupPropertyMgmt  SizeGroup = "物业管理"
	SizeGroupLeasing       SizeGroup = "租赁和商务服务业"
	SizeGroupOther         SizeGroup = "其他未列明行业"
)

// Unknown marks an input of ClassifySize that is not known. Any negative
// value (or NaN for the money amounts) counts as unknown.
const Unknown = -1

// Errors returned by SizeGroupOf and ClassifySize; test with errors.Is.
var (
	ErrUnknownIndustry   = errors.New("refdata: unknown industry code")
	ErrAmbiguousIndustry = errors.New("refdata: industry code spans several size groups; give a more detailed code")
	ErrSizeNotCovered    = errors.New("refdata: industry not covered by the SME size standard")
	ErrMissingInput      = errors.New("refdata: missing input for size classification")
)

// MissingInputError says which inputs ClassifySize needs but did not get.
// errors.Is(err, ErrMissingInput) is true for it.
type MissingInputError struct {
	Group  SizeGroup
	Inputs []string // "employees", "revenue", "assets"
}

func (e *MissingInputError) Error() string {
	return fmt.Sprintf("refdata: size classification for %s needs %s", e.Group, strings.Join(e.Inputs, " and "))
}

// Is makes errors.Is(err, ErrMissingInput) match.
func (e *MissingInputError) Is(target error) bool { return target == ErrMissingInput }

type indicator int

const (
	indEmployees indicator = iota
	indRevenue
	indAssets
)

var indicatorNames = [...]string{"employees", "revenue", "assets"}

// sizeRule holds the indicators of a group and the lower bounds of the
// large, medium and small classes, one value per indicator.
type sizeRule struct {
	ind                  []indicator
	large, medium, small []float64
}

var sizeRules = map[SizeGroup]sizeRule{
	SizeGroupAgriculture:   {[]indicator{indRevenue}, []float64{20000}, []float64{500}, []float64{50}},
	SizeGroupIndustry:      {[]indicator{indEmployees, indRevenue}, []float64{1000, 40000}, []float64{300, 2000}, []float64{20, 300}},
	SizeGroupConstruction:  {[]indicator{indRevenue, indAssets}, []float64{80000, 80000}, []float64{6000, 5000}, []float64{300, 300}},
	SizeGroupWholesale:     {[]indicator{indEmployees, indRevenue}, []float64{200, 40000}, []float64{20, 5000}, []float64{5, 1000}},
	SizeGroupRetail:        {[]indicator{indEmployees, indRevenue}, []float64{300, 20000}, []float64{50, 500}, []float64{10, 100}},
	SizeGroupTransport:     {[]indicator{indEmployees, indRevenue}, []float64{1000, 30000}, []float64{300, 3000}, []float64{20, 200}},
	SizeGroupWarehousing:   {[]indicator{indEmployees, indRevenue}, []float64{200, 30000}, []float64{100, 1000}, []float64{20, 100}},
	SizeGroupPostal:        {[]indicator{indEmployees, indRevenue}, []float64{1000, 30000}, []float64{300, 2000}, []float64{20, 100}},
	SizeGroupAccommodation: {[]indicator{indEmployees, indRevenue}, []float64{300, 10000}, []float64{100, 2000}, []float64{10, 100}},
	SizeGroupCatering:      {[]indicator{indEmployees, indRevenue}, []float64{300, 10000}, []float64{100, 2000}, []float64{10, 100}},
	SizeGroupInfoTransmit:  {[]indicator{indEmployees, indRevenue}, []float64{2000, 100000}, []float64{100, 1000}, []float64{10, 100}},
	SizeGroupSoftware:      {[]indicator{indEmployees, indRevenue}, []float64{300, 10000}, []float64{100, 1000}, []float64{10, 50}},
	SizeGroupRealEstateDev: {[]indicator{indRevenue, indAssets}, []float64{200000, 10000}, []float64{1000, 5000}, []float64{100, 2000}},
	SizeGroupPropertyMgmt:  {[]indicator{indEmployees, indRevenue}, []float64{1000, 5000}, []float64{300, 1000}, []float64{100, 500}},
	SizeGroupLeasing:       {[]indicator{indEmployees, indAssets}, []float64{300, 120000}, []float64{100, 8000}, []float64{10, 100}},
	SizeGroupOther:         {[]indicator{indEmployees}, []float64{300}, []float64{100}, []float64{10}},
}

// groupNotCovered marks classes outside the standard.
const groupNotCovered SizeGroup = ""

// classSizeGroup maps a 4-digit class code to its size group.
func classSizeGroup(class string) SizeGroup {
	div := int(class[0]-'0')*10 + int(class[1]-'0')
	switch {
	case div <= 5:
		return SizeGroupAgriculture
	case div <= 46:
		return SizeGroupIndustry
	case div <= 50:
		return SizeGroupConstruction
	case div == 51:
		return SizeGroupWholesale
	case div == 52:
		return SizeGroupRetail
	case div == 53:
		return groupNotCovered // railway transport
	case div <= 58:
		return SizeGroupTransport
	case div == 59:
		if class[:3] == "591" {
			return SizeGroupTransport // 装卸搬运
		}
		return SizeGroupWarehousing
	case div == 60:
		return SizeGroupPostal
	case div == 61:
		return SizeGroupAccommodation
	case div == 62:
		return SizeGroupCatering
	case div <= 64:
		return SizeGroupInfoTransmit
	case div == 65:
		return SizeGroupSoftware
	case div <= 69:
		return groupNotCovered // finance
	case div == 70:
		switch class {
		case "7010":
			return SizeGroupRealEstateDev
		case "7020":
			return SizeGroupPropertyMgmt
		}
		return SizeGroupOther
	case div <= 72:
		return SizeGroupLeasing
	case div <= 90:
		return SizeGroupOther
	}
	return groupNotCovered // S, T
}

// SizeGroupOf returns the size-standard industry group of a GB/T 4754-2017
// code at any level. A coarse code works when all classes under it fall in
// one group ("C", "E", "39"); otherwise it returns ErrAmbiguousIndustry
// ("F", "70"). It returns ErrUnknownIndustry or ErrSizeNotCovered as the
// case may be.
func SizeGroupOf(industryCode string) (SizeGroup, error) {
	in, ok := Industry(industryCode)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownIndustry, industryCode)
	}
	groups := map[SizeGroup]bool{}
	var walk func(IndustryInfo)
	walk = func(i IndustryInfo) {
		if i.Level == IndustryClass {
			groups[classSizeGroup(i.Code)] = true
			return
		}
		for _, c := range IndustryChildren(i.Code) {
			walk(c)
		}
	}
	walk(in)
	if len(groups) == 1 {
		for g := range groups {
			if g == groupNotCovered {
				return "", fmt.Errorf("%w: %s %s", ErrSizeNotCovered, in.Code, in.Name)
			}
			return g, nil
		}
	}
	return "", fmt.Errorf("%w: %s %s", ErrAmbiguousIndustry, in.Code, in.Name)
}

// ClassifySize returns the size class of an enterprise in the given
// industry (a GB/T 4754-2017 code, see SizeGroupOf) from its employees
// (从业人员), operating revenue (营业收入, 万元) and total assets (资产总额,
// 万元). Only the indicators of the industry's group are used (see the table
// above); pass Unknown (or any negative value) for those not known. When a
// needed input is unknown the result is still returned if the known ones
// decide it (e.g. 工业 with 10 employees is micro whatever the revenue);
// otherwise the error is a *MissingInputError naming the inputs needed.
func ClassifySize(industryCode string, employees int, revenueWan float64, assetsWan float64) (Size, error) {
	g, err := SizeGroupOf(industryCode)
	if err != nil {
		return "", err
	}
	rule := sizeRules[g]
	values := [3]float64{float64(employees), revenueWan, assetsWan}
	known := func(i indicator) bool { return values[i] >= 0 && !math.IsNaN(values[i]) }

	// meets reports whether every indicator reaches its bound; decided is
	// false when that depends on an unknown value.
	meets := func(bounds []float64) (met, decided bool) {
		decided = true
		for k, ind := range rule.ind {
			switch {
			case !known(ind):
				decided = false
			case values[ind] < bounds[k]:
				return false, true // one indicator below is enough for "no"
			}
		}
		return decided, decided
	}
	for _, c := range []struct {
		size   Size
		bounds []float64
	}{{SizeLarge, rule.large}, {SizeMedium, rule.medium}, {SizeSmall, rule.small}} {
		met, decided := meets(c.bounds)
		if !decided {
			e := &MissingInputError{Group: g}
			for _, ind := range rule.ind {
				if !known(ind) {
					e.Inputs = append(e.Inputs, indicatorNames[ind])
				}
			}
			return "", e
		}
		if met {
			return c.size, nil
		}
	}
	return SizeMicro, nil
}
