package procure

// Labels of the codes this module shows, in Chinese and English (no raw
// code reaches a page).

func pick(m map[string][2]string, k, lang string) string {
	l, ok := m[k]
	if !ok {
		return k
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

var kindLabels = map[string][2]string{KindGoods: {"货物", "goods"}, KindWorks: {"工程", "works"}, KindServices: {"服务", "services"}}

// KindLabel names a kind.
func KindLabel(k, lang string) string { return pick(kindLabels, k, lang) }

// MethodLabel names a procurement method.
func MethodLabel(m, lang string) string { return pick(methodLabels, m, lang) }

var evalLabels = map[string][2]string{EvalLowestPrice: {"最低评标价法", "lowest evaluated price"}, EvalComprehensive: {"综合评分法", "comprehensive scoring"}}

// EvalLabel names an evaluation method.
func EvalLabel(m, lang string) string { return pick(evalLabels, m, lang) }

var setAsideLabels = map[string][2]string{SetAsideFull: {"专门面向中小企业采购", "reserved in full for SMEs"},
	SetAsidePartial: {"预留部分份额面向中小企业", "a share reserved for SMEs"}, SetAsideNone: {"不预留（符合例外情形）", "not reserved (an exception applies)"}}

// SetAsideLabel names a set-aside decision.
func SetAsideLabel(d, lang string) string { return pick(setAsideLabels, d, lang) }

// ExceptionLabel names an exception of 财库〔2020〕46号 Art. 6.
func ExceptionLabel(e, lang string) string { return pick(SetAsideExceptions, e, lang) }

var planLabels = map[string][2]string{
	PlanOpen: {"待拼单/待立项", "open"}, PlanPooling: {"拼单确认中", "pooling"}, PlanPooled: {"已拼单", "pooled"}, PlanProject: {"已立项", "in a project"},
	PoolConfirming: {"待各单位确认", "awaiting the units"}, PoolConfirmed: {"已确认", "confirmed"}, PoolCancelled: {"已取消", "cancelled"},
	"pending": {"待确认", "pending"}, "declined": {"已退出", "declined"},
}

// PlanStatusLabel names a status of a plan, a pooling group or a group's line.
func PlanStatusLabel(st, lang string) string { return pick(planLabels, st, lang) }

var projectLabels = map[string][2]string{ProjectOpen: {"公告中（接受报名）", "announced (open)"}, ProjectEvaluated: {"已评审", "evaluated"}, ProjectAwarded: {"已确定成交", "awarded"}}

// ProjectStatusLabel names a project status.
func ProjectStatusLabel(st, lang string) string { return pick(projectLabels, st, lang) }

var challengeLabels = map[string][2]string{ChallengeFiled: {"待答复", "awaiting the answer"}, ChallengeAnswered: {"已答复", "answered"},
	ChallengeComplained: {"已投诉，待处理", "complaint pending"}, ChallengeDecided: {"投诉已处理", "complaint decided"}}

// ChallengeStatusLabel names a challenge status.
func ChallengeStatusLabel(st, lang string) string { return pick(challengeLabels, st, lang) }

var sizeLabels = map[string][2]string{"micro": {"微型企业", "micro"}, "small": {"小型企业", "small"}, "medium": {"中型企业", "medium"}, "large": {"大型企业", "large"}, "": {"未知", "unknown"}}

// SizeLabel names a size class.
func SizeLabel(s, lang string) string { return pick(sizeLabels, s, lang) }

var creditLabels = map[string][2]string{"pass": {"通过", "passed"}, "pass_with_conditions": {"有条件通过", "passed with conditions"}, "deny": {"拒绝", "refused"}}

// CreditLabel names a credit check result.
func CreditLabel(r, lang string) string { return pick(creditLabels, r, lang) }

// Methods the pages call: amounts with thousands separators, labels in the
// page's language (lang "en" or anything else for Chinese).

func (i Intention) Budget() string { return Yuan(i.BudgetFen) }

func (p Plan) Budget() string                      { return Yuan(p.BudgetFen) }
func (p Plan) StatusText(lang string) string       { return PlanStatusLabel(p.Status, lang) }
func (p Pool) Budget() string                      { return Yuan(p.BudgetFen) }
func (p Pool) StatusText(lang string) string       { return PlanStatusLabel(p.Status, lang) }
func (m PoolMember) Budget() string                { return Yuan(m.BudgetFen) }
func (m PoolMember) StatusText(lang string) string { return PlanStatusLabel(m.Status, lang) }
func (p Proposal) Budget() string                  { return Yuan(p.BudgetFen) }

func (p Project) Budget() string                  { return Yuan(p.BudgetFen) }
func (p Project) Award() string                   { return Yuan(p.AwardFen) }
func (p Project) Savings() string                 { return Yuan(p.SavingsFen) }
func (p Project) StatusText(lang string) string   { return ProjectStatusLabel(p.Status, lang) }
func (p Project) MethodText(lang string) string   { return MethodLabel(p.Method, lang) }
func (p Project) KindText(lang string) string     { return KindLabel(p.Kind, lang) }
func (p Project) EvalText(lang string) string     { return EvalLabel(p.EvalMethod, lang) }
func (p Project) SetAsideText(lang string) string { return SetAsideLabel(p.SetAside, lang) }
func (p Project) ReasonText(lang string) string   { return ExceptionLabel(p.SetAsideReason, lang) }

func (b Bid) Price() string                 { return Yuan(b.PriceFen) }
func (b Bid) Evaluated() string             { return Yuan(b.EvaluatedFen) }
func (b Bid) SizeText(lang string) string   { return SizeLabel(b.SizeRegistry, lang) }
func (b Bid) CreditText(lang string) string { return CreditLabel(b.CreditResult, lang) }

func (c Contract) Budget() string  { return Yuan(c.BudgetFen) }
func (c Contract) Amount() string  { return Yuan(c.AmountFen) }
func (c Contract) Savings() string { return Yuan(c.SavingsFen) }
func (c Contract) Paid() string    { return Yuan(c.PaidFen) }

func (c Challenge) StatusText(lang string) string { return ChallengeStatusLabel(c.Status, lang) }

func (o Overdue) KindText(lang string) string { return OverdueLabel(o.Kind, lang) }

func (f UnitFigures) Budget() string  { return Yuan(f.BudgetFen) }
func (f UnitFigures) Amount() string  { return Yuan(f.AmountFen) }
func (f UnitFigures) Savings() string { return Yuan(f.SavingsFen) }

// LabelTables returns the module's label tables by kind ("status.plan",
// "method", ...): code -> {zh, en}. The handlers register them in the
// platform's one label table (module.Info.Labels), so templates can print
// these codes with {{label . "procure.<kind>" .Code}}; the Label funcs above
// read the same maps, so both always say the same.
func LabelTables() map[string]map[string][2]string {
	tables := map[string]map[string][2]string{
		"kind": kindLabels, "method": methodLabels, "eval": evalLabels, "set_aside": setAsideLabels,
		"exception": SetAsideExceptions, "plan_status": planLabels, "project_status": projectLabels,
		"challenge_status": challengeLabels, "size": sizeLabels, "credit": creditLabels,
		"overdue": overdueLabels, "party": partyLabels,
	}
	out := make(map[string]map[string][2]string, len(tables))
	for kind, m := range tables {
		c := make(map[string][2]string, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[kind] = c
	}
	return out
}
