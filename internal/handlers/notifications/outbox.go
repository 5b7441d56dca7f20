package notifications

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/notify"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// OutboxQuery filters the outbox.
type OutboxQuery struct {
	Status     string `query:"status" enum:"queued,sent,delivered,failed" doc:"投递状态 / Delivery status"`
	Channel    string `query:"channel" enum:"inapp,sms,email,webhook" doc:"渠道 / Channel"`
	Type       string `query:"type" doc:"消息类型，如 system.test / Message type, e.g. system.test"`
	UserID     int64  `query:"user_id" doc:"收件用户 / Recipient user"`
	ObjectType string `query:"object_type" doc:"消息所涉对象类型 / Type of the object the message is about"`
	ObjectID   string `query:"object_id" doc:"消息所涉对象编号 / Id of the object the message is about"`
	Page       int    `query:"page" doc:"页码，从 1 开始 / Page, from 1"`
	PerPage    int    `query:"per_page" doc:"每页条数，1-200，默认 20 / Items per page, 1-200, default 20"`
}

func readOutboxQuery(r *http.Request) (OutboxQuery, error) {
	var q OutboxQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return q, err
	}
	var err error
	q.Page, q.PerPage, err = api.Paging(r)
	return q, err
}

func (q OutboxQuery) filter() notify.Filter {
	return notify.Filter{Status: q.Status, Channel: q.Channel, Type: q.Type, UserID: q.UserID,
		ObjectType: q.ObjectType, ObjectID: q.ObjectID, Page: q.Page, PerPage: q.PerPage}
}

// outboxData is what notifications/outbox renders.
type outboxData struct {
	Query       OutboxQuery
	Rows        []row
	Total       int64
	Page, Pages int
	Stats       []statRow
	StatusHeads []option
	Statuses    []option
	Channels    []option
	Types       []option
	SendTo      []option // channels of the test form, checked as submitted
	CanWrite    bool

	filterErr error // a bad filter, shown next to the filters
}

// statRow is one channel's counts per status, each linking to the rows.
type statRow struct {
	Channel string
	Name    string
	Cells   []statCell
	Total   int64
}

type statCell struct {
	Status string
	N      int64
	URL    string
}

func statRows(stats map[string]map[string]int64, lang string) []statRow {
	var out []statRow
	for _, ch := range channels {
		sr := statRow{Channel: ch, Name: pick(channelNames, ch, lang)}
		for _, st := range statuses {
			n := stats[ch][st]
			sr.Cells = append(sr.Cells, statCell{Status: st, N: n,
				URL: "/admin/outbox?" + url.Values{"channel": {ch}, "status": {st}}.Encode()})
			sr.Total += n
		}
		out = append(out, sr)
	}
	return out
}

// outboxView builds the outbox page. A bad filter is not an error here:
// it is kept in the data for the caller to render next to the filters.
func (h *handlers) outboxView(r *http.Request) (*web.View, *outboxData, error) {
	v := h.s.View(r, "")
	v.Title = v.T("消息发件箱", "Message outbox")
	q, qerr := readOutboxQuery(r)
	d := &outboxData{Query: q, Page: 1, Pages: 1, StatusHeads: options(statuses, statusNames, v.Lang, ""),
		Statuses: options(statuses, statusNames, v.Lang, q.Status), Channels: options(channels, channelNames, v.Lang, q.Channel),
		Types: typeOptions(v.Lang, q.Type), CanWrite: canWrite(r)}
	d.SendTo = options(sendChannels, channelNames, v.Lang, "")
	if r.Method == http.MethodPost {
		for i := range d.SendTo {
			d.SendTo[i].Selected = slices.Contains(r.PostForm["channels"], d.SendTo[i].Value)
		}
	} else {
		d.SendTo[0].Selected = true
	}
	v.Data = d
	stats, err := h.s.App.Notify.Stats(r.Context())
	if err != nil {
		return nil, nil, err
	}
	d.Stats = statRows(stats, v.Lang)
	if qerr != nil {
		d.filterErr = qerr
		return v, d, nil
	}
	items, total, err := h.s.App.Notify.Outbox(r.Context(), q.filter())
	if err != nil {
		return nil, nil, err
	}
	d.Rows, d.Total, d.Page, d.Pages = h.rows(r.Context(), items, v.Lang), total, q.Page, pageCount(total, q.PerPage)
	return v, d, nil
}

func (h *handlers) outbox(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.outboxView(r)
	if err != nil {
		return err
	}
	if d.filterErr != nil {
		_ = r.ParseForm()
		return h.s.FormError(w, r, viewOutbox, v, d.filterErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewOutbox, v)
}

// detailData is what notifications/outbox_detail renders.
type detailData struct {
	row
	LangName string
	DataJSON string
	CanRetry bool
}

func (h *handlers) detailView(r *http.Request) (*web.View, error) {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return nil, err
	}
	n, err := h.s.App.Notify.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := h.s.View(r, "")
	v.Title = v.T("消息", "Message") + fmt.Sprintf(" #%d", n.ID)
	users := &userNames{h: h, ctx: r.Context(), names: map[int64]string{}}
	d := &detailData{row: h.row(*n, v.Lang, users), LangName: pick(langNames, n.Lang, v.Lang),
		CanRetry: canWrite(r) && n.Status == notify.StatusFailed && n.Channel != notify.ChannelInApp}
	if n.Channel == notify.ChannelWebhook {
		d.Body = indentJSON(n.Body)
	}
	if len(n.Data) > 0 {
		b, _ := json.MarshalIndent(n.Data, "", "  ")
		d.DataJSON = string(b)
	}
	v.Data = d
	return v, nil
}

// indentJSON pretty-prints a webhook event body for reading.
func indentJSON(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String()
}

func (h *handlers) outboxDetail(w http.ResponseWriter, r *http.Request) error {
	v, err := h.detailView(r)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewOutboxDetail, v)
}

// retry puts a failed row back in the queue; a refusal (the row has not
// failed, the recipient still has no address) is shown on the detail page.
func (h *handlers) retry(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	rerr := h.s.App.Notify.Retry(r.Context(), id)
	v, err := h.detailView(r)
	if err != nil {
		return err
	}
	if rerr != nil {
		return h.s.FormError(w, r, viewOutboxDetail, v, rerr)
	}
	target := "/admin/outbox/" + strconv.FormatInt(id, 10)
	return h.s.Redirect(w, r, target, v.T("已重新排队发送", "Queued for another delivery"))
}

// sendTest sends a system.test message from the form on the outbox page.
func (h *handlers) sendTest(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return yserr.Field("body", "表单无法读取", "the form cannot be read")
	}
	ids, serr := h.sendTestFrom(r)
	if serr == nil {
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, "/admin/outbox", v.T(fmt.Sprintf("已创建 %d 条测试消息", len(ids)), fmt.Sprintf("%d test messages created", len(ids))))
	}
	v, _, err := h.outboxView(r)
	if err != nil {
		return err
	}
	return h.s.FormError(w, r, viewOutbox, v, serr)
}

func (h *handlers) sendTestFrom(r *http.Request) ([]int64, error) {
	to := notify.Recipient{Phone: strings.TrimSpace(r.PostFormValue("phone")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	if name := strings.TrimSpace(r.PostFormValue("username")); name != "" {
		id, err := h.s.App.Accounts.UserID(r.Context(), name)
		if err != nil {
			return nil, err
		}
		to.UserID = id
	}
	return h.s.App.Notify.SendTest(r.Context(), to, r.PostForm["channels"], r.PostFormValue("note"))
}
