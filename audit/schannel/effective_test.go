package schannel

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Sources of the expected values. Each test case names one.
const (
	srcProtocols = `Microsoft, "Protocols in TLS/SSL (Schannel SSP)", https://learn.microsoft.com/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-`
	srcDotNet    = `Microsoft, "Transport Layer Security (TLS) best practices with .NET Framework", https://learn.microsoft.com/dotnet/framework/network-programming/tls`
	srcWinHTTP   = `Microsoft, "Update to enable TLS 1.1 and TLS 1.2 as default secure protocols in WinHTTP in Windows" (KB3140245), https://support.microsoft.com/help/3140245`
	srcOptions   = `Microsoft, WinHTTP "Option Flags" (WINHTTP_OPTION_SECURE_PROTOCOLS), https://learn.microsoft.com/windows/win32/winhttp/option-flags`
	srcWin7      = `Microsoft, "TLS Cipher Suites in Windows 7", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-7`
	srcWin8      = `Microsoft, "TLS Cipher Suites in Windows 8", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-8`
	srcWin81     = `Microsoft, "TLS Cipher Suites in Windows 8.1", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-8-1`
	srcV1607     = `Microsoft, "TLS Cipher Suites in Windows 10 v1607", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-10-v1607`
	srcV1809     = `Microsoft, "TLS Cipher Suites in Windows 10 v1809", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-10-v1809`
	srcWS2022    = `Microsoft, "TLS Cipher Suites in Windows Server 2022 and later", https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-server-2022`
)

// Listener indexes in the order Effective returns them.
const (
	iServer = iota
	iClient
	iDotNet64
	iDotNet32
	iWinHTTP64
	iWinHTTP32
)

const regHeader = "Windows Registry Editor Version 5.00\n\n"

// protocolValues returns an export that sets values under the Protocols
// key of protocol and side.
func protocolValues(protocol string, side Side, values ...string) string {
	return regHeader + "[" + protocolKey(protocol, side) + "]\n" + strings.Join(values, "\n") + "\n"
}

func TestDefaultVersions(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		windows  Windows
		listener int
		want     []string
	}{
		{"2008 R2 server", srcProtocols, Server2008R2, iServer, []string{"SSL 2.0", "SSL 3.0", "TLS 1.0"}},
		{"2008 R2 client", srcProtocols, Server2008R2, iClient, []string{"SSL 3.0", "TLS 1.0"}},
		{"2012 server", srcProtocols, Server2012, iServer, []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"2012 R2 client", srcProtocols, Server2012R2, iClient, []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"2016 server", srcProtocols, Server2016, iServer, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"2019 client", srcProtocols, Server2019, iClient, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"2022 server", srcProtocols, Server2022, iServer, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}},
		{"2025 client", srcProtocols, Server2025, iClient, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}},
		{"2008 R2 WinHTTP", srcWinHTTP, Server2008R2, iWinHTTP64, []string{"SSL 3.0", "TLS 1.0"}},
		{"2012 WinHTTP", srcWinHTTP, Server2012, iWinHTTP32, []string{"SSL 3.0", "TLS 1.0"}},
		{"2012 R2 WinHTTP", srcOptions, Server2012R2, iWinHTTP64, []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"2008 R2 .NET 4.8", srcDotNet, Server2008R2, iDotNet64, []string{"SSL 3.0", "TLS 1.0"}},
		{"2019 .NET 4.8", srcDotNet, Server2019, iDotNet32, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(NewMachine(), Options{Windows: tt.windows})
			got := listeners[tt.listener]
			if !slices.Equal(got.Versions.Values, tt.want) {
				t.Errorf("%s versions = %v, want %v (source: %s)", got.Name, got.Versions.Values, tt.want, tt.source)
			}
			if got.Versions.Line != 0 || !strings.Contains(got.Versions.Directive, "default of") {
				t.Errorf("directive %q at line %d, want a description of the default", got.Versions.Directive, got.Versions.Line)
			}
		})
	}
}

