// Package diagnose reads a filled-in report and explains each failing
// verdict: the cause, the component at fault and the fix for the software
// the evidence points to. It does no I/O, so every rule is tested on
// recorded reports.
package diagnose

import (
	"sort"
	"strings"
)

// Software names a server product whose settings a fix can name.
type Software string

const (
	SoftwareNginx   Software = "nginx"
	SoftwareApache  Software = "apache"
	SoftwareTomcat  Software = "tomcat"
	SoftwareIIS     Software = "iis"
	SoftwareHAProxy Software = "haproxy"
	SoftwareJava    Software = "java"
	SoftwareDotNet  Software = "dotnet"
	SoftwareUnknown Software = "unknown"
)

// headerHint maps a lowercase substring of one HTTP header to a product.
type headerHint struct {
	header   string
	contains string
	software Software
}

// The order matters: "Apache-Coyote" is Tomcat, not Apache httpd, so the
// Tomcat hints come first.
var headerHints = []headerHint{
	{"server", "apache-coyote", SoftwareTomcat},
	{"server", "tomcat", SoftwareTomcat},
	{"x-powered-by", "tomcat", SoftwareTomcat},
	{"server", "nginx", SoftwareNginx},
	{"server", "openresty", SoftwareNginx},
	{"server", "apache", SoftwareApache},
	{"server", "microsoft-iis", SoftwareIIS},
	{"server", "microsoft-httpapi", SoftwareIIS},
	{"x-powered-by", "asp.net", SoftwareIIS},
	{"x-aspnet-version", "", SoftwareIIS},
	{"server", "haproxy", SoftwareHAProxy},
	{"server", "kestrel", SoftwareDotNet},
	{"server", "jetty", SoftwareJava},
	{"server", "undertow", SoftwareJava},
	{"server", "wildfly", SoftwareJava},
	{"server", "glassfish", SoftwareJava},
	{"server", "websphere", SoftwareJava},
	{"server", "weblogic", SoftwareJava},
	{"x-powered-by", "servlet", SoftwareJava},
	{"x-application-context", "", SoftwareJava},
}

// DetectSoftware names the server product from HTTP response headers (keys
// in any case) and returns the header that showed it. It returns SoftwareUnknown
// and an explanation when no header names a product it knows.
func DetectSoftware(headers map[string]string) (Software, string) {
	lower := make(map[string]string, len(headers))
	for k, v := range headers {
		lower[strings.ToLower(k)] = v
	}
	for _, hint := range headerHints {
		value, ok := lower[hint.header]
		if !ok {
			continue
		}
		if hint.contains == "" || strings.Contains(strings.ToLower(value), hint.contains) {
			return hint.software, canonicalHeader(hint.header) + ": " + value
		}
	}
	if len(headers) == 0 {
		return SoftwareUnknown, "no HTTP answer to read a Server header from"
	}
	if server, ok := lower["server"]; ok {
		return SoftwareUnknown, "Server: " + server + " names no product scimdoctor has fixes for"
	}
	return SoftwareUnknown, "the HTTP answer carries no Server header"
}

// Intermediary lists the headers that show a proxy, load balancer or CDN
// between the client and the application, as "Header: value" lines.
func Intermediary(headers map[string]string) []string {
	var out []string
	for k, v := range headers {
		switch strings.ToLower(k) {
		case "via", "x-cache", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "cf-ray", "x-amz-cf-id", "x-azure-ref", "x-served-by":
			out = append(out, canonicalHeader(strings.ToLower(k))+": "+v)
		}
	}
	sort.Strings(out)
	return out
}

func canonicalHeader(lower string) string {
	parts := strings.Split(lower, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}
