package entity

import (
	"math/rand/v2"
	"strings"
	"testing"

	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

func validInput(t testing.TB) Input {
	return Input{
		USCC: uscc(t, "91411002MA44XJ5T2"), Name: "许昌市魏都区瑞丰商贸有限公司", Type: "有限责任公司",
		LegalRepName: "张伟", LegalRepID: idcard(1), Address: "许昌市魏都区许继大道1688号",
		IndustryCode: "5132", Employees: ptr(35), RevenueWan: ptr(1280.5), FoundedOn: "2019-03-15",
		Phone: "13812345678", Tags: []string{"专精特新"},
	}
}

// fieldErrors returns field -> Chinese message of a validation error.
func fieldErrors(t *testing.T, err error) map[string]yserr.FieldError {
	t.Helper()
	e := yserr.As(err)
	if e.Code != yserr.Invalid {
		t.Fatalf("want invalid, got %v", err)
	}
	m := map[string]yserr.FieldError{}
	for _, f := range e.Fields {
		if f.ZH == "" || f.EN == "" {
			t.Fatalf("field %s lacks a message: %+v", f.Field, f)
		}
		m[f.Field] = f
	}
	return m
}

func TestValidateNormalises(t *testing.T) {
	in := validInput(t)
	in.USCC = " " + strings.ToLower(in.USCC) + " "
	in.Name = "  许昌市魏都区瑞丰商贸有限公司\u3000"
	in.IndustryCode = "f5132"
	in.Phone = "+86 138 1234 5678"
	in.Tags = []string{"专精特新，规上企业", "专精特新", " "}
	in.Status = "存续（在营、开业、在册）"
	if err := in.ValidateAt(testNow); err != nil {
		t.Fatal(err)
	}
	if in.USCC != uscc(t, "91411002MA44XJ5T2") || in.Name != "许昌市魏都区瑞丰商贸有限公司" || in.IndustryCode != "5132" ||
		in.Phone != "13812345678" || in.Status != StatusActive || in.RegionCode != "411002" {
		t.Errorf("not normalised: %+v", in)
	}
	if strings.Join(in.Tags, "|") != "专精特新|规上企业" {
		t.Errorf("tags = %q", in.Tags)
	}
	// 批发业: 35 employees and 1280.5 wan revenue is small (X>=5, Y>=1000; medium needs X>=20 and Y>=5000).
	if in.SizeClass != refdata.SizeSmall || in.SizeSource() != SizeComputed {
		t.Errorf("size = %s/%s", in.SizeClass, in.SizeSource())
	}
}

func TestValidateSize(t *testing.T) {
	in := validInput(t)
	in.SizeClass = "小型"
	if err := in.ValidateAt(testNow); err != nil || in.SizeClass != refdata.SizeSmall || in.SizeSource() != SizeComputed {
		t.Errorf("explicit equal to computed: %v %s/%s", err, in.SizeClass, in.SizeSource())
	}
	in = validInput(t)
	in.SizeClass = "medium"
	if err := in.ValidateAt(testNow); err != nil || in.SizeClass != refdata.SizeMedium || in.SizeSource() != SizeSet {
		t.Errorf("explicit override: %v %s/%s", err, in.SizeClass, in.SizeSource())
	}
	in = validInput(t)
	in.Employees, in.RevenueWan = nil, nil
	if err := in.ValidateAt(testNow); err != nil || in.SizeClass != "" || in.SizeSource() != "" {
		t.Errorf("no indicators: %v %s/%s", err, in.SizeClass, in.SizeSource())
	}
	in = validInput(t)
	in.Employees, in.RevenueWan = ptr(3), nil // 批发业 X<5 is micro whatever the revenue
	if err := in.ValidateAt(testNow); err != nil || in.SizeClass != refdata.SizeMicro {
		t.Errorf("decided by one indicator: %v %s", err, in.SizeClass)
	}
}

func TestValidateErrors(t *testing.T) {
	good := validInput(t)
	badCheck := good.USCC[:17] + "0"
	if badCheck == good.USCC {
		badCheck = good.USCC[:17] + "1"
	}
	tests := []struct {
		name   string
		mod    func(*Input)
		field  string
		wantZH string
	}{
		{"uscc check", func(in *Input) { in.USCC = badCheck }, FieldUSCC, "第18位校验码不对，请核对"},
		{"uscc empty", func(in *Input) { in.USCC = "" }, FieldUSCC, "不能为空"},
		{"name empty", func(in *Input) { in.Name = " " }, FieldName, "名称不能为空"},
		{"name long", func(in *Input) { in.Name = strings.Repeat("企", 201) }, FieldName, "名称不能超过 200 个字符"},
		{"id check", func(in *Input) { in.LegalRepID = "110105194912310020" }, FieldLegalRepID, "第18位校验码不对，请核对"},
		{"id birth future", func(in *Input) {
			in.LegalRepID = ident.GenerateIDCard(rand.New(rand.NewPCG(1, 1)), "411002", testNow.AddDate(0, 0, 2), true)
		}, FieldLegalRepID, "出生日期"},
		{"region unknown", func(in *Input) { in.RegionCode = "411099" }, FieldRegion, "行政区划代码“411099”不是有效"},
		{"region short", func(in *Input) { in.RegionCode = "4110" }, FieldRegion, "6 位"},
		{"industry", func(in *Input) { in.IndustryCode = "9999" }, FieldIndustry, "行业代码“9999”"},
		{"employees", func(in *Input) { in.Employees = ptr(-1) }, FieldEmployees, "从业人员"},
		{"revenue", func(in *Input) { in.RevenueWan = ptr(-0.5) }, FieldRevenue, "营业收入"},
		{"size", func(in *Input) { in.SizeClass = "huge" }, FieldSize, "企业规模"},
		{"founded future", func(in *Input) { in.FoundedOn = "2025-06-02" }, FieldFoundedOn, "不能晚于今天"},
		{"founded bad", func(in *Input) { in.FoundedOn = "2025-02-30" }, FieldFoundedOn, "不是有效日期"},
		{"status", func(in *Input) { in.Status = "closed" }, FieldStatus, "登记状态"},
		{"phone", func(in *Input) { in.Phone = "12345" }, FieldPhone, "联系电话"},
		{"tags many", func(in *Input) {
			in.Tags = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")
		}, FieldTags, "标签最多 10 个"},
		{"tag long", func(in *Input) { in.Tags = []string{strings.Repeat("标", 21)} }, FieldTags, "超过 20 个字符"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput(t)
			tc.mod(&in)
			errs := fieldErrors(t, in.ValidateAt(testNow))
			if len(errs) != 1 {
				t.Errorf("want one error, got %+v", errs)
			}
			if got := errs[tc.field].ZH; !strings.Contains(got, tc.wantZH) {
				t.Errorf("%s: got %q, want it to contain %q", tc.field, got, tc.wantZH)
			}
		})
	}
	in := Input{USCC: "x", Name: ""}
	errs := fieldErrors(t, in.ValidateAt(testNow))
	if _, ok := errs[FieldUSCC]; !ok || errs[FieldName].EN != "name is required" {
		t.Errorf("several errors: %+v", errs)
	}
}

