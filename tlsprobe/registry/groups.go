package registry

import (
	"sort"
	"strings"
)

// GroupInfo describes one entry of the IANA TLS Supported Groups registry
// (RFC 8446, Section 4.2.7; RFC 8422; RFC 7919).
type GroupInfo struct {
	ID uint16 `json:"id"`
	// Name is the IANA name, such as "x25519", "secp256r1" or
	// "X25519MLKEM768".
	Name string `json:"name"`
	// Aliases are other names in use, such as OpenSSL's "prime256v1" and
	// "P-256" for secp256r1.
	Aliases []string `json:"aliases,omitempty"`
	// Kind is "ECDHE" (elliptic curve), "FFDHE" (finite field), "KEM"
	// (ML-KEM alone) or "hybrid" (ML-KEM combined with ECDHE).
	Kind string `json:"kind"`
	// KeyShareLen is the length in bytes of a client key_share for the
	// group, such as 65 for an uncompressed secp256r1 point, or 0 when the
	// group has no TLS 1.3 key share or the table does not record its size
	// (the GOST curves GC256A to GC512C).
	KeyShareLen int `json:"key_share_len,omitempty"`
	// TLS13 reports whether TLS 1.3 allows the group (RFC 8446 deprecates
	// the binary curves and the curves below 256 bits).
	TLS13 bool `json:"tls13,omitempty"`
	// Legacy reports a group that RFC 8422 or RFC 8446 deprecated.
	Legacy bool `json:"legacy,omitempty"`
}

// Named group ids that the probes use by name.
const (
	GroupSecp256r1          uint16 = 0x0017
	GroupSecp384r1          uint16 = 0x0018
	GroupSecp521r1          uint16 = 0x0019
	GroupX25519             uint16 = 0x001d
	GroupX448               uint16 = 0x001e
	GroupFFDHE2048          uint16 = 0x0100
	GroupFFDHE3072          uint16 = 0x0101
	GroupFFDHE4096          uint16 = 0x0102
	GroupFFDHE6144          uint16 = 0x0103
	GroupFFDHE8192          uint16 = 0x0104
	GroupMLKEM512           uint16 = 0x0200
	GroupMLKEM768           uint16 = 0x0201
	GroupMLKEM1024          uint16 = 0x0202
	GroupSecP256r1MLKEM768  uint16 = 0x11eb
	GroupX25519MLKEM768     uint16 = 0x11ec
	GroupSecP384r1MLKEM1024 uint16 = 0x11ed
)

// Encapsulation key sizes of ML-KEM in bytes (FIPS 203, Table 3).
const (
	mlkem512KeyLen  = 800
	mlkem768KeyLen  = 1184
	mlkem1024KeyLen = 1568
)

