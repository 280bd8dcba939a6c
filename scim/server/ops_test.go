package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	r := h.do("GET", "/healthz", "", "Authorization", "")
	if r.status != 200 || r.body != "ok\n" {
		t.Errorf("/healthz = %d %q, want 200 ok", r.status, r.body)
	}
	h.do("GET", "/scim/v2/Users/missing", "").want(t, 404)
	h.do("GET", "/scim/v2/Users", "", "Authorization", "").want(t, 401)

	r = h.do("GET", "/metrics", "", "Authorization", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics = %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`scimdoctor_http_requests_total{method="GET",resource="Users",status="404"} 1`,
		`scimdoctor_http_requests_total{method="GET",resource="Users",status="401"} 1`,
		`scimdoctor_http_request_duration_seconds_bucket{method="GET",resource="Users",le="+Inf"} 2`,
		`scimdoctor_http_request_duration_seconds_count{method="GET",resource="healthz"} 1`,
		`scimdoctor_auth_failures_total{reason="missing"} 1`,
		"# TYPE scimdoctor_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(r.body, want+"\n") && !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, r.body)
		}
	}
}

func TestHealthDatabaseDown(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	h.st.Close()
	r := h.do("GET", "/healthz", "")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("/healthz with a closed database = %d, want 503", r.status)
	}
}

func TestRequestID(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	r := h.do("GET", "/scim/v2/ServiceProviderConfig", "", "X-Request-Id", "okta-1234")
	if r.header.Get("X-Request-Id") != "okta-1234" {
		t.Errorf("X-Request-Id = %q, want the client's", r.header.Get("X-Request-Id"))
	}
	r = h.do("GET", "/scim/v2/ServiceProviderConfig", "", "X-Request-Id", "bad id\x01")
	if got := r.header.Get("X-Request-Id"); len(got) != 16 {
		t.Errorf("X-Request-Id = %q, want a new 16-digit id for an unsafe one", got)
	}
	if !strings.Contains(h.logs.String(), `"request_id":"okta-1234"`) {
		t.Errorf("the log lacks the request id:\n%s", h.logs.String())
	}
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	r := h.do("GET", "/scim/v2/ServiceProviderConfig", "").want(t, 200)
	for _, want := range []string{`"patch":{"supported":true}`, `"bulk":{"supported":true,"maxOperations":1000,"maxPayloadSize":1048576}`, `"filter":{"supported":true,"maxResults":1000}`, `"etag":{"supported":true}`, `"changePassword":{"supported":false}`, `"type":"oauthbearertoken"`, `"type":"httpbasic"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("ServiceProviderConfig lacks %s: %s", want, r.body)
		}
	}
	if r := h.do("GET", "/scim/v2/Schemas", "").want(t, 200); r.total(t) != 3 {
		t.Errorf("/Schemas totalResults = %d, want 3", r.total(t))
	}
	if r := h.do("GET", "/scim/v2/ResourceTypes", "").want(t, 200); r.total(t) != 2 {
		t.Errorf("/ResourceTypes totalResults = %d, want 2", r.total(t))
	}
	r = h.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "").want(t, 200)
	if r.str("id") != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("/Schemas/{id} = %s", r.body)
	}
	h.do("GET", "/scim/v2/ResourceTypes/Group", "").want(t, 200)
	h.do("GET", "/scim/v2/ResourceTypes/Widget", "").want(t, 404)
}

// TestGracefulShutdown starts Serve on a loopback port, holds a request
// in flight, cancels the context and checks that the request still gets
// its response and that Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), func(c *Config) {
		c.Wrap = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/healthz" && r.URL.Query().Has("slow") {
					close(entered)
					<-release
				}
				next.ServeHTTP(w, r)
			})
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz?slow")
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answered <- result{resp.StatusCode, string(body), err}
	}()

	<-entered
	cancel()
	// New connections are refused once Shutdown closed the listener, and the
	// dial loop waits for that without a timed sleep.
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
	}
	close(release)

	res := <-answered
	if res.err != nil || res.status != 200 || res.body != "ok\n" {
		t.Errorf("in-flight request = %d %q %v, want 200 ok", res.status, res.body, res.err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v, want nil after a graceful shutdown", err)
	}
}

// TestStrictRejectsDialects checks that Config.Strict turns Entra ID's
// capitalized op and string boolean into RFC 7644 errors.
func TestStrictRejectsDialects(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), func(c *Config) { c.Strict = true })
	id := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"strict.user"}`).want(t, 201).str("id")
	r := h.do("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`).want(t, http.StatusBadRequest)
	if !strings.Contains(r.body, `"status":"400"`) {
		t.Errorf("strict PATCH body = %s", r.body)
	}
	h.do("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`).want(t, http.StatusOK)
}
