package netpath

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
)

// containsLine reports whether any line of lines contains part.
func containsLine(lines []string, part string) bool {
	for _, line := range lines {
		if strings.Contains(line, part) {
			return true
		}
	}
	return false
}

// TestInspectionProxyReSigns runs a TLS-inspecting proxy on 127.0.0.1 that
// re-signs the origin's certificate, and compares the chains.
func TestInspectionProxyReSigns(t *testing.T) {
	tests := []struct {
		name        string
		caCN, caOrg string
		wantProduct string
	}{
		{name: "zscaler", caCN: "Zscaler Root CA", caOrg: "Zscaler Inc.", wantProduct: "Zscaler"},
		{name: "fortigate", caCN: "FortiGate CA", caOrg: "Fortinet", wantProduct: "Fortinet"},
		{name: "renamed corporate CA", caCN: "Corp Outbound Inspection", caOrg: "Example Corp", wantProduct: ""},
	}
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	ctx := context.Background()
	direct, err := PeerChain(ctx, &Dialer{Timeout: testTimeout}, origin, "")
	if err != nil {
		t.Fatalf("direct PeerChain: %v", err)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := startInspectionProxy(t, newTestCA(t, tt.caCN, tt.caOrg))
			dialer := proxyDialer(t, origin, "http://"+proxy)

			proxied, err := PeerChain(ctx, dialer, origin, "")
			if err != nil {
				t.Fatalf("PeerChain through the inspection proxy: %v", err)
			}
			inspection := CompareChains(direct, proxied)
			if !inspection.Intercepted {
				t.Errorf("Intercepted = false, want true; evidence: %q", inspection.Evidence)
			}
			if inspection.Product != tt.wantProduct {
				t.Errorf("Product = %q, want %q", inspection.Product, tt.wantProduct)
			}
			if !strings.Contains(inspection.Issuer, tt.caCN) {
				t.Errorf("Issuer = %q, want the inspection CA %q", inspection.Issuer, tt.caCN)
			}
			if !strings.Contains(inspection.DirectIssuer, "Origin Test CA") {
				t.Errorf("DirectIssuer = %q, want the origin's CA", inspection.DirectIssuer)
			}
			if !containsLine(inspection.Evidence, "the proxy terminates TLS and re-signs the certificate") {
				t.Errorf("Evidence = %q, want the issuer comparison", inspection.Evidence)
			}
			if !containsLine(inspection.Evidence, "your scan sees the proxy, not what Okta sees; the IdP connects from the internet") {
				t.Errorf("Evidence = %q, want what interception means for the scan", inspection.Evidence)
			}

			// The proxy forwards to the origin, as a real one does.
			conn, err := dialer.DialContext(ctx, "tcp", origin)
			if err != nil {
				t.Fatalf("DialContext through the inspection proxy: %v", err)
			}
			if got := readGreeting(t, conn); got != originGreeting {
				t.Errorf("read %q through the inspection proxy, want %q", got, originGreeting)
			}
		})
	}
}

