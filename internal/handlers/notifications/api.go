package notifications

import (
	"net/http"
	"slices"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// API access strings (see api.Op.Auth).
const (
	authRead  = "platform_admin,supervisor"
	authWrite = "platform_admin"
)

// TestInput sends a test message (system.test).
type TestInput struct {
	To       notify.Recipient `json:"to" doc:"收件用户（user_id）或手机号、电子邮箱 / A user (user_id) or a phone number or e-mail address"`
	Channels []string         `json:"channels" doc:"inapp、sms、email 中的一个或多个；订阅 system.test 的 Webhook 也会收到 / One or more of inapp, sms, email; webhooks subscribed to system.test receive it too"`
	Note     string           `json:"note,omitempty" doc:"附言 / A note to include"`
}

// TestResult lists the outbox rows a test created.
type TestResult struct {
	IDs []int64 `json:"ids" doc:"新建的发件箱记录 / The outbox rows created"`
}

// Stats counts outbox rows per channel and status.
type Stats map[string]map[string]int64

// TemplatePath names one template slot.
type TemplatePath struct {
	Type    string `path:"type" doc:"消息类型 / Message type" example:"system.test"`
	Channel string `path:"channel" enum:"inapp,sms,email" doc:"渠道 / Channel"`
	Lang    string `path:"lang" enum:"zh-CN,en" doc:"语言 / Language"`
}

// WebhookInput creates a webhook.
type WebhookInput struct {
	Name   string   `json:"name" doc:"名称，最多 100 字 / Name, at most 100 characters"`
	URL    string   `json:"url" doc:"接收地址，http(s):// / Receiving URL, http(s)://"`
	Events []string `json:"events" doc:"订阅的消息类型；* 为全部，account.* 为一个模块 / Message types to receive; * for all, account.* for a module"`
}

// Created is a new webhook with its signing secret, returned only once.
type Created struct {
	notify.Webhook
	Secret string `json:"secret" doc:"签名密钥，只在创建时返回一次 / The signing secret, returned only at creation"`
}

// ActiveInput pauses or resumes a webhook.
type ActiveInput struct {
	Active bool `json:"active"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"notify"}
	reg.DescribeTag("notify", "消息通知：站内消息、发件箱、测试消息、短信回执、按类型/渠道/语言的消息模板、以 HMAC-SHA256 签名推送的 Webhook（见 docs/webhooks.md） / "+
		"Notifications: inbox, outbox, test messages, SMS delivery receipts, message templates per type, channel and language, webhooks signed with HMAC-SHA256 (see docs/webhooks.md)")

	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/notifications/inbox", ID: "getInbox", Tags: tags, Auth: api.AuthUser,
		Summary: "我的站内消息 / My in-app messages", Query: InboxQuery{}, Resp: InboxPage{}}, h.apiInbox)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/notifications/{id}/read", ID: "markNotificationRead", Tags: tags, Auth: api.AuthUser,
		Summary:     "标为已读 / Mark a message read",
		Description: "Only the caller's own in-app messages; any other id is a 404. Marking again keeps the first read time.",
		Resp:        notify.Notification{}}, h.apiRead)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/notifications/read-all", ID: "markAllNotificationsRead", Tags: tags, Auth: api.AuthUser,
		Summary: "全部标为已读 / Mark all my messages read", Resp: ReadAllResult{}}, h.apiReadAll)

	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/notifications", ID: "listNotifications", Tags: tags, Auth: authRead,
		Summary: "发件箱 / The outbox", Description: "Every message on every channel, newest first. The text of sensitive messages (verification codes) is hidden.",
		Query: OutboxQuery{}, Resp: api.Page[notify.Notification]{}}, h.apiOutbox)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/notifications/stats", ID: "getNotificationStats", Tags: tags, Auth: authRead,
		Summary: "发件箱统计 / Outbox counts", Description: "Number of messages per channel and status: {\"sms\": {\"sent\": 12, \"failed\": 1}, ...}.",
		Resp: Stats{}}, h.apiStats)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/notifications/{id}", ID: "getNotification", Tags: tags, Auth: api.AuthUser,
		Summary: "消息详情 / Get a message", Description: "Platform admins and supervisors see any message; other users only their own (else 404).",
		Resp: notify.Notification{}}, h.apiGet)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/notifications/{id}/retry", ID: "retryNotification", Tags: tags, Auth: authWrite,
		Summary:     "重发失败的消息 / Retry a failed message",
		Description: "Puts a failed SMS, e-mail or webhook message back in the queue with a fresh set of attempts; an SMS or e-mail to a user takes the user's current address. 409 when the message has not failed or still has no address.",
		Resp:        notify.Notification{}}, h.apiRetry)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/notifications/test", ID: "sendTestNotification", Tags: tags, Auth: authWrite,
		Summary: "发送测试消息 / Send a test message", Body: TestInput{}, Resp: TestResult{}, Status: http.StatusCreated}, h.apiTest)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/notifications/sms-receipts", ID: "recordSMSReceipt", Tags: tags, Auth: authWrite,
		Summary: "短信送达回执 / SMS delivery receipt",
		Description: "Called by the SMS gateway with an API token of an account holding platform_admin (create a dedicated account for the gateway). " +
			"id is the notification id the platform sent as \"id\", or the gateway's own message id. delivered marks the message delivered at \"at\" " +
			"(default: now); failed marks it failed with the reason. A receipt for a message already delivered changes nothing.",
		Body: Receipt{}, Status: http.StatusNoContent}, h.apiReceipt)

	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/notification-templates", ID: "listNotificationTemplates", Tags: tags, Auth: authRead,
		Summary: "消息类型与模板 / Message types and their templates", Resp: []notify.TypeTemplates{}}, h.apiTemplates)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/notification-templates/{type}/{channel}/{lang}", ID: "saveNotificationTemplate", Tags: tags, Auth: authWrite,
		Summary:     "修改模板 / Customise a template",
		Description: "Go text/template text over the type's variables ({{.entity}}). Refused (400, field subject or body) when it does not parse, uses an undeclared variable, or fails on the example data. An SMS has no subject.",
		Query:       TemplatePath{}, Body: notify.Template{}, Resp: notify.TemplateSlot{}}, h.apiSaveTemplate)
	reg.Handle(mux, api.Op{Method: "DELETE", Path: "/api/v1/notification-templates/{type}/{channel}/{lang}", ID: "resetNotificationTemplate", Tags: tags, Auth: authWrite,
		Summary: "恢复默认模板 / Restore the built-in template", Query: TemplatePath{}, Status: http.StatusNoContent}, h.apiResetTemplate)

	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/webhooks", ID: "listWebhooks", Tags: tags, Auth: authRead,
		Summary: "Webhook 列表 / List webhooks", Description: "Secrets are never returned.", Resp: []notify.Webhook{}}, h.apiWebhooks)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/webhooks", ID: "createWebhook", Tags: tags, Auth: authWrite,
		Summary: "新建 Webhook / Create a webhook", Description: "The response holds the signing secret; it is not shown again.",
		Body: WebhookInput{}, Resp: Created{}, Status: http.StatusCreated}, h.apiCreateWebhook)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/webhooks/{id}/active", ID: "setWebhookActive", Tags: tags, Auth: authWrite,
		Summary: "暂停或恢复 Webhook / Pause or resume a webhook", Description: "Deliveries still queued for a paused webhook fail.",
		Body: ActiveInput{}, Resp: notify.Webhook{}}, h.apiWebhookActive)
	reg.Handle(mux, api.Op{Method: "DELETE", Path: "/api/v1/webhooks/{id}", ID: "deleteWebhook", Tags: tags, Auth: authWrite,
		Summary: "删除 Webhook / Delete a webhook", Description: "Past deliveries stay in the outbox; queued ones fail.", Status: http.StatusNoContent}, h.apiDeleteWebhook)
}

func (h *handlers) apiOutbox(w http.ResponseWriter, r *http.Request) error {
	q, err := readOutboxQuery(r)
	if err != nil {
		return err
	}
	items, total, err := h.s.App.Notify.Outbox(r.Context(), q.filter())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, http.StatusOK, api.NewPage(items, total, q.Page, q.PerPage))
	return nil
}

func (h *handlers) apiStats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.s.App.Notify.Stats(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, Stats(st))
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	n, err := h.s.App.Notify.Get(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, http.StatusOK, n)
	return nil
}

func (h *handlers) apiRetry(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.Retry(r.Context(), id); err != nil {
		return err
	}
	return h.apiGet(w, r)
}

func (h *handlers) apiTest(w http.ResponseWriter, r *http.Request) error {
	var in TestInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	ids, err := h.s.App.Notify.SendTest(r.Context(), in.To, in.Channels, in.Note)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []int64{}
	}
	api.WriteJSON(w, http.StatusCreated, TestResult{IDs: ids})
	return nil
}

func (h *handlers) apiTemplates(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.App.Notify.Templates(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []notify.TypeTemplates{}
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiSaveTemplate(w http.ResponseWriter, r *http.Request) error {
	var p TemplatePath
	if err := api.DecodeQuery(r, &p); err != nil {
		return err
	}
	var in notify.Template
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.App.Notify.SaveTemplate(r.Context(), p.Type, p.Channel, p.Lang, in.Subject, in.Body); err != nil {
		return err
	}
	list, err := h.s.App.Notify.Templates(r.Context())
	if err != nil {
		return err
	}
	for _, tt := range list {
		if tt.Key != p.Type {
			continue
		}
		if i := slices.IndexFunc(tt.Templates, func(s notify.TemplateSlot) bool { return s.Channel == p.Channel && s.Lang == p.Lang }); i >= 0 {
			api.WriteJSON(w, http.StatusOK, tt.Templates[i])
			return nil
		}
	}
	return yserr.ErrNotFound("消息模板", "message template")
}

func (h *handlers) apiResetTemplate(w http.ResponseWriter, r *http.Request) error {
	var p TemplatePath
	if err := api.DecodeQuery(r, &p); err != nil {
		return err
	}
	if err := h.s.App.Notify.ResetTemplate(r.Context(), p.Type, p.Channel, p.Lang); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := h.s.App.Notify.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	out := []notify.Webhook{}
	for _, hk := range hooks {
		out = append(out, *hk)
	}
	api.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in WebhookInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	secret, hook, err := h.s.App.Notify.CreateWebhook(r.Context(), in.Name, in.URL, in.Events)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+strconv.FormatInt(hook.ID, 10))
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, http.StatusCreated, Created{Webhook: *hook, Secret: secret})
	return nil
}

func (h *handlers) apiWebhookActive(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in ActiveInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.s.App.Notify.SetWebhookActive(r.Context(), id, in.Active); err != nil {
		return err
	}
	hooks, err := h.s.App.Notify.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	for _, hk := range hooks {
		if hk.ID == id {
			api.WriteJSON(w, http.StatusOK, hk)
			return nil
		}
	}
	return yserr.ErrNotFound("Webhook", "webhook")
}

func (h *handlers) apiDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
