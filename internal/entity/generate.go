package entity

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"yingshang/internal/ident"
	"yingshang/internal/refdata"
)

// Synthetic data for demos and benchmarks. Everything here is invented:
// the codes are valid (check characters included) but belong to nobody.

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力林鹏飞宇浩凯鑫晨阳佳欣怡子涵梓轩雨博文思源志国庆海波春梅")
	brands     = []string{"瑞丰", "恒达", "鑫源", "华泰", "宏远", "永盛", "金诚", "德隆", "嘉禾", "盛世", "天成", "福源", "广利", "众信",
		"鼎盛", "泰和", "兴隆", "汇通", "博远", "中原", "魏武", "莲城", "钧瓷", "昌盛", "新宇", "金豫", "聚德", "万通", "信达", "瑞祥",
		"凯旋", "和顺", "东方", "华夏", "润泽", "长青", "锦程", "宏图", "光明", "大地"}
	roads = []string{"许继大道", "八一路", "建设路", "文峰路", "魏文路", "学院路", "劳动路", "莲城大道", "七里店路", "许由路",
		"东城区龙湖路", "瑞祥路", "新兴路", "灞陵路", "毓秀路"}
	mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
		"157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "199"}
	tagPool = []string{"专精特新", "高新技术企业", "规上企业", "小微企业", "科技型中小企业", "外贸", "发制品", "民营企业", "重点税源", "个转企"}
)

// genIndustry is a line of business used to name synthetic companies.
type genIndustry struct {
	code   string // GB/T 4754-2017 class
	word   string // company name part (商贸, 餐饮管理 ...)
	shop   string // individual business name part ("" if none)
	weight int
}

var genIndustries = []genIndustry{
	{"5132", "服装", "服装店", 6}, {"5211", "商贸", "百货店", 8}, {"5213", "商贸", "便利店", 10}, {"5281", "五金", "五金店", 5},
	{"5223", "果蔬", "水果店", 5}, {"6210", "餐饮管理", "餐馆", 10}, {"6291", "餐饮", "小吃店", 8}, {"8040", "美容美发", "理发店", 5},
	{"2439", "发制品", "", 8}, {"3484", "机械制造", "", 4}, {"4710", "建筑工程", "", 4}, {"5431", "物流", "货运部", 4},
	{"6513", "科技", "", 3}, {"7020", "物业服务", "", 2}, {"7010", "房地产开发", "", 1}, {"0141", "农业开发", "", 3},
	{"5165", "建材", "建材店", 4}, {"1830", "服饰", "", 2}, {"7259", "文化传媒", "", 2}, {"6121", "酒店管理", "旅馆", 2},
}

// genRegions are counties of Xuchang (about 70% of entities), and the
// counties of the rest of Henan and of two other provinces for the rest.
var genRegions = sync.OnceValue(func() regionPools {
	p := regionPools{}
	counties := func(parent string) []refdata.RegionInfo {
		var out []refdata.RegionInfo
		for _, c := range refdata.RegionChildren(parent) {
			if !c.FunctionalZone {
				out = append(out, c)
			}
		}
		return out
	}
	p.xuchang = counties("411000")
	for _, city := range refdata.RegionChildren("410000") {
		if city.Code != "411000" {
			p.henan = append(p.henan, counties(city.Code)...)
		}
	}
	for _, prov := range []string{"610000", "320000"} {
		for _, city := range refdata.RegionChildren(prov) {
			p.other = append(p.other, counties(city.Code)...)
		}
	}
	return p
})

type regionPools struct{ xuchang, henan, other []refdata.RegionInfo }

