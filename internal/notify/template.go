package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// templateChannels are the channels that render templates (webhooks send
// the data as JSON instead).
var templateChannels = []string{ChannelInApp, ChannelSMS, ChannelEmail}

// Langs are the template languages.
var Langs = []string{LangZH, LangEN}

func validLang(l string) bool { return slices.Contains(Langs, l) }

// normLang maps a user's language setting to a template language.
func normLang(l string) string {
	if l == LangEN || strings.HasPrefix(strings.ToLower(l), "en") {
		return LangEN
	}
	return LangZH
}

const (
	maxSubject = 200
	maxBody    = 4000
	maxSMSBody = 500
)

// check validates a template for the type: it parses, uses only declared
// variables, and executes on the example data. Errors name the field
// ("subject" or "body") and, for an unknown variable, the variable.
func (t *MessageType) check(channel string, tpl Template) error {
	var v yserr.Validation
	if strings.TrimSpace(tpl.Body) == "" {
		v.Add("body", "正文不能为空", "the body is required")
	}
	if channel == ChannelSMS && tpl.Subject != "" {
		v.Add("subject", "短信没有标题", "an SMS has no subject")
	}
	if utf8.RuneCountInString(tpl.Subject) > maxSubject {
		v.Add("subject", fmt.Sprintf("标题最多 %d 字", maxSubject), fmt.Sprintf("the subject has at most %d characters", maxSubject))
	}
	limit := maxBody
	if channel == ChannelSMS {
		limit = maxSMSBody
	}
	if utf8.RuneCountInString(tpl.Body) > limit {
		v.Add("body", fmt.Sprintf("正文最多 %d 字", limit), fmt.Sprintf("the body has at most %d characters", limit))
	}
	for _, f := range []struct{ name, text string }{{"subject", tpl.Subject}, {"body", tpl.Body}} {
		if !v.Has(f.name) {
			t.checkText(&v, f.name, f.text)
		}
	}
	return v.Err()
}

func (t *MessageType) checkText(v *yserr.Validation, field, text string) {
	tp, err := parseText(text)
	if err != nil {
		v.Add(field, "模板语法错误："+err.Error(), "template syntax error: "+err.Error())
		return
	}
	used := map[string]bool{}
	fieldsUsed(tp.Tree.Root, true, used)
	names := make([]string, 0, len(used))
	for name := range used {
		names = append(names, name)
	}
	slices.Sort(names)
	known := strings.Join(t.variableNames(), ", ")
	for _, name := range names {
		if !t.variable(name) {
			v.Add(field, fmt.Sprintf("未知变量 {{.%s}}，可用变量：%s", name, known),
				fmt.Sprintf("unknown variable {{.%s}}; available: %s", name, known))
		}
	}
	if v.Has(field) {
		return
	}
	if _, err := execute(tp, t.sampleData()); err != nil {
		v.Add(field, "模板无法用示例数据生成："+err.Error(), "the template fails on example data: "+err.Error())
	}
}

// ParseTemplate parses a template text with missingkey=error, once per
// text: later calls share the parsed template (safe for concurrent use).
// Modules that render their own texts (the licence reminders) use it too.
func ParseTemplate(text string) (*template.Template, error) { return parseText(text) }

func parseText(text string) (*template.Template, error) {
	parsed.Lock()
	tp := parsed.m[text]
	parsed.Unlock()
	if tp != nil {
		return tp, nil
	}
	tp, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	parsed.Lock()
	if len(parsed.m) >= maxParsed {
		clear(parsed.m)
	}
	parsed.m[text] = tp
	parsed.Unlock()
	return tp, nil
}

// parsed caches parsed templates by their text (a parsed template is safe
// for concurrent use, and is never modified after parsing): a batch of
// thousands of messages renders the same few templates. Emptied when it
// reaches maxParsed texts (overrides edited many times).
var parsed = struct {
	sync.Mutex
	m map[string]*template.Template
}{m: map[string]*template.Template{}}

const maxParsed = 512

