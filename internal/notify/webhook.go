package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Webhook requests carry three headers:
//
//	X-Yingshang-Event:     the message type, e.g. account.binding_approved
//	X-Yingshang-Delivery:  the notification id of this delivery (the same on retries)
//	X-Yingshang-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// The signature follows Stripe's scheme: v1 is the HMAC-SHA256, keyed with
// the webhook's secret (the whole "whsec_..." string as bytes), of the
// timestamp, a dot and the raw request body: "<t>.<body>". A receiver
// recomputes it over the body exactly as received, compares in constant
// time, and rejects timestamps too far from its clock to stop replays
// (VerifyWebhook does all three). The body is an Event in JSON; its id is
// the same for every webhook that receives the event, for de-duplication.
const (
	HeaderEvent     = "X-Yingshang-Event"
	HeaderDelivery  = "X-Yingshang-Delivery"
	HeaderSignature = "X-Yingshang-Signature"
)

// SignWebhook returns the X-Yingshang-Signature value for body at t (the
// service signs with its own clock).
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks an X-Yingshang-Signature header against body: one of
// its v1 values must match and its timestamp must lie within tolerance of
// now.
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("webhook signature header is malformed")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook signature timestamp is outside the tolerance")
	}
	want := signature(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook signature does not match")
}

