package tlsprobe

import (
	"context"
	"crypto/tls"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// groupStartGoTLS starts a crypto/tls server with MaxVersion maxVersion,
// limited to curves and, when suites is not nil, to those TLS 1.2 suites.
func groupStartGoTLS(t testing.TB, maxVersion uint16, curves []tls.CurveID, suites []uint16) string {
	t.Helper()
	return startGoTLSConfig(t, &tls.Config{
		MinVersion:       tls.VersionTLS12,
		MaxVersion:       maxVersion,
		CurvePreferences: curves,
		CipherSuites:     suites,
	})
}

func groupNames(ids []uint16) string { return namesOf(ids, registry.GroupName) }

// TestGroupsRealServers scans Go and OpenSSL servers whose groups are known.
// The expected preferences follow from the servers' selection rules:
//   - Go 1.26 in TLS 1.2 takes the client's first supported curve.
//   - Go 1.26 in TLS 1.3 takes its fixed order (X25519 before P-256) when
//     the client sent shares for both.
//   - OpenSSL 3.0 s_server without -serverpref takes the client's first
//     shared group in TLS 1.2 and the client's first usable key share in
//     TLS 1.3.
func TestGroupsRealServers(t *testing.T) {
	tests := []struct {
		name            string
		start           func(t *testing.T) string
		version         Version
		wantAccepted    []uint16
		wantPreferred   uint16
		wantServerOrder bool
	}{
		{
			name: "go tls12 x25519 p256",
			start: func(t *testing.T) string {
				return groupStartGoTLS(t, tls.VersionTLS12, []tls.CurveID{tls.X25519, tls.CurveP256}, nil)
			},
			version:         VersionTLS12,
			wantAccepted:    []uint16{registry.GroupX25519, registry.GroupSecp256r1},
			wantPreferred:   registry.GroupX25519,
			wantServerOrder: false,
		},
		{
			name: "go tls13 x25519 p256",
			start: func(t *testing.T) string {
				return groupStartGoTLS(t, tls.VersionTLS13, []tls.CurveID{tls.X25519, tls.CurveP256}, nil)
			},
			version:         VersionTLS13,
			wantAccepted:    []uint16{registry.GroupX25519, registry.GroupSecp256r1},
			wantPreferred:   registry.GroupX25519,
			wantServerOrder: true,
		},
		{
			name: "openssl tls13 p384 x25519",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_3", "-groups", "P-384:X25519")
			},
			version:         VersionTLS13,
			wantAccepted:    []uint16{registry.GroupX25519, registry.GroupSecp384r1},
			wantPreferred:   registry.GroupX25519,
			wantServerOrder: false,
		},
		{
			name: "openssl tls12 p256 p384",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_2", "-groups", "P-256:P-384")
			},
			version:         VersionTLS12,
			wantAccepted:    []uint16{registry.GroupSecp256r1, registry.GroupSecp384r1},
			wantPreferred:   registry.GroupSecp256r1,
			wantServerOrder: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.start(t)
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Groups(context.Background(), addr, "", tt.version)
			t.Logf("%s: accepted %s, preferred %s, server order %v, %d probes",
				tt.name, groupNames(scan.Accepted), registry.GroupName(scan.Preferred), scan.ServerOrder, scan.Probes)

			if scan.Err != "" {
				t.Fatalf("Err = %q, want none", scan.Err)
			}
			if got, want := sortedIDs(scan.Accepted), sortedIDs(tt.wantAccepted); !slices.Equal(got, want) {
				t.Errorf("Accepted = %s, want %s in any order", groupNames(scan.Accepted), groupNames(tt.wantAccepted))
			}
			if scan.Preferred != tt.wantPreferred {
				t.Errorf("Preferred = %s, want %s", registry.GroupName(scan.Preferred), registry.GroupName(tt.wantPreferred))
			}
			if scan.ServerOrder != tt.wantServerOrder {
				t.Errorf("ServerOrder = %v, want %v", scan.ServerOrder, tt.wantServerOrder)
			}
			// One probe per accepted group, one rejected probe, and two
			// preference probes.
			if want := len(tt.wantAccepted) + 3; scan.Probes != want {
				t.Errorf("Probes = %d, want %d", scan.Probes, want)
			}
			if got := int(p.Connections()); got != scan.Probes {
				t.Errorf("Prober opened %d connections, want Probes = %d", got, scan.Probes)
			}
		})
	}
}