func TestValidatePhones(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":      "13812345678",
		"138-1234-5678":    "13812345678",
		"0374-1234567":     "0374-1234567",
		"010-12345678":     "010-12345678",
		"０３７４－１２３４５６７":     "0374-1234567",
		"(0374)1234567":    "0374-1234567",
		"03741234567":      "03741234567",
		"0374-1234567-801": "0374-1234567-801",
		"0374-1234567转801": "0374-1234567-801",
		"400-123-4567":     "400-123-4567",
	} {
		x := validInput(t)
		x.Phone = in
		if err := x.ValidateAt(testNow); err != nil || x.Phone != want {
			t.Errorf("%q: %v, %q (want %q)", in, err, x.Phone, want)
		}
	}
	for _, in := range []string{"12812345678", "1381234567", "374-1234567", "0374-123", "phone", "0374-0234567"} {
		x := validInput(t)
		x.Phone = in
		if err := x.ValidateAt(testNow); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestGenerateRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	n, xuchang, individual := 0, 0, 0
	names := map[string]bool{}
	err := GenerateRows(r, 3000, func(in Input) error {
		n++
		if err := in.ValidateAt(testNow); err != nil {
			t.Fatalf("generated row %d invalid: %v\n%+v", n, err, in)
		}
		if strings.HasPrefix(in.RegionCode, "4110") {
			xuchang++
		}
		if in.Type == "个体工商户" {
			individual++
			if in.USCC[:2] != "92" || !strings.Contains(in.Name, "记") {
				t.Errorf("individual business %s %s", in.USCC, in.Name)
			}
		}
		names[in.Name] = true
		return nil
	})
	if err != nil || n != 3000 {
		t.Fatal(err, n)
	}
	if xuchang < 1800 || xuchang > 2400 {
		t.Errorf("%d of 3000 in Xuchang, want about 70%%", xuchang)
	}
	if individual < 300 {
		t.Errorf("only %d individual businesses", individual)
	}
	if len(names) < 2000 {
		t.Errorf("only %d distinct names", len(names))
	}
	// Same seed, same rows.
	var a, b []string
	GenerateRows(rand.New(rand.NewPCG(1, 2)), 5, func(in Input) error { a = append(a, in.USCC+in.Name); return nil })
	GenerateRows(rand.New(rand.NewPCG(1, 2)), 5, func(in Input) error { b = append(b, in.USCC+in.Name); return nil })
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Error("not deterministic")
	}
	t.Log(a)
}
