package java

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultJDK is the JDK line assumed when none is given: Debian 12's
// openjdk-17-jre-headless.
const DefaultJDK = "17"

// jdkLine is the behavior of one JDK line when a setting is absent. It
// contains the jdk.tls.disabledAlgorithms value of the line's own java.security,
// the protocols a default SSLContext enables before that property filters
// them, and the cipher suites it enables by default, in JSSE's order.
type jdkLine struct {
	// name is the --jdk value, and update the release whose defaults the
	// line models.
	name, update string
	// disabled is the jdk.tls.disabledAlgorithms value of the line's own
	// java.security. disabledSource qualifies a value not copied from that
	// file, such as "an estimate", and is empty otherwise.
	disabled, disabledSource string
	// serverProtocols and clientProtocols are the JSSE protocol names a
	// default SSLServerSocket and SSLSocket enable before
	// jdk.tls.disabledAlgorithms removes some, highest first.
	serverProtocols, clientProtocols []string
	// suites are the IANA names of the suites enabled by default before
	// jdk.tls.disabledAlgorithms removes some, TLS 1.3 suites included,
	// in JSSE's preference order, and suitesSource where they come from.
	suites       []string
	suitesSource string
	// wildcards is whether jdk.tls.disabledAlgorithms accepts suite
	// patterns such as TLS_RSA_*, include whether java.security files
	// can include others, and serverProperty whether the
	// jdk.tls.server.protocols system property is read.
	wildcards, include, serverProperty bool
}

// jdk17Suites are the suites OpenJDK 17.0.21 (Debian 12) enables when
// jdk.tls.disabledAlgorithms is empty, in its order: measured with
// SSLServerSocket.getEnabledCipherSuites and
// -Djava.security.properties setting the property to "". The 3DES suites
// carry SSL_ names in JSSE (SSL_RSA_WITH_3DES_EDE_CBC_SHA); they are listed
// here by IANA name.
var jdk17Suites = []string{
	"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
	"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
	"TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
	"TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
}

// jdk25Suites are the suites Temurin 25.0.3 enables when
// jdk.tls.disabledAlgorithms is empty, measured the same way: JDK 17's
// list without the 3DES suites, which JDK 25 no longer enables by default.
var jdk25Suites = slices.DeleteFunc(slices.Clone(jdk17Suites), func(s string) bool {
	return strings.Contains(s, "3DES")
})

// jdk11Suites are the suites of the ClientHello of JDK 11.0.11
// (clients/profiles/java-11.json): already filtered by that update's
// jdk.tls.disabledAlgorithms, so suites it disables (3DES) are missing.
var jdk11Suites = []string{
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
	"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
}

// jdk8u291Suites are the suites of the ClientHello of JDK 8u291
// (clients/profiles/java-8u291.json), after the TLS 1.3 suites that the
// server side of the JSSE of 8u261 and later enables. The list is already
// filtered by that update's jdk.tls.disabledAlgorithms.
var jdk8u291Suites = []string{
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
}

// jdk8u202Suites are the suites of the ClientHello of JDK 8u202
// (clients/profiles/java-8u202.json), which the old JSSE also enables on
// the server side.
var jdk8u202Suites = []string{
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
	"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
}

// jdk7Suites are the suites of the ClientHello of JDK 7u25
// (clients/profiles/java-7.json), RC4 included.
var jdk7Suites = []string{
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	"TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "TLS_ECDH_RSA_WITH_RC4_128_SHA",
	"TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_MD5",
}

// modernDisabled is the jdk.tls.disabledAlgorithms value of the
// java.security of OpenJDK 17.0.21 (Debian 12,
// /etc/java-17-openjdk/security/java.security) and of Temurin 25.0.3,
// which ship the same line.
const modernDisabled = "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH, TLS_RSA_*, rsa_pkcs1_sha1 usage HandshakeSignature, ecdsa_sha1 usage HandshakeSignature, dsa_sha1 usage HandshakeSignature"

// tls10To13 are the protocols a default SSLContext of JDK 11 and later
// (and 8u261 and later) enables on both sides before
// jdk.tls.disabledAlgorithms filters them. Measured on JDK 17.0.21 and
// 25.0.3 with that property empty, SSLv3 is supported but not enabled.
var tls10To13 = []string{"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"}

