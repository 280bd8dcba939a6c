package fingerprint

import (
	"slices"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// HelloSet names the hello set below. A fingerprint is comparable only with
// fingerprints taken with the same set. So any change to a hello, to the
// order of the set or to the token encoding needs a new name here and a
// new table: go test ./fingerprint -run TestTable -update.
const HelloSet = "scimdoctor-fp2"

// Hello is one member of the fixed hello set.
type Hello struct {
	// Name identifies the hello in tokens, tables and reports.
	Name string
	// Purpose names the difference between stacks that the hello brings out.
	Purpose string
	// build returns the ClientHello for a server name ("" for none).
	build func(serverName string) *tlsprobe.ClientHello
}

// ClientHello returns the hello for serverName ("" or an IP literal sends
// no SNI). Each call makes fresh randoms and key shares.
func (h Hello) ClientHello(serverName string) *tlsprobe.ClientHello {
	return h.build(serverName)
}

// Hellos returns the fixed hello set in its order. The set is the contract
// of this package: every token, hash and table entry depends on it.
func Hellos() []Hello {
	return slices.Clone(hellos)
}

// Grease values (RFC 8701, Section 2) that the grease hello adds to every
// list a server must ignore unknown values in.
const (
	greaseSuite   = 0x0a0a
	greaseGroup   = 0x1a1a
	greaseVersion = 0x2a2a
	greaseScheme  = 0x3a3a
)

// legacySuites are TLS 1.2 suites without forward secrecy: 3DES, RC4 and
// static RSA with AES. JDK 17.0.21 and Go 1.26 disable all of them by
// default, OpenSSL 3.0 at its default security level keeps the AES ones.
var legacySuites = []uint16{
	0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
	0x0005, // TLS_RSA_WITH_RC4_128_SHA
	0x0004, // TLS_RSA_WITH_RC4_128_MD5
	0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
	0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
	0x003c, // TLS_RSA_WITH_AES_128_CBC_SHA256
	0x009c, // TLS_RSA_WITH_AES_128_GCM_SHA256
	0x009d, // TLS_RSA_WITH_AES_256_GCM_SHA384
}

var hellos = []Hello{
	{
		Name:    "tls13",
		Purpose: "TLS 1.3 and 1.2 with a current client's suites and groups: the server's best choice",
		build: func(sn string) *tlsprobe.ClientHello {
			return tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12})
		},
	},
	{
		Name:    "tls13-no-sni",
		Purpose: "the tls13 hello without server_name: strict SNI checks and default certificates",
		build: func(string) *tlsprobe.ClientHello {
			return tlsprobe.ModernHello("", []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12})
		},
	},
	{
		Name:    "tls13-grease",
		Purpose: "the tls13 hello with GREASE values in suites, groups, versions and signature schemes, which servers must ignore",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12})
			h.CipherSuites = append([]uint16{greaseSuite}, h.CipherSuites...)
			h.SupportedGroups = append([]uint16{greaseGroup}, h.SupportedGroups...)
			h.SupportedVersions = append([]tlsprobe.Version{greaseVersion}, h.SupportedVersions...)
			h.SignatureAlgorithms = append([]uint16{greaseScheme}, h.SignatureAlgorithms...)
			return h
		},
	},
	{
		Name:    "tls13-share-mismatch",
		Purpose: "TLS 1.3 listing X25519MLKEM768 and secp384r1 before x25519 but with an x25519 key share only: servers that enforce their group order send a HelloRetryRequest",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS13})
			h.SupportedGroups = []uint16{registry.GroupX25519MLKEM768, registry.GroupSecp384r1, registry.GroupX25519}
			h.KeyShares = []uint16{registry.GroupX25519}
			return h
		},
	},
	{
		Name:    "tls13-ffdhe-only",
		Purpose: "TLS 1.3 with ffdhe2048 as the only group: stacks without finite-field groups in TLS 1.3 reject it",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS13})
			h.SupportedGroups = []uint16{registry.GroupFFDHE2048}
			h.KeyShares = []uint16{registry.GroupFFDHE2048}
			return h
		},
	},
	{
		Name:    "tls12",
		Purpose: "TLS 1.2 only, a current client's suites in its order: extension order and suite choice",
		build: func(sn string) *tlsprobe.ClientHello {
			return tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS12})
		},
	},
	{
		Name:    "tls12-reversed",
		Purpose: "the tls12 hello with the suite order reversed: a server that keeps its choice enforces its own order",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS12})
			slices.Reverse(h.CipherSuites)
			return h
		},
	},
	{
		Name:    "tls12-legacy",
		Purpose: "TLS 1.2 with static RSA, 3DES and RC4 suites only: which legacy suites the defaults keep",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS12})
			h.CipherSuites = append(slices.Clone(legacySuites), 0x00ff)
			return h
		},
	},
	{
		Name:    "tls12-bare",
		Purpose: "TLS 1.2 with no extensions at all, only suites and the renegotiation SCSV: defaults a stack assumes",
		build: func(string) *tlsprobe.ClientHello {
			h := &tlsprobe.ClientHello{Version: tlsprobe.VersionTLS12}
			h.CipherSuites = append(tlsprobe.ModernHello("", []tlsprobe.Version{tlsprobe.VersionTLS12}).CipherSuites, 0x00ff)
			return h
		},
	},
	{
		Name:    "tls12-alpn-h2",
		Purpose: "TLS 1.2 offering only the h2 ALPN protocol: ignored, accepted or rejected with no_application_protocol",
		build: func(sn string) *tlsprobe.ClientHello {
			h := tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS12})
			h.ALPN = []string{"h2"}
			return h
		},
	},
	{
		Name:    "tls11",
		Purpose: "TLS 1.1 only: how the server refuses an old version, or which version it downgrades to",
		build: func(sn string) *tlsprobe.ClientHello {
			return tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionTLS11})
		},
	},
	{
		Name:    "ssl3",
		Purpose: "SSL 3.0 without extensions: alert, reset or close",
		build: func(sn string) *tlsprobe.ClientHello {
			return tlsprobe.ModernHello(sn, []tlsprobe.Version{tlsprobe.VersionSSL30})
		},
	},
}
