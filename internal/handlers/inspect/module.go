// Package inspect is the inspection module's contract and handlers (see
// internal/inspect for the service and docs/inspect.md): its module.Info
// and settings, pages (plans, the inspector's phone pages, public
// results), JSON API, menu, home card, demo and the plan-sample command.
package inspect

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/config"
	"yingshang/internal/credit"
	"yingshang/internal/draw"
	"yingshang/internal/inspect"
	"yingshang/internal/inspect/migrations"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

//go:embed templates
var templates embed.FS

func intCheck(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return yserr.Newf(yserr.Invalid, "须为 %d 到 %d 之间的整数", "must be a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

// Module is the inspection module (监管执法, 双随机一公开).
var Module = module.Info{
	Name:      "inspect",
	Title:     module.Text{ZH: "监管执法", EN: "Inspections"},
	Requires:  []string{"credit", "draw"},
	Schema:    migrations.Source,
	Labels:    web.MergeLabels(moduleLabels, auditLabels),
	Templates: module.Templates(templates),
	Settings: []config.Option{
		{Name: "inspect-ratios", Default: "A:20,B:50,C:200,D:500", Usage: "inspect module: default sampling ratio per credit class, per mille (C and D sampled far more than A)",
			Check: func(v string) error { _, err := inspect.ParseRatios(v); return err }},
		{Name: "inspect-quiet-days", Default: "1-20", Usage: "inspect module: the monthly quiet-day window (企业宁静日): day ranges and/or weekday names, e.g. 1-20 or mon,tue; empty for none",
			Check: func(v string) error { _, err := inspect.ParseQuiet(v); return err }},
		{Name: "inspect-year-cap", Default: "2", Usage: "inspect module: most routine checks per enterprise per year across departments (joint plans count once); 0 for no cap", Check: intCheck(0, 50)},
		{Name: "inspect-publish-days", Default: "20", Usage: "inspect module: results are published within this many working days after a task ends", Check: intCheck(1, 60)},
		{Name: "inspect-first-offence-days", Default: "15", Usage: "inspect module: rectification deadline in days for a first minor violation on the 首违不罚 list", Check: intCheck(1, 90)},
		{Name: "inspect-team-size", Default: "2", Usage: "inspect module: default inspectors per task (at least 2, Administrative Penalty Law Art. 42)", Check: intCheck(2, 6)},
	},
	Commands: []module.Command{{Name: "plan-sample", Usage: "--plan ID --dry-run   show a plan's strata and the checks before its sampling draw",
		Run: runPlanSample}},
	New: func(h *module.Host) (module.Module, error) {
		d, ok := module.Service[*draw.Service](h, "draw")
		if !ok {
			return nil, module.ErrMissing("inspect", "draw")
		}
		c, ok := module.Service[*credit.Service](h, "credit")
		if !ok {
			return nil, module.ErrMissing("inspect", "credit")
		}
		st, err := settings(h.Cfg)
		if err != nil {
			return nil, err
		}
		svc := &inspect.Service{DB: h.DB, Audit: h.Audit, Clock: h.Clock, Files: h.Files, Entities: h.Entities, Accounts: h.Accounts,
			Credit: c, Draw: d, Calendar: h.Calendar, Settings: st, Notify: h.Notify, BaseURL: h.Cfg.BaseURL,
			Appeals: func() *appeal.Service { s, _ := module.Service[*appeal.Service](h, "appeal"); return s }}
		svc.Register()
		return &mod{svc: svc}, nil
	},
}

func settings(cfg *config.Config) (inspect.Settings, error) {
	st := inspect.DefaultSettings()
	var err error
	if v := cfg.Setting("inspect-ratios"); v != "" {
		if st.Ratios, err = inspect.ParseRatios(v); err != nil {
			return st, err
		}
	}
	if st.Quiet, err = inspect.ParseQuiet(cfg.Setting("inspect-quiet-days")); err != nil {
		return st, err
	}
	for name, p := range map[string]*int{"inspect-year-cap": &st.YearCap, "inspect-publish-days": &st.PublishDays,
		"inspect-first-offence-days": &st.FirstOffenceDays, "inspect-team-size": &st.TeamSize} {
		if v := cfg.Setting(name); v != "" {
			if *p, err = strconv.Atoi(v); err != nil {
				return st, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return st, nil
}

type mod struct{ svc *inspect.Service }

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }
func (m *mod) RegisterMessages()                  { inspect.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.svc.RegisterJobs(q) }

// auditLabels names the module's audit actions.
var auditLabels = web.Labels{"audit.action": {
	"inspect.task.rate":       {ZH: "企业评价检查", EN: "Inspection rated by the enterprise"},
	"inspect.task.complain":   {ZH: "企业投诉检查", EN: "Inspection complaint filed"},
	"inspect.proof.accept":    {ZH: "整改材料通过", EN: "Rectification proof accepted"},
	"inspect.proof.return":    {ZH: "整改材料退回", EN: "Rectification proof returned"},
	"inspect.rectify.overdue": {ZH: "首违不罚逾期未整改", EN: "First offence not rectified in time"},
	"inspect.rectify.penalty": {ZH: "逾期未整改转处罚", EN: "Penalty after the rectification deadline"},
}}

var staffRoles = web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Title: web.Text{ZH: "监管执法", EN: "Inspections"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "抽查计划", EN: "Inspection plans"}, Href: "/inspect", TestID: "nav-inspect", Show: staffRoles},
		{Label: web.Text{ZH: "我的检查任务", EN: "My inspection tasks"}, Href: "/inspect/tasks", TestID: "nav-inspect-tasks", Show: web.Roles(auth.DeptAdmin, auth.DeptStaff)},
		{Label: web.Text{ZH: "涉企检查记录", EN: "Inspection visits"}, Href: "/inspect/visits", TestID: "nav-inspect-visits", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "宁静日例外与未扫码月报", EN: "Quiet-day exceptions and unscanned checks"}, Href: "/inspect/monthly", TestID: "nav-inspect-monthly", Show: web.Roles(auth.PlatformAdmin, auth.Supervisor)},
		{Label: web.Text{ZH: "抽查结果公示", EN: "Inspection results"}, Href: "/public/inspect"},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{{Label: web.Text{ZH: "双随机抽查结果公示", EN: "Random inspection results"}, Href: "/public/inspect"}}
}

// Cards: an inspector's open tasks; an enterprise's visits.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	ctx = auth.WithActor(ctx, a)
	switch {
	case a.Has(auth.DeptAdmin, auth.DeptStaff):
		list, err := m.svc.Tasks(ctx, inspect.TaskFilter{Mine: true})
		if err != nil || len(list) == 0 {
			return nil, err
		}
		c := web.Card{Title: web.Text{ZH: "待完成的检查任务", EN: "Inspection tasks to do"}, Kind: "todo", Empty: web.Text{ZH: "暂无任务", EN: "No tasks"},
			More: &web.Link{Label: web.Text{ZH: "全部任务", EN: "All tasks"}, Href: "/inspect/tasks"}}
		for _, t := range list {
			if t.Status != inspect.TaskClosed && len(c.Items) < 5 {
				c.Items = append(c.Items, web.CardItem{Text: t.EntityName, Href: fmt.Sprintf("/inspect/tasks/%d", t.ID), Note: t.PlanCode})
			}
		}
		return []web.Card{c}, nil
	case a.Has(auth.Enterprise):
		list, err := m.svc.Tasks(ctx, inspect.TaskFilter{})
		if err != nil || len(list) == 0 {
			return nil, err
		}
		c := web.Card{Title: web.Text{ZH: "涉企检查", EN: "Inspection visits"}, Kind: "figure", More: &web.Link{Label: web.Text{ZH: "全部记录", EN: "All visits"}, Href: "/inspect/visits"}}
		for i, t := range list {
			if i == 3 {
				break
			}
			c.Items = append(c.Items, web.CardItem{Text: t.PlanTitle, Href: fmt.Sprintf("/inspect/tasks/%d", t.ID), Note: t.EndedOn})
		}
		return []web.Card{c}, nil
	}
	return nil, nil
}

