package netpath

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// envMap returns an env function that reads m.
func envMap(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// proxyForCases are environment cases without a --proxy flag. want is the
// proxy URL, or "" for a direct connection. None of them opens a
// connection, so the names may be outside 127.0.0.0/8.
var proxyForCases = []struct {
	name       string
	env        map[string]string
	target     string
	want       string
	wantSource string
}{
	{name: "no variables", env: nil, target: "scim.example.com:443", want: ""},
	{name: "HTTPS_PROXY", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "uppercase wins", env: map[string]string{"HTTPS_PROXY": "http://upper.test:3128", "https_proxy": "http://lower.test:3128"}, target: "scim.example.com:443", want: "http://upper.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "lowercase alone", env: map[string]string{"https_proxy": "http://lower.test:3128"}, target: "scim.example.com:443", want: "http://lower.test:3128", wantSource: "https_proxy"},
	{name: "HTTP_PROXY alone ignored", env: map[string]string{"HTTP_PROXY": "http://proxy.test:3128"}, target: "scim.example.com:443", want: ""},
	{name: "value without scheme", env: map[string]string{"HTTPS_PROXY": "proxy.test:3128"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "https proxy scheme", env: map[string]string{"HTTPS_PROXY": "https://proxy.test"}, target: "scim.example.com:443", want: "https://proxy.test", wantSource: "HTTPS_PROXY"},
	{name: "user info kept", env: map[string]string{"HTTPS_PROXY": "http://alice:s3cret@proxy.test:3128"}, target: "scim.example.com:443", want: "http://alice:s3cret@proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "localhost direct", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"}, target: "localhost:443", want: ""},
	{name: "loopback IPv4 direct", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"}, target: "127.0.0.1:8443", want: ""},
	{name: "loopback 127.5.5.5 direct", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"}, target: "127.5.5.5:443", want: ""},
	{name: "loopback IPv6 direct", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128"}, target: "[::1]:443", want: ""},
	{name: "NO_PROXY domain matches itself", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"}, target: "example.com:443", want: ""},
	{name: "NO_PROXY domain matches subdomain", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"}, target: "scim.example.com:443", want: ""},
	{name: "NO_PROXY domain not a suffix of name", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"}, target: "notexample.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY leading dot subdomain", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": ".example.com"}, target: "scim.example.com:443", want: ""},
	{name: "NO_PROXY leading dot not apex", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": ".example.com"}, target: "example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY star dot not apex", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "*.example.com"}, target: "example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY star dot subdomain", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "*.example.com"}, target: "a.b.example.com:443", want: ""},
	{name: "NO_PROXY port matches", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com:8443"}, target: "scim.example.com:8443", want: ""},
	{name: "NO_PROXY port differs", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com:8443"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY star", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "*"}, target: "scim.example.com:443", want: ""},
	{name: "NO_PROXY list with spaces and case", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": " other.test , Example.COM "}, target: "scim.example.com:443", want: ""},
	{name: "NO_PROXY uppercase wins", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "no_proxy": "example.com", "NO_PROXY": "other.test"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "no_proxy lowercase alone", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "no_proxy": "example.com"}, target: "scim.example.com:443", want: ""},
	{name: "NO_PROXY CIDR contains", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "10.0.0.0/8"}, target: "10.1.2.3:443", want: ""},
	{name: "NO_PROXY CIDR outside", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "10.0.0.0/8"}, target: "11.0.0.1:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY IP", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "192.0.2.7"}, target: "192.0.2.7:443", want: ""},
	{name: "NO_PROXY IP with other port", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "192.0.2.7:80"}, target: "192.0.2.7:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY IPv6 with port", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "[2001:db8::1]:443"}, target: "[2001:db8::1]:443", want: ""},
	{name: "NO_PROXY IPv6 CIDR", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "2001:db8::/32"}, target: "[2001:db8::5]:443", want: ""},
	{name: "NO_PROXY IP not a name", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "192.0.2.7"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY name not an IP", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "example.com"}, target: "192.0.2.7:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
	{name: "NO_PROXY malformed entries ignored", env: map[string]string{"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": ":443,,  ,"}, target: "scim.example.com:443", want: "http://proxy.test:3128", wantSource: "HTTPS_PROXY"},
}

func TestProxyForEnvironment(t *testing.T) {
	for _, tt := range proxyForCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProxyFor(tt.target, "", envMap(tt.env))
			if err != nil {
				t.Fatalf("ProxyFor(%q): %v", tt.target, err)
			}
			if tt.want == "" {
				if got != nil {
					t.Fatalf("ProxyFor(%q) = %v, want direct", tt.target, got)
				}
				return
			}
			if got == nil {
				t.Fatalf("ProxyFor(%q) = direct, want %s", tt.target, tt.want)
			}
			if got.URL.String() != tt.want {
				t.Errorf("URL = %s, want %s", got.URL, tt.want)
			}
			if got.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", got.Source, tt.wantSource)
			}
		})
	}
}

