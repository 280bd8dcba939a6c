package tlsprobe

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// startGoTLSSuites starts a crypto/tls server limited to [minVersion,
// maxVersion] and, when suites is not nil, to those TLS 1.2 cipher suites.
func startGoTLSSuites(t testing.TB, minVersion, maxVersion uint16, suites []uint16) string {
	t.Helper()
	return startGoTLSConfig(t, &tls.Config{MinVersion: minVersion, MaxVersion: maxVersion, CipherSuites: suites})
}

// suiteIDs returns the ids of IANA or OpenSSL suite names.
func suiteIDs(t *testing.T, names ...string) []uint16 {
	t.Helper()
	var ids []uint16
	for _, name := range names {
		info, ok := registry.SuiteByName(name)
		if !ok {
			t.Fatalf("cipher suite %q not in the registry", name)
		}
		ids = append(ids, info.ID)
	}
	return ids
}

func suiteNames(ids []uint16) string {
	var names []string
	for _, id := range ids {
		names = append(names, registry.SuiteName(id))
	}
	return "[" + strings.Join(names, " ") + "]"
}

func sortedIDs(ids []uint16) []uint16 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestSuitesRealServers scans Go and OpenSSL servers whose suites are known.
func TestSuitesRealServers(t *testing.T) {
	goTLS12Suites := []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	}
	opensslCiphers := "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:AES128-SHA"
	opensslSuites := suiteIDs(t, strings.Split(opensslCiphers, ":")...)

	tests := []struct {
		name    string
		start   func(t *testing.T) string
		version Version
		want    []uint16 // the accepted set, in any order
		// wantOrder, when not nil, is the exact Accepted list.
		wantOrder []uint16
		// checkServerOrder selects whether ServerOrder must equal
		// wantServerOrder. crypto/tls (Go 1.26, isAESGCMPreferred in
		// cipher_suites.go) always picks by its own list, and switches the
		// list by the CPU's AES-GCM support and the client's first known
		// suite, so it is in server order either way.
		checkServerOrder bool
		wantServerOrder  bool
	}{
		{
			name: "go tls1.2 three suites",
			start: func(t *testing.T) string {
				return startGoTLSSuites(t, tls.VersionTLS12, tls.VersionTLS12, goTLS12Suites)
			},
			version:          VersionTLS12,
			want:             goTLS12Suites,
			checkServerOrder: true,
			wantServerOrder:  true,
		},
		{
			name:             "go tls1.3",
			start:            func(t *testing.T) string { return startGoTLSSuites(t, tls.VersionTLS13, tls.VersionTLS13, nil) },
			version:          VersionTLS13,
			want:             []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256},
			checkServerOrder: true,
			wantServerOrder:  true,
		},
		{
			name: "openssl tls1.2 server order",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_2", "-cipher", opensslCiphers, "-serverpref")
			},
			version:          VersionTLS12,
			want:             opensslSuites,
			wantOrder:        opensslSuites,
			checkServerOrder: true,
			wantServerOrder:  true,
		},
		{
			name: "openssl tls1.2 client order",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_2", "-cipher", opensslCiphers)
			},
			version:          VersionTLS12,
			want:             opensslSuites,
			checkServerOrder: true,
			wantServerOrder:  false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.start(t)
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Suites(context.Background(), addr, "localhost", tt.version)
			t.Logf("%s: accepted %s, server order %v, %d probes", tt.version, suiteNames(scan.Accepted), scan.ServerOrder, scan.Probes)

			if scan.Err != "" {
				t.Errorf("Suites Err = %q; want none", scan.Err)
			}
			if scan.Version != tt.version {
				t.Errorf("Suites Version = %s; want %s", scan.Version, tt.version)
			}
			if got, want := sortedIDs(scan.Accepted), sortedIDs(tt.want); !slices.Equal(got, want) {
				t.Errorf("Suites accepted set %s; want %s", suiteNames(got), suiteNames(want))
			}
			if tt.wantOrder != nil && !slices.Equal(scan.Accepted, tt.wantOrder) {
				t.Errorf("Suites Accepted order %s; want %s", suiteNames(scan.Accepted), suiteNames(tt.wantOrder))
			}
			if tt.checkServerOrder && scan.ServerOrder != tt.wantServerOrder {
				t.Errorf("Suites ServerOrder = %v; want %v", scan.ServerOrder, tt.wantServerOrder)
			}
			if got := int(p.Connections()); scan.Probes != got {
				t.Errorf("Suites Probes = %d; want %d, the connections the Prober opened", scan.Probes, got)
			}
		})
	}
}

