package tomcat

import "github.com/scimdoctor/scimdoctor/tlsprobe/registry"

// usableVersions returns the versions of allowed that some suite fits, and
// the TLS 1.2-and-older suites that fit one of those versions.
func usableVersions(allowed, suites, suites13 []string) (final, used []string) {
	for _, v := range allowed {
		if v == "TLS 1.3" {
			if len(suites13) > 0 {
				final = append(final, v)
			}
			continue
		}
		wire := wireVersion(v)
		fits := false
		for _, name := range suites {
			if info, ok := registry.SuiteByName(name); ok && info.ValidFor(wire) {
				fits = true
				if !contains(used, name) {
					used = append(used, name)
				}
			}
		}
		if fits {
			final = append(final, v)
		}
	}
	// Keep Tomcat's order, not the per-version order of discovery.
	var ordered []string
	for _, name := range suites {
		if contains(used, name) {
			ordered = append(ordered, name)
		}
	}
	return final, ordered
}

func wireVersion(v string) uint16 {
	switch v {
	case "SSL 3.0":
		return registry.VersionSSL30
	case "TLS 1.0":
		return registry.VersionTLS10
	case "TLS 1.1":
		return registry.VersionTLS11
	case "TLS 1.2":
		return registry.VersionTLS12
	}
	return registry.VersionTLS13
}

// keyAuthentications maps Certificate types to the suite authentications a
// server with those keys can use.
func keyAuthentications(types []string) []string {
	if len(types) == 0 {
		return []string{"RSA", "ECDSA", "DSS"}
	}
	var out []string
	for _, t := range types {
		switch t {
		case "RSA":
			out = append(out, "RSA")
		case "EC":
			out = append(out, "ECDSA")
		case "DSA":
			out = append(out, "DSS")
		default:
			out = append(out, "RSA", "ECDSA", "DSS")
		}
	}
	return out
}

func filterAuth(suites, auth []string) []string {
	var out []string
	for _, name := range suites {
		if info, ok := registry.SuiteByName(name); ok && contains(auth, info.Authentication) {
			out = append(out, name)
		}
	}
	return out
}

// suitesForTLS12 returns the suites that TLS 1.2 can negotiate, in order,
// and an empty (not nil) list when there are none, for
// audit.Listener.SuitesWithTLS12.
func suitesForTLS12(suites []string) []string {
	out := []string{}
	for _, name := range suites {
		if info, ok := registry.SuiteByName(name); ok && info.ValidFor(registry.VersionTLS12) {
			out = append(out, name)
		}
	}
	return out
}
