package clients

import (
	"strings"
	"testing"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		profile       string
		key           string
		values        map[string]string
		wantException string
		wantMessage   string
	}{
		{"java-17", ClassDNSFailure, map[string]string{"host": "scim.example.com"},
			"java.net.UnknownHostException", "scim.example.com"},
		{"okta", ClassConnectTimeout, map[string]string{"host": "scim.example.com", "port": "443", "address": "192.0.2.10"},
			"org.apache.http.conn.ConnectTimeoutException", "Connect to scim.example.com:443 [scim.example.com/192.0.2.10] failed: Connect timed out"},
		{"go", ClassConnectRefused, map[string]string{"url": "https://scim.example.com/", "ip": "192.0.2.10", "port": "443"},
			"", `Get "https://scim.example.com/": dial tcp 192.0.2.10:443: connect: connection refused`},
		{"java-17", "alert_40", map[string]string{"alert": "handshake_failure"},
			"javax.net.ssl.SSLHandshakeException", "(handshake_failure) Received fatal alert: handshake_failure"},
		{"curl", ClassAlert, map[string]string{"alert": "protocol_version"},
			"curl: (35)", "OpenSSL/3.0.19: error:0A00042E:SSL routines::tlsv1 alert protocol version"},
		{"java-7", ClassVersionRejected, map[string]string{"version": "TLS 1.2"},
			"javax.net.ssl.SSLHandshakeException", "Server chose TLSv1.2, but that protocol version is not enabled or not supported by the client."},
		{"okta", variantHTTPUnauthorized, map[string]string{"status": "401"},
			"", "Error authenticating: Unauthorized. The connector configuration could not be tested. Make sure that the URL, Authentication Parameters are correct and that there is an implementation available at the URL provided."},
		{"dotnet-4.8", variantHTTPUnauthorized, map[string]string{"status": "401"},
			"System.Net.WebException", "The remote server returned an error: (401) Unauthorized."},
		{"java-17", "hostname_mismatch_wildcard", map[string]string{"host": "scim.example.com"},
			"javax.net.ssl.SSLHandshakeException", "(certificate_unknown) No subject alternative DNS name matching scim.example.com found."},
		{"java-17", "no_such_class", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.profile+" "+tt.key, func(t *testing.T) {
			p, err := Load(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			exception, message := p.ErrorText(tt.key, tt.values)
			if exception != tt.wantException {
				t.Errorf("exception = %q, want %q", exception, tt.wantException)
			}
			if message != tt.wantMessage {
				t.Errorf("message = %q, want %q", message, tt.wantMessage)
			}
		})
	}
}

func TestLoadByName(t *testing.T) {
	p, err := Load("okta")
	if err != nil || p.Name != "okta" {
		t.Fatalf("Load(okta) = %v, %v; want the okta profile", p, err)
	}
	_, err = Load("oktaa")
	if err == nil {
		t.Fatal("Load(oktaa) succeeded, want an error")
	}
	if !strings.Contains(err.Error(), `"oktaa"`) || !strings.Contains(err.Error(), "okta, entra") && !strings.Contains(err.Error(), "entra, okta") {
		t.Errorf("error %q does not quote the name and list the profiles", err)
	}
}
