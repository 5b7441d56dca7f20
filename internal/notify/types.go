package notify

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// MessageType is a kind of message a module sends, with the variables its
// templates may use and the built-in templates per channel and language.
// Modules register their types once at start-up (RegisterType); platform
// admins may override the templates (SaveTemplate).
type MessageType struct {
	Key       string     `json:"key" doc:"module.event, e.g. license.expiring"`
	NameZH    string     `json:"name_zh"`
	NameEN    string     `json:"name_en"`
	Variables []Variable `json:"variables"`
	// Defaults holds the built-in templates: channel -> language -> template.
	Defaults map[string]map[string]Template `json:"-"`
	// Sensitive messages (verification codes) are never sent to webhooks,
	// their data is not stored, and their text is hidden from the outbox.
	Sensitive bool `json:"sensitive,omitempty"`
}

// Variable is a named template variable, used as {{.name}}.
type Variable struct {
	Name string `json:"name"`
	ZH   string `json:"description_zh"`
	EN   string `json:"description_en"`
	// Example is the value used to check templates (and shown to admins);
	// nil means a placeholder string.
	Example any `json:"example,omitempty"`
}

// Template is a subject (e-mail subject, in-app title; empty for SMS) and a
// body, both Go text/template text over the type's variables.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

var registry = struct {
	sync.RWMutex
	types map[string]*MessageType
}{types: map[string]*MessageType{}}

// RegisterType adds a message type. It panics on a duplicate key or on a
// built-in template that does not parse, uses an undeclared variable or
// fails on the example data: these are programming errors found at start-up.
func RegisterType(t MessageType) {
	if err := checkType(&t); err != nil {
		panic("notify: " + err.Error())
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.types[t.Key]; dup {
		panic("notify: message type " + t.Key + " registered twice")
	}
	registry.types[t.Key] = &t
}

func checkType(t *MessageType) error {
	if t.Key == "" || strings.ContainsAny(t.Key, " ,*") || !strings.Contains(t.Key, ".") {
		return fmt.Errorf("message type key %q: want module.event without spaces, commas or *", t.Key)
	}
	for ch, byLang := range t.Defaults {
		if !slices.Contains(templateChannels, ch) {
			return fmt.Errorf("%s: templates for unknown channel %q", t.Key, ch)
		}
		for lang, tpl := range byLang {
			if !validLang(lang) {
				return fmt.Errorf("%s/%s: unknown language %q", t.Key, ch, lang)
			}
			if err := t.check(ch, tpl); err != nil {
				return fmt.Errorf("%s/%s/%s: %s", t.Key, ch, lang, err.Error())
			}
		}
	}
	return nil
}

// LookupType returns a registered type.
func LookupType(key string) (*MessageType, bool) {
	registry.RLock()
	defer registry.RUnlock()
	t, ok := registry.types[key]
	return t, ok
}

// Types lists the registered types ordered by key.
func Types() []*MessageType {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]*MessageType, 0, len(registry.types))
	for _, t := range registry.types {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *MessageType) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// variable reports whether name is declared.
func (t *MessageType) variable(name string) bool {
	return slices.ContainsFunc(t.Variables, func(v Variable) bool { return v.Name == name })
}

func (t *MessageType) variableNames() []string {
	names := make([]string, len(t.Variables))
	for i, v := range t.Variables {
		names[i] = v.Name
	}
	return names
}

// Core message types.
const (
	TypeSMSCode         = "account.sms_code"
	TypeBindingApproved = "account.binding_approved"
	TypeBindingRejected = "account.binding_rejected"
	TypeTest            = "system.test"
)

