package tlsscan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// nistGroups are the named groups a FIPS 140-3 module approves for key
// agreement: the NIST P-curves, and the hybrids whose ML-KEM part (FIPS
// 203) is approved. Go 1.26 with GODEBUG=fips140=on offers exactly these
// in TLS 1.3, and only the P-curves in TLS 1.2.
var nistGroups = []string{
	"secp256r1", "secp384r1", "secp521r1",
	"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024",
}

// fipsLike reports whether every suite the server accepts uses AES-GCM
// with ECDHE, DHE or TLS 1.3, and every group it accepts is a NIST curve or
// an ML-KEM hybrid. That is the set a FIPS mode leaves, as in Go's fips140
// mode. A server that accepted no suite is not FIPS-like.
func fipsLike(r *Result) bool {
	suites := 0
	for _, list := range r.Suites {
		for _, s := range list.Suites {
			info, ok := registry.Suite(parseSuiteID(s.ID))
			if !ok || !strings.HasPrefix(info.Cipher, "AES_") || !strings.HasSuffix(info.Cipher, "_GCM") || !info.ForwardSecret() {
				return false
			}
			suites++
		}
	}
	for _, list := range r.Groups {
		for _, g := range list.Groups {
			if !slices.Contains(nistGroups, g) {
				return false
			}
		}
	}
	return suites > 0
}

// parseSuiteID reads a Suite.ID such as "0xc02f"; it returns 0, which no
// suite has, for anything else.
func parseSuiteID(id string) uint16 {
	v, err := strconv.ParseUint(strings.TrimPrefix(id, "0x"), 16, 16)
	if err != nil {
		return 0
	}
	return uint16(v)
}

// fipsFindings reports a FIPS-like server and the profiles it leaves
// without a shared suite or group, whatever else they fail on.
func fipsFindings(r *Result) []report.Finding {
	if !fipsLike(r) {
		return nil
	}
	// A profile without a shared version fails whatever the suites, so
	// only the others count as broken by the FIPS limits.
	var broken []string
	for _, p := range clients.All() {
		if reason := noSharedParameters(r, p); reason != "" && reason != reasonNoVersion {
			broken = append(broken, p.Name+" ("+reason+")")
		}
	}
	f := report.Finding{
		ID:       "tls.fips_like",
		Severity: report.SeverityInfo,
		Layer:    "tls",
		Title:    "FIPS-like: AES-GCM and NIST curves only",
		Detail:   "The server accepts only AES-GCM suites with ECDHE or TLS 1.3, and only NIST P-curves or ML-KEM hybrids, as a FIPS 140 mode leaves it. Every built-in client profile that shares a protocol version with it also shares a suite and a group, so these limits break none of them.",
		Evidence: append(tls12SuiteNames(r), groupEvidence(r)...),
	}
	if len(broken) > 0 {
		f.Severity = report.SeverityMedium
		f.Detail = "The server accepts only AES-GCM suites with ECDHE or TLS 1.3, and only NIST P-curves or ML-KEM hybrids, as a FIPS 140 mode leaves it. These client profiles share a protocol version with it but no suite or group: " + strings.Join(broken, "; ") + "."
	}
	return []report.Finding{f}
}

func groupEvidence(r *Result) []string {
	var out []string
	for _, list := range r.Groups {
		out = append(out, fmt.Sprintf("%s groups accepted: %s", list.Version, strings.Join(list.Groups, ", ")))
	}
	return out
}

const reasonNoVersion = "no shared version"

// noSharedParameters returns why profile p cannot agree on parameters with
// the scanned server at any protocol version both enable, or "" when it
// can: reasonNoVersion, "no shared cipher suite" or "no shared group".
func noSharedParameters(r *Result, p *clients.Profile) string {
	sharedVersion, sharedSuite := false, false
	for _, list := range r.Suites {
		v, err := tlsprobe.ParseVersion(list.Version)
		if err != nil || !p.Enables(v) {
			continue
		}
		sharedVersion = true
		for _, s := range list.Suites {
			if !p.Offers(parseSuiteID(s.ID)) {
				continue
			}
			sharedSuite = true
			if sharesGroup(r, list.Version, p) {
				return ""
			}
		}
	}
	switch {
	case !sharedVersion:
		return reasonNoVersion
	case !sharedSuite:
		return "no shared cipher suite"
	}
	return "no shared group"
}

// sharesGroup reports whether p offers a group the server accepts at
// version. Every suite of a FIPS-like server needs one.
func sharesGroup(r *Result, version string, p *clients.Profile) bool {
	for _, list := range r.Groups {
		if list.Version != version {
			continue
		}
		for _, g := range list.Groups {
			if slices.Contains(p.Hello.Groups, g) {
				return true
			}
		}
	}
	return false
}
