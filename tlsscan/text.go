package tlsscan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

// Write renders r in format f: JSON, or text with colour when opts.Color
// is set.
func Write(w io.Writer, r *Result, f report.Format, opts report.Options) error {
	switch f {
	case report.FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case report.FormatText:
		return WriteText(w, r, opts)
	}
	return fmt.Errorf("invalid format %q (use text or json)", f)
}

type textWriter struct {
	w     *bufio.Writer
	color bool
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(format string, args ...any) {
	fmt.Fprintf(t.w, format+"\n", args...)
}

func (t *textWriter) heading(title string) {
	t.line("")
	t.line("%s", t.paint(ansiBold, title))
}

// WriteText renders r for a person, one section per step: versions, cipher
// suites, groups, signature algorithms, features, certificate, SNI, client certificates and
// findings.
func WriteText(w io.Writer, r *Result, opts report.Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: opts.Color}

	t.line("%s %s", t.paint(ansiBold, "scimdoctor tls"), r.Target)
	if r.Unreachable {
		t.line("%s %s", t.paint(ansiRed, "unreachable:"), r.Error)
		t.line("next: check the host name and port, that the server listens on them, and that no firewall blocks this machine; no TLS step ran")
		return t.w.Flush()
	}
	sni := "no SNI"
	if r.ServerName != "" {
		sni = "SNI " + r.ServerName
	}
	t.line("scanned %s (%s; %d TCP connections, %s)", r.Address, sni, r.Connections, r.Duration.Round(10*time.Millisecond))

	t.writeVersions(r.Versions)
	t.writeSuites(r.Suites)
	t.writeGroups(r.Groups)
	t.writeSigAlgs(r.SignatureAlgorithms)
	t.writeFeatures(r)
	t.writeCertificate(r.Certificate)
	for _, c := range r.OtherCertificates {
		t.writeOtherCertificate(c)
	}
	if r.SNI != nil {
		t.heading("SNI")
		t.line("  %s", r.SNI.Summary)
		for _, res := range r.SNI.Results {
			t.line("  %-12s %s", string(res.Variant)+":", res.Outcome)
		}
	}
	if r.ClientAuth != nil {
		t.heading("Client certificates")
		t.line("  %s", r.ClientAuth.Summary)
		for _, v := range r.ClientAuth.Versions {
			t.line("  %s: %s; %s", v.Version, v.Requirement, v.Evidence)
		}
	}
	t.writeClients(r.Clients)
	t.writeAddressScans(r.AddressScans)
	if len(r.Skipped) > 0 {
		t.heading("Skipped")
		for _, s := range r.Skipped {
			t.line("  %s", s)
		}
	}
	t.writeFindings(r.Findings)
	return t.w.Flush()
}

func (t *textWriter) writeVersions(versions []VersionState) {
	t.heading("Versions")
	for _, v := range versions {
		mark := t.paint(ansiDim, "no ")
		if v.Accepted {
			mark = t.paint(ansiGreen, "yes")
		}
		t.line("  %-8s %s  %s", v.Version, mark, v.Answer)
	}
}

func (t *textWriter) writeSuites(lists []SuiteList) {
	t.heading("Cipher suites")
	if len(lists) == 0 {
		t.line("  none: no version from SSL 3.0 to TLS 1.3 was accepted")
	}
	for _, list := range lists {
		order := "client order"
		if list.ServerOrder {
			order = "server order"
		}
		if list.ChaChaWhenClientPrefers {
			order = "server order, but ChaCha20 for a client that lists it first"
		}
		if len(list.Suites) < 2 {
			order = "one suite"
		}
		t.line("  %s (%s)", list.Version, order)
		for _, s := range list.Suites {
			t.line("    %s %s%s", s.ID, s.Name, t.strength(s.Strength))
		}
		if list.Error != "" {
			t.line("    %s %s", t.paint(ansiYellow, "incomplete:"), list.Error)
		}
	}
}

func (t *textWriter) writeGroups(lists []GroupList) {
	t.heading("Groups")
	if len(lists) == 0 {
		t.line("  none: no version from TLS 1.0 to TLS 1.3 was accepted")
	}
	for _, list := range lists {
		groups := "none"
		if len(list.Groups) > 0 {
			groups = strings.Join(list.Groups, ", ")
		}
		extra := ""
		if list.Preferred != "" {
			order := "client order"
			if list.ServerOrder {
				order = "server order"
			}
			extra = fmt.Sprintf(" (preferred %s, %s)", list.Preferred, order)
		}
		t.line("  %s: %s%s", list.Version, groups, extra)
		if list.Error != "" {
			t.line("    %s %s", t.paint(ansiYellow, "incomplete:"), list.Error)
		}
	}
}

