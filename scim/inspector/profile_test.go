package inspector

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// TestProfileRoundTripCurl records curl's real hello through the listener,
// saves it as a profile, loads the file and simulates it against lab
// endpoints: the simulation must reach the verdict curl itself reaches.
func TestProfileRoundTripCurl(t *testing.T) {
	curl := needTool(t, "curl")
	s := startInspected(t, nil)
	exec.Command(curl, "-sS", "-k", "https://localhost:"+portOf(s.addr)+"/scim/v2/Users").Run()
	h := s.waitHandshakes(t, 1)[0]

	data, err := ProfileFromHandshake(h, "curl-recorded")
	if err != nil {
		t.Fatalf("ProfileFromHandshake: %v", err)
	}
	file := filepath.Join(t.TempDir(), "curl-recorded.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := clients.LoadFile(file)
	if err != nil {
		t.Fatalf("LoadFile: %v\n%s", err, data)
	}
	if p.Confidence != clients.ConfidenceMeasured || !strings.HasPrefix(p.Source, "recorded by scimdoctor serve at ") || !strings.Contains(p.Source, " from 127.0.0.1:") {
		t.Errorf("Confidence %q, Source %q", p.Confidence, p.Source)
	}
	if p.Family != "curl" {
		t.Errorf("Family = %q, want curl (base guessed from the hello)", p.Family)
	}
	// The profile sends the recorded hello: same suites in the same order.
	sent := p.ClientHello("localhost")
	if got, want := joinNames(sent.CipherSuites, suiteName), joinNames(withoutGREASE(h.Hello.CipherSuites), suiteName); got != want {
		t.Errorf("profile suites = %s\nrecorded = %s", got, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	endpoints := []string{"good", "tls10-only", "tls13-only", "3des-only"}
	l, err := lab.Start(ctx, endpoints...)
	if err != nil {
		t.Fatalf("lab.Start: %v", err)
	}
	defer l.Close()
	labCA := labRoot(t, l.CACertPEM)

	for _, e := range l.Endpoints {
		t.Run(e.Name, func(t *testing.T) {
			u, err := url.Parse(e.URL)
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd := exec.CommandContext(ctx, curl, "-sS", "-o", os.DevNull, "--cacert", l.CAFile,
				"--connect-to", u.Host+":"+e.Addr, e.URL+"/ServiceProviderConfig")
			cmd.Stderr = &stderr
			curlErr := cmd.Run()
			// curl offers TLS 1.0 to 1.3 but completes only TLS 1.2 and 1.3
			// handshakes, and offers no 3DES suite.
			if wantOK := e.Name == "good" || e.Name == "tls13-only"; (curlErr == nil) != wantOK {
				t.Fatalf("curl error = %v on %s (%s), want success only on good and tls13-only", curlErr, e.Name, stderr.String())
			}

			pred := clients.Simulate(ctx, &tlsprobe.Prober{}, clients.Target{
				Addr: e.Addr, Host: u.Host, Path: u.Path + "/ServiceProviderConfig", ExtraRoots: []*x509.Certificate{labCA},
			}, p)
			if pred.Connects != (curlErr == nil) {
				t.Errorf("simulated Connects = %v (%s), curl error = %v", pred.Connects, pred.LogLine(), curlErr)
			}
			if curlErr != nil {
				first, _, _ := strings.Cut(stderr.String(), "\n")
				if pred.LogLine() != first {
					t.Errorf("simulated line %q\ncurl printed   %q", pred.LogLine(), first)
				}
			}
		})
	}
}

func labRoot(t *testing.T, pemData []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(pemData)
	if block == nil {
		t.Fatal("lab CA is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestProfileFromHelloRejects(t *testing.T) {
	h, err := ParseClientHello(sampleHello(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, profile, want string }{
		{"empty name", "", "invalid profile name"},
		{"path in name", "../x", "invalid profile name"},
		{"built-in name", "okta", "is a built-in profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProfileFromHello(h, tt.profile)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := ProfileFromHandshake(Handshake{ID: 3, Outcome: OutcomeNotTLS}, "x"); err == nil || !strings.Contains(err.Error(), "no parsed ClientHello") {
		t.Errorf("handshake without hello: error = %v", err)
	}
}

func TestProfileFromHelloLoads(t *testing.T) {
	h, err := ParseClientHello(sampleHello(t))
	if err != nil {
		t.Fatal(err)
	}
	data, err := ProfileFromHello(h, "sample")
	if err != nil {
		t.Fatalf("ProfileFromHello: %v", err)
	}
	p, err := clients.Decode("sample.json", data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got := p.Hello.CipherSuites; len(got) != 4 || got[0] != "TLS_AES_128_GCM_SHA256" {
		t.Errorf("suites = %q, want the four non-GREASE suites in order", got)
	}
	if !strings.Contains(p.Note, "java-17") {
		t.Errorf("Note = %q, want the base profile named", p.Note)
	}
}

func TestSaveProfileFromTLS10Client(t *testing.T) {
	openssl := needTool(t, "openssl")
	s := startInspected(t, nil)
	dir := t.TempDir()
	type result struct {
		file string
		h    Handshake
		err  error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		file, h, err := s.rec.SaveProfile(ctx, "old-client", "127.0.0.1", dir)
		done <- result{file, h, err}
	}()

	// A failed handshake still yields a profile: that is the client an
	// admin needs to see.
	cmd := exec.Command(openssl, "s_client", "-connect", s.addr, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
	cmd.Stdin = strings.NewReader("")
	cmd.Run()
	r := <-done
	if r.err != nil {
		t.Fatalf("SaveProfile: %v", r.err)
	}
	if r.h.Outcome != OutcomeFailed {
		t.Errorf("handshake outcome = %s, want failed", r.h.Outcome)
	}
	p, err := clients.LoadFile(r.file)
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", r.file, err)
	}
	if got := p.Hello.Versions; len(got) != 1 || got[0] != "TLS 1.0" {
		t.Errorf("versions = %q, want [TLS 1.0]", got)
	}
	if p.Family != "openssl" {
		t.Errorf("Family = %q, want openssl (s_client sends no ALPN)", p.Family)
	}

	// A second save under the same name must not overwrite the file.
	if _, _, err := s.rec.SaveProfile(ctx, "old-client", "", dir); err == nil || !strings.Contains(err.Error(), "remove the file or choose another name") {
		t.Errorf("second SaveProfile: error = %v, want the file to exist", err)
	}
}

func TestSaveProfileWaitEnds(t *testing.T) {
	rec := NewRecorder(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := rec.SaveProfile(ctx, "never", "", t.TempDir())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}
