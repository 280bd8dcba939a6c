package inspector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// webDriver is a minimal W3C WebDriver client for chromedriver, over
// net/http and encoding/json.
type webDriver struct {
	t       *testing.T
	base    string
	session string
}

func (d *webDriver) call(method, path string, body any) json.RawMessage {
	d.t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			d.t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, d.base+path, reader)
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil || resp.StatusCode != http.StatusOK {
		d.t.Fatalf("webdriver %s %s: status %d: %s", method, path, resp.StatusCode, data)
	}
	return out.Value
}

// startChrome starts chromedriver on a free loopback port and opens a
// headless Chromium session.
func startChrome(t *testing.T) *webDriver {
	t.Helper()
	driver, err := exec.LookPath("chromedriver")
	if err != nil {
		t.Skip("chromedriver not installed (Debian packages chromium and chromium-driver; run scripts/install-test-deps.sh): skipping the browser test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(l.Addr().String())
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, "--port="+port, "--allowed-ips=127.0.0.1")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting chromedriver: %v", err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

	d := &webDriver{t: t, base: "http://127.0.0.1:" + port}
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(d.base + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not answer on %s: %v", d.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": "/usr/bin/chromium",
			// --no-sandbox: the test may run as root in a container,
			// where Chromium's sandbox does not start.
			"args": []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"},
		},
	}}}
	var session struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(d.call("POST", "/session", caps), &session); err != nil {
		t.Fatal(err)
	}
	d.session = "/session/" + session.SessionID
	t.Cleanup(func() { d.call("DELETE", d.session, nil) })
	return d
}

func (d *webDriver) navigate(url string) {
	d.call("POST", d.session+"/url", map[string]string{"url": url})
}

func (d *webDriver) element(css string) string {
	var el map[string]string
	json.Unmarshal(d.call("POST", d.session+"/element", map[string]string{"using": "css selector", "value": css}), &el)
	for _, id := range el {
		return id
	}
	d.t.Fatalf("element %s not found", css)
	return ""
}

// script runs JavaScript in the page through WebDriver (the page itself
// allows no script) and decodes its result into out.
func (d *webDriver) script(js string, out any) {
	d.t.Helper()
	if err := json.Unmarshal(d.call("POST", d.session+"/execute/sync", map[string]any{"script": js, "args": []any{}}), out); err != nil {
		d.t.Fatal(err)
	}
}

const xssSNI = `"><img src=x onerror="document.title='pwned'">`

func TestInspectorPageInChromium(t *testing.T) {
	openssl := needTool(t, "openssl")
	d := startChrome(t)

	// Recorded data: a real TLS 1.0 client against a TLS 1.2 listener,
	// then a hostile hello and a hostile path.
	s := startInspected(t, nil)
	cmd := exec.Command(openssl, "s_client", "-connect", s.addr, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
	cmd.Stdin = strings.NewReader("")
	cmd.Run()
	s.waitHandshakes(t, 1)
	hostile := &ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0xc02f}, ServerName: xssSNI, ALPN: []string{"<script>document.title='pwned'</script>"}}
	s.rec.AddHandshake(Handshake{Time: time.Now(), RemoteAddr: "127.0.0.1:1", Outcome: OutcomeFailed, Hello: hostile, JA4: hostile.JA4(),
		Reason: "reason with <b>markup</b> from a hostile client"})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecureConfig()}}
	resp, err := client.Get("https://" + s.addr + "/scim/v2/Users%3Cscript%3Edocument.title='pwned'%3C/script%3E")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	hostileStatus := resp.StatusCode

	const adminToken = "admin-token-for-the-test"
	page := httptest.NewServer(s.rec.Handler(HashToken(adminToken)))
	defer page.Close()

	d.navigate(page.URL + "/_inspector")
	input := d.element("#token")
	d.call("POST", d.session+"/element/"+input+"/value", map[string]string{"text": adminToken})
	d.call("POST", d.session+"/element/"+d.element("#submit")+"/click", map[string]any{})

	var state struct {
		Title       string   `json:"title"`
		IDs         []string `json:"ids"`
		Reasons     []string `json:"reasons"`
		SNIs        []string `json:"snis"`
		Images      int      `json:"images"`
		Scripts     int      `json:"scripts"`
		Paths       []string `json:"paths"`
		Statuses    []string `json:"statuses"`
		RequestIDs  []string `json:"request_ids"`
		Heading     string   `json:"heading"`
		FailedClass []bool   `json:"failed"`
	}
	d.script(`const all = (sel, f) => Array.from(document.querySelectorAll(sel)).map(f);
return {
  title: document.title,
  ids: all("tr.handshake", e => e.dataset.id),
  reasons: all("tr.handshake .reason", e => e.textContent),
  snis: all("tr.handshake .sni", e => e.textContent),
  images: document.images.length,
  scripts: document.scripts.length,
  paths: all("tr.request .path", e => e.textContent),
  statuses: all("tr.request td:nth-child(5)", e => e.textContent),
  request_ids: all("tr.request", e => e.dataset.id),
  heading: document.getElementById("requests-title").textContent,
  failed: all("tr.handshake", e => e.classList.contains("failed")),
};`, &state)

	if state.Title != "scimdoctor inspector" {
		t.Errorf("title = %q: injected markup ran", state.Title)
	}
	if state.Images != 0 || state.Scripts != 0 {
		t.Errorf("page has %d images and %d scripts, want none (injected markup became elements)", state.Images, state.Scripts)
	}
	if len(state.IDs) != 3 {
		t.Errorf("page shows %d handshakes, want 3", len(state.IDs))
	}
	for i := 1; i < len(state.IDs); i++ {
		prev, _ := strconv.Atoi(state.IDs[i-1])
		next, _ := strconv.Atoi(state.IDs[i])
		if prev <= next {
			t.Errorf("handshake ids in page order = %v, want newest first", state.IDs)
		}
	}
	if !contains(state.Reasons, "client offered only TLS 1.0; server requires TLS 1.2 or later") {
		t.Errorf("reasons = %q, want the TLS 1.0 failure", state.Reasons)
	}
	if !contains(state.Reasons, "reason with <b>markup</b> from a hostile client") {
		t.Errorf("reasons = %q, want the hostile reason as text", state.Reasons)
	}
	if !contains(state.SNIs, xssSNI) {
		t.Errorf("SNIs = %q, want the hostile SNI as text", state.SNIs)
	}
	// The request row: one GET, shown with its method, path and status.
	if state.Heading != "Requests (1)" {
		t.Errorf("requests heading = %q, want \"Requests (1)\"", state.Heading)
	}
	if len(state.RequestIDs) != 1 {
		t.Fatalf("page shows %d request rows, want 1", len(state.RequestIDs))
	}
	if len(state.Paths) != 1 || !strings.HasPrefix(state.Paths[0], "GET /scim/v2/Users") || !strings.Contains(state.Paths[0], "<script>document.title='pwned'</script>") {
		t.Errorf("request paths = %q, want GET and the hostile path as text", state.Paths)
	}
	if len(state.Statuses) != 1 || state.Statuses[0] != strconv.Itoa(hostileStatus) {
		t.Errorf("request statuses = %q, want %d as the client received it", state.Statuses, hostileStatus)
	}
	// Newest first: the Go client's handshake, the hostile one, then
	// openssl's TLS 1.0 attempt; failures are highlighted.
	if want := []bool{false, true, true}; fmt.Sprint(state.FailedClass) != fmt.Sprint(want) {
		t.Errorf("rows marked failed = %v, want %v", state.FailedClass, want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
