package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/scim/inspector"
	"github.com/scimdoctor/scimdoctor/scim/server"
	"github.com/scimdoctor/scimdoctor/scim/store/sqlstore"
)

// serveWait bounds every wait for the serve process, so a broken server
// fails the test instead of hanging it. It is no performance limit.
const serveWait = 60 * time.Second

// serveProcess is "scimdoctor serve" running as a child process on a free
// port of 127.0.0.1, started from the binary that testscript.Main puts on
// $PATH, so it runs main with real signals.
type serveProcess struct {
	t          *testing.T
	cmd        *exec.Cmd
	dir        string
	db         string
	baseURL    string // https://127.0.0.1:PORT/scim/v2
	origin     string // https://127.0.0.1:PORT
	addr       string // 127.0.0.1:PORT
	adminToken string
	certFile   string
	client     *http.Client
	// banner holds the lines serve printed on stdout at start.
	banner []string

	logMu   sync.Mutex
	log     bytes.Buffer
	logMore chan struct{} // closed and replaced when log grows or ends
	exited  chan struct{}
	exitErr error
}

var (
	servingLine     = regexp.MustCompile(`^scimdoctor: serving SCIM at (https://(127\.0\.0\.1:[0-9]+)/scim/v2)$`)
	fingerprintLine = regexp.MustCompile(`^scimdoctor: certificate SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2}) \(self-signed, (.+)\)$`)
	adminTokenLine  = regexp.MustCompile(`^scimdoctor: inspector admin token \(shown only once; pass --admin-token-file to keep one\): (scimdoctor_admin_[A-Za-z0-9_-]{43})$`)
)

// startServe starts serve in dir with --db db and the extra args, reads
// the URL, the certificate and the admin token from its stdout, and stops
// it with SIGKILL at the end of the test if it is still running.
func startServe(t *testing.T, dir, db string, args ...string) *serveProcess {
	t.Helper()
	bin, err := exec.LookPath("scimdoctor")
	if err != nil {
		t.Fatalf("the scimdoctor command of testscript.Main is not on $PATH: %v", err)
	}
	args = append([]string{"serve", "--listen", "127.0.0.1:0", "--db", db}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", strings.Join(cmd.Args, " "), err)
	}
	p := &serveProcess{t: t, cmd: cmd, dir: dir, db: db, logMore: make(chan struct{}), exited: make(chan struct{})}
	for i, arg := range args[:len(args)-1] {
		if arg == "--tls-cert" {
			p.certFile = args[i+1]
		}
	}
	go p.collectLog(stderr)
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", p.logText())
		}
	})

	p.readBanner(stdout)
	pem, err := os.ReadFile(p.certFile)
	if err != nil {
		t.Fatalf("reading the certificate serve printed: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", p.certFile)
	}
	p.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(p.client.CloseIdleConnections)
	return p
}

// readBanner reads the lines serve prints at start, up to the admin token
// line (or up to the token hint when the inspector is off). It kills serve
// when the banner is not complete within serveWait.
func (p *serveProcess) readBanner(stdout io.Reader) {
	t := p.t
	t.Helper()
	args := strings.Join(p.cmd.Args, " ")
	inspectorOn := !strings.Contains(args, "--inspector=false")
	wantToken := inspectorOn && !strings.Contains(args, "--admin-token-file")
	killer := time.AfterFunc(serveWait, func() { p.cmd.Process.Kill() })
	defer killer.Stop()

	lines := bufio.NewScanner(stdout)
	var banner []string
	for lines.Scan() {
		line := lines.Text()
		banner = append(banner, line)
		if m := servingLine.FindStringSubmatch(line); m != nil {
			p.baseURL, p.addr = m[1], m[2]
			p.origin = "https://" + p.addr
		}
		if m := fingerprintLine.FindStringSubmatch(line); m != nil {
			p.certFile = m[2]
			if !filepath.IsAbs(p.certFile) {
				p.certFile = filepath.Join(p.dir, p.certFile)
			}
		}
		if m := adminTokenLine.FindStringSubmatch(line); m != nil {
			p.adminToken = m[1]
		}
		if strings.HasPrefix(line, "scimdoctor: inspector admin token") || !inspectorOn && strings.HasPrefix(line, "scimdoctor: create a token") {
			break
		}
	}
	p.banner = banner
	go io.Copy(io.Discard, stdout)
	if p.baseURL == "" || p.certFile == "" || wantToken && p.adminToken == "" {
		p.cmd.Process.Kill()
		<-p.exited
		t.Fatalf("serve printed no URL, certificate or admin token (exit: %v)\nstdout:\n%s\nstderr:\n%s", p.exitErr, strings.Join(banner, "\n"), p.logText())
	}
}

func (p *serveProcess) collectLog(r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		p.logMu.Lock()
		p.log.Write(buf[:n])
		close(p.logMore)
		p.logMore = make(chan struct{})
		p.logMu.Unlock()
		if err != nil {
			return
		}
	}
}

func (p *serveProcess) logText() string {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	return p.log.String()
}

