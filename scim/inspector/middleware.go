package inspector

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// Middleware records every request that passes through next: method, path,
// redacted query and headers, status, latency, and the first bytes of both
// bodies with secrets redacted (see redactBody). Requests to the inspector's
// own pages (/_inspector and below) are not recorded. Bodies reach next and
// the client unchanged; only the copy is cut and redacted.
func (r *Recorder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if isInspectorPath(req.URL.Path) {
			next.ServeHTTP(w, req)
			return
		}
		start := time.Now()
		reqBody := &capture{limit: r.maxBody}
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = &teeBody{ReadCloser: req.Body, capture: reqBody}
		}
		rw := &recordingWriter{ResponseWriter: w, body: capture{limit: r.maxBody}}

		defer func() {
			q := Request{
				Time:                  start,
				HandshakeID:           HandshakeID(req.Context()),
				RemoteAddr:            req.RemoteAddr,
				Method:                req.Method,
				Path:                  req.URL.Path,
				Query:                 redactQuery(req.URL.RawQuery),
				Status:                rw.status,
				Latency:               time.Since(start),
				RequestHeaders:        redactHeaders(req.Header),
				RequestBody:           redactBody(req.Header.Get("Content-Type"), reqBody.buf.Bytes(), reqBody.truncated),
				RequestBodyTruncated:  reqBody.truncated,
				RequestBodyBytes:      reqBody.total,
				ResponseBody:          redactBody(rw.Header().Get("Content-Type"), rw.body.buf.Bytes(), rw.body.truncated),
				ResponseBodyTruncated: rw.body.truncated,
				ResponseBodyBytes:     rw.body.total,
				ResponseContentType:   rw.Header().Get("Content-Type"),
			}
			if q.Status == 0 {
				// The handler wrote nothing: net/http sends 200.
				q.Status = http.StatusOK
			}
			r.AddRequest(q)
		}()
		next.ServeHTTP(rw, req)
	})
}

func isInspectorPath(path string) bool {
	return path == "/_inspector" || len(path) > len("/_inspector/") && path[:len("/_inspector/")] == "/_inspector/" || path == "/_inspector/"
}

// capture keeps the first limit bytes written to it and counts the rest.
type capture struct {
	buf       bytes.Buffer
	limit     int
	total     int64
	truncated bool
}

func (c *capture) keep(p []byte) {
	c.total += int64(len(p))
	room := c.limit - c.buf.Len()
	if len(p) > room {
		p = p[:max(room, 0)]
		c.truncated = true
	}
	c.buf.Write(p)
}

type teeBody struct {
	io.ReadCloser
	capture *capture
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.capture.keep(p[:n])
	return n, err
}

// recordingWriter records the status and the first bytes of the body.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   capture
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.keep(p)
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer for
// Flush, deadlines and Hijack.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush through, for handlers that type-assert
// http.Flusher.
func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
