package entity

import "yingshang/internal/importkit"

// SheetName is the worksheet Import reads when a workbook has it (the first
// sheet otherwise), and the one Template and Export write.
const SheetName = "经营主体"

// notesSheet is the template's explanation sheet.
const notesSheet = "说明"

// Column is one column of the import/export layout.
type Column struct {
	Header   string   // Chinese header as written by Template and Export
	Field    string   // Input JSON field name
	Aliases  []string // other accepted headers (English names included)
	Required bool
	NoteZH   string // explanation in the template's 说明 sheet
	Example  string
}

// Columns is the spreadsheet layout, in order. Headers are matched by
// importkit.HeaderKey: ignoring case, spaces, a "*" and the difference
// between full-width and ASCII brackets.
var Columns = []Column{
	{"统一社会信用代码", FieldUSCC, []string{"uscc", "社会信用代码", "信用代码", "统一代码", "credit_code"}, true,
		"18 位统一社会信用代码（GB 32100），校验位须正确；已登记的代码将更新原记录。", "91411002MA44XJ5T22"},
	{"名称", FieldName, []string{"name", "企业名称", "主体名称", "经营主体名称", "字号名称"}, true,
		"经营主体名称，不超过 200 字。", "许昌市魏都区瑞丰商贸有限公司"},
	{"类型", FieldType, []string{"type", "entity_type", "主体类型", "企业类型"}, false,
		"主体类型，如 有限责任公司、股份有限公司、个体工商户、农民专业合作社。", "有限责任公司"},
	{"法定代表人", FieldLegalRepName, []string{"legal_rep_name", "legal_rep", "法定代表人姓名", "负责人", "经营者"}, false,
		"法定代表人（负责人、经营者）姓名。", "张伟"},
	{"法定代表人身份证号", FieldLegalRepID, []string{"legal_rep_id", "身份证号", "身份证号码", "法定代表人证件号码"}, false,
		"18 位公民身份号码（GB 11643），加密保存；请设置为文本格式，以免 Excel 截断。导出文件中带“*”的脱敏号码原样导回时保留原值。", "411002198803150034"},
	{"住所", FieldAddress, []string{"address", "地址", "经营场所", "注册地址"}, false,
		"住所或经营场所，不超过 200 字。", "河南省许昌市魏都区许继大道 1688 号"},
	{"行政区划代码", FieldRegion, []string{"region_code", "region", "区划代码"}, false,
		"6 位行政区划代码（GB/T 2260），如 411002 魏都区；留空时取统一社会信用代码第 3-8 位。", "411002"},
	{"行业代码", FieldIndustry, []string{"industry_code", "industry", "国民经济行业代码", "行业分类代码"}, false,
		"国民经济行业分类代码（GB/T 4754-2017），门类字母或 2-4 位数字，如 5132、F5132。", "5132"},
	{"从业人员", FieldEmployees, []string{"employees", "从业人数", "从业人员(人)", "职工人数"}, false,
		"从业人员人数，整数。", "35"},
	{"营业收入(万元)", FieldRevenue, []string{"revenue_wan", "revenue", "营业收入"}, false,
		"上年营业收入，单位万元，可含千分位逗号。", "1,280.5"},
	{"资产总额(万元)", FieldAssets, []string{"assets_wan", "assets", "资产总额"}, false,
		"资产总额，单位万元。", "860"},
	{"企业规模", FieldSize, []string{"size_class", "size", "规模"}, false,
		"大型、中型、小型 或 微型；留空时按《中小企业划型标准规定》由行业代码和从业人员、营业收入、资产总额计算。", "小型"},
	{"成立日期", FieldFoundedOn, []string{"founded_on", "founded", "成立时间", "注册日期"}, false,
		"如 2019-03-15、2019/3/15、2019年3月15日 或 Excel 日期单元格；不能晚于今天。", "2019-03-15"},
	{"登记状态", FieldStatus, []string{"status", "状态", "经营状态"}, false,
		"存续、在业、吊销 或 注销；留空为存续。", "存续"},
	{"联系电话", FieldPhone, []string{"phone", "电话", "手机号", "手机号码", "联系方式"}, false,
		"手机号码（如 13812345678）或带区号的固定电话（如 0374-1234567），加密保存。", "13812345678"},
	{"标签", FieldTags, []string{"tags", "tag"}, false,
		"最多 10 个，每个不超过 20 字，用逗号或顿号分隔，如 专精特新、高新技术企业。", "专精特新,规上企业"},
}

// importColumns is Columns as the import kit matches them.
var importColumns = func() []importkit.Column {
	out := make([]importkit.Column, len(Columns))
	for i, c := range Columns {
		out[i] = importkit.Column{Key: c.Field, Header: c.Header, Aliases: c.Aliases, Required: c.Required}
	}
	return out
}()

// fieldColumn is the index in Columns of each field.
var fieldColumn = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		m[c.Field] = i
	}
	return m
}()
