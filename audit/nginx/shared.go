package nginx

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// listenAddress returns the address of a listen directive's first
// argument in one form: "443" and "0.0.0.0:443" become "*:443".
func listenAddress(arg string) string {
	if strings.HasPrefix(arg, "unix:") {
		return arg
	}
	if !strings.Contains(arg, ":") || (strings.HasPrefix(arg, "[") && !strings.Contains(arg, "]:")) {
		if _, err := strconv.Atoi(arg); err == nil {
			return "*:" + arg
		}
		return arg + ":80"
	}
	return strings.Replace(arg, "0.0.0.0:", "*:", 1)
}

// shareVersions gives each server that shares a listen address with a
// default server the default server's protocol versions. OpenSSL settles
// the version before nginx switches to the server that the SNI selects.
// The cipher list and the client-certificate mode still follow the
// selected server. Both were measured with openssl s_client and tlsscan
// against nginx 1.22.1 and OpenSSL 3.0 on Debian 12.
func shareVersions(servers []serverTLS) {
	// The default server of an address is the first marked
	// default_server, or else the first that listens on it.
	defaults := map[string]int{}
	marked := map[string]bool{}
	for i, s := range servers {
		for _, a := range s.addresses {
			if _, seen := defaults[a]; !seen || (s.defaultFor[a] && !marked[a]) {
				defaults[a] = i
				marked[a] = s.defaultFor[a]
			}
		}
	}
	for i := range servers {
		s := &servers[i]
		for _, a := range s.addresses {
			d := defaults[a]
			if d == i {
				continue
			}
			def := servers[d]
			if slices.Equal(def.handshakeVersions.Values, s.listener.Versions.Values) {
				break
			}
			s.listener.Notes = append(s.listener.Notes, fmt.Sprintf("this server shares %s with %s (%s:%d), the default server of that address, whose versions apply before SNI selects this server; its own setting %q has no effect", a, def.listener.Name, def.listener.File, def.listener.Line, s.listener.Versions.Directive))
			v := def.handshakeVersions
			v.Values = slices.Clone(v.Values)
			s.listener.Versions = v
			s.listener.Suites.Values = suiteNames(s.usable, v.Values)
			s.listener.SuitesWithTLS12 = suitesWithTLS12(s.usable, v.Values)
			break
		}
	}
}
