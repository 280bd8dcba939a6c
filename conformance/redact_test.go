package conformance

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestRedactorShortSecret checks a secret shorter than minSubstringSecret:
// it is redacted where it sits (header, credential field, whole JSON
// value, query parameter) and ordinary text that contains it is left
// alone.
func TestRedactorShortSecret(t *testing.T) {
	r := &redactor{}
	r.add("tok", "pw")

	tests := []struct {
		name string
		got  string
		want string
	}{
		{"word containing the secret", r.clean("the token expired"), "the token expired"},
		{"json credential field", r.body([]byte(`{"access_token":"tok","token_type":"Bearer"}`)), `{"access_token":"[REDACTED]","token_type":"Bearer"}`},
		{"json password field", r.body([]byte(`{"userName":"pwd-user","password":"Pw-1234"}`)), `{"userName":"pwd-user","password":"[REDACTED]"}`},
		{"json value equal to a secret", r.body([]byte(`{"detail":"tok","note":"token"}`)), `{"detail":"[REDACTED]","note":"token"}`},
		{"nested array value", r.body([]byte(`{"a":[{"b":"pw"},"x"],"c":1}`)), `{"a":[{"b":"[REDACTED]"},"x"],"c":1}`},
		{"json layout kept", r.body([]byte("{ \"password\" : \"x\",\n \"k\":true }")), "{ \"password\" : \"[REDACTED]\",\n \"k\":true }"},
		{"not json", r.body([]byte("<html>token</html>")), "<html>token</html>"},
		{"query parameter value", r.url("https://x/scim/Users?filter=userName%20eq%20%22a%22&key=tok"), "https://x/scim/Users?filter=userName%20eq%20%22a%22&key=[REDACTED]"},
		{"query credential name", r.url("https://x/token?client_secret=abc&scope=s"), "https://x/token?client_secret=[REDACTED]&scope=s"},
		{"user information", r.url("https://u:pw@x/scim"), "https://[REDACTED]@x/scim"},
		{"path with template kept", r.url("https://x/Users/{{userId}}"), "https://x/Users/{{userId}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}

	h := r.header(http.Header{
		"Authorization": {"Basic dTpwdw=="},
		"X-Echo":        {"pw"},
		"Set-Cookie":    {"session=1"},
		"X-Note":        {"token"},
	}, nil)
	for name, want := range map[string]string{"Authorization": "Basic [REDACTED]", "X-Echo": redacted, "Set-Cookie": redacted, "X-Note": "token"} {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}

// TestRedactorLongSecret checks a secret of at least minSubstringSecret
// bytes: it is also replaced inside free text and inside JSON strings that
// quote it.
func TestRedactorLongSecret(t *testing.T) {
	const secret = "s3cr3t-token-value"
	r := &redactor{}
	r.add(secret)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"free text", r.clean("bearer " + secret + " is invalid"), "bearer [REDACTED] is invalid"},
		{"json detail quoting it", r.body([]byte(`{"detail":"token ` + secret + ` expired"}`)), `{"detail":"token [REDACTED] expired"}`},
		{"not json", r.body([]byte("error: " + secret)), "error: [REDACTED]"},
		{"url path", r.url("https://x/scim/" + secret + "/Users"), "https://x/scim/[REDACTED]/Users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
			if strings.Contains(tt.got, secret) {
				t.Errorf("output %q contains the secret", tt.got)
			}
		})
	}
}

// FuzzRedactorBody checks that redacting any body never panics, and that
// a body accepted as JSON stays valid JSON after redaction.
func FuzzRedactorBody(f *testing.F) {
	for _, seed := range []string{`{"a":"pw"}`, `["pw",{"password":1}]`, `"pw"`, `{"a":`, `{}{}`, `<html>`, ``} {
		f.Add(seed)
	}
	r := &redactor{}
	r.add("pw")
	f.Fuzz(func(t *testing.T, body string) {
		out, ok := r.jsonValues([]byte(body))
		if ok && !json.Valid(out) {
			t.Errorf("body %q redacted to %q, which is not valid JSON", body, out)
		}
	})
}
