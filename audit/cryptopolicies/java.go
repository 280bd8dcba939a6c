package cryptopolicies

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/java"
)

// The Java back end of crypto-policies writes
// /etc/crypto-policies/back-ends/java.config, whose security properties
// OpenJDK on RHEL loads over its own java.security, because that file sets
// security.useSystemPropertiesFile=true. A property in java.config replaces
// the JDK's value as a whole, so the JDK's own jdk.tls.disabledAlgorithms
// (with TLSv1, TLSv1.1 and TLS_RSA_*) no longer applies. The tables below
// follow python/policygenerators/java.py of the fedora-crypto-policies
// repository (2025): each maps a policy name that the policy does not
// allow to what the back end writes, and a name without an entry is left
// out.

// javaSignatures are the jdk.*.disabledAlgorithms entries of signature
// algorithms.
var javaSignatures = map[string]string{
	"RSA-MD5": "MD5withRSA", "RSA-SHA1": "SHA1withRSA", "DSA-SHA1": "SHA1withDSA", "ECDSA-SHA1": "SHA1withECDSA",
	"RSA-SHA2-224": "SHA224withRSA", "DSA-SHA2-224": "SHA224withDSA", "ECDSA-SHA2-224": "SHA224withECDSA",
	"RSA-SHA2-256": "SHA256withRSA", "DSA-SHA2-256": "SHA256withDSA", "ECDSA-SHA2-256": "SHA256withECDSA",
	"RSA-SHA2-384": "SHA384withRSA", "DSA-SHA2-384": "SHA384withDSA", "ECDSA-SHA2-384": "SHA384withECDSA",
	"RSA-SHA2-512": "SHA512withRSA", "DSA-SHA2-512": "SHA512withDSA", "ECDSA-SHA2-512": "SHA512withECDSA",
	"EDDSA-ED25519": "Ed25519", "EDDSA-ED448": "Ed448",
	"RSA-PSS-SHA1": "SHA1withRSAandMGF1", "RSA-PSS-SHA2-224": "SHA224withRSAandMGF1",
	"RSA-PSS-SHA2-256": "SHA256withRSAandMGF1", "RSA-PSS-SHA2-384": "SHA384withRSAandMGF1",
	"RSA-PSS-SHA2-512": "SHA512withRSAandMGF1",
}

// javaHashes are the jdk.certpath.disabledAlgorithms entries of hashes.
var javaHashes = map[string]string{
	"MD5": "MD5", "SHA1": "SHA1", "SHA2-224": "SHA224", "SHA2-256": "SHA256", "SHA2-384": "SHA384",
	"SHA2-512": "SHA512", "SHA3-256": "SHA3_256", "SHA3-384": "SHA3_384", "SHA3-512": "SHA3_512",
}

// javaProtocols are the jdk.tls.disabledAlgorithms entries of protocols.
var javaProtocols = map[string]string{
	"SSL2.0": "SSLv2", "SSL3.0": "SSLv3", "TLS1.0": "TLSv1", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2",
	"DTLS1.0": "DTLSv1.0",
}

// javaKeyExchanges are the jdk.tls.disabledAlgorithms entries of key
// exchanges. JSSE names no static-RSA key exchange, so the back end lists
// the six TLS_RSA suites instead.
var javaKeyExchanges = map[string]string{
	"EXPORT":  "RSA_EXPORT, DHE_DSS_EXPORT, DHE_RSA_EXPORT, DH_DSS_EXPORT, DH_RSA_EXPORT",
	"DH":      "DH_RSA, DH_DSS",
	"ANON":    "DH_anon, ECDH_anon",
	"RSA":     "TLS_RSA_WITH_AES_256_CBC_SHA256, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256",
	"DHE-RSA": "DHE_RSA", "DHE-DSS": "DHE_DSS", "ECDHE": "ECDHE", "ECDH": "ECDH", "RSA-PSK": "RSAPSK",
}

