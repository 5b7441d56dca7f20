package notifications

import (
	"fmt"
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/notify"
)

// InboxQuery filters the caller's inbox.
type InboxQuery struct {
	Unread  bool `query:"unread" doc:"只看未读（1 或 true） / Unread messages only (1 or true)"`
	Page    int  `query:"page" doc:"页码，从 1 开始 / Page, from 1"`
	PerPage int  `query:"per_page" doc:"每页条数，1-200，默认 20 / Items per page, 1-200, default 20"`
}

// InboxPage is one page of the caller's in-app messages.
type InboxPage struct {
	Items   []notify.Notification `json:"items" doc:"本页消息，新的在前 / Messages on this page, newest first"`
	Total   int64                 `json:"total" doc:"符合条件的消息数 / Number of matching messages"`
	Unread  int64                 `json:"unread" doc:"未读消息总数 / Number of unread messages"`
	Page    int                   `json:"page"`
	PerPage int                   `json:"per_page"`
}

// inboxData is what notifications/inbox renders.
type inboxData struct {
	Rows          []row
	Total, Unread int64
	Page, Pages   int
	OnlyUnread    bool
}

func readInboxQuery(r *http.Request) (InboxQuery, error) {
	var q InboxQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return q, err
	}
	var err error
	q.Page, q.PerPage, err = api.Paging(r)
	return q, err
}

func (h *handlers) inbox(w http.ResponseWriter, r *http.Request) error {
	q, err := readInboxQuery(r)
	if err != nil {
		return err
	}
	items, total, unread, err := h.s.App.Notify.Inbox(r.Context(), q.Unread, q.Page, q.PerPage)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("站内消息", "Inbox")
	v.Unread = unread
	v.Data = &inboxData{Rows: h.rows(r.Context(), items, v.Lang), Total: total, Unread: unread,
		Page: q.Page, Pages: pageCount(total, q.PerPage), OnlyUnread: q.Unread}
	return h.s.Render(w, r, http.StatusOK, viewInbox, v)
}

// message shows one of the caller's messages and marks it read. Another
// user's message (or one that is not in-app) is not found.
func (h *handlers) message(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.MarkRead(r.Context(), id); err != nil {
		return err
	}
	n, err := h.s.App.Notify.Get(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	rw := h.row(*n, v.Lang, nil)
	v.Title = n.Subject
	if v.Title == "" {
		v.Title = rw.TypeName
	}
	v.Data = rw
	return h.s.Render(w, r, http.StatusOK, viewMessage, v)
}

// open marks one of the caller's messages read and goes to the item it is
// about (the message itself when it has no link).
func (h *handlers) open(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.MarkRead(r.Context(), id); err != nil {
		return err
	}
	n, err := h.s.App.Notify.Get(r.Context(), id)
	if err != nil {
		return err
	}
	target := n.Link
	if !notify.ValidLink(target) {
		target = fmt.Sprintf("/inbox/%d", id)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// short follows the short link of an SMS (/n/<code>) to its item; the
// item's page asks whoever is not signed in to sign in first.
func (h *handlers) short(w http.ResponseWriter, r *http.Request) error {
	link, _, err := h.s.App.Notify.ResolveShort(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
	return nil
}

func (h *handlers) readAll(w http.ResponseWriter, r *http.Request) error {
	n, err := h.s.App.Notify.MarkAllRead(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/inbox", v.T(fmt.Sprintf("已将 %d 条消息标为已读", n), fmt.Sprintf("%d messages marked read", n)))
}

// ReadAllResult tells how many messages were marked read.
type ReadAllResult struct {
	Marked int64 `json:"marked" doc:"本次标为已读的消息数 / Messages marked read by this call"`
}

func (h *handlers) apiInbox(w http.ResponseWriter, r *http.Request) error {
	q, err := readInboxQuery(r)
	if err != nil {
		return err
	}
	items, total, unread, err := h.s.App.Notify.Inbox(r.Context(), q.Unread, q.Page, q.PerPage)
	if err != nil {
		return err
	}
	if items == nil {
		items = []notify.Notification{}
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, http.StatusOK, InboxPage{Items: items, Total: total, Unread: unread, Page: q.Page, PerPage: q.PerPage})
	return nil
}

func (h *handlers) apiRead(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.s.App.Notify.MarkRead(r.Context(), id); err != nil {
		return err
	}
	n, err := h.s.App.Notify.Get(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, n)
	return nil
}

func (h *handlers) apiReadAll(w http.ResponseWriter, r *http.Request) error {
	n, err := h.s.App.Notify.MarkAllRead(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, ReadAllResult{Marked: n})
	return nil
}
