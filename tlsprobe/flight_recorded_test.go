package tlsprobe

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

var update = flag.Bool("update", false, "record testdata/flights again from openssl s_server")

// recordedFlights are the server flights in testdata/flights: how each was
// recorded and what it must parse to. With -update the files are written
// again from a fresh openssl s_server; without, the files are read and
// their expect: lines checked.
var recordedFlights = []struct {
	name     string
	args     []string
	versions []Version
	expect   []string
}{
	{
		name:     "tls10-only",
		args:     []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
		versions: []Version{VersionTLS10},
		expect:   []string{"kind server_hello", "version TLS 1.0", "suite TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "certificates 1", "named_curve x25519", "server_hello_done true"},
	},
	{
		name:     "tls12",
		args:     []string{"-tls1_2"},
		versions: []Version{VersionTLS12},
		expect:   []string{"kind server_hello", "version TLS 1.2", "suite TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "certificates 1", "named_curve x25519", "server_hello_done true", "extended_master_secret true", "secure_renegotiation true"},
	},
	{
		name:     "tls12-dhe",
		args:     []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"},
		versions: []Version{VersionTLS12},
		expect:   []string{"kind server_hello", "version TLS 1.2", "suite TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "dh_prime_bits 2048", "server_hello_done true"},
	},
	{
		name:     "tls12-verify",
		args:     []string{"-tls1_2", "-Verify", "1"},
		versions: []Version{VersionTLS12},
		expect:   []string{"kind server_hello", "version TLS 1.2", "certificate_request true", "ca_names CN=localhost,O=scimdoctor test", "server_hello_done true"},
	},
	{
		name:     "tls13",
		args:     []string{"-tls1_3"},
		versions: []Version{VersionTLS13},
		expect:   []string{"kind server_hello", "version TLS 1.3", "suite TLS_AES_256_GCM_SHA384", "key_share x25519"},
	},
	{
		name:     "tls13-hrr",
		args:     []string{"-tls1_3", "-groups", "P-384"},
		versions: []Version{VersionTLS13},
		expect:   []string{"kind hello_retry_request", "version TLS 1.3", "key_share secp384r1"},
	},
	{
		name:     "tls12-server-tls13-hello",
		args:     []string{"-tls1_2"},
		versions: []Version{VersionTLS13},
		expect:   []string{"kind alert", "alert fatal alert protocol_version (70)"},
	},
}

const flightsDir = "testdata/flights"

func TestRecordedFlights(t *testing.T) {
	for _, rf := range recordedFlights {
		t.Run(rf.name, func(t *testing.T) {
			path := filepath.Join(flightsDir, rf.name+".txt")
			if *update {
				args := rf.args
				if strings.Contains(strings.Join(args, " "), "-Verify") {
					cert := testservers.SelfSigned(t)
					args = append(append([]string{}, args...), "-cert", cert.CertFile, "-key", cert.KeyFile, "-CAfile", cert.CertFile)
				}
				addr := testservers.StartOpenSSL(t, args...)
				data := recordFlight(t, addr, ModernHello("localhost", rf.versions))
				writeFlightFile(t, path, rf.args, rf.expect, data)
			}
			expect, data := readFlightFile(t, path)
			if len(expect) == 0 {
				t.Fatalf("%s has no expect: lines", path)
			}
			f, err := ParseServerFlight(data)
			if err != nil {
				t.Fatalf("ParseServerFlight(%s): %v", path, err)
			}
			facts := flightFacts(flightResult(f))
			for _, line := range expect {
				key, want, _ := strings.Cut(line, " ")
				if got := facts[key]; got != want {
					t.Errorf("%s: %s = %q; want %q", path, key, got, want)
				}
			}
		})
	}
}

// flightFacts returns the values expect: lines can name.
func flightFacts(r *Result) map[string]string {
	facts := map[string]string{"kind": string(r.Kind)}
	if r.Alert != nil {
		facts["alert"] = r.Alert.String()
	}
	if r.Flight == nil || r.Flight.ServerHello == nil {
		return facts
	}

	f, sh := r.Flight, r.Flight.ServerHello
	facts["version"] = sh.Version.String()
	facts["suite"] = registry.SuiteName(sh.CipherSuite)
	facts["certificates"] = fmt.Sprint(len(f.Certificates))
	facts["server_hello_done"] = fmt.Sprint(f.ServerHelloDone)
	facts["extended_master_secret"] = fmt.Sprint(sh.ExtendedMasterSecret)
	facts["secure_renegotiation"] = fmt.Sprint(sh.SecureRenegotiation)
	facts["certificate_request"] = fmt.Sprint(f.CertificateRequest != nil)

	if sh.KeyShareGroup != 0 {
		facts["key_share"] = registry.GroupName(sh.KeyShareGroup)
	}
	if ske := f.ServerKeyExchange; ske != nil {
		if ske.NamedCurve != 0 {
			facts["named_curve"] = registry.GroupName(ske.NamedCurve)
		}
		if ske.DHPrimeBits != 0 {
			facts["dh_prime_bits"] = fmt.Sprint(ske.DHPrimeBits)
		}
	}
	if cr := f.CertificateRequest; cr != nil {
		facts["ca_names"] = strings.Join(cr.CANamesText, "; ")
	}
	return facts
}

// recordFlight sends hello to addr and returns the raw bytes of the response:
// everything up to the end of the first flight, and whatever else arrives in
// the next 200ms.
func recordFlight(t *testing.T, addr string, hello *ClientHello) []byte {
	t.Helper()
	records, err := hello.Records()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(records); err != nil {
		t.Fatal(err)
	}

	var buf []byte
	chunk := make([]byte, 16384)
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if st := parseFlightStream(buf); st.status != flightNeedMore {
			break
		}
		if err != nil {
			t.Fatalf("reading the flight after %d bytes: %v", len(buf), err)
		}
	}

	conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			return buf
		}
	}
}