func execute(tp *template.Template, data map[string]any) (string, error) {
	var b strings.Builder
	if err := tp.Execute(&b, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// fieldsUsed collects the top-level variables a template reads: .name
// where dot is the data map, and $.name anywhere.
func fieldsUsed(n parse.Node, dotIsRoot bool, out map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				fieldsUsed(c, dotIsRoot, out)
			}
		}
	case *parse.ActionNode:
		fieldsUsed(n.Pipe, dotIsRoot, out)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				fieldsUsed(c, dotIsRoot, out)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			fieldsUsed(a, dotIsRoot, out)
		}
	case *parse.FieldNode:
		if dotIsRoot {
			out[n.Ident[0]] = true
		}
	case *parse.ChainNode:
		fieldsUsed(n.Node, dotIsRoot, out)
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			out[n.Ident[1]] = true
		}
	case *parse.IfNode:
		branch(&n.BranchNode, dotIsRoot, dotIsRoot, out)
	case *parse.RangeNode:
		branch(&n.BranchNode, false, dotIsRoot, out)
	case *parse.WithNode:
		branch(&n.BranchNode, false, dotIsRoot, out)
	case *parse.TemplateNode:
		fieldsUsed(n.Pipe, dotIsRoot, out)
	}
}

// branch walks if/range/with: inside range and with, dot is no longer the
// data map.
func branch(b *parse.BranchNode, listDot, elseDot bool, out map[string]bool) {
	fieldsUsed(b.Pipe, elseDot, out)
	fieldsUsed(b.List, listDot, out)
	fieldsUsed(b.ElseList, elseDot, out)
}

func (t *MessageType) sampleData() map[string]any {
	m := make(map[string]any, len(t.Variables))
	for _, v := range t.Variables {
		if v.Example != nil {
			m[v.Name] = v.Example
		} else {
			m[v.Name] = "[" + v.Name + "]"
		}
	}
	return m
}

// fill returns data with every declared variable present (missing ones as
// ""), so that a template never prints "<no value>".
func (t *MessageType) fill(data map[string]any) map[string]any {
	m := make(map[string]any, len(data)+len(t.Variables))
	for _, v := range t.Variables {
		m[v.Name] = ""
	}
	for k, v := range data {
		m[k] = v
	}
	return m
}

type tplKey struct{ channel, lang string }

// candidates lists the templates to try for a channel and language, best
// first: the admin's override, then the built-in default, in the language
// and then in the other; then the same for the in-app template (e-mail for
// in-app), adapted to the channel.
func (t *MessageType) candidates(channel, lang string, overrides map[tplKey]Template) []Template {
	langs := []string{lang}
	for _, l := range Langs {
		if l != lang {
			langs = append(langs, l)
		}
	}
	fallback := ChannelInApp
	if channel == ChannelInApp {
		fallback = ChannelEmail
	}
	var out []Template
	for _, ch := range []string{channel, fallback} {
		for _, l := range langs {
			for _, tpl := range []*Template{lookupOverride(overrides, ch, l), t.lookupDefault(ch, l)} {
				if tpl != nil {
					out = append(out, adapt(*tpl, ch, channel, l))
				}
			}
		}
	}
	return out
}

func lookupOverride(m map[tplKey]Template, ch, lang string) *Template {
	if tpl, ok := m[tplKey{ch, lang}]; ok {
		return &tpl
	}
	return nil
}

func (t *MessageType) lookupDefault(ch, lang string) *Template {
	if tpl, ok := t.Defaults[ch][lang]; ok {
		return &tpl
	}
	return nil
}

// adapt turns a template written for channel from into one for channel to:
// an SMS has no subject, so the subject leads the text.
func adapt(tpl Template, from, to, lang string) Template {
	if to != ChannelSMS || from == ChannelSMS || tpl.Subject == "" {
		return tpl
	}
	sep := "："
	if lang == LangEN {
		sep = ": "
	}
	return Template{Body: tpl.Subject + sep + tpl.Body}
}

