package tlsscan

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// defaultPort is the port of a target given without one: HTTPS.
const defaultPort = 443

// UsageError is an input error the user can fix by changing the command
// line: a malformed target or an unreadable CA file.
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// target is a parsed HOST[:PORT].
type target struct {
	host string // without brackets for IPv6
	port int
	isIP bool
	// fromURL is set when the user gave an https:// URL and the scan took
	// its host and port.
	fromURL bool
}

func (t target) hostPort() string { return net.JoinHostPort(t.host, strconv.Itoa(t.port)) }

// parseTarget accepts "host", "host:port", "[::1]:8443", a bare IPv6
// literal, and an https:// URL, of which only the host and port count.
func parseTarget(raw string) (target, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return target{}, &UsageError{Err: errors.New("missing target"), Hint: "give HOST[:PORT], such as scim.example.com or 127.0.0.1:8443"}
	}
	if strings.Contains(s, "://") {
		return parseTargetURL(raw, s)
	}
	if strings.ContainsAny(s, " \t") {
		return target{}, &UsageError{
			Err:  fmt.Errorf("invalid target %q: a host name has no spaces", raw),
			Hint: "give HOST[:PORT], such as scim.example.com or 127.0.0.1:8443",
		}
	}
	if strings.ContainsAny(s, "/?#@") {
		return target{}, &UsageError{
			Err:  fmt.Errorf("invalid target %q: only HOST[:PORT] is allowed", raw),
			Hint: "leave out the path, or give the full https:// URL",
		}
	}
	if strings.Count(s, "[") != strings.Count(s, "]") || (strings.Contains(s, "[") && !strings.HasPrefix(s, "[")) {
		return target{}, &UsageError{
			Err:  fmt.Errorf("invalid target %q: unbalanced brackets", raw),
			Hint: "write an IPv6 address in brackets, with the port after them: [::1]:8443",
		}
	}

	// A bare IPv6 literal has colons but no port; in brackets it may have
	// none either.
	if ip := net.ParseIP(s); ip != nil {
		return target{host: ip.String(), port: defaultPort, isIP: true}, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if ip := net.ParseIP(s[1 : len(s)-1]); ip != nil {
			return target{host: ip.String(), port: defaultPort, isIP: true}, nil
		}
	}
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(s, ":") {
			return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: %v", raw, unwrapAddrError(err)), Hint: "write HOST:PORT, with an IPv6 address in brackets: [::1]:8443"}
		}
		host, portText = s, ""
	}
	return newTarget(raw, host, portText)
}

func parseTargetURL(raw, s string) (target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: %v", raw, unwrapURLError(err)), Hint: "give HOST[:PORT], such as scim.example.com:443"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		return target{}, &UsageError{
			Err:  fmt.Errorf("invalid target %q: scheme http is not TLS", raw),
			Hint: "tls scans TLS; for an http:// URL there is nothing to scan",
		}
	default:
		return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: scheme %q is not https", raw, u.Scheme), Hint: "give HOST[:PORT] or an https:// URL"}
	}
	if u.Hostname() == "" {
		return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: no host", raw), Hint: "give HOST[:PORT], such as scim.example.com:443"}
	}
	t, err := newTarget(raw, u.Hostname(), u.Port())
	t.fromURL = true
	return t, err
}

func newTarget(raw, host, portText string) (target, error) {
	if host == "" {
		return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: no host", raw), Hint: "give HOST[:PORT], such as scim.example.com:443"}
	}
	port := defaultPort
	if portText != "" {
		n, err := strconv.Atoi(portText)
		if err != nil || n < 1 || n > 65535 {
			return target{}, &UsageError{Err: fmt.Errorf("invalid target %q: port %q is not a number from 1 to 65535", raw, portText), Hint: "leave the port out for 443"}
		}
		port = n
	}
	isIP := net.ParseIP(host) != nil
	return target{host: host, port: port, isIP: isIP}, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func unwrapAddrError(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

// checkServerName rejects an --sni value that no client would send: an IP
// address, which RFC 6066, Section 3 excludes from server_name, a name
// longer than 253 bytes, or characters outside a DNS name.
func checkServerName(name string) error {
	if name == "" {
		return nil
	}
	if net.ParseIP(strings.Trim(name, "[]")) != nil {
		return &UsageError{
			Err:  fmt.Errorf("invalid --sni %q: SNI carries host names only, not IP addresses (RFC 6066, Section 3)", name),
			Hint: "leave --sni out to scan an IP address without SNI, as Java does, or give the host name of the SCIM URL",
		}
	}
	if len(name) > 253 {
		return &UsageError{Err: fmt.Errorf("invalid --sni: the name has %d bytes, more than the 253 a DNS name may have", len(name)), Hint: "give the host name of the SCIM URL"}
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '*') {
			return &UsageError{Err: fmt.Errorf("invalid --sni %q: %q is not allowed in a host name", name, c), Hint: "give the host name of the SCIM URL, such as scim.example.com"}
		}
	}
	return nil
}
