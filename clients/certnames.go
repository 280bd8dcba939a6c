package clients

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// javaAttributeNames are the keywords JSSE prints for the attribute types
// of a distinguished name (X500Name.toString).
var javaAttributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.5":                    "SERIALNUMBER",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
	"1.2.840.113549.1.9.1":       "EMAILADDRESS",
}

// javaDN formats the subject of cert as JSSE prints it in messages: the
// most specific part first, joined by ", ", such as "CN=localhost, O=Lab".
//
// NOTE: values with commas, quotes or other special characters are printed
// as they are; JSSE escapes them.
func javaDN(cert *x509.Certificate) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(cert.RawSubject, &rdns); err != nil {
		return cert.Subject.String()
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		var atoms []string
		for _, atv := range rdns[i] {
			name, ok := javaAttributeNames[atv.Type.String()]
			if !ok {
				name = "OID." + atv.Type.String()
			}
			atoms = append(atoms, fmt.Sprintf("%s=%v", name, atv.Value))
		}
		parts = append(parts, strings.Join(atoms, " + "))
	}
	return strings.Join(parts, ", ")
}

// certNames returns the names a host name error lists, as crypto/x509 does:
// the IP addresses of the leaf for an IP host, its DNS names otherwise.
func certNames(leaf *x509.Certificate, host string) []string {
	if isIPLiteral(host) {
		names := make([]string, len(leaf.IPAddresses))
		for i, ip := range leaf.IPAddresses {
			names[i] = ip.String()
		}
		return names
	}
	return leaf.DNSNames
}

func groupName(id uint16) string {
	return registry.GroupName(id)
}
