package refdata

import (
	"errors"
	"math"
	"testing"
)

const U = Unknown

func TestClassifySizeBoundaries(t *testing.T) {
	tests := []struct {
		name     string
		industry string
		emp      int
		rev      float64
		assets   float64
		want     Size
	}{
		// 工业 (C3741): large needs X>=1000 and Y>=40000.
		{"industry large at bounds", "3741", 1000, 40000, U, SizeLarge},
		{"industry many staff low revenue", "3741", 5000, 39999.99, U, SizeMedium},
		{"industry 999 staff huge revenue", "3741", 999, 1e6, U, SizeMedium},
		{"industry medium at bounds", "3741", 300, 2000, U, SizeMedium},
		{"industry below medium revenue", "3741", 300, 1999, U, SizeSmall},
		{"industry below medium staff", "3741", 299, 30000, U, SizeSmall},
		{"industry small at bounds", "C", 20, 300, U, SizeSmall},
		{"industry micro staff", "C", 19, 30000, U, SizeMicro},
		{"industry micro revenue", "B", 500, 299, U, SizeMicro},
		{"industry micro with unknown revenue", "44", 5, U, U, SizeMicro},
		{"industry zero", "D", 0, 0, U, SizeMicro},
		// 农林牧渔业: revenue only.
		{"agri large", "A", U, 20000, U, SizeLarge},
		{"agri medium", "0111", U, 19999, U, SizeMedium},
		{"agri medium low", "0111", U, 500, U, SizeMedium},
		{"agri small", "0511", 1, 50, U, SizeSmall},
		{"agri micro", "0511", 1000, 49, U, SizeMicro},
		// 建筑业: revenue and assets.
		{"construction large", "E", U, 80000, 80000, SizeLarge},
		{"construction medium", "4811", U, 80000, 79999, SizeMedium},
		{"construction medium bounds", "4811", U, 6000, 5000, SizeMedium},
		{"construction small", "5012", U, 6000, 4999, SizeSmall},
		{"construction small bounds", "5012", 9999, 300, 300, SizeSmall},
		{"construction micro", "5012", U, 299, 300, SizeMicro},
		// 批发业.
		{"wholesale large", "51", 200, 40000, U, SizeLarge},
		{"wholesale medium", "5111", 199, 40000, U, SizeMedium},
		{"wholesale small", "5111", 19, 5000, U, SizeSmall},
		{"wholesale small bounds", "5111", 5, 1000, U, SizeSmall},
		{"wholesale micro", "5111", 4, 1000, U, SizeMicro},
		// 零售业.
		{"retail large", "5211", 300, 20000, U, SizeLarge},
		{"retail medium", "5211", 50, 500, U, SizeMedium},
		{"retail small", "5292", 10, 100, U, SizeSmall},
		{"retail micro", "5292", 10, 99, U, SizeMicro},
		// 交通运输业 (incl. 装卸搬运 591) and 仓储业 (592-599).
		{"transport large", "5431", 1000, 30000, U, SizeLarge},
		{"transport medium", "5431", 300, 3000, U, SizeMedium},
		{"transport small", "5431", 300, 2999, U, SizeSmall},
		{"loading is transport", "5910", 300, 3000, U, SizeMedium},
		{"warehousing medium", "5920", 100, 1000, U, SizeMedium},
		{"warehousing large", "5920", 200, 30000, U, SizeLarge},
		{"warehousing small", "5941", 20, 100, U, SizeSmall},
		// 邮政业.
		{"postal medium", "6020", 300, 2000, U, SizeMedium},
		{"postal small", "6020", 20, 100, U, SizeSmall},
		{"postal micro", "6020", 19, 100, U, SizeMicro},
		// 住宿业, 餐饮业.
		{"accommodation medium", "6110", 100, 2000, U, SizeMedium},
		{"catering large", "6210", 300, 10000, U, SizeLarge},
		{"catering micro", "6210", 9, 10000, U, SizeMicro},
		// 信息传输业.
		{"info large", "6311", 2000, 100000, U, SizeLarge},
		{"info medium", "6432", 1999, 100000, U, SizeMedium},
		{"info small", "6432", 10, 100, U, SizeSmall},
		// 软件和信息技术服务业.
		{"software large", "6513", 300, 10000, U, SizeLarge},
		{"software medium", "6513", 100, 1000, U, SizeMedium},
		{"software small", "65", 10, 50, U, SizeSmall},
		{"software micro", "65", 10, 49.9, U, SizeMicro},
		// 房地产开发经营: revenue and assets.
		{"real estate large", "7010", U, 200000, 10000, SizeLarge},
		{"real estate medium", "7010", U, 199999, 10000, SizeMedium},
		{"real estate small", "7010", U, 100, 2000, SizeSmall},
		{"real estate micro", "7010", U, 100, 1999, SizeMicro},
		// 物业管理.
		{"property large", "7020", 1000, 5000, U, SizeLarge},
		{"property medium", "7020", 300, 1000, U, SizeMedium},
		{"property small", "7020", 100, 500, U, SizeSmall},
		{"property micro", "7020", 99, 5000, U, SizeMicro},
		// 租赁和商务服务业: employees and assets.
		{"leasing large", "L", 300, U, 120000, SizeLarge},
		{"leasing medium", "7212", 100, 0, 8000, SizeMedium},
		{"leasing small", "7212", 10, U, 100, SizeSmall},
		{"leasing micro", "7212", 10, U, 99, SizeMicro},
		// 其他未列明行业: employees only.
		{"other large", "M", 300, U, U, SizeLarge},
		{"other medium", "7320", 100, U, U, SizeMedium},
		{"other small", "8010", 10, U, U, SizeSmall},
		{"other micro", "9030", 9, U, U, SizeMicro},
		{"real estate agency is other", "7030", 100, U, U, SizeMedium},
		{"education is other", "8394", 10, U, U, SizeSmall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ClassifySize(tc.industry, tc.emp, tc.rev, tc.assets)
			if err != nil || got != tc.want {
				t.Errorf("ClassifySize(%s, %d, %v, %v) = %q, %v; want %q", tc.industry, tc.emp, tc.rev, tc.assets, got, err, tc.want)
			}
		})
	}
}

