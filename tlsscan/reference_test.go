package tlsscan

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"maps"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// referenceToolTimeout bounds one run of nmap or sslscan against a loopback
// server. Both finish within about 2 s there, so the bound only keeps a hung
// tool from stalling the test run.
const referenceToolTimeout = 60 * time.Second

// referenceTool is a program the accuracy test needs: one of binaries in
// PATH, installed by the Debian package debianPackage.
type referenceTool struct {
	binaries      []string
	debianPackage string
}

// referenceTools lists the reference scanners and stunnel, which serves the
// CAMELLIA and ARIA cases. Debian names the stunnel binary stunnel4.
var referenceTools = []referenceTool{
	{[]string{"nmap"}, "nmap"},
	{[]string{"sslscan"}, "sslscan"},
	{[]string{"stunnel4", "stunnel"}, "stunnel4"},
}

// requireReferenceTools skips the test when a reference scanner or stunnel
// is missing, naming the packages to install.
func requireReferenceTools(t *testing.T) {
	t.Helper()
	var missing []string
	for _, tool := range referenceTools {
		found := slices.ContainsFunc(tool.binaries, func(name string) bool {
			_, err := exec.LookPath(name)
			return err == nil
		})
		if !found {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", tool.binaries[0], tool.debianPackage))
		}
	}
	if len(missing) > 0 {
		t.Skipf("missing %s; run `bash scripts/install-test-deps.sh` to install them", strings.Join(missing, ", "))
	}
}

// referenceCase is one real server scanned by scimdoctor, nmap and sslscan.
type referenceCase struct {
	name string
	// start starts the server and returns its 127.0.0.1 address.
	start func(t *testing.T, cert testservers.Cert) string
	// known maps each expected difference, as compareScans writes it, to the
	// reason it is expected. The test fails on a difference missing from
	// known and on a known difference that no longer occurs.
	known map[string]string
}

// TestReferenceScanners scans real servers with Run, with nmap's
// ssl-enum-ciphers script and with sslscan, and checks that the accepted
// versions and the suites per version equal those of both tools, except for
// the differences a case records in known.
func TestReferenceScanners(t *testing.T) {
	requireReferenceTools(t)
	cert := testservers.SelfSigned(t)

	// Every openssl s_server runs with -www, which makes it respond to HTTP
	// requests. s_server serves one connection at a time.
	// Without -www, every step that sends an HTTP request after the
	// handshake (client certificate, client simulations) holds s_server
	// until the timeout. Probes queued behind such a step time out and are
	// sent once more, so the lists stay complete, but a scan with a 3 s
	// timeout then takes about 24 s.
	cases := []referenceCase{
		{
			name: "openssl default TLS 1.2 and 1.3",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartOpenSSL(t, "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
		},
		{
			name: "openssl two TLS 1.2 suites",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartOpenSSL(t, "-www", "-no_tls1_3", "-cipher", "AES128-SHA:DHE-RSA-AES256-GCM-SHA384",
					"-cert", cert.CertFile, "-key", cert.KeyFile)
			},
		},
		{
			name: "openssl TLS 1.0 only at security level 0",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartOpenSSL(t, "-www", "-tls1", "-cipher", "DEFAULT@SECLEVEL=0",
					"-cert", cert.CertFile, "-key", cert.KeyFile)
			},
		},
		{
			name: "openssl client certificate required",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartOpenSSL(t, "-www", "-Verify", "1", "-CAfile", cert.CertFile,
					"-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
			// sslscan 2.0.7 tests each TLS 1.2 cipher with a full OpenSSL
			// handshake, which s_server ends with the alert handshake_failure
			// when no client certificate comes, so sslscan counts every TLS
			// 1.2 cipher as rejected. It still marks TLS 1.2 enabled, and its
			// TLS 1.3 test stops at the ServerHello, so TLS 1.3 is complete.
			// nmap judges by the ServerHello and agrees with scimdoctor.
			known: sameReason("sslscan completes the handshake for each TLS 1.2 cipher, and the server rejects it without a client certificate",
				"sslscan: TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 found by scimdoctor only",
				"sslscan: TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA found by scimdoctor only",
			),
		},
		{
			// nginx with ssl_verify_client on completes the handshake without
			// a client certificate and responds to the request with 400, so
			// sslscan's full handshakes succeed here.
			name: "nginx client certificate required",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartNginx(t, testservers.NginxTLS{
					Cert:       cert,
					Directives: "ssl_protocols TLSv1.2 TLSv1.3; ssl_verify_client on; ssl_client_certificate " + cert.CertFile + ";",
				})
			},
		},
		{
			name: "nginx TLS 1.2 and 1.3",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1.2 TLSv1.3;"})
			},
		},
		{
			name: "haproxy in front of openssl",
			start: func(t *testing.T, cert testservers.Cert) string {
				origin := testservers.StartOpenSSL(t, "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
				return testservers.StartHAProxy(t, testservers.HAProxyTLS{Cert: cert, Backend: origin})
			},
		},
		{
			name: "stunnel CAMELLIA and ARIA only",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartStunnel(t, testservers.StunnelTLS{Cert: cert, Ciphers: "CAMELLIA:ARIA", MaxVersion: "TLSv1.2"})
			},
		},
		{
			// The CCM suites are off in OpenSSL's default TLS 1.3 list.
			name: "stunnel TLS 1.3 CCM suites",
			start: func(t *testing.T, cert testservers.Cert) string {
				return testservers.StartStunnel(t, testservers.StunnelTLS{
					Cert: cert, Ciphers: "CAMELLIA:ARIA", MinVersion: "TLSv1.2",
					CipherSuites: "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384",
				})
			},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := tc.start(t, cert)
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				t.Fatalf("server address %q has no port: %v", addr, err)
			}

			// The scanners run one after another, because s_server serves
			// one connection at a time and would queue the others.
			start := time.Now()
			ours := scanWithScimdoctor(t, addr)
			t.Logf("scimdoctor (%s): %s", time.Since(start).Round(time.Millisecond), ours)
			start = time.Now()
			nmap := scanWithNmap(t, port)
			t.Logf("nmap (%s): %s", time.Since(start).Round(time.Millisecond), nmap)
			start = time.Now()
			sslscan := scanWithSSLScan(t, addr)
			t.Logf("sslscan (%s): %s", time.Since(start).Round(time.Millisecond), sslscan)

			got := compareScans(ours, nmap, sslscan)
			for _, d := range slices.Sorted(maps.Keys(got)) {
				if _, ok := tc.known[d]; !ok {
					t.Errorf("new difference: %s", d)
				}
			}
			for _, d := range slices.Sorted(maps.Keys(tc.known)) {
				if _, ok := got[d]; !ok {
					t.Errorf("known difference no longer occurs: %s (recorded because %s)", d, tc.known[d])
				}
			}
		})
	}
}

