// Package audittest compares an audit.Listener with what tlsscan finds on
// the live server it describes. The audit packages' live tests use it after
// starting a real server from the audited file.
package audittest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/tlsscan"
)

const (
	tls12 = "TLS 1.2"
	tls13 = "TLS 1.3"

	// defaultProbeTimeout is tlsscan.Options.Timeout, the limit for each
	// connection of the scan.
	defaultProbeTimeout = 10 * time.Second

	// scanDeadline bounds the whole scan, so a stuck server fails the test
	// with tlsscan's error in place of hanging it.
	scanDeadline = 120 * time.Second
)

// Option changes what CompareWithScan sends or compares.
type Option func(*config)

type config struct {
	serverName   string
	probeTimeout time.Duration
	order        bool
	skipTLS13    bool
}

// WithServerName sends name as SNI in every scan connection.
func WithServerName(name string) Option {
	return func(c *config) { c.serverName = name }
}

// WithProbeTimeout sets the limit for each scan connection (10 s without
// this option).
func WithProbeTimeout(d time.Duration) Option {
	return func(c *config) { c.probeTimeout = d }
}

// WithServerOrder also compares the order of the TLS 1.2 suites when the
// scan finds that the server picks by its own order. The audit's list,
// cut to the suites the scan found, must then equal the scan's list.
func WithServerOrder() Option {
	return func(c *config) { c.order = true }
}

// WithoutTLS13Suites skips the TLS 1.3 suite comparison.
func WithoutTLS13Suites() Option {
	return func(c *config) { c.skipTLS13 = true }
}

// Scan scans addr with tlsscan, using Okta's client profile. Of the
// options, only WithServerName and WithProbeTimeout apply. Scan stops the
// test with t.Fatalf when the scan fails or finds addr unreachable.
func Scan(t testing.TB, addr string, opts ...Option) *tlsscan.Result {
	t.Helper()
	cfg := newConfig(opts)

	ctx, cancel := context.WithTimeout(t.Context(), scanDeadline)
	defer cancel()
	res, err := tlsscan.Run(ctx, tlsscan.Options{
		Target:     addr,
		ServerName: cfg.serverName,
		Timeout:    cfg.probeTimeout,
		Clients:    []string{"okta"},
	})
	if err != nil {
		t.Fatalf("tlsscan.Run on %s: %v", addr, err)
	}
	if res.Unreachable {
		t.Fatalf("tlsscan.Run found %s unreachable: %s", addr, res.Error)
	}
	return res
}

// CompareWithScan scans addr as Scan does and reports with t.Errorf each
// way in which l differs from the scan:
//   - l.Versions.Values must equal the accepted versions, in order;
//   - l.Suites.Values must equal, as a set, the union of the suites the scan
//     found for TLS 1.2 and older;
//   - l.Suites13.Values must equal, as a set, the TLS 1.3 suites the scan
//     found, when the scan has a TLS 1.3 list.
//
// Each message shows both lists. CompareWithScan returns the scan for the
// caller's own checks.
func CompareWithScan(t testing.TB, addr string, l audit.Listener, opts ...Option) *tlsscan.Result {
	t.Helper()
	cfg := newConfig(opts)
	res := Scan(t, addr, opts...)

	scanned := AcceptedVersions(res)
	if !slices.Equal(l.Versions.Values, scanned) {
		t.Errorf("versions: audit %v (from %q), scan %v; notes %v", l.Versions.Values, l.Versions.Directive, scanned, l.Notes)
	}

	var union []string
	for _, list := range res.Suites {
		if list.Version == tls13 {
			continue
		}
		names := suiteNames(list)
		for _, name := range names {
			if !slices.Contains(union, name) {
				union = append(union, name)
			}
		}
		if cfg.order && list.Version == tls12 && list.ServerOrder {
			var ordered []string
			for _, s := range l.Suites.Values {
				if slices.Contains(names, s) {
					ordered = append(ordered, s)
				}
			}
			if !slices.Equal(ordered, names) {
				t.Errorf("TLS 1.2 suite order:\naudit %v\nscan  %v", ordered, names)
			}
		}
	}
	got := slices.Sorted(slices.Values(l.Suites.Values))
	want := slices.Sorted(slices.Values(union))
	if !slices.Equal(got, want) {
		t.Errorf("TLS 1.2-and-older suites:\naudit %v\nscan  %v\nnotes %v", got, want, l.Notes)
	}

	if cfg.skipTLS13 {
		return res
	}
	for _, list := range res.Suites {
		if list.Version != tls13 {
			continue
		}
		got13 := slices.Sorted(slices.Values(l.Suites13.Values))
		want13 := slices.Sorted(slices.Values(suiteNames(list)))
		if !slices.Equal(got13, want13) {
			t.Errorf("TLS 1.3 suites:\naudit %v\nscan  %v", got13, want13)
		}
	}
	return res
}

func newConfig(opts []Option) config {
	cfg := config{probeTimeout: defaultProbeTimeout}
	for _, opt := range opts {
		opt(&cfg)
	}
	return cfg
}

// AcceptedVersions returns the versions res found accepted, in res's order.
func AcceptedVersions(res *tlsscan.Result) []string {
	var accepted []string
	for _, v := range res.Versions {
		if v.Accepted {
			accepted = append(accepted, v.Version)
		}
	}
	return accepted
}

// ServerOrder reports whether res found that the server picks its own
// TLS 1.2 suite. It is false when res has no TLS 1.2 list.
func ServerOrder(res *tlsscan.Result) bool {
	for _, list := range res.Suites {
		if list.Version == tls12 {
			return list.ServerOrder
		}
	}
	return false
}

func suiteNames(list tlsscan.SuiteList) []string {
	names := make([]string, 0, len(list.Suites))
	for _, s := range list.Suites {
		names = append(names, s.Name)
	}
	return names
}