// javaCiphers are the jdk.tls.disabledAlgorithms entries of ciphers.
var javaCiphers = map[string]string{
	"CHACHA20-POLY1305": "ChaCha20-Poly1305",
	"AES-256-CBC":       "AES_256_CBC", "AES-128-CBC": "AES_128_CBC",
	"AES-256-GCM": "AES_256_GCM", "AES-128-GCM": "AES_128_GCM",
	"AES-256-CCM": "AES_256_CCM", "AES-128-CCM": "AES_128_CCM",
	"RC4-128": "RC4_128", "RC4-40": "RC4_40", "RC2-CBC": "RC2", "DES-CBC": "DES_CBC",
	"DES40-CBC": "DES40_CBC", "3DES-CBC": "3DES_EDE_CBC", "NULL": "anon, NULL",
}

// javaMACs are the jdk.tls.disabledAlgorithms entries of MACs.
var javaMACs = map[string]string{
	"HMAC-MD5": "HmacMD5", "HMAC-SHA1": "HmacSHA1", "HMAC-SHA2-256": "HmacSHA256",
	"HMAC-SHA2-384": "HmacSHA384", "HMAC-SHA2-512": "HmacSHA512",
}

// javaGroups are the jdk.disabled.namedCurves entries of groups.
var javaGroups = map[string]string{
	"X25519": "x25519", "SECP256R1": "secp256r1", "SECP384R1": "secp384r1", "SECP521R1": "secp521r1",
	"X448": "x448", "FFDHE-2048": "ffdhe2048", "FFDHE-3072": "ffdhe3072", "FFDHE-4096": "ffdhe4096",
	"FFDHE-6144": "ffdhe6144", "FFDHE-8192": "ffdhe8192",
	"BRAINPOOL-P256R1": "brainpoolP256r1", "BRAINPOOL-P384R1": "brainpoolP384r1", "BRAINPOOL-P512R1": "brainpoolP512r1",
}

// javaCurvesAlwaysDisabled end jdk.disabled.namedCurves for every policy.
var javaCurvesAlwaysDisabled = []string{
	"secp112r1", "secp112r2", "secp128r1", "secp128r2", "secp160k1", "secp160r1", "secp160r2",
	"secp192k1", "secp192r1", "secp224k1", "secp224r1", "secp256k1",
	"sect113r1", "sect113r2", "sect131r1", "sect131r2", "sect163k1", "sect163r1", "sect163r2",
	"sect193r1", "sect193r2", "sect233k1", "sect233r1", "sect239k1", "sect283k1", "sect283r1",
	"sect409k1", "sect409r1", "sect571k1", "sect571r1",
	"c2tnb191v1", "c2tnb191v2", "c2tnb191v3", "c2tnb239v1", "c2tnb239v2", "c2tnb239v3",
	"c2tnb359v1", "c2tnb431r1", "prime192v2", "prime192v3", "prime239v1", "prime239v2", "prime239v3",
	"brainpoolP320r1",
}

// javaAlwaysDisabled start both disabledAlgorithms lines for every policy.
// NOTE: upstream's list lacks a comma between MD5withECDSA and
// RIPEMD160withRSA, so the generated files contain the single entry
// MD5withECDSARIPEMD160withRSA, which disables neither. The audit writes
// the line as the back end does.
var javaAlwaysDisabled = []string{"MD2", "MD5withDSA", "MD5withECDSARIPEMD160withRSA", "RIPEMD160withECDSA", "RIPEMD160withRSAandMGF1"}

// defaultMinECSize is the EC key size limit the back end writes when the
// policy sets no min_ec_size, as the built-in policies of RHEL 8, 9 and 10
// audited here do.
const defaultMinECSize = 256

// javaDisabled maps each algorithm of property that s does not allow
// through table, in list order, and leaves out names without an entry.
func javaDisabled(s *Scoped, property string, table map[string]string) []string {
	var out []string
	for _, name := range s.disabled(property) {
		if entry := table[name]; entry != "" {
			out = append(out, entry)
		}
	}
	return out
}