func (t *textWriter) writeSigAlgs(lists []SigAlgList) {
	t.heading("Signature algorithms")
	if len(lists) == 0 {
		t.line("  none: neither TLS 1.2 nor TLS 1.3 was accepted")
	}
	for _, list := range lists {
		schemes := "none"
		if len(list.Schemes) > 0 {
			schemes = strings.Join(list.Schemes, ", ")
		}
		t.line("  %s: %s", list.Version, schemes)
		if list.Error != "" {
			t.line("    %s %s", t.paint(ansiYellow, "incomplete:"), list.Error)
		}
	}
}

func (t *textWriter) writeFeatures(r *Result) {
	t.heading("Features")
	f := r.Features
	if f == nil {
		t.line("  not checked: no version from SSL 3.0 to TLS 1.3 was accepted")
		return
	}
	alpn := "none"
	if len(f.ALPN) > 0 {
		alpn = strings.Join(f.ALPN, ", ")
	}
	if f.ProbeVersion != 0 {
		t.line("  checked at %s", f.ProbeVersion)
	}
	if f.ProbeVersion == 0 && f.Version == tlsprobe.VersionTLS13 {
		// TLS 1.3 moves ALPN, OCSP stapling and session tickets into
		// encrypted messages, which a raw probe cannot read, and drops
		// renegotiation, the extended master secret and compression.
		if alpn == "none" {
			alpn = "not visible (TLS 1.3 encrypts it)"
		}
		t.line("  ALPN: %s", alpn)
		t.line("  secure renegotiation, extended master secret, compression: not part of TLS 1.3")
		t.line("  session tickets, OCSP stapling: not visible (TLS 1.3 encrypts them)")
		t.line("  TLS_FALLBACK_SCSV: %s", f.FallbackSCSV)
		if f.Err != "" {
			t.line("  %s %s", t.paint(ansiYellow, "incomplete:"), f.Err)
		}
		return
	}
	t.line("  ALPN: %s", alpn)
	t.line("  secure renegotiation: %s", yesNo(f.SecureRenegotiation))
	t.line("  extended master secret: %s", yesNo(f.ExtendedMasterSecret))
	t.line("  session tickets: %s", yesNo(f.SessionTicket))
	t.line("  OCSP stapling: %s", yesNo(f.OCSPStapling))
	t.line("  compression: %s", yesNo(f.Compression))
	t.line("  TLS_FALLBACK_SCSV: %s", f.FallbackSCSV)
	if len(f.NotObserved) > 0 {
		t.line("  not observed: %s", strings.Join(f.NotObserved, ", "))
	}
	if f.Err != "" {
		t.line("  %s %s", t.paint(ansiYellow, "incomplete:"), f.Err)
	}
}

func (t *textWriter) writeCertificate(c *Certificate) {
	t.heading("Certificate")
	if c == nil {
		t.line("  not checked: no version probe got a TLS record back")
		return
	}
	if c.Error != "" {
		t.line("  %s %s", t.paint(ansiRed, "no chain:"), c.Error)
		return
	}
	t.line("  source: %s; checked against %q with the Mozilla roots and --cacert files", c.Source, c.CheckedName)
	if len(c.Versions) > 0 {
		t.line("  sent at: %s", strings.Join(c.Versions, ", "))
	}
	t.writeChain(c)
	t.writeTrust(c.Trust)
	t.writeAIA(c.AIA)
}

func (t *textWriter) writeTrust(checks []TrustCheck) {
	for _, check := range checks {
		switch {
		case check.Error != "":
			t.line("  trust %-8s %s  %s", check.Store+":", t.paint(ansiDim, "unknown"), check.Error)
		case check.Trusted:
			t.line("  trust %-8s %s  %s", check.Store+":", t.paint(ansiGreen, "trusted"), check.Source)
		default:
			// The details repeat the problems listed above, so the classes
			// suffice here.
			var classes []string
			for _, p := range check.Problems {
				classes = appendUnique(classes, string(p.Class))
			}
			t.line("  trust %-8s %s  %s (%s)", check.Store+":", t.paint(ansiRed, "no     "), check.Source, strings.Join(classes, ", "))
		}
	}
}

