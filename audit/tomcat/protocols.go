package tomcat

import (
	"fmt"
	"strings"
)

// protocolsAll is the expansion of the token "all" (any case) in Tomcat
// 8.5 to 10.1, and the protocols of an SSLHostConfig without the attribute
// (measured with Tomcat 10.1.60's SSLHostConfig).
var protocolsAll = []string{"SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// jsseProtocols are the names JSSE implements (SSLEngine.getSupportedProtocols
// of OpenJDK 17.0.21, which lists TLSv1 and TLSv1.1 even where
// jdk.tls.disabledAlgorithms disables them). Tomcat drops any other name
// with a warning.
var jsseProtocols = []string{"SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// versionNames maps Tomcat's protocol names to audit version names.
// SSLv2Hello is no version of its own, because it only lets a server read
// an SSL 2.0 framed ClientHello that requests SSL 3.0 or later.
var versionNames = map[string]string{
	"SSLv3":   "SSL 3.0",
	"TLSv1":   "TLS 1.0",
	"TLSv1.1": "TLS 1.1",
	"TLSv1.2": "TLS 1.2",
	"TLSv1.3": "TLS 1.3",
}

// versionOrder is the order of audit version names, oldest first.
var versionOrder = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// maxProtocolWarnings bounds the warnings of one protocols value.
const maxProtocolWarnings = 8

// parseProtocols evaluates a protocols attribute as Tomcat 10.1's
// SSLHostConfig.setProtocols does (measured on 10.1.60). The list starts
// empty. Tokens are split at ',' and before '+' or '-', and trimmed. A
// token with '+' or no prefix adds its protocol, and '-' removes it. "all",
// in any case, stands for SSLv2Hello, TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3.
// Other names are case-sensitive and kept as written, so "tlsv1.2" or
// "TLSv1.2 TLSv1.3" (one token) survive here and are dropped later as
// unknown. The result keeps first-add order. warnings names every
// token without a prefix after the first, which Tomcat logs because a
// missing '+' or '-' is a common slip.
func parseProtocols(value string) (protocols []string, warnings []string) {
	var tokens []string
	start := 0
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case ',':
			tokens = append(tokens, value[start:i])
			start = i + 1
		case '+', '-':
			tokens = append(tokens, value[start:i])
			start = i
		}
	}
	tokens = append(tokens, value[start:])

	// present tracks membership and order keeps first-add order, so a long
	// value costs linear time.
	present := map[string]bool{}
	var order []string
	active := 0
	for _, tok := range tokens {
		tok = strings.TrimSpace(tok)
		op := byte(0)
		if tok != "" && (tok[0] == '+' || tok[0] == '-') {
			op = tok[0]
			tok = strings.TrimSpace(tok[1:])
		}
		if tok == "" {
			continue
		}
		names := []string{tok}
		if strings.EqualFold(tok, "all") {
			names = protocolsAll
		}
		if op == '-' {
			for _, n := range names {
				if present[n] {
					active--
				}
				present[n] = false
			}
			continue
		}
		if op == 0 && active > 0 && len(warnings) < maxProtocolWarnings {
			warnings = append(warnings, fmt.Sprintf("token %q has no + or - prefix, so Tomcat adds it to the list and logs a warning", tok))
		}
		for _, n := range names {
			if _, seen := present[n]; !seen {
				order = append(order, n)
			}
			if !present[n] {
				active++
			}
			present[n] = true
		}
	}
	for _, n := range order {
		if present[n] {
			protocols = append(protocols, n)
		}
	}
	return protocols, warnings
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// sortVersions returns the audit version names of protocols, oldest first,
// without SSLv2Hello or unknown names.
func sortVersions(protocols []string) []string {
	var out []string
	for _, v := range versionOrder {
		for _, p := range protocols {
			if versionNames[p] == v {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// protocolName returns Tomcat's name for an audit version name.
func protocolName(version string) string {
	for name, v := range versionNames {
		if v == version {
			return name
		}
	}
	return version
}
