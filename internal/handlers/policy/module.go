// Package policy is the policy module's contract and handlers (惠企政策):
// its module.Info, pages, API operations, menu, home cards, demo data and
// CLI commands. The service is internal/policy.
package policy

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"strconv"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/config"
	"yingshang/internal/credit"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

//go:embed templates
var templates embed.FS

// Module is policy matching: policies as rules, the calculator, grants and
// benefit statements.
var Module = module.Info{
	Name:      "policy",
	Title:     module.Text{ZH: "惠企政策", EN: "Business policies"},
	Requires:  []string{"credit"},
	Schema:    policy.Schema,
	Templates: module.Templates(templates),
	Labels:    web.MergeLabels(labels, applyLabels),
	Commands:  commands,
	Settings: []config.Option{
		{Name: "policy-push-repush-days", Default: strconv.Itoa(policy.DefaultRepushDays),
			Usage: "policy module: days after which a policy push still unread is pushed again (once)", Check: intRange(1, 60)},
		{Name: "policy-push-week-cap", Default: strconv.Itoa(policy.DefaultWeekCap),
			Usage: "policy module: most policy push messages per enterprise per calendar week (Asia/Shanghai); pushes over it are held back and sent in a later week", Check: intRange(1, 50)},
	},
	New: func(h *module.Host) (module.Module, error) {
		cs, ok := module.Service[*credit.Service](h, "credit")
		if !ok {
			return nil, module.ErrMissing("policy", "credit")
		}
		return &mod{svc: &policy.Service{DB: h.DB, Audit: h.Audit, Clock: h.Clock, Entities: h.Entities, Accounts: h.Accounts,
			Credit: cs, Notify: h.Notify, RepushDays: setting(h, "policy-push-repush-days"), WeekCap: setting(h, "policy-push-week-cap"), BaseURL: h.Cfg.BaseURL,
			Files: h.Files, Calendar: h.Calendar,
			Appeals: func() *appeal.Service { s, _ := module.Service[*appeal.Service](h, "appeal"); return s }}}, nil
	},
}

type mod struct{ svc *policy.Service }

func (m *mod) Info() module.Info          { return Module }
func (m *mod) Service() any               { return m.svc }
func (m *mod) RegisterMessages()          { policy.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue) { m.svc.RegisterJobs(q); m.svc.RegisterApplyJobs(q) }

// setting reads an integer module setting (checked at start-up; 0, the
// service's default, when unset).
func setting(h *module.Host, name string) int {
	n, _ := strconv.Atoi(h.Cfg.Setting(name))
	return n
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return yserr.Newf(yserr.Invalid, "应为 %d 到 %d 的整数", "must be a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}
func (m *mod) Mount(s *server.Server)             { mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

var staff = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Title: web.Text{ZH: "惠企政策", EN: "Business policies"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "政策管理", EN: "Policies"}, Href: "/policies", TestID: "nav-policies", Show: web.Roles(staff...)},
		{Label: web.Text{ZH: "导入企业年度数据", EN: "Import yearly facts"}, Href: "/policies/facts/import", Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)},
		{Label: web.Text{ZH: "政策兑现看板", EN: "Policy dashboard"}, Href: "/policies/dashboard", TestID: "nav-policy-dashboard",
			Show: web.Roles(auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin)},
		{Label: web.Text{ZH: "为我推荐的政策", EN: "Policies for you"}, Href: "/my/policies", TestID: "nav-my-policies", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "红利账单", EN: "Benefit statement"}, Href: "/my/policies/statement", TestID: "nav-my-statement", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "我的政策申请", EN: "My policy applications"}, Href: "/my/policy-applications", TestID: "nav-my-policy-applications", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "政策申请待审", EN: "Policy applications to review"}, Href: "/policy-review", TestID: "nav-policy-review", Show: web.Roles(auth.DeptAdmin, auth.DeptStaff)},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{
		{Label: web.Text{ZH: "涉企政策清单", EN: "Business policy list"}, Href: "/policy-list", TestID: "public-policy-list"},
		{Label: web.Text{ZH: "政策计算器", EN: "Policy calculator"}, Href: "/policy-calculator", TestID: "public-policy-calculator"},
		{Label: web.Text{ZH: "红利账单核验", EN: "Verify a benefit statement"}, Href: "/public/policy/verify", TestID: "public-policy-verify"},
	}
}

