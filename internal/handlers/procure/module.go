// Package procure serves government procurement (政府采购): the units' and
// the finance bureau's workspace, project pages, the suppliers' registration
// and challenges, the public pages and the JSON API. Authorisation is
// decided in package procure.
package procure

import (
	"context"
	"embed"
	"fmt"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/config"
	"yingshang/internal/credit"
	"yingshang/internal/draw"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/procure"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

//go:embed templates
var templates embed.FS

func days(v string) error {
	if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 3650 {
		return yserr.New(yserr.Invalid, "须为天数", "must be a number of days")
	}
	return nil
}

// Module is government procurement.
var Module = module.Info{
	Name:      "procure",
	Title:     module.Text{ZH: "政府采购", EN: "Government procurement"},
	Requires:  []string{"credit", "draw"},
	Schema:    procure.Schema,
	Templates: module.Templates(templates),
	Labels:    labels,
	Settings: []config.Option{
		{Name: "procure-finance-dept", Default: "XC-CZJ", Usage: "procure: department code of the finance bureau (sees every unit's plans, makes pooling groups, decides complaints)"},
		{Name: "procure-intention-days", Default: "30", Usage: "procure: least days between publishing a procurement intention and the start of the procurement (财库〔2020〕10号)", Check: days},
		{Name: "procure-pool-window-days", Default: "90", Usage: "procure: longest span of wanted dates in one pooling group", Check: days},
		{Name: "procure-ocid-prefix", Default: procure.DefaultOCIDPrefix, Usage: "procure: OCDS ocid prefix (ocds- and 6 characters, registered with the OCDS helpdesk); the ocid is prefix-project code",
			Check: func(v string) error {
				if !procure.ValidOCIDPrefix(v) {
					return yserr.New(yserr.Invalid, "ocid 前缀应为 ocds- 加 6 位小写字母或数字", "the ocid prefix must be ocds- and 6 lower-case letters or digits")
				}
				return nil
			}},
		{Name: "procure-ocds-publisher", Default: "许昌市财政局 / Xuchang Finance Bureau", Usage: "procure: publisher name of the OCDS packages"},
		{Name: "procure-setaside", Default: "", Usage: "procure: local SME set-aside rules stricter than the national ones, kind:full_up_to_wan:share_pct:small_micro_pct;... (Baoji: goods:200:40:70;services:200:40:70;works:400:40:70)",
			Check: func(v string) error {
				if _, err := procure.ParseSetAside(v); err != nil {
					return yserr.New(yserr.Invalid, "预留规则格式错误："+err.Error(), "bad set-aside rules: "+err.Error())
				}
				return nil
			}},
	},
	New: func(h *module.Host) (module.Module, error) {
		cr, ok := module.Service[*credit.Service](h, "credit")
		if !ok {
			return nil, module.ErrMissing("procure", "credit")
		}
		dr, ok := module.Service[*draw.Service](h, "draw")
		if !ok {
			return nil, module.ErrMissing("procure", "draw")
		}
		// bideval is optional: without it the blind flag is refused.
		be, _ := module.Service[*bideval.Service](h, "bideval")
		rules, err := procure.ParseSetAside(h.Cfg.Setting("procure-setaside"))
		if err != nil {
			return nil, err
		}
		intention, _ := strconv.Atoi(h.Cfg.Setting("procure-intention-days"))
		window, _ := strconv.Atoi(h.Cfg.Setting("procure-pool-window-days"))
		svc := &procure.Service{DB: h.DB, Audit: h.Audit, Clock: h.Clock, Accounts: h.Accounts, Entities: h.Entities, Credit: cr, Calendar: h.Calendar, Draw: dr, Notify: h.Notify, Bideval: be,
			FinanceDept: strings.TrimSpace(h.Cfg.Setting("procure-finance-dept")), IntentionDays: intention, PoolWindowDays: window, SetAside: rules,
			OCIDPrefix: strings.TrimSpace(h.Cfg.Setting("procure-ocid-prefix")), Publisher: strings.TrimSpace(h.Cfg.Setting("procure-ocds-publisher"))}
		return &mod{svc: svc, bulk: &procure.OCDSBulk{Svc: svc, Files: h.Files, Base: h.Cfg.BaseURL}}, nil
	},
}

type mod struct {
	svc  *procure.Service
	bulk *procure.OCDSBulk // the OCDS bulk download job
}

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.bulk.RegisterJobs(q) }
func (m *mod) RegisterMessages()                  { procure.RegisterMessages() }

var staffRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Title: web.Text{ZH: "政府采购", EN: "Procurement"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "采购工作台", EN: "Procurement desk"}, Href: "/procure", TestID: "nav-procure", Show: web.Roles(staffRoles...)},
		{Label: web.Text{ZH: "我的投标", EN: "My bids"}, Href: "/procure", TestID: "nav-procure-bids", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "采购评审打分", EN: "Procurement scoring"}, Href: "/procure/scoring", TestID: "nav-procure-scoring", Show: web.Roles(auth.Expert)},
		{Label: web.Text{ZH: "采购信息公开", EN: "Procurement notices"}, Href: "/public/procure"},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{{Label: web.Text{ZH: "政府采购信息公开", EN: "Government procurement notices"}, Href: "/public/procure"}}
}

// Cards shows staff the overdue items of their scope, the finance bureau
// the pooling proposals.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	if !a.Has(staffRoles...) {
		return nil, nil
	}
	ctx = auth.WithActor(ctx, a)
	list, err := m.svc.OverdueItems(ctx)
	if err != nil {
		return nil, err
	}
	c := web.Card{Title: web.Text{ZH: "政府采购逾期事项", EN: "Procurement items overdue"}, Kind: "todo", Empty: web.Text{ZH: "没有逾期事项", EN: "Nothing overdue"}}
	for i, o := range list {
		if i == 5 {
			break
		}
		c.Items = append(c.Items, web.CardItem{Text: o.Project + " · " + procure.OverdueLabel(o.Kind, "zh"), Href: fmt.Sprintf("/procure/projects/%d", o.ProjectID),
			Note: fmt.Sprintf("逾期 %d 天 / %d days late", o.DaysLate, o.DaysLate)})
	}
	cards := []web.Card{c}
	if fin, err := m.svc.IsFinance(ctx, a); err == nil && fin && !a.Has(auth.PlatformAdmin) {
		props, err := m.svc.Proposals(ctx)
		if err != nil {
			return nil, err
		}
		p := web.Card{Title: web.Text{ZH: "可拼单的采购需求", EN: "Poolable purchasing needs"}, Kind: "todo", Empty: web.Text{ZH: "暂无可拼单的需求", EN: "No poolable needs"}}
		for i, x := range props {
			if i == 5 {
				break
			}
			p.Items = append(p.Items, web.CardItem{Text: fmt.Sprintf("%s · %d 个单位 / units · %s 元", x.Category, len(x.Departments), x.Budget()), Href: "/procure#proposals"})
		}
		cards = append(cards, p)
	}
	return cards, nil
}
