package clients

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// TestSimulateProfiles predicts every profile against lab endpoints that
// tell the profiles apart by version, cipher suite and trust. The expected
// classes follow from each profile's hello and from the lab's crypto/tls
// servers. A server picks the newest version both sides have when the hello
// has no supported_versions. So a TLS 1.0-only server responds to such a
// TLS 1.2 hello with a TLS 1.0 ServerHello, or with handshake_failure when
// none of the client's suites exists in TLS 1.0 (Entra offers only TLS 1.2
// suites).
func TestSimulateProfiles(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := lab.Start(ctx, "good", "tls10-only", "tls13-only", "3des-only", "self-signed")
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	defer l.Close()

	const (
		ok      = ClassOK
		alert   = ClassAlert
		version = ClassVersionRejected
		untrust = ClassUntrusted
	)
	want := map[string]map[string]string{
		"good": {
			"entra": ok, "okta": ok, "curl": ok, "dotnet-4.5": alert, "dotnet-4.8": ok, "go": ok,
			"java-11": ok, "java-17": ok, "java-21": ok, "java-7": alert, "java-8u202": ok, "java-8u291": ok,
			"openssl-1.0.0": alert, "openssl-1.1.1": ok, "openssl-3": ok,
		},
		"tls10-only": {
			"entra": alert, "okta": alert, "curl": version, "dotnet-4.5": ok, "dotnet-4.8": ok, "go": alert,
			"java-11": alert, "java-17": alert, "java-21": alert, "java-7": ok, "java-8u202": ok, "java-8u291": alert,
			"openssl-1.0.0": ok, "openssl-1.1.1": alert, "openssl-3": version,
		},
		"tls13-only": {
			"entra": alert, "okta": ok, "curl": ok, "dotnet-4.5": alert, "dotnet-4.8": alert, "go": ok,
			"java-11": ok, "java-17": ok, "java-21": ok, "java-7": alert, "java-8u202": alert, "java-8u291": alert,
			"openssl-1.0.0": alert, "openssl-1.1.1": ok, "openssl-3": ok,
		},
		"3des-only": {
			"entra": alert, "okta": alert, "curl": alert, "dotnet-4.5": alert, "dotnet-4.8": ok, "go": alert,
			"java-11": alert, "java-17": alert, "java-21": alert, "java-7": alert, "java-8u202": ok, "java-8u291": alert,
			"openssl-1.0.0": alert, "openssl-1.1.1": alert, "openssl-3": alert,
		},
		"self-signed": {
			"entra": untrust, "okta": untrust, "curl": untrust, "dotnet-4.5": alert, "dotnet-4.8": untrust, "go": untrust,
			"java-11": untrust, "java-17": untrust, "java-21": untrust, "java-7": alert, "java-8u202": untrust, "java-8u291": untrust,
			"openssl-1.0.0": alert, "openssl-1.1.1": untrust, "openssl-3": untrust,
		},
	}

	prober := &tlsprobe.Prober{MaxConnsPerHost: 32, Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]map[string]*Prediction{}
	for endpoint := range want {
		e, found := l.Endpoint(endpoint)
		if !found {
			t.Fatalf("lab endpoint %s is not running", endpoint)
		}
		got[endpoint] = map[string]*Prediction{}
		for _, p := range All() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pred := Simulate(ctx, prober, Target{
					Addr: e.Addr, Host: hostPort(e.URL), Path: "/scim/v2/ServiceProviderConfig",
					Roots: l.CertPool(), Authorization: "Bearer " + l.Token, Timeout: 5 * time.Second,
				}, p)
				mu.Lock()
				got[endpoint][p.Name] = pred
				mu.Unlock()
			}()
		}
	}
	wg.Wait()

	for endpoint, byProfile := range want {
		for _, p := range All() {
			t.Run(endpoint+"/"+p.Name, func(t *testing.T) {
				wantClass, listed := byProfile[p.Name]
				if !listed {
					t.Fatalf("no expected class for profile %s; add it to the table", p.Name)
				}
				pred := got[endpoint][p.Name]
				if pred.Class != wantClass {
					t.Errorf("class %q (%s), want %q\nevidence:\n  %s", pred.Class, pred.LogLine(), wantClass, strings.Join(pred.Evidence, "\n  "))
				}
				checkPredictionShape(t, pred, p)
			})
		}
	}
}