// CreateWebhook adds a subscriber for the given message types ("*" for
// all, "module.*" for one module's). It returns the signing secret, which is
// shown only this once and stored encrypted. Platform admins only;
// audit-logged.
func (s *Service) CreateWebhook(ctx context.Context, name, rawURL string, events []string) (string, *Webhook, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin)
	if err != nil {
		return "", nil, err
	}
	h := &Webhook{Name: strings.TrimSpace(name), URL: strings.TrimSpace(rawURL), Events: cleanEvents(events), Active: true, CreatedBy: a.UserID}
	if err := h.validate(); err != nil {
		return "", nil, err
	}
	secret := newSecret()
	h.CreatedAt = s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO webhooks (name, url, secret_enc, events, active, created_at, created_by)
			VALUES ($1,$2,$3,$4,TRUE,$5,$6) RETURNING id`,
			h.Name, h.URL, s.Keys.Encrypt(secret), strings.Join(h.Events, ","), h.CreatedAt, nullID(a.UserID)).Scan(&h.ID)
		if err != nil {
			return err
		}
		if err := s.DB.Changed(ctx, topicWebhooks); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "webhook.create", "webhook", strconv.FormatInt(h.ID, 10), nil, h, "")
	})
	if err != nil {
		return "", nil, err
	}
	return secret, h, nil
}

func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

func cleanEvents(events []string) []string {
	var out []string
	for _, e := range events {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func (h *Webhook) validate() error {
	var v yserr.Validation
	if h.Name == "" || utf8.RuneCountInString(h.Name) > 100 {
		v.Add("name", "名称必填，最多 100 字", "name is required, at most 100 characters")
	}
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(h.URL) > 2000 {
		v.Add("url", "地址须为 http(s):// 开头的完整网址", "URL must be a full http(s):// address")
	}
	if len(h.Events) == 0 {
		v.Add("events", "至少订阅一种消息", "subscribe to at least one message type")
	}
	for _, e := range h.Events {
		if zh, en := checkEvent(e); zh != "" {
			v.Add("events", zh+"："+e, en+": "+e)
		}
	}
	return v.Err()
}

// checkEvent returns a reason (Chinese, English) when e is not a
// subscribable pattern.
func checkEvent(e string) (string, string) {
	if e == "*" {
		return "", ""
	}
	if prefix, ok := strings.CutSuffix(e, ".*"); ok {
		for _, t := range Types() {
			if strings.HasPrefix(t.Key, prefix+".") {
				return "", ""
			}
		}
		return "没有匹配的消息类型", "no message type matches"
	}
	t, ok := LookupType(e)
	switch {
	case !ok:
		return "未知消息类型", "unknown message type"
	case t.Sensitive:
		return "该类消息不发送给 Webhook", "this message type is not sent to webhooks"
	}
	return "", ""
}

// matchEvent reports whether a webhook's patterns cover a message type.
func matchEvent(patterns []string, msgType string) bool {
	for _, p := range patterns {
		if p == "*" || p == msgType {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(msgType, prefix) {
			return true
		}
	}
	return false
}

const webhookCols = "id, name, url, events, active, created_at, COALESCE(created_by, 0)"

func scanWebhook(r db.Row) (*Webhook, error) {
	var h Webhook
	var events string
	if err := r.Scan(&h.ID, &h.Name, &h.URL, &events, &h.Active, &h.CreatedAt, &h.CreatedBy); err != nil {
		return nil, err
	}
	h.Events = cleanEvents(strings.Split(events, ","))
	return &h, nil
}

func (s *Service) queryWebhooks(ctx context.Context, where string, args ...any) ([]*Webhook, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+webhookCols+" FROM webhooks"+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Webhook
	for rows.Next() {
		h, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// activeWebhooks returns the active webhooks (cached: every message sent
// reads them), a slice of the caller's own.
func (s *Service) activeWebhooks(ctx context.Context) ([]*Webhook, error) {
	all, err := s.cache().webhooks.Get(ctx, struct{}{}, func() ([]*Webhook, error) { return s.queryWebhooks(ctx, " WHERE active = TRUE") })
	return slices.Clone(all), err
}

// subscribers returns the active webhooks subscribed to a message type.
func (s *Service) subscribers(ctx context.Context, msgType string) ([]*Webhook, error) {
	all, err := s.activeWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(h *Webhook) bool { return !matchEvent(h.Events, msgType) }), nil
}

// ListWebhooks lists all webhooks (platform admins and supervisors). The
// secrets are never returned.
func (s *Service) ListWebhooks(ctx context.Context) ([]*Webhook, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	return s.queryWebhooks(ctx, "")
}

func (s *Service) webhook(ctx context.Context, id int64) (*Webhook, error) {
	h, err := scanWebhook(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("Webhook", "webhook")
	}
	return h, err
}

// SetWebhookActive pauses or resumes a webhook. Deliveries still queued
// for a paused webhook fail with "webhook is inactive". Platform admins
// only; audit-logged.
func (s *Service) SetWebhookActive(ctx context.Context, id int64, active bool) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		h, err := s.webhook(ctx, id)
		if err != nil || h.Active == active {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE webhooks SET active = $1 WHERE id = $2", active, id); err != nil {
			return err
		}
		after := *h
		after.Active = active
		if err := s.DB.Changed(ctx, topicWebhooks); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "webhook.set_active", "webhook", strconv.FormatInt(id, 10), h, after, "")
	})
}

// DeleteWebhook removes a webhook; its past deliveries stay in the outbox
// and queued ones fail with "webhook was deleted". Platform admins only;
// audit-logged.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		h, err := s.webhook(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM webhooks WHERE id = $1", id); err != nil {
			return err
		}
		if err := s.DB.Changed(ctx, topicWebhooks); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "webhook.delete", "webhook", strconv.FormatInt(id, 10), h, nil, "")
	})
}

func (s *Service) httpClient() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return defaultHTTP
}

// defaultHTTP does not follow redirects: a webhook or gateway that answers
// 3xx has not accepted the message (and following would turn the POST
// into a GET).
var defaultHTTP = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// postWebhook delivers a webhook row: 2xx is success, anything else an
// error to retry.
func (s *Service) postWebhook(ctx context.Context, d *delivery) error {
	var u string
	var secretEnc []byte
	var active bool
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT url, secret_enc, active FROM webhooks WHERE id = $1", d.webhookID).Scan(&u, &secretEnc, &active)
	if db.IsNoRows(err) {
		return Permanent(errors.New(ReasonWebhookGone))
	}
	if err != nil {
		return err
	}
	if !active {
		return Permanent(errors.New(ReasonWebhookPause))
	}
	secret, err := s.Keys.Decrypt(secretEnc)
	if err != nil {
		return Permanent(fmt.Errorf("webhook secret: %w", err))
	}
	body := []byte(d.body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Yingshang-Webhook/1")
	req.Header.Set(HeaderEvent, d.msgType)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.id, 10))
	req.Header.Set(HeaderSignature, SignWebhook(secret, s.now(), body))
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	return fmt.Errorf("webhook answered %d: %s", resp.StatusCode, readReason(resp.Body))
}

// readReason reads the start of an error response, trimmed to one line.
func readReason(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 1024))
	s := strings.Join(strings.Fields(string(b)), " ")
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