// render renders the first candidate template that executes on data. A
// stored override that fails on real data is logged and skipped in favour
// of the next candidate (the built-in default).
func (s *Service) render(t *MessageType, channel, lang string, overrides map[tplKey]Template, data map[string]any) (Template, error) {
	data = t.fill(data)
	for _, tpl := range t.candidates(channel, lang, overrides) {
		out, err := renderOne(tpl, data)
		if err == nil {
			return out, nil
		}
		s.log().Warn("notification template failed; trying the next one", "type", t.Key, "channel", channel, "lang", lang, "error", err)
	}
	return Template{}, yserr.Newf(yserr.Invalid, "消息类型 %s 没有可用于 %s 渠道的模板", "message type %s has no usable template for channel %s", t.Key, channel)
}

func renderOne(tpl Template, data map[string]any) (Template, error) {
	var out Template
	for _, f := range []struct {
		text string
		dst  *string
	}{{tpl.Subject, &out.Subject}, {tpl.Body, &out.Body}} {
		tp, err := parseText(f.text)
		if err != nil {
			return out, err
		}
		if *f.dst, err = execute(tp, data); err != nil {
			return out, err
		}
	}
	return out, nil
}

// overrides loads the stored templates of a type (cached: every message
// sent reads them; the callers only read the map).
func (s *Service) overrides(ctx context.Context, msgType string) (map[tplKey]Template, error) {
	return s.cache().overrides.Get(ctx, msgType, func() (map[tplKey]Template, error) { return s.readOverrides(ctx, msgType) })
}

func (s *Service) readOverrides(ctx context.Context, msgType string) (map[tplKey]Template, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT channel, lang, subject, body FROM notification_templates WHERE msg_type = $1", msgType)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[tplKey]Template{}
	for rows.Next() {
		var k tplKey
		var tpl Template
		if err := rows.Scan(&k.channel, &k.lang, &tpl.Subject, &tpl.Body); err != nil {
			return nil, err
		}
		m[k] = tpl
	}
	return m, rows.Err()
}

