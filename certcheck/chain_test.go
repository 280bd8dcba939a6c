package certcheck

import (
	"context"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestFetchLabEndpoints(t *testing.T) {
	l := startLab(t, "good", "tls10-only", "3des-only", "tls13-only", "sni-required")

	tests := []struct {
		endpoint    string
		serverName  string
		wantVersion uint16
		wantSuite   uint16 // 0: any
		wantErr     string
	}{
		{"good", "localhost", tls.VersionTLS13, 0, ""},
		{"tls10-only", "localhost", tls.VersionTLS10, 0, ""},
		{"3des-only", "localhost", tls.VersionTLS12, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, ""},
		{"tls13-only", "", tls.VersionTLS13, 0, ""},
		{"sni-required", "localhost", tls.VersionTLS13, 0, ""},
		{"sni-required", "", 0, 0, "remote error: tls: unrecognized name"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" with SNI "+tt.serverName, func(t *testing.T) {
			chain, err := Fetch(context.Background(), labAddr(t, l, tt.endpoint), tt.serverName, 5*time.Second)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Fetch error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if chain.Version != tt.wantVersion {
				t.Errorf("version %s, want %s", tls.VersionName(chain.Version), tls.VersionName(tt.wantVersion))
			}
			if tt.wantSuite != 0 && chain.CipherSuite != tt.wantSuite {
				t.Errorf("cipher suite %s, want %s", tls.CipherSuiteName(chain.CipherSuite), tls.CipherSuiteName(tt.wantSuite))
			}
			if len(chain.Certificates) == 0 || chain.Certificates[0].Subject.CommonName != "localhost" {
				t.Errorf("leaf is not the lab's localhost certificate")
			}
		})
	}
}

func TestFetchFailures(t *testing.T) {
	l := startLab(t, "blackhole", "reset", "plain-http")

	t.Run("blackhole times out", func(t *testing.T) {
		begin := time.Now()
		_, err := Fetch(context.Background(), labAddr(t, l, "blackhole"), "localhost", 300*time.Millisecond)
		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			t.Fatalf("Fetch error %v, want a timeout", err)
		}
		if elapsed := time.Since(begin); elapsed > 2*time.Second {
			t.Errorf("Fetch took %v with a 300ms timeout", elapsed)
		}
	})
	t.Run("context deadline wins", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		begin := time.Now()
		if _, err := Fetch(ctx, labAddr(t, l, "blackhole"), "localhost", time.Minute); err == nil {
			t.Fatal("Fetch from the blackhole succeeded")
		}
		if elapsed := time.Since(begin); elapsed > 2*time.Second {
			t.Errorf("Fetch took %v with a 200ms context deadline", elapsed)
		}
	})
	t.Run("reset", func(t *testing.T) {
		_, err := Fetch(context.Background(), labAddr(t, l, "reset"), "localhost", 5*time.Second)
		if err == nil || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("Fetch error %v, want a connection reset", err)
		}
	})
	t.Run("plain HTTP", func(t *testing.T) {
		_, err := Fetch(context.Background(), labAddr(t, l, "plain-http"), "localhost", 5*time.Second)
		var recordErr tls.RecordHeaderError
		if !errors.As(err, &recordErr) {
			t.Fatalf("Fetch error %v, want tls.RecordHeaderError", err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		// Bind a port, then close it, so nothing listens there.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = Fetch(context.Background(), addr, "localhost", 5*time.Second)
		if err == nil || !strings.Contains(err.Error(), "connect to "+addr) {
			t.Fatalf("Fetch error %v, want one naming the connect step and %s", err, addr)
		}
	})
}

func TestGoSuitesIncludesInsecure(t *testing.T) {
	suites := GoSuites()
	for _, want := range []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		tls.TLS_RSA_WITH_RC4_128_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	} {
		found := false
		for _, id := range suites {
			found = found || id == want
		}
		if !found {
			t.Errorf("allCipherSuites lacks %s", tls.CipherSuiteName(want))
		}
	}
	for _, id := range suites {
		if id == tls.TLS_AES_128_GCM_SHA256 {
			t.Error("allCipherSuites lists the TLS 1.3 suite TLS_AES_128_GCM_SHA256")
		}
	}
}

