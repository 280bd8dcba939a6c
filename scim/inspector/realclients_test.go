package inspector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// inspectedServer is an HTTPS server on 127.0.0.1 behind Listen, with
// TLS 1.2 as its minimum version.
type inspectedServer struct {
	addr string
	rec  *Recorder
	cert testservers.Cert
}

func startInspected(t *testing.T, cfg *tls.Config) *inspectedServer {
	t.Helper()
	cert := testservers.SelfSigned(t)
	pair, err := tls.LoadX509KeyPair(cert.CertFile, cert.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg.Certificates = []tls.Certificate{pair}
	cfg.NextProtos = []string{"h2", "http/1.1"}

	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("/scim/v2/Users", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/scim+json")
		fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
	})
	srv := &http.Server{Handler: rec.Middleware(mux), ConnContext: ConnContext, ReadHeaderTimeout: 10 * time.Second}
	ln := Listen(inner, cfg, rec)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &inspectedServer{addr: inner.Addr().String(), rec: rec, cert: cert}
}

// waitHandshakes waits until the recorder holds n handshakes and returns
// them, newest first.
func (s *inspectedServer) waitHandshakes(t *testing.T, n int) []Handshake {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		hs := s.rec.Handshakes()
		if len(hs) >= n {
			return hs
		}
		if time.Now().After(deadline) {
			t.Fatalf("recorded %d handshakes, want %d: %+v", len(hs), n, hs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: %v; run scripts/install-test-deps.sh", name, err)
	}
	return path
}

func TestListenOpenSSLOldVersions(t *testing.T) {
	openssl := needTool(t, "openssl")
	tests := []struct {
		flag   string
		reason string
	}{
		{"-tls1", "client offered only TLS 1.0; server requires TLS 1.2 or later"},
		{"-tls1_1", "client offered only TLS 1.0, TLS 1.1; server requires TLS 1.2 or later"},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			s := startInspected(t, nil)
			cmd := exec.Command(openssl, "s_client", "-connect", s.addr, tt.flag, "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "scim.example.com")
			cmd.Stdin = strings.NewReader("")
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("openssl s_client %s connected; want a failure:\n%s", tt.flag, out)
			}
			h := s.waitHandshakes(t, 1)[0]
			if h.Outcome != OutcomeFailed {
				t.Errorf("Outcome = %s, want failed", h.Outcome)
			}
			if h.Reason != tt.reason {
				t.Errorf("Reason = %q\nwant %q", h.Reason, tt.reason)
			}
			if h.Hello == nil || h.Hello.ServerName != "scim.example.com" {
				t.Errorf("Hello = %+v, want SNI scim.example.com", h.Hello)
			}
			if !ja4Form.MatchString(h.JA4) || !strings.HasPrefix(h.JA4, "t1") {
				t.Errorf("JA4 = %q", h.JA4)
			}
		})
	}
}

func TestListenCurl(t *testing.T) {
	curl := needTool(t, "curl")
	s := startInspected(t, nil)
	out, err := exec.Command(curl, "-sS", "--cacert", s.cert.CertFile, "-H", "Authorization: Bearer scim-secret-token",
		"https://localhost:"+portOf(s.addr)+"/scim/v2/Users?filter=userName%20eq%20%22a%22&access_token=abc").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeOK || h.Version != tls.VersionTLS13 || h.ALPN != "h2" {
		t.Errorf("handshake = %s %s ALPN %q, want ok TLS 1.3 h2 (%s)", h.Outcome, versionName(h.Version), h.ALPN, h.Reason)
	}
	if h.Hello.ServerName != "localhost" || h.Group == 0 {
		t.Errorf("SNI %q group %04x, want localhost and a group", h.Hello.ServerName, h.Group)
	}
	if guessBase(h.Hello) != "curl" {
		t.Errorf("guessBase = %s, want curl", guessBase(h.Hello))
	}

	reqs := s.rec.Requests()
	if len(reqs) != 1 {
		t.Fatalf("recorded %d requests, want 1", len(reqs))
	}
	q := reqs[0]
	if q.HandshakeID != h.ID {
		t.Errorf("request HandshakeID = %d, want %d", q.HandshakeID, h.ID)
	}
	if q.Status != 200 || q.Method != "GET" || q.Path != "/scim/v2/Users" {
		t.Errorf("request = %s %s %d", q.Method, q.Path, q.Status)
	}
	if strings.Contains(q.Query, "abc") || !strings.Contains(q.Query, "filter=") {
		t.Errorf("Query = %q, want the filter and the token redacted", q.Query)
	}
	if got := q.RequestHeaders["Authorization"]; len(got) != 1 || got[0] != "Bearer "+Redacted {
		t.Errorf("Authorization = %q, want the value redacted", got)
	}
}