func TestClassifySizeErrors(t *testing.T) {
	tests := []struct {
		name     string
		industry string
		emp      int
		rev      float64
		assets   float64
		want     error
		missing  []string
	}{
		{"unknown industry", "9999", 10, 10, 10, ErrUnknownIndustry, nil},
		{"ambiguous section", "F", 10, 10, 10, ErrAmbiguousIndustry, nil},
		{"ambiguous real estate", "70", 10, 10, 10, ErrAmbiguousIndustry, nil},
		{"finance", "6621", 10, 10, 10, ErrSizeNotCovered, nil},
		{"railway", "5311", 10, 10, 10, ErrSizeNotCovered, nil},
		{"public administration", "S", 10, 10, 10, ErrSizeNotCovered, nil},
		{"industry missing revenue", "3741", 500, U, U, ErrMissingInput, []string{"revenue"}},
		{"industry missing both", "3741", U, U, 100, ErrMissingInput, []string{"employees", "revenue"}},
		{"industry NaN revenue", "3741", 500, math.NaN(), U, ErrMissingInput, []string{"revenue"}},
		{"construction missing assets", "E", 100, 10000, U, ErrMissingInput, []string{"assets"}},
		{"real estate missing assets", "7010", U, 5000, U, ErrMissingInput, []string{"assets"}},
		{"leasing missing employees", "7111", U, 1e6, 9000, ErrMissingInput, []string{"employees"}},
		{"agri missing revenue", "A", 10, U, U, ErrMissingInput, []string{"revenue"}},
		{"other missing employees", "M", U, 100, 100, ErrMissingInput, []string{"employees"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ClassifySize(tc.industry, tc.emp, tc.rev, tc.assets)
			if !errors.Is(err, tc.want) || got != "" {
				t.Fatalf("got %q, %v; want %v", got, err, tc.want)
			}
			if tc.missing != nil {
				var me *MissingInputError
				if !errors.As(err, &me) || len(me.Inputs) != len(tc.missing) {
					t.Fatalf("want missing %v, got %v", tc.missing, err)
				}
				for i := range tc.missing {
					if me.Inputs[i] != tc.missing[i] {
						t.Errorf("missing %v, want %v", me.Inputs, tc.missing)
					}
				}
			}
		})
	}
}

