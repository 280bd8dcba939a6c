package inspector

import (
	"context"
	"sync"
	"time"
)

// Default limits of a Recorder.
const (
	DefaultMaxHandshakes = 1000
	DefaultMaxRequests   = 1000
	// DefaultMaxBodyBytes is how much of each request and response body
	// is kept.
	DefaultMaxBodyBytes = 16 << 10
)

// Outcomes of a handshake attempt.
const (
	// OutcomeOK: the handshake completed.
	OutcomeOK = "ok"
	// OutcomeFailed: a ClientHello came but the handshake failed.
	OutcomeFailed = "failed"
	// OutcomeNotTLS: the client sent bytes that are not a TLS handshake,
	// such as a plain HTTP request.
	OutcomeNotTLS = "not_tls"
	// OutcomeNoHello: the client sent nothing, or closed or timed out
	// before a whole ClientHello arrived.
	OutcomeNoHello = "no_hello"
)

// Handshake is one recorded TLS handshake attempt.
type Handshake struct {
	ID         uint64    `json:"id"`
	Time       time.Time `json:"time"`
	RemoteAddr string    `json:"remote_addr"`
	LocalAddr  string    `json:"local_addr"`
	// Outcome is OutcomeOK, OutcomeFailed, OutcomeNotTLS or OutcomeNoHello.
	Outcome string `json:"outcome"`
	// Reason explains a failure in one sentence that names the mismatch,
	// such as "client offered only TLS 1.0, TLS 1.1; server requires
	// TLS 1.2 or later". Empty on success.
	Reason string `json:"reason,omitempty"`
	// Error is crypto/tls's error or the read error, as it was returned.
	Error string `json:"error,omitempty"`
	// Hello is the parsed ClientHello, nil when none arrived.
	Hello *ClientHello `json:"client_hello,omitempty"`
	// ParseError describes where the first bytes stopped being a valid hello.
	ParseError string `json:"parse_error,omitempty"`
	// FirstBytes are the first bytes the client sent, at most 64, for
	// OutcomeNotTLS and for hellos that did not parse.
	FirstBytes []byte `json:"first_bytes,omitempty"`
	// JA4 is the hello's JA4 fingerprint.
	JA4 string `json:"ja4,omitempty"`
	// Version, CipherSuite, Group and ALPN are what the server negotiated,
	// on success.
	Version     uint16 `json:"version,omitempty"`
	CipherSuite uint16 `json:"cipher_suite,omitempty"`
	Group       uint16 `json:"group,omitempty"`
	ALPN        string `json:"alpn,omitempty"`
	// Duration is the time from accept to the end of the handshake.
	Duration time.Duration `json:"duration_ns"`
}