// TestListenCurlDeterministicJA4 connects twice with curl: the same
// client must give the same fingerprint.
func TestListenCurlDeterministicJA4(t *testing.T) {
	curl := needTool(t, "curl")
	s := startInspected(t, nil)
	for range 2 {
		exec.Command(curl, "-sS", "-k", "https://localhost:"+portOf(s.addr)+"/scim/v2/Users").Run()
	}
	hs := s.waitHandshakes(t, 2)
	if hs[0].JA4 != hs[1].JA4 {
		t.Errorf("JA4 differs between two curl runs: %s and %s", hs[0].JA4, hs[1].JA4)
	}
	// curl 7.88 with OpenSSL 3.0 sends TLS 1.3, SNI and h2 first.
	if !strings.HasPrefix(hs[0].JA4, "t13d") || hs[0].JA4[8:10] != "h2" {
		t.Errorf("JA4 = %s, want t13d....h2_...", hs[0].JA4)
	}
}

func TestListenGoClient(t *testing.T) {
	s := startInspected(t, nil)
	tests := []struct {
		name   string
		cfg    *tls.Config
		ok     bool
		reason string
	}{
		{"default", &tls.Config{InsecureSkipVerify: true, ServerName: "scim.test"}, true, ""},
		{"TLS 1.1 only", &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
			false, "client offered only TLS 1.0, TLS 1.1; server requires TLS 1.2 or later"},
		{"CBC-SHA256 suite only", &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}},
			false, "no shared cipher suite for TLS 1.2: client offered TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256; server accepts"},
		{"certificate not trusted", &tls.Config{ServerName: "localhost"}, false, "client rejected the server certificate"},
		{"no shared ALPN", &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"scim-test"}}, false, "no shared ALPN protocol: client offered scim-test"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tls.Dial("tcp", s.addr, tt.cfg)
			if err == nil {
				c.Close()
			}
			if (err == nil) != tt.ok {
				t.Fatalf("Dial error = %v, want ok=%v", err, tt.ok)
			}
			h := s.waitHandshakes(t, i+1)[0]
			if tt.ok != (h.Outcome == OutcomeOK) {
				t.Errorf("Outcome = %s (%s)", h.Outcome, h.Reason)
			}
			if !strings.HasPrefix(h.Reason, tt.reason) {
				t.Errorf("Reason = %q\nwant prefix %q", h.Reason, tt.reason)
			}
			if got := guessBase(h.Hello); got != "go" {
				t.Errorf("guessBase = %s, want go", got)
			}
		})
	}
}

