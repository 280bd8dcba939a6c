package tlsscan

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/report"
)

// fipsServerEnv makes the test binary run as a TLS server instead of the
// tests. GODEBUG=fips140=on only takes effect at process start, so the FIPS
// server needs a process of its own.
const fipsServerEnv = "SCIMDOCTOR_TEST_FIPS_SERVER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(fipsServerEnv); dir != "" {
		if err := runFIPSServer(dir); err != nil {
			fmt.Fprintln(os.Stderr, "fips test server:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// runFIPSServer writes a self-signed ECDSA P-256 certificate for localhost
// to dir/ca.pem, listens on 127.0.0.1 with crypto/tls defaults, prints
// "ADDR FIPS-ENABLED" and serves until stdin closes.
func runFIPSServer(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%s %v\n", l.Addr(), fips140.Enabled())
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				if conn.(*tls.Conn).Handshake() != nil {
					return
				}
				buf := make([]byte, 4096)
				conn.Read(buf)
				conn.Write([]byte("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"))
			}()
		}
	}()
	// The parent closes stdin when the test ends.
	bufio.NewReader(os.Stdin).ReadString('\n')
	return l.Close()
}

// startFIPSServer runs the test binary as a Go TLS server with
// GODEBUG=fips140=on and returns its address and CA file.
func startFIPSServer(t *testing.T) (addr, caFile string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=fips140=on", fipsServerEnv+"="+dir)
	cmd.Stderr = os.Stderr

	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("stdin pipe: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the FIPS server: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the FIPS server's address: %v", err)
	}
	fields := strings.Fields(line)
	if len(fields) != 2 || fields[1] != "true" {
		t.Fatalf("FIPS server printed %q, want \"ADDR true\" (FIPS 140 mode on)", line)
	}
	return fields[0], filepath.Join(dir, "ca.pem")
}

func TestRunFIPSServerIsFIPSLike(t *testing.T) {
	t.Parallel()
	addr, caFile := startFIPSServer(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	r, err := Run(context.Background(), Options{Target: "localhost:" + port, Timeout: testTimeout, CACertFiles: []string{caFile}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}

	var fips *struct{ title, detail string }
	for _, f := range r.Findings {
		if f.ID == "tls.fips_like" {
			fips = &struct{ title, detail string }{f.Title, f.Detail}
		}
	}
	if fips == nil {
		t.Fatalf("findings = %v, want tls.fips_like; suites %+v, groups %+v", findingIDs(r), r.Suites, r.Groups)
	}
	if want := "FIPS-like: AES-GCM and NIST curves only"; fips.title != want {
		t.Errorf("fips finding title = %q, want %q", fips.title, want)
	}

	// Go's FIPS mode drops ChaCha20-Poly1305 and X25519.
	for _, list := range r.Suites {
		for _, s := range list.Suites {
			if strings.Contains(s.Name, "CHACHA20") {
				t.Errorf("%s suite %s accepted; FIPS mode has no ChaCha20", list.Version, s.Name)
			}
		}
	}
	for _, list := range r.Groups {
		if slices.Contains(list.Groups, "x25519") {
			t.Errorf("%s groups %v include x25519; FIPS mode has none", list.Version, list.Groups)
		}
	}

	// Every profile that reaches TLS 1.2 offers an ECDHE AES-GCM suite and
	// a P-curve, so Go's FIPS mode breaks none of them. The profiles limited
	// to TLS 1.0 fail on the version, which the finding does not blame on
	// FIPS.
	if !strings.Contains(fips.detail, "break none of them") {
		t.Errorf("fips finding detail = %q, want it to say the limits break no profile", fips.detail)
	}
	for _, name := range []string{"okta", "entra", "java-17"} {
		if strings.Contains(fips.detail, name+" (") {
			t.Errorf("fips finding names %s as broken: %s", name, fips.detail)
		}
		if v := clientVerdict(t, r, name); !v.Connects {
			t.Errorf("%s verdict = %s %q, want it to connect to a FIPS-mode server", name, v.Class, v.LogLine)
		}
	}
}

func TestFIPSLikeNeedsOnlyGCMAndNISTCurves(t *testing.T) {
	gcm := Suite{ID: "0xc02f", Name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}
	cbc := Suite{ID: "0xc013", Name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}
	chacha := Suite{ID: "0x1303", Name: "TLS_CHACHA20_POLY1305_SHA256"}
	staticRSA := Suite{ID: "0x009c", Name: "TLS_RSA_WITH_AES_128_GCM_SHA256"}
	tests := []struct {
		name   string
		suites []Suite
		groups []string
		want   bool
	}{
		{"GCM with P-256", []Suite{gcm}, []string{"secp256r1"}, true},
		{"GCM with ML-KEM hybrid", []Suite{gcm}, []string{"X25519MLKEM768", "secp384r1"}, true},
		{"CBC suite", []Suite{gcm, cbc}, []string{"secp256r1"}, false},
		{"ChaCha20 suite", []Suite{gcm, chacha}, []string{"secp256r1"}, false},
		{"static RSA key exchange", []Suite{staticRSA}, []string{"secp256r1"}, false},
		{"x25519 group", []Suite{gcm}, []string{"secp256r1", "x25519"}, false},
		{"no suite", nil, []string{"secp256r1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{
				Suites: []SuiteList{{Version: "TLS 1.2", Suites: tt.suites}},
				Groups: []GroupList{{Version: "TLS 1.2", Groups: tt.groups}},
			}
			if got := fipsLike(r); got != tt.want {
				t.Errorf("fipsLike = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFIPSFindingNamesBrokenProfiles(t *testing.T) {
	r := &Result{
		Suites: []SuiteList{{Version: "TLS 1.2", Suites: []Suite{{ID: "0xc02c", Name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}}}},
		// Entra ID offers x25519, secp256r1 and secp384r1 only.
		Groups: []GroupList{{Version: "TLS 1.2", Groups: []string{"secp521r1"}}},
	}
	found := fipsFindings(r)
	if len(found) != 1 {
		t.Fatalf("findings = %+v, want one tls.fips_like", found)
	}
	if found[0].Severity != report.SeverityMedium {
		t.Errorf("severity = %s, want medium when a profile breaks", found[0].Severity)
	}
	if !strings.Contains(found[0].Detail, "entra (no shared group)") {
		t.Errorf("detail = %q, want entra (no shared group)", found[0].Detail)
	}
	if strings.Contains(found[0].Detail, "java-7") {
		t.Errorf("detail = %q names java-7, which fails on the version, not on FIPS", found[0].Detail)
	}
}
