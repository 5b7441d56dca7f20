package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// Reasons recorded on rows that cannot be delivered.
const (
	ReasonNoUser       = "no user account"
	ReasonNoPhone      = "no phone number"
	ReasonBadPhone     = "invalid phone number"
	ReasonNoEmail      = "no e-mail address"
	ReasonBadEmail     = "invalid e-mail address"
	ReasonSMSOff       = "SMS channel is not configured"
	ReasonEmailOff     = "e-mail channel is off"
	ReasonWebhookGone  = "webhook was deleted"
	ReasonWebhookPause = "webhook is inactive"
)

var reasonsZH = map[string]string{
	ReasonNoUser:       "收件人没有平台账号",
	ReasonNoPhone:      "没有手机号",
	ReasonBadPhone:     "手机号格式不正确",
	ReasonNoEmail:      "没有电子邮箱",
	ReasonBadEmail:     "电子邮箱格式不正确",
	ReasonSMSOff:       "未配置短信通道",
	ReasonEmailOff:     "邮件通道未开启",
	ReasonWebhookGone:  "Webhook 已删除",
	ReasonWebhookPause: "Webhook 已停用",
}

// ReasonZH returns the Chinese text of one of the Reason constants, or
// reason itself (a gateway's answer) when it is none of them.
func ReasonZH(reason string) string {
	if zh, ok := reasonsZH[reason]; ok {
		return zh
	}
	return reason
}

