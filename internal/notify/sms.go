package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"yingshang/internal/clock"
	"yingshang/internal/ident"
)

// messageID is the id a driver gives the gateway: the notification id
// being delivered, or a random one outside a delivery. Retries of one
// notification reuse it, so a gateway can drop duplicates.
func messageID(ctx context.Context) string {
	if id := DeliveryID(ctx); id != 0 {
		return strconv.FormatInt(id, 10)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "m" + hex.EncodeToString(b)
}

// LogSMS is the development SMS driver: it appends one JSON line per
// message, {"time", "to", "text", "id"}, to Path and logs it. The file holds
// full phone numbers (it is the server's dev outbox) and is created 0600;
// the log shows them masked.
type LogSMS struct {
	Path  string
	Log   *slog.Logger // nil: slog.Default()
	Clock clock.Clock  // nil: the real clock

	mu sync.Mutex
}

// LogSMSLine is one line of a LogSMS file.
type LogSMSLine struct {
	Time time.Time `json:"time"`
	To   string    `json:"to"`
	Text string    `json:"text"`
	ID   string    `json:"id"`
}

// Send appends the message and returns its id.
func (l *LogSMS) Send(ctx context.Context, phone, text string) (string, error) {
	var clk clock.Clock = clock.Real{}
	if l.Clock != nil {
		clk = l.Clock
	}
	line := LogSMSLine{Time: clk.Now(), To: phone, Text: text, ID: messageID(ctx)}
	b, err := json.Marshal(line)
	if err != nil {
		return "", err
	}
	if err := l.append(append(b, '\n')); err != nil {
		return "", err
	}
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.Info("SMS (dev outbox)", "to", ident.MaskMobile(phone), "text", text, "id", line.ID, "file", l.Path)
	return line.ID, nil
}

func (l *LogSMS) append(b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return Permanent(fmt.Errorf("SMS outbox file: %w", err))
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// HTTPSMS sends through an HTTP SMS gateway: it POSTs JSON {"to", "text",
// "id"} to URL with "Authorization: Bearer <Token>". A 2xx answer means the
// gateway accepted the message; its JSON {"id": "..."} is the gateway's
// message id (our id when it gives none), used by delivery receipts. Any
// other status is an error carrying the status and the start of the body;
// 4xx answers other than 408 and 429 are permanent (a refused number does
// not become valid by retrying).
type HTTPSMS struct {
	URL    string
	Token  string
	Client *http.Client // nil: a client with a 30 s timeout
}

// Send posts one message to the gateway.
func (h *HTTPSMS) Send(ctx context.Context, phone, text string) (string, error) {
	id := messageID(ctx)
	body, err := json.Marshal(map[string]string{"to": phone, "text": text, "id": id})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(fmt.Errorf("SMS gateway URL: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	client := h.Client
	if client == nil {
		client = defaultHTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("SMS gateway: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("SMS gateway answered %d: %s", resp.StatusCode, readReason(resp.Body))
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			return "", Permanent(err)
		}
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out)
	if out.ID == "" {
		out.ID = id
	}
	return out.ID, nil
}
