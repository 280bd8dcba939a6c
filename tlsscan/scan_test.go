package tlsscan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// testTimeout bounds each connection of the scans in these tests. Loopback
// servers answer in milliseconds.
const testTimeout = 3 * time.Second

func acceptedVersions(r *Result) []string {
	var out []string
	for _, v := range r.Versions {
		if v.Accepted {
			out = append(out, v.Version)
		}
	}
	return out
}

func findingIDs(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

func suiteNames(r *Result, version string) ([]string, bool) {
	for _, list := range r.Suites {
		if list.Version == version {
			var names []string
			for _, s := range list.Suites {
				names = append(names, s.Name)
			}
			return names, list.ServerOrder
		}
	}
	return nil, false
}

func sigAlgSchemes(r *Result, version string) []string {
	for _, list := range r.SignatureAlgorithms {
		if list.Version == version {
			return list.Schemes
		}
	}
	return nil
}

func writeCAFile(t *testing.T, pem []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatalf("writing the lab CA file failed: %v", err)
	}
	return path
}

// TestRunLab scans lab endpoints that each get one thing wrong and checks
// the versions and findings the scan reports for it.
func TestRunLab(t *testing.T) {
	l, err := lab.Start(context.Background(), "good", "tls10-only", "client-cert-required", "sni-required", "plain-http", "reset", "3des-only")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	caFile := writeCAFile(t, l.CACertPEM)

	tests := []struct {
		endpoint     string
		wantVersions []string
		wantFindings []string
		check        func(t *testing.T, r *Result)
	}{
		{"good", []string{"TLS 1.2", "TLS 1.3"}, nil, func(t *testing.T, r *Result) {
			if r.Certificate == nil || len(r.Certificate.Chain) == 0 {
				t.Fatalf("certificate = %+v, want a chain", r.Certificate)
			}
			if len(r.Certificate.Problems) != 0 {
				t.Errorf("certificate problems = %+v, want none with the lab CA trusted", r.Certificate.Problems)
			}
			if got := r.Certificate.Versions; !slices.Equal(got, []string{"TLS 1.3", "TLS 1.2"}) {
				t.Errorf("certificate sent at %v, want [TLS 1.3 TLS 1.2]", got)
			}
			if len(r.Clients) != len(clients.All()) {
				t.Errorf("simulated clients = %d, want every profile (%d)", len(r.Clients), len(clients.All()))
			}
			for _, name := range []string{"okta", "entra", "java-17", "openssl-3"} {
				if v := clientVerdict(t, r, name); !v.Connects {
					t.Errorf("%s verdict = %s %q, want it to connect", name, v.Class, v.LogLine)
				}
			}
			if len(r.Groups) != 2 {
				t.Errorf("group scans = %d, want one per accepted version (2)", len(r.Groups))
			}
			// The lab leaf has an ECDSA P-256 key.
			for _, version := range []string{"TLS 1.2", "TLS 1.3"} {
				if got := sigAlgSchemes(r, version); !slices.Contains(got, "ecdsa_secp256r1_sha256") {
					t.Errorf("%s signature algorithms = %v, want ecdsa_secp256r1_sha256 among them", version, got)
				}
			}
		}},
		{"tls10-only", []string{"TLS 1.0"}, []string{"client.idp_fails", "client.idp_fails", "tls.no_tls12"}, func(t *testing.T, r *Result) {
			names, _ := suiteNames(r, "TLS 1.0")
			if len(names) == 0 {
				t.Errorf("TLS 1.0 suites = none, want the suites the endpoint accepts")
			}
			okta := clientVerdict(t, r, "okta")
			if want := "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version"; okta.LogLine != want {
				t.Errorf("okta log line = %q, want %q", okta.LogLine, want)
			}
		}},
		{"client-cert-required", []string{"TLS 1.2", "TLS 1.3"}, []string{"client.idp_fails", "client.idp_fails", "tls.client_cert_required"}, func(t *testing.T, r *Result) {
			if r.ClientAuth == nil || len(r.ClientAuth.Versions) != 2 {
				t.Fatalf("client auth = %+v, want TLS 1.2 and TLS 1.3 entries", r.ClientAuth)
			}
			for _, v := range r.ClientAuth.Versions {
				if v.Requirement != certcheck.RequirementRequired {
					t.Errorf("client auth %s requirement = %q, want %q", v.Version, v.Requirement, certcheck.RequirementRequired)
				}
			}
		}},
		{"plain-http", nil, []string{"client.idp_fails", "client.idp_fails", "tls.not_tls"}, func(t *testing.T, r *Result) {
			for _, v := range r.Versions {
				// The HTTP server waits for the end of the short SSL 2.0
				// hello, so that probe times out.
				if v.Version != "SSL 2.0" && v.Kind != "not_tls" {
					t.Errorf("version %s kind = %s (%s), want not_tls", v.Version, v.Kind, v.Answer)
				}
			}
		}},
		{"3des-only", []string{"TLS 1.2"}, []string{"client.idp_fails", "client.idp_fails", "tls.no_entra_suite", "tls.weak_suites"}, nil},
		{"reset", nil, []string{"client.idp_fails", "client.idp_fails", "tls.no_tls_answer"}, func(t *testing.T, r *Result) {
			for _, f := range r.Findings {
				if f.ID == "tls.no_tls_answer" && f.Title != "the port resets every TLS hello" {
					t.Errorf("tls.no_tls_answer title = %q, want the reset wording", f.Title)
				}
			}
		}},
		{"sni-required", []string{"TLS 1.2", "TLS 1.3"}, []string{"client.idp_fails", "tls.sni_required"}, func(t *testing.T, r *Result) {
			if r.SNI == nil || !r.SNI.RequiresSNI {
				t.Errorf("sni = %+v, want RequiresSNI", r.SNI)
			}
			// Java sends no SNI for "localhost"; Entra ID's SChannel does.
			if okta := clientVerdict(t, r, "okta"); okta.Connects || okta.Alert != "unrecognized_name" {
				t.Errorf("okta verdict = connects %v, alert %q; want a failure with unrecognized_name", okta.Connects, okta.Alert)
			}
			if entra := clientVerdict(t, r, "entra"); !entra.Connects {
				t.Errorf("entra verdict = %+v; want it to connect with SNI", entra)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			t.Parallel()
			endpoint := lab.Endpoint{}
			for _, e := range l.Endpoints {
				if e.Name == tt.endpoint {
					endpoint = e
				}
			}
			_, port, err := net.SplitHostPort(endpoint.Addr)
			if err != nil {
				t.Fatalf("lab endpoint %q has address %q: %v", tt.endpoint, endpoint.Addr, err)
			}
			r, err := Run(context.Background(), Options{
				Target: "localhost:" + port, Timeout: testTimeout, CACertFiles: []string{caFile}, FailOn: report.SeverityMedium,
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if got := acceptedVersions(r); !slices.Equal(got, tt.wantVersions) {
				t.Errorf("accepted versions = %v, want %v", got, tt.wantVersions)
			}
			if got := findingIDs(r); !slices.Equal(got, tt.wantFindings) {
				t.Errorf("findings = %v, want %v (%+v)", got, tt.wantFindings, r.Findings)
			}
			wantExit := report.ExitOK
			if len(tt.wantFindings) > 0 {
				wantExit = report.ExitFindings
			}
			if r.ExitCode != wantExit {
				t.Errorf("exit code = %d, want %d", r.ExitCode, wantExit)
			}
			if r.Schema != Schema {
				t.Errorf("schema = %q, want %q", r.Schema, Schema)
			}
			if r.Connections == 0 {
				t.Errorf("connections = 0, want the count of the scan")
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestRunOpenSSLSuites scans `openssl s_server` limited to TLS 1.2 and two
// suites in server order, and one limited to a suite outside Entra ID's
// list.
func TestRunOpenSSLSuites(t *testing.T) {
	tests := []struct {
		name            string
		ciphers         string
		wantSuites      []string
		wantServerOrder bool
		wantFinding     string
		wantNoFinding   string
	}{
		{
			name:            "ecdhe gcm first in server order",
			ciphers:         "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA",
			wantSuites:      []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"},
			wantServerOrder: true,
			wantFinding:     "certificate.self_signed",
			wantNoFinding:   "tls.no_entra_suite",
		},
		{
			name:        "static rsa only",
			ciphers:     "AES128-SHA",
			wantSuites:  []string{"TLS_RSA_WITH_AES_128_CBC_SHA"},
			wantFinding: "tls.no_entra_suite",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := testservers.StartOpenSSL(t, "-tls1_2", "-cipher", tt.ciphers, "-serverpref", "-www")
			r, err := Run(context.Background(), Options{Target: addr, Timeout: testTimeout})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if got := acceptedVersions(r); !slices.Equal(got, []string{"TLS 1.2"}) {
				t.Errorf("accepted versions = %v, want [TLS 1.2]", got)
			}
			names, serverOrder := suiteNames(r, "TLS 1.2")
			if !slices.Equal(names, tt.wantSuites) {
				t.Errorf("TLS 1.2 suites = %v, want %v", names, tt.wantSuites)
			}
			if serverOrder != tt.wantServerOrder {
				t.Errorf("server order = %v, want %v", serverOrder, tt.wantServerOrder)
			}
			ids := findingIDs(r)
			if !slices.Contains(ids, tt.wantFinding) {
				t.Errorf("findings = %v, want %s among them", ids, tt.wantFinding)
			}
			if tt.wantNoFinding != "" && slices.Contains(ids, tt.wantNoFinding) {
				t.Errorf("findings = %v, want no %s", ids, tt.wantNoFinding)
			}
			if r.ServerName != "" {
				t.Errorf("server name = %q, want none for an IP target", r.ServerName)
			}
			if r.ExitCode != report.ExitOK {
				t.Errorf("exit code = %d, want %d without FailOn", r.ExitCode, report.ExitOK)
			}
		})
	}
}

func TestRunClosedPortUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen failed: %v", err)
	}
	addr := l.Addr().String()
	l.Close()

	r, err := Run(context.Background(), Options{Target: addr, Timeout: testTimeout, FailOn: report.SeverityInfo})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if !r.Unreachable {
		t.Errorf("unreachable = false, want true for a closed port")
	}
	if r.ExitCode != report.ExitUnreachable {
		t.Errorf("exit code = %d, want %d", r.ExitCode, report.ExitUnreachable)
	}
	if !strings.Contains(r.Error, "refused") {
		t.Errorf("error = %q, want the connection refusal", r.Error)
	}
	if len(r.Versions) != 0 || len(r.Findings) != 0 {
		t.Errorf("versions %v and findings %v, want none after an unreachable target", r.Versions, r.Findings)
	}
}

func TestRunUsageErrors(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "notpem.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"http url", Options{Target: "http://127.0.0.1:1/"}, "scheme http is not TLS"},
		{"missing cacert", Options{Target: "127.0.0.1:1", CACertFiles: []string{"missing.pem"}}, "invalid --cacert"},
		{"cacert without certificate", Options{Target: "127.0.0.1:1", CACertFiles: []string{notPEM}}, "notpem.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.opts)
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("Run error = %v, want a *UsageError", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// TestWriteRendersSections renders one lab scan as text and JSON.
func TestWriteRendersSections(t *testing.T) {
	l, err := lab.Start(context.Background(), "tls10-only")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	r, err := Run(context.Background(), Options{Target: l.Endpoints[0].Addr, Timeout: testTimeout, MaxConnsPerHost: 1})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}

	var text bytes.Buffer
	if err := Write(&text, r, report.FormatText, report.Options{}); err != nil {
		t.Fatalf("Write text failed: %v", err)
	}
	for _, section := range []string{"Versions", "Cipher suites", "Groups", "Signature algorithms", "Features", "Certificate", "SNI", "Client certificates", "Findings"} {
		if !strings.Contains(text.String(), "\n"+section+"\n") {
			t.Errorf("text output has no %q section:\n%s", section, text.String())
		}
	}
	if strings.Contains(text.String(), "\x1b[") {
		t.Errorf("text output has colour codes without Options.Color")
	}
	if !strings.Contains(text.String(), "TLS 1.0 (") {
		t.Errorf("text output has no TLS 1.0 suite list:\n%s", text.String())
	}

	var out bytes.Buffer
	if err := Write(&out, r, report.FormatJSON, report.Options{}); err != nil {
		t.Fatalf("Write JSON failed: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil {
		t.Fatalf("JSON output does not parse: %v", err)
	}
	if decoded["schema"] != Schema {
		t.Errorf("JSON schema = %v, want %q", decoded["schema"], Schema)
	}
	for _, key := range []string{"versions", "suites", "groups", "signature_algorithms", "features", "certificate", "sni", "client_auth", "findings", "connections", "exit_code"} {
		if _, ok := decoded[key]; !ok {
			t.Errorf("JSON output has no %q field", key)
		}
	}
}

// clientVerdict returns the simulated verdict of the named profile.
func clientVerdict(t *testing.T, r *Result, name string) report.Verdict {
	t.Helper()
	for _, v := range r.Clients {
		if v.Client == name {
			return v
		}
	}
	t.Fatalf("no verdict for client %q among %d", name, len(r.Clients))
	return report.Verdict{}
}

func TestRunMissingIntermediateFetchAIA(t *testing.T) {
	t.Parallel()
	l, err := lab.Start(context.Background(), "missing-intermediate")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	endpoint, _ := l.Endpoint("missing-intermediate")
	_, port, _ := net.SplitHostPort(endpoint.Addr)

	for _, fetch := range []bool{false, true} {
		r, err := Run(context.Background(), Options{
			Target: "localhost:" + port, Timeout: testTimeout, CACertFiles: []string{l.CAFile},
			Clients: []string{"okta", "entra"}, FetchAIA: fetch,
		})
		if err != nil {
			t.Fatalf("Run(FetchAIA %v) failed: %v", fetch, err)
		}
		c := r.Certificate
		if c == nil || len(c.Problems) == 0 || c.Problems[0].Class != certcheck.ProblemIncompleteChain {
			t.Fatalf("FetchAIA %v: certificate problems = %+v, want incomplete_chain first", fetch, c)
		}
		// Okta's JSSE never fetches the issuer; Entra ID's SChannel does.
		if okta := clientVerdict(t, r, "okta"); okta.Connects || okta.Class != "incomplete_chain" {
			t.Errorf("FetchAIA %v: okta = connects %v class %q, want an incomplete_chain failure", fetch, okta.Connects, okta.Class)
		}
		if entra := clientVerdict(t, r, "entra"); !entra.Connects {
			t.Errorf("FetchAIA %v: entra = %s %q, want it to connect by fetching the issuer", fetch, entra.Class, entra.LogLine)
		}
		for _, check := range c.Trust {
			if check.Error == "" && check.Trusted {
				t.Errorf("FetchAIA %v: trust store %s accepts the chain without the intermediate", fetch, check.Store)
			}
		}

		assumed := strings.Contains(strings.Join(clientVerdict(t, r, "entra").Evidence, "\n"), "assumes the download succeeds")
		if assumed == fetch {
			t.Errorf("FetchAIA %v: entra evidence says the download is assumed: %v, want %v", fetch, assumed, !fetch)
		}
		if !fetch {
			if c.AIA != nil {
				t.Errorf("AIA = %+v without FetchAIA, want nothing fetched", c.AIA)
			}
			continue
		}
		if c.AIA == nil || len(c.AIA.Fetches) != 1 || c.AIA.Fetches[0].Outcome != certcheck.AIAIssuerFound {
			t.Fatalf("AIA = %+v, want one fetch that found the issuer", c.AIA)
		}
		if !strings.Contains(c.Problems[0].Detail, "would complete the chain") {
			t.Errorf("incomplete_chain detail = %q, want it to say the AIA URL would complete the chain", c.Problems[0].Detail)
		}
	}
}

func TestRunJavaCACertsInvalid(t *testing.T) {
	dir := t.TempDir()
	notStore := filepath.Join(dir, "cacerts")
	if err := os.WriteFile(notStore, []byte("not a key store\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Target: "127.0.0.1:1", JavaCACerts: notStore})
	var usage *UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("Run error = %v, want a *UsageError", err)
	}
	if !strings.Contains(usage.Err.Error(), "invalid --java-cacerts") || !strings.Contains(usage.Err.Error(), notStore) {
		t.Errorf("error = %q, want it to name --java-cacerts and the file", usage.Err)
	}
}

func TestRunJavaCACertsTrustDiffers(t *testing.T) {
	t.Parallel()
	keytool, err := exec.LookPath("keytool")
	if err != nil {
		t.Skip("keytool not found: install the Debian package openjdk-17-jdk-headless (bash scripts/install-test-deps.sh does)")
	}
	l, err := lab.Start(context.Background(), "good")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	endpoint, _ := l.Endpoint("good")
	_, port, _ := net.SplitHostPort(endpoint.Addr)

	// A JKS trust store with the lab root only, as a site that added its
	// private CA to the JVM's cacerts has.
	store := filepath.Join(t.TempDir(), "cacerts")
	out, err := exec.Command(keytool, "-importcert", "-noprompt", "-alias", "labroot", "-file", l.CAFile,
		"-keystore", store, "-storepass", "changeit", "-storetype", "JKS").CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -importcert failed: %v\n%s", err, out)
	}

	r, err := Run(context.Background(), Options{
		Target: "localhost:" + port, Timeout: testTimeout, JavaCACerts: store, Clients: []string{"okta", "java-17"},
	})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	trusted := map[string]bool{}
	for _, check := range r.Certificate.Trust {
		trusted[check.Store] = check.Trusted
	}
	want := map[string]bool{certcheck.StoreMozilla: false, certcheck.StoreSystem: false, certcheck.StoreJava: true}
	for store, w := range want {
		if trusted[store] != w {
			t.Errorf("trust %s = %v, want %v", store, trusted[store], w)
		}
	}
	if !slices.Contains(findingIDs(r), "certificate.trust_differs") {
		t.Errorf("findings = %v, want certificate.trust_differs", findingIDs(r))
	}
	// java-17 trusts the given cacerts; okta keeps the Mozilla roots.
	if v := clientVerdict(t, r, "java-17"); !v.Connects {
		t.Errorf("java-17 = %s %q, want it to connect with the lab root in its cacerts", v.Class, v.LogLine)
	}
	if v := clientVerdict(t, r, "okta"); v.Connects || v.Class != "untrusted" {
		t.Errorf("okta = connects %v class %q, want untrusted with the Mozilla roots", v.Connects, v.Class)
	}
}

func TestRunSNIRequiredByIP(t *testing.T) {
	t.Parallel()
	l, err := lab.Start(context.Background(), "sni-required")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	endpoint, _ := l.Endpoint("sni-required")

	// By IP the scan sends no SNI, so the server rejects every version.
	r, err := Run(context.Background(), Options{Target: endpoint.Addr, Timeout: testTimeout, Clients: []string{"okta"}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	ids := findingIDs(r)
	if !slices.Contains(ids, "tls.sni_required") {
		t.Errorf("findings = %v, want tls.sni_required", ids)
	}
	if slices.Contains(ids, "tls.no_tls12") {
		t.Errorf("findings = %v; tls.no_tls12 blames the versions of a server that only needs SNI", ids)
	}
	for _, f := range r.Findings {
		if f.ID == "tls.sni_required" && !strings.Contains(f.Detail, "--sni") {
			t.Errorf("tls.sni_required detail = %q, want the --sni next step", f.Detail)
		}
	}
}
