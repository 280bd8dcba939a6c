package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics holds the counters that /metrics exposes in the Prometheus text
// format (version 0.0.4).
type metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[latencyKey]*histogram

	inFlight     atomic.Int64
	rateLimited  atomic.Uint64
	authFailures sync.Map // reason -> *atomic.Uint64
}

type requestKey struct {
	method, resource string
	status           int
}

type latencyKey struct{ method, resource string }

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	total  uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, latencies: map[latencyKey]*histogram{}}
}

// knownMethods keeps the method label to a fixed set, so a client cannot
// grow the metrics without bound by sending invented methods.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func (m *metrics) observe(method, resource string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{method, resource, status}]++
	h := m.latencies[latencyKey{method, resource}]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latencies[latencyKey{method, resource}] = h
	}
	sec := d.Seconds()
	for i, bound := range latencyBuckets {
		if sec <= bound {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.total++
}

func (m *metrics) authFailed(reason string) {
	v, _ := m.authFailures.LoadOrStore(reason, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
}

// write writes every metric in the Prometheus text exposition format,
// series sorted by label values so the output is stable.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	reqKeys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		reqKeys = append(reqKeys, k)
	}
	sort.Slice(reqKeys, func(i, j int) bool {
		a, b := reqKeys[i], reqKeys[j]
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	fmt.Fprintln(w, "# HELP scimdoctor_http_requests_total HTTP requests answered, by method, resource and status code.")
	fmt.Fprintln(w, "# TYPE scimdoctor_http_requests_total counter")
	for _, k := range reqKeys {
		fmt.Fprintf(w, "scimdoctor_http_requests_total{method=%q,resource=%q,status=\"%d\"} %d\n", k.method, k.resource, k.status, m.requests[k])
	}

	latKeys := make([]latencyKey, 0, len(m.latencies))
	for k := range m.latencies {
		latKeys = append(latKeys, k)
	}
	sort.Slice(latKeys, func(i, j int) bool {
		if latKeys[i].resource != latKeys[j].resource {
			return latKeys[i].resource < latKeys[j].resource
		}
		return latKeys[i].method < latKeys[j].method
	})
	fmt.Fprintln(w, "# HELP scimdoctor_http_request_duration_seconds Time from the request's arrival to the end of the response.")
	fmt.Fprintln(w, "# TYPE scimdoctor_http_request_duration_seconds histogram")
	for _, k := range latKeys {
		h := m.latencies[k]
		labels := fmt.Sprintf("method=%q,resource=%q", k.method, k.resource)
		var cumulative uint64
		for i, bound := range latencyBuckets {
			cumulative += h.counts[i]
			fmt.Fprintf(w, "scimdoctor_http_request_duration_seconds_bucket{%s,le=%q} %d\n", labels, strconv.FormatFloat(bound, 'g', -1, 64), cumulative)
		}
		fmt.Fprintf(w, "scimdoctor_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.total)
		fmt.Fprintf(w, "scimdoctor_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(w, "scimdoctor_http_request_duration_seconds_count{%s} %d\n", labels, h.total)
	}
	m.mu.Unlock()

	fmt.Fprintln(w, "# HELP scimdoctor_http_requests_in_flight Requests being answered now.")
	fmt.Fprintln(w, "# TYPE scimdoctor_http_requests_in_flight gauge")
	fmt.Fprintf(w, "scimdoctor_http_requests_in_flight %d\n", m.inFlight.Load())
	fmt.Fprintln(w, "# HELP scimdoctor_rate_limited_total Requests rejected with 429 by the per-credential rate limit.")
	fmt.Fprintln(w, "# TYPE scimdoctor_rate_limited_total counter")
	fmt.Fprintf(w, "scimdoctor_rate_limited_total %d\n", m.rateLimited.Load())

	var reasons []string
	m.authFailures.Range(func(k, _ any) bool { reasons = append(reasons, k.(string)); return true })
	sort.Strings(reasons)
	fmt.Fprintln(w, "# HELP scimdoctor_auth_failures_total Requests rejected with 401, by reason.")
	fmt.Fprintln(w, "# TYPE scimdoctor_auth_failures_total counter")
	for _, reason := range reasons {
		v, _ := m.authFailures.Load(reason)
		fmt.Fprintf(w, "scimdoctor_auth_failures_total{reason=%q} %d\n", reason, v.(*atomic.Uint64).Load())
	}
}

// handleMetrics serves /metrics without authentication: the series carry
// counts and timings, never a tenant, a credential or a resource value.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	infoFrom(r.Context()).resource = "metrics"
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed; use GET", http.StatusMethodNotAllowed)
		return
	}
	var b strings.Builder
	s.metrics.write(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	io.WriteString(w, b.String())
}

// handleHealth serves /healthz without authentication: 200 "ok" when the
// database responds, else 503 with the reason.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	infoFrom(r.Context()).resource = "healthz"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p, ok := s.cfg.Store.(Pinger); ok {
		if err := p.Ping(r.Context()); err != nil {
			s.log.Error("health check failed", "request_id", infoFrom(r.Context()).id, "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unavailable\n")
			return
		}
	}
	io.WriteString(w, "ok\n")
}
