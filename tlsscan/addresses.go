package tlsscan

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Resolver looks up the addresses of a host. *net.Resolver implements it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// AddressScan is the short scan of one address of the host: which versions
// it accepts and which leaf certificate it sends. The full scan runs on
// Result.Address only, and every address, that one included, gets an
// AddressScan, so that a load-balancer pool with mixed settings shows.
type AddressScan struct {
	// Address is "ip:port".
	Address string `json:"address"`
	// Reachable reports that the address accepted a TCP connection.
	Reachable bool `json:"reachable"`
	// Versions are the accepted protocol versions, oldest first.
	Versions []string `json:"versions"`
	// LeafSHA256 is the SHA-256 fingerprint of the leaf certificate the
	// address sent to a crypto/tls handshake, or "" when none completed.
	LeafSHA256 string `json:"leaf_sha256,omitempty"`
	// Error gives the reason when the address was unreachable or sent no
	// certificate.
	Error string `json:"error,omitempty"`
}

// scanAddresses runs the short scan on every address but the one the full
// scan covers, at once, and adds the full scan's own summary first.
func (s *scanner) scanAddresses(ctx context.Context, scanned string, versions *tlsprobe.VersionScan) {
	if len(s.result.Addresses) < 2 {
		return
	}
	port := fmt.Sprint(s.target.port)
	main := AddressScan{Address: scanned, Reachable: true, Versions: acceptedNames(versions)}
	if c := s.result.Certificate; c != nil && len(c.Chain) > 0 {
		main.LeafSHA256 = c.Chain[0].SHA256
	} else if c != nil {
		main.Error = "no certificate: " + c.Error
	}

	var others []string
	for _, ip := range s.result.Addresses {
		if addr := net.JoinHostPort(ip, port); addr != scanned {
			others = append(others, addr)
		}
	}
	scans := make([]AddressScan, len(others))
	var wg sync.WaitGroup
	for i, addr := range others {
		wg.Add(1)
		go func() { defer wg.Done(); scans[i] = s.scanAddress(ctx, addr) }()
	}
	wg.Wait()
	s.result.AddressScans = append([]AddressScan{main}, scans...)
}

// scanAddress runs the version scan and one crypto/tls handshake on addr.
func (s *scanner) scanAddress(ctx context.Context, addr string) AddressScan {
	out := AddressScan{Address: addr, Versions: []string{}}
	versions := s.prober.Versions(ctx, addr, s.serverName)
	reachable := false
	for _, v := range versions.Versions {
		r := v.Result
		if r != nil && r.Kind != tlsprobe.KindConnectFailed && !(r.Kind == tlsprobe.KindTimeout && r.Phase == "connect") {
			reachable = true
		}
	}
	out.Reachable = reachable
	out.Versions = acceptedNames(versions)
	if !reachable {
		out.Error = "no TCP connection: " + versions.Versions[0].Result.Describe()
		return out
	}

	s.direct.Add(1)
	chain, err := certcheck.Fetch(ctx, addr, s.serverName, s.opts.Timeout)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.LeafSHA256 = chain.Describe()[0].SHA256Fingerprint
	return out
}

func acceptedNames(versions *tlsprobe.VersionScan) []string {
	names := []string{}
	for _, v := range versions.Accepted() {
		names = append(names, v.String())
	}
	return names
}

// addressFindings reports addresses that behave differently: an address
// that does not accept TCP connections, other accepted versions, or another
// leaf certificate. A client picks one address per connection, so such a
// pool fails some connections and not others.
func addressFindings(r *Result) []report.Finding {
	if len(r.AddressScans) < 2 {
		return nil
	}
	first := r.AddressScans[0]
	var evidence []string
	var unreachable, versionsDiffer, leafDiffers bool
	for _, a := range r.AddressScans {
		evidence = append(evidence, describeAddressScan(a))
		switch {
		case !a.Reachable:
			unreachable = true
		default:
			if !slices.Equal(a.Versions, first.Versions) {
				versionsDiffer = true
			}
			if a.LeafSHA256 != "" && first.LeafSHA256 != "" && a.LeafSHA256 != first.LeafSHA256 {
				leafDiffers = true
			}
		}
	}
	var out []report.Finding
	if versionsDiffer || leafDiffers {
		var what []string
		if versionsDiffer {
			what = append(what, "different protocol versions")
		}
		if leafDiffers {
			what = append(what, "different certificates")
		}
		out = append(out, report.Finding{
			ID:       "tls.addresses_differ",
			Severity: report.SeverityHigh,
			Layer:    "tls",
			Title:    fmt.Sprintf("the %d addresses of %s accept %s", len(r.AddressScans), r.Host, strings.Join(what, " and ")),
			Detail:   "Each connection goes to one address, so an identity provider fails on some attempts and succeeds on others. Give every member of the load-balancer pool or DNS record the same TLS settings and certificate.",
			Evidence: evidence,
		})
	}
	if unreachable {
		out = append(out, report.Finding{
			ID:       "tcp.address_unreachable",
			Severity: report.SeverityMedium,
			Layer:    "tcp",
			Title:    fmt.Sprintf("not every address of %s accepts TCP connections", r.Host),
			Detail:   "A client that connects to an unreachable address waits for its connect timeout and may give up without trying the next one. Remove the address from DNS or bring the server back.",
			Evidence: evidence,
		})
	}
	return out
}

func describeAddressScan(a AddressScan) string {
	if !a.Reachable {
		return fmt.Sprintf("%s: unreachable (%s)", a.Address, a.Error)
	}
	versions := "no version"
	if len(a.Versions) > 0 {
		versions = strings.Join(a.Versions, ", ")
	}
	leaf := "no certificate (" + a.Error + ")"
	if a.LeafSHA256 != "" {
		leaf = "leaf SHA-256 " + shortFingerprint(a.LeafSHA256)
	}
	return fmt.Sprintf("%s: %s; %s", a.Address, versions, leaf)
}

// shortFingerprint returns the first 8 bytes of a colon-separated or plain
// hex fingerprint, enough to tell certificates apart in a line of text.
func shortFingerprint(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "..."
	}
	return fp
}
