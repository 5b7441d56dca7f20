package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
)

// smtpServer is a minimal SMTP server that offers STARTTLS and AUTH PLAIN
// and records what it receives.
type smtpServer struct {
	ln      net.Listener
	cert    tls.Certificate
	pool    *x509.CertPool
	starttl bool        // offer STARTTLS
	reject  atomic.Bool // answer RCPT with 550

	mu   sync.Mutex
	msgs []smtpMsg
}

type smtpMsg struct {
	from, to, auth string
	tls            bool
	data           []byte
}

func newSMTPServer(t *testing.T, starttls bool) *smtpServer {
	return newSMTPServerOn(t, "127.0.0.1:0", starttls)
}

func newSMTPServerOn(t *testing.T, addr string, starttls bool) *smtpServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool: pool, starttl: starttls}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) mailer() *notify.SMTPMailer {
	return &notify.SMTPMailer{Host: "127.0.0.1", Port: s.ln.Addr().(*net.TCPAddr).Port, Username: "mailer", Password: "pw",
		From: "营商平台 <noreply@example.gov.cn>", TLSConfig: &tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1"}}
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 test ESMTP")
	var m smtpMsg
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if s.starttl && !m.tls {
				_ = tp.PrintfLine("250-test\r\n250 STARTTLS")
			} else {
				_ = tp.PrintfLine("250-test\r\n250 AUTH PLAIN")
			}
		case "STARTTLS":
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if tc.Handshake() != nil {
				return
			}
			c, tp, m.tls = tc, textproto.NewConn(tc), true
		case "AUTH":
			m.auth = line
			_ = tp.PrintfLine("235 ok")
		case "MAIL":
			m.from = line
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			if s.reject.Load() {
				_ = tp.PrintfLine("550 no such mailbox")
				continue
			}
			m.to = line
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			m.data, _ = tp.ReadDotBytes()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 unknown")
		}
	}
}

func (s *smtpServer) received() []smtpMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMsg(nil), s.msgs...)
}

func decodeMail(t *testing.T, raw []byte) (subject, body string, h mail.Header) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	return subject, string(b), msg.Header
}

func TestSMTPMailer(t *testing.T) {
	srv := newSMTPServer(t, true)
	m := srv.mailer()
	body := strings.Repeat("营商环境测试邮件正文。", 20)
	if err := m.Send(context.Background(), "zhang@example.cn", "测试主题", body); err != nil {
		t.Fatal(err)
	}
	got := srv.received()
	if len(got) != 1 || !got[0].tls || got[0].from != "MAIL FROM:<noreply@example.gov.cn>" || got[0].to != "RCPT TO:<zhang@example.cn>" ||
		!strings.HasPrefix(got[0].auth, "AUTH PLAIN ") {
		t.Fatalf("server saw %+v", got)
	}
	subject, text, h := decodeMail(t, got[0].data)
	if subject != "测试主题" || text != body || h.Get("Content-Type") != "text/plain; charset=UTF-8" || h.Get("Message-Id") == "" {
		t.Fatalf("message: %q %q %v", subject, text, h)
	}
	from, err := h.AddressList("From")
	if err != nil || from[0].Name != "营商平台" {
		t.Fatalf("from %v %v", from, err)
	}

	srv.reject.Store(true)
	if err := m.Send(context.Background(), "nobody@example.cn", "s", "b"); !notify.IsPermanent(err) {
		t.Fatalf("550 should be permanent: %v", err)
	}

	// A server that is not on this machine's loopback and offers no
	// STARTTLS is refused before credentials or mail are sent.
	ip := nonLoopbackIP()
	if ip == "" {
		t.Skip("no non-loopback address to test the STARTTLS refusal")
	}
	plain := newSMTPServerOn(t, ip+":0", false)
	pm := plain.mailer()
	pm.Host = ip
	err = pm.Send(context.Background(), "a@b.cn", "s", "b")
	if !notify.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") || len(plain.received()) != 0 {
		t.Fatalf("clear-text server: %v, %d messages", err, len(plain.received()))
	}
}

func nonLoopbackIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	return ""
}

func TestEmailChannel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newSMTPServer(t, true)
		e := newEnv(t, d, func(s *notify.Service) { s.Mail = srv.mailer() })
		u := e.user("mia", "", "mia@example.cn", "en")
		ids := e.send(notify.Message{Type: notify.TypeBindingRejected, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelEmail},
			Data: map[string]any{"entity": "Demo Co.", "uscc": "X1", "reason": "documents missing"}})
		n := e.wait(ids[0])
		if n.Status != notify.StatusSent || n.Address != "m**@example.cn" {
			t.Fatalf("row: %+v", n)
		}
		got := srv.received()
		if len(got) != 1 {
			t.Fatalf("server got %d messages", len(got))
		}
		subject, text, _ := decodeMail(t, got[0].data)
		if subject != "Enterprise binding rejected" || text != "Your request to act for Demo Co. (USCC X1) was rejected. Reason: documents missing" {
			t.Fatalf("mail %q %q", subject, text)
		}
	})
}
