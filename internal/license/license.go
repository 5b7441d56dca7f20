// Package license runs licence expiry reminders (证照到期提醒, "许证闹钟",
// after Xuchang's platform of that name): every department keeps a
// reminder catalogue (提醒事项目录) of the licence types it issues, feeds
// in the licences from its ledger, and a daily scan reminds each holder
// 30 and 7 days before expiry (SMS + in-app), puts the licences still not
// renewed 3 days before expiry on the department's follow-up list
// (待跟进清单) for staff to call or visit, and on the expiry day sends a
// last notice and marks the licence lapsed.
//
// Stages (all day counts configurable per licence type):
//
//	remind_30  first reminder, due from Remind1Days before expiry until the
//	           second reminder is due (a missed one is still sent on day 25)
//	remind_7   second reminder, due from Remind2Days before expiry until the
//	           follow-up stage is due (never sent after it)
//	followup   listed on the last working day on or before FollowupDays
//	           before expiry, while the licence has not expired
//	lapsed     on the expiry day (LapseDays after it) or later: last notice
//	           to the holder, status lapsed, listed for the department
//
// Each stage happens at most once per licence: the scan inserts the
// license_reminders row (UNIQUE licence, stage) first and sends the
// messages in the same transaction; a row that already exists means
// another scan did it. The scan acts only at or after the type's send
// time (default 09:00 Asia/Shanghai) on the injected clock.
//
// Error contract: unknown ids, or licences outside the actor's scope, give
// yserr.NotFound; missing roles give yserr.Forbidden; bad input gives
// yserr.Invalid naming the field; acting on a licence in the wrong state
// gives yserr.Conflict.
package license

import (
	"net/url"
	"strings"
	"text/template"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/importkit"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// Stages, also the keys of the scan summary.
const (
	StageRemind1  = "remind_30"
	StageRemind2  = "remind_7"
	StageFollowup = "followup"
	StageLapsed   = "lapsed"
)

// Stages lists the stages in order.
var Stages = []string{StageRemind1, StageRemind2, StageFollowup, StageLapsed}

// Licence statuses.
const (
	StatusActive    = "active"
	StatusRenewed   = "renewed"
	StatusRevoked   = "revoked"
	StatusCancelled = "cancelled"
	StatusLapsed    = "lapsed"
)

// Holder answers to a reminder.
const (
	AnswerRenewed  = "renewed"
	AnswerRenewing = "renewing"
	AnswerClosing  = "closing"
)

// Contact methods and outcomes of a follow-up.
var (
	ContactMethods  = []string{"call", "visit"}
	ContactOutcomes = []string{"reached", "renewing", "renewed", "closing", "unreachable"}
)

// Message types sent by the module.
const (
	MsgReminder = "license.reminder"
	MsgExpired  = "license.expired"
	MsgFollowup = "license.followup"
	MsgAnswer   = "license.holder_renewed"
	MsgReview   = "license.review_due"
)

// Service is the licence reminder service.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Keys     *secret.Keyring
	Notify   *notify.Service
	Calendar *workcal.Service
	Jobs     *jobs.Queue
	// Accounts is the directory of department admins and of the accounts
	// bound to entities.
	Accounts *account.Service
	// Entities is the market-entity registry (holders' credit codes).
	Entities *entity.Service
	// Codes sends and verifies the SMS codes of person holders (holder.go);
	// nil disables their sign-in.
	Codes PhoneCodes
	// BaseURL is the platform's public address, for the link in reminders.
	BaseURL string
}

