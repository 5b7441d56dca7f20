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

// itemColumns is the header of the check-item spreadsheet.
var itemColumns = []importkit.Column{
	{Key: "code", Header: "事项编码", Required: true, Aliases: []string{"编码"}},
	{Key: "name", Header: "检查事项", Required: true, Aliases: []string{"事项名称"}},
	{Key: "legal_basis", Header: "检查依据", Required: true, Aliases: []string{"法律依据"}},
	{Key: "method", Header: "检查方式", Required: true},
	{Key: "entity_types", Header: "适用主体类型", Aliases: []string{"主体类型"}},
	{Key: "industries", Header: "适用行业代码", Aliases: []string{"行业代码"}},
	{Key: "risk_level", Header: "风险等级", Required: true},
	{Key: "first_offence", Header: "首违不罚"},
}

var (
	methodLabels = map[string]string{"现场检查": "onsite", "书面检查": "documents", "抽样检测": "sampling", "网络监测": "online"}
	riskLabels   = map[string]string{"低": "low", "中": "medium", "高": "high"}
	yesLabels    = map[string]string{"是": "yes", "否": "no", "Y": "yes", "N": "no", "true": "yes", "false": "no", "1": "yes", "0": "no", "": "no"}
)

// ImportItems adds check items to the department admin's list from an
// .xlsx (or CSV) file in one transaction: every row or none; a bad row is
// refused naming its row number and column (columns 事项编码, 检查事项,
// 检查依据, 检查方式, 适用主体类型, 适用行业代码, 风险等级, 首违不罚).
func (s *Service) ImportItems(ctx context.Context, r io.Reader) (*ImportReport, error) {
	if _, err := deptAdmin(ctx); err != nil {
		return nil, err
	}
	src, err := importkit.Open(r, importkit.Options{Limits: importkit.Limits{Rows: 5000}})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	h, err := src.Header(itemColumns, importkit.HeaderOptions{IgnoreUnknown: true})
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{}
	rowErr := func(num int, key, zh, en string) error {
		col := h.Column(key)
		if col == "" {
			col = key
		}
		return yserr.Field("file", fmt.Sprintf("第 %d 行「%s」：%s", num, col, zh), fmt.Sprintf("row %d, column %s: %s", num, col, en))
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := src.Each(func(num int, row []string) error {
			get := func(k string) string { return strings.TrimSpace(h.Get(row, k)) }
			method, ok := importkit.Enum(get("method"), methodLabels, Methods...)
			if !ok {
				return rowErr(num, "method", "检查方式应为现场检查、书面检查、抽样检测或网络监测", "the method must be onsite, documents, sampling or online")
			}
			risk, ok := importkit.Enum(get("risk_level"), riskLabels, RiskLevels...)
			if !ok {
				return rowErr(num, "risk_level", "风险等级应为低、中或高", "the risk level must be low, medium or high")
			}
			first, ok := importkit.Enum(get("first_offence"), yesLabels, "yes", "no")
			if !ok {
				return rowErr(num, "first_offence", "首违不罚应填是或否", "first offence must be yes or no")
			}
			it := Item{Code: get("code"), Name: get("name"), LegalBasis: get("legal_basis"), Method: method, RiskLevel: risk, FirstOffence: first == "yes",
				EntityTypes: importkit.SplitList(get("entity_types")), Industries: importkit.SplitList(get("industries"))}
			if _, err := s.SaveItem(ctx, it); err != nil {
				if yserr.CodeOf(err) == yserr.Internal {
					return err
				}
				e := yserr.As(err)
				return rowErr(num, e.Field, e.ZH, e.EN)
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
