package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/clock"
)

// SMTPMailer sends plain-text UTF-8 e-mail through an SMTP server. On port
// 465 it speaks TLS from the start; on any other port it upgrades with
// STARTTLS and refuses to go on without it, except to a server on the
// loopback interface. It authenticates (PLAIN) when Username is set.
type SMTPMailer struct {
	Host     string
	Port     int // default 587
	Username string
	Password string
	From     string // "营商平台 <noreply@example.gov.cn>" or a bare address

	TLSConfig *tls.Config   // nil: verify Host against the system roots
	Timeout   time.Duration // for the whole exchange; default 30 s
	Clock     clock.Clock   // for the Date header; nil: the real clock
}

// Send delivers one message. Answers in the 5xx range are permanent errors.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return Permanent(fmt.Errorf("SMTP sender address %q: %w", m.From, err))
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return Permanent(fmt.Errorf("recipient address: %w", err))
	}
	msg := m.compose(from, rcpt, subject, body)
	err = m.exchange(ctx, from.Address, rcpt.Address, msg)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

func (m *SMTPMailer) exchange(ctx context.Context, from, to string, msg []byte) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := m.dial(ctx)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := m.secure(c); err != nil {
		return err
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (m *SMTPMailer) port() int {
	if m.Port == 0 {
		return 587
	}
	return m.Port
}

func (m *SMTPMailer) tlsConfig() *tls.Config {
	if m.TLSConfig != nil {
		return m.TLSConfig
	}
	return &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
}

func (m *SMTPMailer) dial(ctx context.Context) (net.Conn, error) {
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.port()))
	if m.port() == 465 {
		d := tls.Dialer{Config: m.tlsConfig()}
		return d.DialContext(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// secure upgrades the connection with STARTTLS when it is not TLS already.
func (m *SMTPMailer) secure(c *smtp.Client) error {
	if m.port() == 465 {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		return c.StartTLS(m.tlsConfig())
	}
	if isLoopback(m.Host) {
		return nil
	}
	return Permanent(fmt.Errorf("SMTP server %s does not offer STARTTLS; refusing to send in clear text", m.Host))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// compose builds the message: UTF-8 text, base64 encoded, with an encoded
// subject and sender name.
func (m *SMTPMailer) compose(from, to *mail.Address, subject, body string) []byte {
	var clk clock.Clock = clock.Real{}
	if m.Clock != nil {
		clk = m.Clock
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.BEncoding.Encode("UTF-8", subject))
	header("Date", clk.Now().Format(time.RFC1123Z))
	header("Message-ID", messageIDHeader(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func messageIDHeader(from string) string {
	domain := "yingshang.local"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	r := make([]byte, 12)
	_, _ = rand.Read(r)
	return "<" + hex.EncodeToString(r) + "@" + domain + ">"
}
