package inspect

import (
	"context"
	"fmt"
	"io"
	"strings"

	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// inspectorColumns is the header of the inspector spreadsheet (the import
// kit matches the Chinese headers and the English keys; unknown columns
// are ignored). Lists in a cell are separated by commas.
var inspectorColumns = []importkit.Column{
	{Key: "name", Header: "姓名", Required: true},
	{Key: "cert_no", Header: "执法证号", Required: true, Aliases: []string{"执法证件号"}},
	{Key: "status", Header: "状态"},
	{Key: "specialties", Header: "专长", Aliases: []string{"执法领域"}},
	{Key: "region_code", Header: "区划代码", Required: true, Aliases: []string{"所在地区代码"}},
	{Key: "relations", Header: "回避企业", Aliases: []string{"关联企业统一社会信用代码"}},
	{Key: "username", Header: "账号"},
}

var statusLabels = map[string]string{"在岗": "active", "暂停": "suspended", "退出": "retired"}

// ImportReport reports an inspector import.
type ImportReport struct {
	Saved int `json:"saved" doc:"inspectors added or updated"`
}

// ImportInspectors syncs the department admin's inspector directory from
// an .xlsx (or CSV) file in one transaction: every row or none; a bad row
// is refused with its row number and column.
func (s *Service) ImportInspectors(ctx context.Context, r io.Reader) (*ImportReport, error) {
	if _, err := deptAdmin(ctx); err != nil {
		return nil, err
	}
	src, err := importkit.Open(r, importkit.Options{Limits: importkit.Limits{Rows: 20000}})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	h, err := src.Header(inspectorColumns, importkit.HeaderOptions{IgnoreUnknown: true})
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := src.Each(func(num int, row []string) error {
			get := func(k string) string { return strings.TrimSpace(h.Get(row, k)) }
			status := "active"
			if v := get("status"); v != "" {
				var ok bool
				if status, ok = importkit.Enum(v, statusLabels, InspectorStatuses...); !ok {
					return yserr.Field("file", fmt.Sprintf("第 %d 行「%s」：状态应为在岗、暂停或退出", num, h.Column("status")),
						fmt.Sprintf("row %d, column %s: the status must be active, suspended or retired", num, h.Column("status")))
				}
			}
			in := Inspector{Name: get("name"), CertNo: get("cert_no"), Status: status, Region: importkit.IntegralText(get("region_code")),
				Specialties: importkit.SplitList(get("specialties")), Relations: importkit.SplitList(get("relations")), Username: get("username")}
			if _, err := s.SaveInspector(ctx, in); err != nil {
				if yserr.CodeOf(err) == yserr.Internal {
					return err
				}
				e := yserr.As(err)
				col := e.Field
				if c := h.Column(e.Field); c != "" {
					col = c
				}
				return yserr.Field("file", fmt.Sprintf("第 %d 行「%s」：%s", num, col, e.ZH), fmt.Sprintf("row %d, column %s: %s", num, col, e.EN))
			}
			rep.Saved++
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
