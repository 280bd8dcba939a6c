package nginx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
)

// Options describe the nginx and OpenSSL build the audited configuration
// runs on, because defaults and library limits depend on them.
type Options struct {
	// NginxVersion is the nginx version, such as "1.22.1". It picks the
	// ssl_protocols default.
	NginxVersion string
	// OpenSSL is the OpenSSL line nginx is linked with.
	OpenSSL cipherstring.Version
	// SecurityLevel is the OpenSSL security level before any @SECLEVEL
	// term of the cipher string: 2 on Debian 12, 1 in upstream OpenSSL
	// 1.1.1 and 3.0, 0 for OpenSSL 1.0.2.
	SecurityLevel int
	// Prefix is the directory relative include paths resolve against.
	// Empty means the directory of the audited file, as nginx does for
	// the file given with -c.
	Prefix string
}

// Debian12 is nginx 1.22.1 with OpenSSL 3.0 at security level 2, as Debian
// 12 (bookworm) packages them.
var Debian12 = Options{NginxVersion: "1.22.1", OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2}

// nginxVersion is a parsed "major.minor.patch".
type nginxVersion [3]int

func parseNginxVersion(s string) (nginxVersion, error) {
	var v nginxVersion
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "nginx/"), ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("invalid nginx version %q: give major.minor.patch, such as 1.22.1", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("invalid nginx version %q: give major.minor.patch, such as 1.22.1", s)
		}
		v[i] = n
	}
	return v, nil
}

func (v nginxVersion) atLeast(major, minor, patch int) bool {
	o := nginxVersion{major, minor, patch}
	for i := range v {
		if v[i] != o[i] {
			return v[i] > o[i]
		}
	}
	return true
}

// defaultProtocols returns the ssl_protocols value nginx v uses when the
// directive is absent. nginx's CHANGES give "SSLv3 TLSv1 TLSv1.1 TLSv1.2"
// before 1.9.1, "TLSv1 TLSv1.1 TLSv1.2" from 1.9.1, and "TLSv1.2
// TLSv1.3" from 1.23.4 ("TLSv1.3 protocol is enabled by default"). The
// TLSv1.3 keyword exists since 1.13.0, but before 1.23.4 nginx turns TLS
// 1.3 off unless the directive lists it: a scan of Debian 12's nginx
// 1.22.1 without ssl_protocols finds TLS 1.2 alone.
func defaultProtocols(v nginxVersion) []string {
	switch {
	case v.atLeast(1, 23, 4):
		return []string{"TLSv1.2", "TLSv1.3"}
	case v.atLeast(1, 9, 1):
		return []string{"TLSv1", "TLSv1.1", "TLSv1.2"}
	}
	return []string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"}
}

// defaultCiphers is the ssl_ciphers default of every nginx version since
// 1.0.5.
const defaultCiphers = "HIGH:!aNULL:!MD5"

// protocolNames maps nginx's ssl_protocols keywords, which OpenSSL's
// Protocol, MinProtocol and MaxProtocol commands share, to the version
// names of audit.Setting.
var protocolNames = map[string]string{
	"SSLv2":   "SSL 2.0",
	"SSLv3":   "SSL 3.0",
	"TLSv1":   "TLS 1.0",
	"TLSv1.1": "TLS 1.1",
	"TLSv1.2": "TLS 1.2",
	"TLSv1.3": "TLS 1.3",
}

// versionOrder lists the version names oldest first.
var versionOrder = []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

func nginxKeyword(version string) string {
	for k, v := range protocolNames {
		if v == version {
			return k
		}
	}
	return version
}
