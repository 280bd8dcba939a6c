package fingerprint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// token is a parsed token. Only the fields of its kind are set.
type token struct {
	kind    string // "sh", "hrr", "alert" or an outcome such as "reset"
	version tlsprobe.Version
	suite   uint16
	group   string // 4 hex digits, "dhN", "-" or "?"
	alert   string
}

// parseToken reads a token made by Encode. Tokens come from this package or
// from its embedded table, so a malformed one only gives kind "?".
func parseToken(s string) token {
	parts := strings.Split(s, ":")
	switch parts[0] {
	case "sh":
		if len(parts) != 5 {
			return token{kind: "?"}
		}
		version, err1 := strconv.ParseUint(parts[1], 16, 16)
		suite, err2 := strconv.ParseUint(parts[2], 16, 16)
		if err1 != nil || err2 != nil {
			return token{kind: "?"}
		}
		return token{kind: "sh", version: tlsprobe.Version(version), suite: uint16(suite), group: parts[4]}
	case "hrr":
		if len(parts) != 3 {
			return token{kind: "?"}
		}
		return token{kind: "hrr", group: parts[1]}
	case "alert":
		if len(parts) != 2 {
			return token{kind: "?"}
		}
		return token{kind: "alert", alert: parts[1]}
	}
	return token{kind: s}
}

// groupName returns the registry name of a token's group field.
func groupName(field string) string {
	if strings.HasPrefix(field, "dh") {
		return "DHE " + strings.TrimPrefix(field, "dh") + " bits"
	}
	id, err := strconv.ParseUint(field, 16, 16)
	if err != nil {
		return field
	}
	return registry.GroupName(uint16(id))
}

// refusal describes a token that is not a ServerHello, as the end of a
// sentence: "with the alert protocol_version", "by a TCP reset".
func refusal(t token) string {
	switch t.kind {
	case "alert":
		return "with the alert " + t.alert
	case tokenReset:
		return "by a TCP reset"
	case tokenClosed:
		return "by closing the connection without an alert"
	case tokenNotTLS:
		return "with a response that is not TLS"
	case tokenTimeout:
		return "by not responding before the timeout"
	}
	return "with the outcome " + t.kind
}

// summarize describes the fingerprint in a few clauses, separated by "; ".
func summarize(fp *Fingerprint) string {
	tokens := fp.Tokens()
	if fp.Conclusive() == 0 {
		return "no probe reached a TLS server: " + refusal(parseToken(tokens["tls13"]))
	}
	var clauses []string

	best := parseToken(tokens["tls13"])
	switch best.kind {
	case "sh":
		clauses = append(clauses, fmt.Sprintf("best choice %s with %s and %s",
			best.version, registry.SuiteName(best.suite), groupName(best.group)))
	default:
		clauses = append(clauses, "rejects a TLS 1.3 and 1.2 hello "+refusal(best))
	}

	forward, reversed := parseToken(tokens["tls12"]), parseToken(tokens["tls12-reversed"])
	if forward.kind == "sh" && reversed.kind == "sh" {
		if forward.suite == reversed.suite {
			clauses = append(clauses, "enforces its own suite order in "+forward.version.String())
		} else {
			clauses = append(clauses, "follows the client's suite order in "+forward.version.String())
		}
	}

	switch mismatch := parseToken(tokens["tls13-share-mismatch"]); mismatch.kind {
	case "hrr":
		clauses = append(clauses, "asks for a "+groupName(mismatch.group)+" key share instead of using x25519")
	case "sh":
		if mismatch.version >= tlsprobe.VersionTLS13 {
			clauses = append(clauses, "uses the offered "+groupName(mismatch.group)+" key share")
		}
	}

	switch legacy := parseToken(tokens["tls12-legacy"]); legacy.kind {
	case "sh":
		clauses = append(clauses, "accepts "+registry.SuiteName(legacy.suite))
	default:
		clauses = append(clauses, "rejects static RSA, 3DES and RC4 suites "+refusal(legacy))
	}

	switch old := parseToken(tokens["tls11"]); old.kind {
	case "sh":
		clauses = append(clauses, "answers a TLS 1.1 hello with "+old.version.String())
	default:
		clauses = append(clauses, "rejects TLS 1.1 "+refusal(old))
	}
	if ssl3 := parseToken(tokens["ssl3"]); ssl3.kind != "sh" {
		clauses = append(clauses, "rejects SSL 3.0 "+refusal(ssl3))
	} else {
		clauses = append(clauses, "accepts SSL 3.0")
	}
	return strings.Join(clauses, "; ")
}
