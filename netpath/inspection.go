package netpath

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"strings"
)

// Inspection is the verdict on whether a proxy on the path terminates TLS
// and re-signs the server's certificate.
type Inspection struct {
	// Intercepted is true when the chain seen through the proxy is not the
	// server's: its leaf and the leaf's issuer both differ from the direct
	// connection's, or a certificate in it names a known inspection
	// product.
	Intercepted bool
	// Product is the inspection product a certificate names, such as
	// "Zscaler", or "" when none is recognised.
	Product string
	// Issuer is the issuer of the leaf seen through the proxy, in RFC 2253
	// form, or "" without a chain.
	Issuer string
	// DirectIssuer is the issuer of the leaf seen on the direct
	// connection, or "" when there was no direct chain.
	DirectIssuer string
	// Evidence holds one sentence per finding, each giving the certificate
	// field and value it rests on, followed by what the finding means for
	// the diagnosis.
	Evidence []string
}

// inspectionMeaning is the last Evidence line of every intercepted
// verdict: a scan through an inspecting proxy diagnoses the proxy.
const inspectionMeaning = "your scan sees the proxy, not what Okta sees; the IdP connects from the internet, so run the scan from a host without the proxy, or exempt the SCIM host from inspection (NO_PROXY, or the proxy's bypass list), before trusting its TLS and certificate findings"

// inspectionProduct is a TLS-inspection product and the strings its CA
// certificates carry in the subject or issuer CN or O.
type inspectionProduct struct {
	name string
	// markers are matched case-insensitively as substrings of CN and O.
	markers []string
}

// inspectionProducts lists the products whose re-signing CAs are
// recognised. The names are those the products put in their default CA
// certificates, as widely documented by the vendors and in user reports.
// Admins can rename a CA, so a miss proves nothing; CompareChains also
// catches renamed CAs when a direct chain is available.
var inspectionProducts = []inspectionProduct{
	// "Zscaler Root CA", "Zscaler Intermediate Root CA", O "Zscaler Inc.".
	{"Zscaler", []string{"zscaler"}},
	// O "Palo Alto Networks"; the PAN-OS decryption certificate is called
	// "Forward Trust" in the vendor's documentation and often named so.
	{"Palo Alto Networks", []string{"palo alto networks", "forward-trust", "forward trust"}},
	// "FortiGate CA", "Fortinet_CA_SSL", "Fortinet_CA_SSLProxy", O
	// "Fortinet".
	{"Fortinet", []string{"fortinet", "fortigate"}},
	// O "Netskope Inc"; tenant CAs under goskope.com.
	{"Netskope", []string{"netskope", "goskope"}},
	// Blue Coat ProxySG and SSL Visibility, sold by Symantec and later
	// Broadcom. Symantec's public CA business went to DigiCert in 2017 and
	// browsers distrusted its roots in 2018, so a current chain naming
	// Symantec is almost always the proxy's CA.
	{"Symantec/Blue Coat", []string{"blue coat", "bluecoat", "proxysg", "symantec"}},
	// "Cisco Umbrella Root CA", "Cisco Umbrella Secondary SubCA".
	{"Cisco Umbrella", []string{"cisco umbrella"}},
	// Sophos UTM and Firewall: O "Sophos", CN such as "Sophos SSL CA".
	{"Sophos", []string{"sophos"}},
	// Check Point gateways: O "Check Point Software Technologies".
	{"Check Point", []string{"check point", "checkpoint"}},
	// Forcepoint, formerly Websense.
	{"Forcepoint", []string{"forcepoint", "websense"}},
	// "Bitdefender Personal CA.Net-Defender", "Untrusted Bitdefender CA".
	{"Bitdefender", []string{"bitdefender"}},
	// "Kaspersky Anti-Virus Personal Root Certificate".
	{"Kaspersky", []string{"kaspersky"}},
	// "Avast Web/Mail Shield Root", and AVG's "AVG Web/Mail Shield Root"
	// from the same vendor.
	{"Avast", []string{"avast", "avg web/mail shield"}},
}