// TemplateSlot is one (channel, language) template of a type as it is used
// now, with the built-in default it overrides, if any.
type TemplateSlot struct {
	Channel    string     `json:"channel" enum:"inapp,sms,email"`
	Lang       string     `json:"lang" enum:"zh-CN,en"`
	Template              // effective subject and body
	Overridden bool       `json:"overridden"`
	Default    *Template  `json:"default,omitempty" doc:"the built-in template; absent when the type has none for this slot"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
	UpdatedBy  int64      `json:"updated_by,omitempty"`
}

// TypeTemplates is a message type with its effective templates.
type TypeTemplates struct {
	*MessageType
	Templates []TemplateSlot `json:"templates"`
}

type storedTemplate struct {
	Template
	updatedAt time.Time
	updatedBy int64
}

// Templates lists every registered type with its effective template per
// channel and language (platform admins and supervisors). A type lists the
// channels it has built-in or stored templates for.
func (s *Service) Templates(ctx context.Context) ([]TypeTemplates, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	stored, err := s.allOverrides(ctx)
	if err != nil {
		return nil, err
	}
	var out []TypeTemplates
	for _, t := range Types() {
		tt := TypeTemplates{MessageType: t}
		for _, ch := range templateChannels {
			if t.Defaults[ch] == nil && !hasChannel(stored[t.Key], ch) {
				continue
			}
			for _, lang := range Langs {
				tt.Templates = append(tt.Templates, slot(t, ch, lang, stored[t.Key]))
			}
		}
		out = append(out, tt)
	}
	return out, nil
}

func hasChannel(m map[tplKey]storedTemplate, ch string) bool {
	for k := range m {
		if k.channel == ch {
			return true
		}
	}
	return false
}

func slot(t *MessageType, ch, lang string, stored map[tplKey]storedTemplate) TemplateSlot {
	sl := TemplateSlot{Channel: ch, Lang: lang, Default: t.lookupDefault(ch, lang)}
	if st, ok := stored[tplKey{ch, lang}]; ok {
		sl.Template, sl.Overridden = st.Template, true
		at := st.updatedAt
		sl.UpdatedAt, sl.UpdatedBy = &at, st.updatedBy
		return sl
	}
	plain := map[tplKey]Template{}
	for k, st := range stored {
		plain[k] = st.Template
	}
	if c := t.candidates(ch, lang, plain); len(c) > 0 {
		sl.Template = c[0]
	}
	return sl
}

func (s *Service) allOverrides(ctx context.Context) (map[string]map[tplKey]storedTemplate, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT msg_type, channel, lang, subject, body, updated_at, COALESCE(updated_by, 0) FROM notification_templates")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[tplKey]storedTemplate{}
	for rows.Next() {
		var typ string
		var k tplKey
		var st storedTemplate
		if err := rows.Scan(&typ, &k.channel, &k.lang, &st.Subject, &st.Body, &st.updatedAt, &st.updatedBy); err != nil {
			return nil, err
		}
		if out[typ] == nil {
			out[typ] = map[tplKey]storedTemplate{}
		}
		out[typ][k] = st
	}
	return out, rows.Err()
}

// templateTarget validates the type, channel and language of a template
// edit.
func templateTarget(msgType, channel, lang string) (*MessageType, error) {
	var v yserr.Validation
	t, ok := LookupType(msgType)
	if !ok {
		v.Add("msg_type", "未知消息类型 "+msgType, "unknown message type "+msgType)
	}
	if !slices.Contains(templateChannels, channel) {
		v.Add("channel", "渠道须为 inapp、sms 或 email", "channel must be inapp, sms or email")
	}
	if !validLang(lang) {
		v.Add("lang", "语言须为 zh-CN 或 en", "language must be zh-CN or en")
	}
	return t, v.Err()
}

// SaveTemplate stores an admin's template for (type, channel, language),
// replacing the built-in one. It refuses text that does not parse, uses a
// variable the type does not declare (naming it), or fails on the example
// data. Platform admins only; audit-logged.
func (s *Service) SaveTemplate(ctx context.Context, msgType, channel, lang, subject, body string) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin)
	if err != nil {
		return err
	}
	t, err := templateTarget(msgType, channel, lang)
	if err != nil {
		return err
	}
	tpl := Template{Subject: strings.TrimSpace(subject), Body: strings.TrimSpace(body)}
	if err := t.check(channel, tpl); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.storedTemplate(ctx, msgType, channel, lang)
		if err != nil {
			return err
		}
		_, err = s.DB.Q(ctx).Exec(ctx, `INSERT INTO notification_templates (msg_type, channel, lang, subject, body, updated_at, updated_by)
			VALUES ($1,$2,$3,$4,$5,$6,$7)
			ON CONFLICT (msg_type, channel, lang) DO UPDATE SET subject = excluded.subject, body = excluded.body,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			msgType, channel, lang, tpl.Subject, tpl.Body, s.now(), nullID(a.UserID))
		if err != nil {
			return err
		}
		if err := s.DB.Changed(ctx, topicTemplates); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "notification_template.save", "notification_template", msgType+"/"+channel+"/"+lang, before, tpl, "")
	})
}

// ResetTemplate removes an admin's template, so the built-in one applies
// again. Resetting a slot without a stored template does nothing. Platform
// admins only; audit-logged.
func (s *Service) ResetTemplate(ctx context.Context, msgType, channel, lang string) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	if _, err := templateTarget(msgType, channel, lang); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.storedTemplate(ctx, msgType, channel, lang)
		if err != nil || before == nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM notification_templates WHERE msg_type = $1 AND channel = $2 AND lang = $3", msgType, channel, lang); err != nil {
			return err
		}
		if err := s.DB.Changed(ctx, topicTemplates); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "notification_template.reset", "notification_template", msgType+"/"+channel+"/"+lang, before, nil, "")
	})
}

func (s *Service) storedTemplate(ctx context.Context, msgType, channel, lang string) (*Template, error) {
	var tpl Template
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT subject, body FROM notification_templates WHERE msg_type = $1 AND channel = $2 AND lang = $3",
		msgType, channel, lang).Scan(&tpl.Subject, &tpl.Body)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &tpl, nil
}
