package schannel

import (
	"fmt"
	"strings"
)

// Windows is a Windows Server release, whose defaults fill every key an
// export leaves absent.
type Windows int

// Windows Server releases with documented SCHANNEL defaults.
const (
	Server2008R2 Windows = iota + 1
	Server2012
	Server2012R2
	Server2016
	Server2019
	Server2022
	Server2025
)

// DefaultWindows is the release assumed when none is given. Its defaults
// (TLS 1.0 to 1.2, no TLS 1.3) are the conservative choice. A Windows
// Server 2022 or 2025 machine audited as 2019 only loses TLS 1.3, which
// neither Okta nor Entra ID needs. A 2019 machine audited as 2022 would
// be credited with a TLS 1.3 it does not have.
const DefaultWindows = Server2019

var windowsNames = map[Windows]string{
	Server2008R2: "2008 R2",
	Server2012:   "2012",
	Server2012R2: "2012 R2",
	Server2016:   "2016",
	Server2019:   "2019",
	Server2022:   "2022",
	Server2025:   "2025",
}

// String returns the release name, such as "Windows Server 2012 R2".
func (w Windows) String() string {
	if name, ok := windowsNames[w]; ok {
		return "Windows Server " + name
	}
	return fmt.Sprintf("Windows(%d)", int(w))
}

// ParseWindows reads a --windows value: "2008r2", "2008 R2", "2012",
// "2012r2", "2016", "2019", "2022" or "2025", with or without a leading
// "Windows Server".
func ParseWindows(s string) (Windows, error) {
	key := strings.ReplaceAll(strings.ToLower(s), "-", " ")
	key = strings.TrimSpace(key)
	key = strings.TrimPrefix(key, "windows")
	key = strings.TrimSpace(key)
	key = strings.TrimPrefix(key, "server")
	key = strings.ReplaceAll(key, " ", "")
	for w, name := range windowsNames {
		if key == strings.ToLower(strings.ReplaceAll(name, " ", "")) {
			return w, nil
		}
	}
	return 0, fmt.Errorf("unknown Windows Server release %q: use 2008r2, 2012, 2012r2, 2016, 2019, 2022 or 2025", s)
}

// Side is the SCHANNEL role a Protocols subkey configures.
type Side string

// The two SCHANNEL roles.
const (
	Server Side = "Server"
	Client Side = "Client"
)

// protocols are the SCHANNEL\Protocols subkey names, oldest first. They
// match the audit's version names, with SSL 2.0 added.
var protocols = []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// protocolDefault is a protocol's state when its registry key is absent.
type protocolDefault int

const (
	// notSupported: the release does not implement the protocol, and no
	// registry value turns it on.
	notSupported protocolDefault = iota
	// offByDefault: implemented, and used only when the registry enables
	// it or an application requests it explicitly.
	offByDefault
	// onByDefault: implemented and used.
	onByDefault
)

// protocolDefaults gives, per release, side and protocol, the state of
// the protocol without registry values. Source: Microsoft, "Protocols in
// TLS/SSL (Schannel SSP)",
// https://learn.microsoft.com/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-
// (tables "TLS protocol version support" and "Pre-TLS standard protocols
// support", revision of 2025-03-20).
//
// NOTE: the page's "Disabled" is read as offByDefault (DisabledByDefault=1,
// usable when requested explicitly). The page does not say whether it is
// Enabled=0 instead, which would also refuse explicit requests.
var protocolDefaults = map[Windows]map[Side][6]protocolDefault{
	//                   SSL 2.0        SSL 3.0       TLS 1.0     TLS 1.1       TLS 1.2       TLS 1.3
	Server2008R2: {
		Server: {onByDefault, onByDefault, onByDefault, offByDefault, offByDefault, notSupported},
		Client: {offByDefault, onByDefault, onByDefault, offByDefault, offByDefault, notSupported},
	},
	Server2012: {
		Server: {offByDefault, onByDefault, onByDefault, onByDefault, onByDefault, notSupported},
		Client: {offByDefault, onByDefault, onByDefault, onByDefault, onByDefault, notSupported},
	},
	Server2012R2: {
		Server: {offByDefault, onByDefault, onByDefault, onByDefault, onByDefault, notSupported},
		Client: {offByDefault, onByDefault, onByDefault, onByDefault, onByDefault, notSupported},
	},
	Server2016: {
		Server: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, notSupported},
		Client: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, notSupported},
	},
	Server2019: {
		Server: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, notSupported},
		Client: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, notSupported},
	},
	Server2022: {
		Server: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, onByDefault},
		Client: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, onByDefault},
	},
	Server2025: {
		Server: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, onByDefault},
		Client: {notSupported, offByDefault, onByDefault, onByDefault, onByDefault, onByDefault},
	},
}

// supports reports whether the release implements protocol on side.
func (w Windows) supports(side Side, protocol string) bool {
	return protocolDefaults[w][side][protocolIndex(protocol)] != notSupported
}

func protocolIndex(name string) int {
	for i, p := range protocols {
		if p == name {
			return i
		}
	}
	return -1
}

// WinHTTP DefaultSecureProtocols bits (winhttp.h
// WINHTTP_FLAG_SECURE_PROTOCOL_*).
var winHTTPBits = []struct {
	bit      uint64
	protocol string
}{
	{0x8, "SSL 2.0"},
	{0x20, "SSL 3.0"},
	{0x80, "TLS 1.0"},
	{0x200, "TLS 1.1"},
	{0x800, "TLS 1.2"},
	{0x2000, "TLS 1.3"},
}

// winHTTPDefault returns the protocols WinHTTP requests from SCHANNEL when
// DefaultSecureProtocols is absent.
//
// Windows Server 2008 R2 and 2012: SSL 3.0 and TLS 1.0 only; TLS 1.1 and
// 1.2 need update KB3140245 and DefaultSecureProtocols (Microsoft, "Update
// to enable TLS 1.1 and TLS 1.2 as default secure protocols in WinHTTP in
// Windows", https://support.microsoft.com/help/3140245). Windows Server
// 2012 R2 to 2019 (Windows 8.1 and 10): SSL 3.0 to TLS 1.2 (Microsoft,
// WinHTTP "Option Flags", WINHTTP_OPTION_SECURE_PROTOCOLS,
// https://learn.microsoft.com/windows/win32/winhttp/option-flags).
func winHTTPDefault(w Windows) uint64 {
	switch {
	case w <= Server2012:
		return 0x20 | 0x80
	case w <= Server2019:
		return 0x20 | 0x80 | 0x200 | 0x800
	}
	// NOTE: TLS 1.3 in WinHTTP's default on Windows Server 2022 and later
	// is inferred from SCHANNEL enabling it there, because the Option
	// Flags page lists no default for these releases.
	return 0x20 | 0x80 | 0x200 | 0x800 | 0x2000
}
