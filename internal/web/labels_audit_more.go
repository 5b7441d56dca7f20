package web

// Audit actions added in session 5 (hand-overs, assisted repair, staged
// review, grade models, governance, red/black lists, policy payment
// batches, procurement ratings), each with its own label.
func init() {
	t := func(zh, en string) Text { return Text{ZH: zh, EN: en} }
	RegisterLabels(Labels{
		"audit.action": {
			"appeal.clue.handover":            t("移交纪检监察线索", "misconduct clue handed over"),
			"appeal.clue.disclose":            t("向企业告知移交", "hand-over disclosed to the enterprise"),
			"appeal.meeting.create":           t("记录联席会议", "joint meeting recorded"),
			"appeal.meeting_task.close":       t("办结会议任务", "meeting task closed"),
			"credit.service_point_set":        t("设置代办服务点", "service point set"),
			"credit.assisted_apply":           t("代办信用修复申请", "assisted repair applied for"),
			"credit.assisted_rejected":        t("企业拒绝代办申请", "assisted application refused by the enterprise"),
			"credit.assisted_confirmed":       t("企业确认代办申请", "assisted application confirmed by the enterprise"),
			"credit.governance_scan":          t("更新重点治理台账", "governance ledger updated"),
			"credit.ledger_add":               t("列入重点治理台账", "added to the governance ledger"),
			"credit.ledger_update":            t("更新治理措施", "governance measures updated"),
			"credit.grade_input":              t("录入评级指标值", "grade indicator value recorded"),
			"credit.model_grade_change":       t("行业评级变化", "sector grade changed"),
			"credit.procure_input.add":        t("采购互评计入信用", "procurement rating recorded in credit"),
			"credit.list_draft":               t("起草红黑榜", "red/black list drafted"),
			"credit.list_entry":               t("确认红黑榜名单", "red/black list entry confirmed"),
			"credit.list_publish":             t("发布红黑榜", "red/black list published"),
			"credit.route_set":                t("设置审核路径", "review route set"),
			"credit.route_reset":              t("停用审核路径（恢复默认）", "review route removed (default restored)"),
			"credit.repair_first_review":      t("信用修复初审", "repair first review"),
			"credit.repair_external":          t("转外部机构审核", "repair routed to an external body"),
			"credit.repair_step_warn":         t("审核环节预警", "review step warning"),
			"policy.batch.create":             t("生成拨付批次", "payment batch created"),
			"policy.batch.export":             t("导出银行文件", "bank file exported"),
			"policy.batch.settle":             t("导入银行回盘", "bank result imported"),
			"policy.grant.payment_failed":     t("拨付失败", "payment failed"),
			"policy.export.eligible":          t("导出符合条件名单", "eligible list exported"),
			"policy.export.grants":            t("导出兑现清单", "grants exported"),
			"policy.statement":                t("出具红利账单", "benefit statement issued"),
			"procure.rating_template.import":  t("导入互评模板", "rating template imported"),
			"procure.project.agency":          t("指定代理机构", "agency named"),
			"procure.rating.create":           t("四方互评", "mutual rating given"),
			"credit.commitment_breached":      t("承诺失信", "commitment broken"),
			"credit.commitment_fulfilled":     t("承诺已履行", "commitment fulfilled"),
			"credit.grade_model":              t("保存行业评级模型", "sector grade model saved"),
			"credit.scene":                    t("保存核查场景", "check scene saved"),
			"credit.scene_rules":              t("修改场景规则", "scene rules changed"),
			"procure.rating_template.default": t("载入默认互评模板", "default rating template loaded"),
		},
		"audit.object": {
			"credit_assisted":          t("代办信用修复", "Assisted repair"),
			"credit_governance_ledger": t("重点治理台账", "Governance ledger"),
			"credit_list":              t("红黑榜", "Red/black list"),
			"credit_procure_input":     t("采购互评信用输入", "Procurement rating input"),
			"credit_service_point":     t("代办服务点", "Service point"),
			"procure_rating":           t("四方互评", "Mutual rating"),
			"procure_rating_template":  t("互评模板", "Rating template"),
			"appeal_clue":              t("纪检监察线索", "Misconduct clue"),
			"appeal_meeting":           t("联席会议", "Joint meeting"),
			"appeal_meeting_task":      t("会议任务", "Meeting task"),
			"policy_batch":             t("拨付批次", "Payment batch"),
			"policy_statement":         t("红利账单", "Benefit statement"),
		},
	})
}