func (t *textWriter) writeAIA(aia *certcheck.AIAResult) {
	if aia == nil {
		return
	}
	if len(aia.Fetches) == 0 {
		t.line("  AIA: nothing to fetch, because the chain reaches a trusted root")
	}
	for _, f := range aia.Fetches {
		line := fmt.Sprintf("  AIA %s: %s", f.URL, f.Outcome)
		if f.Error != "" {
			line += " (" + f.Error + ")"
		}
		t.line("%s", line)
	}
}

// writeOtherCertificate renders a chain the server sent at some versions
// only.
func (t *textWriter) writeOtherCertificate(c *Certificate) {
	t.heading("Certificate at " + strings.Join(c.Versions, ", "))
	t.line("  another leaf than the main chain; source: %s", c.Source)
	t.writeChain(c)
}

func (t *textWriter) writeChain(c *Certificate) {
	for i, cert := range c.Chain {
		t.line("  %d subject: %s", i, cert.Subject)
		t.line("    issuer: %s", cert.Issuer)
		if len(cert.DNSNames) > 0 || len(cert.IPAddresses) > 0 {
			t.line("    names: %s", strings.Join(append(append([]string{}, cert.DNSNames...), cert.IPAddresses...), ", "))
		}
		t.line("    valid: %s to %s", cert.NotBefore.Format(time.DateOnly), cert.NotAfter.Format(time.DateOnly))
		t.line("    key: %s; signature: %s", cert.Key, cert.SignatureAlgorithm)
	}
	for _, o := range c.Order {
		t.line("  %s %s", t.paint(ansiYellow, "order:"), o)
	}
	if len(c.Problems) == 0 {
		t.line("  %s", t.paint(ansiGreen, "no problems"))
	}
	for _, p := range c.Problems {
		t.line("  %s %s: %s", t.paint(ansiRed, "problem"), p.Class, p.Detail)
	}
}

// strength flags the suites below "strong"; strong ones get no mark.
func (t *textWriter) strength(s registry.Strength) string {
	switch s {
	case registry.StrengthInsecure:
		return "  " + t.paint(ansiRed, "INSECURE")
	case registry.StrengthWeak:
		return "  " + t.paint(ansiYellow, "weak")
	case registry.StrengthAcceptable:
		return "  " + t.paint(ansiDim, "CBC")
	}
	return ""
}

func (t *textWriter) writeClients(verdicts []report.Verdict) {
	t.heading("Client simulation")
	if len(verdicts) == 0 {
		t.line("  none: the server accepted no connection")
	}
	width := 0
	for _, v := range verdicts {
		width = max(width, len(v.Client))
	}
	for _, v := range verdicts {
		if v.Connects {
			t.line("  %-*s %s  %s, %s", width, v.Client, t.paint(ansiGreen, "connects"), v.Version, v.Suite)
			continue
		}
		if v.Class == "" {
			// The simulation could not run, and its last evidence line gives the reason.
			reason := "no verdict"
			if len(v.Evidence) > 0 {
				reason = v.Evidence[len(v.Evidence)-1]
			}
			t.line("  %-*s %s  %s", width, v.Client, t.paint(ansiYellow, "unknown "), reason)
			continue
		}
		line := v.LogLine
		if line == "" {
			line = v.Message
		}
		t.line("  %-*s %s  %s: %s", width, v.Client, t.paint(ansiRed, "fails   "), v.Class, line)
	}
}

func (t *textWriter) writeAddressScans(scans []AddressScan) {
	if len(scans) == 0 {
		return
	}
	t.heading("Addresses")
	for _, a := range scans {
		t.line("  %s", describeAddressScan(a))
	}
}

func (t *textWriter) writeFindings(findings []report.Finding) {
	t.heading("Findings")
	if len(findings) == 0 {
		t.line("  none")
	}
	for _, f := range findings {
		t.line("  %s %s (%s)", t.severity(f.Severity), f.Title, f.ID)
		if f.Detail != "" {
			t.line("    %s", f.Detail)
		}
		for _, e := range f.Evidence {
			t.line("    evidence: %s", e)
		}
	}
}

func (t *textWriter) severity(s report.Severity) string {
	label := strings.ToUpper(string(s))
	switch s {
	case report.SeverityHigh:
		return t.paint(ansiRed, label)
	case report.SeverityMedium, report.SeverityLow:
		return t.paint(ansiYellow, label)
	}
	return t.paint(ansiDim, label)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
