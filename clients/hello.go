package clients

import (
	"fmt"
	"slices"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// resolveHello turns the names of p.Hello into the tlsprobe.ClientHello the
// profile sends, and checks that the names exist and fit together.
func (p *Profile) resolveHello() error {
	spec := p.Hello
	fail := func(field, format string, args ...any) error {
		return &ProfileError{File: p.file, Field: "client_hello." + field, Message: fmt.Sprintf(format, args...)}
	}

	// Versions, in the client's order.
	if len(spec.Versions) == 0 {
		return fail("versions", "is empty; list the enabled versions, newest first")
	}
	p.versions = nil
	for i, name := range spec.Versions {
		v, err := tlsprobe.ParseVersion(name)
		if err != nil {
			return fail(fmt.Sprintf("versions[%d]", i), "%v", err)
		}
		if slices.Contains(p.versions, v) {
			return fail(fmt.Sprintf("versions[%d]", i), "%s is listed twice", v)
		}
		p.versions = append(p.versions, v)
	}
	recordVersion, err := tlsprobe.ParseVersion(spec.RecordVersion)
	if err != nil {
		return fail("record_version", "%v", err)
	}
	legacyVersion, err := tlsprobe.ParseVersion(spec.LegacyVersion)
	if err != nil {
		return fail("legacy_version", "%v", err)
	}
	if p.Enables(tlsprobe.VersionTLS13) && !spec.SupportedVersions {
		return fail("supported_versions", "must be true when versions include TLS 1.3 (RFC 8446, Section 4.2.1)")
	}

	h := tlsprobe.ClientHello{
		RecordVersion: recordVersion,
		Version:       legacyVersion,
		ALPN:          slices.Clone(spec.ALPN),
	}
	if spec.SupportedVersions {
		h.SupportedVersions = slices.Clone(p.versions)
	}

	// Cipher suites: at least one must be usable in an enabled version.
	usable := false
	for i, name := range spec.CipherSuites {
		info, ok := registry.SuiteByName(name)
		if !ok {
			return fail(fmt.Sprintf("cipher_suites[%d]", i), "unknown cipher suite %q (use the IANA name, such as TLS_AES_128_GCM_SHA256)", name)
		}
		if slices.Contains(h.CipherSuites, info.ID) {
			return fail(fmt.Sprintf("cipher_suites[%d]", i), "%s is listed twice", info.Name)
		}
		h.CipherSuites = append(h.CipherSuites, info.ID)
		for _, v := range p.versions {
			usable = usable || info.ValidFor(uint16(v))
		}
	}
	if !usable {
		return fail("cipher_suites", "no suite is valid for the enabled versions %v", spec.Versions)
	}

	// Groups, key shares and signature schemes.
	for i, name := range spec.Groups {
		info, ok := registry.GroupByName(name)
		if !ok {
			return fail(fmt.Sprintf("groups[%d]", i), "unknown group %q (use the IANA name, such as x25519 or secp256r1)", name)
		}
		h.SupportedGroups = append(h.SupportedGroups, info.ID)
	}
	for i, name := range spec.KeyShares {
		info, ok := registry.GroupByName(name)
		if !ok || !slices.Contains(h.SupportedGroups, info.ID) {
			return fail(fmt.Sprintf("key_shares[%d]", i), "%q is not one of the groups", name)
		}
		h.KeyShares = append(h.KeyShares, info.ID)
	}
	if p.Enables(tlsprobe.VersionTLS13) && len(h.KeyShares) == 0 {
		return fail("key_shares", "is empty, but a TLS 1.3 client sends at least one key share")
	}
	h.SignatureAlgorithms, err = schemeIDs(spec.SignatureAlgorithms)
	if err != nil {
		return fail("signature_algorithms", "%v", err)
	}
	h.SignatureAlgorithmsCert, err = schemeIDs(spec.SignatureAlgorithmsCert)
	if err != nil {
		return fail("signature_algorithms_cert", "%v", err)
	}

	// Extensions.
	for i, name := range spec.Extensions {
		set, ok := flagExtensions[name]
		if !ok {
			return fail(fmt.Sprintf("extensions[%d]", i), "%q is not a flag extension the probe can send (%s)", name, sortedKeys(flagExtensions))
		}
		set(&h)
	}
	for i, name := range spec.ExtensionsNotSent {
		if _, ok := extensionTypes[name]; !ok {
			return fail(fmt.Sprintf("extensions_not_sent[%d]", i), "unknown extension %q", name)
		}
	}
	for i, name := range spec.ExtensionOrder {
		typ, ok := extensionTypes[name]
		if !ok {
			return fail(fmt.Sprintf("extension_order[%d]", i), "unknown extension %q", name)
		}
		if slices.Contains(h.ExtensionOrder, typ) {
			return fail(fmt.Sprintf("extension_order[%d]", i), "%s is listed twice", name)
		}
		h.ExtensionOrder = append(h.ExtensionOrder, typ)
	}

	if p.Policy.MinVersion != "" {
		floor, err := tlsprobe.ParseVersion(p.Policy.MinVersion)
		if err != nil {
			return &ProfileError{File: p.file, Field: "policy.min_version", Message: err.Error()}
		}
		if !p.Enables(floor) {
			return &ProfileError{File: p.file, Field: "policy.min_version", Message: fmt.Sprintf("%s is not one of the versions", floor)}
		}
		p.policyMinVersion = floor
	}

	p.hello = h
	return nil
}

func schemeIDs(names []string) ([]uint16, error) {
	var ids []uint16
	for i, name := range names {
		info, ok := registry.SchemeByName(name)
		if !ok {
			return nil, fmt.Errorf("[%d]: unknown signature scheme %q (use the IANA name, such as rsa_pss_rsae_sha256)", i, name)
		}
		ids = append(ids, info.ID)
	}
	return ids, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
