package tlsprobe

import (
	"bytes"
	"crypto/mlkem"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// parsedHello is what the tests read back from a marshaled ClientHello.
type parsedHello struct {
	version    uint16
	suites     []uint16
	extensions []uint16
	extData    map[uint16][]byte
}

// parseClientHello reads a ClientHello handshake message, strictly: no
// trailing bytes, no duplicate extensions.
func parseClientHello(t *testing.T, msg []byte) parsedHello {
	t.Helper()
	s := cryptobyte.String(msg)
	var msgType uint8
	var body, sessionID, suites, compression, exts cryptobyte.String
	var random []byte
	var h parsedHello

	if !s.ReadUint8(&msgType) || msgType != typeClientHello || !s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		t.Fatalf("not one ClientHello message: %x", msg)
	}
	if !body.ReadUint16(&h.version) || !body.ReadBytes(&random, 32) ||
		!body.ReadUint8LengthPrefixed(&sessionID) || !body.ReadUint16LengthPrefixed(&suites) ||
		!body.ReadUint8LengthPrefixed(&compression) {
		t.Fatalf("ClientHello fixed fields do not parse: %x", msg)
	}
	for !suites.Empty() {
		var id uint16
		if !suites.ReadUint16(&id) {
			t.Fatalf("odd cipher_suites length")
		}
		h.suites = append(h.suites, id)
	}

	h.extData = map[uint16][]byte{}
	if body.Empty() {
		return h
	}
	if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		t.Fatalf("ClientHello extensions block does not parse or has trailing bytes")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			t.Fatalf("extension list does not parse")
		}
		if _, dup := h.extData[typ]; dup {
			t.Fatalf("duplicate extension %s", ExtensionName(typ))
		}
		h.extensions = append(h.extensions, typ)
		h.extData[typ] = data
	}
	return h
}

// keyShareLengths returns the share length per group of a key_share
// extension.
func keyShareLengths(t *testing.T, data []byte) map[uint16]int {
	t.Helper()
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		t.Fatalf("key_share does not parse")
	}
	out := map[uint16]int{}
	for !list.Empty() {
		var group uint16
		var share cryptobyte.String
		if !list.ReadUint16(&group) || !list.ReadUint16LengthPrefixed(&share) {
			t.Fatalf("key_share entry does not parse")
		}
		out[group] = len(share)
	}
	return out
}

func marshalHello(t *testing.T, h *ClientHello) parsedHello {
	t.Helper()
	msg, err := h.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return parseClientHello(t, msg)
}

func TestModernHelloVersions(t *testing.T) {
	tests := []struct {
		name              string
		versions          []Version
		legacyVersion     uint16
		supportedVersions bool
		extensions        bool
	}{
		{"ssl3", []Version{VersionSSL30}, 0x0300, false, false},
		{"tls1.0", []Version{VersionTLS10}, 0x0301, false, true},
		{"tls1.1", []Version{VersionTLS11}, 0x0302, false, true},
		{"tls1.2", []Version{VersionTLS12}, 0x0303, false, true},
		{"tls1.3", []Version{VersionTLS13}, 0x0303, true, true},
		{"tls1.2 and 1.3", []Version{VersionTLS12, VersionTLS13}, 0x0303, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := marshalHello(t, ModernHello("scim.example.com", tt.versions))
			if h.version != tt.legacyVersion {
				t.Errorf("legacy_version = 0x%04x; want 0x%04x", h.version, tt.legacyVersion)
			}
			if _, ok := h.extData[extSupportedVersions]; ok != tt.supportedVersions {
				t.Errorf("supported_versions present = %v; want %v", ok, tt.supportedVersions)
			}
			if got := len(h.extensions) > 0; got != tt.extensions {
				t.Errorf("has extensions = %v; want %v", got, tt.extensions)
			}
			for _, id := range h.suites {
				s, ok := registry.Suite(id)
				if !ok {
					t.Errorf("unknown suite 0x%04x", id)
					continue
				}
				if !s.Signaling && !suiteValidForAny(id, tt.versions) {
					t.Errorf("suite %s is not valid for %v", s.Name, tt.versions)
				}
			}
			if tt.supportedVersions {
				shares := keyShareLengths(t, h.extData[extKeyShare])
				if shares[registry.GroupX25519] != 32 || shares[registry.GroupSecp256r1] != 65 {
					t.Errorf("key shares = %v; want x25519 of 32 and secp256r1 of 65 bytes", shares)
				}
			}
		})
	}
}

func TestModernHelloTLS13SupportedVersions(t *testing.T) {
	h := marshalHello(t, ModernHello("", []Version{VersionTLS13}))
	if got, want := h.extData[extSupportedVersions], []byte{2, 0x03, 0x04}; !bytes.Equal(got, want) {
		t.Errorf("supported_versions = %x; want %x", got, want)
	}
}

