// Package nginx audits nginx configuration files. It parses nginx's grammar
// (quotes, comments, include globs) and merges the ssl directives of each
// server block with its http or stream block. It then fills the defaults of
// the nginx version and removes what the OpenSSL build rejects, so each TLS
// server block gets the versions, cipher suites and client-certificate
// mode it really allows. Use Format to plug it into audit.Run, or Audit for
// the listeners alone.
package nginx

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Format returns the nginx format of audit.Run for Debian 12's nginx 1.22.1
// with OpenSSL 3.0.
func Format() audit.Format {
	return FormatWith(Debian12)
}

// FormatWith returns the nginx format for the nginx and OpenSSL build opts
// describes.
func FormatWith(opts Options) audit.Format {
	return audit.Format{
		Name:   "nginx",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			ls, err := Audit(path, opts)
			if err != nil {
				return nil, nil, err
			}
			return ls, Fixer{}, nil
		},
	}
}

// nginxContent matches the blocks and directives only nginx configurations
// have.
var nginxContent = regexp.MustCompile(`(?m)^\s*(http|stream|server|upstream|events)\s*\{|^\s*(ssl_protocols|ssl_ciphers|ssl_certificate|server_name|worker_processes|proxy_pass)\s+[^;\n]*;`)

// Detect reports whether the file at path, whose first bytes are head, is
// an nginx configuration: a name such as nginx.conf or a path under an
// nginx directory, or content with nginx's blocks or ssl directives.
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := filepath.Base(path)
	if base == "nginx.conf" || (strings.Contains(filepath.ToSlash(path), "/nginx/") && (strings.HasSuffix(base, ".conf") || !strings.Contains(base, "."))) {
		return true
	}
	return nginxContent.Match(head)
}

// Audit parses the nginx configuration at path with its includes and
// returns one Listener per server block that terminates TLS (listen ...
// ssl, or ssl on), unjudged. Values not set in the file are the defaults of
// opts.NginxVersion. An error is a *ParseError naming the file and line, or
// an invalid opts.
func Audit(path string, opts Options) ([]audit.Listener, error) {
	v, err := parseNginxVersion(opts.NginxVersion)
	if err != nil {
		return nil, err
	}
	if opts.Prefix == "" {
		opts.Prefix = prefixFor(path)
	}
	top, err := Parse(path, opts.Prefix)
	if err != nil {
		return nil, err
	}
	ls, err := listeners(top, opts, v)
	if err != nil {
		return nil, err
	}
	if ls == nil {
		ls = []audit.Listener{}
	}
	return ls, nil
}

// Fixer writes corrected nginx directives.
type Fixer struct{}

// VersionsLine returns the ssl_protocols directive that allows versions
// ("TLS 1.2", ...).
func (Fixer) VersionsLine(versions []string) string {
	var words []string
	for _, v := range versions {
		words = append(words, nginxKeyword(v))
	}
	return "ssl_protocols " + strings.Join(words, " ") + ";"
}

// modernSuites are TLS 1.2 suites that Okta and Entra ID both offer, for
// a cipher line that has to give TLS 1.2 a suite.
var modernSuites = []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}

// VersionsLineFor returns the line that fixes the versions traced to s.
// When s is a cipher directive, which left TLS 1.2 without a suite, it is
// an ssl_ciphers line with suites Okta and Entra ID share, because adding
// versions to ssl_protocols would not help. Otherwise it is VersionsLine.
func (f Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	directive := strings.TrimSpace(s.Directive)
	if strings.HasPrefix(directive, "ssl_ciphers") || strings.HasPrefix(directive, "ssl_conf_command") {
		return f.SuitesLine(modernSuites)
	}
	return f.VersionsLine(versions)
}

// SuitesLineFor returns SuitesLine(suites).
func (f Fixer) SuitesLineFor(_ audit.Setting, suites []string) string {
	return f.SuitesLine(suites)
}

// SuitesLine returns the ssl_ciphers directive that allows suites (IANA
// names), in that order. Suites OpenSSL has no name for are left out,
// because OpenSSL cannot enable them.
func (Fixer) SuitesLine(suites []string) string {
	var names []string
	seen := map[string]bool{}
	for _, s := range suites {
		info, ok := registry.SuiteByName(s)
		if !ok || info.OpenSSLName == "" || seen[info.OpenSSLName] {
			continue
		}
		seen[info.OpenSSLName] = true
		names = append(names, info.OpenSSLName)
	}
	return "ssl_ciphers " + strings.Join(names, ":") + ";"
}

// ClientCertificateLine returns the ssl_verify_client line that stops
// requiring a client certificate. optional still verifies a certificate
// that a client sends, so other clients that authenticate with one keep
// working. The listener's note names off, which stops asking for one.
func (Fixer) ClientCertificateLine(audit.Setting) string {
	return "ssl_verify_client optional;"
}

// prefixFor returns the directory nginx resolves relative includes against
// for the file at path: the nearest enclosing directory that holds an
// nginx.conf, as /etc/nginx for /etc/nginx/snippets/fastcgi-php.conf, or
// the file's own directory when none does.
func prefixFor(path string) string {
	dir := filepath.Dir(path)
	for d := dir; ; {
		if st, err := os.Stat(filepath.Join(d, "nginx.conf")); err == nil && st.Mode().IsRegular() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
