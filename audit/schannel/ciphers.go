package schannel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Keys of the cipher-suite order list. The group policy "SSL Cipher Suite
// Order" writes policyOrderKey, whose Functions is a REG_SZ comma list,
// and this package reads a REG_MULTI_SZ there too. The TLS PowerShell
// cmdlets write localOrderKey, whose Functions is a REG_MULTI_SZ. The
// policy wins when both are set.
const (
	policyOrderKey = `HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002`
	localOrderKey  = `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\SSL\00010002`
)

// suiteFilter is one SCHANNEL subkey whose Enabled=0 removes suites.
type suiteFilter struct {
	key     string
	matches func(registry.SuiteInfo) bool
}

// suiteFilters are the SCHANNEL\Ciphers, \Hashes and
// \KeyExchangeAlgorithms subkeys. Hashes apply to the record MAC of
// non-AEAD suites.
var suiteFilters = []suiteFilter{
	{`Ciphers\RC4 128/128`, cipherIs("RC4_128")},
	{`Ciphers\RC4 64/128`, cipherIs("RC4_64")},
	{`Ciphers\RC4 56/128`, cipherIs("RC4_56")},
	{`Ciphers\RC4 40/128`, cipherIs("RC4_40")},
	{`Ciphers\Triple DES 168`, cipherIs("3DES_EDE_CBC")},
	{`Ciphers\DES 56/56`, cipherIs("DES_CBC")},
	{`Ciphers\AES 128/128`, func(s registry.SuiteInfo) bool { return strings.HasPrefix(s.Cipher, "AES_128") }},
	{`Ciphers\AES 256/256`, func(s registry.SuiteInfo) bool { return strings.HasPrefix(s.Cipher, "AES_256") }},
	{`Ciphers\NULL`, cipherIs("NULL")},
	{`Hashes\MD5`, macIs("MD5")},
	{`Hashes\SHA`, macIs("SHA1")},
	{`Hashes\SHA256`, macIs("SHA256")},
	{`Hashes\SHA384`, macIs("SHA384")},
	{`KeyExchangeAlgorithms\Diffie-Hellman`, kxIs("DHE")},
	{`KeyExchangeAlgorithms\ECDH`, kxIs("ECDHE")},
	// NOTE: PKCS is read as the RSA key exchange (TLS_RSA_WITH_*). The
	// pages this package follows do not say whether Windows also drops the
	// ECDHE_RSA suites for it.
	{`KeyExchangeAlgorithms\PKCS`, kxIs("RSA")},
}

func cipherIs(c string) func(registry.SuiteInfo) bool {
	return func(s registry.SuiteInfo) bool { return s.Cipher == c }
}

func macIs(mac string) func(registry.SuiteInfo) bool {
	return func(s registry.SuiteInfo) bool { return !s.AEAD && s.MAC == mac }
}

func kxIs(kx string) func(registry.SuiteInfo) bool {
	return func(s registry.SuiteInfo) bool { return s.KeyExchange == kx }
}

// suiteResult is the effective cipher-suite list of a machine.
type suiteResult struct {
	// suites are the TLS 1.2-and-older suites and suites13 the TLS 1.3
	// suites, IANA names in priority order.
	suites, suites13 []string
	// order is the Functions value that set the order, nil for the
	// release's default order.
	order *Entry
	// filters are the Enabled=0 values that removed suites.
	filters []Entry
	notes   []string
}

// effectiveSuites computes the suites SCHANNEL uses on both sides: the
// order list (policy, then local, then the release's default), without
// the suites the release does not implement and those that a Ciphers,
// Hashes or KeyExchangeAlgorithms subkey with Enabled=0 removes.
func effectiveSuites(m *Machine, w Windows) suiteResult {
	var r suiteResult
	entries := suiteTables[w].enabled
	for _, key := range []string{policyOrderKey, localOrderKey} {
		e, found := m.Lookup(key, "Functions")
		if !found {
			continue
		}
		list, ok := e.Value.Strings()
		if !ok {
			r.notes = append(r.notes, fmt.Sprintf("%s:%d: ignored %s, because Functions must be a REG_SZ or REG_MULTI_SZ list of suite names", e.File, e.Line, e.Directive()))
			continue
		}
		entries = nil
		for _, item := range list {
			for _, name := range strings.Split(item, ",") {
				if name = strings.TrimSpace(name); name != "" {
					entries = append(entries, name)
				}
			}
		}
		r.order = &e
		break
	}

	var unknown []string
	removed := map[string]int{}
	for _, entry := range entries {
		name, ok := w.lookupSuite(entry)
		if !ok {
			unknown = append(unknown, entry)
			continue
		}
		info, _ := registry.SuiteByName(name)
		if f := disabledBy(m, info); f != nil {
			removed[f.Directive()]++
			if !slices.ContainsFunc(r.filters, func(x Entry) bool { return x.Directive() == f.Directive() }) {
				r.filters = append(r.filters, *f)
			}
			continue
		}
		if info.TLS13 {
			if !slices.Contains(r.suites13, name) {
				r.suites13 = append(r.suites13, name)
			}
			continue
		}
		if !slices.Contains(r.suites, name) {
			r.suites = append(r.suites, name)
		}
	}
	if len(unknown) > 0 {
		where := "the order list"
		if r.order != nil {
			where = fmt.Sprintf("%s:%d", r.order.File, r.order.Line)
		}
		hint := ""
		if suiteTables[w].curveSuffix {
			hint = fmt.Sprintf("; %s names ECDHE suites with a curve suffix, such as TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256", w)
		}
		r.notes = append(r.notes, fmt.Sprintf("%s: %s ignores %s, which it does not implement under these names%s", where, w, strings.Join(unknown, ", "), hint))
	}
	for _, f := range r.filters {
		r.notes = append(r.notes, fmt.Sprintf("%s:%d: %s removes %d suite(s) of the order list", f.File, f.Line, f.Directive(), removed[f.Directive()]))
	}
	if n, e, found, ok := m.Number(schannelKey+`\KeyExchangeAlgorithms\Diffie-Hellman`, "ServerMinKeyBitLength"); found && ok {
		r.notes = append(r.notes, fmt.Sprintf("%s:%d: %s: the server offers DHE only with groups of at least %d bits", e.File, e.Line, e.Directive(), n))
	}
	return r
}

// disabledBy returns the Enabled=0 value that removes the suite, or nil.
func disabledBy(m *Machine, info registry.SuiteInfo) *Entry {
	for _, f := range suiteFilters {
		if !f.matches(info) {
			continue
		}
		if n, e, found, ok := m.Number(schannelKey+`\`+f.key, "Enabled"); found && ok && n == 0 {
			return &e
		}
	}
	return nil
}
