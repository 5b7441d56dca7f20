package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"time"
)

// DebugHandler serves net/http/pprof for operators profiling a live
// system (YINGSHANG_DEBUG_ADDR). It answers callers on the loopback
// address, and others only with the metrics token as a bearer token
// (YINGSHANG_METRICS_TOKEN); everyone else gets 403. It is served on its
// own listener, never on the public one, and proxies' forwarding headers
// are ignored: the address is the connection's.
func DebugHandler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !debugAllowed(r, token) {
			http.Error(w, "forbidden: the debug listener answers the loopback address or the metrics token (YINGSHANG_METRICS_TOKEN)", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func debugAllowed(r *http.Request, token string) bool {
	if token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1 {
			return true
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// ServeDebug runs the debug listener on addr until ctx ends. ready, when
// set, is told the bound address.
func ServeDebug(ctx context.Context, addr, token string, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// No write timeout: a CPU profile or trace streams for its duration.
	hs := &http.Server{Handler: DebugHandler(token), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	return serveUntil(ctx, ln, hs, ready, 5*time.Second)
}
