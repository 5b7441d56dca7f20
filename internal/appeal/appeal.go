// Package appeal is the enterprise appeals module (涉企诉求, 有诉即办): an
// enterprise (or intake staff on its behalf) submits an appeal, the
// business-environment office (the dispatcher) accepts and assigns it to a
// lead department and co-handlers, the department handles and replies, the
// enterprise rates the answer, the office follows up (回访) and closes it.
//
// Every step is a transition of one table-driven state machine (machine.go):
// each action names the parties that may take it, the states it may start
// from, and what it changes. A transition runs in one transaction that
// updates the appeal with optimistic concurrency (UPDATE ... WHERE version =
// $n), appends the timeline row and the audit event, and queues the
// notifications (in-app, SMS, webhooks).
//
// Clocks (sla.go) are counted in working days of the platform calendar and
// stop while the department waits for the enterprise. A periodic job (Scan)
// sends warnings, overdue alerts and second-level alerts, each once.
//
// Error contract: an appeal the caller may not see is yserr.NotFound; a
// caller who may see it but not act is yserr.Forbidden; bad input is
// yserr.Invalid naming the field; an action from the wrong state, or on a
// version that changed meanwhile, is yserr.Conflict. Nothing is written when
// an error is returned.
package appeal

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/ident"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// Kind is the type of an appeal.
type Kind string

// Appeal types.
const (
	Consult    Kind = "consult"    // 咨询
	Help       Kind = "help"       // 求助
	Complaint  Kind = "complaint"  // 投诉
	Suggestion Kind = "suggestion" // 建议
	Praise     Kind = "praise"     // 表扬
)

// LandlineChannel reports whether callers of channel may leave a landline
// (a telephone call, the 12345 hotline, a visit or a letter, all taken in
// by staff); online channels and SMS contact need a mobile number.
func LandlineChannel(channel string) bool {
	switch channel {
	case "phone", "hotline12345", "visit", "letter", "": // "": intake, recorded as phone
		return true
	}
	return false
}

// Kinds lists the types in display order.
var Kinds = []Kind{Consult, Help, Complaint, Suggestion, Praise}

var kindLabels = map[Kind][2]string{
	Consult: {"咨询", "Consultation"}, Help: {"求助", "Help"}, Complaint: {"投诉", "Complaint"},
	Suggestion: {"建议", "Suggestion"}, Praise: {"表扬", "Praise"},
}

// Label returns the type's name in lang ("en" or Chinese).
func (k Kind) Label(lang string) string { return pick(kindLabels[k], lang) }

// Valid reports whether k is a known type.
func (k Kind) Valid() bool { _, ok := kindLabels[k]; return ok }

// Channels an appeal can arrive by.
var Channels = []string{"web", "qr", "phone", "letter", "visit", "hotline12345", "open311"}

var channelLabels = map[string][2]string{
	"web": {"网上提交", "online"}, "qr": {"扫码提交", "QR code"}, "phone": {"电话", "phone"}, "letter": {"信件", "letter"},
	"visit": {"来访", "visit"}, "hotline12345": {"12345热线", "12345 hotline"}, "open311": {"Open311 接口", "Open311"},
}

// ChannelLabel names a channel in lang.
func ChannelLabel(c, lang string) string { return pick(channelLabels[c], lang) }

// Ratings of an answer.
const (
	Satisfied   = "satisfied"   // 满意
	Basic       = "basic"       // 基本满意
	Unsatisfied = "unsatisfied" // 不满意
)

var ratingLabels = map[string][2]string{Satisfied: {"满意", "satisfied"}, Basic: {"基本满意", "fairly satisfied"}, Unsatisfied: {"不满意", "unsatisfied"}}

// RatingLabel names a rating in lang.
func RatingLabel(r, lang string) string { return pick(ratingLabels[r], lang) }