func TestParseChain(t *testing.T) {
	h := newHierarchy(t)

	chain, err := ParseChain([][]byte{h.leaf.cert.Raw, h.intermediate.cert.Raw})
	if err != nil {
		t.Fatalf("ParseChain: %v", err)
	}
	if len(chain.Certificates) != 2 || chain.Source != SourceCertificateMessage || chain.Version != 0 {
		t.Errorf("chain %+v, want two certificates from a Certificate message", chain)
	}

	tests := []struct {
		name    string
		der     [][]byte
		wantErr string
	}{
		{"no certificate", nil, "contains no certificate"},
		{"second certificate truncated", [][]byte{h.leaf.cert.Raw, h.intermediate.cert.Raw[:40]}, "certificate 1 of 2 (40 bytes)"},
		{"first certificate garbage", [][]byte{{0x30, 0x03, 0x01, 0x01, 0xff}}, "certificate 0 of 1 (5 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseChain(tt.der)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseChain error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	h := newHierarchy(t)
	rsaLeaf := issueCert(t, h.intermediate, certOptions{commonName: "rsa.localhost", dnsNames: []string{"rsa.localhost"}, key: rsa2048Key()})
	p384Root := issueCert(t, nil, certOptions{commonName: "p384 root", isCA: true, key: newECDSAKey(t, elliptic.P384())})

	leaf := Describe(h.leaf.cert)
	if leaf.Subject != "CN=localhost,O=certcheck test" || leaf.Issuer != "CN=certcheck test intermediate,O=certcheck test" {
		t.Errorf("subject %q issuer %q", leaf.Subject, leaf.Issuer)
	}
	if strings.Join(leaf.DNSNames, ",") != "localhost" || strings.Join(leaf.IPAddresses, ",") != "127.0.0.1" {
		t.Errorf("names %v %v, want localhost and 127.0.0.1", leaf.DNSNames, leaf.IPAddresses)
	}
	if leaf.KeyType != "ECDSA" || leaf.KeyBits != 256 || leaf.Curve != "P-256" {
		t.Errorf("key %s %d %s, want ECDSA 256 P-256", leaf.KeyType, leaf.KeyBits, leaf.Curve)
	}
	if leaf.SignatureAlgorithm != "ECDSA-SHA256" || leaf.SelfSigned {
		t.Errorf("signature %s self-signed %v, want ECDSA-SHA256 and not self-signed", leaf.SignatureAlgorithm, leaf.SelfSigned)
	}
	if want := strings.ToUpper(h.leaf.cert.SerialNumber.Text(16)); leaf.SerialHex != want {
		t.Errorf("serial %s, want %s", leaf.SerialHex, want)
	}
	sum := sha256.Sum256(h.leaf.cert.Raw)
	wantFingerprint := strings.ToUpper(hex.EncodeToString(sum[:]))
	if got := strings.ReplaceAll(leaf.SHA256Fingerprint, ":", ""); got != wantFingerprint || len(leaf.SHA256Fingerprint) != 95 {
		t.Errorf("fingerprint %s, want %s with colons", leaf.SHA256Fingerprint, wantFingerprint)
	}

	if info := Describe(rsaLeaf.cert); info.KeyType != "RSA" || info.KeyBits != 2048 || info.Curve != "" {
		t.Errorf("RSA leaf key %s %d %q, want RSA 2048", info.KeyType, info.KeyBits, info.Curve)
	}
	if info := Describe(p384Root.cert); info.KeyType != "ECDSA" || info.KeyBits != 384 || !info.SelfSigned {
		t.Errorf("P-384 root: key %s %d self-signed %v, want ECDSA 384 self-signed", info.KeyType, info.KeyBits, info.SelfSigned)
	}
	if infos := chainOf(h.leaf, h.intermediate).Describe(); len(infos) != 2 || infos[1].Subject != "CN=certcheck test intermediate,O=certcheck test" {
		t.Errorf("Chain.Describe = %+v", infos)
	}
}