// sameReason maps each of diffs to reason, for referenceCase.known.
func sameReason(reason string, diffs ...string) map[string]string {
	known := map[string]string{}
	for _, d := range diffs {
		known[d] = reason
	}
	return known
}

// toolScan is what one scanner reports: the accepted versions, in our
// spelling ("TLS 1.2"), and the suite ids accepted per version.
type toolScan struct {
	versions map[string]bool
	suites   map[string]map[uint16]bool
}

func newToolScan() toolScan {
	return toolScan{versions: map[string]bool{}, suites: map[string]map[uint16]bool{}}
}

func (s toolScan) addSuite(version string, id uint16) {
	if s.suites[version] == nil {
		s.suites[version] = map[uint16]bool{}
	}
	s.suites[version][id] = true
}

// String lists the versions and suite names, for the test log.
func (s toolScan) String() string {
	var b strings.Builder
	for _, v := range slices.Sorted(maps.Keys(s.versions)) {
		fmt.Fprintf(&b, "[%s:", v)
		for _, id := range slices.Sorted(maps.Keys(s.suites[v])) {
			fmt.Fprintf(&b, " %s", registry.SuiteName(id))
		}
		b.WriteString("] ")
	}
	for _, v := range slices.Sorted(maps.Keys(s.suites)) {
		if !s.versions[v] {
			fmt.Fprintf(&b, "[suites of %s, not accepted: %d] ", v, len(s.suites[v]))
		}
	}
	return strings.TrimSpace(b.String())
}

