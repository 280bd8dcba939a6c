package tlsprobe

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Describe returns a one-line, human-readable account of the server's
// response, such as "fatal alert protocol_version (70)", "server chose TLS 1.0 with
// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "connection reset by peer" or
// `not TLS: the server answered "HTTP/1.1 400 Bad Request"`.
func (r *Result) Describe() string {
	switch r.Kind {
	case KindServerHello:
		sh := r.Flight.ServerHello
		line := fmt.Sprintf("server chose %s with %s", sh.Version, registry.SuiteName(sh.CipherSuite))
		if r.Alert != nil {
			line += ", then sent " + r.Alert.String()
		}
		if r.Err != nil {
			line += " (" + r.Err.Error() + ")"
		}
		return line
	case KindHelloRetryRequest:
		sh := r.Flight.ServerHello
		return fmt.Sprintf("server chose %s and asked for a %s key share (HelloRetryRequest)", sh.Version, registry.GroupName(sh.KeyShareGroup))
	case KindSSLv2ServerHello:
		return "server chose " + r.SSLv2.String()
	case KindAlert:
		if r.Alert != nil {
			return r.Alert.String()
		}
	case KindReset:
		return "connection reset by peer"
	case KindSilentClose:
		if r.Err != nil {
			return r.Err.Error()
		}
		return "server closed the connection without a TLS answer"
	case KindTimeout:
		if r.Err != nil {
			return r.Err.Error()
		}
		return "timed out waiting for the " + r.Phase
	case KindNotTLS:
		return "not TLS: the server answered " + quoteFirstBytes(r.FirstBytes)
	case KindMalformed:
		return "malformed TLS answer: " + strings.TrimPrefix(r.errorText(), "tls: ")
	case KindConnectFailed:
		return "connection failed: " + r.errorText()
	case KindProbeError:
		return "probe did not run: " + r.errorText()
	}
	return string(r.Kind)
}

func (r *Result) errorText() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	return r.Error
}

// quoteFirstBytes formats the first line of a text response in quotes, and
// anything else in hex.
func quoteFirstBytes(b []byte) string {
	line := b
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	printable := len(line) > 0
	for _, c := range string(line) {
		if c > unicode.MaxASCII || !unicode.IsPrint(c) {
			printable = false
			break
		}
	}
	if printable {
		return fmt.Sprintf("%q", line)
	}
	return fmt.Sprintf("0x%x", b)
}