// javaShared returns the entries both disabledAlgorithms lines start with:
// the fixed list, the signatures s does not allow, then the key sizes.
func javaShared(s *Scoped) []string {
	shared := slices.Clone(javaAlwaysDisabled)
	shared = append(shared, javaDisabled(s, "sign", javaSignatures)...)
	keySize := func(keyword string, size int) string {
		// A size of 0 makes the back end write the bare keyword, which
		// disables every key of that kind.
		if size == 0 {
			return keyword
		}
		return fmt.Sprintf("%s keySize < %d", keyword, size)
	}
	ec := s.Integers["min_ec_size"]
	if ec == 0 {
		ec = defaultMinECSize
	}
	return append(shared,
		keySize("RSA", s.Integers["min_rsa_size"]),
		keySize("DSA", s.Integers["min_dsa_size"]),
		keySize("DH", s.Integers["min_dh_size"]),
		keySize("EC", ec))
}

// JavaTLSDisabledAlgorithms returns the jdk.tls.disabledAlgorithms value
// the Java back end writes for s, the policy scoped to Java.
// NOTE: older crypto-policies packages, such as CentOS 8.3's, wrote a
// shorter line: it starts with "DH keySize <", lists protocols from SSLv2
// up, has no signature entries and writes nothing for CHACHA20-POLY1305,
// NULL and RSA-PSK. A host with such a package can allow suites that this
// line disables.
func JavaTLSDisabledAlgorithms(s *Scoped) string {
	entries := javaShared(s)
	entries = append(entries, "include jdk.disabled.namedCurves")
	entries = append(entries, javaDisabled(s, "protocol", javaProtocols)...)
	entries = append(entries, javaDisabled(s, "key_exchange", javaKeyExchanges)...)
	entries = append(entries, javaDisabled(s, "cipher", javaCiphers)...)
	entries = append(entries, javaDisabled(s, "mac", javaMACs)...)
	return strings.Join(entries, ", ")
}

// JavaCertpathDisabledAlgorithms returns the
// jdk.certpath.disabledAlgorithms value the Java back end writes for s.
func JavaCertpathDisabledAlgorithms(s *Scoped) string {
	entries := javaShared(s)
	entries = append(entries, javaDisabled(s, "hash", javaHashes)...)
	return strings.Join(entries, ", ")
}

// JavaDisabledNamedCurves returns the jdk.disabled.namedCurves value the
// Java back end writes for s, which jdk.tls.disabledAlgorithms includes.
func JavaDisabledNamedCurves(s *Scoped) string {
	entries := javaDisabled(s, "group", javaGroups)
	entries = append(entries, javaCurvesAlwaysDisabled...)
	return strings.Join(entries, ", ")
}

// JavaConfig returns the security properties of java.config that limit
// TLS, one per line, as the Java back end writes them for s.
func JavaConfig(s *Scoped) string {
	return "jdk.certpath.disabledAlgorithms=" + JavaCertpathDisabledAlgorithms(s) + "\n" +
		"jdk.tls.disabledAlgorithms=" + JavaTLSDisabledAlgorithms(s) + "\n" +
		"jdk.disabled.namedCurves=" + JavaDisabledNamedCurves(s) + "\n"
}

// javaJDK returns the OpenJDK line the audit assumes for a Java server on
// release r: 17 on RHEL 8 and 9, and 21, the default OpenJDK, on RHEL 10.
func javaJDK(r Release) string {
	if r == RHEL10 {
		return "21"
	}
	return "17"
}

