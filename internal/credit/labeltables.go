package credit

// LabelTables returns the module's plain label tables by kind ("kind",
// "status", "penalty_type", "repair_status", "measure"): code -> {zh, en}.
// The handlers register them in the platform's one label table
// (module.Info.Labels) as "credit.<kind>"; KindLabel, StatusLabel,
// PenaltyTypeLabel, RepairLabel, MeasureLabel and the Label funcs of the
// tables below read the same maps, so both always say the same. "scene"
// holds the built-in scenes only: an installation may configure more
// (credit_scenes), which SceneLabel names from the database.
func LabelTables() map[string]map[string][2]string {
	tables := map[string]map[string][2]string{
		"kind": kindLabels, "status": statusLabels, "penalty_type": penaltyTypes,
		"repair_status": repairLabels, "measure": measureLabels, "scene": sceneLabels,
		"point_kind":        pointKindLabels,
		"assisted_status":   assistedLabels,
		"result":            resultLabels,
		"commitment_kind":   commitmentKindLabels,
		"commitment_status": commitmentStatusLabels,
		"public_commitment": publicCommitmentLabels,
		"ledger_source":     ledgerSourceLabels,
		"ledger_status":     ledgerStatusLabels,
		"colour":            colourLabels,
		"class":             classLabels,
		"list_kind":         listKindLabels,
		"list_status":       listStatusLabels,
		"review_stage":      stageLabels,
		"step_outcome":      stepOutcomeLabels,
		"rule_outcome":      outcomeLabels,
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

// pointKindLabels is read by PointKindLabel.
var pointKindLabels = map[string][2]string{"hall": {"政务服务大厅窗口", "service hall window"}, "street": {"街道（乡镇）便民服务点", "street service point"},
	"market": {"市场服务点", "market service point"}, "bank": {"银行网点", "bank branch"}}

// assistedLabels is read by AssistedLabel.
var assistedLabels = map[string][2]string{AssistedPending: {"待企业确认", "awaiting the enterprise's confirmation"},
	AssistedConfirmed: {"企业已确认，已提交审核", "confirmed, under review"}, AssistedRejected: {"企业未同意", "refused by the enterprise"}}

// resultLabels is read by ResultLabel.
var resultLabels = map[string][2]string{ResultPass: {"通过", "pass"}, ResultConditions: {"有条件通过", "pass with conditions"}, ResultDeny: {"不通过", "deny"}}

// commitmentKindLabels is read by CommitmentKindLabel.
var commitmentKindLabels = map[string][2]string{"missing_material": {"容缺受理承诺", "accept with missing material"},
	"instead_of_certificate": {"承诺代替证明", "commitment instead of certificates"}, "repair": {"信用修复承诺", "credit repair commitment"},
	"other": {"其他信用承诺", "other commitment"}}

// commitmentStatusLabels is read by CommitmentStatusLabel.
var commitmentStatusLabels = map[string][2]string{"open": {"履行中", "open"}, "fulfilled": {"已履行", "fulfilled"}, "breached": {"已违背", "breached"}}

// publicCommitmentLabels is read by PublicCommitmentLabel.
var publicCommitmentLabels = map[string][2]string{"open": {"履约中", "in force"}, "fulfilled": {"已履约", "fulfilled"}, "breached": {"已违约", "broken"}}

// ledgerSourceLabels is read by LedgerSourceLabel.
var ledgerSourceLabels = map[string][2]string{LedgerHighFrequency: {"高频失信", "high-frequency dishonesty"}, LedgerManual: {"信用办列入", "added by the credit office"}}

// ledgerStatusLabels is read by LedgerStatusLabel.
var ledgerStatusLabels = map[string][2]string{LedgerActive: {"治理中", "under governance"}, LedgerExited: {"已退出", "exited"}}

// colourLabels is read by ColourLabel.
var colourLabels = map[string][2]string{"green": {"绿色", "green"}, "blue": {"蓝色", "blue"}, "red": {"红色", "red"}, "orange": {"橙色", "orange"}, "grey": {"灰色", "grey"}}

// classLabels is read by ClassLabel.
var classLabels = map[string][2]string{ClassMinor: {"轻微", "minor"}, ClassGeneral: {"一般", "general"}, ClassSerious: {"严重", "serious"}}

// listKindLabels is read by ListKindLabel.
var listKindLabels = map[string][2]string{ListRed: {"红榜（守信）", "red list (trustworthy)"}, ListBlack: {"黑榜（失信）", "black list (dishonest)"}}

// listStatusLabels is read by ListStatusLabel.
var listStatusLabels = map[string][2]string{"draft": {"待确认", "draft"}, "published": {"已发布", "published"}}

// stageLabels is read by StageLabel.
var stageLabels = map[string][2]string{StageAssisted: {"代办确认", "assisted, confirmed"}, StageFirstReview: {"信用办初审", "first review (credit office)"},
	StageDecide: {"部门审核", "Department review"}, StageExternal: {"外部审核", "external review"}, StageDone: {"办结", "closed"},
	"submitted": {"提交申请", "applied"}}

// stepOutcomeLabels is read by StepOutcomeLabel.
var stepOutcomeLabels = map[string][2]string{"pass": {"通过", "passed"}, "approve": {"同意修复", "approved"}, "reject": {"不同意", "rejected"},
	"approved": {"同意修复", "approved"}, "rejected": {"不同意", "rejected"}, "forward": {"转送", "forwarded"}}

// outcomeLabels is read by OutcomeLabel.
var outcomeLabels = map[string][2]string{OutcomeDeny: {"不通过", "deny"}, OutcomeConditions: {"有条件通过", "with conditions"}, OutcomeIncentive: {"守信激励", "incentive"}}