// Send stores msg for every recipient on every channel, and for every
// active webhook subscribed to its type, and enqueues the deliveries. It
// runs in the transaction in ctx (or its own), so it commits with the
// caller's change. It returns the ids of the rows created, recipients x
// channels first, then webhooks. In-app rows are delivered at once; a
// recipient without an address for a channel gets a failed row with the
// reason. An unknown type or channel, a channel the type has no template
// for, or an unknown user id gives yserr.Invalid. Send does not check the
// actor: it is called by services that already did.
func (s *Service) Send(ctx context.Context, msg Message) ([]int64, error) {
	t, channels, err := msg.check()
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		ids, err = s.send(ctx, t, channels, msg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func (m *Message) check() (*MessageType, []string, error) {
	var v yserr.Validation
	t, ok := LookupType(m.Type)
	if !ok {
		v.Add("type", "未知消息类型 "+m.Type, "unknown message type "+m.Type)
	}
	var channels []string
	for _, ch := range m.Channels {
		if !slices.Contains(templateChannels, ch) {
			v.Add("channels", "渠道须为 inapp、sms 或 email："+ch, "channel must be inapp, sms or email: "+ch)
		} else if !slices.Contains(channels, ch) {
			channels = append(channels, ch)
		}
	}
	if len(m.To) > 0 && len(m.Channels) == 0 {
		v.Add("channels", "至少选择一个渠道", "choose at least one channel")
	}
	if m.Link != "" && !ValidLink(m.Link) {
		v.Add("link", "链接须为本平台的路径（以 / 开头）："+m.Link, "link must be a path on this platform (starting with /): "+m.Link)
	}
	if m.MaxAttempts < 0 || m.MaxAttempts > 25 {
		v.Add("max_attempts", "尝试次数须在 1-25 之间", "max attempts must be 1-25")
	}
	return t, channels, v.Err()
}

// row is a notification to insert.
type row struct {
	Type, Channel        string
	UserID, WebhookID    int64
	Address, Mask        string
	Lang                 string
	Subject, Body, Data  string
	Status, LastError    string
	ObjectType, ObjectID string
	Link                 string
	ResendOf             int64
	MaxAttempts          int
}

func (s *Service) send(ctx context.Context, t *MessageType, channels []string, msg Message) ([]int64, error) {
	now := s.now()
	overrides, err := s.overrides(ctx, t.Key)
	if err != nil {
		return nil, err
	}
	data, err := dataJSON(t, msg.Data)
	if err != nil {
		return nil, err
	}
	base := row{Type: t.Key, Data: data, ObjectType: msg.ObjectType, ObjectID: msg.ObjectID, Link: msg.Link, MaxAttempts: msg.MaxAttempts}
	// Data is the same for every recipient: render once per channel and language.
	rendered := map[tplKey]Template{}
	var ids []int64
	for _, to := range msg.To {
		a, err := s.resolve(ctx, to)
		if err != nil {
			return nil, err
		}
		for _, ch := range channels {
			if len(to.Channels) > 0 && !slices.Contains(to.Channels, ch) {
				continue
			}
			k := tplKey{ch, a.lang}
			tpl, ok := rendered[k]
			if !ok {
				if tpl, err = s.render(t, ch, a.lang, overrides, msg.Data); err != nil {
					return nil, err
				}
				rendered[k] = tpl
			}
			r := base
			r.Channel, r.UserID, r.Lang, r.Subject, r.Body = ch, a.userID, a.lang, tpl.Subject, tpl.Body
			s.address(&r, a)
			id, err := s.insert(ctx, r, now)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
	}
	hooks, err := s.fanOut(ctx, t, msg, data, now)
	return append(ids, hooks...), err
}

func dataJSON(t *MessageType, data map[string]any) (string, error) {
	if t.Sensitive || len(data) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("notify: data of %s is not JSON: %w", t.Key, err)
	}
	return string(b), nil
}

// addr is a resolved recipient.
type addr struct {
	userID       int64
	phone, email string
	lang         string
}

// Contact is how a user account is reached: its phone (in clear), e-mail
// and preferred language.
type Contact struct {
	Phone, Email, Lang string
}

// Directory resolves user accounts to their contacts, in one query for
// all the ids; unknown ids are absent from the map. The account service
// implements it (notify never reads the accounts' tables).
type Directory interface {
	Contacts(ctx context.Context, ids []int64) (map[int64]Contact, error)
}

// resolve looks up a user's phone, e-mail and language in the directory;
// raw fields of the recipient take precedence.
func (s *Service) resolve(ctx context.Context, to Recipient) (addr, error) {
	var cs map[int64]Contact
	if to.UserID != 0 {
		if s.Users == nil {
			return addr{}, fmt.Errorf("notify: no user directory to reach user %d", to.UserID)
		}
		var err error
		if cs, err = s.Users.Contacts(ctx, []int64{to.UserID}); err != nil {
			return addr{}, err
		}
	}
	return resolveIn(to, cs)
}

// resolveIn is resolve with the user's contact looked up in cs (the
// directory's answer for the recipient's user id, among others).
func resolveIn(to Recipient, cs map[int64]Contact) (addr, error) {
	a := addr{userID: to.UserID, lang: to.Lang}
	if to.UserID != 0 {
		c, ok := cs[to.UserID]
		if !ok {
			return a, yserr.Newf(yserr.Invalid, "收件用户 %d 不存在", "recipient user %d does not exist", to.UserID)
		}
		a.phone, a.email = c.Phone, c.Email
		if a.lang == "" {
			a.lang = c.Lang
		}
	}
	if to.Phone != "" {
		a.phone = to.Phone
	}
	if to.Email != "" {
		a.email = to.Email
	}
	a.phone = ident.NormalizeMobile(a.phone)
	a.email = strings.TrimSpace(a.email)
	a.lang = normLang(a.lang)
	return a, nil
}

// address sets the row's address and initial status for its channel.
func (s *Service) address(r *row, a addr) {
	r.Status = StatusQueued
	fail := func(reason string) { r.Status, r.LastError = StatusFailed, reason }
	switch r.Channel {
	case ChannelInApp:
		r.Status = StatusDelivered
		if a.userID == 0 {
			fail(ReasonNoUser)
		}
	case ChannelSMS:
		r.Address, r.Mask = a.phone, ident.MaskMobile(a.phone)
		switch {
		case a.phone == "":
			fail(ReasonNoPhone)
		case ident.ValidateMobile(a.phone) != nil:
			fail(ReasonBadPhone)
		case s.SMS == nil:
			fail(ReasonSMSOff)
		}
	case ChannelEmail:
		r.Address, r.Mask = a.email, maskEmail(a.email)
		switch {
		case a.email == "":
			fail(ReasonNoEmail)
		case !validEmail(a.email):
			fail(ReasonBadEmail)
		case s.Mail == nil:
			fail(ReasonEmailOff)
		}
	}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// maskEmail keeps the first character of the local part and the domain:
// "zhang.san@example.cn" -> "z********@example.cn".
func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return ident.MaskName(s)
	}
	return ident.MaskName(local) + "@" + domain
}

// insert stores a row and, when it waits for delivery, enqueues its job in
// the same transaction.
func (s *Service) insert(ctx context.Context, r row, now time.Time) (int64, error) {
	id, err := s.insertRow(ctx, r, now)
	if err != nil {
		return 0, err
	}
	if r.Status == StatusQueued {
		return id, s.enqueue(ctx, id, r.MaxAttempts)
	}
	return id, nil
}

// insertRow stores a row (one prepared single-row INSERT).
func (s *Service) insertRow(ctx context.Context, r row, now time.Time) (int64, error) {
	var sent, delivered *time.Time
	if r.Status == StatusDelivered {
		sent, delivered = &now, &now
	}
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO notifications (msg_type, channel, user_id, webhook_id, address_enc, address_mask,
		lang, subject, body, data, status, last_error, object_type, object_id, resend_of, created_at, sent_at, delivered_at, link)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) RETURNING id`,
		r.Type, r.Channel, nullID(r.UserID), nullID(r.WebhookID), s.Keys.Encrypt(r.Address), r.Mask,
		r.Lang, r.Subject, r.Body, r.Data, r.Status, r.LastError, r.ObjectType, r.ObjectID, nullID(r.ResendOf), now, sent, delivered, r.Link).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert notification: %w", err)
	}
	return id, nil
}

func (s *Service) enqueue(ctx context.Context, id int64, maxAttempts int) error {
	if s.Jobs == nil {
		return fmt.Errorf("notify: no job queue to deliver notification %d", id)
	}
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	return s.Jobs.Enqueue(ctx, DeliverArgs{NotificationID: id}, &river.InsertOpts{MaxAttempts: maxAttempts})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SendTest sends a system.test message to one recipient on the given
// channels (and to webhooks subscribed to system.test), so that an admin
// can check a channel end to end. Platform admins only; audit-logged.
func (s *Service) SendTest(ctx context.Context, to Recipient, channels []string, note string) ([]int64, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin)
	if err != nil {
		return nil, err
	}
	if to.UserID == 0 && to.Phone == "" && to.Email == "" {
		return nil, yserr.Field("to", "请选择收件人或填写手机号、电子邮箱", "choose a user or give a phone number or e-mail address")
	}
	sender := a.Name
	if sender == "" {
		sender = a.Username
	}
	msg := Message{Type: TypeTest, To: []Recipient{to}, Channels: channels, Data: map[string]any{
		"sender": sender, "time": s.now().In(chinaTime).Format("2006-01-02 15:04"), "note": strings.TrimSpace(note),
	}}
	var ids []int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if ids, err = s.Send(ctx, msg); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "notification.test", "notification", fmt.Sprint(ids), nil, msg.Channels, note)
	})
	return ids, err
}

// chinaTime is UTC+8, for times written into message text.
var chinaTime = time.FixedZone("CST", 8*3600)

// Event is the JSON body a webhook receives.
type Event struct {
	ID        string         `json:"id" doc:"event id, the same for every webhook that receives the event"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"created_at"`
	Data      map[string]any `json:"data"`
	Object    *EventObject   `json:"object,omitempty"`
	// URL is the public URL of the item the message is about.
	URL string `json:"url,omitempty"`
}

// EventObject names what an event is about.
type EventObject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// fanOut stores one webhook row per active subscriber of the type.
func (s *Service) fanOut(ctx context.Context, t *MessageType, msg Message, data string, now time.Time) ([]int64, error) {
	if t.Sensitive {
		return nil, nil
	}
	hooks, err := s.subscribers(ctx, t.Key)
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	rows, err := s.hookRows(t, msg, data, now, hooks)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range rows {
		id, err := s.insert(ctx, r, now)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// hookRows returns the webhook rows of msg for hooks (its subscribers):
// one event, the same body for every hook.
func (s *Service) hookRows(t *MessageType, msg Message, data string, now time.Time, hooks []*Webhook) ([]row, error) {
	if len(hooks) == 0 {
		return nil, nil
	}
	ev := Event{ID: newEventID(), Type: t.Key, CreatedAt: now.UTC(), Data: msg.Data}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	if msg.Link != "" {
		ev.URL = s.BaseURL + msg.Link
	}
	if msg.ObjectType != "" {
		ev.Object = &EventObject{Type: msg.ObjectType, ID: msg.ObjectID}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(hooks))
	for _, h := range hooks {
		rows = append(rows, row{Type: t.Key, Channel: ChannelWebhook, WebhookID: h.ID, Mask: h.Name, Lang: LangZH, Body: string(body), Data: data,
			Status: StatusQueued, ObjectType: msg.ObjectType, ObjectID: msg.ObjectID, Link: msg.Link, MaxAttempts: msg.MaxAttempts})
	}
	return rows, nil
}

func newEventID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "evt_" + hex.EncodeToString(b)
}