// scanWithScimdoctor runs Run against addr and fails the test when a suite
// scan stopped early, because the comparison needs complete lists.
func scanWithScimdoctor(t *testing.T, addr string) toolScan {
	t.Helper()
	r, err := Run(context.Background(), Options{Target: addr, Timeout: testTimeout})
	if err != nil {
		t.Fatalf("Run(%s) failed: %v", addr, err)
	}
	if r.Unreachable {
		t.Fatalf("Run(%s) found the server unreachable: %s", addr, r.Error)
	}
	scan := newToolScan()
	for _, v := range r.Versions {
		if v.Accepted {
			scan.versions[v.Version] = true
		}
	}
	for _, list := range r.Suites {
		if list.Error != "" {
			t.Errorf("scimdoctor %s suite scan stopped early: %s", list.Version, list.Error)
		}
		for _, s := range list.Suites {
			id, err := strconv.ParseUint(strings.TrimPrefix(s.ID, "0x"), 16, 16)
			if err != nil {
				t.Fatalf("scimdoctor suite id %q is not hex: %v", s.ID, err)
			}
			scan.addSuite(list.Version, uint16(id))
		}
	}
	return scan
}

// runReferenceTool runs a reference scanner and returns its standard output.
func runReferenceTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), referenceToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s failed: %v; stderr: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes()
}

// nmapRun is the part of nmap's XML output (-oX) that ssl-enum-ciphers
// fills: per version a table keyed "TLSv1.2" with a "ciphers" table whose
// rows carry the suite's IANA name in an elem keyed "name".
type nmapRun struct {
	Hosts []struct {
		Ports []struct {
			PortID  string       `xml:"portid,attr"`
			Scripts []nmapScript `xml:"script"`
		} `xml:"ports>port"`
	} `xml:"host"`
}

type nmapScript struct {
	ID     string      `xml:"id,attr"`
	Output string      `xml:"output,attr"`
	Tables []nmapTable `xml:"table"`
}

type nmapTable struct {
	Key    string      `xml:"key,attr"`
	Tables []nmapTable `xml:"table"`
	Elems  []struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	} `xml:"elem"`
}

// nmapVersions maps the version keys of ssl-enum-ciphers to our spelling.
// The script does not probe SSL 2.0 (nmap's sslv2 script does).
var nmapVersions = map[string]string{
	"SSLv3": "SSL 3.0", "TLSv1.0": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3",
}

// scanWithNmap runs `nmap --script ssl-enum-ciphers` against 127.0.0.1:port
// and parses its XML output.
func scanWithNmap(t *testing.T, port string) toolScan {
	t.Helper()
	out := runReferenceTool(t, "nmap", "-Pn", "-n", "-p", port, "--script", "ssl-enum-ciphers", "-oX", "-", "127.0.0.1")
	var run nmapRun
	if err := xml.Unmarshal(out, &run); err != nil {
		t.Fatalf("nmap XML output does not parse: %v; output: %.2000s", err, out)
	}
	scan := newToolScan()
	found := false
	for _, host := range run.Hosts {
		for _, p := range host.Ports {
			if p.PortID != port {
				continue
			}
			for _, script := range p.Scripts {
				if script.ID != "ssl-enum-ciphers" {
					continue
				}
				found = true
				for _, table := range script.Tables {
					version, ok := nmapVersions[table.Key]
					if !ok {
						t.Fatalf("nmap ssl-enum-ciphers table key %q is not a known version; output: %s", table.Key, script.Output)
					}
					scan.versions[version] = true
					for _, id := range nmapSuiteIDs(t, table) {
						scan.addSuite(version, id)
					}
				}
			}
		}
	}
	if !found {
		// Without any accepted version ssl-enum-ciphers prints nothing, but
		// every server here accepts at least one.
		t.Fatalf("nmap output has no ssl-enum-ciphers result for port %s; output: %.2000s", port, out)
	}
	return scan
}

// nmapSuiteIDs returns the ids of the suites in the "ciphers" table of one
// version table. nmap 7.93 names the TLS 1.3 suites after a TLS 1.3 draft,
// "TLS_AKE_WITH_AES_128_GCM_SHA256" for RFC 8446's TLS_AES_128_GCM_SHA256,
// so "AKE_WITH_" is dropped before the registry look-up.
func nmapSuiteIDs(t *testing.T, version nmapTable) []uint16 {
	t.Helper()
	var ids []uint16
	for _, sub := range version.Tables {
		if sub.Key != "ciphers" {
			continue
		}
		for _, row := range sub.Tables {
			for _, elem := range row.Elems {
				if elem.Key != "name" {
					continue
				}
				name := strings.Replace(elem.Value, "TLS_AKE_WITH_", "TLS_", 1)
				info, ok := registry.SuiteByName(name)
				if !ok {
					t.Fatalf("nmap suite %q (%s) is not in the registry; add it to tlsprobe/registry", elem.Value, version.Key)
				}
				ids = append(ids, info.ID)
			}
		}
	}
	return ids
}

