package web

// The audit trail's object types and action names in the one label table.
// An action "<object>.<verb>" ("credit.record_create", "appeal.reply") is
// named by its own "audit.action" label when it has one, else by the label
// of its object (the part before the last dot, kind "audit.object") and of
// its verb (kind "audit.verb"); see AuditActionLabel. Object types of the
// audited rows ("credit_record") share the kind "audit.object".
func init() {
	t := func(zh, en string) Text { return Text{ZH: zh, EN: en} }
	RegisterLabels(Labels{
		"audit.object": {
			// Action prefixes.
			"appeal": t("诉求", "Appeal"), "appeal.common_issue": t("共性问题", "Common issue"), "audit": t("审计日志", "Audit log"),
			"bideval": t("双盲评审", "Blind evaluation"), "bideval.codes": t("暗标编码", "Virtual codes"), "bideval.sheet": t("评分表", "Score sheet"), "bideval.objection": t("质疑", "Objection"),
			"binding": t("企业绑定", "Enterprise binding"), "calendar": t("工作日历", "Working-day calendar"), "credit": t("信用", "Credit"),
			"department": t("部门", "Department"), "draw": t("随机抽取", "Draw"), "draw.expert": t("评标专家", "Expert"),
			"draw.person": t("抽取人员", "Pool person"), "draw.project": t("抽取项目", "Draw project"), "draw.reserve": t("候补专家", "Reserve expert"),
			"draw.room": t("评标室", "Evaluation room"), "entity": t("经营主体", "Market entity"), "inspect": t("检查", "Inspection"),
			"inspect.file": t("检查材料", "Inspection file"), "inspect.inspector": t("执法人员", "Inspector"), "inspect.item": t("检查事项", "Inspection item"),
			"inspect.plan": t("抽查计划", "Inspection plan"), "inspect.quiet": t("企业宁静日", "Quiet days"), "inspect.scan": t("入企扫码", "Entry scan"),
			"inspect.task": t("检查任务", "Inspection task"), "license": t("证照", "Licence"), "notification": t("消息", "Notification"),
			"notification_template": t("消息模板", "Message template"), "policy": t("政策", "Policy"), "policy.facts": t("企业画像数据", "Enterprise facts"),
			"policy.grant": t("政策兑现", "Policy grant"), "policy.push": t("政策推送", "Policy push"), "procure": t("政府采购", "Procurement"),
			"procure.bid": t("投标", "Bid"), "procure.challenge": t("质疑投诉", "Challenge"), "procure.contract": t("采购合同", "Contract"),
			"procure.intention": t("采购意向", "Procurement intention"), "procure.plan": t("采购计划", "Procurement plan"), "procure.pool": t("拼单", "Pooled purchase"),
			"procure.project": t("采购项目", "Procurement project"), "session": t("登录会话", "Session"), "sms_code": t("短信验证码", "SMS code"),
			"token": t("API 令牌", "API token"), "user": t("用户", "User"), "webhook": t("Webhook 订阅", "Webhook"),
			// Object types of audited rows.
			"api_token": t("API 令牌", "API token"), "appeal_common_issue": t("共性问题", "Common issue"), "appeal_route": t("派单规则", "Dispatch rule"),
			"appeal_settings": t("诉求设置", "Appeal settings"), "bideval_bid": t("投标文件", "Bid"), "bideval_flag": t("评审标记", "Evaluation flag"),
			"bideval_objection": t("质疑", "Objection"), "bideval_sheet": t("评分表", "Score sheet"), "credit_commitment": t("信用承诺", "Credit commitment"),
			"credit_grades": t("信用等级", "Credit grades"), "credit_record": t("信用记录", "Credit record"), "credit_repair": t("信用修复", "Credit repair"),
			"credit_rules": t("信用规则", "Credit rules"), "draw_assignment": t("抽中人员", "Draw assignment"), "draw_expert": t("评标专家", "Expert"),
			"draw_person": t("抽取人员", "Pool person"), "draw_project": t("抽取项目", "Draw project"), "draw_room": t("评标室", "Evaluation room"),
			"enterprise_binding": t("企业绑定", "Enterprise binding"), "import": t("导入", "Import"), "inspect_inspector": t("执法人员", "Inspector"),
			"inspect_item": t("检查事项", "Inspection item"), "inspect_plan": t("抽查计划", "Inspection plan"), "inspect_task": t("检查任务", "Inspection task"),
			"license_scan": t("证照扫描", "Licence scan"), "license_type": t("证照类型", "Licence type"), "license_followups": t("跟进名单", "Follow-up list"),
			"license_review": t("续办审核", "Renewal review"), "policy_facts": t("企业画像数据", "Enterprise facts"), "policy_grant": t("政策兑现", "Policy grant"),
			"policy_push": t("政策推送", "Policy push"), "procure_bid": t("投标", "Bid"), "procure_challenge": t("质疑投诉", "Challenge"),
			"procure_contract": t("采购合同", "Contract"), "procure_intention": t("采购意向", "Procurement intention"), "procure_plan": t("采购计划", "Procurement plan"),
			"procure_pool": t("拼单", "Pooled purchase"), "procure_project": t("采购项目", "Procurement project"),
		},
		"audit.verb": {
			"create": t("新建", "created"), "update": t("修改", "updated"), "delete": t("删除", "deleted"), "import": t("导入", "imported"),
			"import_write": t("导入写入", "import written"), "submit": t("提交", "submitted"), "alert": t("预警", "alert"), "attach": t("上传附件", "attachment added"),
			"publish_case": t("发布典型案例", "published as a case"), "route_add": t("新增派单规则", "dispatch rule added"), "route_delete": t("删除派单规则", "dispatch rule deleted"),
			"settings": t("修改设置", "settings changed"), "baseline": t("基线", "baseline"), "award": t("定标", "awarded"), "candidates": t("公示候选人", "candidates published"),
			"commit": t("承诺", "committed"), "drawn": t("已抽取", "drawn"), "failed": t("终止", "stopped"), "flag": t("标记", "flagged"),
			"objection": t("提出质疑", "objection filed"), "answer": t("答复", "answered"), "register": t("报名", "registered"), "unmasked": t("揭示编码", "codes unmasked"),
			"upload": t("上传", "uploaded"), "approve": t("通过", "approved"), "reject": t("驳回", "rejected"), "load_official": t("载入官方日历", "official calendar loaded"),
			"expire": t("公示期满", "publicity ended"), "grade_change": t("等级变化", "grade changed"), "grade_recompute_all": t("重算全部等级", "all grades recomputed"),
			"notice_issue": t("发出告知书", "notice issued"), "obligations": t("修改义务", "obligations changed"), "record_correct": t("更正记录", "record corrected"),
			"record_create": t("新增记录", "record created"), "record_removed": t("撤下记录", "record removed"), "record_repaired": t("记录已修复", "record repaired"),
			"report": t("出具信用报告", "credit report issued"), "commitment_sign": t("签署承诺", "commitment signed"), "repair_apply": t("申请修复", "repair applied for"),
			"repair_more_info": t("要求补充材料", "more information requested"), "repair_remind": t("修复提醒", "repair reminder"), "repair_supplement": t("补充材料", "information supplied"),
			"repair_warn": t("修复预警", "repair warning"), "execute": t("执行抽取", "executed"), "link": t("关联账号", "linked"), "notify": t("通知", "notified"),
			"status": t("状态变更", "status changed"), "bidder": t("登记投标人", "bidder registered"), "opening": t("设定开标时间", "opening set"),
			"refused": t("拒绝", "refused"), "called": t("递补", "called"), "reserves_exhausted": t("候补用尽", "reserves exhausted"), "unseal": t("解封", "unsealed"),
			"add": t("添加", "added"), "sample": t("抽取对象", "sampled"), "exception": t("例外", "exception"), "result": t("录入结果", "result recorded"),
			"scan": t("扫码", "scanned"), "close": t("办结", "closed"), "confirm": t("确认", "confirmed"), "publish": t("公示", "published"),
			"contact": t("联系企业", "contacted"), "followup_assign": t("分派跟进", "follow-up assigned"), "lapsed": t("已失效", "lapsed"), "review": t("审核", "reviewed"),
			"type_create": t("新建证照类型", "licence type created"), "type_update": t("修改证照类型", "licence type updated"), "renewed": t("已续办", "renewed"),
			"active": t("启用", "activated"), "retry": t("重发", "retried"), "test": t("测试发送", "test sent"), "reset": t("恢复默认", "reset"), "save": t("保存", "saved"),
			"released": t("发布", "released"), "repush": t("重新推送", "pushed again"), "file": t("提出质疑", "filed"), "evaluate": t("评审", "evaluated"),
			"lead": t("确定牵头单位", "lead unit chosen"), "logout": t("退出登录", "signed out"), "send": t("发送", "sent"), "revoke": t("吊销", "revoked"),
			"admin_reset": t("管理员重置密码", "password reset by an admin"), "bind": t("绑定企业", "bound to an enterprise"), "password_change": t("修改密码", "password changed"),
			"totp_enable": t("启用动态口令", "TOTP enabled"), "set_active": t("启用/停用", "switched on/off"), "disabled": t("停用", "disabled"), "locked": t("锁定", "locked"),
			"post": t("发布", "posted"), "archive": t("归档", "archived"),
			"plan": t("提出整改方案", "fix planned"), "fixed": t("已整改", "fixed"), "improved": t("已提升", "improved"),
			"dept_classes": t("修改部门分类", "department classes changed"), "record_published": t("记录公示", "record published"),
			"repair_approved": t("修复通过", "repair approved"), "repair_rejected": t("修复驳回", "repair rejected"),
			"repair_more_info_requested": t("要求补充材料", "more information requested"),
			"declined":                   t("已谢绝", "declined"), "confirmed": t("已确认", "confirmed"), "expired": t("超时未答复", "no answer"),
			"suspended": t("暂停", "suspended"), "removed": t("移出", "removed"), "lock": t("锁定评分", "scores locked"),
			"sign": t("签订", "signed"), "accepted": t("已受理", "accepted"), "excluded": t("已排除", "excluded"),
			"approved": t("已审核", "approved"), "paid": t("已到账", "paid"), "sent": t("已推送", "sent"), "held": t("暂缓", "held"),
			"rejected": t("已驳回", "rejected"), "signed": t("已签署", "signed"), "revoked": t("已撤销", "revoked"),
			"answered": t("已答复", "answered"), "complained": t("已投诉", "complaint filed"), "decided": t("投诉已处理", "complaint decided"),
			"complain": t("投诉", "complaint filed"), "decide": t("处理投诉", "complaint decided"),
			"login": t("登录", "signed in"), "login_failed": t("登录失败", "sign-in failed"), "oidc_link": t("关联统一身份认证", "single sign-on linked"),
			"holder_sign_in": t("持证人登录", "holder signed in"), "totp_recovery_used": t("使用恢复码", "recovery code used"),
			"deliver": t("履约交付", "delivered"), "accept": t("验收", "accepted"), "pay": t("付款", "paid"),
		},
	})
}
