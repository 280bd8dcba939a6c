package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// maxRequestIDLength bounds an X-Request-Id taken from the client.
const maxRequestIDLength = 64

// observe wraps h with what every route gets: a request id (taken from a
// sane X-Request-Id header, else random) echoed in the response, the body
// limit, one log line per request and the request metrics.
func (s *Server) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r.Header.Get("X-Request-Id")), resource: "other"}
		w.Header().Set("X-Request-Id", info.id)
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)

		rec := &statusRecorder{ResponseWriter: w}
		s.metrics.inFlight.Add(1)
		defer func() {
			s.metrics.inFlight.Add(-1)
			elapsed := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.observe(r.Method, info.resource, status, elapsed)
			s.log.Info("request",
				"request_id", info.id,
				"method", r.Method,
				"path", r.URL.Path,
				"status", status,
				"bytes", rec.bytes,
				"duration_ms", float64(elapsed.Microseconds())/1000,
				"tenant", info.tenant,
				"credential", info.principal,
				"remote", r.RemoteAddr,
				"user_agent", r.UserAgent(),
			)
		}()
		h.ServeHTTP(rec, r)
	})
}

// requestID returns the client's id when it is 1 to 64 printable ASCII
// bytes without spaces, else a new random one, so a log line never carries
// control characters from a header.
func requestID(fromClient string) string {
	if n := len(fromClient); n > 0 && n <= maxRequestIDLength {
		ok := true
		for i := 0; i < n; i++ {
			if c := fromClient[i]; c <= ' ' || c > '~' {
				ok = false
				break
			}
		}
		if ok {
			return fromClient
		}
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder keeps the status and the body size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
