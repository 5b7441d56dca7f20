package entity

import (
	"fmt"

	"yingshang/internal/importkit"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// importLimits are the import kit's limits for the registry: a whole
// city's register (Excel's 1,048,575 data rows at most) in one file.
var importLimits = importkit.Limits{Bytes: 512 << 20, Uncompressed: 2 << 30, Rows: 1_048_575}

// readHeader reads the header row and maps it to Columns.
func readHeader(src *importkit.Reader) (*importkit.Header, error) {
	return src.Header(importColumns, importkit.HeaderOptions{
		MissingHintZH: fmt.Sprintf("（表头应在第一行；数据请放在第一个工作表或名为“%s”的工作表）", SheetName),
		MissingHintEN: fmt.Sprintf(" (the header must be the first row; put the data in the first worksheet or in one named %q)", SheetName),
	})
}

// colName returns the spreadsheet letter of a 0-based column index.
func colName(i int) string { return importkit.ColumnName(i) }

// parse turns a row into an Input, reporting cells that cannot be read as
// numbers or dates. Other checks are left to ValidateAt.
func parse(h *importkit.Header, cells []string, date1904 bool) (Input, []yserr.FieldError) {
	var in Input
	var errs []yserr.FieldError
	get := func(field string) string { return h.Get(cells, field) }
	bad := func(field, zh, en string) { errs = append(errs, yserr.FieldError{Field: field, ZH: zh, EN: en}) }
	in.USCC, in.Name, in.Type = get(FieldUSCC), get(FieldName), get(FieldType)
	in.LegalRepName, in.LegalRepID, in.Address = get(FieldLegalRepName), get(FieldLegalRepID), get(FieldAddress)
	in.RegionCode, in.IndustryCode = importkit.IntegralText(get(FieldRegion)), importkit.IntegralText(get(FieldIndustry))
	in.SizeClass, in.Status = refdata.Size(get(FieldSize)), Status(get(FieldStatus))
	in.Phone, in.Tags = importkit.IntegralText(get(FieldPhone)), splitTags(get(FieldTags))
	if s := get(FieldEmployees); s != "" {
		if n, ok := importkit.Int(s); ok {
			in.Employees = &n
		} else {
			bad(FieldEmployees, fmt.Sprintf("从业人员“%s”不是整数", s), fmt.Sprintf("employees %q is not a whole number", s))
		}
	}
	for _, a := range []struct {
		field, zh, en string
		dst           **float64
	}{{FieldRevenue, "营业收入", "revenue", &in.RevenueWan}, {FieldAssets, "资产总额", "total assets", &in.AssetsWan}} {
		if s := get(a.field); s != "" {
			if f, ok := importkit.Amount(s, importkit.Wan); ok {
				*a.dst = &f
			} else {
				bad(a.field, fmt.Sprintf("%s“%s”不是数字（万元）", a.zh, s), fmt.Sprintf("%s %q is not a number (10,000 yuan)", a.en, s))
			}
		}
	}
	if s := get(FieldFoundedOn); s != "" {
		if d, ok := importkit.Date(s, date1904); ok {
			in.FoundedOn = d
		} else {
			bad(FieldFoundedOn, fmt.Sprintf("成立日期“%s”无法识别（如 2019-03-15、2019/3/15、2019年3月15日）", s),
				fmt.Sprintf("founding date %q is not recognised (e.g. 2019-03-15, 2019/3/15, 2019年3月15日)", s))
		}
	}
	return in, errs
}