// TestModernHelloReadByGoServer hands the hello to crypto/tls and compares
// what Go's parser saw with what was set.
func TestModernHelloReadByGoServer(t *testing.T) {
	hello := ModernHello("scim.example.com", []Version{VersionTLS13, VersionTLS12})
	records, err := hello.Records()
	if err != nil {
		t.Fatal(err)
	}
	client, server := net.Pipe()
	defer client.Close()
	infoc := make(chan *tls.ClientHelloInfo, 1)
	stop := errors.New("stop after the hello")
	go func() {
		defer server.Close()
		conn := tls.Server(server, &tls.Config{GetConfigForClient: func(info *tls.ClientHelloInfo) (*tls.Config, error) {
			infoc <- info
			return nil, stop
		}})
		conn.Handshake()
	}()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	go func() {
		client.Write(records)
		// Drain the alert so the server goroutine ends.
		buf := make([]byte, 64)
		client.Read(buf)
	}()

	var info *tls.ClientHelloInfo
	select {
	case info = <-infoc:
	case <-time.After(5 * time.Second):
		t.Fatal("crypto/tls did not read the hello")
	}

	if info.ServerName != "scim.example.com" {
		t.Errorf("ServerName = %q", info.ServerName)
	}
	if !slices.Equal(info.CipherSuites, hello.CipherSuites) {
		t.Errorf("CipherSuites = %x; want %x", info.CipherSuites, hello.CipherSuites)
	}
	if !slices.Equal(info.SupportedProtos, []string{"h2", "http/1.1"}) {
		t.Errorf("SupportedProtos = %v", info.SupportedProtos)
	}
	if !slices.Equal(info.SupportedVersions, []uint16{0x0304, 0x0303}) {
		t.Errorf("SupportedVersions = %x", info.SupportedVersions)
	}
	var schemes []uint16
	for _, s := range info.SignatureSchemes {
		schemes = append(schemes, uint16(s))
	}
	if !slices.Equal(schemes, hello.SignatureAlgorithms) {
		t.Errorf("SignatureSchemes = %x; want %x", schemes, hello.SignatureAlgorithms)
	}
	var curves []uint16
	for _, c := range info.SupportedCurves {
		curves = append(curves, uint16(c))
	}
	if !slices.Equal(curves, hello.SupportedGroups) {
		t.Errorf("SupportedCurves = %x; want %x", curves, hello.SupportedGroups)
	}
}

func TestClientHelloNoSNIForIPLiterals(t *testing.T) {
	for _, name := range []string{"127.0.0.1", "::1", "[::1]", "fe80::1%eth0", ""} {
		h := marshalHello(t, ModernHello(name, []Version{VersionTLS12}))
		if _, ok := h.extData[extServerName]; ok {
			t.Errorf("ServerName %q: server_name sent; want none", name)
		}
	}
	h := marshalHello(t, ModernHello("scim.example.com.", []Version{VersionTLS12}))
	if got := string(h.extData[extServerName][5:]); got != "scim.example.com" {
		t.Errorf("server_name = %q; want scim.example.com without the final dot", got)
	}
}

func TestClientHelloPadding(t *testing.T) {
	for _, n := range []int{20, 60, 100, 140} {
		h := &ClientHello{Version: VersionTLS12, CipherSuites: make([]uint16, n), Padding: true, ExtendedMasterSecret: true}
		msg, err := h.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		unpadded := 4 + 2 + 32 + 1 + 2 + 2*n + 2 + 2 + 4
		switch {
		case unpadded >= 256 && unpadded < 512:
			if len(msg) < 512 {
				t.Errorf("%d suites: hello of %d bytes; want padding to 512", n, len(msg))
			}
		default:
			if len(msg) != unpadded {
				t.Errorf("%d suites: hello of %d bytes; want %d without padding", n, len(msg), unpadded)
			}
		}
	}
}

func TestClientHelloRecordsSplit(t *testing.T) {
	h := &ClientHello{Version: VersionTLS12, CipherSuites: make([]uint16, 10000)}
	msg, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Records()
	if err != nil {
		t.Fatal(err)
	}
	var joined []byte
	records := 0
	for len(out) > 0 {
		if len(out) < recordHeaderLen {
			t.Fatalf("%d bytes left after %d records", len(out), records)
		}
		n := int(out[3])<<8 | int(out[4])
		if out[0] != recordHandshake || out[1] != 3 || out[2] != 1 || n > maxPlaintext {
			t.Fatalf("record %d header %x", records, out[:recordHeaderLen])
		}
		joined = append(joined, out[recordHeaderLen:recordHeaderLen+n]...)
		out = out[recordHeaderLen+n:]
		records++
	}
	if records != 2 {
		t.Errorf("%d records; want 2 for a %d-byte message", records, len(msg))
	}
	if len(joined) != len(msg) || !bytes.Equal(joined[:6], msg[:6]) {
		t.Errorf("records carry %d bytes; want the %d-byte message", len(joined), len(msg))
	}
}

