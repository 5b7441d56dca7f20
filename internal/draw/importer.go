package draw

import (
	"context"
	"fmt"
	"io"

	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// ImportColumns is the header of the expert spreadsheet (first sheet,
// first row). Lists inside a cell are separated by commas.
var ImportColumns = []string{"姓名", "专业代码", "手机号", "工作单位统一社会信用代码", "工作单位名称", "所在地区代码", "职称", "关联单位统一社会信用代码", "状态"}

// expertColumns is ImportColumns as the import kit matches them (the
// English keys are accepted as headers too); unknown columns are ignored.
var expertColumns = []importkit.Column{
	{Key: "name", Header: "姓名", Required: true},
	{Key: "specialty", Header: "专业代码", Required: true},
	{Key: "phone", Header: "手机号", Aliases: []string{"手机号码", "联系电话"}},
	{Key: "employer_uscc", Header: "工作单位统一社会信用代码"},
	{Key: "employer_name", Header: "工作单位名称", Aliases: []string{"工作单位"}},
	{Key: "region", Header: "所在地区代码", Aliases: []string{"地区代码"}},
	{Key: "title", Header: "职称"},
	{Key: "relations", Header: "关联单位统一社会信用代码"},
	{Key: "status", Header: "状态"},
}

// ImportResult reports an import.
type ImportResult struct {
	Created int `json:"created"`
}

// ImportExperts adds the experts of an .xlsx (or CSV) file in one
// transaction: all rows or none. A bad row is refused with its row number
// and column.
func (s *Service) ImportExperts(ctx context.Context, r io.Reader) (*ImportResult, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	src, err := importkit.Open(r, importkit.Options{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	h, err := src.Header(expertColumns, importkit.HeaderOptions{IgnoreUnknown: true})
	if err != nil {
		return nil, err
	}
	res := &ImportResult{}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := src.Each(func(num int, row []string) error {
			get := func(key string) string { return h.Get(row, key) }
			in := ExpertInput{Name: get("name"), Specialties: []string{get("specialty")}, Phone: importkit.IntegralText(get("phone")),
				EmployerUSCC: get("employer_uscc"), EmployerName: get("employer_name"),
				Region: importkit.IntegralText(get("region")), Title: get("title"), Status: get("status")}
			if rel := get("relations"); rel != "" {
				in.Relations = importkit.SplitList(rel)
			}
			if _, err := s.CreateExpert(ctx, in); err != nil {
				zh, en := yserr.Texts(err)
				return yserr.Field("file", fmt.Sprintf("第 %d 行：%s", num, zh), fmt.Sprintf("row %d: %s", num, en))
			}
			res.Created++
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
