package notifications

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode"

	"yingshang/internal/notify"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// typeView is a message type as the templates page shows it.
type typeView struct {
	Key       string
	Name      string
	Sensitive bool
	Variables []varView
	Slots     []slotView
}

type varView struct {
	Name, ZH, EN, Example string
	ExampleZH             bool // the example is Chinese text (marked lang="zh-CN" on the page)
	value                 any  // the example as declared, for previews
}

type slotView struct {
	Channel, ChannelName string
	Lang, LangName       string
	Subject, Body        string
	Overridden           bool
	Default              *notify.Template
	UpdatedAt            *time.Time
	EditURL              string
}

func editURL(typ, channel, lang string) string {
	return "/admin/templates/" + url.PathEscape(typ) + "/" + channel + "/" + lang
}

func newTypeView(tt notify.TypeTemplates, lang string) typeView {
	tv := typeView{Key: tt.Key, Name: typeName(tt.Key, lang), Sensitive: tt.Sensitive}
	for _, v := range tt.Variables {
		tv.Variables = append(tv.Variables, varView{Name: v.Name, ZH: v.ZH, EN: v.EN, Example: exampleText(v), value: exampleValue(v)})
		tv.Variables[len(tv.Variables)-1].ExampleZH = hasHan(tv.Variables[len(tv.Variables)-1].Example)
	}
	for _, sl := range tt.Templates {
		tv.Slots = append(tv.Slots, newSlotView(tt.Key, sl, lang))
	}
	return tv
}

func newSlotView(typ string, sl notify.TemplateSlot, lang string) slotView {
	return slotView{Channel: sl.Channel, ChannelName: pick(channelNames, sl.Channel, lang), Lang: sl.Lang, LangName: pick(langNames, sl.Lang, lang),
		Subject: sl.Subject, Body: sl.Body, Overridden: sl.Overridden, Default: sl.Default, UpdatedAt: sl.UpdatedAt,
		EditURL: editURL(typ, sl.Channel, sl.Lang)}
}

// exampleValue is the value a variable takes in previews, as the notify
// service checks templates: its example, or a placeholder.
func exampleValue(v notify.Variable) any {
	if v.Example == nil {
		return "[" + v.Name + "]"
	}
	return v.Example
}

func exampleText(v notify.Variable) string { return fmt.Sprint(exampleValue(v)) }

// templatesData is what notifications/templates renders.
type templatesData struct {
	Types    []typeView
	CanWrite bool
}

func (h *handlers) templates(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.App.Notify.Templates(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("消息模板", "Message templates")
	d := &templatesData{CanWrite: canWrite(r)}
	for _, tt := range list {
		d.Types = append(d.Types, newTypeView(tt, v.Lang))
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewTemplates, v)
}

// editData is what notifications/template_edit renders.
type editData struct {
	Type       typeView
	Slot       slotView
	Subject    string // the text in the form
	Body       string
	HasSubject bool // an SMS has none
	Preview    *notify.Template
	Action     string
}

// slot finds a type's template for channel and language. A channel the
// type has no template for yet gives an empty slot, so that an admin can
// add one; an unknown type, channel or language is not found.
func (h *handlers) slot(ctx context.Context, typ, channel, lang, viewLang string) (typeView, slotView, error) {
	list, err := h.s.App.Notify.Templates(ctx)
	if err != nil {
		return typeView{}, slotView{}, err
	}
	i := slices.IndexFunc(list, func(tt notify.TypeTemplates) bool { return tt.Key == typ })
	if i < 0 || !slices.Contains(sendChannels, channel) || !slices.Contains(notify.Langs, lang) {
		return typeView{}, slotView{}, yserr.ErrNotFound("消息模板", "message template")
	}
	tv := newTypeView(list[i], viewLang)
	for _, sl := range tv.Slots {
		if sl.Channel == channel && sl.Lang == lang {
			return tv, sl, nil
		}
	}
	return tv, newSlotView(typ, notify.TemplateSlot{Channel: channel, Lang: lang}, viewLang), nil
}

func (h *handlers) editView(r *http.Request) (*web.View, *editData, error) {
	v := h.s.View(r, "")
	tv, sl, err := h.slot(r.Context(), r.PathValue("type"), r.PathValue("channel"), r.PathValue("lang"), v.Lang)
	if err != nil {
		return nil, nil, err
	}
	v.Title = v.T("编辑模板", "Edit template") + " · " + tv.Name
	d := &editData{Type: tv, Slot: sl, Subject: sl.Subject, Body: sl.Body, HasSubject: sl.Channel != notify.ChannelSMS,
		Action: editURL(tv.Key, sl.Channel, sl.Lang)}
	v.Data = d
	return v, d, nil
}

func (h *handlers) templateForm(w http.ResponseWriter, r *http.Request) error {
	v, _, err := h.editView(r)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewTemplateEdit, v)
}

