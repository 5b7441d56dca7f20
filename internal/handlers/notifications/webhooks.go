package notifications

import (
	"net/http"
	"slices"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/notify"
	"yingshang/internal/web"
)

// webhooksData is what notifications/webhooks renders.
type webhooksData struct {
	Hooks    []hookView
	Events   []option // the subscribable patterns, checked as submitted
	Created  *Created // the webhook just created, with its secret (shown once)
	CanWrite bool
}

type hookView struct {
	*notify.Webhook
	EventNames []string
}

// eventPatterns lists what a webhook may subscribe to: everything, each
// module, and each message type that is sent to webhooks.
func eventPatterns() []string {
	out := []string{"*"}
	var types []string
	for _, t := range notify.Types() {
		if t.Sensitive {
			continue
		}
		module, _, _ := strings.Cut(t.Key, ".")
		if !slices.Contains(out, module+".*") {
			out = append(out, module+".*")
		}
		types = append(types, t.Key)
	}
	return append(out, types...)
}

// eventName describes a pattern in the language.
func eventName(p, lang string) string {
	if p == "*" {
		return web.Text{ZH: "全部消息 *", EN: "All messages *"}.In(lang)
	}
	if module, ok := strings.CutSuffix(p, ".*"); ok {
		if lang == "en" {
			return "All of " + module + ".*"
		}
		return module + ".* 全部"
	}
	return typeName(p, lang) + " (" + p + ")"
}

func (h *handlers) webhooksView(r *http.Request) (*web.View, *webhooksData, error) {
	hooks, err := h.s.App.Notify.ListWebhooks(r.Context())
	if err != nil {
		return nil, nil, err
	}
	v := h.s.View(r, "")
	v.Title = "Webhooks"
	d := &webhooksData{CanWrite: canWrite(r)}
	for _, hk := range hooks {
		hv := hookView{Webhook: hk}
		for _, e := range hk.Events {
			hv.EventNames = append(hv.EventNames, eventName(e, v.Lang))
		}
		d.Hooks = append(d.Hooks, hv)
	}
	var checked []string
	if r.Method == http.MethodPost {
		checked = r.PostForm["events"]
	}
	for _, p := range eventPatterns() {
		d.Events = append(d.Events, option{Value: p, Label: eventName(p, v.Lang), Selected: slices.Contains(checked, p)})
	}
	v.Data = d
	return v, d, nil
}

func (h *handlers) webhooks(w http.ResponseWriter, r *http.Request) error {
	v, _, err := h.webhooksView(r)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewWebhooks, v)
}

// webhookCreate creates a webhook and shows its signing secret on the
// page it renders (not after a redirect: the secret must not travel in a
// cookie or a URL). It is never shown again.
func (h *handlers) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	secret, hook, cerr := h.s.App.Notify.CreateWebhook(r.Context(), r.PostFormValue("name"), r.PostFormValue("url"), r.PostForm["events"])
	if cerr != nil {
		v, _, err := h.webhooksView(r)
		if err != nil {
			return err
		}
		return h.s.FormError(w, r, viewWebhooks, v, cerr)
	}
	r.PostForm.Del("events")
	v, d, err := h.webhooksView(r)
	if err != nil {
		return err
	}
	d.Created = &Created{Webhook: *hook, Secret: secret}
	v.Flash = v.T("Webhook 已创建。请立即复制签名密钥：离开本页后不再显示。", "Webhook created. Copy the signing secret now: it is not shown again.")
	w.Header().Set("Cache-Control", "no-store")
	return h.s.Render(w, r, http.StatusOK, viewWebhooks, v)
}

func (h *handlers) webhookActive(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "true"
	if err := h.s.App.Notify.SetWebhookActive(r.Context(), id, active); err != nil {
		return err
	}
	v := h.s.View(r, "")
	msg := v.T("Webhook 已暂停", "Webhook paused")
	if active {
		msg = v.T("Webhook 已恢复", "Webhook resumed")
	}
	return h.s.Redirect(w, r, "/admin/webhooks", msg)
}

func (h *handlers) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/admin/webhooks", v.T("Webhook 已删除", "Webhook deleted"))
}
