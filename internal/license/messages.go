package license

import (
	"sync"

	"yingshang/internal/notify"
)

var registerOnce sync.Once

// RegisterMessages registers the module's message types with notify
// (once per process; Build calls it).
func RegisterMessages() { registerOnce.Do(registerMessages) }

func registerMessages() {
	text := []notify.Variable{
		{Name: "sms_text", ZH: "按证照类型短信模板生成的短信", EN: "SMS text from the licence type's template", Example: "【许证闹钟】您的食品经营许可证将于2026-12-31到期。"},
		{Name: "inapp_text", ZH: "按证照类型站内信模板生成的正文", EN: "in-app text from the licence type's template", Example: "您的食品经营许可证将于2026-12-31到期，请及时办理延续。"},
		{Name: "license_type", ZH: "证照名称", EN: "licence type", Example: "食品经营许可证"},
		{Name: "number", ZH: "证照编号", EN: "licence number", Example: "JY14110020001234"},
		{Name: "expires_on", ZH: "到期日期", EN: "expiry date", Example: "2026-12-31"},
		{Name: "days_left", ZH: "剩余天数", EN: "days left", Example: 30},
		{Name: "license_id", ZH: "证照编号（平台内）", EN: "licence id", Example: 1},
	}
	notify.RegisterType(notify.MessageType{
		Key: MsgReminder, NameZH: "证照到期提醒", NameEN: "Licence expiry reminder", Variables: text,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {notify.LangZH: {Body: "{{.sms_text}}"}, notify.LangEN: {Body: "{{.sms_text}}"}},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "证照到期提醒：{{.license_type}}还剩{{.days_left}}天", Body: "{{.inapp_text}}"},
				notify.LangEN: {Subject: "Licence expiring: {{.license_type}} in {{.days_left}} days", Body: "{{.inapp_text}}"},
			},
		},
	})
	notify.RegisterType(notify.MessageType{
		Key: MsgExpired, NameZH: "证照到期通知", NameEN: "Licence expired notice", Variables: text,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【许证闹钟】您的{{.license_type}}（编号{{.number}}）有效期至{{.expires_on}}，现已到期，请尽快办理延续或重新申领。"},
				notify.LangEN: {Body: "[Yingshang] Your {{.license_type}} ({{.number}}) expired on {{.expires_on}}. Please renew it as soon as possible."},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "证照已到期：{{.license_type}}", Body: "您的{{.license_type}}（编号{{.number}}）有效期至{{.expires_on}}，现已到期，请尽快办理延续或重新申领。"},
				notify.LangEN: {Subject: "Licence expired: {{.license_type}}", Body: "Your {{.license_type}} ({{.number}}) expired on {{.expires_on}}. Please renew it as soon as possible."},
			},
		},
	})
	// Deadlines other than licences (kinds.go): the type's own Chinese and
	// English texts.
	deadline := append(append([]notify.Variable{}, text...),
		notify.Variable{Name: "sms_text_en", ZH: "按提醒类型英文短信模板生成的短信", EN: "SMS text from the type's English template", Example: "[Yingshang] your 2025 annual report is due on 2026-06-30."},
		notify.Variable{Name: "inapp_text_en", ZH: "按提醒类型英文站内信模板生成的正文", EN: "in-app text from the type's English template", Example: "Your 2025 annual report is due on 2026-06-30, 30 days left."},
		notify.Variable{Name: "kind_zh", ZH: "提醒类型", EN: "kind (Chinese)", Example: "企业年报"},
		notify.Variable{Name: "kind_en", ZH: "提醒类型（英文）", EN: "kind", Example: "annual report"})
	notify.RegisterType(notify.MessageType{
		Key: MsgDeadline, NameZH: "到期事项提醒（年报、信用复评、整改、涉税）", NameEN: "Deadline reminder (annual report, rating renewal, rectification, tax)", Variables: deadline,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {notify.LangZH: {Body: "{{.sms_text}}"}, notify.LangEN: {Body: "{{.sms_text_en}}"}},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "{{.kind_zh}}提醒：{{.license_type}}还剩{{.days_left}}天", Body: "{{.inapp_text}}"},
				notify.LangEN: {Subject: "Due soon ({{.kind_en}}): {{.license_type}} in {{.days_left}} days", Body: "{{.inapp_text_en}}"},
			},
		},
	})
	notify.RegisterType(notify.MessageType{
		Key: MsgDeadlineDue, NameZH: "到期事项已到期", NameEN: "Deadline passed", Variables: deadline,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【许证闹钟】您的{{.license_type}}（{{.number}}）办理截止日期{{.expires_on}}已到，请尽快办理。"},
				notify.LangEN: {Body: "[Yingshang] Your {{.license_type}} ({{.number}}) was due on {{.expires_on}}. Please act as soon as possible."},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "{{.kind_zh}}已到期：{{.license_type}}", Body: "您的{{.license_type}}（{{.number}}）办理截止日期{{.expires_on}}已到，请尽快办理。"},
				notify.LangEN: {Subject: "Due ({{.kind_en}}): {{.license_type}}", Body: "Your {{.license_type}} ({{.number}}) was due on {{.expires_on}}. Please act as soon as possible."},
			},
		},
	})
	notify.RegisterType(notify.MessageType{
		Key: MsgFollowup, NameZH: "证照待跟进清单", NameEN: "Licence follow-up list",
		Variables: []notify.Variable{
			{Name: "count", ZH: "新进入清单的证照数", EN: "licences newly listed", Example: 3},
			{Name: "day", ZH: "日期", EN: "day", Example: "2026-12-01"},
		},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
			notify.LangZH: {Subject: "待跟进清单新增{{.count}}件证照", Body: "{{.day}} 有{{.count}}件证照临近到期仍未续证，已列入本部门待跟进清单，请安排专人电话或上门提醒。"},
			notify.LangEN: {Subject: "{{.count}} licences added to the follow-up list", Body: "On {{.day}}, {{.count}} licences near expiry and not renewed were put on the department's follow-up list: please call or visit the holders."},
		}},
	})
	notify.RegisterType(notify.MessageType{
		Key: MsgAnswer, NameZH: "持证人答复已续证", NameEN: "Holder says renewed",
		Variables: []notify.Variable{
			{Name: "holder", ZH: "持证人", EN: "holder", Example: "许昌市示例餐饮有限公司"},
			{Name: "license_type", ZH: "证照名称", EN: "licence type", Example: "食品经营许可证"},
			{Name: "number", ZH: "证照编号", EN: "licence number", Example: "JY14110020001234"},
		},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
			notify.LangZH: {Subject: "请确认续证：{{.holder}}", Body: "{{.holder}}答复其{{.license_type}}（编号{{.number}}）已续证，请核实后确认。"},
			notify.LangEN: {Subject: "Confirm renewal: {{.holder}}", Body: "{{.holder}} says its {{.license_type}} ({{.number}}) is renewed. Please check and confirm."},
		}},
	})
	notify.RegisterType(notify.MessageType{
		Key: MsgReview, NameZH: "提醒事项目录季度梳理", NameEN: "Quarterly catalogue review",
		Variables: []notify.Variable{{Name: "quarter", ZH: "季度", EN: "quarter", Example: "2026Q4"}},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
			notify.LangZH: {Subject: "请梳理本部门证照到期提醒事项目录（{{.quarter}}）", Body: "请梳理本部门的证照到期提醒事项目录，录入新增事项、更新办理渠道和材料，并在“提醒事项目录”页面确认本季度梳理。"},
			notify.LangEN: {Subject: "Review the licence reminder catalogue ({{.quarter}})", Body: "Please review the department's licence reminder catalogue (new items, channels, materials) and confirm this quarter's review on the catalogue page."},
		}},
	})
}