func TestClientHelloKeyShares(t *testing.T) {
	groups := []uint16{
		registry.GroupX25519, registry.GroupSecp256r1, registry.GroupSecp384r1, registry.GroupSecp521r1,
		registry.GroupX448, registry.GroupFFDHE2048, registry.GroupMLKEM768, registry.GroupX25519MLKEM768,
		registry.GroupSecP256r1MLKEM768, registry.GroupSecP384r1MLKEM1024,
	}
	h := &ClientHello{Version: VersionTLS12, SupportedVersions: []Version{VersionTLS13}, CipherSuites: []uint16{0x1301}, KeyShares: groups}
	p := marshalHello(t, h)
	shares := keyShareLengths(t, p.extData[extKeyShare])
	for _, g := range groups {
		info, _ := registry.Group(g)
		if shares[g] != info.KeyShareLen {
			t.Errorf("%s share of %d bytes; want %d", info.Name, shares[g], info.KeyShareLen)
		}
	}

	// The ML-KEM part of X25519MLKEM768 must be a valid encapsulation key.
	msg, _ := (&ClientHello{Version: VersionTLS12, CipherSuites: []uint16{0x1301}, KeyShares: []uint16{registry.GroupX25519MLKEM768}}).Marshal()
	data := parseClientHello(t, msg).extData[extKeyShare]
	if _, err := mlkem.NewEncapsulationKey768(data[6 : 6+1184]); err != nil {
		t.Errorf("X25519MLKEM768 share: ML-KEM part is not an encapsulation key: %v", err)
	}

	_, err := (&ClientHello{Version: VersionTLS12, CipherSuites: []uint16{0x1301}, KeyShares: []uint16{0x001f}}).Marshal()
	if err == nil {
		t.Error("Marshal with a brainpool key share succeeded; want an error naming the group")
	}
}

func TestClientHelloNoSuites(t *testing.T) {
	if _, err := (&ClientHello{Version: VersionTLS12}).Marshal(); err == nil {
		t.Error("Marshal without cipher suites succeeded")
	}
}

func TestMaximalHello(t *testing.T) {
	for _, v := range []Version{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13} {
		t.Run(v.String(), func(t *testing.T) {
			hello := MaximalHello("scim.example.com", v)
			h := marshalHello(t, hello)
			if len(h.suites) > maxMaximalSuites {
				t.Errorf("%d suites; want at most %d", len(h.suites), maxMaximalSuites)
			}
			if len(h.suites) < 40 {
				t.Errorf("only %d suites", len(h.suites))
			}
			if v <= VersionTLS12 && h.version != uint16(v) {
				t.Errorf("legacy_version = 0x%04x; want 0x%04x", h.version, uint16(v))
			}
			_, hasSV := h.extData[extSupportedVersions]
			if hasSV != (v == VersionTLS13) {
				t.Errorf("supported_versions present = %v", hasSV)
			}
			for _, id := range h.suites {
				s, _ := registry.Suite(id)
				if s.Signaling {
					continue
				}
				if !s.ValidFor(uint16(v)) && !(v == VersionTLS13 && s.ValidFor(uint16(VersionTLS12))) {
					t.Errorf("suite %s is not valid for %s", s.Name, v)
				}
			}
			// Common suites come first.
			first := h.suites[0]
			if s, _ := registry.Suite(first); v != VersionTLS13 && v != VersionSSL30 && !slices.Contains(modernSuites, first) {
				t.Errorf("first suite %s is not a common one", s.Name)
			}
		})
	}
}

func TestSSLv2ClientHello(t *testing.T) {
	b := SSLv2ClientHello()
	if b[0]&0x80 == 0 {
		t.Fatalf("header %x: want a 2-byte header with the high bit set", b[:2])
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	if n != len(b)-2 {
		t.Errorf("record length %d; want %d", n, len(b)-2)
	}
	msg := b[2:]
	if msg[0] != ssl2MsgClientHello || msg[1] != 0 || msg[2] != 2 {
		t.Errorf("message starts %x; want CLIENT-HELLO version 0x0002", msg[:3])
	}
	specs := int(msg[3])<<8 | int(msg[4])
	if specs != 21 || len(msg) != 9+specs+ssl2ChallengeLen {
		t.Errorf("cipher specs %d bytes, message %d bytes", specs, len(msg))
	}
}
