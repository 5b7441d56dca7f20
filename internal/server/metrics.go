package server

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics keeps request counters and latency histograms and writes them in
// the Prometheus text exposition format. It is a few dozen lines, so the
// platform does without the Prometheus client library and its dependencies.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // method, route, status
	hist     map[string]*histogram
}

var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, hist: map[string]*histogram{}}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, fmt.Sprint(status)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.hist[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
		}
	}
	h.sum += sec
	h.n++
}

func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// metricsAllowed reports whether the caller may read /metrics: with a
// metrics token configured, whoever presents it as a bearer token; and
// always a caller on the loopback address (a scraper on the same host).
// Behind a trusted proxy the loopback test uses the forwarded address, so
// the proxy itself does not make every visitor local.
func (s *Server) metricsAllowed(r *http.Request) bool {
	if tok := s.App.Cfg.MetricsToken; tok != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(tok)) == 1 {
			return true
		}
	}
	ip, err := netip.ParseAddr(s.clientIP(r))
	return err == nil && ip.Unmap().IsLoopback()
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.metricsAllowed(r) {
		http.Error(w, "forbidden: /metrics answers the loopback address or the metrics token (YINGSHANG_METRICS_TOKEN)", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.metrics
	m.mu.Lock()
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], " ") < strings.Join(keys[j][:], " ") })
	fmt.Fprintln(w, "# HELP yingshang_http_requests_total HTTP requests by method, route and status.")
	fmt.Fprintln(w, "# TYPE yingshang_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "yingshang_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %d\n", esc(k[0]), esc(k[1]), k[2], m.requests[k])
	}
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	fmt.Fprintln(w, "# HELP yingshang_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE yingshang_http_request_duration_seconds histogram")
	for _, rt := range routes {
		h := m.hist[rt]
		for i, b := range buckets {
			fmt.Fprintf(w, "yingshang_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %d\n", esc(rt), b, h.counts[i])
		}
		fmt.Fprintf(w, "yingshang_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", esc(rt), h.n)
		fmt.Fprintf(w, "yingshang_http_request_duration_seconds_sum{route=\"%s\"} %g\n", esc(rt), h.sum)
		fmt.Fprintf(w, "yingshang_http_request_duration_seconds_count{route=\"%s\"} %d\n", esc(rt), h.n)
	}
	m.mu.Unlock()
	ctx := r.Context()
	if seq, _, err := s.App.Audit.Head(ctx); err == nil {
		fmt.Fprintln(w, "# HELP yingshang_audit_events_total Events in the audit chain.")
		fmt.Fprintln(w, "# TYPE yingshang_audit_events_total counter")
		fmt.Fprintf(w, "yingshang_audit_events_total %d\n", seq)
	}
	if st, err := s.App.Jobs.Stats(ctx); err == nil {
		fmt.Fprintln(w, "# HELP yingshang_jobs Jobs in the durable queue by state.")
		fmt.Fprintln(w, "# TYPE yingshang_jobs gauge")
		states := make([]string, 0, len(st))
		for k := range st {
			states = append(states, k)
		}
		sort.Strings(states)
		for _, k := range states {
			fmt.Fprintf(w, "yingshang_jobs{state=\"%s\"} %d\n", esc(k), st[k])
		}
	}
	up := 1
	if s.App.DB.Ping(ctx) != nil {
		up = 0
	}
	fmt.Fprintln(w, "# HELP yingshang_database_up Whether the database answers.")
	fmt.Fprintln(w, "# TYPE yingshang_database_up gauge")
	fmt.Fprintf(w, "yingshang_database_up %d\n", up)
}
