package appeal

import "fmt"

// runTerms adds the seeds' steps to the demo: an appeal claimed with a
// committed resolution date and given interim feedback, a common issue
// with two linked appeals and its fix plan, and an appeal resolved on the
// spot.
func (d *demo) runTerms() error {
	if d.err != nil {
		return d.err
	}
	a := d.submit(Help, "开办企业", "刻章备案仍要求提交营业执照复印件", "办理刻章备案时窗口仍要求提交纸质营业执照复印件，电子营业执照能否直接使用？", 0)
	b := d.submit(Complaint, "开办企业", "银行开户要求重复提交登记材料", "新设公司到银行开户，又被要求提交已在登记环节提交过的章程和股东信息。", 0)
	if d.err != nil {
		return d.err
	}
	ci, err := d.s.CreateCommonIssue(d.sys, CommonIssueInput{Title: "企业开办后续环节重复提交登记材料",
		Cause: "刻章备案、银行开户未接入登记信息共享，仍要求纸质材料", Topic: "开办企业", DeptID: d.sjj})
	if err != nil {
		return fmt.Errorf("demo common issue: %w", err)
	}
	for _, id := range []int64{a, b} {
		d.step(d.sys, id, Act{Action: ActAccept}, Act{Action: ActClassify, IssueClass: IssueCommon, CommonIssueID: ci.ID})
	}
	d.step(d.sys, a, Act{Action: ActAssign, DeptID: d.sjj})
	d.step(d.staff, a, Act{Action: ActClaim}, Act{Action: ActFeedback, Note: "已与公安局、人民银行对接，正在推动登记信息共享。"})
	if d.err != nil {
		return d.err
	}
	if _, err := d.s.StepCommonIssue(d.staff, ci.ID, CommonIssueStep{Step: StepPlan, Note: "一个月内实现刻章备案、银行开户直接调取登记信息，不再收取纸质材料。"}); err != nil {
		return fmt.Errorf("demo common issue plan: %w", err)
	}
	c := d.submit(Consult, "融资", "首贷续贷中心能否办理抵押登记", "想了解在首贷续贷服务中心能否同时办理不动产抵押登记。", 0)
	d.step(d.sys, c, Act{Action: ActOnSpot, Note: "服务专员现场答复：中心设有不动产登记窗口，可一站办理抵押登记。"})
	return d.err
}
