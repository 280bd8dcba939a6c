package tlsscan

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// findings lists the problems of a finished scan. entraSuites is nil when
// the TLS 1.2 suite scan did not run or stopped without finding a suite.
func findings(r *Result, entraSuites *bool) []report.Finding {
	if r.Unreachable {
		return nil
	}
	var out []report.Finding
	out = append(out, versionFindings(r)...)
	out = append(out, answerFindings(r)...)
	if entraSuites != nil && !*entraSuites {
		out = append(out, report.Finding{
			ID:       "tls.no_entra_suite",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "no TLS 1.2 cipher suite of Entra ID's list is accepted",
			Detail:   "Entra ID's provisioning service offers only eight ECDHE suites with AES-GCM or AES-CBC and SHA-256/384 at TLS 1.2; enable at least TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (or its ECDSA twin for an EC certificate).",
			Evidence: tls12SuiteNames(r),
		})
	}
	if r.ClientAuth != nil {
		for _, v := range r.ClientAuth.Versions {
			if v.Requirement == certcheck.RequirementRequired {
				out = append(out, report.Finding{
					ID:       "tls.client_cert_required",
					Severity: report.SeverityHigh,
					Layer:    "tls",
					Title:    "the server requires a client certificate",
					Detail:   "Okta and Entra ID send no client certificate, so they cannot connect; make client certificates optional or off for the SCIM path.",
					Evidence: []string{fmt.Sprintf("%s: %s", v.Version, v.Evidence)},
				})
				break
			}
		}
	}
	if r.SNI != nil && r.SNI.RequiresSNI {
		out = append(out, report.Finding{
			ID:       "tls.sni_required",
			Severity: report.SeverityMedium,
			Layer:    "tls",
			Title:    "the server rejects a ClientHello without SNI",
			Detail:   "Java sends no SNI for IP literals and names without a dot; serve a default certificate for hellos without SNI.",
			Evidence: []string{r.SNI.Summary},
		})
	}
	out = append(out, certificateFindings(r)...)
	out = append(out, weakSuiteFindings(r)...)
	if f := r.Features; f != nil {
		if f.FallbackSCSV == tlsprobe.FallbackAccepted {
			out = append(out, report.Finding{
				ID:       "tls.fallback_scsv_ignored",
				Severity: report.SeverityLow,
				Layer:    "tls",
				Title:    "the server ignores TLS_FALLBACK_SCSV",
				Detail:   "A downgraded hello with the signal completed, so the server does not prevent forced downgrades (RFC 7507).",
			})
		}
		if f.Compression {
			out = append(out, report.Finding{
				ID:       "tls.compression",
				Severity: report.SeverityMedium,
				Layer:    "tls",
				Title:    "the server enables TLS compression",
				Detail:   "TLS compression exposes secrets such as tokens to the CRIME attack; turn it off.",
			})
		}
	}
	return out
}