// TestGroupsNoECDHE scans a TLS 1.2 server without ECDHE suites: the first
// hello is rejected, and nothing is accepted.
func TestGroupsNoECDHE(t *testing.T) {
	addr := groupStartGoTLS(t, tls.VersionTLS12, nil, []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256})
	p := &Prober{Timeout: 5 * time.Second}
	scan := p.Groups(context.Background(), addr, "", VersionTLS12)

	if scan.Err != "" {
		t.Errorf("Err = %q, want none", scan.Err)
	}
	if len(scan.Accepted) != 0 {
		t.Errorf("Accepted = %s, want none", groupNames(scan.Accepted))
	}
	if scan.Preferred != 0 {
		t.Errorf("Preferred = %s, want 0", registry.GroupName(scan.Preferred))
	}
	if scan.Probes != 1 {
		t.Errorf("Probes = %d, want 1", scan.Probes)
	}
}

// TestGroupsInvalidVersion checks that versions without supported_groups
// give Err and no probe.
func TestGroupsInvalidVersion(t *testing.T) {
	for _, v := range []Version{VersionSSL20, VersionSSL30} {
		t.Run(v.String(), func(t *testing.T) {
			p := &Prober{}
			scan := p.Groups(context.Background(), "127.0.0.1:1", "", v)
			if !strings.Contains(scan.Err, "invalid version") {
				t.Errorf("Err = %q, want it to contain %q", scan.Err, "invalid version")
			}
			if scan.Probes != 0 {
				t.Errorf("Probes = %d, want 0", scan.Probes)
			}
			if got := p.Connections(); got != 0 {
				t.Errorf("Prober opened %d connections, want 0", got)
			}
		})
	}
}

func TestGroupCandidates(t *testing.T) {
	tests := []struct {
		name        string
		version     Version
		mustHave    []uint16
		mustNotHave []uint16
	}{
		{
			name:        "tls12 curves only",
			version:     VersionTLS12,
			mustHave:    []uint16{registry.GroupX25519, registry.GroupX448, registry.GroupSecp256r1, 0x001a, 0x0013},
			mustNotHave: []uint16{registry.GroupFFDHE2048, registry.GroupX25519MLKEM768, 0x001f, 0xff01, 0xff02},
		},
		{
			name:        "tls13 ffdhe and hybrids",
			version:     VersionTLS13,
			mustHave:    []uint16{registry.GroupX25519, registry.GroupFFDHE2048, registry.GroupX25519MLKEM768, registry.GroupMLKEM768, 0x001f},
			mustNotHave: []uint16{0x001a, 0x0013, 0x6399, 0x639a},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := groupCandidates(tt.version)
			for _, id := range tt.mustHave {
				if !slices.Contains(got, id) {
					t.Errorf("candidates lack %s (0x%04x)", registry.GroupName(id), id)
				}
			}
			for _, id := range tt.mustNotHave {
				if slices.Contains(got, id) {
					t.Errorf("candidates contain %s (0x%04x), want it left out", registry.GroupName(id), id)
				}
			}
			if got[0] != registry.GroupX25519 {
				t.Errorf("first candidate = %s, want x25519", registry.GroupName(got[0]))
			}
		})
	}
}

// TestGroupsScanStops checks the loop guards against servers that break
// RFC 8446 by picking groups outside the offer.
func TestGroupsScanStops(t *testing.T) {
	hrrX25519 := hsMsg(typeServerHello, serverHelloBody(0x0303, helloRetryRequestRandom, 0x1301,
		ext(extSupportedVersions, u16(0x0304)), ext(extKeyShare, u16(registry.GroupX25519))))
	tests := []struct {
		name       string
		flight     []byte
		wantErr    string
		wantProbes int
	}{
		{
			name:       "same share twice",
			flight:     record(recordHandshake, shTLS13),
			wantErr:    "server picked named group x25519 (0x001d) in probe 2, with a key share that was not offered",
			wantProbes: 2,
		},
		{
			name:       "retry for sent share",
			flight:     record(recordHandshake, hrrX25519),
			wantErr:    "server sent a HelloRetryRequest for x25519 in probe 1, although the hello carried a key share for it",
			wantProbes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startRawServer(t, func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(tt.flight)
			})
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Groups(context.Background(), addr, "", VersionTLS13)

			if !strings.Contains(scan.Err, tt.wantErr) {
				t.Errorf("Err = %q, want it to contain %q", scan.Err, tt.wantErr)
			}
			if scan.Probes != tt.wantProbes {
				t.Errorf("Probes = %d, want %d", scan.Probes, tt.wantProbes)
			}
		})
	}
}