func writeFlightFile(t *testing.T, path string, args, expect []string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# server: openssl s_server %s (%s)\n", strings.Join(args, " "), opensslVersion(t))
	fmt.Fprintf(&b, "# written by: go test ./tlsprobe -run TestRecordedFlights -update\n")
	for _, e := range expect {
		fmt.Fprintf(&b, "expect: %s\n", e)
	}
	b.WriteString("--\n")
	h := hex.EncodeToString(data)
	for len(h) > 0 {
		n := min(len(h), 64)
		b.WriteString(h[:n] + "\n")
		h = h[n:]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func opensslVersion(t *testing.T) string {
	out, err := execOutput("openssl", "version")
	if err != nil {
		t.Fatalf("openssl version: %v; install Debian package openssl", err)
	}
	return strings.TrimSpace(out)
}

// readFlightFile returns the expect: values and the bytes of a flight file.
// A missing or unreadable file fails the test.
func readFlightFile(t testing.TB, path string) (expect []string, data []byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reading %s: %v; record it with go test ./tlsprobe -run TestRecordedFlights -update", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inData := false
	var h strings.Builder
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inData:
			h.WriteString(line)
		case line == "--":
			inData = true
		case strings.HasPrefix(line, "expect: "):
			expect = append(expect, strings.TrimPrefix(line, "expect: "))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	data, err = hex.DecodeString(h.String())
	if err != nil {
		t.Fatalf("%s: invalid hex after --: %v", path, err)
	}
	return expect, data
}

// flightFiles lists testdata/flights/*.txt, sorted.
func flightFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(flightsDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func FuzzParseServerFlight(f *testing.F) {
	files := flightFiles(f)
	if len(files) == 0 {
		f.Fatalf("no seeds in %s; record them with go test ./tlsprobe -run TestRecordedFlights -update", flightsDir)
	}
	for _, path := range files {
		_, data := readFlightFile(f, path)
		f.Add(data)
	}
	f.Add(record(recordHandshake, cat(shTLS12, shdMsg)))
	f.Add(alertFlow)
	f.Fuzz(func(t *testing.T, data []byte) {
		flight, err := ParseServerFlight(data)
		if err != nil && flight != nil {
			t.Fatalf("ParseServerFlight returned a flight with error %v", err)
		}
		if err == nil && (flight == nil || !flight.Complete) {
			t.Fatalf("ParseServerFlight returned no complete flight and no error")
		}
		if err != nil {
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("error %T, want *ParseError", err)
			}
			if pe.Offset < 0 || pe.Offset > len(data) || len(pe.Raw) > maxRawInError {
				t.Fatalf("ParseError offset %d raw %d bytes for %d bytes of input", pe.Offset, len(pe.Raw), len(data))
			}
		}
	})
}