// GenerateRows calls fn with n synthetic, valid and distinct entities:
// companies named from their place, a trade name, a line of business and
// 有限公司 (许昌市魏都区瑞丰商贸有限公司), individual businesses (个体工商户,
// 魏都区张记餐馆) and co-operatives, with valid USCCs and identity card
// numbers, real region codes (mostly 河南省许昌市), real industry codes,
// plausible employees and revenue, mobile or fixed-line phones. The same r
// gives the same rows. It stops at the first error fn returns.
func GenerateRows(r *rand.Rand, n int, fn func(Input) error) error {
	seen := make(map[usccKey]bool, n)
	totalWeight := 0
	for _, g := range genIndustries {
		totalWeight += g.weight
	}
	for i := 0; i < n; i++ {
		in := generateOne(r, totalWeight)
		for {
			k, _ := packUSCC(in.USCC)
			if !seen[k] {
				seen[k] = true
				break
			}
			in.USCC = genUSCC(r, in.USCC[1], in.RegionCode)
		}
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

func generateOne(r *rand.Rand, totalWeight int) Input {
	region := pickRegion(r)
	ind := pickIndustry(r, totalWeight)
	var in Input
	kind := r.IntN(100)
	switch {
	case kind < 30 && ind.shop != "":
		in = genIndividual(r, region, ind)
	case kind < 33:
		in = genCooperative(r, region)
	default:
		in = genCompany(r, region, ind)
	}
	in.RegionCode = region.Code
	male := r.IntN(3) > 0
	in.LegalRepName = genPerson(r)
	birth := time.Date(1955+r.IntN(46), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	in.LegalRepID = ident.GenerateIDCard(r, region.Code, birth, male)
	in.Address = fmt.Sprintf("%s%s%d号", strings.TrimPrefix(refdata.FullName(region.Code), "河南省"), roads[r.IntN(len(roads))], 1+r.IntN(2000))
	in.FoundedOn = time.Date(1998+r.IntN(27), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	in.Status = pickStatus(r)
	in.Phone = genPhone(r)
	for t := r.IntN(5) - 2; t > 0; t-- {
		in.Tags = append(in.Tags, tagPool[r.IntN(len(tagPool))])
	}
	in.Tags = normalizeTags(in.Tags)
	return in
}

func pickRegion(r *rand.Rand) refdata.RegionInfo {
	p := genRegions()
	switch n := r.IntN(100); {
	case n < 70:
		return p.xuchang[r.IntN(len(p.xuchang))]
	case n < 92:
		return p.henan[r.IntN(len(p.henan))]
	default:
		return p.other[r.IntN(len(p.other))]
	}
}

func pickIndustry(r *rand.Rand, total int) genIndustry {
	n := r.IntN(total)
	for _, g := range genIndustries {
		if n < g.weight {
			return g
		}
		n -= g.weight
	}
	return genIndustries[0]
}

func pickStatus(r *rand.Rand) Status {
	switch n := r.IntN(100); {
	case n < 85:
		return StatusActive
	case n < 93:
		return StatusOperating
	case n < 97:
		return StatusRevoked
	default:
		return StatusCancelled
	}
}

// placeName is the city and county part of a name: 许昌市魏都区, or just
// the county for a county-level city (禹州市).
func placeName(region refdata.RegionInfo) string {
	full := refdata.FullName(region.Code)
	if p, ok := refdata.Region(region.Parent); ok && p.Level == refdata.LevelProvince {
		return region.Name
	}
	for _, prov := range refdata.Provinces() {
		full = strings.TrimPrefix(full, prov.Name)
	}
	if strings.HasSuffix(region.Name, "市") {
		return region.Name
	}
	return full
}

func genCompany(r *rand.Rand, region refdata.RegionInfo, ind genIndustry) Input {
	in := Input{Type: "有限责任公司", IndustryCode: ind.code}
	suffix := "有限公司"
	if r.IntN(25) == 0 {
		in.Type, suffix = "股份有限公司", "股份有限公司"
	}
	in.Name = placeName(region) + brands[r.IntN(len(brands))] + ind.word + suffix
	in.USCC = genUSCC(r, '1', region.Code)
	emp := int(math.Round(math.Exp(1 + r.Float64()*5.5))) // about 3 to 660
	in.Employees = &emp
	rev := math.Round(float64(emp)*(5+r.Float64()*60)*10) / 10 // 万元
	in.RevenueWan = &rev
	if r.IntN(2) == 0 {
		assets := math.Round(rev*(0.3+r.Float64())*10) / 10
		in.AssetsWan = &assets
	}
	if r.IntN(20) == 0 {
		in.Tags = append(in.Tags, "规上企业")
	}
	return in
}

func genIndividual(r *rand.Rand, region refdata.RegionInfo, ind genIndustry) Input {
	in := Input{Type: "个体工商户", IndustryCode: ind.code}
	in.Name = region.Name + string(surnames[r.IntN(len(surnames))]) + "记" + ind.shop
	in.USCC = genUSCC(r, '2', region.Code)
	emp := 1 + r.IntN(6)
	in.Employees = &emp
	rev := math.Round((5+r.Float64()*80)*10) / 10
	in.RevenueWan = &rev
	return in
}

func genCooperative(r *rand.Rand, region refdata.RegionInfo) Input {
	in := Input{Type: "农民专业合作社", IndustryCode: []string{"0141", "0111", "0151", "0311"}[r.IntN(4)]}
	in.Name = placeName(region) + brands[r.IntN(len(brands))] + []string{"种植", "养殖", "果蔬", "农机"}[r.IntN(4)] + "专业合作社"
	in.USCC = genUSCC(r, '3', region.Code)
	emp := 5 + r.IntN(40)
	in.Employees = &emp
	rev := math.Round((20+r.Float64()*600)*10) / 10
	in.RevenueWan = &rev
	return in
}

// genUSCC returns a valid code of registration authority 9 (market
// regulation) and the given category (1 company, 2 individual business,
// 3 co-operative).
func genUSCC(r *rand.Rand, category byte, region string) string {
	code := []byte(ident.GenerateUSCC(r, region))
	code[1] = category
	c, _ := ident.USCCCheckChar(string(code[:17]))
	code[17] = c
	return string(code)
}

func genPerson(r *rand.Rand) string {
	name := string(surnames[r.IntN(len(surnames))])
	for n := 1 + r.IntN(2); n > 0; n-- {
		name += string(givenChars[r.IntN(len(givenChars))])
	}
	return name
}

func genPhone(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		return fmt.Sprintf("0374-%d%06d", 2+r.IntN(7), r.IntN(1000000))
	}
	return fmt.Sprintf("%s%08d", mobilePrefixes[r.IntN(len(mobilePrefixes))], r.IntN(100000000))
}

// WriteSample writes n rows from GenerateRows(r, ...) as an import file in
// the given format (FormatXLSX or FormatCSV), for demos and benchmarks.
func WriteSample(w io.Writer, format string, r *rand.Rand, n int) error {
	var tw tableWriter
	switch format {
	case FormatXLSX:
		tw = &xlsxWriter{}
	case FormatCSV:
		tw = &csvWriter{}
	default:
		return fmt.Errorf("unknown format %q", format)
	}
	if err := tw.start(w); err != nil {
		return err
	}
	err := GenerateRows(r, n, func(in Input) error { return tw.row(inputRow(&in)) })
	if err != nil {
		return err
	}
	return tw.finish(w)
}

// inputRow returns the cells of an input in the order of Columns.
func inputRow(in *Input) []any {
	status := in.Status
	if status == "" {
		status = StatusActive
	}
	return exportRow(&Entity{USCC: in.USCC, Name: in.Name, Type: in.Type, LegalRepName: in.LegalRepName,
		LegalRepID: in.LegalRepID, Address: in.Address, RegionCode: in.RegionCode, IndustryCode: in.IndustryCode,
		Employees: in.Employees, RevenueWan: in.RevenueWan, AssetsWan: in.AssetsWan, SizeClass: in.SizeClass,
		FoundedOn: in.FoundedOn, Status: status, Phone: in.Phone, Tags: in.Tags})
}

// WriteSampleParts writes the n rows GenerateRows(r, ...) yields as
// consecutive CSV import files of at most per rows each: next is called
// with 0, 1, ... for the writer of each part. Credit codes are unique
// across the parts, so they can be imported one after another into the
// same database (a province-size load is more rows than one import file
// may hold). The rows are those WriteSample writes for the same r and n.
func WriteSampleParts(r *rand.Rand, n, per int, next func(part int) (io.Writer, error)) error {
	if per <= 0 {
		return fmt.Errorf("part size %d", per)
	}
	var (
		cw   *csvWriter
		w    io.Writer
		i    int
		part int
	)
	err := GenerateRows(r, n, func(in Input) error {
		if i%per == 0 {
			if cw != nil {
				if err := cw.finish(w); err != nil {
					return err
				}
			}
			var err error
			if w, err = next(part); err != nil {
				return err
			}
			part++
			cw = &csvWriter{}
			if err := cw.start(w); err != nil {
				return err
			}
		}
		i++
		return cw.row(inputRow(&in))
	})
	if err != nil || cw == nil {
		return err
	}
	return cw.finish(w)
}