// Cards: an enterprise sees its eligible policies; staff see the
// department's published policies.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	ctx = auth.WithActor(ctx, a)
	if a.Has(auth.Enterprise) && a.EntityID != 0 {
		ms, err := m.svc.ForEntity(ctx, a.EntityID)
		if err != nil {
			return nil, err
		}
		c := web.Card{Title: web.Text{ZH: "可享受的政策", EN: "Policies you qualify for"}, Kind: "figure", Empty: web.Text{ZH: "暂无匹配的政策", EN: "No matching policies"}}
		for _, x := range ms {
			if x.Eligible && len(c.Items) < 3 {
				c.Items = append(c.Items, web.CardItem{Text: x.Title, Href: "/my/policies", Note: x.AmountText})
			}
		}
		return []web.Card{c}, nil
	}
	if !a.Has(staff...) {
		return nil, nil
	}
	list, err := m.svc.List(ctx, policy.Filter{DepartmentID: a.DepartmentID})
	if err != nil {
		return nil, err
	}
	c := web.Card{Title: web.Text{ZH: "本部门惠企政策", EN: "Your department's policies"}, Kind: "figure", Empty: web.Text{ZH: "暂无政策", EN: "No policies"}}
	for _, p := range list {
		if len(c.Items) == 3 {
			break
		}
		c.Items = append(c.Items, web.CardItem{Text: p.Title, Href: "/policies/" + strconv.FormatInt(p.ID, 10), Step: web.Text{ZH: policy.Label(p.Status, "zh"), EN: policy.Label(p.Status, "en")}})
	}
	return []web.Card{c}, nil
}

var commands = []module.Command{
	{Name: "match", Usage: "--policy ID  match every entity against a policy; prints JSON counts and a sample",
		Run: func(ctx context.Context, c *module.CLI, args []string) error {
			fs, resolve := c.Flags("policy match")
			id := fs.Int64("policy", 0, "policy id")
			o, err := c.Open(ctx, fs, resolve, args)
			if err != nil {
				return err
			}
			defer o.Close()
			if *id == 0 {
				return &module.ExitError{Code: 2, Msg: "policy match: give --policy ID"}
			}
			svc, _ := module.Service[*policy.Service](o.Host, "policy")
			pv, err := svc.Preview(auth.WithActor(ctx, auth.System("cli")), *id)
			if err != nil {
				return module.UserError(err)
			}
			return printJSON(c, pv)
		}},
	{Name: "grant-run", Usage: "--policy ID [--period P] [--dry-run]  run a 免申即享 grant round; prints JSON counts",
		Run: func(ctx context.Context, c *module.CLI, args []string) error {
			fs, resolve := c.Flags("policy grant-run")
			id := fs.Int64("policy", 0, "policy id")
			period := fs.String("period", "", "the period granted (default: the policy's fact year)")
			dry := fs.Bool("dry-run", false, "decide and count, write nothing")
			o, err := c.Open(ctx, fs, resolve, args)
			if err != nil {
				return err
			}
			defer o.Close()
			if *id == 0 {
				return &module.ExitError{Code: 2, Msg: "policy grant-run: give --policy ID"}
			}
			svc, _ := module.Service[*policy.Service](o.Host, "policy")
			res, err := svc.GrantRun(auth.WithActor(ctx, auth.System("cli")), *id, *period, *dry)
			if err != nil {
				return module.UserError(err)
			}
			return printJSON(c, res)
		}},
}

var _ = flag.ContinueOnError

func printJSON(c *module.CLI, v any) error {
	b, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.Stdout, string(b))
	return err
}

// amount formats fen for templates.
func amount(fen int64) string { return rules.Fen(fen) }
