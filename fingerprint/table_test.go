package fingerprint

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

var update = flag.Bool("update", false, "rebuild table.json from the live servers instead of checking it")

// liveServer is one server configuration the table is built from.
type liveServer struct {
	key     string
	product func() string
	library func() string
	setting string
	// start starts the server for t and returns its address, or returns
	// the address of a listener of a server in shared.
	start func(t *testing.T, cert testservers.Cert, shared sharedServers) string
}

// sharedServers holds the listener addresses of the servers that run in a
// JVM, each started once per TestTable because a JVM starts slowly.
type sharedServers struct {
	// jsse is indexed like jsseProtocols.
	jsse []string
	// tomcat is indexed like tomcatProtocols.
	tomcat []string
}

const (
	settingDefault = "default settings"
	settingTLS10   = "TLS 1.0 only, DEFAULT@SECLEVEL=0 or equivalent suites"
)

// jsseProtocols are the listeners of the shared JSSE server, in the order
// the jsse entries below index them.
var jsseProtocols = []string{"TLSv1.3,TLSv1.2", "TLSv1"}

// tomcatProtocols are the SSLHostConfig protocols of the shared Tomcat's
// connectors, in the order the tomcat entries below index them.
var tomcatProtocols = []string{"TLSv1.2+TLSv1.3", "TLSv1"}

var liveServers = []liveServer{
	{
		key: "openssl/default", product: opensslProduct, library: opensslLibrary, setting: settingDefault,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartOpenSSL(t, "-cert", cert.CertFile, "-key", cert.KeyFile)
		},
	},
	{
		key: "openssl/tls10", product: opensslProduct, library: opensslLibrary, setting: settingTLS10,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartOpenSSL(t, "-cert", cert.CertFile, "-key", cert.KeyFile, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
		},
	},
	{
		key: "nginx/default", product: nginxProduct, library: opensslLibrary, setting: settingDefault,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartNginx(t, testservers.NginxTLS{Cert: cert})
		},
	},
	{
		key: "nginx/tls10", product: nginxProduct, library: opensslLibrary, setting: settingTLS10,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1; ssl_ciphers DEFAULT@SECLEVEL=0;"})
		},
	},
	{
		key: "haproxy/default", product: haproxyProduct, library: opensslLibrary, setting: settingDefault,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartHAProxy(t, testservers.HAProxyTLS{Cert: cert, Backend: "127.0.0.1:1"})
		},
	},
	{
		key: "haproxy/tls10", product: haproxyProduct, library: opensslLibrary, setting: settingTLS10,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartHAProxy(t, testservers.HAProxyTLS{Cert: cert, Backend: "127.0.0.1:1",
				BindOptions: "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0 ciphers DEFAULT@SECLEVEL=0"})
		},
	},
	{
		key: "stunnel/default", product: stunnelProduct, library: opensslLibrary, setting: settingDefault,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartStunnel(t, testservers.StunnelTLS{Cert: cert})
		},
	},
	{
		key: "stunnel/tls10", product: stunnelProduct, library: opensslLibrary, setting: settingTLS10,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartStunnel(t, testservers.StunnelTLS{Cert: cert, MinVersion: "TLSv1", MaxVersion: "TLSv1", SecurityLevel: "0"})
		},
	},
	{
		key: "apache/default", product: apacheProduct, library: opensslLibrary, setting: settingDefault,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartApache(t, testservers.ApacheTLS{Cert: cert})
		},
	},
	{
		key: "apache/tls10", product: apacheProduct, library: opensslLibrary, setting: settingTLS10,
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return testservers.StartApache(t, testservers.ApacheTLS{Cert: cert, Directives: "SSLProtocol -all +TLSv1\n    SSLCipherSuite DEFAULT@SECLEVEL=0"})
		},
	},
	{
		key: "jsse/default", product: jsseProduct, library: jsseLibrary, setting: "default settings (TLSv1.3,TLSv1.2 enabled)",
		start: func(t *testing.T, _ testservers.Cert, shared sharedServers) string { return shared.jsse[0] },
	},
	{
		key: "jsse/tls10", product: jsseProduct, library: jsseLibrary, setting: "TLSv1 only, TLSv1 and TLSv1.1 removed from jdk.tls.disabledAlgorithms",
		start: func(t *testing.T, _ testservers.Cert, shared sharedServers) string { return shared.jsse[1] },
	},
	{
		key: "tomcat/default", product: tomcatProduct, library: jsseLibrary,
		setting: "default settings (SSLHostConfig protocols TLSv1.2+TLSv1.3, Tomcat's default ciphers)",
		start:   func(t *testing.T, _ testservers.Cert, shared sharedServers) string { return shared.tomcat[0] },
	},
	{
		key: "tomcat/tls10", product: tomcatProduct, library: jsseLibrary,
		setting: "TLSv1 only (SSLHostConfig protocols TLSv1, Tomcat's default ciphers), TLSv1 and TLSv1.1 removed from jdk.tls.disabledAlgorithms with -Djava.security.properties",
		start:   func(t *testing.T, _ testservers.Cert, shared sharedServers) string { return shared.tomcat[1] },
	},
	{
		key: "go/default", product: goProduct, library: goProduct, setting: "default settings (net/http ServeTLS)",
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return startGo(t, cert, nil)
		},
	},
	{
		key: "go/tls10", product: goProduct, library: goProduct, setting: "TLS 1.0 only (MinVersion and MaxVersion VersionTLS10)",
		start: func(t *testing.T, cert testservers.Cert, _ sharedServers) string {
			return startGo(t, cert, func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10 })
		},
	},
}

