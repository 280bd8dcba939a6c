package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
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

// savedProfiles numbers the profiles that TestServeSaveProfile saves.
var savedProfiles atomic.Int64

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
	// clients.LoadFile registers each profile name once per process, so a
	// repeated run (go test -count=2) needs a new name.
	name := fmt.Sprintf("curl-recorded-%d", savedProfiles.Add(1))
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
}

// TestServeFlagErrors checks the inspector's flag errors: each is a usage
// error (exit 2) before serve opens the database.
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
func TestServePostgres(t *testing.T) {
	dsn := testservers.StartPostgres(t)
	p := startServe(t, t.TempDir(), dsn)
	token := p.createToken()
	code, stdout, stderr := runCLI("scim", "--write", "--cacert", p.certFile, "--token", token, p.baseURL)
	if code != 0 {
		t.Errorf("scim --write on PostgreSQL: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestServeTLSMinWarning checks that --tls-min 1.0 prints a warning and
// then lets a TLS 1.0 client in.
func TestServeTLSMinWarning(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, filepath.Join(dir, "scim.db"), "--tls-min", "1.0")
	p.waitLog("scimdoctor: warning: --tls-min 1.0 accepts TLS versions that Okta and Entra ID refuse")

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