func TestListenTLS12OnlyServer(t *testing.T) {
	s := startInspected(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	_, err := tls.Dial("tcp", s.addr, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err == nil {
		t.Fatal("a TLS 1.3-only client connected to a TLS 1.2-only server")
	}
	h := s.waitHandshakes(t, 1)[0]
	if want := "client offered only TLS 1.3; server requires TLS 1.2 only"; h.Reason != want {
		t.Errorf("Reason = %q\nwant %q", h.Reason, want)
	}
}

func TestListenPlainHTTP(t *testing.T) {
	s := startInspected(t, nil)
	resp, err := http.Get("http://" + s.addr + "/scim/v2/Users")
	if err != nil {
		t.Fatalf("GET over plain HTTP: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeNotTLS {
		t.Errorf("Outcome = %s, want not_tls", h.Outcome)
	}
	if !strings.HasPrefix(h.Reason, "plain HTTP request on the TLS port: GET /scim/v2/Users") {
		t.Errorf("Reason = %q", h.Reason)
	}
}

func TestListenSilentClient(t *testing.T) {
	old := helloTimeout
	helloTimeout = 500 * time.Millisecond
	t.Cleanup(func() { helloTimeout = old })
	s := startInspected(t, nil)

	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeNoHello || !strings.HasPrefix(h.Reason, "client connected and sent nothing within 500ms") {
		t.Errorf("handshake = %s: %q", h.Outcome, h.Reason)
	}
	// The server closed its side, so the client reads EOF.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("client read after the timeout: %v, want EOF", err)
	}
}

func TestListenClosedWithoutBytes(t *testing.T) {
	s := startInspected(t, nil)
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeNoHello || !strings.Contains(h.Reason, "without sending anything") {
		t.Errorf("handshake = %s: %q", h.Outcome, h.Reason)
	}
}

// javaClient is a tiny HttpsURLConnection client: JDK 17 sends its own
// hello, then rejects the self-signed certificate.
const javaClient = `import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
public class Hello {
  public static void main(String[] args) throws Exception {
    HttpsURLConnection c = (HttpsURLConnection) new URL(args[0]).openConnection();
    c.setConnectTimeout(10000);
    c.setReadTimeout(10000);
    try { System.out.println(c.getResponseCode()); } catch (Exception e) { System.out.println(e); }
  }
}
`

func TestListenJava17(t *testing.T) {
	javac := needTool(t, "javac")
	java := needTool(t, "java")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Hello.java"), []byte(javaClient), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(javac, "-d", dir, filepath.Join(dir, "Hello.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}

	s := startInspected(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, java, "-cp", dir, "Hello", "https://localhost:"+portOf(s.addr)+"/scim/v2/Users").CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PKIX path building failed") {
		t.Errorf("java output = %s, want a PKIX error", out)
	}

	h := s.waitHandshakes(t, 1)[0]
	if h.Hello == nil {
		t.Fatalf("no hello recorded: %+v", h)
	}
	if h.Outcome != OutcomeFailed || !strings.HasPrefix(h.Reason, "client rejected the server certificate (unknown certificate)") {
		t.Errorf("handshake = %s: %q", h.Outcome, h.Reason)
	}
	// JSSE sends no SNI for the dotless name localhost, and
	// status_request_v2.
	if h.Hello.ServerName != "" || !strings.HasPrefix(h.JA4, "t13i") {
		t.Errorf("SNI %q, JA4 %s, want no SNI", h.Hello.ServerName, h.JA4)
	}
	if guessBase(h.Hello) != "java-17" {
		t.Errorf("guessBase = %s, want java-17", guessBase(h.Hello))
	}
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

func insecureConfig() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// TestListenSilentClientBlocksNoOne keeps a silent connection open while
// curl connects: the hello wait runs per connection, not in Accept.
func TestListenSilentClientBlocksNoOne(t *testing.T) {
	curl := needTool(t, "curl")
	s := startInspected(t, nil)
	silent, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	out, err := exec.Command(curl, "-sS", "-k", "https://127.0.0.1:"+portOf(s.addr)+"/scim/v2/Users").CombinedOutput()
	if err != nil {
		t.Fatalf("curl while a silent client is connected: %v\n%s", err, out)
	}
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeOK || h.Hello.ServerName != "" || !strings.HasPrefix(h.JA4, "t13i") {
		t.Errorf("curl to an IP literal: %s, SNI %q, JA4 %s; want ok, no SNI, t13i", h.Outcome, h.Hello.ServerName, h.JA4)
	}
}

func TestListenCloseStopsAccept(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listen(inner, &tls.Config{}, NewRecorder(Options{}))
	errc := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		errc <- err
	}()
	if err := ln.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
}

// fragmentingConn splits the first TLS record the client writes, its
// ClientHello, into records of size bytes, each in its own write.
type fragmentingConn struct {
	net.Conn
	size int
	done bool
}

func (c *fragmentingConn) Write(p []byte) (int, error) {
	if c.done || len(p) < recordHeaderLen || p[0] != recordTypeHandshake {
		return c.Conn.Write(p)
	}
	c.done = true
	length := int(p[3])<<8 | int(p[4])
	payload := p[recordHeaderLen : recordHeaderLen+length]
	for len(payload) > 0 {
		n := min(c.size, len(payload))
		record := append([]byte{p[0], p[1], p[2], byte(n >> 8), byte(n)}, payload[:n]...)
		if _, err := c.Conn.Write(record); err != nil {
			return 0, err
		}
		payload = payload[n:]
	}
	if rest := p[recordHeaderLen+length:]; len(rest) > 0 {
		if _, err := c.Conn.Write(rest); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func TestListenFragmentedHello(t *testing.T) {
	s := startInspected(t, nil)
	raw, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(&fragmentingConn{Conn: raw, size: 100}, &tls.Config{InsecureSkipVerify: true, ServerName: "fragments.test"})
	if err := c.Handshake(); err != nil {
		t.Fatalf("handshake with a fragmented hello: %v", err)
	}
	c.Close()
	h := s.waitHandshakes(t, 1)[0]
	if h.Outcome != OutcomeOK || h.Hello.ServerName != "fragments.test" {
		t.Errorf("handshake = %s, SNI %q", h.Outcome, h.Hello.ServerName)
	}
	if want := (h.Hello.Length + 99) / 100; h.Hello.Records != want {
		t.Errorf("Records = %d, want %d for a %d-byte hello", h.Hello.Records, want, h.Hello.Length)
	}
}