// openSSL30Groups are the TLS 1.3 groups that OpenSSL 3.0.19 s_server
// accepts by default, as this scan finds them without -groups. The repeat
// test passes them with -groups, so that a newer OpenSSL with more default
// groups gives the same expectation.
var openSSL30Groups = []uint16{
	registry.GroupX25519, registry.GroupSecp256r1, registry.GroupX448, registry.GroupSecp521r1, registry.GroupSecp384r1,
	registry.GroupFFDHE2048, registry.GroupFFDHE3072, registry.GroupFFDHE4096, registry.GroupFFDHE6144, registry.GroupFFDHE8192,
}

// TestGroupsOpenSSLRepeatable scans openssl s_server five times per case
// and checks that every run finds the same complete group list. s_server
// serves one connection at a time, and the versions of a case are scanned
// at once through one Prober limited to 3 connections, as the tls command
// does. Random ffdhe key shares once made OpenSSL reject about half of the
// ffdhe probes, so the TLS 1.3 list changed from run to run.
func TestGroupsOpenSSLRepeatable(t *testing.T) {
	groupList := strings.Join(namesOfGroupsForOpenSSL(openSSL30Groups), ":")
	tls12Curves := []uint16{
		registry.GroupX25519, registry.GroupSecp256r1, registry.GroupX448, registry.GroupSecp521r1, registry.GroupSecp384r1,
	}
	tests := []struct {
		name string
		args []string
		want map[Version][]uint16
	}{
		{
			name: "tls13 only",
			args: []string{"-www", "-tls1_3", "-groups", groupList},
			want: map[Version][]uint16{VersionTLS13: openSSL30Groups},
		},
		{
			name: "tls12 and tls13",
			args: []string{"-www", "-groups", groupList},
			want: map[Version][]uint16{VersionTLS12: tls12Curves, VersionTLS13: openSSL30Groups},
		},
	}
	const runs = 5
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := testservers.StartOpenSSL(t, tt.args...)
			versions := slices.Sorted(maps.Keys(tt.want))

			first := map[Version]*GroupScan{}
			for run := range runs {
				scans := groupScanAtOnce(addr, versions)
				for _, scan := range scans {
					v := scan.Version
					t.Logf("run %d %s: accepted %s, preferred %s, server order %v, %d probes",
						run, v, groupNames(scan.Accepted), registry.GroupName(scan.Preferred), scan.ServerOrder, scan.Probes)

					if scan.Err != "" {
						t.Errorf("run %d %s: Err = %q, want none", run, v, scan.Err)
					}
					if got, want := sortedIDs(scan.Accepted), sortedIDs(tt.want[v]); !slices.Equal(got, want) {
						t.Errorf("run %d %s: Accepted = %s, want %s in any order", run, v, groupNames(scan.Accepted), groupNames(tt.want[v]))
					}
					// s_server without -serverpref takes the client's
					// first key share in TLS 1.3 and the client's first
					// shared group in TLS 1.2, and x25519 is the scan's
					// first candidate.
					if scan.Preferred != registry.GroupX25519 {
						t.Errorf("run %d %s: Preferred = %s, want x25519", run, v, registry.GroupName(scan.Preferred))
					}
					if scan.ServerOrder {
						t.Errorf("run %d %s: ServerOrder = true, want false", run, v)
					}

					prev, ok := first[v]
					if !ok {
						first[v] = scan
						continue
					}
					if !slices.Equal(scan.Accepted, prev.Accepted) {
						t.Errorf("run %d %s: Accepted = %s, want the order of run 0, %s", run, v, groupNames(scan.Accepted), groupNames(prev.Accepted))
					}
					if scan.Probes != prev.Probes {
						t.Errorf("run %d %s: Probes = %d, want %d as in run 0", run, v, scan.Probes, prev.Probes)
					}
				}
			}
		})
	}
}

// groupScanAtOnce runs Prober.Groups for each of versions in its own
// goroutine through one Prober with at most 3 connections to the host, and
// returns the scans in the order of versions.
func groupScanAtOnce(addr string, versions []Version) []*GroupScan {
	p := &Prober{Timeout: 10 * time.Second, MaxConnsPerHost: 3}
	scans := make([]*GroupScan, len(versions))
	var wg sync.WaitGroup
	for i, v := range versions {
		wg.Go(func() { scans[i] = p.Groups(context.Background(), addr, "", v) })
	}
	wg.Wait()
	return scans
}

// namesOfGroupsForOpenSSL returns the names that OpenSSL's -groups option
// takes for ids.
func namesOfGroupsForOpenSSL(ids []uint16) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = registry.GroupName(id)
	}
	return names
}