func versionFindings(r *Result) []report.Finding {
	accepted := map[string]bool{}
	for _, v := range r.Versions {
		if v.Accepted {
			accepted[v.Version] = true
		}
	}
	var out []report.Finding
	if ssl := present(accepted, "SSL 2.0", "SSL 3.0"); len(ssl) > 0 {
		out = append(out, report.Finding{
			ID:       "tls.ssl_enabled",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the server accepts " + strings.Join(ssl, " and "),
			Detail:   "SSL 2.0 and 3.0 are broken (DROWN, POODLE) and no IdP uses them; turn them off.",
		})
	}
	tls12, tls13 := accepted["TLS 1.2"], accepted["TLS 1.3"]
	if len(accepted) == 0 {
		// A server that accepts nothing may reject the hellos for a reason
		// other than the version, or send no TLS record at all. Then
		// "enable TLS 1.2" would send the reader to the wrong setting.
		if f, ok := noVersionFinding(r); ok {
			return append(out, f)
		}
		if !anyTLSRecord(r) {
			// The port does not speak TLS; answerFindings reports it.
			return out
		}
	}
	switch {
	case !tls12 && tls13:
		out = append(out, report.Finding{
			ID:       "tls.tls13_only",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the server accepts only TLS 1.3",
			Detail:   "Entra ID's provisioning service connects with TLS 1.2 only and fails; enable TLS 1.2 next to TLS 1.3.",
		})
	case !tls12:
		out = append(out, report.Finding{
			ID:       "tls.no_tls12",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the server does not accept TLS 1.2",
			Detail:   "Okta and Entra ID require TLS 1.2; enable TLS 1.2.",
			Evidence: acceptedList(r),
		})
	}
	if legacy := present(accepted, "TLS 1.0", "TLS 1.1"); len(legacy) > 0 && (tls12 || tls13) {
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

func present(accepted map[string]bool, names ...string) []string {
	var out []string
	for _, n := range names {
		if accepted[n] {
			out = append(out, n)
		}
	}
	return out
}

func acceptedList(r *Result) []string {
	var names []string
	for _, v := range r.Versions {
		if v.Accepted {
			names = append(names, v.Version)
		}
	}
	if len(names) == 0 {
		return []string{"accepted versions: none"}
	}
	return []string{"accepted versions: " + strings.Join(names, ", ")}
}

func tls12SuiteNames(r *Result) []string {
	for _, list := range r.Suites {
		if list.Version != tlsprobe.VersionTLS12.String() {
			continue
		}
		var names []string
		for _, s := range list.Suites {
			names = append(names, s.Name)
		}
		return []string{"TLS 1.2 suites accepted: " + strings.Join(names, ", ")}
	}
	return nil
}

// offersEntraSuite reports whether a TLS 1.2 suite scan found a suite of
// the Entra ID client profile. It returns nil when the scan stopped early
// without finding one, because the rest of the list was never offered.
func offersEntraSuite(scan *tlsprobe.SuiteScan) *bool {
	entra, err := clients.Load("entra")
	if err != nil {
		// unreachable: the entra profile is embedded in the clients package.
		return nil
	}
	found := false
	for _, id := range scan.Accepted {
		if entra.Offers(id) {
			found = true
			break
		}
	}
	if !found && scan.Err != "" {
		return nil
	}
	return &found
}

// answerFindings reports two ways the version probes contradict a TLS
// server that works: every probe got plain text instead of TLS records, or
// a ServerHello chose a version that the server rejected when it was
// offered alone.
func answerFindings(r *Result) []report.Finding {
	var out []report.Finding
	// An HTTP server waits for the end of a request line, so the short
	// SSL 2.0 hello may time out instead. Only a TLS record from the
	// server shows that the port speaks TLS.
	notTLS, tlsAnswers := 0, 0
	for _, v := range r.Versions {
		switch tlsprobe.Kind(v.Kind) {
		case tlsprobe.KindNotTLS:
			notTLS++
		case tlsprobe.KindServerHello, tlsprobe.KindHelloRetryRequest, tlsprobe.KindAlert, tlsprobe.KindSSLv2ServerHello:
			tlsAnswers++
		}
	}
	if notTLS > 0 && tlsAnswers == 0 {
		out = append(out, report.Finding{
			ID:       "tls.not_tls",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the port does not speak TLS",
			Detail:   "The ClientHellos got bytes that are not a TLS record, such as a plain HTTP response, and no TLS answer, so the server or proxy on this port listens without TLS. Enable TLS on the listener, or point the IdP at the port that has it.",
			Evidence: []string{r.Versions[len(r.Versions)-1].Answer},
		})
	}

	accepted := map[string]bool{}
	for _, v := range r.Versions {
		accepted[v.Version] = v.Accepted
	}
	var evidence []string
	for _, v := range r.Versions {
		if v.Chosen == "" || v.Chosen == v.Version {
			continue
		}
		if ok, probed := accepted[v.Chosen]; !probed || !ok {
			evidence = append(evidence, fmt.Sprintf("the %s hello got a ServerHello for %s, which the server did not accept when offered alone (%s)", v.Version, v.Chosen, v.Answer))
		}
	}
	if len(evidence) > 0 {
		out = append(out, report.Finding{
			ID:       "tls.inconsistent_answers",
			Severity: report.SeverityMedium,
			Layer:    "tls",
			Title:    "the server answers the same versions differently from one connection to the next",
			Detail:   "Some ServerHello messages chose a version that the server rejected in its own probe, so the version list above is not reliable. A load balancer whose members differ, or a broken TLS stack, does this; clients then fail some connections and not others.",
			Evidence: evidence,
		})
	}
	return out
}

// noVersionFinding explains a scan in which no version was accepted, when
// the cause is not the versions: the server requires SNI and the scan sent
// none, or no probe got a TLS record back. It returns false when the probes
// got TLS refusals, which point at the versions.
func noVersionFinding(r *Result) (report.Finding, bool) {
	counts := map[tlsprobe.Kind]int{}
	sniRejected := false
	for _, v := range r.Versions {
		counts[tlsprobe.Kind(v.Kind)]++
		if v.Alert == "unrecognized_name" {
			sniRejected = true
		}
	}
	if sniRejected && r.ServerName == "" {
		return report.Finding{
			ID:       "tls.sni_required",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    "the server rejects every hello without SNI, and the scan sent none",
			Detail:   fmt.Sprintf("The server answered unrecognized_name, so it serves only the names it knows. Scan again with --sni and the host name of the SCIM URL, such as scimdoctor tls --sni scim.example.com %s. Java sends no SNI for IP addresses and names without a dot, so the IdP must use a URL with the full host name.", r.Target),
			Evidence: acceptedList(r),
		}, true
	}
	for _, k := range []tlsprobe.Kind{tlsprobe.KindServerHello, tlsprobe.KindHelloRetryRequest, tlsprobe.KindAlert, tlsprobe.KindSSLv2ServerHello, tlsprobe.KindNotTLS, tlsprobe.KindMalformed} {
		if counts[k] > 0 {
			return report.Finding{}, false
		}
	}
	var title, detail string
	switch {
	case counts[tlsprobe.KindReset] > 0:
		title = "the port resets every TLS hello"
		detail = "No probe got a TLS answer: the connections were reset. A firewall, IPS or WAF rule, a load balancer without a healthy backend, or a service on this port that is not a TLS server does this. Check the device in front of the server first; the server's TLS versions cannot be seen from here."
	case counts[tlsprobe.KindTimeout] > 0:
		title = "the port accepts connections but never answers a TLS hello"
		detail = "No probe got an answer before the timeout. A firewall that drops packets after the TCP handshake, a proxy waiting for a backend that is down, or a server that expects another protocol does this. Check the device in front of the server first."
	default:
		title = "the port closes every connection without a TLS answer"
		detail = "No probe got a TLS answer: the server closed each connection. A TLS terminator without a certificate for this address, a backend that is down, or an access rule does this. Check the server's error log for these connections."
	}
	return report.Finding{
		ID:       "tls.no_tls_answer",
		Severity: report.SeverityHigh,
		Layer:    "tls",
		Title:    title,
		Detail:   detail,
		Evidence: []string{r.Versions[len(r.Versions)-1].Version + ": " + r.Versions[len(r.Versions)-1].Answer},
	}, true
}

// anyTLSRecord reports whether some version probe got a TLS record back.
func anyTLSRecord(r *Result) bool {
	for _, v := range r.Versions {
		switch tlsprobe.Kind(v.Kind) {
		case tlsprobe.KindServerHello, tlsprobe.KindHelloRetryRequest, tlsprobe.KindAlert, tlsprobe.KindSSLv2ServerHello, tlsprobe.KindMalformed:
			return true
		}
	}
	return false
}

// weakSuiteFindings reports accepted suites that the registry classes as
// weak or insecure, per version, with the worst class deciding the
// severity.
func weakSuiteFindings(r *Result) []report.Finding {
	var insecure, weak []string
	for _, list := range r.Suites {
		for _, s := range list.Suites {
			switch s.Strength {
			case registry.StrengthInsecure:
				insecure = append(insecure, list.Version+" "+s.Name)
			case registry.StrengthWeak:
				weak = append(weak, list.Version+" "+s.Name)
			}
		}
	}
	var out []report.Finding
	if len(insecure) > 0 {
		out = append(out, report.Finding{
			ID:       "tls.insecure_suites",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    fmt.Sprintf("the server accepts %d insecure cipher suites", len(insecure)),
			Detail:   "NULL, anonymous, export, RC4, DES and MD5 suites give no real protection; remove them from the server's cipher list.",
			Evidence: insecure,
		})
	}
	if len(weak) > 0 {
		out = append(out, report.Finding{
			ID:       "tls.weak_suites",
			Severity: report.SeverityMedium,
			Layer:    "tls",
			Title:    fmt.Sprintf("the server accepts %d weak cipher suites", len(weak)),
			Detail:   "Suites without forward secrecy (static RSA, DH or ECDH key exchange) and 64-bit block ciphers (3DES, open to Sweet32) are weak. Prefer ECDHE suites with AES-GCM or ChaCha20-Poly1305, which Okta and Entra ID offer.",
			Evidence: weak,
		})
	}
	return out
}
