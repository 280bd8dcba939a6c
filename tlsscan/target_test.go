package tlsscan

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTargetAccepts(t *testing.T) {
	tests := []struct {
		name, raw string
		host      string
		port      int
		isIP      bool
		fromURL   bool
	}{
		{"host alone", "scim.example.com", "scim.example.com", 443, false, false},
		{"host and port", "scim.example.com:8443", "scim.example.com", 8443, false, false},
		{"ipv4 and port", "127.0.0.1:8443", "127.0.0.1", 8443, true, false},
		{"bracketed ipv6 and port", "[::1]:8443", "::1", 8443, true, false},
		{"bare ipv6", "::1", "::1", 443, true, false},
		{"bracketed ipv6 alone", "[::1]", "::1", 443, true, false},
		{"https url with path", "https://scim.example.com:9443/scim/v2", "scim.example.com", 9443, false, true},
		{"https url without port", "HTTPS://scim.example.com/", "scim.example.com", 443, false, true},
		{"surrounding spaces", "  localhost:1234 ", "localhost", 1234, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTarget(tt.raw)
			if err != nil {
				t.Fatalf("parseTarget(%q) failed: %v", tt.raw, err)
			}
			if got.host != tt.host || got.port != tt.port {
				t.Errorf("parseTarget(%q) = %s:%d, want %s:%d", tt.raw, got.host, got.port, tt.host, tt.port)
			}
			if got.isIP != tt.isIP {
				t.Errorf("parseTarget(%q).isIP = %v, want %v", tt.raw, got.isIP, tt.isIP)
			}
			if got.fromURL != tt.fromURL {
				t.Errorf("parseTarget(%q).fromURL = %v, want %v", tt.raw, got.fromURL, tt.fromURL)
			}
		})
	}
}

func TestParseTargetRejects(t *testing.T) {
	tests := []struct {
		name, raw   string
		wantErr     string
		wantHintSub string
	}{
		{"empty", " ", "missing target", "HOST[:PORT]"},
		{"http url", "http://scim.example.com/scim", "scheme http is not TLS", "for an http:// URL there is nothing to scan"},
		{"ftp url", "ftp://scim.example.com", `scheme "ftp" is not https`, "https:// URL"},
		{"path without scheme", "scim.example.com/scim/v2", "only HOST[:PORT] is allowed", "full https:// URL"},
		{"port zero", "localhost:0", `port "0" is not a number from 1 to 65535`, "443"},
		{"port too large", "localhost:65536", `port "65536"`, "443"},
		{"port not a number", "localhost:https", `port "https"`, "443"},
		{"missing host", ":443", "no host", "HOST[:PORT]"},
		{"https url without host", "https:///scim", "no host", "HOST[:PORT]"},
		{"unbracketed ipv6 with junk", "::1::x", "invalid target", "[::1]:8443"},
		{"unclosed bracket", "[::1", "unbalanced brackets", "[::1]:8443"},
		{"bracket in the middle", "host[::1]:443", "unbalanced brackets", "[::1]:8443"},
		{"space in the host", "a b", "a host name has no spaces", "HOST[:PORT]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTarget(tt.raw)
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("parseTarget(%q) error = %v, want a *UsageError", tt.raw, err)
			}
			if !strings.Contains(usage.Error(), tt.wantErr) {
				t.Errorf("parseTarget(%q) error = %q, want it to contain %q", tt.raw, usage.Error(), tt.wantErr)
			}
			if !strings.Contains(usage.Hint, tt.wantHintSub) {
				t.Errorf("parseTarget(%q) hint = %q, want it to contain %q", tt.raw, usage.Hint, tt.wantHintSub)
			}
		})
	}
}

func TestCheckServerName(t *testing.T) {
	tests := []struct {
		name, sni string
		wantErr   string // empty: accepted
	}{
		{"host name", "scim.example.com", ""},
		{"wildcard-free single label", "localhost", ""},
		{"empty means none", "", ""},
		{"ipv4 address", "127.0.0.1", "not IP addresses"},
		{"ipv6 address in brackets", "[::1]", "not IP addresses"},
		{"space", "bad name", `' ' is not allowed`},
		{"too long", strings.Repeat("a", 254), "more than the 253"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkServerName(tt.sni)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("checkServerName(%q) = %v, want nil", tt.sni, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkServerName(%q) = %v, want an error containing %q", tt.sni, err, tt.wantErr)
			}
		})
	}
}
