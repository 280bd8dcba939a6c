package clients

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// helloSummary is what the tests compare of two ClientHellos.
type helloSummary struct {
	recordVersion, legacyVersion uint16
	suites                       []uint16
	extensions                   []uint16 // in wire order
	groups, keyShares            []uint16
	signatureAlgorithms          []uint16
	signatureAlgorithmsCert      []uint16
	supportedVersions            []uint16
	serverName                   string
	alpn                         []string
}

// parseClientHello reads a ClientHello from one TLS record (RFC 8446,
// Section 4.1.2).
func parseClientHello(record []byte) (*helloSummary, error) {
	s := cryptobyte.String(record)
	var h helloSummary
	var contentType uint8
	var body, msg cryptobyte.String
	if !s.ReadUint8(&contentType) || contentType != 22 || !s.ReadUint16(&h.recordVersion) || !s.ReadUint16LengthPrefixed(&body) {
		return nil, errors.New("not a handshake record")
	}
	var msgType uint8
	if !body.ReadUint8(&msgType) || msgType != 1 || !body.ReadUint24LengthPrefixed(&msg) {
		return nil, errors.New("not a ClientHello")
	}

	var sessionID, suites, compression, exts cryptobyte.String
	if !msg.ReadUint16(&h.legacyVersion) || !msg.Skip(32) || !msg.ReadUint8LengthPrefixed(&sessionID) ||
		!msg.ReadUint16LengthPrefixed(&suites) || !msg.ReadUint8LengthPrefixed(&compression) ||
		!msg.ReadUint16LengthPrefixed(&exts) {
		return nil, errors.New("truncated ClientHello")
	}

	for !suites.Empty() {
		var id uint16
		if !suites.ReadUint16(&id) {
			return nil, errors.New("odd cipher_suites length")
		}
		h.suites = append(h.suites, id)
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, errors.New("truncated extension")
		}
		h.extensions = append(h.extensions, typ)
		if err := h.readExtension(typ, data); err != nil {
			return nil, fmt.Errorf("extension %d: %w", typ, err)
		}
	}
	return &h, nil
}

