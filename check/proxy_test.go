package check

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestCheckThroughProxies runs check through the lab's forward proxy, which
// tunnels TLS unchanged, and its inspection proxy, which re-signs it, to the
// lab's good endpoint. Proxy variables are set explicitly, and --proxy
// applies to the loopback target, which HTTPS_PROXY would skip.
func TestCheckThroughProxies(t *testing.T) {
	l, err := lab.Start(context.Background(), "good", "forward-proxy", "inspection-proxy")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	good, _ := l.Endpoint("good")
	forward, _ := l.Endpoint("forward-proxy")
	inspection, _ := l.Endpoint("inspection-proxy")

	tests := []struct {
		name            string
		proxy           string
		wantIntercepted bool
		wantConnects    bool
	}{
		{"forward proxy passes TLS through", forward.URL, false, true},
		{"inspection proxy re-signs", inspection.URL, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Run(context.Background(), Options{
				URL: good.URL, Proxy: tt.proxy, Timeout: 3 * time.Second,
				CACertFiles: []string{l.CAFile}, Authorization: "Bearer " + lab.BearerToken,
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if r.Path == nil || r.Path.Proxy == nil {
				t.Fatalf("path = %+v, want the proxy described", r.Path)
			}
			if r.Path.Proxy.Intercepted != tt.wantIntercepted {
				t.Errorf("Intercepted = %v, want %v (evidence %v)", r.Path.Proxy.Intercepted, tt.wantIntercepted, r.Path.Proxy.Evidence)
			}
			if okta := r.Verdicts[0]; okta.Connects != tt.wantConnects {
				t.Errorf("okta connects = %v, want %v (%s)", okta.Connects, tt.wantConnects, okta.LogLine)
			}
			var ids []string
			for _, f := range r.Findings {
				ids = append(ids, f.ID)
			}
			if got := slices.Contains(ids, "path.tls_inspection"); got != tt.wantIntercepted {
				t.Errorf("path.tls_inspection present = %v, want %v (findings %v)", got, tt.wantIntercepted, ids)
			}
			layer := pathLayer(t, r)
			if tt.wantIntercepted && !strings.Contains(layer.Summary, "not what Okta or Entra ID see") {
				t.Errorf("path summary = %q, want it to say the check sees the proxy", layer.Summary)
			}
			if okta := r.Verdicts[0]; tt.wantIntercepted && (okta.Cause == nil || !strings.Contains(okta.Cause.Component, "TLS-inspecting proxy")) {
				t.Errorf("okta cause = %+v, want the inspecting proxy as the component", okta.Cause)
			}
		})
	}
}

func TestCheckProxyErrors(t *testing.T) {
	l, err := lab.Start(context.Background(), "good", "forward-proxy")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	good, _ := l.Endpoint("good")
	forward, _ := l.Endpoint("forward-proxy")

	// An https:// URL for a plain-HTTP proxy is the WRONG_VERSION_NUMBER
	// mistake. The check cannot reach the server and reports why.
	wrongScheme := "https://" + strings.TrimPrefix(forward.URL, "http://")
	r, err := Run(context.Background(), Options{URL: good.URL, Proxy: wrongScheme, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.ExitCode != report.ExitUnreachable {
		t.Errorf("exit code = %d, want %d", r.ExitCode, report.ExitUnreachable)
	}
	var tcp report.Layer
	for _, l := range r.Layers {
		if l.Name == "tcp" {
			tcp = l
		}
	}
	if tcp.Status != report.StatusFail || !strings.Contains(strings.Join(tcp.Details, " "), "http://") {
		t.Errorf("tcp layer = %+v, want a failure that says to use http://", tcp)
	}

	if _, err := Run(context.Background(), Options{URL: good.URL, Proxy: "socks5://127.0.0.1:1"}); err == nil {
		t.Errorf("Run with a socks5 proxy succeeded; want a usage error")
	}
}

// TestCheckThroughTinyproxy sends the check through tinyproxy, a real HTTP
// CONNECT proxy from Debian, which passes TLS through unchanged.
func TestCheckThroughTinyproxy(t *testing.T) {
	l, err := lab.Start(context.Background(), "good")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	good, _ := l.Endpoint("good")
	proxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{})

	r, err := Run(context.Background(), Options{
		URL: good.URL, Proxy: "http://" + proxy, Timeout: 3 * time.Second,
		CACertFiles: []string{l.CAFile}, Authorization: "Bearer " + lab.BearerToken,
	})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.Path == nil || r.Path.Proxy == nil || r.Path.Proxy.Intercepted {
		t.Fatalf("proxy = %+v, want a proxy that passes TLS through", r.Path)
	}
	for _, v := range r.Verdicts {
		if !v.Connects {
			t.Errorf("%s = %s %q through tinyproxy, want it to connect", v.Client, v.Class, v.LogLine)
		}
	}
	if !strings.Contains(r.Path.Summary, "passed TLS through unchanged") {
		t.Errorf("path summary = %q, want it to say the proxy passed TLS through", r.Path.Summary)
	}
}
