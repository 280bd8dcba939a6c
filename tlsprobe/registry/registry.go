// Package registry holds the IANA TLS registries that scimdoctor needs:
// cipher suites, named groups (supported groups) and signature schemes, with
// their ids, names and the properties a report or a ClientHello needs.
//
// Use Suite, Group and Scheme to look up an id read from the wire, and
// SuiteByName, GroupByName and SchemeByName to read a name from a profile or
// a config file. The tables are plain data in suites.go, groups.go and
// schemes.go: the properties of a cipher suite are derived from its IANA
// name, so adding a suite is one line.
package registry

import "fmt"

// Protocol versions as they appear on the wire (RFC 8446, Appendix E). They
// mirror the tlsprobe.Version constants, which this package cannot import.
const (
	VersionSSL30 uint16 = 0x0300
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// formatID formats an unknown id as the registries print it, such as "0x1234".
func formatID(id uint16) string {
	return fmt.Sprintf("0x%04x", id)
}
