package fingerprint

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Clue is one fact in an HTTP response that names a product on the path.
type Clue struct {
	// Evidence quotes what was seen, such as `Set-Cookie name "BIGipServerpool_web"`.
	Evidence string `json:"evidence"`
	// Product names the software or service, such as "F5 BIG-IP LTM".
	Product string `json:"product"`
	// Role is the product's place on the path: "origin server", "load
	// balancer", "CDN", "WAF", "reverse proxy" or "application framework".
	Role string `json:"role"`
	// Source is the vendor documentation address behind the fact, or
	// "widely documented" when no vendor page was checked.
	Source string `json:"source"`
}

// Sources of HTTP facts: the pages were opened and state the fact.
const (
	sourceWidely     = "widely documented"
	sourceAWSELB     = "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-sticky-sessions"
	sourceCFBM       = "https://support.cloudflare.com/hc/en-us/articles/360024829591-What-does-the-Cloudflare-cf-bm-cookie-do-"
	sourceCFRay      = "https://developers.cloudflare.com/ruleset-engine/rules-language/fields/reference/cf.ray_id/"
	sourceFrontDoor  = "https://learn.microsoft.com/ko-kr/Azure/frontdoor/front-door-http-headers-protocol"
	sourceBIGipThird = "https://ronutz.com/en/learn/bigip-persistence-cookies/ (third-party page that cites F5 article K6917)"
)

// maxEvidenceValue bounds how much of a header value a Clue quotes, so a
// hostile server cannot fill a report.
const maxEvidenceValue = 80

// cookieRule maps a cookie name prefix to a product.
type cookieRule struct {
	prefix, product, role, source string
}

// cookieRules are checked in order; the first matching prefix wins.
var cookieRules = []cookieRule{
	{"BIGipServer", "F5 BIG-IP LTM (cookie persistence; the value encodes the pool member's address)", "load balancer", sourceBIGipThird},
	{"AWSALBTG", "AWS Application Load Balancer", "load balancer", sourceWidely},
	{"AWSALBAPP", "AWS Application Load Balancer", "load balancer", sourceWidely},
	{"AWSALBCORS", "AWS Application Load Balancer", "load balancer", sourceWidely},
	{"AWSALB", "AWS Application Load Balancer", "load balancer", sourceWidely},
	{"AWSELBCORS", "AWS Classic Load Balancer", "load balancer", sourceAWSELB},
	{"AWSELB", "AWS Classic Load Balancer", "load balancer", sourceAWSELB},
	{"incap_ses_", "Imperva Incapsula", "WAF", sourceWidely},
	{"visid_incap_", "Imperva Incapsula", "WAF", sourceWidely},
	{"nlbi_", "Imperva Incapsula", "WAF", sourceWidely},
	{"__cf_bm", "Cloudflare (Bot Management or Bot Fight Mode)", "CDN", sourceCFBM},
	{"__cfduid", "Cloudflare (cookie retired in 2021)", "CDN", sourceWidely},
	{"__cflb", "Cloudflare Load Balancing", "load balancer", sourceWidely},
	{"cf_clearance", "Cloudflare (challenge passed)", "CDN", sourceWidely},
	{"ARRAffinitySameSite", "Azure App Service (ARR affinity)", "load balancer", sourceWidely},
	{"ARRAffinity", "Azure App Service (ARR affinity)", "load balancer", sourceWidely},
	{"ApplicationGatewayAffinity", "Azure Application Gateway", "load balancer", sourceWidely},
	{"AGCAffinity", "Azure Application Gateway for Containers", "load balancer", sourceWidely},
	{"JSESSIONID", "a Java servlet container (Tomcat, Jetty, WildFly ...)", "application framework", sourceWidely},
	{"ASP.NET_SessionId", "ASP.NET", "application framework", sourceWidely},
	{"SERVERID", "haproxy cookie persistence (the default cookie name in many examples)", "load balancer", sourceWidely},
}

