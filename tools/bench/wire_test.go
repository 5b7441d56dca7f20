package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestWireClient checks the load generator's client against net/http's
// server: the request arrives whole (method, path, headers, body), sized
// and chunked answers are read to the end, a connection is kept between
// requests unless the server closes it, and a status other than 201 is an
// error that quotes the answer.
func TestWireClient(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || string(body) != string(intakeBody) {
			http.Error(w, "bad request: "+r.Method+" "+string(body), http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/sized":
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"ok":true}`))
		case "/chunked":
			w.WriteHeader(http.StatusCreated)
			for range 3 {
				_, _ = w.Write([]byte(strings.Repeat("x", 3000)))
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusCreated)
		default:
			http.Error(w, "no such path", http.StatusNotFound)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	p, err := newPoster("wire", srv.URL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 5; i++ {
		if err := p.intake("/sized", "tok"); err != nil {
			t.Fatalf("sized answer %d: %v", i, err)
		}
		if err := p.intake("/chunked", ""); err != nil {
			t.Fatalf("chunked answer %d: %v", i, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("10 requests one after the other opened %d connections, want 1 kept", n)
	}
	for i := 0; i < 2; i++ {
		if err := p.intake("/close", ""); err != nil {
			t.Fatalf("answer with Connection: close: %v", err)
		}
	}
	// The first went on the kept connection, the second on a new one;
	// neither is kept.
	if n := conns.Load(); n != 2 {
		t.Errorf("after two answers that close their connection: %d connections opened, want 2", n)
	}
	err = p.intake("/sized", "")
	if n := conns.Load(); n != 3 {
		t.Errorf("a request after a closed connection: %d connections opened, want 3", n)
	}
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "no token") {
		t.Errorf("missing token: %v, want an error with 401 and the answer", err)
	}

	// Concurrent clients keep at most their number of connections.
	before := conns.Load()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if err := p.intake("/sized", "tok"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := conns.Load() - before; n > 2 {
		t.Errorf("2 concurrent clients opened %d new connections, want at most 2", n)
	}

	if _, err := newPoster("wire", "https://example.org", 1); err == nil {
		t.Error("an https address was accepted")
	}
}
