package check

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// startHTTPS serves handler over TLS minVersion to 1.3 on 127.0.0.1 with a
// certificate for localhost, and returns the port and the CA file.
func startHTTPS(t *testing.T, minVersion uint16, handler http.Handler) (port, caFile string) {
	t.Helper()
	cert := testservers.SelfSigned(t, "localhost", "127.0.0.1")
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatalf("loading the key pair: %v", err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: minVersion})
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	srv := &http.Server{Handler: handler, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), cert.CertFile
}

func scimJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/scim+json")
	io.WriteString(w, body)
}

// TestCheckHTTPLayer checks the verdicts when TLS passes and the HTTP
// answer decides.
func TestCheckHTTPLayer(t *testing.T) {
	const listResponse = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}`
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		token     string
		wantClass string // okta's class
		wantExit  int
		wantText  string // in the http layer's summary or details
	}{
		{
			name: "service provider config",
			handler: func(w http.ResponseWriter, r *http.Request) {
				scimJSON(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`)
			},
			wantClass: "ok",
			wantExit:  report.ExitOK,
			wantText:  "answered 200",
		},
		{
			name: "no service provider config but users list",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/Users") && r.URL.RawQuery == "startIndex=1&count=2" {
					scimJSON(w, listResponse)
					return
				}
				http.NotFound(w, r)
			},
			wantClass: "ok",
			wantExit:  report.ExitOK,
			wantText:  "request of Okta's connection test follows",
		},
		{
			name: "html error page from a proxy",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(500)
				io.WriteString(w, "<html>oops</html>")
			},
			wantClass: "http_error",
			wantExit:  report.ExitFindings,
			wantText:  "not a SCIM error",
		},
		{
			name:      "both paths missing",
			handler:   http.NotFound,
			wantClass: "http_error",
			wantExit:  report.ExitFindings,
			wantText:  "answered 404",
		},
		{
			name: "redirect to a login page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://login.example/sso", http.StatusFound)
			},
			wantClass: "http_error",
			wantExit:  report.ExitFindings,
			wantText:  "https://login.example/sso",
		},
		{
			name: "same-host redirect to a login page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/login" {
					w.Header().Set("Content-Type", "text/html")
					io.WriteString(w, "<html>sign in</html>")
					return
				}
				http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
			},
			wantClass: "http_not_scim",
			wantExit:  report.ExitFindings,
			wantText:  "followed redirects",
		},
		{
			name: "waf html 403 without a token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(403)
				io.WriteString(w, "<html>blocked</html>")
			},
			wantClass: "http_error",
			wantExit:  report.ExitFindings,
			wantText:  "WAF, proxy or login gateway",
		},
		{
			name: "close after the handshake",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			},
			wantClass: "closed_after_handshake",
			wantExit:  report.ExitFindings,
			wantText:  "closed the connection after the TLS handshake",
		},
		{
			name: "html success page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html>blocked</html>")
			},
			wantClass: "http_not_scim",
			wantExit:  report.ExitFindings,
			wantText:  "instead of SCIM JSON",
		},
		{
			name: "token rejected",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(401)
				io.WriteString(w, `{"status":"401"}`)
			},
			token:     "Bearer wrong",
			wantClass: "http_unauthorized",
			wantExit:  report.ExitFindings,
			wantText:  "rejects the credentials",
		},
		{
			name: "no token and 401",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(401)
				io.WriteString(w, `{"status":"401"}`)
			},
			wantClass: "ok",
			wantExit:  report.ExitOK,
			wantText:  "give --token or --basic",
		},
		{
			name:      "no response after the handshake",
			handler:   func(w http.ResponseWriter, r *http.Request) { <-hang },
			wantClass: "read_timeout",
			wantExit:  report.ExitFindings,
			wantText:  "no HTTP response came",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port, caFile := startHTTPS(t, tls.VersionTLS12, tt.handler)
			r, err := Run(context.Background(), Options{
				URL:           "https://localhost:" + port + "/scim/v2",
				Timeout:       time.Second,
				CACertFiles:   []string{caFile},
				Authorization: tt.token,
				// The handlers serve a few fixed responses, not a SCIM API,
				// so the SCIM layer is left out; scim_test.go covers it.
				NoSCIM: true,
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			okta := verdictOf(t, r, "okta")
			if okta.Class != tt.wantClass {
				t.Errorf("okta class = %q, want %q (log line %q)", okta.Class, tt.wantClass, okta.LogLine)
			}
			if tt.wantClass != "ok" {
				if okta.Layer != "http" {
					t.Errorf("okta layer = %q, want http", okta.Layer)
				}
				if okta.LogLine == "" && okta.Message == "" {
					t.Error("okta fails with neither a log line nor a message")
				}
				if okta.Cause == nil || len(okta.Cause.Fix) == 0 {
					t.Errorf("okta fails without a cause and fix: %+v", okta.Cause)
				}
			}
			if r.ExitCode != tt.wantExit {
				t.Errorf("ExitCode = %d, want %d", r.ExitCode, tt.wantExit)
			}
			var text string
			for _, l := range r.Layers {
				if l.Name == "http" {
					text = l.Summary + "\n" + strings.Join(l.Details, "\n")
				}
			}
			if !strings.Contains(text, tt.wantText) {
				t.Errorf("http layer = %q, want it to contain %q", text, tt.wantText)
			}
		})
	}
}