func TestCompareChains(t *testing.T) {
	publicCA := newTestCA(t, "Example Public CA R1", "Example Trust Services")
	otherPublicCA := newTestCA(t, "Example Public CA R2", "Example Trust Services")
	zscaler := newTestCA(t, "Zscaler Intermediate Root CA (zscaler.net)", "Zscaler Inc.")
	serverChain := chain(t, publicCA.issue(t, "scim.example.com"))
	otherServerChain := chain(t, publicCA.issue(t, "scim.example.com"))
	otherIssuerChain := chain(t, otherPublicCA.issue(t, "scim.example.com"))
	zscalerChain := chain(t, zscaler.issue(t, "scim.example.com"))
	zscalerChain2 := chain(t, zscaler.issue(t, "scim.example.com"))

	tests := []struct {
		name            string
		direct, proxied []*x509.Certificate
		wantIntercepted bool
		wantProduct     string
		wantEvidence    []string
		wantNoEvidence  bool
	}{
		{
			name: "same chain", direct: serverChain, proxied: serverChain,
			wantNoEvidence: true,
		},
		{
			name: "other leaf same issuer", direct: serverChain, proxied: otherServerChain,
			wantEvidence: []string{"same issuer", "different servers behind the name"},
		},
		{
			name: "other issuer", direct: serverChain, proxied: otherIssuerChain,
			wantIntercepted: true,
			wantEvidence:    []string{"Example Public CA R2", "Example Public CA R1", "re-signs", "your scan sees the proxy"},
		},
		{
			name: "zscaler re-signs", direct: serverChain, proxied: zscalerChain,
			wantIntercepted: true, wantProduct: "Zscaler",
			wantEvidence: []string{"re-signs", `the issuer CN of certificate 0 (leaf) seen through the proxy is "Zscaler Intermediate Root CA (zscaler.net)"`, "your scan sees the proxy"},
		},
		{
			name: "both paths inspected", direct: zscalerChain, proxied: zscalerChain2,
			wantIntercepted: true, wantProduct: "Zscaler",
			wantEvidence: []string{"direct path is inspected as well", "your scan sees the proxy"},
		},
		{
			name: "no direct chain", direct: nil, proxied: zscalerChain,
			wantIntercepted: true, wantProduct: "Zscaler",
			wantEvidence: []string{"names the TLS-inspection product Zscaler", "your scan sees the proxy"},
		},
		{
			name: "no proxied chain", direct: serverChain, proxied: nil,
			wantNoEvidence: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareChains(tt.direct, tt.proxied)
			if got.Intercepted != tt.wantIntercepted {
				t.Errorf("Intercepted = %v, want %v; evidence: %q", got.Intercepted, tt.wantIntercepted, got.Evidence)
			}
			if got.Product != tt.wantProduct {
				t.Errorf("Product = %q, want %q", got.Product, tt.wantProduct)
			}
			for _, part := range tt.wantEvidence {
				if !containsLine(got.Evidence, part) {
					t.Errorf("Evidence = %q, want a line containing %q", got.Evidence, part)
				}
			}
			if tt.wantNoEvidence && len(got.Evidence) != 0 {
				t.Errorf("Evidence = %q, want none", got.Evidence)
			}
		})
	}
}

