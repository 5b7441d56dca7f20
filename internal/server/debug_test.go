package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDebugHandlerAdminOnly(t *testing.T) {
	h := DebugHandler("s3cret")
	for _, c := range []struct {
		remote, auth string
		want         int
	}{
		{"127.0.0.1:5000", "", 200},
		{"[::1]:5000", "", 200},
		{"10.1.2.3:5000", "", 403},
		{"10.1.2.3:5000", "Bearer wrong", 403},
		{"10.1.2.3:5000", "Bearer s3cret", 200},
	} {
		r := httptest.NewRequest("GET", "/debug/pprof/", nil)
		r.RemoteAddr = c.remote
		r.Header.Set("X-Forwarded-For", "127.0.0.1") // ignored
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s %q: %d, want %d", c.remote, c.auth, w.Code, c.want)
		}
		if c.want == 200 && !strings.Contains(w.Body.String(), "goroutine") {
			t.Errorf("%s: no pprof index: %.200s", c.remote, w.Body.String())
		}
	}
	// Without a token only loopback callers get in.
	r := httptest.NewRequest("GET", "/debug/pprof/", nil)
	r.RemoteAddr = "10.1.2.3:5000"
	r.Header.Set("Authorization", "Bearer ")
	w := httptest.NewRecorder()
	DebugHandler("").ServeHTTP(w, r)
	if w.Code != 403 {
		t.Errorf("empty token let a remote caller in: %d", w.Code)
	}
}

func TestServeDebug(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeDebug(ctx, "127.0.0.1:0", "", slog.New(slog.NewTextHandler(io.Discard, nil)), func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("debug listener did not start")
	}
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("%d %.200s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
