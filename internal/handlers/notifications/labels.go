package notifications

import (
	"context"
	"fmt"

	"yingshang/internal/notify"
	"yingshang/internal/web"
)

// Kinds of the platform's label table (internal/web/labels_core.go) for
// the channels, statuses and template languages.
const (
	channelNames = "channel"
	statusNames  = "notify.status"
	langNames    = "notify.lang"
)

// Display orders.
var (
	channels = []string{notify.ChannelInApp, notify.ChannelSMS, notify.ChannelEmail, notify.ChannelWebhook}
	statuses = []string{notify.StatusQueued, notify.StatusSent, notify.StatusDelivered, notify.StatusFailed}
	// sendChannels are the channels a message is sent on by choice
	// (webhooks receive what they subscribe to).
	sendChannels = []string{notify.ChannelInApp, notify.ChannelSMS, notify.ChannelEmail}
)

func pick(kind, key, lang string) string { return web.Label(kind, key, lang) }

// typeName is a message type's name in the language, or its key when the
// type is not registered (any more).
func typeName(key, lang string) string {
	t, ok := notify.LookupType(key)
	switch {
	case !ok:
		return key
	case lang == "en":
		return t.NameEN
	}
	return t.NameZH
}

// reason is a delivery error in the language: the notify service's
// reasons have Chinese text; a gateway's own answer is shown as given.
func reason(text, lang string) string {
	if lang == "en" {
		return text
	}
	return notify.ReasonZH(text)
}

// option is one entry of a <select> or a group of check boxes.
type option struct {
	Value, Label string
	Selected     bool
}

func options(keys []string, names string, lang, selected string) []option {
	out := make([]option, len(keys))
	for i, k := range keys {
		out[i] = option{Value: k, Label: pick(names, k, lang), Selected: k == selected}
	}
	return out
}

// typeOptions lists the registered message types.
func typeOptions(lang, selected string) []option {
	var out []option
	for _, t := range notify.Types() {
		out = append(out, option{Value: t.Key, Label: typeName(t.Key, lang) + " (" + t.Key + ")", Selected: t.Key == selected})
	}
	return out
}

// row is one notification as the inbox and outbox show it.
type row struct {
	notify.Notification
	TypeName    string
	ChannelName string
	StatusName  string
	StatusClass string
	Error       string // LastError in the language
	Recipient   string // masked address, the user's name, or the webhook's name
}

// userNames looks up display names of recipients, once per user per page.
type userNames struct {
	h     *handlers
	ctx   context.Context
	names map[int64]string
}

func (u *userNames) name(id int64) string {
	if n, ok := u.names[id]; ok {
		return n
	}
	n := fmt.Sprintf("#%d", id)
	if usr, err := u.h.s.App.Accounts.GetUser(u.ctx, id); err == nil {
		n = usr.DisplayName + " (" + usr.Username + ")"
	}
	u.names[id] = n
	return n
}

func (h *handlers) rows(ctx context.Context, list []notify.Notification, lang string) []row {
	users := &userNames{h: h, ctx: ctx, names: map[int64]string{}}
	out := make([]row, len(list))
	for i, n := range list {
		out[i] = h.row(n, lang, users)
	}
	return out
}

func (h *handlers) row(n notify.Notification, lang string, users *userNames) row {
	r := row{Notification: n, TypeName: typeName(n.Type, lang), ChannelName: pick(channelNames, n.Channel, lang),
		StatusName: pick(statusNames, n.Status, lang), StatusClass: "st-" + n.Status, Recipient: n.Address}
	if n.LastError != "" {
		r.Error = reason(n.LastError, lang)
	}
	if n.UserID != 0 && users != nil {
		name := users.name(n.UserID)
		if r.Recipient == "" {
			r.Recipient = name
		} else {
			r.Recipient = name + " · " + r.Recipient
		}
	}
	if r.Recipient == "" {
		r.Recipient = "—"
	}
	return r
}

// pageCount is the number of pages for total items.
func pageCount(total int64, perPage int) int {
	if perPage <= 0 {
		return 1
	}
	return max(1, int((total+int64(perPage)-1)/int64(perPage)))
}