// templateSubmit previews (action=preview) or saves the submitted text.
func (h *handlers) templateSubmit(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.editView(r)
	if err != nil {
		return err
	}
	d.Subject, d.Body = r.PostFormValue("subject"), r.PostFormValue("body")
	tpl := notify.Template{Subject: d.Subject, Body: d.Body}
	if r.PostFormValue("action") == "preview" {
		p, err := preview(d.Type, d.Slot.Channel, tpl)
		if err != nil {
			return h.s.FormError(w, r, viewTemplateEdit, v, err)
		}
		d.Preview = &p
		return h.s.Render(w, r, http.StatusOK, viewTemplateEdit, v)
	}
	if err := h.s.App.Notify.SaveTemplate(r.Context(), d.Type.Key, d.Slot.Channel, d.Slot.Lang, tpl.Subject, tpl.Body); err != nil {
		return h.s.FormError(w, r, viewTemplateEdit, v, err)
	}
	return h.s.Redirect(w, r, "/admin/templates#"+d.Type.Key, v.T("模板已保存：", "Template saved: ")+d.Type.Name+" · "+d.Slot.ChannelName+" · "+d.Slot.LangName)
}

func (h *handlers) templateReset(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.editView(r)
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.ResetTemplate(r.Context(), d.Type.Key, d.Slot.Channel, d.Slot.Lang); err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/admin/templates#"+d.Type.Key, v.T("已恢复默认模板：", "Default template restored: ")+d.Type.Name+" · "+d.Slot.ChannelName+" · "+d.Slot.LangName)
}

// preview renders a template with the type's example data. Saving checks
// more (the notify service also refuses variables in branches the example
// data does not reach); the preview reports what the example shows: syntax
// errors and unknown variables, next to the field.
func preview(tv typeView, channel string, tpl notify.Template) (notify.Template, error) {
	data := make(map[string]any, len(tv.Variables))
	names := make([]string, len(tv.Variables))
	for i, v := range tv.Variables {
		data[v.Name], names[i] = v.value, v.Name
	}
	var out notify.Template
	var val yserr.Validation
	if strings.TrimSpace(tpl.Body) == "" {
		val.Add("body", "正文不能为空", "the body is required")
	}
	if channel == notify.ChannelSMS && strings.TrimSpace(tpl.Subject) != "" {
		val.Add("subject", "短信没有标题", "an SMS has no subject")
	}
	for _, f := range []struct {
		name, text string
		dst        *string
	}{{"subject", tpl.Subject, &out.Subject}, {"body", tpl.Body, &out.Body}} {
		if val.Has(f.name) {
			continue
		}
		text, err := execute(f.text, data)
		if err != nil {
			zh, en := previewError(err, names)
			val.Add(f.name, zh, en)
		}
		*f.dst = text
	}
	return out, val.Err()
}

func execute(text string, data map[string]any) (string, error) {
	tp, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tp.Execute(&b, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// previewError explains a template error in both languages.
func previewError(err error, names []string) (string, string) {
	msg := err.Error()
	known := strings.Join(names, ", ")
	if _, key, ok := strings.Cut(msg, `map has no entry for key "`); ok {
		key, _, _ = strings.Cut(key, `"`)
		return fmt.Sprintf("未知变量 {{.%s}}，可用变量：%s", key, known), fmt.Sprintf("unknown variable {{.%s}}; available: %s", key, known)
	}
	if strings.Contains(msg, "executing") {
		return "模板无法用示例数据生成：" + msg, "the template fails on example data: " + msg
	}
	return "模板语法错误：" + msg, "template syntax error: " + msg
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
