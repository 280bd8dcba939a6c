package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/report"
)

// expiryWarning is how long before notAfter a certificate gets a finding:
// long enough to renew it before an IdP's connection test starts failing.
const expiryWarning = 30 * 24 * time.Hour

// Findings lists the problems in r that are worth fixing whether or not a
// selected client fails on them: legacy protocol versions next to modern
// ones, and a certificate close to its expiry. now is the time of the check.
func Findings(r *report.Report, now time.Time) []report.Finding {
	var out []report.Finding
	if r.TLS != nil {
		out = append(out, versionFindings(r.TLS)...)
	}
	if r.Path != nil {
		out = append(out, pathFindings(r.Path)...)
	}
	out = append(out, inconsistentFindings(r)...)
	if r.Certificate != nil && len(r.Certificate.Chain) > 0 {
		leaf := r.Certificate.Chain[0]
		left := leaf.NotAfter.Sub(now)
		if left > 0 && left < expiryWarning {
			out = append(out, report.Finding{
				ID:       "certificate.expires_soon",
				Severity: report.SeverityMedium,
				Layer:    "certificate",
				Title:    fmt.Sprintf("the certificate expires in %d days", int(left.Hours()/24)),
				Detail:   "Renew it before then: every IdP's provisioning fails from the moment it expires.",
				Evidence: []string{"notAfter " + leaf.NotAfter.UTC().Format(time.RFC3339)},
			})
		}
	}
	return out
}

func versionFindings(scan *report.TLSScan) []report.Finding {
	accepted := map[string]bool{}
	for _, v := range scan.Versions {
		if v.Accepted {
			accepted[v.Version] = true
		}
	}
	var out []report.Finding
	var ssl []string
	for _, v := range []string{"SSL 2.0", "SSL 3.0"} {
		if accepted[v] {
			ssl = append(ssl, v)
		}
	}
	if len(ssl) > 0 {
		out = append(out, report.Finding{
			ID:       "tls.ssl_enabled",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the server accepts " + strings.Join(ssl, " and "),
			Detail:   "SSL 2.0 and 3.0 are broken (DROWN, POODLE) and no IdP uses them; turn them off.",
		})
	}
	var legacy []string
	for _, v := range []string{"TLS 1.0", "TLS 1.1"} {
		if accepted[v] {
			legacy = append(legacy, v)
		}
	}
	if len(legacy) > 0 && (accepted["TLS 1.2"] || accepted["TLS 1.3"]) {
		out = append(out, report.Finding{
			ID:       "tls.legacy_versions",
			Severity: report.SeverityLow,
			Layer:    "tls",
			Title:    "the server still accepts " + strings.Join(legacy, " and "),
			Detail:   "Okta and Entra ID need only TLS 1.2 and later; RFC 8996 deprecates TLS 1.0 and 1.1.",
		})
	}
	return out
}

// severityRank orders severities for --fail-on.
var severityRank = map[report.Severity]int{
	report.SeverityInfo:   1,
	report.SeverityLow:    2,
	report.SeverityMedium: 3,
	report.SeverityHigh:   4,
}

// ParseSeverity checks a --fail-on value; "none" returns "". An empty
// value is an error, because it is a slip rather than a choice.
func ParseSeverity(s string) (report.Severity, error) {
	if strings.EqualFold(s, "none") {
		return "", nil
	}
	if s == "" {
		return "", fmt.Errorf("invalid --fail-on \"\" (use none, info, low, medium or high)")
	}
	sev := report.Severity(strings.ToLower(s))
	if _, ok := severityRank[sev]; !ok {
		return "", fmt.Errorf("invalid --fail-on %q (use none, info, low, medium or high)", s)
	}
	return sev, nil
}

// AtOrAbove reports whether any finding has severity threshold or higher.
// An empty threshold matches nothing.
func AtOrAbove(findings []report.Finding, threshold report.Severity) bool {
	if threshold == "" {
		return false
	}
	for _, f := range findings {
		if severityRank[f.Severity] >= severityRank[threshold] {
			return true
		}
	}
	return false
}

// SortBySeverity orders findings from high to info, keeping the order of
// findings of the same severity.
func SortBySeverity(findings []report.Finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		return severityRank[findings[i].Severity] > severityRank[findings[j].Severity]
	})
}

// pathFindings reports a proxy that re-signs this check's TLS, and a pool
// whose members treat the same probe differently, which makes an IdP's
// connection test pass on some attempts and fail on others.
func pathFindings(p *report.Path) []report.Finding {
	var out []report.Finding
	if p.Proxy != nil && p.Proxy.Intercepted {
		title := "the proxy of this check re-signs TLS (TLS inspection)"
		if p.Proxy.Product != "" {
			title += " with the CA of " + p.Proxy.Product
		}
		out = append(out, report.Finding{
			ID:       "path.tls_inspection",
			Severity: report.SeverityHigh,
			Layer:    "path",
			Title:    title,
			Detail:   "This check sees the proxy's certificate and TLS settings, not what Okta or Entra ID see: the IdP connects from the internet, without this proxy. Run the check from a machine without the proxy, or exempt the SCIM host from inspection, before changing the server.",
			Evidence: p.Proxy.Evidence,
		})
	}
	var evidence []string
	for _, r := range p.Repeats {
		if report.RepeatDiffers(r) {
			evidence = append(evidence, fmt.Sprintf("%s %s: accepted %d of %d times (%s)", r.Address, r.Version, r.Accepted, r.Rounds, strings.Join(r.Answers, ", ")))
		}
	}
	if len(evidence) == 0 {
		return out
	}
	return append(out, report.Finding{
		ID:       "path.mixed_pool",
		Severity: report.SeverityHigh,
		Layer:    "path",
		Title:    "the same address answers the same TLS probe differently: the members of a pool differ",
		Detail:   "An IdP's connections land on different members, so its connection test passes on some attempts and fails on others. Give every member of the load-balancer pool the same TLS settings, or take the outdated member out of the pool.",
		Evidence: evidence,
	})
}

// inconsistentFindings reports a client refused with protocol_version
// although the version scan saw the server accept a version the client
// enables. The server then treats the same version differently from one
// connection to the next, as a pool with differing members does.
func inconsistentFindings(r *report.Report) []report.Finding {
	if r.TLS == nil {
		return nil
	}
	accepted := map[string]bool{}
	for _, v := range r.TLS.Versions {
		if v.Accepted {
			accepted[v.Version] = true
		}
	}
	var evidence []string
	for _, v := range r.Verdicts {
		if v.Connects || v.Alert != "protocol_version" {
			continue
		}
		for _, cv := range v.ClientVersions {
			if accepted[cv] {
				evidence = append(evidence, fmt.Sprintf("%s's hello got protocol_version, although the version scan's %s probe was accepted", v.Display, cv))
				break
			}
		}
	}
	if len(evidence) == 0 {
		return nil
	}
	return []report.Finding{{
		ID:       "tls.inconsistent_answers",
		Severity: report.SeverityHigh,
		Layer:    "tls",
		Title:    "the server answers the same TLS version differently from one connection to the next",
		Detail:   "A load-balancer pool whose members have different TLS settings does this, so the IdP's test passes on some attempts only. Run check again with --repeat 5 to see how often each version is accepted, then give every member the same settings.",
		Evidence: evidence,
	}}
}