// DetectProduct looks for a known TLS-inspection product in one chain,
// for when no direct connection is possible to compare with. It checks
// the subject and issuer CN and O of every certificate, leaf first, and
// returns the first product found. Intercepted is true exactly when a
// product was found. An empty chain gives a zero Inspection.
func DetectProduct(chain []*x509.Certificate) *Inspection {
	result := &Inspection{}
	if len(chain) == 0 {
		return result
	}
	result.Issuer = chain[0].Issuer.String()
	if product, evidence := findProduct(chain, "through the proxy"); product != "" {
		result.Intercepted = true
		result.Product = product
		result.Evidence = append(result.Evidence, evidence, inspectionMeaning)
	}
	return result
}

// CompareChains compares the chain seen through a proxy with the chain
// seen on a direct connection to the same server and name. The proxy
// intercepts when the leaf differs and the leaf's issuer differs, or when
// a certificate of proxied names a known product (see DetectProduct). A
// different leaf from the same issuer is reported as evidence but not as
// interception, because servers behind one name often hold different
// certificates from one CA. A product found in direct as well means the
// direct path is inspected too, by a transparent proxy. With an empty
// direct chain CompareChains returns DetectProduct(proxied); with an empty
// proxied chain it returns a zero Inspection.
func CompareChains(direct, proxied []*x509.Certificate) *Inspection {
	if len(proxied) == 0 {
		return &Inspection{}
	}
	result := DetectProduct(proxied)
	if len(direct) == 0 {
		return result
	}
	result.DirectIssuer = direct[0].Issuer.String()
	result.Evidence = nil

	leafDiffers := !bytes.Equal(direct[0].Raw, proxied[0].Raw)
	issuerDiffers := !bytes.Equal(direct[0].RawIssuer, proxied[0].RawIssuer)
	switch {
	case leafDiffers && issuerDiffers:
		result.Intercepted = true
		result.Evidence = append(result.Evidence, fmt.Sprintf("through the proxy the leaf is issued by %q, but on the direct connection by %q: the proxy terminates TLS and re-signs the certificate", result.Issuer, result.DirectIssuer))
	case leafDiffers:
		result.Evidence = append(result.Evidence, fmt.Sprintf("the leaf through the proxy differs from the direct one but has the same issuer %q, which points to different servers behind the name rather than to inspection", result.Issuer))
	}

	if product, evidence := findProduct(proxied, "through the proxy"); product != "" {
		result.Evidence = append(result.Evidence, evidence)
		if directProduct, directEvidence := findProduct(direct, "on the direct connection"); directProduct != "" {
			result.Evidence = append(result.Evidence, directEvidence+"; the direct path is inspected as well, by a transparent proxy or local security software")
		}
	}
	if result.Intercepted {
		result.Evidence = append(result.Evidence, inspectionMeaning)
	}
	return result
}

// findProduct returns the first product a certificate of chain names, and
// an Evidence sentence that names the field, with path describing the
// connection ("through the proxy").
func findProduct(chain []*x509.Certificate, path string) (product, evidence string) {
	for i, cert := range chain {
		fields := []struct {
			label string
			name  pkix.Name
		}{{"subject", cert.Subject}, {"issuer", cert.Issuer}}
		for _, field := range fields {
			attributes := [][2]string{{"CN", field.name.CommonName}}
			for _, org := range field.name.Organization {
				attributes = append(attributes, [2]string{"O", org})
			}
			for _, attribute := range attributes {
				if p := matchProduct(attribute[1]); p != "" {
					return p, fmt.Sprintf("the %s %s of certificate %d (%s) seen %s is %q, which names the TLS-inspection product %s", field.label, attribute[0], i, position(i, len(chain)), path, attribute[1], p)
				}
			}
		}
	}
	return "", ""
}

// matchProduct returns the product whose marker value contains, or "".
func matchProduct(value string) string {
	lower := strings.ToLower(value)
	if lower == "" {
		return ""
	}
	for _, product := range inspectionProducts {
		for _, marker := range product.markers {
			if strings.Contains(lower, marker) {
				return product.name
			}
		}
	}
	return ""
}

// position names a certificate's place in a chain of n for evidence.
func position(i, n int) string {
	switch {
	case i == 0:
		return "leaf"
	case i == n-1:
		return "last in chain"
	default:
		return "intermediate"
	}
}
