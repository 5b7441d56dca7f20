// Package notify is the platform's one outbox: every message to a person or
// a system goes through Send, which renders it from a template per channel
// and language, stores one row per recipient and channel in the
// notifications table, and hands each row that leaves the platform to a
// durable delivery job.
//
// Channels:
//   - "inapp": the user's inbox on the platform. Delivered at once; read
//     status and read time are kept (Inbox, MarkRead, MarkAllRead).
//   - "sms": through an SMSSender (LogSMS in development, HTTPSMS for a
//     gateway). Status "sent" once the gateway accepts the message,
//     "delivered" when a receipt arrives (MarkDelivered).
//   - "email": through a Mailer (SMTPMailer). Nil Mailer: the channel is off
//     and e-mail rows fail at once with that reason.
//   - "webhook": every active webhook subscribed to a message type receives a
//     signed JSON POST (see SignWebhook). Not chosen per message: Send fans
//     out to the subscribers itself.
//
// Delivery is at least once: a row is sent only while it is queued, so a
// job that runs again after success sends nothing, but a crash between the
// gateway's acceptance and the status update sends the message again.
//
// Send runs in the caller's transaction, so the state change that causes a
// message and the message (with its delivery job) commit together or not at
// all. A recipient without an address for a channel still gets a row, in
// status "failed" with the reason: nothing is dropped silently.
//
// Error contract: unknown ids (or rows the actor may not see) give
// yserr.NotFound; callers without the right role give yserr.Forbidden; bad
// input gives yserr.Invalid naming the field; acting on a row in the wrong
// state gives yserr.Conflict.
package notify

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/secret"
)

// Channels.
const (
	ChannelInApp   = "inapp"
	ChannelSMS     = "sms"
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery statuses.
const (
	StatusQueued    = "queued"    // waiting for its delivery job
	StatusSent      = "sent"      // accepted by the SMS gateway or mail server
	StatusDelivered = "delivered" // in the inbox, receipt received, or webhook answered 2xx
	StatusFailed    = "failed"    // given up: LastError says why
)

// Languages a template can be written in.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// DefaultMaxAttempts is how often a delivery is tried before it fails.
const DefaultMaxAttempts = 5

// SMSSender sends one text message and returns the gateway's message id.
// The notification id being delivered is in ctx (DeliveryID).
type SMSSender interface {
	Send(ctx context.Context, phone, text string) (providerID string, err error)
}

// Mailer sends one plain-text e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service is the notification service.
type Service struct {
	DB    *db.DB
	Audit *audit.Log
	Keys  *secret.Keyring
	Clock clock.Clock
	Jobs  *jobs.Queue
	Users Directory    // the accounts' contacts (the account service); needed to send to a user id
	SMS   SMSSender    // nil: SMS rows fail with "SMS channel is not configured"
	Mail  Mailer       // nil: the e-mail channel is off
	HTTP  *http.Client // for webhooks; nil: a client with a 30 s timeout
	// BaseURL is the site's public URL (config base-url): SMS and e-mail
	// messages with a Link end with BaseURL + the link (SMS: the short form).
	BaseURL string
	Log     *slog.Logger // nil: slog.Default()

	caches db.Lazy[*caches] // cache.go

	// ResendUnreadAfter, when positive, makes a periodic job send an SMS
	// copy of in-app notifications still unread after this long (once).
	ResendUnreadAfter time.Duration
	// RetryDelay, when set, replaces River's exponential backoff between
	// delivery attempts (attempt is the one that just failed, from 1).
	RetryDelay func(attempt int) time.Duration

	done      doneBatch    // delivery outcomes written in batches (deliverbatch.go)
	doneStats doneCounters // batches and rows written
}

// Recipient is a person to notify: a user (whose phone, e-mail and
// language are looked up), or raw addresses for people without an account.
// Raw fields, when set, take precedence over the user's.
type Recipient struct {
	UserID int64  `json:"user_id,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Email  string `json:"email,omitempty"`
	Lang   string `json:"lang,omitempty" enum:"zh-CN,en"`
	// Channels, when set, limits this recipient to these of the message's
	// channels (e.g. SMS only to those who have a mobile number), so one
	// message (and one webhook event) can reach people on different channels.
	Channels []string `json:"-"`
}

// Message is one thing to tell: a registered type, its template data, the
// recipients and the channels to reach them on.
type Message struct {
	Type     string         // a registered MessageType key
	To       []Recipient    // may be empty: then only webhooks receive it
	Channels []string       // inapp, sms, email
	Data     map[string]any // template variables
	// ObjectType and ObjectID name what the message is about (an appeal,
	// a licence...), so that a module can list the messages of an object.
	ObjectType string
	ObjectID   string
	// Link is the item the message is about, as a path on the platform
	// ("/appeals/12"). The inbox links to it; SMS and e-mail carry it as a
	// public URL (BaseURL + path; the short /n/<code> form for SMS).
	// Must start with one "/" (ValidLink); empty when there is no item.
	Link string
	// MaxAttempts of each delivery job; 0 means DefaultMaxAttempts.
	MaxAttempts int
}

// Notification is one row of the outbox: one message to one recipient on
// one channel.
type Notification struct {
	ID          int64          `json:"id"`
	Type        string         `json:"type"`
	Channel     string         `json:"channel" enum:"inapp,sms,email,webhook"`
	UserID      int64          `json:"user_id,omitempty"`
	WebhookID   int64          `json:"webhook_id,omitempty"`
	Address     string         `json:"address,omitempty" doc:"masked phone or e-mail, or the webhook's name"`
	Lang        string         `json:"lang"`
	Subject     string         `json:"subject,omitempty"`
	Body        string         `json:"body"`
	Data        map[string]any `json:"data,omitempty"`
	Status      string         `json:"status" enum:"queued,sent,delivered,failed"`
	Attempts    int            `json:"attempts"`
	LastError   string         `json:"last_error,omitempty"`
	ProviderID  string         `json:"provider_id,omitempty" doc:"the SMS gateway's message id"`
	ObjectType  string         `json:"object_type,omitempty"`
	ObjectID    string         `json:"object_id,omitempty"`
	Link        string         `json:"link,omitempty" doc:"path of the item the message is about, e.g. /appeals/12"`
	ResendOf    int64          `json:"resend_of,omitempty" doc:"the unread in-app notification this SMS repeats"`
	CreatedAt   time.Time      `json:"created_at"`
	SentAt      *time.Time     `json:"sent_at,omitempty"`
	DeliveredAt *time.Time     `json:"delivered_at,omitempty"`
	ReadAt      *time.Time     `json:"read_at,omitempty"`
}

// Filter selects outbox rows. Empty fields do not filter.
type Filter struct {
	Status     string
	Channel    string
	Type       string
	UserID     int64
	ObjectType string
	ObjectID   string
	Page       int // from 1
	PerPage    int // default 20, at most 200
}

// Webhook is a subscriber that receives messages as signed JSON POSTs.
type Webhook struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Events    []string  `json:"events" doc:"message types; * for all, account.* for a module"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy int64     `json:"created_by,omitempty"`
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return clock.Real{}.Now()
	}
	return s.Clock.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