// headerRule maps a header, present with any value, to a product.
type headerRule struct {
	header, product, role, source string
}

var headerRules = []headerRule{
	{"Cf-Ray", "Cloudflare", "CDN", sourceCFRay},
	{"Cf-Cache-Status", "Cloudflare", "CDN", sourceWidely},
	{"X-Azure-Ref", "Azure Front Door", "CDN", sourceFrontDoor},
	{"X-Amz-Cf-Id", "Amazon CloudFront", "CDN", sourceWidely},
	{"X-Amz-Cf-Pop", "Amazon CloudFront", "CDN", sourceWidely},
	{"X-Akamai-Transformed", "Akamai", "CDN", sourceWidely},
	{"X-Akamai-Request-Id", "Akamai", "CDN", sourceWidely},
	{"Akamai-Grn", "Akamai", "CDN", sourceWidely},
	{"X-Iinfo", "Imperva Incapsula", "WAF", sourceWidely},
	{"X-Cdn", "a CDN (Imperva sends \"Imperva\" or \"Incapsula\" here)", "CDN", sourceWidely},
	{"X-Served-By", "Fastly or Varnish", "CDN", sourceWidely},
	{"X-Varnish", "Varnish Cache", "reverse proxy", sourceWidely},
	{"X-Envoy-Upstream-Service-Time", "Envoy proxy (also Istio)", "reverse proxy", sourceWidely},
	{"X-Aspnet-Version", "ASP.NET", "application framework", sourceWidely},
	{"X-Ms-Request-Id", "a Microsoft Azure service", "reverse proxy", sourceWidely},
}

// valueRule maps a substring of a header value, compared without case, to
// a product.
type valueRule struct {
	header, contains, product, role, source string
}

var valueRules = []valueRule{
	{"Server", "cloudflare", "Cloudflare", "CDN", sourceWidely},
	{"Server", "akamaighost", "Akamai", "CDN", sourceWidely},
	{"Server", "akamainetstorage", "Akamai NetStorage", "CDN", sourceWidely},
	{"Server", "awselb", "AWS Elastic Load Balancing", "load balancer", sourceWidely},
	{"Server", "cloudfront", "Amazon CloudFront", "CDN", sourceWidely},
	{"Server", "bigip", "F5 BIG-IP", "load balancer", sourceWidely},
	{"Server", "big-ip", "F5 BIG-IP", "load balancer", sourceWidely},
	{"Server", "openresty", "OpenResty (nginx)", "reverse proxy", sourceWidely},
	{"Server", "nginx", "nginx", "origin server", sourceWidely},
	{"Server", "apache-coyote", "Apache Tomcat (Coyote connector)", "origin server", sourceWidely},
	{"Server", "apache", "Apache httpd", "origin server", sourceWidely},
	{"Server", "microsoft-iis", "Microsoft IIS", "origin server", sourceWidely},
	{"Server", "microsoft-httpapi", "Windows HTTP.sys (HTTP Server API)", "origin server", sourceWidely},
	{"Server", "kestrel", "ASP.NET Core Kestrel", "origin server", sourceWidely},
	{"Server", "envoy", "Envoy proxy (also Istio)", "reverse proxy", sourceWidely},
	{"Server", "jetty", "Eclipse Jetty", "origin server", sourceWidely},
	{"Server", "caddy", "Caddy", "origin server", sourceWidely},
	{"Server", "gunicorn", "Gunicorn", "origin server", sourceWidely},
	{"Server", "litespeed", "LiteSpeed", "origin server", sourceWidely},
	{"Server", "haproxy", "haproxy", "load balancer", sourceWidely},
	{"Server", "istio", "Istio ingress gateway", "reverse proxy", sourceWidely},
	{"Server", "imperva", "Imperva", "WAF", sourceWidely},
	{"Via", "cloudfront", "Amazon CloudFront", "CDN", sourceWidely},
	{"Via", "azure", "Azure Front Door", "CDN", sourceFrontDoor},
	{"Via", "varnish", "Varnish Cache", "reverse proxy", sourceWidely},
	{"Via", "vegur", "Heroku router", "load balancer", sourceWidely},
	{"Via", "google", "Google Cloud load balancer", "load balancer", sourceWidely},
	{"Via", "squid", "Squid", "reverse proxy", sourceWidely},
	{"Via", "akamai", "Akamai", "CDN", sourceWidely},
	{"X-Cache", "cloudfront", "Amazon CloudFront", "CDN", sourceWidely},
	{"X-Powered-By", "asp.net", "ASP.NET", "application framework", sourceWidely},
	{"X-Powered-By", "express", "Node.js Express", "application framework", sourceWidely},
	{"X-Powered-By", "php", "PHP", "application framework", sourceWidely},
	{"X-Powered-By", "servlet", "a Java servlet container", "application framework", sourceWidely},
	{"X-Powered-By", "next.js", "Next.js", "application framework", sourceWidely},
}