func TestDefaultSuiteOrder(t *testing.T) {
	tests := []struct {
		name    string
		source  string
		windows Windows
		count   int
		first   []string
		last    string
		count13 int
	}{
		{"2008 R2 curve suffixes merged", srcWin7, Server2008R2, 28,
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
			"TLS_RSA_WITH_RC4_128_MD5", 0},
		{"2012 without DHE_RSA CBC", srcWin8, Server2012, 26,
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
			"TLS_RSA_WITH_RC4_128_MD5", 0},
		{"2012 R2", srcWin81, Server2012R2, 28,
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
			"TLS_RSA_WITH_RC4_128_MD5", 0},
		{"2016", srcV1607, Server2016, 30,
			[]string{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
			"TLS_RSA_WITH_RC4_128_MD5", 0},
		{"2019", srcV1809, Server2019, 21,
			[]string{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
			"TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0},
		{"2022 with TLS 1.3", srcWS2022, Server2022, 21,
			[]string{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
			"TLS_RSA_WITH_3DES_EDE_CBC_SHA", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(NewMachine(), Options{Windows: tt.windows})
			s := listeners[iServer]
			if len(s.Suites.Values) != tt.count {
				t.Errorf("%d suites, want %d (source: %s): %v", len(s.Suites.Values), tt.count, tt.source, s.Suites.Values)
			}
			if !slices.Equal(s.Suites.Values[:len(tt.first)], tt.first) {
				t.Errorf("order starts %v, want %v (source: %s)", s.Suites.Values[:len(tt.first)], tt.first, tt.source)
			}
			if last := s.Suites.Values[len(s.Suites.Values)-1]; last != tt.last {
				t.Errorf("order ends with %s, want %s (source: %s)", last, tt.last, tt.source)
			}
			if len(s.Suites13.Values) != tt.count13 {
				t.Errorf("%d TLS 1.3 suites, want %d (source: %s)", len(s.Suites13.Values), tt.count13, tt.source)
			}
			if !strings.Contains(s.Suites.Directive, suiteTables[tt.windows].source) {
				t.Errorf("directive %q does not name the source page", s.Suites.Directive)
			}
		})
	}
}

func TestProtocolRules(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		windows  Windows
		exports  []string
		listener int
		want     []string
		// directive is a part of the Versions directive, and line its line.
		directive string
		line      int
	}{
		{"Enabled 0xffffffff turns TLS 1.2 on in 2008 R2", srcDotNet, Server2008R2,
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"=dword:ffffffff`, `"DisabledByDefault"=dword:00000000`)},
			iServer, []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.2"}, `"DisabledByDefault"=dword:00000000`, 5},
		{"Enabled 1 alone leaves 2008 R2 TLS 1.2 off by default", srcProtocols, Server2008R2,
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000001`)},
			iServer, []string{"SSL 2.0", "SSL 3.0", "TLS 1.0"}, "DisabledByDefault absent", 0},
		{"Enabled 0 turns TLS 1.2 off in 2019", srcDotNet, Server2019,
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000000`)},
			iServer, []string{"TLS 1.0", "TLS 1.1"}, `TLS 1.2\Server] "Enabled"=dword:00000000`, 4},
		{"DisabledByDefault 1 hides TLS 1.2 from the client default", srcDotNet, Server2019,
			[]string{protocolValues("TLS 1.2", Client, `"DisabledByDefault"=dword:00000001`)},
			iClient, []string{"TLS 1.0", "TLS 1.1"}, `"DisabledByDefault"=dword:00000001`, 4},
		{"TLS 1.3 values have no effect on 2019", srcProtocols, Server2019,
			[]string{protocolValues("TLS 1.3", Server, `"Enabled"=dword:00000001`, `"DisabledByDefault"=dword:00000000`)},
			iServer, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, `TLS 1.3\Server] "DisabledByDefault"`, 5},
		{"later export wins", srcProtocols, Server2019,
			[]string{
				protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000000`),
				protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000001`),
			},
			iServer, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, `"Enabled"=dword:00000001`, 4},
		{"wrong type is ignored", srcProtocols, Server2019,
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"="0"`)},
			iServer, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, "default of Windows Server 2019", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(machineFrom(t, tt.exports...), Options{Windows: tt.windows})
			l := listeners[tt.listener]
			if !slices.Equal(l.Versions.Values, tt.want) {
				t.Errorf("%s versions = %v, want %v (source: %s)", l.Name, l.Versions.Values, tt.want, tt.source)
			}
			if !strings.Contains(l.Versions.Directive, tt.directive) || l.Versions.Line != tt.line {
				t.Errorf("directive %q at line %d, want one containing %q at line %d", l.Versions.Directive, l.Versions.Line, tt.directive, tt.line)
			}
		})
	}
}

