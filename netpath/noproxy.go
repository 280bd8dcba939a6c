package netpath

import (
	"net"
	"net/netip"
	"strings"
)

// bypassProxy reports whether a connection to host and port goes direct
// under net/http's environment rules (Go 1.26): always for "localhost" and
// loopback IP addresses, and for any host that an entry of noProxy matches.
//
// noProxy is a comma-separated list. Each entry, compared without case and
// surrounding spaces, is one of:
//   - "*": every host.
//   - a CIDR block such as "10.0.0.0/8" or "fd00::/8": IP addresses in it.
//   - an IP address, optionally with ":port" (IPv6 in brackets): that
//     address, on any port or on that port.
//   - a domain name, optionally with ":port": the name and its subdomains.
//     A leading "." or "*." matches subdomains only.
//
// Entries that fit none of these forms are ignored, as net/http does.
// Domain entries never match an IP literal, and IP entries never match a
// name, so "127.0.0.1" in NO_PROXY does not exempt "localhost.example".
//
// NOTE: net/http converts non-ASCII names and entries to punycode before
// comparing them. bypassProxy compares them as given, so an entry must be
// written in the same form as the target.
func bypassProxy(host, port, noProxy string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	isIP := err == nil
	if isIP && ip.IsLoopback() {
		return true
	}

	for _, entry := range strings.Split(noProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return true
		}
		if prefix, err := netip.ParsePrefix(entry); err == nil {
			if isIP && prefix.Contains(ip.Unmap().WithZone("")) {
				return true
			}
			continue
		}
		if matchNoProxyEntry(entry, host, port, ip, isIP) {
			return true
		}
	}
	return false
}

// matchNoProxyEntry matches one NO_PROXY entry that is not "*" or a CIDR
// block against the target.
func matchNoProxyEntry(entry, host, port string, ip netip.Addr, isIP bool) bool {
	entryHost, entryPort := entry, ""
	if h, p, err := net.SplitHostPort(entry); err == nil {
		entryHost, entryPort = h, p
	}
	entryHost = strings.TrimSuffix(strings.TrimPrefix(entryHost, "["), "]")
	if entryHost == "" {
		return false
	}
	if entryPort != "" && entryPort != port {
		return false
	}

	if entryIP, err := netip.ParseAddr(entryHost); err == nil {
		return isIP && entryIP.Unmap() == ip.Unmap().WithZone("")
	}
	if isIP {
		return false
	}

	subdomainsOnly := false
	switch {
	case strings.HasPrefix(entryHost, "*."):
		entryHost, subdomainsOnly = entryHost[1:], true
	case strings.HasPrefix(entryHost, "."):
		subdomainsOnly = true
	default:
		entryHost = "." + entryHost
	}
	if strings.HasSuffix(host, entryHost) {
		return true
	}
	return !subdomainsOnly && host == entryHost[1:]
}
