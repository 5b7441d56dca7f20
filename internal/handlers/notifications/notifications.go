// Package notifications serves the platform's one outbox on the web and in
// the JSON API: every user's inbox of in-app messages, the outbox for
// platform admins (read-only for supervisors) with per-row retry and a
// test-message form, the editable message templates, the webhook
// subscribers, and the delivery receipts of an HTTP SMS gateway.
//
// Every decision about who may see or change what is made by the notify
// service (internal/notify); this package translates requests and renders.
// Pages are also registered with the roles the service will accept, so
// that a user without them gets a 403 page before any work is done.
package notifications

import (
	"net/http"

	"yingshang/internal/auth"
	"yingshang/internal/server"
)

// Views rendered by this package.
const (
	viewInbox        = "notifications/inbox"
	viewMessage      = "notifications/message"
	viewOutbox       = "notifications/outbox"
	viewOutboxDetail = "notifications/outbox_detail"
	viewTemplates    = "notifications/templates"
	viewTemplateEdit = "notifications/template_edit"
	viewWebhooks     = "notifications/webhooks"
)

// Roles that may read the outbox, templates and webhooks, and that may
// change them.
var (
	readRoles  = []auth.Role{auth.PlatformAdmin, auth.Supervisor}
	writeRoles = []auth.Role{auth.PlatformAdmin}
)

type handlers struct{ s *server.Server }

// Mount registers the pages and API operations of the area.
func Mount(s *server.Server) {
	h := &handlers{s: s}
	s.UsesViews(viewInbox, viewMessage, viewOutbox, viewOutboxDetail, viewTemplates, viewTemplateEdit, viewWebhooks)

	s.SignedIn("GET /inbox", h.inbox)
	s.SignedIn("GET /inbox/{id}", h.message)
	s.SignedIn("GET /inbox/{id}/open", h.open)
	s.Page("GET /n/{code}", h.short)
	s.SignedIn("POST /inbox/read-all", h.readAll)

	s.Page("GET /admin/outbox", h.outbox, readRoles...)
	s.Page("GET /admin/outbox/{id}", h.outboxDetail, readRoles...)
	s.Page("POST /admin/outbox/{id}/retry", h.retry, writeRoles...)
	s.Page("POST /admin/outbox/test", h.sendTest, writeRoles...)

	s.Page("GET /admin/templates", h.templates, readRoles...)
	s.Page("GET /admin/templates/{type}/{channel}/{lang}", h.templateForm, writeRoles...)
	s.Page("POST /admin/templates/{type}/{channel}/{lang}", h.templateSubmit, writeRoles...)
	s.Page("POST /admin/templates/{type}/{channel}/{lang}/reset", h.templateReset, writeRoles...)

	s.Page("GET /admin/webhooks", h.webhooks, readRoles...)
	s.Page("POST /admin/webhooks", h.webhookCreate, writeRoles...)
	s.Page("POST /admin/webhooks/{id}/active", h.webhookActive, writeRoles...)
	s.Page("POST /admin/webhooks/{id}/delete", h.webhookDelete, writeRoles...)

	h.mountAPI()
}

// canWrite reports whether the caller may change outbox rows, templates
// and webhooks (for showing buttons; the service decides).
func canWrite(r *http.Request) bool { return auth.From(r.Context()).Has(writeRoles...) }