func (h *helloSummary) readExtension(typ uint16, data cryptobyte.String) error {
	var list cryptobyte.String
	readIDs := func(lengthPrefixed func(*cryptobyte.String) bool) ([]uint16, error) {
		if !lengthPrefixed(&list) {
			return nil, errors.New("truncated list")
		}
		var ids []uint16
		for !list.Empty() {
			var id uint16
			if !list.ReadUint16(&id) {
				return nil, errors.New("odd list length")
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	var err error
	switch typ {
	case 0:
		var name cryptobyte.String
		var nameType uint8
		if !data.ReadUint16LengthPrefixed(&list) || !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
			return errors.New("bad server_name")
		}
		h.serverName = string(name)
	case 10:
		h.groups, err = readIDs(data.ReadUint16LengthPrefixed)
	case 13:
		h.signatureAlgorithms, err = readIDs(data.ReadUint16LengthPrefixed)
	case 50:
		h.signatureAlgorithmsCert, err = readIDs(data.ReadUint16LengthPrefixed)
	case 43:
		h.supportedVersions, err = readIDs(data.ReadUint8LengthPrefixed)
	case 16:
		if !data.ReadUint16LengthPrefixed(&list) {
			return errors.New("bad ALPN")
		}
		for !list.Empty() {
			var proto cryptobyte.String
			if !list.ReadUint8LengthPrefixed(&proto) {
				return errors.New("bad ALPN protocol")
			}
			h.alpn = append(h.alpn, string(proto))
		}
	case 51:
		if !data.ReadUint16LengthPrefixed(&list) {
			return errors.New("bad key_share")
		}
		for !list.Empty() {
			var group uint16
			var share cryptobyte.String
			if !list.ReadUint16(&group) || !list.ReadUint16LengthPrefixed(&share) {
				return errors.New("bad key share entry")
			}
			h.keyShares = append(h.keyShares, group)
		}
	}
	return err
}

// captureHello listens on 127.0.0.1, runs client with the address, and
// returns the first TLS record the client sent. The connection is then
// closed, so the client fails.
func captureHello(t *testing.T, client func(addr string)) []byte {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		header := make([]byte, 5)
		if _, err := io.ReadFull(c, header); err != nil {
			got <- nil
			return
		}
		body := make([]byte, binary.BigEndian.Uint16(header[3:]))
		if _, err := io.ReadFull(c, body); err != nil {
			got <- nil
			return
		}
		got <- append(header, body...)
	}()
	client(ln.Addr().String())
	record := <-got
	if record == nil {
		t.Fatal("the client sent no complete TLS record")
	}
	return record
}

// withoutTypes returns types without the ones in drop.
func withoutTypes(types []uint16, drop ...uint16) []uint16 {
	return slices.DeleteFunc(slices.Clone(types), func(t uint16) bool { return slices.Contains(drop, t) })
}

// TestProfileHelloMatchesClient captures the ClientHello of each measured
// client here and compares it with the hello the profile builds: versions,
// cipher suites, groups, key shares, signature algorithms, ALPN, SNI and
// the extension order.
func TestProfileHelloMatchesClient(t *testing.T) {
	classes := buildJavaProbe(t)
	for _, bin := range []string{"curl", "openssl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not found in PATH: %v; install Debian package %s", bin, err, bin)
		}
	}
	hostsDir := t.TempDir()
	hostsFile := hostsDir + "/hosts"
	writeFile(t, hostsFile, "127.0.0.1 "+sniTestHost+"\n")

	cases := []struct {
		profile string
		// shuffled: the client orders its extensions at random.
		shuffled bool
		run      func(addr string)
	}{
		{profile: "java-17", run: func(addr string) {
			_, port, _ := net.SplitHostPort(addr)
			exec.Command(javaBin, "-Djdk.net.hosts.file="+hostsFile, "-cp", classes, "ScimProbe",
				"https://"+sniTestHost+":"+port+"/", "--read-timeout", "5000").Run()
		}},
		{profile: "curl", run: func(addr string) {
			_, port, _ := net.SplitHostPort(addr)
			exec.Command("curl", "-sS", "-m", "5", "--resolve", sniTestHost+":"+port+":127.0.0.1",
				"https://"+sniTestHost+":"+port+"/").Run()
		}},
		{profile: "openssl-3", run: func(addr string) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			exec.CommandContext(ctx, "openssl", "s_client", "-connect", addr, "-servername", sniTestHost).Run()
		}},
		{profile: "go", shuffled: true, run: func(addr string) {
			transport := http.DefaultTransport.(*http.Transport).Clone()
			transport.TLSClientConfig = &tls.Config{}
			transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
			if resp, err := client.Get("https://" + sniTestHost + "/"); err == nil {
				resp.Body.Close()
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.profile, func(t *testing.T) {
			p, ok := Lookup(tc.profile)
			if !ok {
				t.Fatalf("no profile %q", tc.profile)
			}
			real, err := parseClientHello(captureHello(t, tc.run))
			if err != nil {
				t.Fatalf("parse the %s hello: %v", tc.profile, err)
			}
			records, err := p.ClientHello(sniTestHost).Records()
			if err != nil {
				t.Fatalf("build the %s profile's hello: %v", tc.profile, err)
			}
			built, err := parseClientHello(records)
			if err != nil {
				t.Fatalf("parse the %s profile's hello: %v", tc.profile, err)
			}
			compareHellos(t, p, real, built, tc.shuffled)
		})
	}
}