// checkPredictionShape checks what every prediction must satisfy.
func checkPredictionShape(t *testing.T, pred *Prediction, p *Profile) {
	t.Helper()
	if pred.Profile != p.Name || pred.Display != p.Display {
		t.Errorf("prediction names %q (%q), want %q (%q)", pred.Profile, pred.Display, p.Name, p.Display)
	}
	if pred.Message == "" {
		t.Errorf("prediction has no message")
	}
	if strings.Contains(pred.Message, "{") {
		t.Errorf("message %q has an unfilled placeholder", pred.Message)
	}
	if pred.Connects != (pred.Class == ClassOK || (pred.Class == ClassClientCertRequired && pred.Layer == LayerHTTP)) {
		t.Errorf("Connects = %v with class %s at layer %s", pred.Connects, pred.Class, pred.Layer)
	}
	if pred.Class == ClassAlert && pred.Alert == "" {
		t.Errorf("class alert without the alert's name in Alert")
	}
	if pred.Class != ClassOK && pred.Layer == "" {
		t.Errorf("failure class %s has no layer", pred.Class)
	}
	if weakerConfidence(pred.Confidence, p.Confidence) != pred.Confidence {
		t.Errorf("confidence %q is stronger than the profile's %q", pred.Confidence, p.Confidence)
	}
	if len(pred.Evidence) < 2 {
		t.Errorf("evidence %q says too little: want the hello and what the server did", pred.Evidence)
	}
	if pred.Probe == nil {
		t.Errorf("prediction has no probe result")
	}
}

func hostPort(rawURL string) string {
	rest := strings.TrimPrefix(rawURL, "https://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// TestSimulateSelfSignedVariant checks the text variant for a self-signed
// leaf, which curl and OpenSSL word apart from an unknown issuer.
func TestSimulateSelfSignedVariant(t *testing.T) {
	ctx := context.Background()
	l, err := lab.Start(ctx, "self-signed", "missing-intermediate")
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	defer l.Close()
	curl, _ := Lookup("curl")
	prober := &tlsprobe.Prober{}
	tests := []struct {
		endpoint string
		want     string
	}{
		{"self-signed", "curl: (60) SSL certificate problem: self-signed certificate"},
		{"missing-intermediate", "curl: (60) SSL certificate problem: unable to get local issuer certificate"},
	}
	for _, tt := range tests {
		e, _ := l.Endpoint(tt.endpoint)
		pred := Simulate(ctx, prober, Target{Addr: e.Addr, Host: hostPort(e.URL), Roots: l.CertPool(), Timeout: 5 * time.Second}, curl)
		if got := pred.LogLine(); got != tt.want {
			t.Errorf("%s: curl line %q, want %q", tt.endpoint, got, tt.want)
		}
	}
}

// TestSimulateDefaultTrustStore checks that a Target without Roots uses the
// profile's store: the lab CA is in no public store.
func TestSimulateDefaultTrustStore(t *testing.T) {
	ctx := context.Background()
	l, err := lab.Start(ctx, "good")
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	defer l.Close()
	e, _ := l.Endpoint("good")
	java, _ := Lookup("java-17")
	pred := Simulate(ctx, &tlsprobe.Prober{}, Target{Addr: e.Addr, Host: hostPort(e.URL), Timeout: 5 * time.Second}, java)
	if pred.Class != ClassUntrusted {
		t.Errorf("class %q, want %q: the lab CA is not in the Mozilla store", pred.Class, ClassUntrusted)
	}
}

// TestSimulateDNSFailure uses a name under the reserved .invalid TLD
// (RFC 6761), which resolvers answer without asking the network.
func TestSimulateDNSFailure(t *testing.T) {
	java, _ := Lookup("java-17")
	prober := &tlsprobe.Prober{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "scim.invalid", IsNotFound: true}}
	}}
	pred := Simulate(context.Background(), prober, Target{Addr: "scim.invalid:443", Host: "scim.invalid", Timeout: time.Second}, java)
	if pred.Class != ClassDNSFailure || pred.Layer != LayerDNS {
		t.Fatalf("class %q at layer %q, want %q at %q", pred.Class, pred.Layer, ClassDNSFailure, LayerDNS)
	}
	if got, want := pred.LogLine(), "java.net.UnknownHostException: scim.invalid"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}

// TestSimulateProbeError checks that a hello that cannot be sent gives an
// empty class and the reason in the evidence.
func TestSimulateProbeError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	java, _ := Lookup("java-17")
	pred := Simulate(ctx, &tlsprobe.Prober{}, Target{Addr: "127.0.0.1:1", Host: "localhost", Timeout: time.Second}, java)
	if pred.Class != "" || pred.Connects {
		t.Errorf("class %q, connects %v; want no class for a canceled simulation", pred.Class, pred.Connects)
	}
	if len(pred.Evidence) == 0 || !strings.Contains(fmt.Sprint(pred.Evidence), "did not run") {
		t.Errorf("evidence %q does not say the simulation did not run", pred.Evidence)
	}
}