// Type is one entry of a department's reminder catalogue.
type Type struct {
	ID              int64     `json:"id"`
	DepartmentID    int64     `json:"department_id"`
	DepartmentName  string    `json:"department_name,omitempty"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	Kind            string    `json:"kind" enum:"licence,annual_report,credit_renewal,rectification,tax" doc:"licence, or another dated obligation (issue 18: 许税闹钟)"`
	LegalBasis      string    `json:"legal_basis"`
	ValidityMonths  int       `json:"validity_months" doc:"legal validity; 0 when not fixed"`
	ChannelsOnline  string    `json:"channels_online"`
	ChannelsOffline string    `json:"channels_offline"`
	Materials       string    `json:"materials"`
	Fees            string    `json:"fees"`
	Phone           string    `json:"phone"`
	Address         string    `json:"address"`
	ServiceURL      string    `json:"service_url"`
	SMSTemplate     string    `json:"sms_template" doc:"text/template over the template variables, e.g. {{.holder}}"`
	InAppTemplate   string    `json:"inapp_template"`
	SMSTemplateEN   string    `json:"sms_template_en" doc:"English SMS template (holders who read English); empty: the Chinese text"`
	InAppTemplateEN string    `json:"inapp_template_en"`
	Remind1Days     int       `json:"remind1_days" doc:"first reminder, days before expiry (default 30)"`
	Remind2Days     int       `json:"remind2_days" doc:"second reminder (default 7)"`
	FollowupDays    int       `json:"followup_days" doc:"follow-up list (default 3)"`
	LapseDays       int       `json:"lapse_days" doc:"days after expiry the licence is marked lapsed (default 0)"`
	SendTime        string    `json:"send_time" doc:"HH:MM Asia/Shanghai (default 09:00)"`
	Active          bool      `json:"active"`
	LastReviewOn    string    `json:"last_review_on,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// TemplateVars are the variables of the SMS and in-app templates.
var TemplateVars = []notify.Variable{
	{Name: "holder", ZH: "持证人", EN: "holder", Example: "许昌市示例餐饮有限公司"},
	{Name: "license_type", ZH: "证照名称", EN: "licence type", Example: "食品经营许可证"},
	{Name: "number", ZH: "证照编号", EN: "licence number", Example: "JY14110020001234"},
	{Name: "expires_on", ZH: "到期日期", EN: "expiry date", Example: "2026-12-31"},
	{Name: "days_left", ZH: "剩余天数", EN: "days left", Example: 30},
	{Name: "channels", ZH: "办理渠道", EN: "renewal channels", Example: "线上：河南政务服务网；线下：市民之家"},
	{Name: "materials", ZH: "所需材料", EN: "materials", Example: "延续申请书、营业执照"},
	{Name: "phone", ZH: "咨询电话", EN: "enquiry phone", Example: "0374-1234567"},
	{Name: "department", ZH: "发证单位", EN: "issuing department", Example: "许昌市市场监督管理局"},
	{Name: "link", ZH: "查看证照并答复的网址（企业为“我的证照”，个人为个人持证人查询）", EN: "where the holder sees the licence and answers (my licences, or the person holders' page)", Example: "https://yingshang.example.gov.cn/licenses/holder"},
}

// Default templates of a new licence type.
const (
	DefaultSMSTemplate   = "【许证闹钟】{{.holder}}：您的{{.license_type}}（编号{{.number}}）将于{{.expires_on}}到期，还剩{{.days_left}}天。办理渠道：{{.channels}}；所需材料：{{.materials}}；咨询电话：{{.phone}}。查看并答复：{{.link}}"
	DefaultInAppTemplate = "您的{{.license_type}}（编号{{.number}}）将于{{.expires_on}}到期，还剩{{.days_left}}天，请及时办理延续。办理渠道：{{.channels}}。所需材料：{{.materials}}。咨询电话：{{.phone}}（{{.department}}）。"
)

// TypeInput creates or updates a licence type. Zero stage days and an
// empty send time take the defaults.
type TypeInput struct {
	DepartmentID    int64  `json:"department_id" doc:"0: the actor's department"`
	Code            string `json:"code"`
	Name            string `json:"name"`
	Kind            string `json:"kind" doc:"licence (default), annual_report, credit_renewal, rectification or tax"`
	LegalBasis      string `json:"legal_basis"`
	ValidityMonths  int    `json:"validity_months"`
	ChannelsOnline  string `json:"channels_online"`
	ChannelsOffline string `json:"channels_offline"`
	Materials       string `json:"materials"`
	Fees            string `json:"fees"`
	Phone           string `json:"phone"`
	Address         string `json:"address"`
	ServiceURL      string `json:"service_url"`
	SMSTemplate     string `json:"sms_template"`
	InAppTemplate   string `json:"inapp_template"`
	SMSTemplateEN   string `json:"sms_template_en"`
	InAppTemplateEN string `json:"inapp_template_en"`
	Remind1Days     int    `json:"remind1_days"`
	Remind2Days     int    `json:"remind2_days"`
	FollowupDays    int    `json:"followup_days"`
	LapseDays       int    `json:"lapse_days"`
	SendTime        string `json:"send_time"`
	Active          bool   `json:"active" doc:"reminders on; false keeps the item in the catalogue without scanning it"`
}

// Defaults fills the empty fields with the defaults.
func (in *TypeInput) Defaults() {
	if in.Kind == "" {
		in.Kind = KindLicence
	}
	sms, inapp := DefaultSMSTemplate, DefaultInAppTemplate
	if in.Kind != KindLicence {
		sms, inapp = DefaultDeadlineSMS, DefaultDeadlineInApp
		if in.SMSTemplateEN == "" {
			in.SMSTemplateEN = DefaultDeadlineSMSEN
		}
		if in.InAppTemplateEN == "" {
			in.InAppTemplateEN = DefaultDeadlineInAppEN
		}
	}
	if in.SMSTemplate == "" {
		in.SMSTemplate = sms
	}
	if in.InAppTemplate == "" {
		in.InAppTemplate = inapp
	}
	if in.Remind1Days == 0 && in.Remind2Days == 0 && in.FollowupDays == 0 {
		in.Remind1Days, in.Remind2Days, in.FollowupDays = 30, 7, 3
	}
	if in.SendTime == "" {
		in.SendTime = "09:00"
	}
}

// Validate checks the input (after Defaults).
func (in *TypeInput) Validate() error {
	var v yserr.Validation
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if in.Code == "" || len(in.Code) > 40 || strings.ContainsAny(in.Code, " \t,") {
		v.Add("code", "事项代码必填，不含空格和逗号，最长 40 个字符", "code is required, without spaces or commas, at most 40 characters")
	}
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		v.Add("name", "证照名称必填，最长 100 字", "name is required, at most 100 characters")
	}
	if in.ValidityMonths < 0 || in.ValidityMonths > 1200 {
		v.Add("validity_months", "法定有效期（月）须在 0-1200 之间", "validity must be 0-1200 months")
	}
	if !(in.Remind1Days > in.Remind2Days && in.Remind2Days > in.FollowupDays && in.FollowupDays > 0) || in.Remind1Days > 366 {
		v.Add("remind1_days", "提醒天数须满足 第一次提醒 > 第二次提醒 > 跟进清单 > 0，且不超过 366 天",
			"stage days must satisfy first reminder > second reminder > follow-up > 0, at most 366")
	}
	if in.LapseDays < 0 || in.LapseDays > 30 {
		v.Add("lapse_days", "失效标记天数须在 0-30 之间", "lapse days must be 0-30")
	}
	if _, err := parseSendTime(in.SendTime); err != nil {
		v.Add("send_time", "发送时间格式为 HH:MM，如 09:00", "send time must be HH:MM, e.g. 09:00")
	}
	if err := CheckTemplate(in.SMSTemplate); err != nil {
		v.Add("sms_template", "短信模板有误："+err.Error(), "SMS template: "+err.Error())
	}
	if err := CheckTemplate(in.InAppTemplate); err != nil {
		v.Add("inapp_template", "站内信模板有误："+err.Error(), "in-app template: "+err.Error())
	}
	if !ValidKind(in.Kind) {
		v.Add("kind", "请选择提醒类型（证照、年报、信用评级复评、检查整改或涉税事项）", "choose the kind: licence, annual_report, credit_renewal, rectification or tax")
	}
	for _, f := range []struct{ name, text, zh, en string }{{"sms_template_en", in.SMSTemplateEN, "英文短信模板有误：", "English SMS template: "},
		{"inapp_template_en", in.InAppTemplateEN, "英文站内信模板有误：", "English in-app template: "}} {
		if strings.TrimSpace(f.text) == "" {
			continue
		}
		if err := CheckTemplate(f.text); err != nil {
			v.Add(f.name, f.zh+err.Error(), f.en+err.Error())
		}
	}
	if len([]rune(in.SMSTemplate)) > 500 {
		v.Add("sms_template", "短信模板最长 500 字", "SMS template at most 500 characters")
	}
	in.ServiceURL = strings.TrimSpace(in.ServiceURL)
	if in.ServiceURL != "" && !webURL(in.ServiceURL) {
		// The link is shown to holders and sent in reminders: a
		// javascript: or data: URL would run in the reader's browser.
		v.Add("service_url", "办理网址须以 http:// 或 https:// 开头", "the service URL must start with http:// or https://")
	}
	return v.Err()
}