// TestSuitesNothingAccepted scans servers that reject every hello of the
// version with an alert.
func TestSuitesNothingAccepted(t *testing.T) {
	tests := []struct {
		name    string
		min     uint16
		max     uint16
		version Version
	}{
		{"tls1.3-only server scanned for tls1.2", tls.VersionTLS13, tls.VersionTLS13, VersionTLS12},
		{"tls1.2-only server scanned for tls1.3", tls.VersionTLS12, tls.VersionTLS12, VersionTLS13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startGoTLSSuites(t, tt.min, tt.max, nil)
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Suites(context.Background(), addr, "localhost", tt.version)

			if len(scan.Accepted) != 0 {
				t.Errorf("Suites accepted %s; want none", suiteNames(scan.Accepted))
			}
			if scan.Err != "" {
				t.Errorf("Suites Err = %q; want none", scan.Err)
			}
			if scan.ServerOrder {
				t.Errorf("Suites ServerOrder = true; want false with nothing accepted")
			}
			if want := len(suiteChunks(tt.version)); scan.Probes != want {
				t.Errorf("Suites Probes = %d; want %d, one per chunk", scan.Probes, want)
			}
		})
	}
}

// TestSuitesScanStops covers scans that end with Err: a server that picks
// a suite it was not offered, and a closed port.
func TestSuitesScanStops(t *testing.T) {
	// An invalid version must not open a connection, so any address works.
	t.Run("ssl2.0 version rejected", func(t *testing.T) {
		p := &Prober{Timeout: 2 * time.Second}
		scan := p.Suites(context.Background(), "127.0.0.1:1", "localhost", VersionSSL20)
		if want := "invalid version SSL 2.0"; !strings.Contains(scan.Err, want) {
			t.Errorf("Suites Err = %q; want it to contain %q", scan.Err, want)
		}
		if scan.Probes != 0 {
			t.Errorf("Suites Probes = %d; want 0", scan.Probes)
		}
	})

	// A server that always picks TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. No
	// real server does that, so a raw server plays it.
	sameSuite := func(t *testing.T) string {
		return startRawServer(t, func(conn *net.TCPConn) {
			defer conn.Close()
			readHello(conn)
			conn.Write(tls12Flight())
		})
	}
	// A server that sends a TLS 1.1 ServerHello, as if the version scan's
	// TLS 1.2 ServerHello came from another member of a pool.
	otherVersion := func(t *testing.T) string {
		return startRawServer(t, func(conn *net.TCPConn) {
			defer conn.Close()
			readHello(conn)
			flight := tls12Flight()
			// The ServerHello's version follows the 5-byte record header
			// and the 4-byte handshake header.
			flight[9], flight[10] = 0x03, 0x02
			conn.Write(flight)
		})
	}
	closedPort := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}

	tests := []struct {
		name       string
		start      func(t *testing.T) string
		wantSuites []uint16
		wantProbes int
		wantErr    string // a substring of Err
	}{
		{
			name:       "same suite picked twice",
			start:      sameSuite,
			wantSuites: []uint16{0xc02f},
			wantProbes: 2,
			wantErr:    "again after it was removed",
		},
		{
			name:       "ServerHello of another version",
			start:      otherVersion,
			wantProbes: 1,
			wantErr:    "with a ServerHello for TLS 1.1, although it accepted TLS 1.2 before",
		},
		{
			name:       "connection refused",
			start:      closedPort,
			wantProbes: 1,
			wantErr:    "probe 1 of the TLS 1.2 cipher suite scan failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.start(t)
			p := &Prober{Timeout: 2 * time.Second}
			scan := p.Suites(context.Background(), addr, "localhost", VersionTLS12)

			if !strings.Contains(scan.Err, tt.wantErr) {
				t.Errorf("Suites Err = %q; want it to contain %q", scan.Err, tt.wantErr)
			}
			if !slices.Equal(scan.Accepted, tt.wantSuites) {
				t.Errorf("Suites accepted %s; want %s", suiteNames(scan.Accepted), suiteNames(tt.wantSuites))
			}
			if scan.Probes != tt.wantProbes {
				t.Errorf("Suites Probes = %d; want %d", scan.Probes, tt.wantProbes)
			}
		})
	}
}

// TestSuiteChunks checks the offered lists: their size, no SCSV or suite of
// another version, and every registry suite valid for the version.
func TestSuiteChunks(t *testing.T) {
	for _, v := range []Version{VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13} {
		t.Run(v.String(), func(t *testing.T) {
			limit := maxSuitesPerHello - 1 // offer adds the SCSV
			if v == VersionTLS13 {
				limit = maxSuitesPerHello
			}
			var all []uint16
			for i, chunk := range suiteChunks(v) {
				if len(chunk) == 0 || len(chunk) > limit {
					t.Errorf("chunk %d has %d suites; want 1 to %d", i, len(chunk), limit)
				}
				all = append(all, chunk...)
			}

			var want []uint16
			for _, info := range registry.Suites() {
				if info.ValidFor(uint16(v)) && info.TLS13 == (v == VersionTLS13) {
					want = append(want, info.ID)
				}
			}
			if got := sortedIDs(all); !slices.Equal(got, want) {
				t.Errorf("chunks offer %d suites; want the %d registry suites valid for %s", len(got), len(want), v)
			}
			if slices.Contains(all, suiteRenegotiationSCSV) {
				t.Errorf("chunks contain TLS_EMPTY_RENEGOTIATION_INFO_SCSV; want it only added per hello")
			}
			t.Logf("%s: %d suites in %d chunks", v, len(all), len(suiteChunks(v)))
		})
	}
}