// sslscanDocument is the part of sslscan's XML output (--xml=-) the test
// reads: the enabled protocols and the accepted ciphers.
type sslscanDocument struct {
	Tests []struct {
		Protocols []struct {
			Type    string `xml:"type,attr"`
			Version string `xml:"version,attr"`
			Enabled string `xml:"enabled,attr"`
		} `xml:"protocol"`
		Ciphers []struct {
			Status     string `xml:"status,attr"`
			SSLVersion string `xml:"sslversion,attr"`
			Cipher     string `xml:"cipher,attr"`
			ID         string `xml:"id,attr"`
		} `xml:"cipher"`
	} `xml:"ssltest"`
}

// sslscanVersions maps the protocol type and version attributes, and the
// sslversion attribute of a cipher, to our spelling.
var sslscanVersions = map[string]string{
	"ssl 2": "SSL 2.0", "ssl 3": "SSL 3.0", "tls 1.0": "TLS 1.0", "tls 1.1": "TLS 1.1", "tls 1.2": "TLS 1.2", "tls 1.3": "TLS 1.3",
	"SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0", "TLSv1.0": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3",
}

// scanWithSSLScan runs sslscan against addr and parses its XML output. A
// cipher's id attribute decides the suite. When the registry has an OpenSSL
// name for that id and it differs from sslscan's cipher name, the test
// fails, because then one of the two tables is wrong.
func scanWithSSLScan(t *testing.T, addr string) toolScan {
	t.Helper()
	out := runReferenceTool(t, "sslscan", "--no-colour", "--xml=-", addr)
	var doc sslscanDocument
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("sslscan XML output does not parse: %v; output: %.2000s", err, out)
	}
	if len(doc.Tests) != 1 {
		t.Fatalf("sslscan XML output has %d ssltest elements, want 1; output: %.2000s", len(doc.Tests), out)
	}
	scan := newToolScan()
	for _, p := range doc.Tests[0].Protocols {
		version, ok := sslscanVersions[p.Type+" "+p.Version]
		if !ok {
			t.Fatalf("sslscan protocol type %q version %q is not a known version", p.Type, p.Version)
		}
		if p.Enabled == "1" {
			scan.versions[version] = true
		}
	}
	for _, c := range doc.Tests[0].Ciphers {
		if c.Status != "accepted" && c.Status != "preferred" {
			continue
		}
		version, ok := sslscanVersions[c.SSLVersion]
		if !ok {
			t.Fatalf("sslscan cipher %s has sslversion %q, not a known version", c.Cipher, c.SSLVersion)
		}
		id, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(c.ID), "0x"), 16, 16)
		if err != nil {
			t.Fatalf("sslscan cipher %s has id %q, not a 16-bit hex value: %v", c.Cipher, c.ID, err)
		}
		if info, ok := registry.Suite(uint16(id)); ok && info.OpenSSLName != "" && !strings.EqualFold(info.OpenSSLName, c.Cipher) && !strings.EqualFold(info.Name, c.Cipher) {
			t.Errorf("sslscan names suite %s %q, the registry names it %q (OpenSSL) and %q (IANA)", c.ID, c.Cipher, info.OpenSSLName, info.Name)
		}
		scan.addSuite(version, uint16(id))
	}
	return scan
}