func init() {
	entity := Variable{Name: "entity", ZH: "企业名称", EN: "market entity name", Example: "许昌市示例科技有限公司"}
	uscc := Variable{Name: "uscc", ZH: "统一社会信用代码", EN: "unified social credit code", Example: "91411000MA44XXXX0X"}
	RegisterType(MessageType{
		Key: TypeSMSCode, NameZH: "短信验证码", NameEN: "SMS verification code", Sensitive: true,
		Variables: []Variable{
			{Name: "code", ZH: "验证码", EN: "verification code", Example: "385912"},
			{Name: "minutes", ZH: "有效分钟数", EN: "minutes the code is valid", Example: 5},
		},
		Defaults: map[string]map[string]Template{ChannelSMS: {
			LangZH: {Body: "【营商】您的验证码为{{.code}}，{{.minutes}}分钟内有效。"},
			LangEN: {Body: "[Yingshang] Your verification code is {{.code}}, valid for {{.minutes}} minutes."},
		}},
	})
	approved := map[string]Template{
		LangZH: {Subject: "企业绑定已通过", Body: "您绑定{{.entity}}（统一社会信用代码 {{.uscc}}）的申请已通过，现在可以以该企业身份办理业务。"},
		LangEN: {Subject: "Enterprise binding approved", Body: "Your request to act for {{.entity}} (USCC {{.uscc}}) was approved. You can now use the platform on its behalf."},
	}
	RegisterType(MessageType{
		Key: TypeBindingApproved, NameZH: "企业绑定通过", NameEN: "Enterprise binding approved",
		Variables: []Variable{entity, uscc},
		Defaults: map[string]map[string]Template{ChannelInApp: approved, ChannelEmail: approved, ChannelSMS: {
			LangZH: {Body: "【营商】您绑定{{.entity}}的申请已通过。"},
			LangEN: {Body: "[Yingshang] Your request to act for {{.entity}} was approved."},
		}},
	})
	rejected := map[string]Template{
		LangZH: {Subject: "企业绑定未通过", Body: "您绑定{{.entity}}（统一社会信用代码 {{.uscc}}）的申请未通过。原因：{{.reason}}"},
		LangEN: {Subject: "Enterprise binding rejected", Body: "Your request to act for {{.entity}} (USCC {{.uscc}}) was rejected. Reason: {{.reason}}"},
	}
	RegisterType(MessageType{
		Key: TypeBindingRejected, NameZH: "企业绑定未通过", NameEN: "Enterprise binding rejected",
		Variables: []Variable{entity, uscc, {Name: "reason", ZH: "未通过原因", EN: "reason for the rejection", Example: "营业执照与申请人信息不符"}},
		Defaults: map[string]map[string]Template{ChannelInApp: rejected, ChannelEmail: rejected, ChannelSMS: {
			LangZH: {Body: "【营商】您绑定{{.entity}}的申请未通过，原因：{{.reason}}"},
			LangEN: {Body: "[Yingshang] Your request to act for {{.entity}} was rejected: {{.reason}}"},
		}},
	})
	test := map[string]Template{
		LangZH: {Subject: "测试消息", Body: "这是营商平台的一条测试消息，由{{.sender}}于{{.time}}发送。{{if .note}}附言：{{.note}}{{end}}"},
		LangEN: {Subject: "Test message", Body: "This is a test message from Yingshang, sent by {{.sender}} at {{.time}}.{{if .note}} Note: {{.note}}{{end}}"},
	}
	RegisterType(MessageType{
		Key: TypeTest, NameZH: "测试消息", NameEN: "Test message",
		Variables: []Variable{
			{Name: "sender", ZH: "发送人", EN: "who sent the test", Example: "平台管理员"},
			{Name: "time", ZH: "发送时间", EN: "when it was sent", Example: "2026-11-23 09:00"},
			{Name: "note", ZH: "附言", EN: "note", Example: "检查短信通道"},
		},
		Defaults: map[string]map[string]Template{ChannelInApp: test, ChannelEmail: test, ChannelSMS: {
			LangZH: {Body: "【营商】测试消息：由{{.sender}}于{{.time}}发送。{{.note}}"},
			LangEN: {Body: "[Yingshang] Test message sent by {{.sender}} at {{.time}}. {{.note}}"},
		}},
	})
}