func TestSizeGroupOf(t *testing.T) {
	for code, want := range map[string]SizeGroup{
		"A": SizeGroupAgriculture, "05": SizeGroupAgriculture,
		"B": SizeGroupIndustry, "C": SizeGroupIndustry, "4620": SizeGroupIndustry,
		"E": SizeGroupConstruction, "51": SizeGroupWholesale, "52": SizeGroupRetail,
		"54": SizeGroupTransport, "58": SizeGroupTransport, "591": SizeGroupTransport,
		"592": SizeGroupWarehousing, "5990": SizeGroupWarehousing, "60": SizeGroupPostal,
		"61": SizeGroupAccommodation, "62": SizeGroupCatering, "63": SizeGroupInfoTransmit,
		"64": SizeGroupInfoTransmit, "65": SizeGroupSoftware, "7010": SizeGroupRealEstateDev,
		"702": SizeGroupPropertyMgmt, "L": SizeGroupLeasing, "M": SizeGroupOther,
		"N": SizeGroupOther, "O": SizeGroupOther, "P": SizeGroupOther, "Q": SizeGroupOther,
		"R": SizeGroupOther, "7040": SizeGroupOther,
	} {
		got, err := SizeGroupOf(code)
		if err != nil || got != want {
			t.Errorf("SizeGroupOf(%s) = %q, %v; want %q", code, got, err, want)
		}
	}
	for _, code := range []string{"G", "59", "K", "I", "H"} {
		if _, err := SizeGroupOf(code); !errors.Is(err, ErrAmbiguousIndustry) {
			t.Errorf("SizeGroupOf(%s) err = %v, want ambiguous", code, err)
		}
	}
	if len(sizeRules) != 16 {
		t.Errorf("want 16 size groups, got %d", len(sizeRules))
	}
	// Every class is either covered by a rule or explicitly not covered.
	for _, r := range parseTSV("industries.tsv", industriesTSV) {
		if len(r.code) == 4 {
			if g := classSizeGroup(r.code); g != groupNotCovered {
				if _, ok := sizeRules[g]; !ok {
					t.Errorf("%s maps to %q without a rule", r.code, g)
				}
			}
		}
	}
}

func TestSizeLabel(t *testing.T) {
	for _, tc := range []struct {
		s      Size
		zh, en string
	}{
		{SizeLarge, "大型", "Large"}, {SizeMedium, "中型", "Medium"},
		{SizeSmall, "小型", "Small"}, {SizeMicro, "微型", "Micro"},
	} {
		if tc.s.Label("zh") != tc.zh || tc.s.Label("zh-CN") != tc.zh || tc.s.Label("en") != tc.en || tc.s.Label("") != tc.en {
			t.Errorf("labels of %s wrong", tc.s)
		}
	}
	if Size("x").Label("zh") != "x" {
		t.Error("unknown size label")
	}
}

func TestMissingInputErrorMessage(t *testing.T) {
	_, err := ClassifySize("3741", 500, U, U)
	if err == nil || err.Error() != "refdata: size classification for 工业 needs revenue" {
		t.Errorf("message = %v", err)
	}
}
