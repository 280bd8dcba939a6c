package check

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantHost string
		wantPort int
		wantIP   bool
		wantSPC  string
	}{
		{"default port", "https://scim.example.com/scim/v2", "scim.example.com", 443, false, "https://scim.example.com/scim/v2/ServiceProviderConfig"},
		{"explicit port and trailing slash", "https://scim.example.com:8443/scim/v2/", "scim.example.com", 8443, false, "https://scim.example.com:8443/scim/v2/ServiceProviderConfig"},
		{"ipv4 literal", "https://127.0.0.1:9443/scim", "127.0.0.1", 9443, true, "https://127.0.0.1:9443/scim/ServiceProviderConfig"},
		{"ipv6 literal", "https://[::1]:9443/", "::1", 9443, true, "https://[::1]:9443/ServiceProviderConfig"},
		{"uppercase scheme", "HTTPS://localhost/scim", "localhost", 443, false, "https://localhost/scim/ServiceProviderConfig"},
		{"query kept", "https://localhost/scim?tenant=abc", "localhost", 443, false, "https://localhost/scim/ServiceProviderConfig?tenant=abc"},
		{"escaped slash kept", "https://localhost/t%2Fx/scim", "localhost", 443, false, "https://localhost/t%2Fx/scim/ServiceProviderConfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseURL(%q) failed: %v", tt.raw, err)
			}
			if e.Host != tt.wantHost {
				t.Errorf("Host = %q, want %q", e.Host, tt.wantHost)
			}
			if e.Port != tt.wantPort {
				t.Errorf("Port = %d, want %d", e.Port, tt.wantPort)
			}
			if e.IsIP != tt.wantIP {
				t.Errorf("IsIP = %v, want %v", e.IsIP, tt.wantIP)
			}
			if got := e.ServiceProviderConfigURL(); got != tt.wantSPC {
				t.Errorf("ServiceProviderConfigURL() = %q, want %q", got, tt.wantSPC)
			}
		})
	}
}

func TestUsersURLKeepsQuery(t *testing.T) {
	e, err := ParseURL("https://localhost/scim/v2?tenant=abc")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.UsersURL(), "https://localhost/scim/v2/Users?tenant=abc&startIndex=1&count=2"; got != want {
		t.Errorf("UsersURL() = %q, want %q", got, want)
	}
}

func TestParseURLRejects(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantError string
		wantHint  string
	}{
		{"empty", "  ", "missing SCIM base URL", "https://"},
		{"no scheme", "scim.example.com/scim/v2", "no scheme", "https://scim.example.com/scim/v2"},
		{"plain http", "http://scim.example.com/scim/v2", "scheme http is not TLS", "https only"},
		{"other scheme", "ftp://scim.example.com/", `scheme "ftp"`, "https://"},
		{"no host", "https:///scim/v2", "no host", "https://"},
		{"port out of range", "https://scim.example.com:70000/", `port "70000"`, "leave the port out"},
		{"port not a number", "https://scim.example.com:abc/", "invalid URL", "https://"},
		{"credentials in url", "https://user:pw@scim.example.com/", "credentials in the URL", "--token or --basic"},
		{"control character", "https://scim.example.com/\x7f", "invalid URL", "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseURL(%q) succeeded, want an error", tt.raw)
			}
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("error %v is %T, want *UsageError", err, err)
			}
			if !strings.Contains(usage.Error(), tt.wantError) {
				t.Errorf("error = %q, want it to contain %q", usage.Error(), tt.wantError)
			}
			if !strings.Contains(usage.Hint, tt.wantHint) {
				t.Errorf("hint = %q, want it to contain %q", usage.Hint, tt.wantHint)
			}
		})
	}
}
