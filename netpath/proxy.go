// Package netpath finds the boxes on the network path between scimdoctor
// and a SCIM endpoint. This part covers outbound proxies. ProxyFor picks the
// proxy for a target the way Go's net/http does. Dialer connects through it
// with HTTP CONNECT and returns a typed *ProxyError when the proxy is the
// problem. CompareChains and DetectProduct detect when the certificate seen
// through the proxy comes from a TLS-inspection proxy rather than from the
// SCIM server.
package netpath

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Proxy is the outbound proxy a connection goes through.
type Proxy struct {
	// URL is the proxy's URL: scheme http (plain TCP to the proxy) or https
	// (TLS to the proxy), host, optional port and optional user info for
	// Basic authentication. A missing port means 80 for http and 443 for
	// https, as in net/http.
	URL *url.URL
	// Source names where the URL came from: "--proxy", or the environment
	// variable that held it, such as "HTTPS_PROXY" or "https_proxy".
	Source string
}

// String returns the proxy URL with any password replaced by "xxxxx",
// followed by its source, such as "http://127.0.0.1:3128 (from HTTPS_PROXY)".
func (p *Proxy) String() string {
	if p == nil || p.URL == nil {
		return "direct"
	}
	return fmt.Sprintf("%s (from %s)", p.URL.Redacted(), p.Source)
}

// address returns the proxy's host:port, with the scheme's default port
// when the URL has none.
func (p *Proxy) address() string {
	port := p.URL.Port()
	if port == "" {
		port = "80"
		if p.URL.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(p.URL.Hostname(), port)
}

// The variables ProxyFor reads, each pair in the order of precedence of
// Go 1.26's net/http: the uppercase name wins when both are set.
// (golang.org/x/net/http/httpproxy v0.63.0 prefers the lowercase name, but
// net/http uses its own older copy.)
var (
	httpsProxyVariables = []string{"HTTPS_PROXY", "https_proxy"}
	noProxyVariables    = []string{"NO_PROXY", "no_proxy"}
)

// ProxyFor returns the proxy for a TLS connection to target ("host:port"),
// or nil for a direct connection.
//
// A non-empty flag (the value of --proxy) always wins, for every target,
// loopback addresses included, and NO_PROXY does not apply to it. So a
// user or a test can force a proxy for 127.0.0.1 with --proxy.
//
// Without a flag, ProxyFor follows net/http.ProxyFromEnvironment for an
// https:// request, reading variables through env (os.Getenv in
// production, a map in tests):
//   - HTTPS_PROXY, else https_proxy, is the proxy. HTTP_PROXY is not used,
//     because net/http uses it only for plain http:// requests.
//   - NO_PROXY, else no_proxy, is a comma-separated list of exemptions: an
//     IP address, a CIDR block, a domain name that also matches its
//     subdomains, a name with a leading "." (or "*.") that matches only
//     subdomains, any of these with ":port", or "*" for every host.
//   - "localhost" and loopback IP addresses always connect directly.
//
// NOTE: this restates net/http's rules instead of calling them, because
// http.ProxyFromEnvironment reads the process environment once per process
// and golang.org/x/net/http/httpproxy would add x/net and x/text to the
// module. A test compares ProxyFor with http.ProxyFromEnvironment.
//
// A value without a scheme, such as "proxy.corp:3128", means http://. The
// schemes http and https are supported. ProxyFor returns an error naming
// the value and its source for a value that is not a URL, has no host, or
// has another scheme (socks5 included, which Dialer does not speak), and
// for a target that is not "host:port".
//
// NOTE: net/http ignores an environment value it cannot parse and connects
// directly. ProxyFor returns an error instead, because a diagnosis that
// silently skips the proxy the user configured would be wrong.
func ProxyFor(target string, flag string, env func(string) string) (*Proxy, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("netpath: invalid target %q: want host:port, such as scim.example.com:443", target)
	}

	if flag != "" {
		u, err := parseProxyURL(flag, "--proxy")
		if err != nil {
			return nil, err
		}
		return &Proxy{URL: u, Source: "--proxy"}, nil
	}

	value, source := lookupFirst(env, httpsProxyVariables)
	if value == "" {
		return nil, nil
	}
	u, err := parseProxyURL(value, source)
	if err != nil {
		return nil, err
	}
	noProxy, _ := lookupFirst(env, noProxyVariables)
	if bypassProxy(host, port, noProxy) {
		return nil, nil
	}
	return &Proxy{URL: u, Source: source}, nil
}

// lookupFirst returns the first non-empty value among names and its name.
func lookupFirst(env func(string) string, names []string) (value, name string) {
	for _, n := range names {
		if v := env(n); v != "" {
			return v, n
		}
	}
	return "", ""
}

// parseProxyURL parses a proxy setting as net/http does: a full URL, or
// "host[:port]" taken as http://. source names the flag or variable for
// errors. Errors show the value with its password removed.
func parseProxyURL(value, source string) (*url.URL, error) {
	u, err := url.Parse(value)
	if (err != nil || u.Scheme == "" || u.Host == "") && !strings.Contains(value, "://") {
		// "proxy.corp:3128" parses as scheme "proxy.corp", and "proxy.corp"
		// as a path, so net/http retries with http:// in front.
		u, err = url.Parse("http://" + value)
	}
	if err != nil {
		return nil, fmt.Errorf("netpath: invalid proxy URL in %s %q: %v; give a URL such as http://proxy.example.com:3128", source, redactValue(value), unwrapURLError(err))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("netpath: proxy URL %q from %s has no host; give a URL such as http://proxy.example.com:3128", redactValue(value), source)
	}

	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "socks5", "socks5h":
		return nil, fmt.Errorf("netpath: proxy %s from %s uses SOCKS, which scimdoctor does not support; give the HTTP CONNECT port of the proxy as http://HOST:PORT", u.Redacted(), source)
	default:
		return nil, fmt.Errorf("netpath: proxy %s from %s has unsupported scheme %q; use http:// (plain connection to the proxy) or https:// (TLS to the proxy)", u.Redacted(), source, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("netpath: proxy URL %s from %s has no host name; give a URL such as http://proxy.example.com:3128", u.Redacted(), source)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("netpath: proxy URL %s from %s has invalid port %q; give a number from 1 to 65535", u.Redacted(), source, p)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("netpath: proxy URL %s from %s has path %q, which a proxy URL cannot carry; give only scheme, host and port", u.Redacted(), source, u.Path)
	}
	return u, nil
}

// redactValue hides the password of a proxy setting that did not parse as
// a URL, by cutting everything between "://" (or the start) and the last
// "@" before the host.
func redactValue(value string) string {
	at := strings.LastIndex(value, "@")
	if at < 0 {
		return value
	}
	start := 0
	if i := strings.Index(value, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return value[:start] + "xxxxx" + value[at:]
}

// unwrapURLError drops url.Error's repetition of the whole value, which may
// hold a password, and keeps the reason.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
