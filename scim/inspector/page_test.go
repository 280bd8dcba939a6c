package inspector

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestHandlerAuth(t *testing.T) {
	rec := NewRecorder(Options{})
	h, _ := ParseClientHello(sampleHello(t))
	id := rec.AddHandshake(Handshake{Time: time.Now(), RemoteAddr: "127.0.0.1:5", Outcome: OutcomeOK, Hello: h, JA4: h.JA4()})
	srv := httptest.NewServer(rec.Handler(HashToken("right")))
	defer srv.Close()

	tests := []struct {
		name   string
		path   string
		auth   string
		status int
	}{
		{"page without token", "/_inspector", "", 401},
		{"page with bearer", "/_inspector", "Bearer right", 200},
		{"api without token", "/_inspector/api/handshakes", "", 401},
		{"api with wrong token", "/_inspector/api/requests", "Bearer wrong", 401},
		{"api with a SCIM-style basic header", "/_inspector/api/requests", "Basic cmlnaHQ6", 401},
		{"api with bearer", "/_inspector/api/handshakes", "Bearer right", 200},
		{"profile", "/_inspector/api/handshakes/" + itoa(id) + "/profile?name=recorded-client", "Bearer right", 200},
		{"profile of an unknown id", "/_inspector/api/handshakes/999/profile?name=x", "Bearer right", 404},
		{"profile with a bad name", "/_inspector/api/handshakes/" + itoa(id) + "/profile?name=../x", "Bearer right", 400},
		{"unknown path", "/_inspector/nothing", "Bearer right", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestHandlerLoginCookie(t *testing.T) {
	rec := NewRecorder(Options{})
	srv := httptest.NewServer(rec.Handler(HashToken("right")))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.PostForm(srv.URL+"/_inspector/login", url.Values{"token": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: status %d, %d cookies; want 401 and none", resp.StatusCode, len(resp.Cookies()))
	}

	resp, err = client.PostForm(srv.URL+"/_inspector/login", url.Values{"token": {"right"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("right token: status %d, cookies %+v", resp.StatusCode, cookies)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/_inspector/api/handshakes", nil)
	req.AddCookie(cookies[0])
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list []Handshake
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("API with the cookie: status %d", resp.StatusCode)
	}
}

func TestMiddlewareRedactsBodies(t *testing.T) {
	rec := NewRecorder(Options{MaxBodyBytes: 4096})
	handler := rec.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(201)
		w.Write(body)
	}))
	tests := []struct {
		name, contentType, body, secret string
	}{
		{"password at the top", "application/scim+json", `{"userName":"a","password":"hunter2"}`, "hunter2"},
		{"password nested", "application/json", `{"a":[{"b":{"Password":"hunter3"}}]}`, "hunter3"},
		{"PATCH on the password", "application/scim+json", `{"Operations":[{"op":"replace","path":"password","value":"hunter4"}]}`, "hunter4"},
		{"client secret in a form", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_secret=hunter5", "hunter5"},
		{"access token in JSON", "application/json", `{"access_token":"hunter6","token_type":"Bearer"}`, "hunter6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, req)
			if w.Body.String() != tt.body {
				t.Errorf("handler saw a changed body: %q", w.Body.String())
			}
			q := rec.Requests()[0]
			if strings.Contains(q.RequestBody, tt.secret) || !strings.Contains(q.RequestBody, Redacted) {
				t.Errorf("recorded request body = %s", q.RequestBody)
			}
			if strings.Contains(q.ResponseBody, tt.secret) {
				t.Errorf("recorded response body = %s", q.ResponseBody)
			}
			if q.Status != 201 {
				t.Errorf("Status = %d, want 201", q.Status)
			}
		})
	}
}

func TestMiddlewareRedactsTruncatedJSON(t *testing.T) {
	rec := NewRecorder(Options{MaxBodyBytes: 40})
	handler := rec.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	body := `{"userName":"a","password":"hunter2-and-a-long-tail-cut-by-the-limit"}`
	req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	handler.ServeHTTP(httptest.NewRecorder(), req)
	q := rec.Requests()[0]
	if !q.RequestBodyTruncated || strings.Contains(q.RequestBody, "hunter2") {
		t.Errorf("truncated body recorded as %q (truncated %v)", q.RequestBody, q.RequestBodyTruncated)
	}
	if q.RequestBodyBytes != int64(len(body)) {
		t.Errorf("RequestBodyBytes = %d, want %d", q.RequestBodyBytes, len(body))
	}
}

func TestRecorderRingNewestFirst(t *testing.T) {
	rec := NewRecorder(Options{MaxHandshakes: 3})
	for range 5 {
		rec.AddHandshake(Handshake{Outcome: OutcomeOK})
	}
	hs := rec.Handshakes()
	if len(hs) != 3 || hs[0].ID != 5 || hs[2].ID != 3 {
		t.Errorf("ids = %v, want 5 4 3", []uint64{hs[0].ID, hs[1].ID, hs[2].ID})
	}
}

func itoa(id uint64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