// webURL reports whether s is an absolute http(s) URL with a host.
func webURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > 500 || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// parseSendTime returns the minutes after midnight of "HH:MM".
func parseSendTime(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// CheckTemplate parses a catalogue template and runs it on example data:
// only the TemplateVars may be used.
func CheckTemplate(text string) error {
	if strings.TrimSpace(text) == "" {
		return yserr.Field("template", "模板不能为空", "template is empty")
	}
	tp, err := template.New("t").Option("missingkey=error").Parse(text)
	if err != nil {
		return err
	}
	data := map[string]any{}
	for _, v := range TemplateVars {
		data[v.Name] = v.Example
	}
	var b strings.Builder
	return tp.Execute(&b, data)
}

// renderTemplate runs a checked template.
func renderTemplate(text string, data map[string]any) (string, error) {
	tp, err := notify.ParseTemplate(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tp.Execute(&b, data)
	return b.String(), err
}

// License is one licence.
type License struct {
	ID             int64      `json:"id"`
	TypeID         int64      `json:"type_id"`
	TypeCode       string     `json:"type_code"`
	TypeName       string     `json:"type_name"`
	TypeKind       string     `json:"type_kind" doc:"licence, or the kind of another dated obligation (annual_report, credit_renewal, rectification, tax)"`
	DepartmentID   int64      `json:"department_id"`
	DepartmentName string     `json:"department_name"`
	Number         string     `json:"number"`
	EntityID       int64      `json:"entity_id,omitempty"`
	HolderName     string     `json:"holder_name"`
	HolderID       string     `json:"holder_id" doc:"ID number of a person holder, masked unless the caller may see it"`
	Phone          string     `json:"phone" doc:"masked unless the caller may see it"`
	IssuedOn       string     `json:"issued_on"`
	ExpiresOn      string     `json:"expires_on"`
	DaysLeft       int        `json:"days_left" doc:"calendar days from today (Asia/Shanghai) to expiry; negative when expired"`
	Status         string     `json:"status" enum:"active,renewed,revoked,cancelled,lapsed"`
	Elderly        bool       `json:"elderly"`
	Disabled       bool       `json:"disabled"`
	RenewedByID    int64      `json:"renewed_by_id,omitempty"`
	RenewedOn      string     `json:"renewed_on,omitempty"`
	RenewalSource  string     `json:"renewal_source,omitempty" enum:",department,import,holder"`
	HolderAnswer   string     `json:"holder_answer,omitempty" enum:",renewed,renewing,closing"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Stages         []string   `json:"stages" doc:"stages done"`
	CreatedAt      time.Time  `json:"created_at"`
}

// LicenseInput is one licence to add (API import; the ledger rows).
type LicenseInput struct {
	TypeCode   string `json:"type_code"`
	Number     string `json:"number"`
	HolderName string `json:"holder_name"`
	HolderCode string `json:"holder_code" doc:"unified social credit code of an enterprise holder, or the resident ID number of a person"`
	Phone      string `json:"phone"`
	IssuedOn   string `json:"issued_on" doc:"YYYY-MM-DD"`
	ExpiresOn  string `json:"expires_on" doc:"YYYY-MM-DD, the last valid day"`
	Elderly    bool   `json:"elderly"`
	Disabled   bool   `json:"disabled"`
}

// Filter selects licences. Empty fields do not filter.
type Filter struct {
	DepartmentID int64
	TypeID       int64
	Status       string
	Q            string // holder name or number, substring
	ExpiringDays int    // > 0: active and expiring within this many days
	Page         int
	PerPage      int
}

// FollowupItem is one licence on a follow-up list.
type FollowupItem struct {
	License
	FollowupID   int64     `json:"followup_id"`
	ListedOn     string    `json:"listed_on"`
	AssigneeID   int64     `json:"assignee_id,omitempty" doc:"the member of staff the department admin assigned it to; 0 when not assigned"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	Overdue      bool      `json:"overdue" doc:"no contact recorded and the licence expires within a day or has expired"`
	Contacts     []Contact `json:"contacts"`
	Failed       int       `json:"failed_deliveries" doc:"reminder messages that could not be delivered"`
}

// Contact is one call or visit of a follow-up.
type Contact struct {
	ID        int64     `json:"id"`
	LicenseID int64     `json:"license_id"`
	Method    string    `json:"method" enum:"call,visit"`
	Outcome   string    `json:"outcome" enum:"reached,renewing,renewed,closing,unreachable"`
	Note      string    `json:"note"`
	ByName    string    `json:"by_name"`
	At        time.Time `json:"at"`
}

// ContactInput records a call or visit.
type ContactInput struct {
	Method  string `json:"method" enum:"call,visit"`
	Outcome string `json:"outcome" enum:"reached,renewing,renewed,closing,unreachable"`
	Note    string `json:"note"`
}

// Summary is what one scan did: how many licences each stage acted on.
type Summary map[string]int

// ImportReport is the result of a ledger import: the import kit's report
// (Total, Bad, Errors, Rows, Committed) and the ledger's counts (zero when
// an all_or_nothing import is refused).
type ImportReport struct {
	importkit.Report
	Created int `json:"created"`
	Renewed int `json:"renewed" doc:"older licences marked renewed by a newer one in the file"`
}

// RowError is one problem in one ledger row.
type RowError = importkit.RowError

// Import modes.
const (
	ModeAllOrNothing = importkit.ModeAllOrNothing
	ModeValidOnly    = importkit.ModeValidOnly
)

// today returns the date in Asia/Shanghai on the service clock.
func (s *Service) today() calendar.Date {
	return calendar.FromTime(s.Clock.Now(), calendar.Shanghai)
}