// TestProxyForMatchesNetHTTP runs each environment case through
// http.ProxyFromEnvironment in a child process, because net/http reads the
// environment once per process, and checks that ProxyFor agrees.
func TestProxyForMatchesNetHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts one child process per case")
	}
	for _, tt := range proxyForCases {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNetHTTPProxyChild$")
			cmd.Env = []string{"NETPATH_PROXY_CHILD_TARGET=" + tt.target}
			for _, v := range os.Environ() {
				name, _, _ := strings.Cut(v, "=")
				if !strings.HasSuffix(strings.ToLower(name), "_proxy") && name != "REQUEST_METHOD" {
					cmd.Env = append(cmd.Env, v)
				}
			}
			for name, value := range tt.env {
				cmd.Env = append(cmd.Env, name+"="+value)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child process: %v\n%s", err, out)
			}
			_, netHTTP, ok := strings.Cut(string(out), "proxy=")
			if !ok {
				t.Fatalf("child process printed no proxy= line:\n%s", out)
			}
			netHTTP, _, _ = strings.Cut(netHTTP, "\n")
			if netHTTP != tt.want {
				t.Errorf("net/http chose %q, the case expects %q", netHTTP, tt.want)
			}
		})
	}
}

// TestNetHTTPProxyChild is the child process of TestProxyForMatchesNetHTTP.
// It prints the proxy http.ProxyFromEnvironment chooses for an https://
// request to the target, and does nothing in a normal test run.
func TestNetHTTPProxyChild(t *testing.T) {
	target := os.Getenv("NETPATH_PROXY_CHILD_TARGET")
	if target == "" {
		return
	}
	req, err := http.NewRequest("GET", "https://"+target+"/", nil)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	u, err := http.ProxyFromEnvironment(req)
	if err != nil {
		t.Fatalf("ProxyFromEnvironment: %v", err)
	}
	if u == nil {
		fmt.Println("proxy=")
		return
	}
	fmt.Printf("proxy=%s\n", u)
}

func TestProxyForFlag(t *testing.T) {
	env := envMap(map[string]string{"HTTPS_PROXY": "http://env.test:3128", "NO_PROXY": "*"})
	tests := []struct {
		name   string
		target string
		flag   string
		want   string
	}{
		{name: "flag beats environment", target: "scim.example.com:443", flag: "http://flag.test:8080", want: "http://flag.test:8080"},
		{name: "flag for loopback", target: "127.0.0.1:8443", flag: "http://127.0.0.1:3128", want: "http://127.0.0.1:3128"},
		{name: "flag for localhost", target: "localhost:8443", flag: "127.0.0.1:3128", want: "http://127.0.0.1:3128"},
		{name: "flag https scheme", target: "[::1]:443", flag: "HTTPS://[::1]:3129", want: "https://[::1]:3129"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProxyFor(tt.target, tt.flag, env)
			if err != nil {
				t.Fatalf("ProxyFor(%q, %q): %v", tt.target, tt.flag, err)
			}
			if got == nil {
				t.Fatalf("ProxyFor(%q, %q) = direct, want %s", tt.target, tt.flag, tt.want)
			}
			if got.URL.String() != tt.want {
				t.Errorf("URL = %s, want %s", got.URL, tt.want)
			}
			if got.Source != "--proxy" {
				t.Errorf("Source = %q, want --proxy", got.Source)
			}
		})
	}
}