// startGo serves HTTPS with net/http on a free 127.0.0.1 port, which adds
// h2 to the ALPN protocols as every net/http TLS server does.
func startGo(t *testing.T, cert testservers.Cert, configure func(*tls.Config)) string {
	t.Helper()
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatalf("loading the test certificate: %v", err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{pair}}
	if configure != nil {
		configure(config)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.1: %v", err)
	}
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "go test server") }),
		TLSConfig: config,
	}
	go srv.ServeTLS(l, "", "")
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// TestTable starts every live server, takes its fingerprint and checks that
// Identify returns the table entry built from that server first, at
// distance 0. With -update it writes table.json from the measurements.
func TestTable(t *testing.T) {
	cert := testservers.SelfSigned(t)
	shared := sharedServers{
		jsse:   testservers.StartJSSE(t, testservers.JSSETLS{Cert: cert, Protocols: jsseProtocols}),
		tomcat: testservers.StartTomcat(t, testservers.TomcatTLS{Cert: cert, Protocols: tomcatProtocols}),
	}

	var mu sync.Mutex
	measured := map[string]*Fingerprint{}
	t.Run("servers", func(t *testing.T) {
		for _, s := range liveServers {
			t.Run(s.key, func(t *testing.T) {
				t.Parallel()
				addr := s.start(t, cert, shared)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				fp := Take(ctx, &tlsprobe.Prober{Timeout: 5 * time.Second}, addr, "localhost")
				mu.Lock()
				measured[s.key] = fp
				mu.Unlock()
				if *update {
					return
				}
				checkIdentified(t, s.key, fp)
			})
		}
	})

	if *update {
		writeTable(t, measured)
		return
	}
	checkTableCoversServers(t)
}

// checkIdentified fails t unless Identify puts the entry built from key
// first, at distance 0.
func checkIdentified(t *testing.T, key string, fp *Fingerprint) {
	t.Helper()
	want := entryOf(key)
	if want == nil {
		t.Fatalf("no table entry lists server %q; rebuild the table with -update", key)
	}
	matches := Identify(fp)
	if len(matches) == 0 {
		t.Fatalf("Identify returned no match for %s; tokens:\n%s\ntable entry %q:\n%s", key, formatTokens(fp.Tokens()), want.ID, formatTokens(want.Tokens))
	}
	if matches[0].Entry != want.ID {
		t.Errorf("Identify's first match for %s = %q (distance %d), want %q", key, matches[0].Entry, matches[0].Distance, want.ID)
	}
	if matches[0].Distance != 0 {
		t.Errorf("Identify's first match for %s has distance %d, want 0; differing hellos: %v; tokens:\n%s", key, matches[0].Distance, matches[0].Differs, formatTokens(fp.Tokens()))
	}
}

// checkTableCoversServers fails t when the table lists a server the test
// does not start, so every entry has a live test.
func checkTableCoversServers(t *testing.T) {
	t.Helper()
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, s := range e.Servers {
			if !slices.ContainsFunc(liveServers, func(l liveServer) bool { return l.key == s.Key }) {
				t.Errorf("table entry %q lists server %q, which TestTable does not start", e.ID, s.Key)
			}
		}
	}
}

func entryOf(key string) *Entry {
	for i, e := range table.Entries {
		for _, s := range e.Servers {
			if s.Key == key {
				return &table.Entries[i]
			}
		}
	}
	return nil
}