func TestProtocolNotes(t *testing.T) {
	m := machineFrom(t,
		protocolValues("TLS 1.2", Client, `"DisabledByDefault"=dword:00000001`),
		protocolValues("TLS 1.3", Server, `"Enabled"=dword:00000001`))
	listeners, _ := Effective(m, Options{Windows: Server2019})
	notes := strings.Join(listeners[iClient].Notes, "\n")
	if !strings.Contains(notes, "SSL 3.0 and TLS 1.2 are enabled but off by default") {
		t.Errorf("client notes lack the by-name view of TLS 1.2 (source: %s):\n%s", srcDotNet, notes)
	}
	notes = strings.Join(listeners[iServer].Notes, "\n")
	if !strings.Contains(notes, "does not implement TLS 1.3") {
		t.Errorf("server notes lack the TLS 1.3 warning (source: %s):\n%s", srcProtocols, notes)
	}
}

func TestDotNet(t *testing.T) {
	const (
		v4    = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
		v4wow = `HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319`
		v2    = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v2.0.50727`
	)
	values := func(key string, lines ...string) string {
		return regHeader + "[" + key + "]\n" + strings.Join(lines, "\n") + "\n"
	}
	tests := []struct {
		name     string
		windows  Windows
		target   DotNet
		exports  []string
		listener int
		want     []string
	}{
		{"4.5 default", Server2019, DotNet45, nil, iDotNet64, []string{"SSL 3.0", "TLS 1.0"}},
		{"4.5 strong crypto 64-bit only", Server2019, DotNet45,
			[]string{values(v4, `"SchUseStrongCrypto"=dword:00000001`)}, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"4.5 strong crypto missing in Wow6432Node", Server2019, DotNet45,
			[]string{values(v4, `"SchUseStrongCrypto"=dword:00000001`)}, iDotNet32, []string{"SSL 3.0", "TLS 1.0"}},
		{"4.5 system default in Wow6432Node", Server2019, DotNet45,
			[]string{values(v4wow, `"SystemDefaultTlsVersions"=dword:00000001`)}, iDotNet32, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"4.6 default", Server2019, DotNet46, nil, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"4.6 strong crypto off", Server2019, DotNet46,
			[]string{values(v4, `"SchUseStrongCrypto"=dword:00000000`)}, iDotNet64, []string{"SSL 3.0", "TLS 1.0"}},
		{"4.7 default follows Windows", Server2022, DotNet47, nil, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}},
		{"4.8 system default off", Server2022, DotNet48,
			[]string{values(v4, `"SystemDefaultTlsVersions"=dword:00000000`)}, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"4.8 on 2008 R2 gets the OS default", Server2008R2, DotNet48, nil, iDotNet64, []string{"SSL 3.0", "TLS 1.0"}},
		{"4.5 strong crypto on 2008 R2", Server2008R2, DotNet45,
			[]string{values(v4, `"SchUseStrongCrypto"=dword:00000001`)}, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
		{"strong crypto meets a disabled client TLS 1.2", Server2019, DotNet45,
			[]string{values(v4, `"SchUseStrongCrypto"=dword:00000001`), protocolValues("TLS 1.2", Client, `"Enabled"=dword:00000000`)},
			iDotNet64, []string{"TLS 1.0", "TLS 1.1"}},
		{"3.5 ignores strong crypto for defaults", Server2019, DotNet35,
			[]string{values(v2, `"SchUseStrongCrypto"=dword:00000001`)}, iDotNet64, []string{"SSL 3.0", "TLS 1.0"}},
		{"3.5 system default", Server2019, DotNet35,
			[]string{values(v2, `"SystemDefaultTlsVersions"=dword:00000001`)}, iDotNet64, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(machineFrom(t, tt.exports...), Options{Windows: tt.windows, DotNet: tt.target})
			l := listeners[tt.listener]
			if !slices.Equal(l.Versions.Values, tt.want) {
				t.Errorf("%s versions = %v, want %v (source: %s, with %s)", l.Name, l.Versions.Values, tt.want, srcDotNet, srcProtocols)
			}
		})
	}
}

func TestWinHTTP(t *testing.T) {
	const key = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	tests := []struct {
		name     string
		windows  Windows
		exports  []string
		listener int
		want     []string
	}{
		{"2008 R2 TLS 1.1 and 1.2 mask", Server2008R2,
			[]string{regHeader + "[" + key + "]\n\"DefaultSecureProtocols\"=dword:00000a00\n"}, iWinHTTP64, []string{"TLS 1.1", "TLS 1.2"}},
		{"2008 R2 mask only in the 64-bit view", Server2008R2,
			[]string{regHeader + "[" + key + "]\n\"DefaultSecureProtocols\"=dword:00000a00\n"}, iWinHTTP32, []string{"SSL 3.0", "TLS 1.0"}},
		{"2019 TLS 1.2 only", Server2019,
			[]string{regHeader + "[" + key + "]\n\"DefaultSecureProtocols\"=dword:00000800\n"}, iWinHTTP64, []string{"TLS 1.2"}},
		{"mask meets a disabled client TLS 1.2", Server2019,
			[]string{regHeader + "[" + key + "]\n\"DefaultSecureProtocols\"=dword:00000800\n", protocolValues("TLS 1.2", Client, `"Enabled"=dword:00000000`)},
			iWinHTTP64, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(machineFrom(t, tt.exports...), Options{Windows: tt.windows})
			l := listeners[tt.listener]
			if !slices.Equal(l.Versions.Values, tt.want) {
				t.Errorf("%s versions = %v, want %v (source: %s)", l.Name, l.Versions.Values, tt.want, srcWinHTTP)
			}
		})
	}
}

func TestSuiteOrderAndFilters(t *testing.T) {
	const (
		cipherRC4  = `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Ciphers\RC4 128/128`
		cipher3DES = `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Ciphers\Triple DES 168`
		kxDH       = `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\KeyExchangeAlgorithms\Diffie-Hellman`
	)
	disable := func(key string) string { return regHeader + "[" + key + "]\n\"Enabled\"=dword:00000000\n" }
	policy := func(list string) string {
		return regHeader + "[" + policyOrderKey + "]\n\"Functions\"=\"" + list + "\"\n"
	}
	// local holds TLS_RSA_WITH_AES_128_CBC_SHA as a REG_MULTI_SZ.
	local := regHeader + "[" + localOrderKey + "]\n\"Functions\"=hex(7):54,00,4c,00,53,00,5f,00,52,00,53,00,41,00,5f,00,57,00,49,00,54,00,48,00,5f,00,\\\n" +
		"  41,00,45,00,53,00,5f,00,31,00,32,00,38,00,5f,00,43,00,42,00,43,00,5f,00,53,00,48,00,41,00,00,00,00,00\n"

	tests := []struct {
		name    string
		source  string
		windows Windows
		exports []string
		want    []string
		absent  []string
	}{
		{"RC4 and 3DES disabled on 2012 R2", srcWin81, Server2012R2,
			[]string{disable(cipherRC4), disable(cipher3DES)}, nil,
			[]string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_MD5", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"}},
		{"Diffie-Hellman disabled on 2019", srcV1809, Server2019,
			[]string{disable(kxDH)}, nil,
			[]string{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}},
		{"local REG_MULTI_SZ order", srcV1809, Server2019,
			[]string{local}, []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, nil},
		{"policy order overrides the local one", srcV1809, Server2019,
			[]string{policy("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), local},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, nil},
		{"curve suffixes on 2012", srcWin8, Server2012,
			[]string{policy("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")},
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"}, nil},
		{"suffix accepted and dropped on 2016", srcV1607, Server2016,
			[]string{policy("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, nil},
		{"ECDHE_RSA GCM unknown to 2012 R2", srcWin81, Server2012R2,
			[]string{policy("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256")},
			[]string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, _ := Effective(machineFrom(t, tt.exports...), Options{Windows: tt.windows})
			got := listeners[iServer].Suites.Values
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("suites = %v, want %v (source: %s)", got, tt.want, tt.source)
			}
			for _, s := range tt.absent {
				if slices.Contains(got, s) {
					t.Errorf("suites still contain %s (source: %s)", s, tt.source)
				}
			}
		})
	}
}

func TestSuiteOrderNotes(t *testing.T) {
	m := machineFrom(t, regHeader+"["+policyOrderKey+"]\n\"Functions\"=\"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA\"\n")
	listeners, _ := Effective(m, Options{Windows: Server2012R2})
	notes := strings.Join(listeners[iServer].Notes, "\n")
	if !strings.Contains(notes, "ignores TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256") || !strings.Contains(notes, "curve suffix") {
		t.Errorf("notes do not explain the unsuffixed ECDHE name on 2012 R2 (source: %s):\n%s", srcWin81, notes)
	}
}

func TestJudgeAndFix(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		windows  Windows
		target   DotNet
		exports  []string
		listener int
		// title is part of the expected problem title; empty for none.
		title string
		// fix lists lines the fix must contain.
		fix []string
	}{
		{"server without TLS 1.2", srcProtocols, Server2019, "",
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000000`)}, iServer,
			"no protocol version",
			[]string{headerV5, `[` + protocolKey("TLS 1.2", Server) + `]`, `"Enabled"=dword:00000001`, `"DisabledByDefault"=dword:00000000`, "reboot"}},
		{"2008 R2 server default", srcProtocols, Server2008R2, "", nil, iServer,
			"no protocol version",
			[]string{`[` + protocolKey("TLS 1.2", Server) + `]`, `"DisabledByDefault"=dword:00000000`}},
		{"2022 fix adds TLS 1.3", srcProtocols, Server2022, "",
			[]string{protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000000`)}, iServer,
			"no protocol version",
			[]string{`[` + protocolKey("TLS 1.3", Server) + `]`}},
		{".NET 4.5 default", srcDotNet, Server2019, DotNet45, nil, iDotNet32,
			"they require TLS 1.2 or later",
			[]string{`[HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319]`, `"SystemDefaultTlsVersions"=dword:00000001`, `"SchUseStrongCrypto"=dword:00000001`}},
		{".NET 4.8 on 2008 R2 fixes the SCHANNEL client", srcDotNet, Server2008R2, DotNet48, nil, iDotNet64,
			"they require TLS 1.2 or later",
			[]string{`[` + protocolKey("TLS 1.2", Client) + `]`, `"DisabledByDefault"=dword:00000000`}},
		{"WinHTTP on 2008 R2", srcWinHTTP, Server2008R2, "", nil, iWinHTTP64,
			"they require TLS 1.2 or later",
			[]string{`"DefaultSecureProtocols"=dword:00000800`, "KB3140245"}},
		{"order with no suite Okta or Entra offers", srcV1809, Server2019, "",
			[]string{regHeader + "[" + policyOrderKey + "]\n\"Functions\"=\"TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_RSA_WITH_RC4_128_SHA\"\n"}, iServer,
			"no TLS 1.2 cipher suite",
			[]string{`[` + policyOrderKey + `]`, `"Functions"="TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,`, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
		{"2012 R2 order fix uses curve suffixes", srcWin81, Server2012R2, "",
			[]string{regHeader + "[" + policyOrderKey + "]\n\"Functions\"=\"TLS_RSA_WITH_RC4_128_SHA\"\n"}, iServer,
			"no TLS 1.2 cipher suite",
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384"}},
		{"hardened 2019 server passes", srcV1809, Server2019, "",
			[]string{protocolValues("TLS 1.0", Server, `"Enabled"=dword:00000000`)}, iServer, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listeners, fixer := Effective(machineFrom(t, tt.exports...), Options{Windows: tt.windows, DotNet: tt.target})
			l := listeners[tt.listener]
			audit.Judge(&l, fixer)
			if tt.title == "" {
				if len(l.Problems) != 0 {
					t.Fatalf("problems %+v, want none (source: %s)", l.Problems, tt.source)
				}
				return
			}
			if len(l.Problems) == 0 {
				t.Fatalf("%s (versions %v, suites %v): no problem, want %q (source: %s)", l.Name, l.Versions.Values, l.Suites.Values, tt.title, tt.source)
			}
			var p *audit.Problem
			for i := range l.Problems {
				if strings.Contains(l.Problems[i].Title, tt.title) {
					p = &l.Problems[i]
				}
			}
			if p == nil {
				t.Fatalf("problems %+v, want one titled %q", l.Problems, tt.title)
			}
			for _, line := range tt.fix {
				if !strings.Contains(p.Fix, line) {
					t.Errorf("fix lacks %q:\n%s", line, p.Fix)
				}
			}
			if _, err := Parse("fix.reg", []byte(p.Fix)); err != nil {
				t.Errorf("the fix is not a valid export: %v\n%s", err, p.Fix)
			}
		})
	}
}

// TestListenerSides checks that every listener but the SCHANNEL server is
// marked as a client, which Judge weighs against the IdPs' API servers.
func TestListenerSides(t *testing.T) {
	listeners, _ := Effective(machineFrom(t, regHeader), Options{Windows: Server2019})
	for i, l := range listeners {
		if want := i != iServer; l.Client != want {
			t.Errorf("%s: Client = %v, want %v", l.Name, l.Client, want)
		}
	}
}
