package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/scim/store/sqlstore"
)

// harness is a Server on a real database with one bearer token of
// tenant "default".
type harness struct {
	t     testing.TB
	srv   *Server
	st    *sqlstore.Store
	token string
	logs  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// databases returns the --db values of the two stores: a new SQLite file
// and a new database on a PostgreSQL server that runs until the test
// named top ends.
func databases(top *testing.T) map[string]func(t *testing.T) string {
	var dsn string
	return map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "scimdoctor.db") },
		"postgres": func(t *testing.T) string {
			if dsn == "" {
				dsn = testservers.StartPostgres(top)
			}
			return testservers.CreatePostgresDatabase(t, dsn)
		},
	}
}

func newHarness(t testing.TB, db string, configure func(*Config)) *harness {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatalf("sqlstore.Open(%q): %v", db, err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	cfg := Config{Store: st, Credentials: st, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	token, err := CreateToken(context.Background(), st, "default", "test")
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return &harness{t: t, srv: srv, st: st, token: token, logs: logs}
}

// response is a recorded response with its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// do sends a request with the harness's token unless headers set
// Authorization. headers alternate names and values.
func (h *harness) do(method, path, body string, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://scim.test"+path, rd)
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if strings.Contains(rec.Header().Get("Content-Type"), "json") && rec.Body.Len() > 0 {
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&res.json); err != nil {
			h.t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, res.body)
		}
	}
	return res
}

// want fails the test unless the response has the status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// str returns the string at a dotted path of the JSON body, such as
// "meta.version" or "Resources.0.id".
func (r response) str(path string) string {
	v := r.get(path)
	s, _ := v.(string)
	return s
}

func (r response) get(path string) any {
	var v any = r.json
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i := 0
			for _, c := range part {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// total returns totalResults as an int, failing unless it is a JSON number.
func (r response) total(t testing.TB) int {
	t.Helper()
	n, ok := r.json["totalResults"].(json.Number)
	if !ok {
		t.Fatalf("totalResults = %#v, want a JSON number; body: %s", r.json["totalResults"], r.body)
	}
	i, _ := n.Int64()
	return int(i)
}