// compareScans returns every difference in accepted versions and in suites
// per version between our scan and each reference scan, in both directions,
// each as one line. The value is always true; the map is a set.
func compareScans(ours, nmap, sslscan toolScan) map[string]bool {
	diffs := map[string]bool{}
	allVersions := map[string]bool{}
	for _, s := range []toolScan{ours, nmap, sslscan} {
		for v := range s.versions {
			allVersions[v] = true
		}
		for v := range s.suites {
			allVersions[v] = true
		}
	}

	for _, v := range slices.Sorted(maps.Keys(allVersions)) {
		// ssl-enum-ciphers does not probe SSL 2.0, so nmap is silent on it.
		if v != "SSL 2.0" {
			switch {
			case ours.versions[v] && !nmap.versions[v]:
				diffs[fmt.Sprintf("nmap: %s accepted by scimdoctor only", v)] = true
			case !ours.versions[v] && nmap.versions[v]:
				diffs[fmt.Sprintf("nmap: %s accepted by nmap only", v)] = true
			}
			for id := range ours.suites[v] {
				if !nmap.suites[v][id] {
					diffs[fmt.Sprintf("nmap: %s %s found by scimdoctor only", v, registry.SuiteName(id))] = true
				}
			}
			for id := range nmap.suites[v] {
				if !ours.suites[v][id] {
					diffs[fmt.Sprintf("nmap: %s %s found by nmap only", v, registry.SuiteName(id))] = true
				}
			}
		}

		switch {
		case ours.versions[v] && !sslscan.versions[v]:
			diffs[fmt.Sprintf("sslscan: %s accepted by scimdoctor only", v)] = true
		case !ours.versions[v] && sslscan.versions[v]:
			diffs[fmt.Sprintf("sslscan: %s enabled by sslscan only", v)] = true
		}
		for id := range ours.suites[v] {
			if !sslscan.suites[v][id] {
				diffs[fmt.Sprintf("sslscan: %s %s found by scimdoctor only", v, registry.SuiteName(id))] = true
			}
		}
		for id := range sslscan.suites[v] {
			if !ours.suites[v][id] {
				diffs[fmt.Sprintf("sslscan: %s %s found by sslscan only", v, registry.SuiteName(id))] = true
			}
		}
	}
	return diffs
}

// TestCompareScansDirections checks that compareScans reports a difference
// in each direction against each reference scanner, and none for SSL 2.0
// against nmap, whose script does not probe it.
func TestCompareScansDirections(t *testing.T) {
	const (
		rsaAES128 = 0x002f // TLS_RSA_WITH_AES_128_CBC_SHA
		rsaAES256 = 0x0035 // TLS_RSA_WITH_AES_256_CBC_SHA
		aes128GCM = 0x1301 // TLS_AES_128_GCM_SHA256
	)
	scan := func(versions []string, suites map[string][]uint16) toolScan {
		s := newToolScan()
		for _, v := range versions {
			s.versions[v] = true
		}
		for v, ids := range suites {
			for _, id := range ids {
				s.addSuite(v, id)
			}
		}
		return s
	}
	tls12 := func(ids ...uint16) map[string][]uint16 { return map[string][]uint16{"TLS 1.2": ids} }
	same := scan([]string{"TLS 1.2"}, tls12(rsaAES128))

	tests := []struct {
		name                string
		ours, nmap, sslscan toolScan
		want                []string
	}{
		{"equal scans", same, same, same, nil},
		{
			name: "suite found by nmap only", ours: same, sslscan: same,
			nmap: scan([]string{"TLS 1.2"}, tls12(rsaAES128, rsaAES256)),
			want: []string{"nmap: TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA found by nmap only"},
		},
		{
			name: "suite found by scimdoctor only",
			ours: scan([]string{"TLS 1.2"}, tls12(rsaAES128, rsaAES256)), nmap: same, sslscan: same,
			want: []string{
				"nmap: TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA found by scimdoctor only",
				"sslscan: TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA found by scimdoctor only",
			},
		},
		{
			name: "suite found by sslscan only", ours: same, nmap: same,
			sslscan: scan([]string{"TLS 1.2"}, tls12(rsaAES128, rsaAES256)),
			want:    []string{"sslscan: TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA found by sslscan only"},
		},
		{
			name: "version accepted by the reference scanners only", ours: same,
			nmap:    scan([]string{"TLS 1.2", "TLS 1.3"}, map[string][]uint16{"TLS 1.2": {rsaAES128}, "TLS 1.3": {aes128GCM}}),
			sslscan: scan([]string{"TLS 1.2", "TLS 1.3"}, map[string][]uint16{"TLS 1.2": {rsaAES128}, "TLS 1.3": {aes128GCM}}),
			want: []string{
				"nmap: TLS 1.3 TLS_AES_128_GCM_SHA256 found by nmap only",
				"nmap: TLS 1.3 accepted by nmap only",
				"sslscan: TLS 1.3 TLS_AES_128_GCM_SHA256 found by sslscan only",
				"sslscan: TLS 1.3 enabled by sslscan only",
			},
		},
		{
			name: "SSL 2.0 compared with sslscan only",
			ours: scan([]string{"SSL 2.0", "TLS 1.2"}, tls12(rsaAES128)), nmap: same, sslscan: same,
			want: []string{"sslscan: SSL 2.0 accepted by scimdoctor only"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Sorted(maps.Keys(compareScans(tt.ours, tt.nmap, tt.sslscan)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("compareScans differences =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