// TestProxyForProcessEnvironment sets the proxy variables of the process
// explicitly, as a user's shell would, and reads them with os.Getenv.
func TestProxyForProcessEnvironment(t *testing.T) {
	for _, name := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(name, "")
	}
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
	t.Setenv("NO_PROXY", ".internal.test")

	got, err := ProxyFor("scim.example.com:443", "", os.Getenv)
	if err != nil {
		t.Fatalf("ProxyFor: %v", err)
	}
	if got == nil || got.Source != "HTTPS_PROXY" {
		t.Errorf("ProxyFor(scim.example.com:443) = %v, want the HTTPS_PROXY proxy", got)
	}
	got, err = ProxyFor("scim.internal.test:443", "", os.Getenv)
	if err != nil {
		t.Fatalf("ProxyFor: %v", err)
	}
	if got != nil {
		t.Errorf("ProxyFor(scim.internal.test:443) = %v, want direct by NO_PROXY", got)
	}
	got, err = ProxyFor("127.0.0.1:8443", "", os.Getenv)
	if err != nil {
		t.Fatalf("ProxyFor: %v", err)
	}
	if got != nil {
		t.Errorf("ProxyFor(127.0.0.1:8443) = %v, want direct for loopback", got)
	}
}

func TestProxyForErrors(t *testing.T) {
	tests := []struct {
		name      string
		target    string
		flag      string
		env       map[string]string
		wantParts []string
	}{
		{name: "target without port", target: "scim.example.com", wantParts: []string{`invalid target "scim.example.com"`, "host:port"}},
		{name: "target empty host", target: ":443", wantParts: []string{`invalid target ":443"`}},
		{name: "flag bad IPv6", target: "scim.example.com:443", flag: "http://[::1", wantParts: []string{"invalid proxy URL in --proxy", `"http://[::1"`}},
		{name: "flag socks5", target: "scim.example.com:443", flag: "socks5://127.0.0.1:1080", wantParts: []string{"SOCKS", "not support", "http://HOST:PORT"}},
		{name: "flag ftp", target: "scim.example.com:443", flag: "ftp://proxy.test:21", wantParts: []string{`unsupported scheme "ftp"`, "use http://"}},
		{name: "flag without host", target: "scim.example.com:443", flag: "http://", wantParts: []string{"has no host"}},
		{name: "flag port too large", target: "scim.example.com:443", flag: "http://proxy.test:99999", wantParts: []string{`invalid port "99999"`, "1 to 65535"}},
		{name: "flag port zero", target: "scim.example.com:443", flag: "http://proxy.test:0", wantParts: []string{`invalid port "0"`}},
		{name: "flag with path", target: "scim.example.com:443", flag: "http://proxy.test:3128/pac", wantParts: []string{`path "/pac"`}},
		{name: "env invalid URL", target: "scim.example.com:443", env: map[string]string{"HTTPS_PROXY": "http://proxy test:3128"}, wantParts: []string{"invalid proxy URL in HTTPS_PROXY"}},
		{name: "env socks5h", target: "scim.example.com:443", env: map[string]string{"https_proxy": "socks5h://127.0.0.1:1080"}, wantParts: []string{"from https_proxy", "SOCKS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProxyFor(tt.target, tt.flag, envMap(tt.env))
			if err == nil {
				t.Fatalf("ProxyFor(%q, %q) = %v, want an error", tt.target, tt.flag, got)
			}
			for _, part := range tt.wantParts {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestProxyForErrorHidesPassword(t *testing.T) {
	for _, value := range []string{
		"http://alice:s3cret@[::1",
		"ftp://alice:s3cret@proxy.test",
		"socks5://alice:s3cret@proxy.test:1080",
		"http://alice:s3cret@proxy.test:3128/path",
		"alice:s3cret@proxy test",
	} {
		_, err := ProxyFor("scim.example.com:443", value, envMap(nil))
		if err == nil {
			t.Errorf("ProxyFor with --proxy %q: no error", value)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error for --proxy %q shows the password: %v", value, err)
		}
	}
}

func TestProxyString(t *testing.T) {
	p, err := ProxyFor("scim.example.com:443", "http://alice:s3cret@proxy.test:3128", envMap(nil))
	if err != nil {
		t.Fatalf("ProxyFor: %v", err)
	}
	if got, want := p.String(), "http://alice:xxxxx@proxy.test:3128 (from --proxy)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	var direct *Proxy
	if got := direct.String(); got != "direct" {
		t.Errorf("nil Proxy String() = %q, want direct", got)
	}
}