// waitLog waits until the log on stderr contains text and returns the
// line that holds it.
func (p *serveProcess) waitLog(text string) string {
	p.t.Helper()
	deadline := time.After(serveWait)
	for {
		p.logMu.Lock()
		log, more := p.log.String(), p.logMore
		p.logMu.Unlock()
		if i := strings.Index(log, text); i >= 0 {
			start := strings.LastIndex(log[:i], "\n") + 1
			end := strings.Index(log[i:], "\n")
			if end < 0 {
				return log[start:]
			}
			return log[start : i+end]
		}
		select {
		case <-more:
		case <-p.exited:
			p.t.Fatalf("serve exited (%v) before logging %q", p.exitErr, text)
		case <-deadline:
			p.t.Fatalf("serve did not log %q within %s", text, serveWait)
		}
	}
}

// wait waits for serve to exit and returns its exit code.
func (p *serveProcess) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(serveWait):
		p.t.Fatalf("serve did not exit within %s", serveWait)
	}
	return p.cmd.ProcessState.ExitCode()
}

// createToken runs "serve token create" on the process's database and
// returns the token.
func (p *serveProcess) createToken() string {
	p.t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"serve", "token", "create", "--db", p.db, "--name", "e2e"}, &stdout, &stderr); code != 0 {
		p.t.Fatalf("serve token create: exit %d: %s", code, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// get sends GET origin+path with a bearer token and returns the status and
// body.
func (p *serveProcess) get(path, token string) (int, []byte) {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.origin+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp.StatusCode, body
}

// runCLI runs the command line in this process and returns the exit code
// and both outputs.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestServeEndToEnd starts serve on SQLite and drives it with the other
// commands, openssl and a raw client, as a user would.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, filepath.Join(dir, "scim.db"))
	token := p.createToken()

	t.Run("scim write flows pass", func(t *testing.T) {
		code, stdout, stderr := runCLI("scim", "--write", "--cacert", p.certFile, "--token", token, p.baseURL)
		if code != 0 {
			t.Errorf("scim --write exit code = %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("check predicts both IdPs connect", func(t *testing.T) {
		code, stdout, stderr := runCLI("check", "--format", "json", "--client", "okta,entra", "--cacert", p.certFile, "--token", token, p.baseURL)
		if code != report.ExitOK {
			t.Errorf("check exit code = %d, want %d\nstderr:\n%s", code, report.ExitOK, stderr)
		}
		var r report.Report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("check JSON does not parse: %v\n%s", err, stdout)
		}
		if len(r.Verdicts) != 2 {
			t.Fatalf("check gave %d verdicts, want okta and entra: %+v", len(r.Verdicts), r.Verdicts)
		}
		for _, v := range r.Verdicts {
			if !v.Connects {
				t.Errorf("verdict for %s: connects = false (%s: %s), want true", v.Client, v.Class, v.Message)
			}
		}
	})

	t.Run("tls 1.0 client recorded with reason", func(t *testing.T) {
		openssl, err := exec.LookPath("openssl")
		if err != nil {
			t.Fatalf("openssl not found: %v; run scripts/install-test-deps.sh", err)
		}
		sClient := exec.Command(openssl, "s_client", "-tls1", "-connect", p.addr)
		sClient.Stdin = strings.NewReader("")
		out, err := sClient.CombinedOutput()
		if err == nil {
			t.Fatalf("openssl s_client -tls1 connected to serve, want a failed handshake:\n%s", out)
		}

		status, body := p.get("/_inspector/api/handshakes", p.adminToken)
		if status != http.StatusOK {
			t.Fatalf("GET /_inspector/api/handshakes: status %d, want 200: %s", status, body)
		}
		var handshakes []inspector.Handshake
		if err := json.Unmarshal(body, &handshakes); err != nil {
			t.Fatalf("handshakes JSON does not parse: %v", err)
		}
		const want = "client offered only TLS 1.0; server requires TLS 1.2 or later"
		found := false
		for _, h := range handshakes {
			if h.Outcome == inspector.OutcomeFailed && h.Reason == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no failed handshake with reason %q among %d records: %+v", want, len(handshakes), handshakes)
		}

		status, body = p.get("/metrics", "")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics: status %d", status)
		}
		if !regexp.MustCompile(`(?m)^scimdoctor_tls_handshake_failures_total\{reason="version"\} [1-9][0-9]*$`).Match(body) {
			t.Errorf("/metrics lacks a version failure count:\n%s", body)
		}
	})

	t.Run("inspector rejects scim token", func(t *testing.T) {
		status, _ := p.get("/_inspector/api/handshakes", token)
		if status != http.StatusUnauthorized {
			t.Errorf("GET /_inspector/api/handshakes with the SCIM token: status %d, want 401", status)
		}
	})

	t.Run("inspector records 401", func(t *testing.T) {
		status, _ := p.get(serverBase+"/Users", "")
		if status != http.StatusUnauthorized {
			t.Fatalf("GET /Users without a token: status %d, want 401", status)
		}
		_, body := p.get("/_inspector/api/requests", p.adminToken)
		var requests []inspector.Request
		if err := json.Unmarshal(body, &requests); err != nil {
			t.Fatalf("requests JSON does not parse: %v", err)
		}
		if len(requests) == 0 || requests[0].Path != serverBase+"/Users" || requests[0].Status != http.StatusUnauthorized {
			t.Errorf("newest recorded request is not the 401 on /Users: %+v", requests[:min(len(requests), 1)])
		}
		if len(requests) > 0 && requests[0].HandshakeID == 0 {
			t.Errorf("recorded request has no handshake id: ConnContext is not wired")
		}
	})

	t.Run("admin token kept out of log", func(t *testing.T) {
		if strings.Contains(p.logText(), p.adminToken) {
			t.Errorf("the generated admin token appears in the log on stderr")
		}
	})

	// Last, because it stops the server.
	t.Run("sigterm finishes request in flight", func(t *testing.T) {
		testShutdownInFlight(t, p, token)
	})
}

const serverBase = "/scim/v2"

// testShutdownInFlight starts a POST whose body waits behind
// "Expect: 100-continue", so the handler is running when SIGTERM arrives,
// then sends the body after serve logs its shutdown and checks that the
// user is created and serve exits 0.
func testShutdownInFlight(t *testing.T, p *serveProcess, token string) {
	pem, err := os.ReadFile(p.certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", p.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatalf("connecting to serve: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(serveWait))

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"in-flight@example.com","active":true}`
	fmt.Fprintf(conn, "POST %s/Users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		serverBase, p.addr, token, len(body))
	reader := bufio.NewReader(conn)
	status, err := reader.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("waiting for 100 Continue: got %q, %v", status, err)
	}
	if blank, err := reader.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("100 Continue not followed by an empty line: %q, %v", blank, err)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog("shutting down: waiting for requests in flight")

	io.WriteString(conn, body)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatalf("reading the response to the request in flight: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("POST /Users in flight during shutdown: status %d, want 201", resp.StatusCode)
	}

	if code := p.wait(); code != 0 {
		t.Errorf("serve exit code after SIGTERM = %d, want 0", code)
	}
	if !strings.Contains(p.logText(), `msg=stopped`) {
		t.Errorf("serve did not log its stop:\n%s", p.logText())
	}
}

// TestServeSaveProfile saves the hello of a curl request as a profile and
// loads it with check --client-file.
func TestServeSaveProfile(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl not found: %v; run scripts/install-test-deps.sh", err)
	}
	dir := t.TempDir()
	profiles := filepath.Join(dir, "profiles")
	if err := os.Mkdir(profiles, 0o755); err != nil {
		t.Fatal(err)
	}
	const name = "curl-recorded"
	p := startServe(t, dir, filepath.Join(dir, "scim.db"), "--save-profile", name, "--save-profile-from", "127.0.0.1", "--profile-dir", profiles)

	out, err := exec.Command(curl, "--silent", "--show-error", "--cacert", p.certFile, p.origin+"/healthz").CombinedOutput()
	if err != nil {
		t.Fatalf("curl %s/healthz: %v: %s", p.origin, err, out)
	}
	saved := p.waitLog("saved client profile")
	file := filepath.Join(profiles, name+".json")
	if !strings.Contains(saved, "file="+file) {
		t.Errorf("log line %q does not name %s", saved, file)
	}

	code, stdout, stderr := runCLI("check", "--format", "json", "--client", "okta", "--client-file", file, "--cacert", p.certFile, p.baseURL)
	if code != report.ExitOK {
		t.Errorf("check --client-file exit code = %d, want %d\nstderr:\n%s", code, report.ExitOK, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("check JSON does not parse: %v\n%s", err, stdout)
	}
	found := false
	for _, v := range r.Verdicts {
		if v.Client == name {
			found = true
			if !v.Connects {
				t.Errorf("recorded curl profile: connects = false (%s: %s), want true", v.Class, v.Message)
			}
		}
	}
	if !found {
		t.Errorf("check did not judge the saved profile %s: %+v", name, r.Verdicts)
	}

	// A second check in this process loads the same profile name from
	// another path, as a second test run or a copied file does.
	copied := filepath.Join(t.TempDir(), name+".json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI("check", "--format", "json", "--client", "okta", "--client-file", copied, "--cacert", p.certFile, p.baseURL)
	if code != report.ExitOK {
		t.Errorf("second check --client-file with the same name from %s: exit code %d, want %d\nstderr:\n%s", copied, code, report.ExitOK, stderr)
	}
}

// TestServeFlagErrors checks the flag errors of the inspector and of
// --rate: each is a usage error (exit 2) before serve opens the database.
func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scim.db")
	shortToken := filepath.Join(dir, "short-token")
	if err := os.WriteFile(shortToken, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "taken.json")
	if err := os.WriteFile(existing, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"invalid profile name", []string{"--save-profile", "Okta Capture"}, `invalid --save-profile: invalid profile name "Okta Capture"`},
		{"built-in profile name", []string{"--save-profile", "okta"}, `profile name "okta" is a built-in profile`},
		{"from without name", []string{"--save-profile-from", "127.0.0.1"}, "--save-profile-from needs --save-profile"},
		{"from not an address", []string{"--save-profile", "x", "--save-profile-from", "okta.example"}, `invalid --save-profile-from "okta.example": not an IP address`},
		{"existing profile file", []string{"--save-profile", "taken", "--profile-dir", dir}, "the profile file " + existing + " exists already"},
		{"missing profile dir", []string{"--save-profile", "x", "--profile-dir", filepath.Join(dir, "nope")}, "invalid --profile-dir"},
		{"save without inspector", []string{"--inspector=false", "--save-profile", "x"}, "--save-profile needs the inspector"},
		{"short admin token", []string{"--admin-token-file", shortToken}, "has 6 characters; the minimum is 16"},
		{"missing admin token file", []string{"--admin-token-file", filepath.Join(dir, "none")}, "reading --admin-token-file failed"},
		{"rate not a number", []string{"--rate", "NaN"}, "invalid --rate NaN: give a finite number"},
		{"rate infinite", []string{"--rate", "Inf"}, "invalid --rate +Inf: give a finite number"},
		{"rate too small", []string{"--rate", "1e-9"}, "invalid --rate 1e-09: give a finite number of requests per second of at least 0.01"},
		{"rate negative", []string{"--rate", "-1"}, "invalid --rate -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(append([]string{"serve", "--listen", "127.0.0.1:0", "--db", db}, tt.args...)...)
			if code != report.ExitUsage {
				t.Errorf("exit code = %d, want %d", code, report.ExitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a flag error created the database %s", db)
	}
}

// TestServeAdminTokenFile checks that a token from --admin-token-file
// opens the inspector, is not printed, and that --inspector=false removes
// the page.
func TestServeAdminTokenFile(t *testing.T) {
	dir := t.TempDir()
	const adminToken = "a-long-admin-token-for-the-test"
	tokenFile := filepath.Join(dir, "admin-token")
	if err := os.WriteFile(tokenFile, []byte(adminToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, dir, filepath.Join(dir, "scim.db"), "--admin-token-file", tokenFile)
	if status, body := p.get("/_inspector/api/requests", adminToken); status != http.StatusOK {
		t.Errorf("inspector with the file's token: status %d, want 200: %s", status, body)
	}
	if strings.Contains(p.logText(), adminToken) {
		t.Errorf("the admin token appears in the log")
	}

	off := startServe(t, dir, filepath.Join(dir, "other.db"), "--inspector=false")
	if status, _ := off.get("/_inspector/api/requests", adminToken); status != http.StatusNotFound {
		t.Errorf("--inspector=false: /_inspector/api/requests status %d, want 404", status)
	}
}

// TestServePostgres runs the write flows of scim against serve on
// PostgreSQL.
// The test server trusts local connections, so it ignores the password
// in the URL, and serve must still keep it out of its output.
func TestServePostgres(t *testing.T) {
	const password = "pg-password-in-url"
	dsn := strings.Replace(testservers.StartPostgres(t), "postgres://scimdoctor@", "postgres://scimdoctor:"+password+"@", 1)
	if !strings.Contains(dsn, password) {
		t.Fatalf("the test DSN %s is not of the form postgres://scimdoctor@HOST", dsn)
	}
	p := startServe(t, t.TempDir(), dsn)
	token := p.createToken()
	code, stdout, stderr := runCLI("scim", "--write", "--cacert", p.certFile, "--token", token, p.baseURL)
	if code != 0 {
		t.Errorf("scim --write on PostgreSQL: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	banner := strings.Join(p.banner, "\n")
	if strings.Contains(banner, password) {
		t.Errorf("serve printed the database password at start:\n%s", banner)
	}
	if !strings.Contains(banner, "--db postgres://scimdoctor:REDACTED@") {
		t.Errorf("the token hint does not show the redacted URL:\n%s", banner)
	}
	if strings.Contains(p.logText(), password) {
		t.Errorf("serve logged the database password:\n%s", p.logText())
	}
}

// TestServeTLSMinWarning checks that --tls-min 1.0 logs a warning in the
// format of --log-format and then lets a TLS 1.0 client in.
func TestServeTLSMinWarning(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, filepath.Join(dir, "scim.db"), "--tls-min", "1.0", "--log-format", "json")
	line := p.waitLog("--tls-min 1.0 accepts TLS versions that Okta and Entra ID refuse")
	var record map[string]any
	if err := json.Unmarshal([]byte(line), &record); err != nil {
		t.Errorf("the --tls-min warning is not a JSON log record: %v\n%s", err, line)
	}
	if record["level"] != "WARN" || record["tls_min"] != "1.0" {
		t.Errorf("warning record = %v, want level WARN and tls_min 1.0", record)
	}

	pem, err := os.ReadFile(p.certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", p.addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10})
	if err != nil {
		t.Fatalf("TLS 1.0 client against --tls-min 1.0: %v", err)
	}
	conn.Close()
}

// TestServerMountRejected checks that server.New returns an error, not a
// panic, for a mount that would take over a SCIM route or that
// http.ServeMux rejects.
func TestServerMountRejected(t *testing.T) {
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "scim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	page := http.NotFoundHandler()
	tests := []struct {
		name    string
		mounts  []server.Mount
		wantErr string
	}{
		{"below scim base", []server.Mount{{Pattern: "/scim/v2/Admin", Handler: page}}, "overlaps the server's route /scim/v2"},
		{"tenant path", []server.Mount{{Pattern: "/tenants/x/", Handler: page}}, "overlaps the server's route /tenants"},
		{"metrics", []server.Mount{{Pattern: "GET /metrics", Handler: page}}, "overlaps the server's route /metrics"},
		{"root", []server.Mount{{Pattern: "/", Handler: page}}, "give a path below /"},
		{"host pattern", []server.Mount{{Pattern: "example.com/x", Handler: page}}, "give a path below /"},
		{"nil handler", []server.Mount{{Pattern: "/x"}}, "give a path below / and a handler"},
		{"duplicate pattern", []server.Mount{{Pattern: "/x", Handler: page}, {Pattern: "/x", Handler: page}}, `invalid mount "/x"`},
		{"accepted", []server.Mount{{Pattern: "/_inspector", Handler: page}, {Pattern: "/_inspector/", Handler: page}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := server.New(server.Config{Store: st, Credentials: st, Mounts: tt.mounts})
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("server.New: %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("server.New error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestServeHelpNamesTenantRule checks that serve --help names the tenant
// each base URL works on.
func TestServeHelpNamesTenantRule(t *testing.T) {
	code, stdout, stderr := runCLI("serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: exit code %d: %s", code, stderr)
	}
	help := strings.Join(strings.Fields(stdout), " ")
	for _, want := range []string{
		"under /scim/v2 a request works on the tenant of its credential",
		"under /tenants/TENANT/scim/v2 TENANT must be that tenant, or the request gets 403",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, stdout)
		}
	}
}

// killWrite is one write of TestServeDurabilityAfterSIGKILL that serve
// acknowledged with a 2xx status.
type killWrite struct {
	id, userName, title string
}

// TestServeDurabilityAfterSIGKILL streams creates and PATCHes from
// several clients, kills serve with SIGKILL while they run, restarts it on
// the same database and checks that every acknowledged write is there and
// that no PATCH was applied in part.
func TestServeDurabilityAfterSIGKILL(t *testing.T) {
	databases := map[string]func(t *testing.T, dir string) string{
		"sqlite": func(t *testing.T, dir string) string { return filepath.Join(dir, "scim.db") },
		"postgres": func(t *testing.T, dir string) string {
			return testservers.CreatePostgresDatabase(t, testservers.StartPostgres(t))
		},
	}
	for name, newDB := range databases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := newDB(t, dir)
			p := startServe(t, dir, db, "--rate", "0", "--inspector=false")
			token := p.createToken()
			acked := streamUntilKilled(t, p, token)

			restarted := startServe(t, dir, db, "--inspector=false")
			checkAcknowledged(t, restarted, token, acked)
			checkNoHalfWrites(t, restarted, token)
		})
	}
}

// killAfterWrites is how many acknowledged writes the stream gets before
// the SIGKILL.
const killAfterWrites = 200

// streamUntilKilled runs four writers that each create users and PATCH
// their title and displayName in one operation, kills serve after
// killAfterWrites acknowledged writes while the writers go on, and
// returns the writes that serve acknowledged.
func streamUntilKilled(t *testing.T, p *serveProcess, token string) []killWrite {
	t.Helper()
	const writers = 4
	var (
		mu     sync.Mutex
		acked  []killWrite
		enough = make(chan struct{})
		closed bool
	)
	ack := func(w killWrite) {
		mu.Lock()
		defer mu.Unlock()
		acked = append(acked, w)
		if len(acked) >= killAfterWrites && !closed {
			closed = true
			close(enough)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				userName := fmt.Sprintf("kill-%d-%d@example.com", g, i)
				status, body, err := p.send("POST", serverBase+"/Users", token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+userName+`"}`)
				if err != nil {
					return // serve is gone
				}
				if status != http.StatusCreated {
					errs <- fmt.Errorf("POST %s: status %d: %s", userName, status, body)
					return
				}
				var created struct{ ID string }
				if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
					errs <- fmt.Errorf("POST %s: no id in %s", userName, body)
					return
				}
				ack(killWrite{id: created.ID, userName: userName})

				title := fmt.Sprintf("title-%d", i)
				patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"title":"` + title + `","displayName":"` + title + `"}}]}`
				status, body, err = p.send("PATCH", serverBase+"/Users/"+created.ID, token, patch)
				if err != nil {
					return
				}
				if status != http.StatusOK && status != http.StatusNoContent {
					errs <- fmt.Errorf("PATCH %s: status %d: %s", userName, status, body)
					return
				}
				ack(killWrite{id: created.ID, userName: userName, title: title})
			}
		}()
	}

	select {
	case <-enough:
	case err := <-errs:
		t.Fatalf("a write failed before the kill: %v", err)
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a write failed with an HTTP error instead of a closed connection: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// checkAcknowledged checks that every acknowledged create and PATCH is
// stored.
func checkAcknowledged(t *testing.T, p *serveProcess, token string, acked []killWrite) {
	t.Helper()
	latest := map[string]killWrite{}
	for _, w := range acked {
		if w.title != "" || latest[w.id].title == "" {
			latest[w.id] = w
		}
	}
	for id, w := range latest {
		status, body := p.get(serverBase+"/Users/"+id, token)
		if status != http.StatusOK {
			t.Errorf("acknowledged user %s (%s): GET status %d after the restart: %s", w.userName, id, status, body)
			continue
		}
		var user struct {
			UserName, Title string
		}
		if err := json.Unmarshal(body, &user); err != nil {
			t.Fatalf("GET %s: %v", id, err)
		}
		if user.UserName != w.userName {
			t.Errorf("user %s: userName %q, want %q", id, user.UserName, w.userName)
		}
		if w.title != "" && user.Title != w.title {
			t.Errorf("user %s: title %q after the restart, want the acknowledged %q", w.userName, user.Title, w.title)
		}
	}
	t.Logf("%d acknowledged writes on %d users survived the SIGKILL", len(acked), len(latest))
}

// checkNoHalfWrites checks that every stored user of the stream has its
// title and displayName both set to the same value or both unset, so no
// PATCH was stored in part.
func checkNoHalfWrites(t *testing.T, p *serveProcess, token string) {
	t.Helper()
	status, body := p.get(serverBase+"/Users?count=1000&filter="+url.QueryEscape(`userName sw "kill-"`), token)
	if status != http.StatusOK {
		t.Fatalf("listing the users after the restart: status %d: %s", status, body)
	}
	var list struct {
		TotalResults int
		Resources    []struct {
			UserName, Title, DisplayName string
		}
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	for _, u := range list.Resources {
		if u.Title != u.DisplayName {
			t.Errorf("user %s: title %q but displayName %q: a PATCH was stored in part", u.UserName, u.Title, u.DisplayName)
		}
	}
}

// send sends a request with a bearer token and returns the status and
// body, or the transport error, for requests that may meet a killed
// server.
func (p *serveProcess) send(method, path, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, p.origin+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, data, nil
}

// TestServeSecondSignalStopsAtOnce holds a request in flight, sends
// SIGTERM twice and checks that serve exits without waiting for the
// request and logs that it cut the request off.
func TestServeSecondSignalStopsAtOnce(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, filepath.Join(dir, "scim.db"))
	token := p.createToken()

	conn, reader := openInFlight(t, p, token)
	defer conn.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog("shutting down: waiting for requests in flight")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(); code == 0 {
		t.Errorf("serve exit code after a second SIGTERM = 0, want an error code")
	}
	log := p.logText()
	if !strings.Contains(log, "received a second stop signal") || !strings.Contains(log, "requests in flight were cut off") {
		t.Errorf("serve did not log the forced stop:\n%s", log)
	}
	if resp, err := http.ReadResponse(reader, nil); err == nil {
		resp.Body.Close()
		t.Errorf("the request in flight got status %d, want a closed connection", resp.StatusCode)
	}
}

// openInFlight starts a POST whose body waits behind
// "Expect: 100-continue", so its handler runs until the body arrives, and
// returns the connection after the 100 Continue.
func openInFlight(t *testing.T, p *serveProcess, token string) (*tls.Conn, *bufio.Reader) {
	t.Helper()
	pem, err := os.ReadFile(p.certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", p.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatalf("connecting to serve: %v", err)
	}
	conn.SetDeadline(time.Now().Add(serveWait))
	fmt.Fprintf(conn, "POST %s/Users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
		serverBase, p.addr, token)
	reader := bufio.NewReader(conn)
	status, err := reader.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("waiting for 100 Continue: got %q, %v", status, err)
	}
	if blank, err := reader.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("100 Continue not followed by an empty line: %q, %v", blank, err)
	}
	return conn, reader
}

// writeCertificate writes a self-signed ECDSA certificate for dnsNames
// and ips, valid from notBefore to notAfter, and its key, and returns the
// two file names.
func writeCertificate(t *testing.T, dir string, notBefore, notAfter time.Time, dnsNames []string, ips []net.IP) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "serve test"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServeWarnsExpiredCertificate starts serve with an expired
// --tls-cert and checks the warning in its log.
func TestServeWarnsExpiredCertificate(t *testing.T) {
	dir := t.TempDir()
	notAfter := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	certFile, keyFile := writeCertificate(t, dir, notAfter.AddDate(-1, 0, 0), notAfter, nil, []net.IP{net.IPv4(127, 0, 0, 1)})
	p := startServe(t, dir, filepath.Join(dir, "scim.db"), "--tls-cert", certFile, "--tls-key", keyFile)
	line := p.waitLog("the certificate of --tls-cert expired on")
	for _, want := range []string{"2025-03-01T12:00:00Z", "level=WARN", "validity check failed", "Could not establish trust relationship"} {
		if !strings.Contains(line, want) {
			t.Errorf("expiry warning lacks %q:\n%s", want, line)
		}
	}
}

// TestWarnCertificate checks each warning of warnCertificate, and that a
// certificate valid for the --listen host gets none.
func TestWarnCertificate(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	tests := []struct {
		name      string
		notBefore time.Time
		notAfter  time.Time
		dnsNames  []string
		ips       []net.IP
		listen    string
		want      []string
	}{
		{"valid for loopback", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), nil, []net.IP{net.IPv4(127, 0, 0, 1)}, "127.0.0.1:8443", nil},
		{"valid for name", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), []string{"scim.example.com"}, nil, "scim.example.com:8443", nil},
		{"any address", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), []string{"scim.example.com"}, nil, "0.0.0.0:8443", nil},
		{"expired", now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1), nil, []net.IP{net.IPv4(127, 0, 0, 1)}, "127.0.0.1:8443",
			[]string{"expired on 2026-05-31T00:00:00Z", "validity check failed"}},
		{"not yet valid", now.AddDate(0, 0, 2), now.AddDate(1, 0, 0), nil, []net.IP{net.IPv4(127, 0, 0, 1)}, "127.0.0.1:8443",
			[]string{"not valid before 2026-06-03T00:00:00Z", "validity check failed"}},
		{"name mismatch", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), []string{"other.example.com"}, nil, "scim.example.com:8443",
			[]string{"does not name the --listen host scim.example.com", "No subject alternative DNS name matching scim.example.com found."}},
		{"address mismatch", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), []string{"scim.example.com"}, nil, "192.0.2.10:8443",
			[]string{"does not name the --listen host 192.0.2.10", "No subject alternative names matching IP address 192.0.2.10 found"}},
		{"loopback not checked", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0), []string{"scim.example.com"}, nil, "127.0.0.1:8443", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certFile, keyFile := writeCertificate(t, dir, tt.notBefore, tt.notAfter, tt.dnsNames, tt.ips)
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			warnCertificate(slog.New(slog.NewTextHandler(&log, nil)), cert.Leaf, tt.listen, now)
			if tt.want == nil && log.Len() > 0 {
				t.Errorf("unexpected warning:\n%s", log.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(log.String(), want) {
					t.Errorf("warning lacks %q:\n%s", want, log.String())
				}
			}
		})
	}
}

// TestRedactDB checks that redactDB hides a password in the user
// information and in the query, and leaves other values alone.
func TestRedactDB(t *testing.T) {
	tests := []struct{ name, db, want string }{
		{"sqlite path", "data/scim.db", "data/scim.db"},
		{"no password", "postgres://scim@127.0.0.1:5432/scim", "postgres://scim@127.0.0.1:5432/scim"},
		{"password in userinfo", "postgres://scim:s3cret@127.0.0.1:5432/scim", "postgres://scim:REDACTED@127.0.0.1:5432/scim"},
		{"password in query", "postgres://scim@127.0.0.1/scim?password=s3cret&sslmode=disable", "postgres://scim@127.0.0.1/scim?password=REDACTED&sslmode=disable"},
		{"unparsable url", "postgres://scim:s3cret@[::1/scim", "postgres://REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactDB(tt.db); got != tt.want {
				t.Errorf("redactDB(%q) = %q, want %q", tt.db, got, tt.want)
			}
		})
	}
}

// TestServeCredentialCommands creates, lists, resets and revokes each kind
// of credential with the serve token and client commands, and checks each
// step against a server on the same database.
func TestServeCredentialCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scim.db")
	cli := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(append(args, "--db", db)...)
		if code != 0 {
			t.Fatalf("%s: exit code %d\nstderr:\n%s", strings.Join(args, " "), code, stderr)
		}
		return stdout
	}
	okta := strings.TrimSpace(cli("serve", "token", "create", "--name", "okta", "--tenant", "acme"))
	other := strings.TrimSpace(cli("serve", "token", "create", "--name", "other"))
	basicOut := cli("serve", "token", "create", "--basic", "entra", "--tenant", "acme")
	password := fieldOf(t, basicOut, "password")
	clientOut := cli("serve", "client", "create", "--name", "gallery", "--tenant", "acme")
	clientID, secret := fieldOf(t, clientOut, "client_id"), fieldOf(t, clientOut, "client_secret")

	st, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, Credentials: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	status := func(header string) int {
		req := httptest.NewRequest("GET", "http://scim.test/scim/v2/Users", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	basicHeader := func(user, password string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	oauthToken := func() string {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
		req := httptest.NewRequest("POST", "http://scim.test/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		json.Unmarshal(rec.Body.Bytes(), &tok)
		return tok.AccessToken
	}
	issued := oauthToken()
	if issued == "" {
		t.Fatal("/oauth/token issued no token to the new client")
	}

	list := cli("serve", "token", "list")
	for _, want := range []string{"ID", "NAME", "TENANT", "KIND", "okta", "other", "basic:entra", "oauth:" + clientID, "acme", "default", "bearer", "basic", "never"} {
		if !strings.Contains(list, want) {
			t.Errorf("token list lacks %q:\n%s", want, list)
		}
	}
	for _, secretValue := range []string{okta, other, password, secret, issued} {
		if strings.Contains(list, secretValue) {
			t.Errorf("token list shows a secret:\n%s", list)
		}
	}
	if strings.Contains(cli("serve", "token", "list", "--tenant", "default"), "okta") {
		t.Errorf("token list --tenant default shows a token of tenant acme")
	}
	clients := cli("serve", "client", "list")
	if !strings.Contains(clients, clientID) || !strings.Contains(clients, "gallery") || strings.Contains(clients, secret) {
		t.Errorf("client list = %q, want the client id and name without the secret", clients)
	}

	// Revoking by name leaves the other token working.
	cli("serve", "token", "revoke", "okta")
	if got := status("Bearer " + okta); got != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", got)
	}
	if got := status("Bearer " + other); got != http.StatusOK {
		t.Errorf("other token after revoking okta: status %d, want 200", got)
	}

	// Reset by ID: the ID is the first column of the token's line.
	id := idOfLine(t, cli("serve", "token", "list"), "other")
	replaced := strings.TrimSpace(cli("serve", "token", "reset", id))
	if got := status("Bearer " + other); got != http.StatusUnauthorized {
		t.Errorf("token replaced by reset: status %d, want 401", got)
	}
	if got := status("Bearer " + replaced); got != http.StatusOK {
		t.Errorf("token from reset: status %d, want 200", got)
	}
	if list := cli("serve", "token", "list"); !strings.Contains(list, "other") || strings.Contains(list, id+" ") {
		t.Errorf("after reset, the list should name the token other with a new ID:\n%s", list)
	}

	// A Basic user's reset gives a new password and drops the old one.
	newPassword := fieldOf(t, cli("serve", "token", "reset", "--basic", "entra"), "password")
	if got := status(basicHeader("entra", password)); got != http.StatusUnauthorized {
		t.Errorf("old Basic password after reset: status %d, want 401", got)
	}
	if got := status(basicHeader("entra", newPassword)); got != http.StatusOK {
		t.Errorf("new Basic password: status %d, want 200", got)
	}
	cli("serve", "token", "revoke", "--basic", "entra")
	if got := status(basicHeader("entra", newPassword)); got != http.StatusUnauthorized {
		t.Errorf("revoked Basic user: status %d, want 401", got)
	}

	// Revoking a client also revokes the tokens issued to it.
	out := cli("serve", "client", "revoke", "gallery")
	if !strings.Contains(out, "and 1 access tokens issued to it") {
		t.Errorf("client revoke output = %q, want the count of revoked tokens", out)
	}
	if got := status("Bearer " + issued); got != http.StatusUnauthorized {
		t.Errorf("token of a revoked client: status %d, want 401", got)
	}
	if oauthToken() != "" {
		t.Errorf("/oauth/token still issues tokens to the revoked client")
	}

	errorCases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown token", []string{"serve", "token", "revoke", "nobody"}, `no bearer token with the ID or name "nobody"`},
		{"unknown basic user", []string{"serve", "token", "revoke", "--basic", "nobody"}, `no HTTP Basic user "nobody"`},
		{"unknown client", []string{"serve", "client", "revoke", "nobody"}, `no OAuth client with the ID or name "nobody"`},
		{"both id and basic", []string{"serve", "token", "revoke", "x", "--basic", "y"}, "not both"},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(append(tt.args, "--db", db)...)
			if code == 0 {
				t.Errorf("%s: exit code 0, want an error", strings.Join(tt.args, " "))
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
		})
	}

	t.Run("ambiguous name", func(t *testing.T) {
		cli("serve", "token", "create", "--name", "twin")
		cli("serve", "token", "create", "--name", "twin")
		code, _, stderr := runCLI("serve", "token", "revoke", "twin", "--db", db)
		if code == 0 || !strings.Contains(stderr, `2 bearer tokens match "twin"`) {
			t.Errorf("revoke of a name two tokens share: exit code %d, stderr:\n%s", code, stderr)
		}
	})
}

// fieldOf returns the value of the line "key: value" in out.
func fieldOf(t *testing.T, out, key string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("output lacks %s:\n%s", key, out)
	return ""
}

// idOfLine returns the first column of the line of list whose second
// column is name.
func idOfLine(t *testing.T, list, name string) string {
	t.Helper()
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == name {
			return f[0]
		}
	}
	t.Fatalf("no line named %s in:\n%s", name, list)
	return ""
}
