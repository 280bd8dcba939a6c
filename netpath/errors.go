package netpath

import (
	"fmt"
	"strings"
)

// ProxyErrorKind classifies why a connection through a proxy failed.
type ProxyErrorKind int

const (
	// ProxyUnreachable means the TCP connection to the proxy failed, such
	// as "connection refused" or "no route to host".
	ProxyUnreachable ProxyErrorKind = iota + 1
	// ProxyTLSFailed means the TLS handshake with an https:// proxy failed
	// for a reason other than plain HTTP on the port, such as a certificate
	// the system does not trust or an alert from the proxy.
	ProxyTLSFailed
	// ProxyPlainHTTP means the proxy URL uses https:// but the proxy port
	// speaks plain HTTP. OpenSSL-based clients report this case as
	// WRONG_VERSION_NUMBER, Java as "Unrecognized SSL message, plaintext
	// connection?", Go as "first record does not look like a TLS
	// handshake".
	ProxyPlainHTTP
	// ProxyRejectedConnect means the proxy responded to CONNECT with a
	// status other than 2xx, 401 and 407, such as 403 for a port its rules
	// do not allow.
	ProxyRejectedConnect
	// ProxyAuthRequired means the proxy responded to CONNECT with 407 Proxy
	// Authentication Required, or with 401, which some proxies send for
	// wrong credentials: the URL had no credentials, or the proxy rejected
	// them.
	ProxyAuthRequired
	// ProxyNotHTTP means the proxy's response to CONNECT was not an HTTP
	// response: other bytes, an oversized or malformed header, or a close
	// before the header ended.
	ProxyNotHTTP
	// ProxyTimeout means the dial's deadline passed while connecting to the
	// proxy, during the TLS handshake with it, or while waiting for its
	// response to CONNECT.
	ProxyTimeout
)

// String returns the kind's stable name for reports, such as
// "connect-rejected".
func (k ProxyErrorKind) String() string {
	switch k {
	case ProxyUnreachable:
		return "proxy-unreachable"
	case ProxyTLSFailed:
		return "proxy-tls-failed"
	case ProxyPlainHTTP:
		return "proxy-plain-http"
	case ProxyRejectedConnect:
		return "connect-rejected"
	case ProxyAuthRequired:
		return "proxy-auth-required"
	case ProxyNotHTTP:
		return "proxy-not-http"
	case ProxyTimeout:
		return "proxy-timeout"
	}
	return fmt.Sprintf("ProxyErrorKind(%d)", int(k))
}

// ProxyError is the error of a Dialer whose proxy failed. Callers tell the
// cases apart with errors.As and Kind. No field contains the proxy
// password.
type ProxyError struct {
	Kind ProxyErrorKind
	// Proxy is the proxy URL without its password, and its source, as
	// Proxy.String returns it.
	Proxy string
	// Target is the host:port the CONNECT request named.
	Target string
	// Status is the HTTP status code of the proxy's response to CONNECT, or 0
	// when there was no HTTP response.
	Status int
	// StatusLine is the proxy's status line without the protocol, such as
	// "403 Access violation", or "" when there was none.
	StatusLine string
	// Detail describes what happened and what to do next, in one or two
	// sentences without a final period.
	Detail string
	// Err is the underlying error, if any, such as a *net.OpError or
	// tls.RecordHeaderError.
	Err error
}

// Error returns "netpath: proxy URL (from SOURCE): " and the Detail.
func (e *ProxyError) Error() string {
	return fmt.Sprintf("netpath: proxy %s: %s", e.Proxy, e.Detail)
}

// Unwrap returns the underlying error.
func (e *ProxyError) Unwrap() error { return e.Err }

// quoteBytes quotes at most max bytes of b for an error message, with
// "..." when it cut some.
func quoteBytes(b []byte, max int) string {
	if len(b) <= max {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q...", b[:max])
}

// cut shortens s to at most max bytes for an error message.
func cut(s string, max int) string {
	if len(s) <= max {
		return strings.ToValidUTF8(s, "?")
	}
	return strings.ToValidUTF8(s[:max], "?") + "..."
}