// runPlanSample is "yingshang inspect plan-sample --plan ID --dry-run".
func runPlanSample(ctx context.Context, c *module.CLI, args []string) error {
	fs, resolve := c.Flags("inspect plan-sample")
	plan := fs.Int64("plan", 0, "the plan's id")
	dry := fs.Bool("dry-run", false, "only compute the strata and checks (the only mode: commit and draw in the web UI or API, with a witness)")
	o, err := c.Open(ctx, fs, resolve, args)
	if err != nil {
		return err
	}
	defer o.Close()
	if *plan == 0 || !*dry {
		return &module.ExitError{Code: 2, Msg: "usage: yingshang inspect plan-sample --plan ID --dry-run"}
	}
	svc, ok := module.Service[*inspect.Service](o.Host, "inspect")
	if !ok {
		return module.ErrMissing("inspect plan-sample", "inspect")
	}
	f, err := svc.DryRun(auth.WithActor(ctx, auth.System("cli")), *plan)
	if f != nil {
		fmt.Fprintf(c.Stdout, "targets %d (capped %d), inspectors %d, avoided pairs %d\n", f.Targets, f.Capped, f.Eligible, f.Avoided)
		for _, st := range f.Strata {
			fmt.Fprintf(c.Stdout, "class %s: %d targets x %d‰ = %d tasks\n", st.Class, st.Size, st.Permille, st.Count)
		}
	}
	return module.UserError(err)
}

var _ = flag.ContinueOnError
var _ = strings.TrimSpace