func pick(l [2]string, lang string) string {
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Limits on text fields (characters).
const (
	MaxTitle       = 100
	MaxDescription = 5000
	MaxNote        = 2000
)

// Settings configure the module. Stored as one JSON document; fields
// missing from it (and non-positive numbers other than WarnHalfDays and
// ReplyWD entries) take the defaults of DefaultSettings.
type Settings struct {
	Topics []string `json:"topics" doc:"the topic list offered to enterprises"`
	// DispatchDepts: codes of the departments whose dept_staff/dept_admin
	// act as dispatchers (the business-environment office). Platform admins
	// always may.
	DispatchDepts []string `json:"dispatch_depts"`
	// IntakeDepts: codes of the departments whose staff may register
	// appeals on someone's behalf (12345 operators, hall windows).
	IntakeDepts     []string       `json:"intake_depts"`
	FirstResponseWD int            `json:"first_response_wd" doc:"working days to the first response (签收)"`
	ReplyWD         map[string]int `json:"reply_wd" doc:"working days to the reply per type; 0 = no deadline"`
	FollowUpWD      int            `json:"follow_up_wd" doc:"working days from the reply to the follow-up (回访)"`
	// WarnHalfDays: the warning comes this many half working days before
	// a deadline (1: at 12:00 of the deadline day). 0 turns warnings off.
	WarnHalfDays int `json:"warn_half_days"`
	// SecondLevelWD: working days after a deadline when the second-level
	// alert goes to the supervisors.
	SecondLevelWD       int     `json:"second_level_wd"`
	DuplicateDays       int     `json:"duplicate_days" doc:"window for duplicate detection, calendar days"`
	DuplicateSimilarity float64 `json:"duplicate_similarity" doc:"character-bigram Jaccard similarity threshold"`
	MaxAttachmentBytes  int64   `json:"max_attachment_bytes"`
	MaxExtensionWD      int     `json:"max_extension_wd" doc:"largest extension one request may ask for"`
	// The seeds' clocks (terms.go): per-topic reply deadlines, Xinyang's
	// 3日反馈 and Luohe's 个性/共性 rules.
	TopicReplyWD  map[string]int `json:"topic_reply_wd,omitempty" doc:"working days to the reply per topic, overriding the type's; 0 = use the type's"`
	FeedbackWD    int            `json:"feedback_wd" doc:"working days from submission to the interim feedback (3日反馈)"`
	IndividualWD  int            `json:"individual_wd" doc:"working days to the reply for an appeal classed as an individual issue (个性问题)"`
	CommonFixDays int            `json:"common_fix_days" doc:"calendar days from a common issue's fix plan to its fix (共性问题整改)"`
	// CommonWarnDays: the fix clock's warning comes when this many
	// calendar days or fewer are left (commonissue_alerts.go). 0: no warning.
	CommonWarnDays int          `json:"common_warn_days"`
	ExtraChannels  []ChannelDef `json:"extra_channels,omitempty" doc:"channels the city adds (WeChat, 市长信箱, 吐槽大会...)"`
	MaxMediaBytes  int64        `json:"max_media_bytes" doc:"largest video (MP4/H.264) or voice note; the server's upload-limit caps every upload"`
}

// DefaultSettings returns the defaults (see docs/appeal.md for sources).
func DefaultSettings() Settings {
	return Settings{
		Topics:          []string{"开办企业", "纳税", "获得电力", "执法检查", "政策兑现", "融资", "其他"},
		DispatchDepts:   []string{"XC-YSJ"},
		IntakeDepts:     []string{"XC-YSJ", "XC-ZWFW"},
		FirstResponseWD: 1,
		ReplyWD: map[string]int{string(Consult): 1, string(Help): 5, string(Complaint): 5,
			string(Suggestion): 10, string(Praise): 0},
		FollowUpWD: 3, WarnHalfDays: 1, SecondLevelWD: 1,
		DuplicateDays: 7, DuplicateSimilarity: 0.6,
		MaxAttachmentBytes: 10 << 20, MaxExtensionWD: 10,
		FeedbackWD: 3, IndividualWD: 15, CommonFixDays: 30, CommonWarnDays: DefaultCommonWarnDays, MaxMediaBytes: 20 << 20,
	}
}

// normalise fills unset fields from the defaults.
func (st *Settings) normalise() {
	d := DefaultSettings()
	if len(st.Topics) == 0 {
		st.Topics = d.Topics
	}
	if st.DispatchDepts == nil {
		st.DispatchDepts = d.DispatchDepts
	}
	if st.IntakeDepts == nil {
		st.IntakeDepts = d.IntakeDepts
	}
	if st.FirstResponseWD <= 0 {
		st.FirstResponseWD = d.FirstResponseWD
	}
	if st.ReplyWD == nil {
		st.ReplyWD = d.ReplyWD
	}
	if st.FollowUpWD <= 0 {
		st.FollowUpWD = d.FollowUpWD
	}
	if st.SecondLevelWD <= 0 {
		st.SecondLevelWD = d.SecondLevelWD
	}
	if st.DuplicateDays <= 0 {
		st.DuplicateDays = d.DuplicateDays
	}
	if st.DuplicateSimilarity <= 0 || st.DuplicateSimilarity > 1 {
		st.DuplicateSimilarity = d.DuplicateSimilarity
	}
	if st.MaxAttachmentBytes <= 0 {
		st.MaxAttachmentBytes = d.MaxAttachmentBytes
	}
	if st.MaxExtensionWD <= 0 {
		st.MaxExtensionWD = d.MaxExtensionWD
	}
	st.normaliseTerms(d)
}

// Service is the appeal service.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Keys     *secret.Keyring
	Calendar *workcal.Service
	Notify   *notify.Service
	Entities *entity.Service
	Files    *filestore.Store
	DataDir  string // before the file store, attachments lived in DataDir/attachments (MoveFilesToStore)
	// Accounts names departments and finds the people to notify.
	Accounts *account.Service

	rollupBuilt atomic.Bool // the dashboard rollup is filled (ensureRollup)

	numberSeqs sync.Map      // year -> true: its number sequence exists (numberSeq)
	numbers    numberReserve // PostgreSQL: numbers and ids drawn ahead under load (takeNumber)

	settingsCache db.Lazy[*db.Cache[struct{}, string]] // the stored settings' JSON (Settings)

	intakes db.Lazy[*db.Group] // intake's write transactions, committed together under load (Create)
}