func compareHellos(t *testing.T, p *Profile, real, built *helloSummary, shuffled bool) {
	t.Helper()
	check := func(field string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: the profile sends %v, the real client %v", field, got, want)
		}
	}
	t.Logf("real hello: %d suites, extensions %v, SNI %q", len(real.suites), real.extensions, real.serverName)
	check("record version", tlsprobe.Version(built.recordVersion), tlsprobe.Version(real.recordVersion))
	check("legacy_version", tlsprobe.Version(built.legacyVersion), tlsprobe.Version(real.legacyVersion))
	check("cipher_suites", built.suites, real.suites)
	check("supported_groups", built.groups, real.groups)
	check("key_share groups", built.keyShares, real.keyShares)
	check("signature_algorithms", built.signatureAlgorithms, real.signatureAlgorithms)
	check("signature_algorithms_cert", built.signatureAlgorithmsCert, real.signatureAlgorithmsCert)
	check("supported_versions", built.supportedVersions, real.supportedVersions)
	check("server_name", built.serverName, real.serverName)
	check("alpn", built.alpn, real.alpn)

	var notSent []uint16
	for _, name := range p.Hello.ExtensionsNotSent {
		notSent = append(notSent, extensionTypes[name])
	}
	const padding = 21
	realTypes := withoutTypes(real.extensions, append(notSent, padding)...)
	builtTypes := withoutTypes(built.extensions, padding)
	if shuffled {
		slices.Sort(realTypes)
		slices.Sort(builtTypes)
	}
	check("extensions", builtTypes, realTypes)
}

func TestSendsSNI(t *testing.T) {
	tests := []struct {
		rule string
		host string
		want bool
	}{
		{SNINotForIPOrDotless, "scim.example.com", true},
		{SNINotForIPOrDotless, "localhost", false},
		{SNINotForIPOrDotless, "127.0.0.1", false},
		{SNINotForIPOrDotless, "[::1]", false},
		{SNINotForIPOrDotless, "::1", false},
		{SNINotForIPOrDotless, "scim.example.com.", false},
		{SNINotForIPOrDotless, ".example", false},
		{SNINotForIP, "localhost", true},
		{SNINotForIP, "10.0.0.1", false},
		{SNIAlways, "intranet", true},
		{SNIAlways, "fe80::1%eth0", false},
		{SNINever, "scim.example.com", false},
		{SNINotForIP, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.host, func(t *testing.T) {
			p := &Profile{Hello: HelloSpec{SNI: tt.rule}}
			if got := p.SendsSNI(tt.host); got != tt.want {
				t.Errorf("SendsSNI(%q) with rule %s = %v, want %v", tt.host, tt.rule, got, tt.want)
			}
		})
	}
}

func TestClientHelloAppliesSNIRule(t *testing.T) {
	java, _ := Lookup("java-17")
	goProfile, _ := Lookup("go")
	tests := []struct {
		profile *Profile
		host    string
		want    string
	}{
		{java, "localhost", ""},
		{java, "127.0.0.1", ""},
		{java, "scim.example.com", "scim.example.com"},
		{goProfile, "localhost", "localhost"},
		{goProfile, "scim.example.com.", "scim.example.com"},
		{goProfile, "::1", ""},
	}
	for _, tt := range tests {
		h := tt.profile.ClientHello(tt.host)
		if h.ServerName != tt.want {
			t.Errorf("%s ClientHello(%q).ServerName = %q, want %q", tt.profile.Name, tt.host, h.ServerName, tt.want)
		}
	}
}

// TestClientHelloIsACopy checks that changing a returned hello leaves the
// profile alone.
func TestClientHelloIsACopy(t *testing.T) {
	p, _ := Lookup("java-17")
	h := p.ClientHello("scim.example.com")
	h.CipherSuites[0] = 0xffff
	h.SupportedGroups[0] = 0xffff
	if again := p.ClientHello("scim.example.com"); again.CipherSuites[0] == 0xffff || again.SupportedGroups[0] == 0xffff {
		t.Error("a change to a returned ClientHello reached the profile")
	}
}

// TestEveryProfileHelloEncodes builds the hello of every profile for a name
// and an IP address.
func TestEveryProfileHelloEncodes(t *testing.T) {
	for _, p := range All() {
		for _, host := range []string{"scim.example.com", "192.0.2.10"} {
			records, err := p.ClientHello(host).Records()
			if err != nil {
				t.Errorf("%s: hello for %s does not encode: %v", p.Name, host, err)
				continue
			}
			h, err := parseClientHello(records)
			if err != nil {
				t.Errorf("%s: hello for %s does not parse: %v", p.Name, host, err)
				continue
			}
			if got, want := len(h.suites), len(p.Hello.CipherSuites); got != want {
				t.Errorf("%s: hello has %d cipher suites, the profile lists %d", p.Name, got, want)
			}
		}
	}
}
