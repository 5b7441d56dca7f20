package license

// Reminder kinds (issue 18 item 15, the tax office's 许税闹钟): the same
// staged reminders for any dated obligation a department imports. A
// catalogue item (Type) of a kind other than licence is a reminder type:
// its rows are obligations (an annual report due, a credit rating to
// renew, a rectification to finish, a tax item to declare) whose
// expires_on is the deadline. The scan runs the type's own stages on them
// and sends the deadline message types below with the type's Chinese and
// English templates.

// Kinds of catalogue items.
const (
	KindLicence       = "licence"        // 证照到期
	KindAnnualReport  = "annual_report"  // 年报
	KindCreditRenewal = "credit_renewal" // 信用评级（等级）复评
	KindRectification = "rectification"  // 检查整改
	KindTax           = "tax"            // 涉税事项（许税闹钟）
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindLicence, KindAnnualReport, KindCreditRenewal, KindRectification, KindTax}

var kindLabels = map[string][2]string{
	KindLicence: {"证照到期", "licence expiry"}, KindAnnualReport: {"企业年报", "annual report"},
	KindCreditRenewal: {"信用评级复评", "credit-rating renewal"}, KindRectification: {"检查整改", "inspection rectification"},
	KindTax: {"涉税事项（许税闹钟）", "tax item"},
}

// KindLabel names a kind in lang ("en" or Chinese).
func KindLabel(k, lang string) string {
	l, ok := kindLabels[k]
	if !ok {
		l = kindLabels[KindLicence]
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// ValidKind reports whether k is a known kind.
func ValidKind(k string) bool { _, ok := kindLabels[k]; return ok }

// Message types of the deadlines other than licences.
const (
	MsgDeadline    = "license.deadline"     // a reminder stage of an obligation
	MsgDeadlineDue = "license.deadline_due" // the deadline passed
)

// Default templates of the reminder types other than licences: the
// variables are those of TemplateVars (license_type is the item's name,
// number its reference, expires_on the deadline).
const (
	DefaultDeadlineSMS     = "【许证闹钟】{{.holder}}：您的{{.license_type}}（{{.number}}）办理截止日期为{{.expires_on}}，还剩{{.days_left}}天。办理渠道：{{.channels}}；咨询电话：{{.phone}}。查看并答复：{{.link}}"
	DefaultDeadlineInApp   = "您的{{.license_type}}（{{.number}}）须在{{.expires_on}}前办理，还剩{{.days_left}}天。办理渠道：{{.channels}}。所需材料：{{.materials}}。咨询电话：{{.phone}}（{{.department}}）。"
	DefaultDeadlineSMSEN   = "[Yingshang] {{.holder}}: your {{.license_type}} ({{.number}}) is due on {{.expires_on}}, {{.days_left}} days left. Enquiries: {{.phone}}. See and answer: {{.link}}"
	DefaultDeadlineInAppEN = "Your {{.license_type}} ({{.number}}) is due on {{.expires_on}}, {{.days_left}} days left. Where: {{.channels}}. Materials: {{.materials}}. Enquiries: {{.phone}} ({{.department}})."
)

// reminderMsg is the message type of a holder stage for a type of kind.
func reminderMsg(kind string, last bool) string {
	switch {
	case kind == KindLicence || kind == "":
		if last {
			return MsgExpired
		}
		return MsgReminder
	case last:
		return MsgDeadlineDue
	}
	return MsgDeadline
}

func kindOf(t *Type) string {
	if t == nil {
		return KindLicence
	}
	return t.Kind
}