var groupTable = []GroupInfo{
	{ID: 0x0001, Name: "sect163k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0002, Name: "sect163r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0003, Name: "sect163r2", Kind: "ECDHE", Legacy: true},
	{ID: 0x0004, Name: "sect193r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0005, Name: "sect193r2", Kind: "ECDHE", Legacy: true},
	{ID: 0x0006, Name: "sect233k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0007, Name: "sect233r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0008, Name: "sect239k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0009, Name: "sect283k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000a, Name: "sect283r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000b, Name: "sect409k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000c, Name: "sect409r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000d, Name: "sect571k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000e, Name: "sect571r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x000f, Name: "secp160k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0010, Name: "secp160r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0011, Name: "secp160r2", Kind: "ECDHE", Legacy: true},
	{ID: 0x0012, Name: "secp192k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0013, Name: "secp192r1", Aliases: []string{"prime192v1", "P-192"}, Kind: "ECDHE", Legacy: true},
	{ID: 0x0014, Name: "secp224k1", Kind: "ECDHE", Legacy: true},
	{ID: 0x0015, Name: "secp224r1", Aliases: []string{"P-224"}, Kind: "ECDHE", Legacy: true},
	{ID: 0x0016, Name: "secp256k1", Kind: "ECDHE", Legacy: true},
	{ID: GroupSecp256r1, Name: "secp256r1", Aliases: []string{"prime256v1", "P-256"}, Kind: "ECDHE", KeyShareLen: 65, TLS13: true},
	{ID: GroupSecp384r1, Name: "secp384r1", Aliases: []string{"P-384"}, Kind: "ECDHE", KeyShareLen: 97, TLS13: true},
	{ID: GroupSecp521r1, Name: "secp521r1", Aliases: []string{"P-521"}, Kind: "ECDHE", KeyShareLen: 133, TLS13: true},
	{ID: 0x001a, Name: "brainpoolP256r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x001b, Name: "brainpoolP384r1", Kind: "ECDHE", Legacy: true},
	{ID: 0x001c, Name: "brainpoolP512r1", Kind: "ECDHE", Legacy: true},
	{ID: GroupX25519, Name: "x25519", Aliases: []string{"X25519"}, Kind: "ECDHE", KeyShareLen: 32, TLS13: true},
	{ID: GroupX448, Name: "x448", Aliases: []string{"X448"}, Kind: "ECDHE", KeyShareLen: 56, TLS13: true},
	{ID: 0x001f, Name: "brainpoolP256r1tls13", Kind: "ECDHE", KeyShareLen: 65, TLS13: true},
	{ID: 0x0020, Name: "brainpoolP384r1tls13", Kind: "ECDHE", KeyShareLen: 97, TLS13: true},
	{ID: 0x0021, Name: "brainpoolP512r1tls13", Kind: "ECDHE", KeyShareLen: 129, TLS13: true},
	// GOST R 34.10-2012 curves for TLS 1.2 (RFC 9189) and TLS 1.3 (RFC 9367).
	// TODO: record their TLS 1.3 key share sizes from RFC 9367.
	{ID: 0x0022, Name: "GC256A", Kind: "ECDHE", TLS13: true},
	{ID: 0x0023, Name: "GC256B", Kind: "ECDHE", TLS13: true},
	{ID: 0x0024, Name: "GC256C", Kind: "ECDHE", TLS13: true},
	{ID: 0x0025, Name: "GC256D", Kind: "ECDHE", TLS13: true},
	{ID: 0x0026, Name: "GC512A", Kind: "ECDHE", TLS13: true},
	{ID: 0x0027, Name: "GC512B", Kind: "ECDHE", TLS13: true},
	{ID: 0x0028, Name: "GC512C", Kind: "ECDHE", TLS13: true},
	// SM2 is defined for TLS 1.3 only (RFC 8998), with an uncompressed point
	// as the key share.
	{ID: 0x0029, Name: "curveSM2", Kind: "ECDHE", KeyShareLen: 65, TLS13: true},
	{ID: GroupFFDHE2048, Name: "ffdhe2048", Kind: "FFDHE", KeyShareLen: 256, TLS13: true},
	{ID: GroupFFDHE3072, Name: "ffdhe3072", Kind: "FFDHE", KeyShareLen: 384, TLS13: true},
	{ID: GroupFFDHE4096, Name: "ffdhe4096", Kind: "FFDHE", KeyShareLen: 512, TLS13: true},
	{ID: GroupFFDHE6144, Name: "ffdhe6144", Kind: "FFDHE", KeyShareLen: 768, TLS13: true},
	{ID: GroupFFDHE8192, Name: "ffdhe8192", Kind: "FFDHE", KeyShareLen: 1024, TLS13: true},
	{ID: GroupMLKEM512, Name: "MLKEM512", Kind: "KEM", KeyShareLen: mlkem512KeyLen, TLS13: true},
	{ID: GroupMLKEM768, Name: "MLKEM768", Kind: "KEM", KeyShareLen: mlkem768KeyLen, TLS13: true},
	{ID: GroupMLKEM1024, Name: "MLKEM1024", Kind: "KEM", KeyShareLen: mlkem1024KeyLen, TLS13: true},
	// Hybrids concatenate the ECDHE share and the ML-KEM key. X25519MLKEM768
	// puts the ML-KEM key first, the other two put it last.
	{ID: GroupSecP256r1MLKEM768, Name: "SecP256r1MLKEM768", Kind: "hybrid", KeyShareLen: 65 + mlkem768KeyLen, TLS13: true},
	{ID: GroupX25519MLKEM768, Name: "X25519MLKEM768", Kind: "hybrid", KeyShareLen: mlkem768KeyLen + 32, TLS13: true},
	{ID: GroupSecP384r1MLKEM1024, Name: "SecP384r1MLKEM1024", Kind: "hybrid", KeyShareLen: 97 + mlkem1024KeyLen, TLS13: true},
	{ID: 0x6399, Name: "X25519Kyber768Draft00", Kind: "hybrid", KeyShareLen: 32 + mlkem768KeyLen, TLS13: true, Legacy: true},
	{ID: 0x639a, Name: "SecP256r1Kyber768Draft00", Kind: "hybrid", KeyShareLen: 65 + mlkem768KeyLen, TLS13: true, Legacy: true},
	{ID: 0xff01, Name: "arbitrary_explicit_prime_curves", Kind: "ECDHE", Legacy: true},
	{ID: 0xff02, Name: "arbitrary_explicit_char2_curves", Kind: "ECDHE", Legacy: true},
}

var (
	groupsByID   = map[uint16]GroupInfo{}
	groupsByName = map[string]GroupInfo{}
	groupsSorted []GroupInfo
)

func init() {
	for _, g := range groupTable {
		if _, dup := groupsByID[g.ID]; dup {
			panic("registry: duplicate group id " + formatID(g.ID))
		}
		groupsByID[g.ID] = g
		groupsByName[strings.ToLower(g.Name)] = g
		for _, alias := range g.Aliases {
			groupsByName[strings.ToLower(alias)] = g
		}
		groupsSorted = append(groupsSorted, g)
	}
	sort.Slice(groupsSorted, func(i, j int) bool { return groupsSorted[i].ID < groupsSorted[j].ID })
}

// Group returns the named group with the given id.
func Group(id uint16) (GroupInfo, bool) {
	g, ok := groupsByID[id]
	return g, ok
}

// GroupByName returns the named group with the given IANA name or alias,
// ignoring case.
func GroupByName(name string) (GroupInfo, bool) {
	g, ok := groupsByName[strings.ToLower(strings.TrimSpace(name))]
	return g, ok
}

// GroupName returns the IANA name of a group, or "0x1234" when unknown.
func GroupName(id uint16) string {
	if g, ok := groupsByID[id]; ok {
		return g.Name
	}
	return formatID(id)
}

// Groups returns every known group, sorted by id. The slice is a copy.
func Groups() []GroupInfo {
	return append([]GroupInfo(nil), groupsSorted...)
}