// EffectiveJava returns the listener of a JSSE server (an SSLServerSocket,
// or a Tomcat JSSE connector without protocols or ciphers) on OpenJDK of
// the release c runs on, under the java.config that the Java back end
// writes for c. The versions and suites are those that package java
// computes for the JDK's own java.security with java.config's properties
// over it.
//
// The audit writes java.config to a temporary file for package java to
// read, and removes it before it returns. It returns an error only when
// that file cannot be written or read.
func EffectiveJava(c *Composite) (audit.Listener, error) {
	s := c.For(Java)
	config := JavaConfig(s)
	jdk := javaJDK(c.Release)

	tmp, err := os.CreateTemp("", "crypto-policies-java-*.config")
	if err != nil {
		return audit.Listener{}, fmt.Errorf("writing the generated java.config to a temporary file: %w; set TMPDIR to a writable folder", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(config)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return audit.Listener{}, fmt.Errorf("writing the generated java.config to %s: %w; set TMPDIR to a writable folder", tmp.Name(), err)
	}
	p, err := java.Load([]string{tmp.Name()}, java.Options{JDK: jdk})
	if err != nil {
		return audit.Listener{}, fmt.Errorf("evaluating the generated java.config for OpenJDK %s: %w", jdk, err)
	}
	server := p.Listeners()[0]

	disabled := "jdk.tls.disabledAlgorithms=" + JavaTLSDisabledAlgorithms(s)
	versions, dropped := usableJavaVersions(server.Versions.Values, server.Suites.Values, server.Suites13.Values)
	l := audit.Listener{
		Software:          "crypto-policies",
		Name:              fmt.Sprintf("%s system policy %s (Java back end, OpenJDK %s server side)", c.Release, c.Spec, jdk),
		Versions:          javaSetting(c, s, "protocol", versions),
		Suites:            javaSetting(c, s, "cipher", server.Suites.Values),
		Suites13:          javaSetting(c, s, "cipher", server.Suites13.Values),
		SuitesWithTLS12:   server.SuitesWithTLS12,
		ClientCertificate: server.ClientCertificate,
	}
	if f := c.Files[0]; !c.BuiltIn[f] {
		l.File = f.Path
	}
	l.Notes = append(l.Notes,
		"the Java back end writes /etc/crypto-policies/back-ends/java.config, which OpenJDK on RHEL reads over its java.security because that file sets security.useSystemPropertiesFile=true; its values replace the JDK's own jdk.tls.disabledAlgorithms",
		"java.config sets "+disabled,
		fmt.Sprintf("assumes OpenJDK %s with its own java.security; a JVM started with -Djava.security.properties, or a java.security with security.useSystemPropertiesFile=false, does not follow the policy", jdk),
		"a server's own settings (Tomcat protocols and ciphers, SSLServerSocket.setEnabledProtocols) select from what the policy leaves; they cannot enable what it disables")
	if !s.Has("protocol", "TLS1.3") && slices.Contains(server.Versions.Values, "TLS 1.3") {
		l.Notes = append(l.Notes, "the policy leaves out TLS1.3, but the Java back end has no jdk.tls.disabledAlgorithms entry for TLS 1.3, so Java servers keep it")
	}
	if len(dropped) > 0 {
		l.Notes = append(l.Notes, fmt.Sprintf("java.config leaves %s enabled but disables every suite of it, so JSSE does not negotiate it", strings.Join(dropped, ", ")))
	}
	if c.Spec.Policy == "FIPS" {
		l.Notes = append(l.Notes, "in FIPS mode OpenJDK on RHEL uses a FIPS security provider configuration, which can remove more suites than java.config does; the audit does not compute that")
	}
	for _, n := range server.Notes {
		if !strings.Contains(n, tmp.Name()) {
			l.Notes = append(l.Notes, n)
		}
	}
	return l, nil
}

// javaSetting returns values traced to the policy directive that last set
// property. The generated line is long, so the listener's notes carry it
// once and the Directive points there.
func javaSetting(c *Composite, s *Scoped, property string, values []string) audit.Setting {
	setting := describe(c, s, property)
	setting.Values = values
	if setting.Values == nil {
		setting.Values = []string{}
	}
	setting.Directive += ", which the Java back end turns into jdk.tls.disabledAlgorithms in java.config (the line is in the notes)"
	return setting
}

// usableJavaVersions returns the versions JSSE negotiates: those of
// versions that keep at least one suite, because JSSE leaves out a
// protocol without an active suite. dropped are the others.
func usableJavaVersions(versions, suites, suites13 []string) (usable, dropped []string) {
	usable = []string{}
	for _, v := range versions {
		if (v == "TLS 1.3" && len(suites13) == 0) || (v != "TLS 1.3" && len(suites) == 0) {
			dropped = append(dropped, v)
			continue
		}
		usable = append(usable, v)
	}
	return usable, dropped
}
