package java

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// fipsMode is a FIPS 140 provider configuration found in the security
// properties.
type fipsMode struct {
	// narrows is whether the provider is in force, so that suites outside
	// the approved set are removed; otherwise only note is reported.
	narrows bool
	setting audit.Setting
	note    string
}

// fipsSuiteNote describes the approved set fipsApproved keeps.
const fipsSuiteNote = "AES-GCM and AES-CBC suites with ECDHE, DHE or RSA key exchange and the TLS 1.3 AES-GCM suites, no ChaCha20-Poly1305 and no 3DES"

// detectFIPS finds a FIPS provider: SunPKCS11 configured for NSS in FIPS
// mode as a security.provider.N, RHEL's fips.provider.N list (in force
// with -Dcom.redhat.fips=true or a host in FIPS mode), or BouncyCastle's
// BCFIPS provider (approved-only with org.bouncycastle.fips.approved_only
// set to true as a system or security property).
func detectFIPS(props map[string]Property, flags map[string]Flag) *fipsMode {
	providers := numbered(props, "security.provider.")
	for _, prop := range providers {
		v := strings.ToLower(prop.Value)
		if strings.Contains(v, "sunpkcs11") && strings.Contains(v, "fips") {
			return &fipsMode{
				narrows: true,
				setting: propertySetting(prop),
				note:    fmt.Sprintf("%s (%s) runs the JVM's cryptography in NSS's FIPS mode: the audit keeps only %s (an estimate of the FIPS 140 approved set)", prop.Directive(), location(prop.File, prop.Line), fipsSuiteNote),
			}
		}
	}
	for _, prop := range providers {
		v := strings.ToLower(prop.Value)
		if !strings.Contains(v, "bouncycastlefipsprovider") && strings.TrimSpace(v) != "bcfips" {
			continue
		}
		approved := false
		if f, ok := flags["org.bouncycastle.fips.approved_only"]; ok {
			approved = strings.EqualFold(strings.TrimSpace(f.Value), "true")
		} else if sp, ok := props["org.bouncycastle.fips.approved_only"]; ok {
			approved = strings.EqualFold(strings.TrimSpace(sp.Value), "true")
		}
		jsse := ""
		for _, other := range providers {
			if strings.Contains(strings.ToLower(other.Value), "bouncycastlejsseprovider") || strings.TrimSpace(strings.ToLower(other.Value)) == "bcjsse" {
				jsse = "; TLS runs on " + other.Directive() + ", which reads jdk.tls.disabledAlgorithms as SunJSSE does"
			}
		}
		if !approved {
			return &fipsMode{setting: propertySetting(prop), note: fmt.Sprintf("%s (%s) registers BouncyCastle FIPS without approved-only mode (org.bouncycastle.fips.approved_only is not true): suites are not narrowed%s", prop.Directive(), location(prop.File, prop.Line), jsse)}
		}
		return &fipsMode{
			narrows: true,
			setting: propertySetting(prop),
			note:    fmt.Sprintf("%s (%s) with org.bouncycastle.fips.approved_only=true limits TLS to FIPS-approved algorithms: the audit keeps only %s (an estimate)%s", prop.Directive(), location(prop.File, prop.Line), fipsSuiteNote, jsse),
		}
	}
	if rhel := numbered(props, "fips.provider."); len(rhel) > 0 {
		prop := rhel[0]
		if f, ok := flags["com.redhat.fips"]; ok && strings.EqualFold(strings.TrimSpace(f.Value), "true") {
			return &fipsMode{
				narrows: true,
				setting: flagSetting(f),
				note:    fmt.Sprintf("%s with the fips.provider list of %s puts Red Hat's OpenJDK in FIPS mode: the audit keeps only %s (an estimate)", f.Text, location(prop.File, prop.Line), fipsSuiteNote),
			}
		}
		return &fipsMode{setting: propertySetting(prop), note: fmt.Sprintf("%s (%s) is Red Hat's FIPS provider list: it replaces the providers when the host runs in FIPS mode or -Dcom.redhat.fips=true is given, and then only %s remain; neither is known here, so suites are not narrowed", prop.Directive(), location(prop.File, prop.Line), fipsSuiteNote)}
	}
	return nil
}

// numbered returns the properties prefix1, prefix2, ... in number order.
func numbered(props map[string]Property, prefix string) []Property {
	type entry struct {
		n    int
		prop Property
	}
	var entries []entry
	for key, prop := range props {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil {
			entries = append(entries, entry{n, prop})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].n < entries[j].n })
	var out []Property
	for _, e := range entries {
		out = append(out, e.prop)
	}
	return out
}

// fipsApproved reports whether a suite is in the FIPS set the audit
// assumes: AES (GCM or CBC) with ECDHE, DHE or RSA key exchange, and the
// TLS 1.3 AES-GCM suites.
func fipsApproved(name, kx string) bool {
	_, cipher, _, ok := suiteParts(name)
	if !ok || !strings.HasPrefix(cipher, "AES_") {
		return false
	}
	switch kx {
	case "", "ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA", "RSA":
		return true
	}
	return false
}

// propertySetting returns the Setting of a security property; one of the
// JDK line's own java.security has no file.
func propertySetting(prop Property) audit.Setting {
	return prop.setting()
}
