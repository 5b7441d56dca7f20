package draw

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/yserr"
)

// ImportColumns is the header of the expert spreadsheet (first sheet,
// first row). Lists inside a cell are separated by commas.
var ImportColumns = []string{"姓名", "专业代码", "手机号", "工作单位统一社会信用代码", "工作单位名称", "所在地区代码", "职称", "关联单位统一社会信用代码", "状态"}

// ImportResult reports an import.
type ImportResult struct {
	Created int `json:"created"`
}

// ImportExperts adds the experts of an .xlsx file in one transaction: all
// rows or none. A bad row is refused with its row number and column.
func (s *Service) ImportExperts(ctx context.Context, r io.Reader) (*ImportResult, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, yserr.Field("file", "无法读取 .xlsx 文件", "cannot read the .xlsx file")
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) < 2 {
		return nil, yserr.Field("file", "表格为空", "the sheet is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range ImportColumns[:2] {
		if _, ok := col[c]; !ok {
			return nil, yserr.Field("file", "缺少列："+c, "missing column: "+c)
		}
	}
	cell := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	res := &ImportResult{}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		for n, row := range rows[1:] {
			if strings.TrimSpace(strings.Join(row, "")) == "" {
				continue
			}
			in := ExpertInput{Name: cell(row, "姓名"), Specialties: []string{cell(row, "专业代码")}, Phone: cell(row, "手机号"),
				EmployerUSCC: cell(row, "工作单位统一社会信用代码"), EmployerName: cell(row, "工作单位名称"),
				Region: cell(row, "所在地区代码"), Title: cell(row, "职称"), Status: cell(row, "状态")}
			if rel := cell(row, "关联单位统一社会信用代码"); rel != "" {
				in.Relations = splitForm(rel)
			}
			if _, err := s.CreateExpert(ctx, in); err != nil {
				zh, en := yserr.Texts(err)
				return yserr.Field("file", fmt.Sprintf("第 %d 行：%s", n+2, zh), fmt.Sprintf("row %d: %s", n+2, en))
			}
			res.Created++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func splitForm(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == ' ' })
}