func formatTokens(tokens map[string]string) string {
	var b strings.Builder
	for _, h := range hellos {
		fmt.Fprintf(&b, "  %-22s %s\n", h.Name, tokens[h.Name])
	}
	return b.String()
}

// writeTable groups the servers with identical tokens into one entry each
// and writes table.json.
func writeTable(t *testing.T, measured map[string]*Fingerprint) {
	t.Helper()
	date := time.Now().UTC().Format("2006-01-02")
	debian, _ := os.ReadFile("/etc/debian_version")
	source := fmt.Sprintf("measured here on Debian %s packages and %s, %s (go test ./fingerprint -run TestTable -update)",
		strings.TrimSpace(string(debian)), runtime.Version(), date)

	out := Table{HelloSet: HelloSet}
	byHash := map[string]int{}
	for _, s := range liveServers {
		fp := measured[s.key]
		if fp == nil {
			t.Fatalf("no fingerprint for %s", s.key)
		}
		if fp.Conclusive() != len(hellos) {
			t.Fatalf("fingerprint of %s has inconclusive tokens; not writing a table:\n%s", s.key, formatTokens(fp.Tokens()))
		}
		server := Server{Key: s.key, Product: s.product(), Library: s.library(), Setting: s.setting}
		i, ok := byHash[fp.Hash]
		if !ok {
			i = len(out.Entries)
			byHash[fp.Hash] = i
			out.Entries = append(out.Entries, Entry{Source: source, Tokens: fp.Tokens()})
		}
		out.Entries[i].Servers = append(out.Entries[i].Servers, server)
	}
	for i := range out.Entries {
		e := &out.Entries[i]
		var keys, products, libraries, settings []string
		for _, s := range e.Servers {
			keys = append(keys, s.Key)
			products = appendNew(products, s.Product)
			libraries = appendNew(libraries, s.Library)
			settings = appendNew(settings, s.Setting)
		}
		e.ID = strings.Join(keys, "+")
		stack := strings.Join(products, ", ")
		if !slices.Equal(products, libraries) {
			stack += " / " + strings.Join(libraries, " or ")
		}
		e.Stack = stack + ", " + strings.Join(settings, " or ")
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("table.json", append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote table.json with %d entries for %d servers", len(out.Entries), len(liveServers))
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// commandVersion runs a version command and returns the first match of
// pattern's group 1 in its combined output, or "(version unknown)".
func commandVersion(pattern string, name string, args ...string) string {
	bin, err := exec.LookPath(name)
	if err != nil {
		bin = "/usr/sbin/" + name
	}
	out, _ := exec.Command(bin, args...).CombinedOutput()
	if m := regexp.MustCompile(pattern).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "(version unknown)"
}

var (
	opensslVersion = sync.OnceValue(func() string { return commandVersion(`OpenSSL (\S+)`, "openssl", "version") })
	opensslLibrary = func() string { return "OpenSSL " + opensslVersion() }
	opensslProduct = func() string { return "openssl s_server" }
	nginxProduct   = sync.OnceValue(func() string { return "nginx " + commandVersion(`nginx/(\S+)`, "nginx", "-v") })
	haproxyProduct = sync.OnceValue(func() string {
		return "haproxy " + commandVersion(`HAProxy version ([0-9.]+)`, "haproxy", "-v")
	})
	stunnelProduct = sync.OnceValue(func() string { return "stunnel " + commandVersion(`stunnel (\S+)`, "stunnel4", "-version") })
	apacheProduct  = sync.OnceValue(func() string {
		return "Apache httpd " + commandVersion(`Apache/(\S+)`, "apache2", "-v")
	})
	jsseVersion = sync.OnceValue(func() string { return commandVersion(`version "([^"]+)"`, "java", "-version") })
	jsseLibrary = func() string { return "JSSE on OpenJDK " + jsseVersion() }
	jsseProduct = func() string { return "minimal JSSE HTTPS server (not Tomcat)" }
	goProduct   = func() string { return "Go crypto/tls " + runtime.Version() }
	// tomcatProduct runs Tomcat's ServerInfo class, which prints
	// "Server version: Apache Tomcat/10.1.60 (Debian)".
	tomcatProduct = sync.OnceValue(func() string {
		return "Apache Tomcat " + commandVersion(`Apache Tomcat/(\S+)`, "java", "-cp", "/usr/share/tomcat10/lib/catalina.jar", "org.apache.catalina.util.ServerInfo")
	})
)