// jdkLines are the JDK lines the audit models, oldest first.
var jdkLines = []jdkLine{
	{
		name: "7", update: "Oracle JDK 7u80",
		// NOTE: SSLv3 alone is an estimate for 7u75 to 7u80, which
		// disabled SSLv3; later, non-public 7u updates add RC4 and DH key
		// size limits. Not checked against a JDK 7 build.
		disabled: "SSLv3", disabledSource: "an estimate",
		// JDK 7's client enables only TLSv1 (and SSLv3) although it
		// implements TLS 1.1 and 1.2, as the java-7 client profile records.
		// Its server enables all of them.
		serverProtocols: []string{"TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"},
		clientProtocols: []string{"TLSv1", "SSLv3"},
		suites:          jdk7Suites, suitesSource: "ClientHello of JDK 7u25",
	},
	{
		name: "8", update: "JDK 8u202 (before 8u291)",
		// NOTE: reconstructed from the 8u202 ClientHello, which still
		// offers 3DES suites, so 3DES_EDE_CBC is left out. Later 8 updates
		// before 8u291 add it, as the OpenJDK mainline value before TLS 1.0
		// and 1.1 were disabled shows.
		disabled:       "SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, anon, NULL",
		disabledSource: "reconstructed from its ClientHello",
		// JDK 8 enables TLS 1.0 to 1.2 on both sides, as the java-8u202
		// client profile records. The old JSSE of 8u202 implements no
		// TLS 1.3 and ignores jdk.tls.server.protocols.
		serverProtocols: []string{"TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"},
		clientProtocols: []string{"TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"},
		suites:          jdk8u202Suites, suitesSource: "ClientHello of JDK 8u202",
	},
	{
		name: "8u291", update: "JDK 8u291",
		// The value the OpenJDK jdk8u-dev commit "8279164: Disable
		// TLS_ECDH_* cipher suites" starts from: TLS 1.0 and 1.1 were
		// added in April 2021 (8u291).
		disabled:       "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, include jdk.disabled.namedCurves",
		disabledSource: "",
		// The TLS 1.3 backport of 8u261 (CSR JDK-8248721) enables TLS 1.3
		// on the server side and reads jdk.tls.server.protocols. Its client
		// enables TLS 1.3 only from Oracle JDK 8u341 and OpenJDK 8u352
		// (Progress DataDirect's CryptoProtocolVersion documentation).
		serverProtocols: tls10To13,
		clientProtocols: []string{"TLSv1.2", "TLSv1.1", "TLSv1"},
		suites:          jdk8u291Suites, suitesSource: "ClientHello of JDK 8u291, with the TLS 1.3 suites of the 8u261 backport",
		serverProperty: true,
	},
	{
		name: "11", update: "JDK 11.0.11",
		// The OpenJDK mainline commit that disabled TLS 1.0 and 1.1
		// (backported to 11.0.11, April 2021) sets this value.
		// NOTE: the include entry is assumed from the 8u line; it only
		// names EC curves, which change no suite. Later 11.0.x updates add
		// ECDH and, from July 2025, TLS_RSA_* with suite patterns; they
		// are not modeled.
		disabled:        "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, include jdk.disabled.namedCurves",
		disabledSource:  "",
		serverProtocols: tls10To13, clientProtocols: tls10To13,
		suites: jdk11Suites, suitesSource: "ClientHello of JDK 11.0.11",
		serverProperty: true,
	},
	{
		name: "17", update: "OpenJDK 17.0.21 (Debian 12)",
		disabled: modernDisabled, disabledSource: "",
		serverProtocols: tls10To13, clientProtocols: tls10To13,
		suites: jdk17Suites, suitesSource: "measured on OpenJDK 17.0.21",
		wildcards: true, serverProperty: true,
	},
	{
		name: "21", update: "OpenJDK 21.0.8 and later",
		// NOTE: taken equal to 17.0.21: both lines got the same July 2025
		// backports (ECDH and TLS_RSA_* disabled, suite patterns). Not
		// measured on a JDK 21 build.
		disabled: modernDisabled, disabledSource: "taken equal to 17.0.21",
		serverProtocols: tls10To13, clientProtocols: tls10To13,
		suites: jdk17Suites, suitesSource: "list measured on JDK 17.0.21",
		wildcards: true, serverProperty: true,
	},
	{
		name: "25", update: "JDK 25.0.3",
		disabled: modernDisabled, disabledSource: "",
		serverProtocols: tls10To13, clientProtocols: tls10To13,
		suites: jdk25Suites, suitesSource: "measured on Temurin 25.0.3",
		// The include directive arrived in JDK 24 (Security Developer's
		// Guide for JDK 24, "Including a Security Properties File").
		wildcards: true, include: true, serverProperty: true,
	},
}

// jdkAliases maps other spellings of a line to its name.
var jdkAliases = map[string]string{
	"1.7": "7", "7u80": "7", "1.8": "8", "8u202": "8", "1.8u291": "8u291", "8u301": "8u291",
}

// JDKLines returns the --jdk values the audit accepts, oldest first.
func JDKLines() []string {
	var names []string
	for _, l := range jdkLines {
		names = append(names, l.name)
	}
	return names
}

// lookupJDK returns the line named name ("" means DefaultJDK).
func lookupJDK(name string) (*jdkLine, error) {
	name = strings.TrimSpace(strings.ToLower(name))
	if name == "" {
		name = DefaultJDK
	}
	if alias, ok := jdkAliases[name]; ok {
		name = alias
	}
	for i := range jdkLines {
		if jdkLines[i].name == name {
			return &jdkLines[i], nil
		}
	}
	return nil, fmt.Errorf("unknown JDK line %q: use one of %s", name, strings.Join(JDKLines(), ", "))
}
