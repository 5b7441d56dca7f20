package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/yserr"
)

// DeliverArgs is the job that delivers one notification row.
type DeliverArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "notify.deliver" }

// ResendUnreadArgs is the periodic job that sends SMS copies of unread
// in-app notifications.
type ResendUnreadArgs struct{}

// Kind names the job.
func (ResendUnreadArgs) Kind() string { return "notify.resend_unread" }

// ResendInterval is how often the re-send job runs.
const ResendInterval = 15 * time.Minute

// Register adds the delivery and re-send workers to q, and the periodic
// re-send job when ResendUnreadAfter is positive. Call before q.Start.
func (s *Service) Register(q *jobs.Queue) {
	jobs.Register[DeliverArgs](q, &deliverWorker{s: s})
	jobs.Register[ResendUnreadArgs](q, &resendWorker{s: s})
	if s.ResendUnreadAfter > 0 {
		q.Every(ResendInterval, func() river.JobArgs { return ResendUnreadArgs{} }, false)
	}
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.s.deliver(ctx, job.Args.NotificationID, job.Attempt, job.MaxAttempts)
}

// NextRetry applies Service.RetryDelay. River schedules jobs on the real
// clock, not on the service's (possibly fake) business clock.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	if w.s.RetryDelay == nil {
		return time.Time{}
	}
	return time.Now().Add(w.s.RetryDelay(job.Attempt))
}

type resendWorker struct {
	river.WorkerDefaults[ResendUnreadArgs]
	s *Service
}

func (w *resendWorker) Work(ctx context.Context, _ *river.Job[ResendUnreadArgs]) error {
	n, err := w.s.ResendUnread(ctx)
	if n > 0 {
		w.s.log().Info("re-sent unread notifications by SMS", "count", n)
	}
	return err
}

// permanentError is a delivery error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot fix (a refused number,
// a missing configuration): the delivery fails at once instead of being
// retried. SMSSender and Mailer implementations may return it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type deliveryKey struct{}

// DeliveryID returns the id of the notification being delivered, for
// senders that pass it on to a gateway (0 outside a delivery).
func DeliveryID(ctx context.Context) int64 {
	id, _ := ctx.Value(deliveryKey{}).(int64)
	return id
}

// WithDeliveryID returns ctx carrying a notification id (see DeliveryID).
func WithDeliveryID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, deliveryKey{}, id)
}

// delivery is a row loaded for sending.
type delivery struct {
	id, webhookID            int64
	msgType, channel, status string
	addressEnc               []byte
	subject, body, link      string
}

func (s *Service) loadDelivery(ctx context.Context, id int64) (*delivery, error) {
	d := delivery{id: id}
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT msg_type, channel, status, COALESCE(webhook_id, 0), address_enc, subject, body, link
		FROM notifications WHERE id = $1`, id).Scan(&d.msgType, &d.channel, &d.status, &d.webhookID, &d.addressEnc, &d.subject, &d.body, &d.link)
	return &d, err
}

// deliver sends one row. Only queued rows are sent, so a job that runs
// twice sends once. A failure is recorded on the row and returned for River
// to retry with backoff; the last attempt (or a permanent error) marks the
// row failed with the reason.
func (s *Service) deliver(ctx context.Context, id int64, attempt, maxAttempts int) error {
	d, err := s.loadDelivery(ctx, id)
	switch {
	case db.IsNoRows(err):
		return river.JobCancel(fmt.Errorf("notification %d does not exist", id))
	case err != nil:
		return err
	case d.status != StatusQueued:
		return nil
	}
	providerID, err := s.dispatch(WithDeliveryID(ctx, id), d)
	// Record the outcome even when the job's context ends meanwhile: the
	// message may already be out.
	wctx := context.WithoutCancel(ctx)
	if err == nil {
		return s.markDone(wctx, d, providerID)
	}
	final := IsPermanent(err) || attempt >= maxAttempts
	if rerr := s.markAttemptFailed(wctx, id, err, final); rerr != nil {
		return errors.Join(err, rerr)
	}
	if IsPermanent(err) {
		return river.JobCancel(err)
	}
	return err
}

func (s *Service) dispatch(ctx context.Context, d *delivery) (string, error) {
	address, err := s.Keys.Decrypt(d.addressEnc)
	if err != nil {
		return "", Permanent(fmt.Errorf("address: %w", err))
	}
	switch d.channel {
	case ChannelSMS:
		if s.SMS == nil {
			return "", Permanent(errors.New(ReasonSMSOff))
		}
		if address == "" {
			return "", Permanent(errors.New(ReasonNoPhone))
		}
		return s.SMS.Send(ctx, address, s.withURL(d))
	case ChannelEmail:
		if s.Mail == nil {
			return "", Permanent(errors.New(ReasonEmailOff))
		}
		if address == "" {
			return "", Permanent(errors.New(ReasonNoEmail))
		}
		return "", s.Mail.Send(ctx, address, d.subject, s.withURL(d))
	case ChannelWebhook:
		return "", s.postWebhook(ctx, d)
	}
	return "", Permanent(fmt.Errorf("channel %q is not delivered by a job", d.channel))
}

func (s *Service) markAttemptFailed(ctx context.Context, id int64, cause error, final bool) error {
	status := StatusQueued
	if final {
		status = StatusFailed
	}
	_, err := s.DB.W(ctx).Exec(ctx, `UPDATE notifications SET attempts = attempts + 1, last_error = $1, status = $2
		WHERE id = $3 AND status = 'queued'`, clip(cause.Error(), 500), status, id)
	return err
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// MarkDelivered records a delivery receipt for an SMS or e-mail, found by
// notification id or, when that is 0, by the gateway's message id. A
// receipt for a row already delivered changes nothing. Needs a platform
// admin or the system actor (the receipt endpoint authenticates the
// gateway).
func (s *Service) MarkDelivered(ctx context.Context, notificationID int64, providerID string, at time.Time) error {
	return s.receipt(ctx, notificationID, providerID, "status = 'delivered', delivered_at = $1", at)
}

// MarkUndelivered records a gateway's report that an SMS or e-mail it
// accepted could not be delivered: the row fails with the reason.
func (s *Service) MarkUndelivered(ctx context.Context, notificationID int64, providerID, reason string) error {
	return s.receipt(ctx, notificationID, providerID, "status = 'failed', last_error = $1", clip(reason, 500))
}

func (s *Service) receipt(ctx context.Context, notificationID int64, providerID, set string, arg any) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	col, key := "id", any(notificationID)
	if notificationID == 0 {
		if providerID = strings.TrimSpace(providerID); providerID == "" {
			return yserr.Field("id", "缺少消息编号", "a notification id or provider id is required")
		}
		col, key = "provider_id", providerID
	}
	n, err := s.DB.W(ctx).Exec(ctx, "UPDATE notifications SET "+set+" WHERE "+col+" = $2"+
		" AND channel IN ('sms', 'email') AND status <> 'delivered'", arg, key)
	if err != nil || n > 0 {
		return err
	}
	var exists int
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE "+col+" = $1 AND channel IN ('sms', 'email')", key).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return yserr.ErrNotFound("消息", "notification")
	}
	return nil
}