// topicSettings is the change topic of the stored settings (db.Changes):
// every intake and transition reads them; SaveSettings changes them.
const topicSettings = "appeal.settings"

// Settings returns the module settings (defaults when none are stored).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	cache := s.settingsCache.Get(func() *db.Cache[struct{}, string] { return db.NewCache[struct{}, string](s.DB, 1, topicSettings) })
	// The JSON is cached, not the settings: each caller gets maps and
	// slices of its own.
	body, err := cache.Get(ctx, struct{}{}, func() (string, error) {
		var body string
		err := s.DB.Q(ctx).QueryRow(ctx, `SELECT body FROM appeal_settings WHERE id = 1`).Scan(&body)
		if db.IsNoRows(err) {
			return "", nil
		}
		return body, err
	})
	st := DefaultSettings()
	if err != nil {
		return st, err
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return st, err
		}
	}
	st.normalise()
	return st, nil
}

// SaveSettings stores the settings (platform admins only).
func (s *Service) SaveSettings(ctx context.Context, st Settings) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	var v yserr.Validation
	for k, n := range st.ReplyWD {
		if !Kind(k).Valid() || n < 0 || n > 60 {
			v.Add("reply_wd", "期限须为 0-60 个工作日且类型有效："+k, "deadlines must be 0-60 working days for a known type: "+k)
		}
	}
	st.validateTerms(&v)
	st.validateChannels(&v)
	if st.WarnHalfDays < 0 || st.WarnHalfDays > 20 {
		v.Add("warn_half_days", "预警提前量须为 0-20 个半工作日", "the warning lead must be 0-20 half working days")
	}
	if err := v.Err(); err != nil {
		return err
	}
	old, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	st.normalise()
	b, _ := json.Marshal(st)
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_settings (id, body, updated_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`, string(b), s.now()); err != nil {
			return err
		}
		if err := s.DB.Changed(ctx, topicSettings); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "appeal.settings", "appeal_settings", "1", old, st, "")
	})
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// Input is a new appeal.
type Input struct {
	USCC        string `json:"uscc,omitempty" doc:"the market entity; empty for an unregistered person (intake only)"`
	PersonName  string `json:"person_name,omitempty" doc:"name of an unregistered person (intake only)"`
	PersonPhone string `json:"person_phone,omitempty" doc:"mobile of an unregistered person (intake only)"`
	Channel     string `json:"channel,omitempty" doc:"web, qr, phone, letter, visit, hotline12345, open311 or a channel configured in the settings (extra_channels)"`
	Kind        Kind   `json:"kind" enum:"consult,help,complaint,suggestion,praise"`
	Topic       string `json:"topic"`
	Title       string `json:"title"`
	Description string `json:"description"`
	ContactPref string `json:"contact_pref,omitempty" enum:"inapp,phone,sms"`
	Publishable bool   `json:"publishable" doc:"the enterprise agrees to publication as an anonymised typical case"`
}

// validate checks the fields that do not need the database.
func (in *Input) validate(st Settings) error {
	var v yserr.Validation
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if !in.Kind.Valid() {
		v.Add("kind", "请选择诉求类型", "choose the appeal type")
	}
	if !contains(st.Topics, in.Topic) {
		v.Add("topic", "请选择诉求领域", "choose a topic")
	}
	textField(&v, "title", in.Title, MaxTitle, "标题", "title")
	textField(&v, "description", in.Description, MaxDescription, "诉求内容", "description")
	if in.ContactPref == "" {
		in.ContactPref = "inapp"
	}
	if !contains([]string{"inapp", "phone", "sms"}, in.ContactPref) {
		v.Add("contact_pref", "联系方式须为站内信、电话或短信", "contact preference must be inapp, phone or sms")
	}
	if in.Channel != "" && !st.HasChannel(in.Channel) {
		v.Add("channel", "未知渠道", "unknown channel")
	}
	if in.PersonPhone != "" {
		in.PersonPhone = ident.NormalizePhone(in.PersonPhone)
		switch {
		case !LandlineChannel(in.Channel) || in.ContactPref == "sms":
			if err := ident.ValidateMobile(in.PersonPhone); err != nil {
				if in.ContactPref == "sms" && ident.ValidatePhone(in.PersonPhone) == nil {
					v.Add("person_phone", "短信只能发到手机号，请填写手机号或改选电话联系", "SMS reaches mobile numbers only: give a mobile number or choose phone contact")
				} else {
					v.Add("person_phone", "手机号格式不正确："+err.(*ident.Error).MessageZH(), "invalid mobile number: "+err.(*ident.Error).MessageEN())
				}
			}
		default:
			if err := ident.ValidatePhone(in.PersonPhone); err != nil {
				v.Add("person_phone", "联系电话"+err.(*ident.Error).MessageZH(), "the phone number "+err.(*ident.Error).MessageEN())
			}
		}
	}
	if utf8.RuneCountInString(in.PersonName) > 50 {
		v.Add("person_name", "姓名过长", "name too long")
	}
	return v.Err()
}

func textField(v *yserr.Validation, field, val string, max int, zh, en string) {
	n := utf8.RuneCountInString(val)
	switch {
	case n == 0:
		v.Add(field, "请填写"+zh, en+" is required")
	case n > max:
		v.Add(field, zh+"过长（最多"+itoa(max)+"字）", en+" is too long (at most "+itoa(max)+" characters)")
	}
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}
