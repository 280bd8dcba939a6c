// Package check runs the layers of `scimdoctor check` against one SCIM base
// URL (URL, DNS, TCP, TLS versions, client simulations, certificate, HTTP)
// and returns one report.Report with a verdict per client profile.
package check

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// UsageError is an input error the user can fix by changing the command
// line: a malformed URL, an unknown client profile, an unreadable --cacert.
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Endpoint is a parsed SCIM base URL.
type Endpoint struct {
	URL  *url.URL
	Host string // without brackets for IPv6
	Port int
	// IsIP reports a host given as an IP literal.
	IsIP bool
}

// ParseURL checks a SCIM base URL the way an IdP's provisioning settings
// would need it: https, a host, an optional port.
func ParseURL(raw string) (*Endpoint, error) {
	trimmed := strings.TrimSpace(raw)
	if trimmed == "" {
		return nil, &UsageError{Err: fmt.Errorf("missing SCIM base URL"), Hint: "give the URL the IdP calls, such as https://scim.example.com/scim/v2"}
	}
	if !strings.Contains(trimmed, "://") {
		return nil, &UsageError{
			Err:  fmt.Errorf("invalid URL %q: no scheme", raw),
			Hint: "write the full SCIM base URL, such as https://" + strings.TrimPrefix(trimmed, "//"),
		}
	}

	u, err := url.Parse(trimmed)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("invalid URL %q: %v", raw, unwrapURLError(err)), Hint: "write the full SCIM base URL, such as https://scim.example.com/scim/v2"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		return nil, &UsageError{
			Err:  fmt.Errorf("invalid URL %q: scheme http is not TLS", raw),
			Hint: "Okta and Entra ID call SCIM over https only; check https://" + u.Host + u.Path,
		}
	default:
		return nil, &UsageError{Err: fmt.Errorf("invalid URL %q: scheme %q", raw, u.Scheme), Hint: "use an https:// URL"}
	}

	host := u.Hostname()
	if host == "" {
		return nil, &UsageError{Err: fmt.Errorf("invalid URL %q: no host", raw), Hint: "write the full SCIM base URL, such as https://scim.example.com/scim/v2"}
	}
	port := 443
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, &UsageError{Err: fmt.Errorf("invalid URL %q: port %q is not a number from 1 to 65535", raw, p), Hint: "leave the port out for 443"}
		}
		port = n
	}
	if u.User != nil {
		return nil, &UsageError{Err: fmt.Errorf("invalid URL %q: credentials in the URL", raw), Hint: "pass credentials with --token or --basic instead"}
	}
	return &Endpoint{URL: u, Host: host, Port: port, IsIP: net.ParseIP(host) != nil}, nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// ServiceProviderConfigURL returns the URL of /ServiceProviderConfig under
// the base URL, with the base URL's query kept: some services put the tenant
// there.
func (e *Endpoint) ServiceProviderConfigURL() string {
	return e.resource("ServiceProviderConfig", "")
}

// ServiceProviderConfigRequestURI is the path and query of
// ServiceProviderConfigURL, as sent in the request line.
func (e *Endpoint) ServiceProviderConfigRequestURI() string {
	u, err := url.Parse(e.ServiceProviderConfigURL())
	if err != nil {
		return "/" // unreachable: the URL was built from a parsed one
	}
	return u.RequestURI()
}

// UsersURL returns the URL of the request Okta's connection test sends:
// /Users?startIndex=1&count=2 under the base URL, after the base URL's own
// query parameters.
func (e *Endpoint) UsersURL() string {
	return e.resource("Users", "startIndex=1&count=2")
}

// resource returns the base URL with /name appended to its path and query
// appended to its query. The path keeps its escaping, so %2F stays %2F.
func (e *Endpoint) resource(name, query string) string {
	u := *e.URL
	u.Fragment = ""
	escaped := strings.TrimSuffix(u.EscapedPath(), "/") + "/" + name
	if p, err := url.PathUnescape(escaped); err == nil {
		u.Path = p
		u.RawPath = escaped
	}
	switch {
	case u.RawQuery == "":
		u.RawQuery = query
	case query != "":
		u.RawQuery += "&" + query
	}
	return u.String()
}

// HostPort returns host:port as the URL names it.
func (e *Endpoint) HostPort() string {
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}