// HTTPEvidence reads response headers for products on the path: Server,
// Via, X-Cache, X-Forwarded-*, X-Powered-By, vendor headers (Cloudflare,
// Akamai, CloudFront, Azure Front Door, Imperva) and the names of cookies
// that load balancers, CDNs and WAFs set. It returns the clues sorted by
// evidence, one per fact. A header that is present but names no known
// product still gives a clue with the product "unknown", because any Via or
// X-Cache shows an intermediary. Header values are untrusted, so evidence
// quotes at most 80 bytes of each.
func HTTPEvidence(h http.Header) []Clue {
	var clues []Clue
	seen := map[string]bool{}
	add := func(c Clue) {
		key := c.Evidence + "|" + c.Product
		if !seen[key] {
			seen[key] = true
			clues = append(clues, c)
		}
	}

	for _, line := range h.Values("Set-Cookie") {
		name, _, _ := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		for _, r := range cookieRules {
			if strings.HasPrefix(name, r.prefix) {
				add(Clue{Evidence: "Set-Cookie name " + quote(name), Product: r.product, Role: r.role, Source: r.source})
				break
			}
		}
	}

	for _, r := range headerRules {
		if v := h.Values(r.header); len(v) > 0 {
			add(Clue{Evidence: r.header + ": " + quote(v[0]), Product: r.product, Role: r.role, Source: r.source})
		}
	}

	for _, name := range []string{"Server", "Via", "X-Cache", "X-Powered-By"} {
		for _, value := range h.Values(name) {
			matched := false
			lower := strings.ToLower(value)
			for _, r := range valueRules {
				if r.header == name && strings.Contains(lower, r.contains) {
					add(Clue{Evidence: name + ": " + quote(value), Product: r.product, Role: r.role, Source: r.source})
					matched = true
					// A Server value names one product, so the first rule
					// wins; Via can list several hops.
					if name != "Via" {
						break
					}
				}
			}
			if !matched && (name == "Via" || name == "X-Cache") {
				add(Clue{Evidence: name + ": " + quote(value), Product: "unknown", Role: "reverse proxy", Source: "RFC 9110, Section 7.6.3 (Via); an X-Cache header is set by caches"})
			}
		}
	}

	// X-Forwarded-* in a response shows that a proxy added it to the
	// request and the application reflected it, or that a proxy echoes it.
	for name, values := range h {
		if strings.HasPrefix(name, "X-Forwarded-") && len(values) > 0 {
			add(Clue{Evidence: name + ": " + quote(values[0]), Product: "unknown", Role: "reverse proxy", Source: sourceWidely})
		}
	}

	sort.SliceStable(clues, func(i, j int) bool { return clues[i].Evidence < clues[j].Evidence })
	return clues
}

// quote returns v quoted, cut to maxEvidenceValue bytes.
func quote(v string) string {
	if len(v) > maxEvidenceValue {
		return fmt.Sprintf("%q...", v[:maxEvidenceValue])
	}
	return fmt.Sprintf("%q", v)
}
