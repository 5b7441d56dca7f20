package notifications

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/api"
	"yingshang/internal/yserr"
)

// Receipt is an SMS gateway's delivery report for one message.
type Receipt struct {
	ID     ReceiptID  `json:"id"`
	Status string     `json:"status" enum:"delivered,failed" doc:"delivered：已送达；failed：未能送达 / delivered, or failed: could not be delivered"`
	Reason string     `json:"reason,omitempty" doc:"未送达的原因（网关原文） / Why it was not delivered, in the gateway's words"`
	At     *time.Time `json:"at,omitempty" doc:"送达时间，缺省为收到回执的时间 / When it was delivered; default: when the receipt arrives"`
}

// ReceiptID is the platform's notification id or the gateway's message
// id, given as a JSON string or integer.
type ReceiptID string

// UnmarshalJSON accepts a string or an integer.
func (id *ReceiptID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = ReceiptID(strings.TrimSpace(s))
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*id = ReceiptID(strconv.FormatInt(n, 10))
		return nil
	}
	return yserr.Field("id", "消息编号须为字符串或整数", "id must be a string or an integer")
}

// OpenAPISchema documents the two forms of the id.
func (ReceiptID) OpenAPISchema() map[string]any {
	return map[string]any{"type": []any{"string", "integer"},
		"description": "平台消息编号（发送时的 id）或网关自己的消息编号 / The platform's notification id (sent as \"id\") or the gateway's own message id",
		"examples":    []any{"4711"}}
}

// reasonUndelivered is recorded when a gateway reports a failure without
// saying why.
const reasonUndelivered = "the SMS gateway reported the message undelivered"

func (h *handlers) apiReceipt(w http.ResponseWriter, r *http.Request) error {
	var in Receipt
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	var v yserr.Validation
	if in.ID == "" {
		v.Add("id", "缺少消息编号", "id is required")
	}
	if in.Status != "delivered" && in.Status != "failed" {
		v.Add("status", "状态须为 delivered 或 failed", "status must be delivered or failed")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := h.applyReceipt(r.Context(), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// applyReceipt finds the message by the gateway's id first (the platform's
// own id when the gateway gave none), then by the notification id.
func (h *handlers) applyReceipt(ctx context.Context, in Receipt) error {
	apply := func(notificationID int64, providerID string) error {
		if in.Status == "delivered" {
			at := h.s.App.Clock.Now()
			if in.At != nil && !in.At.IsZero() {
				at = *in.At
			}
			return h.s.App.Notify.MarkDelivered(ctx, notificationID, providerID, at)
		}
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			reason = reasonUndelivered
		}
		return h.s.App.Notify.MarkUndelivered(ctx, notificationID, providerID, reason)
	}
	err := apply(0, string(in.ID))
	if yserr.Is(err, yserr.NotFound) {
		if n, perr := strconv.ParseInt(string(in.ID), 10, 64); perr == nil && n > 0 {
			return apply(n, "")
		}
	}
	return err
}