// TestDetectProductNames checks the CA names the products use by default,
// and public CA names that must not match.
func TestDetectProductNames(t *testing.T) {
	tests := []struct {
		name        string
		issuer      pkix.Name
		wantProduct string
	}{
		{name: "zscaler root", issuer: pkix.Name{CommonName: "Zscaler Root CA", Organization: []string{"Zscaler Inc."}}, wantProduct: "Zscaler"},
		{name: "palo alto org", issuer: pkix.Name{CommonName: "decrypt-ca", Organization: []string{"Palo Alto Networks"}}, wantProduct: "Palo Alto Networks"},
		{name: "palo alto forward trust", issuer: pkix.Name{CommonName: "Forward-Trust-CA"}, wantProduct: "Palo Alto Networks"},
		{name: "fortigate", issuer: pkix.Name{CommonName: "FortiGate CA", Organization: []string{"Fortinet"}}, wantProduct: "Fortinet"},
		{name: "fortinet ssl proxy", issuer: pkix.Name{CommonName: "Fortinet_CA_SSLProxy"}, wantProduct: "Fortinet"},
		{name: "netskope", issuer: pkix.Name{CommonName: "ca.tenant.goskope.com", Organization: []string{"Netskope Inc"}}, wantProduct: "Netskope"},
		{name: "blue coat", issuer: pkix.Name{CommonName: "ProxySG Issuer", Organization: []string{"Blue Coat Systems"}}, wantProduct: "Symantec/Blue Coat"},
		{name: "symantec", issuer: pkix.Name{CommonName: "SSL Visibility CA", Organization: []string{"Symantec Corporation"}}, wantProduct: "Symantec/Blue Coat"},
		{name: "cisco umbrella", issuer: pkix.Name{CommonName: "Cisco Umbrella Secondary SubCA ord-SG", Organization: []string{"Cisco"}}, wantProduct: "Cisco Umbrella"},
		{name: "sophos", issuer: pkix.Name{CommonName: "Sophos SSL CA", Organization: []string{"Sophos"}}, wantProduct: "Sophos"},
		{name: "check point", issuer: pkix.Name{CommonName: "gw-inspect", Organization: []string{"Check Point Software Technologies"}}, wantProduct: "Check Point"},
		{name: "forcepoint", issuer: pkix.Name{CommonName: "Forcepoint Cloud Security Gateway CA"}, wantProduct: "Forcepoint"},
		{name: "websense", issuer: pkix.Name{CommonName: "Websense Proxy CA"}, wantProduct: "Forcepoint"},
		{name: "bitdefender", issuer: pkix.Name{CommonName: "Bitdefender Personal CA.Net-Defender"}, wantProduct: "Bitdefender"},
		{name: "bitdefender untrusted", issuer: pkix.Name{CommonName: "Untrusted Bitdefender CA"}, wantProduct: "Bitdefender"},
		{name: "kaspersky", issuer: pkix.Name{CommonName: "Kaspersky Anti-Virus Personal Root Certificate"}, wantProduct: "Kaspersky"},
		{name: "avast", issuer: pkix.Name{CommonName: "Avast Web/Mail Shield Root"}, wantProduct: "Avast"},
		{name: "avg", issuer: pkix.Name{CommonName: "AVG Web/Mail Shield Root"}, wantProduct: "Avast"},
		{name: "lets encrypt", issuer: pkix.Name{CommonName: "R11", Organization: []string{"Let's Encrypt"}}, wantProduct: ""},
		{name: "digicert", issuer: pkix.Name{CommonName: "DigiCert Global G2 TLS RSA SHA256 2020 CA1", Organization: []string{"DigiCert Inc"}}, wantProduct: ""},
		{name: "amazon", issuer: pkix.Name{CommonName: "Amazon RSA 2048 M02", Organization: []string{"Amazon"}}, wantProduct: ""},
		{name: "microsoft", issuer: pkix.Name{CommonName: "Microsoft Azure RSA TLS Issuing CA 04", Organization: []string{"Microsoft Corporation"}}, wantProduct: ""},
		{name: "empty names", issuer: pkix.Name{}, wantProduct: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := &x509.Certificate{Subject: pkix.Name{CommonName: "scim.example.com"}, Issuer: tt.issuer}
			got := DetectProduct([]*x509.Certificate{leaf})
			if got.Product != tt.wantProduct {
				t.Errorf("Product = %q, want %q", got.Product, tt.wantProduct)
			}
			if got.Intercepted != (tt.wantProduct != "") {
				t.Errorf("Intercepted = %v with Product %q", got.Intercepted, got.Product)
			}
		})
	}
}

func TestDetectProductSearchesWholeChain(t *testing.T) {
	chain := []*x509.Certificate{
		{Subject: pkix.Name{CommonName: "scim.example.com"}, Issuer: pkix.Name{CommonName: "Corp Issuing CA 2"}},
		{Subject: pkix.Name{CommonName: "Corp Issuing CA 2"}, Issuer: pkix.Name{CommonName: "Corp Root", Organization: []string{"Sophos"}}},
		{Subject: pkix.Name{CommonName: "Corp Root", Organization: []string{"Sophos"}}, Issuer: pkix.Name{CommonName: "Corp Root", Organization: []string{"Sophos"}}},
	}
	got := DetectProduct(chain)
	if got.Product != "Sophos" {
		t.Fatalf("Product = %q, want Sophos", got.Product)
	}
	if !containsLine(got.Evidence, `the issuer O of certificate 1 (intermediate) seen through the proxy is "Sophos"`) {
		t.Errorf("Evidence = %q, want the intermediate's issuer O named", got.Evidence)
	}
}

func TestDetectProductEmptyChain(t *testing.T) {
	got := DetectProduct(nil)
	if got.Intercepted || got.Product != "" || len(got.Evidence) != 0 || got.Issuer != "" {
		t.Errorf("DetectProduct(nil) = %+v, want a zero Inspection", got)
	}
}