// Request is one recorded HTTP request.
type Request struct {
	ID   uint64    `json:"id"`
	Time time.Time `json:"time"`
	// HandshakeID links to the Handshake of the connection, 0 when the
	// connection did not pass through the inspector's listener.
	HandshakeID uint64 `json:"handshake_id,omitempty"`
	RemoteAddr  string `json:"remote_addr"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	// Query is the raw query with secret values replaced.
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
	// Latency is the time from the start of the handler to its return.
	Latency time.Duration `json:"latency_ns"`
	// RequestHeaders holds the headers with secret values replaced.
	RequestHeaders map[string][]string `json:"request_headers,omitempty"`
	// RequestBody and ResponseBody are the first bytes of each body, with
	// secret values replaced. The Truncated flags report a cut.
	RequestBody           string `json:"request_body,omitempty"`
	RequestBodyTruncated  bool   `json:"request_body_truncated,omitempty"`
	RequestBodyBytes      int64  `json:"request_body_bytes"`
	ResponseBody          string `json:"response_body,omitempty"`
	ResponseBodyTruncated bool   `json:"response_body_truncated,omitempty"`
	ResponseBodyBytes     int64  `json:"response_body_bytes"`
	ResponseContentType   string `json:"response_content_type,omitempty"`
}

// Options set the limits of a Recorder. Zero fields take the defaults.
type Options struct {
	MaxHandshakes int
	MaxRequests   int
	MaxBodyBytes  int
}

// Recorder keeps the newest handshakes and requests in bounded rings. It is
// safe for concurrent use.
type Recorder struct {
	maxBody int

	mu         sync.Mutex
	nextID     uint64
	handshakes ring[Handshake]
	requests   ring[Request]
	// changed is closed and replaced whenever a handshake is added, to
	// wake WaitHello.
	changed chan struct{}
	// counter counts every added handshake, also those the ring has
	// overwritten since.
	counter *HandshakeCounter
}

// NewRecorder returns an empty Recorder with the limits of opts.
func NewRecorder(opts Options) *Recorder {
	if opts.MaxHandshakes <= 0 {
		opts.MaxHandshakes = DefaultMaxHandshakes
	}
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = DefaultMaxRequests
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Recorder{
		maxBody:    opts.MaxBodyBytes,
		handshakes: newRing[Handshake](opts.MaxHandshakes),
		requests:   newRing[Request](opts.MaxRequests),
		changed:    make(chan struct{}),
		counter:    newHandshakeCounter(),
	}
}

// newID returns the next id; ids are shared by handshakes and requests,
// so they also order the two by time.
func (r *Recorder) newID() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	return r.nextID
}

// AddHandshake records and counts h and returns its id. A zero h.ID gets
// a new id.
func (r *Recorder) AddHandshake(h Handshake) uint64 {
	if h.ID == 0 {
		h.ID = r.newID()
	}
	r.counter.add(h)
	r.mu.Lock()
	r.handshakes.add(h)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	return h.ID
}

// AddRequest records q and returns its id. A zero q.ID gets a new id.
func (r *Recorder) AddRequest(q Request) uint64 {
	if q.ID == 0 {
		q.ID = r.newID()
	}
	r.mu.Lock()
	r.requests.add(q)
	r.mu.Unlock()
	return q.ID
}

// Handshakes returns the recorded handshakes, newest first.
func (r *Recorder) Handshakes() []Handshake {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handshakes.newestFirst()
}

// Requests returns the recorded requests, newest first.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests.newestFirst()
}

// Handshake returns the recorded handshake with the given id, if it is
// still in the ring.
func (r *Recorder) Handshake(id uint64) (Handshake, bool) {
	for _, h := range r.Handshakes() {
		if h.ID == id {
			return h, true
		}
	}
	return Handshake{}, false
}

// LatestHello returns the newest handshake with a parsed ClientHello whose
// client IP address is host. An empty host matches every client.
func (r *Recorder) LatestHello(host string) (Handshake, bool) {
	for _, h := range r.Handshakes() {
		if h.Hello != nil && (host == "" || hostOf(h.RemoteAddr) == host) {
			return h, true
		}
	}
	return Handshake{}, false
}

// WaitHello returns the oldest recorded handshake with a parsed
// ClientHello from host (any client when host is empty) whose ID is
// greater than after, and waits for one when none is recorded yet. It
// returns ctx's error when ctx ends first. Pass 0 as after for the first
// such handshake still in the ring.
func (r *Recorder) WaitHello(ctx context.Context, host string, after uint64) (Handshake, error) {
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		handshakes := r.Handshakes()
		for i := len(handshakes) - 1; i >= 0; i-- {
			h := handshakes[i]
			if h.ID > after && h.Hello != nil && (host == "" || hostOf(h.RemoteAddr) == host) {
				return h, nil
			}
		}
		select {
		case <-ctx.Done():
			return Handshake{}, ctx.Err()
		case <-changed:
		}
	}
}

// ring is a fixed-size buffer that overwrites its oldest entry.
type ring[T any] struct {
	items []T
	next  int
	full  bool
}

func newRing[T any](size int) ring[T] {
	return ring[T]{items: make([]T, size)}
}

func (q *ring[T]) add(item T) {
	q.items[q.next] = item
	q.next++
	if q.next == len(q.items) {
		q.next = 0
		q.full = true
	}
}

func (q *ring[T]) newestFirst() []T {
	n := q.next
	if q.full {
		n = len(q.items)
	}
	out := make([]T, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, q.items[(q.next-i+len(q.items))%len(q.items)])
	}
	return out
}
