package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable Config.Now.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestAuthFailures(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	tests := []struct {
		name          string
		authorization string
		wantReason    string
	}{
		{"missing header", "", "missing Authorization header"},
		{"okta spec test non-token", "non-token", "the Authorization header has no scheme"},
		{"bare token without scheme", "scimdoctor_token_LlwUAOsecretvalue", "the Authorization header has no scheme; send Authorization: Bearer TOKEN"},
		{"token in place of scheme", "scimdoctor_token_LlwUAOsecretvalue extra", "the Authorization scheme is not a valid token"},
		{"digest scheme named", "Digest username=x", `unsupported Authorization scheme \"Digest\"`},
		{"unknown bearer token", "Bearer scimdoctor_token_wrong", "unknown, revoked or expired"},
		{"empty bearer token", "Bearer ", "empty bearer token"},
		{"unknown basic user", "Basic " + base64.StdEncoding.EncodeToString([]byte("nobody:pw")), "user or password is wrong"},
		{"malformed basic", "Basic !!!", "malformed HTTP Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do("GET", "/scim/v2/Users", "", "Authorization", tt.authorization).want(t, http.StatusUnauthorized)
			if !strings.Contains(r.body, `"status":"401"`) || !strings.Contains(r.body, tt.wantReason) {
				t.Errorf("body = %s, want status \"401\" and %q", r.body, tt.wantReason)
			}
			if strings.Contains(r.body, "secretvalue") {
				t.Errorf("body = %s, want no credential material", r.body)
			}
			challenges := strings.Join(r.header.Values("WWW-Authenticate"), "; ")
			if !strings.Contains(challenges, `Bearer realm="scimdoctor"`) || !strings.Contains(challenges, `Basic realm="scimdoctor"`) {
				t.Errorf("WWW-Authenticate = %q, want Bearer and Basic challenges", challenges)
			}
		})
	}
	if !strings.Contains(h.logs.String(), "authentication failed") || strings.Contains(h.logs.String(), "scimdoctor_token_wrong") {
		t.Errorf("the log must record failures without the presented token:\n%s", h.logs.String())
	}
}

func TestBasicAuth(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	password, err := CreateBasicUser(t.Context(), h.st, "default", "okta")
	if err != nil {
		t.Fatal(err)
	}
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte("okta:"+password))
	h.do("GET", "/scim/v2/Users", "", "Authorization", good).want(t, http.StatusOK)
	bad := "Basic " + base64.StdEncoding.EncodeToString([]byte("okta:"+password+"x"))
	h.do("GET", "/scim/v2/Users", "", "Authorization", bad).want(t, http.StatusUnauthorized)
	if _, err := CreateBasicUser(t.Context(), h.st, "default", "okta"); err == nil {
		t.Errorf("a second Basic user named okta was created")
	}
}

func TestOAuthClientCredentials(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), func(c *Config) { c.Now = clock.now })
	id, secret, err := CreateClient(t.Context(), h.st, "entra", "entra-gallery")
	if err != nil {
		t.Fatal(err)
	}
	post := func(form url.Values, basicUser, basicPassword string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "http://scim.test/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basicUser != "" {
			req.SetBasicAuth(basicUser, basicPassword)
		}
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, req)
		return rec
	}

	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		wantStatus int
		wantError  string
	}{
		{"secret in form", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", "", 200, ""},
		{"secret by basic", url.Values{"grant_type": {"client_credentials"}}, id, secret, 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"nope"}}, "", "", 401, "invalid_client"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}}, "who", "x", 401, "invalid_client"},
		{"password grant", url.Values{"grant_type": {"password"}}, id, secret, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(tt.form, tt.user, tt.pass)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not JSON: %s", rec.Body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error = %v, want %s", body["error"], tt.wantError)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("token response = %s, headers %v", rec.Body, rec.Header())
			}
		})
	}

	rec := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", "")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &tok)
	h.do("GET", "/tenants/entra/scim/v2/Users", "", "Authorization", "Bearer "+tok.AccessToken).want(t, http.StatusOK)
	h.do("GET", "/tenants/default/scim/v2/Users", "", "Authorization", "Bearer "+tok.AccessToken).want(t, http.StatusForbidden)

	clock.t = clock.t.Add(DefaultAccessTokenTTL + time.Second)
	h.do("GET", "/scim/v2/Users", "", "Authorization", "Bearer "+tok.AccessToken).want(t, http.StatusUnauthorized)
}

func TestRateLimit(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), func(c *Config) {
		c.Now = clock.now
		c.RatePerSecond = 2
		c.RateBurst = 3
	})
	for i := range 3 {
		if r := h.do("GET", "/scim/v2/ServiceProviderConfig", ""); r.status != 200 {
			t.Fatalf("request %d of the burst: status %d", i+1, r.status)
		}
	}
	r := h.do("GET", "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "1" || !strings.Contains(r.body, `"status":"429"`) {
		t.Errorf("429: Retry-After %q, body %s", r.header.Get("Retry-After"), r.body)
	}
	if !strings.Contains(r.body, "retry after 1 second\"") {
		t.Errorf("429 detail does not say \"retry after 1 second\": %s", r.body)
	}
	other := newTenantClient(t, h, "other")
	other.do("GET", "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusOK)

	clock.t = clock.t.Add(500 * time.Millisecond)
	h.do("GET", "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusOK)
	h.do("GET", "/scim/v2/ServiceProviderConfig", "").want(t, http.StatusTooManyRequests)
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), func(c *Config) { c.MaxBodyBytes = 4096 })
	big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big","title":"` + strings.Repeat("x", 5000) + `"}`
	r := h.do("POST", "/scim/v2/Users", big).want(t, http.StatusRequestEntityTooLarge)
	if !strings.Contains(r.body, `"status":"413"`) || !strings.Contains(r.body, "4096 bytes") {
		t.Errorf("413 body = %s", r.body)
	}
	h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"small"}`).want(t, http.StatusCreated)
}

func TestRateRejectedUnlessFinite(t *testing.T) {
	st := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil).st
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1)} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			_, err := New(Config{Store: st, Credentials: st, RatePerSecond: rate})
			if err == nil || !strings.Contains(err.Error(), "invalid rate") {
				t.Errorf("New with rate %g: error %v, want invalid rate", rate, err)
			}
		})
	}
}
