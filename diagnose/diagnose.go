package diagnose

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/report"
)

// Diagnose fills in the Cause of every failing verdict in r, from the
// evidence the other layers recorded: the versions the server accepted, the
// HTTP headers, the certificate problems. It only reads and writes r.
func Diagnose(r *report.Report) {
	facts := gather(r)
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		if v.Connects {
			continue
		}
		v.Cause = explain(v, facts)
	}
}

// facts holds the parts of a report that the rules read, computed once.
type facts struct {
	address      string
	accepted     map[string]bool
	software     Software
	softwareWhy  string
	intermediary []string
	// path is the front-versus-origin comparison of --origin, or nil.
	path *report.Path
	// inspectedBy is the URL of a proxy that re-signed this check's TLS,
	// or "".
	inspectedBy string
	// internalError is set when some version was refused with the alert
	// internal_error.
	internalError bool
	// scim is the SCIM layer's outcome, or nil when it did not run.
	scim *report.SCIM
}

func gather(r *report.Report) facts {
	f := facts{address: r.Target.Address, accepted: map[string]bool{}, scim: r.SCIM}
	if f.address == "" {
		f.address = fmt.Sprintf("%s:%d", r.Target.Host, r.Target.Port)
	}
	if r.TLS != nil {
		for _, v := range r.TLS.Versions {
			if v.Accepted {
				f.accepted[v.Version] = true
			}
			if strings.Contains(v.Answer, "internal_error") {
				f.internalError = true
			}
		}
	}
	var headers map[string]string
	if r.HTTP != nil {
		headers = r.HTTP.Headers
	}
	f.software, f.softwareWhy = DetectSoftware(headers)
	if f.software != SoftwareUnknown {
		// The header comes from the server that wrote the HTTP response,
		// which is the application when a proxy in front of it terminates TLS.
		f.softwareWhy += "; a load balancer or proxy that terminates TLS passes this header on from the server behind it, so if one sits in front, fix its setting instead"
	}
	f.intermediary = Intermediary(headers)
	if r.Path != nil && r.Path.Origin != nil && r.Path.Origin.Error == "" {
		f.path = r.Path
	}
	if r.Path != nil && r.Path.Proxy != nil && r.Path.Proxy.Intercepted {
		f.inspectedBy = r.Path.Proxy.URL
	}
	return f
}

// component names the box at fault in one phrase. A comparison with the
// origin (--origin) decides it; without one, the HTTP headers hint at it.
func (f facts) component() string {
	if f.inspectedBy != "" {
		return "the TLS-inspecting proxy " + f.inspectedBy + " on this check's own path, not the server: the IdP connects from the internet without it"
	}
	if f.path != nil {
		switch f.path.FixAt {
		case "front":
			return fmt.Sprintf("the load balancer, proxy or WAF that terminates TLS at %s, not the application: the origin at %s accepts %s",
				f.path.Front.Address, f.path.Origin.Address, strings.Join(f.path.Origin.Versions, " and "))
		case "origin":
			return fmt.Sprintf("the origin server at %s behind the front end at %s", f.path.Origin.Address, f.path.Front.Address)
		case "both":
			return fmt.Sprintf("both the front end at %s and the origin at %s", f.path.Front.Address, f.path.Origin.Address)
		}
	}
	name := "the box that terminates TLS at " + f.address
	if f.software != SoftwareUnknown {
		name += " (" + string(f.software) + ")"
	}
	if len(f.intermediary) > 0 {
		name += "; the headers " + strings.Join(f.intermediary, ", ") + " show a proxy or load balancer in front of the application, so the fix belongs on that proxy"
	} else {
		name += "; this may be a load balancer, WAF or proxy rather than the SCIM application itself"
	}
	return name
}

func (f facts) cause(summary string, p Problem) *report.Cause {
	if f.inspectedBy != "" {
		return &report.Cause{
			Summary:   summary + ", as seen through a proxy that re-signs TLS",
			Component: f.component(),
			Software:  string(SoftwareUnknown),
			Fix:       []string{"Check again without the proxy (unset HTTPS_PROXY and leave out --proxy), or exempt the SCIM host from TLS inspection. This result describes the proxy, not the server."},
		}
	}
	return &report.Cause{
		Summary:          summary,
		Component:        f.component(),
		Software:         string(f.software),
		SoftwareEvidence: f.softwareWhy,
		Fix:              FixFor(p, f.software),
	}
}

// versionsNamed lists the accepted versions in a readable form.
func (f facts) versionsNamed() string {
	var names []string
	for _, v := range []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"} {
		if f.accepted[v] {
			names = append(names, v)
		}
	}
	if len(names) == 0 {
		return "no protocol version"
	}
	return strings.Join(names, " and ")
}

func (f facts) sharedVersions(client []string) []string {
	var shared []string
	for _, v := range client {
		if f.accepted[v] {
			shared = append(shared, v)
		}
	}
	return shared
}

func (f facts) acceptsModern() bool {
	return f.accepted["TLS 1.2"] || f.accepted["TLS 1.3"]
}

func clientMax(client []string) string {
	max := ""
	for _, v := range client {
		if v > max { // "TLS 1.x" strings sort in version order; SSL sorts before TLS
			max = v
		}
	}
	return max
}

func explain(v *report.Verdict, f facts) *report.Cause {
	switch v.Class {
	case "dns_failure":
		return &report.Cause{
			Summary:   "the host name in the SCIM base URL does not resolve",
			Component: "DNS for the host name",
			Software:  string(SoftwareUnknown),
			Fix: []string{
				"Publish an A or AAAA record for the host in public DNS: Okta and Entra ID resolve it from the internet, so a name that exists only in internal DNS fails for them.",
				"Check the spelling of the SCIM base URL in the IdP's provisioning settings.",
			},
		}
	case "connect_refused":
		return &report.Cause{
			Summary:   "nothing accepts TCP connections on " + f.address,
			Component: "the server or firewall at " + f.address,
			Software:  string(SoftwareUnknown),
			Fix: []string{
				"Start the SCIM service or the load balancer listener on this port, or correct the port in the SCIM base URL.",
				"If a firewall sends the refusal, allow the IdP's source addresses (Okta publishes its IP ranges; Entra ID uses the AzureActiveDirectory service tag).",
			},
		}
	case "connect_timeout":
		return &report.Cause{
			Summary:   "TCP connections to " + f.address + " get no answer: a firewall drops them or the host is down",
			Component: "the network path to " + f.address,
			Software:  string(SoftwareUnknown),
			Fix: []string{
				"Allow the IdP's source addresses through the firewall or security group (Okta publishes its IP ranges; Entra ID uses the AzureActiveDirectory service tag).",
				"Check that the host name resolves to a public address the IdP can reach, not an internal one.",
			},
		}
	case "read_timeout":
		if v.Layer == "http" {
			return &report.Cause{
				Summary:   "the server completes the TLS handshake, but the HTTP response does not arrive in full before the client's read timeout: " + lastEvidence(v),
				Component: "the SCIM application, or the proxy in front of it waiting for it, at " + f.address,
				Software:  string(f.software),
				Fix: []string{
					"Check the SCIM application's health and its response time for the request shown; a proxy or load balancer whose backend is down or slow behaves this way.",
					"Look in the proxy's log for upstream timeouts on the SCIM path.",
				},
			}
		}
		return &report.Cause{
			Summary:   "the server accepts the TCP connection but never answers the TLS hello",
			Component: f.component(),
			Software:  string(f.software),
			Fix: []string{
				"Check that the service behind the port is running and not hung; a TCP load balancer or port forward with no healthy backend behaves this way.",
				"Check for a firewall or IPS rule that drops TLS traffic after the TCP handshake.",
			},
		}
	case "reset":
		if len(f.accepted) == 0 {
			return &report.Cause{
				Summary:   "every TLS hello to " + f.address + " is answered with a TCP reset, whatever its version: a firewall, IPS or WAF rule, or a service on this port that is not a TLS server, ends the connection",
				Component: "the firewall, IPS, WAF or service at " + f.address,
				Software:  string(SoftwareUnknown),
				Fix: []string{
					"Look in the firewall, IPS or WAF log for resets of connections to this port, and allow TLS to it from the IdP's addresses.",
					"Check which process listens on the port (ss -ltnp on Linux, netstat -abno on Windows) and that it is the TLS listener the SCIM base URL should reach.",
				},
			}
		}
		if !f.acceptsModern() {
			return f.cause("the server resets TLS 1.2 and 1.3 hellos and accepts only "+f.versionsNamed()+"; old TLS stacks and some firewalls reset hellos they do not understand", ProblemNoTLS12)
		}
		return &report.Cause{
			Summary:   "the connection is reset when this client's TLS hello arrives, although other hellos get an answer: a firewall, IPS or WAF rule on the path rejects this hello",
			Component: f.component(),
			Software:  string(f.software),
			Fix:       []string{"Look in the firewall, IPS or WAF log for the reset and allow TLS 1.2 hellos to this port."},
		}
	case "malformed":
		return &report.Cause{
			Summary:   "the server's TLS answer does not parse: a broken TLS stack, or a box on the path that alters or cuts the traffic",
			Component: f.component(),
			Software:  string(f.software),
			Fix: []string{
				"Capture the handshake on the server side (tcpdump -w hello.pcap port PORT) and compare it with what the client received; a difference points at the box in between.",
				"Update the TLS library or appliance firmware of the box that terminates TLS.",
			},
		}
	case "not_tls":
		return f.cause("the port answers in plain HTTP (or another protocol), not TLS", ProblemPlainHTTP)
	case "client_cert_required":
		return f.cause("the server requires a TLS client certificate, and IdP provisioning clients never send one", ProblemClientCertRequired)
	case "untrusted":
		return f.cause("the certificate does not chain to a root this client trusts (self-signed or from a private CA)", ProblemUntrusted)
	case "incomplete_chain":
		return f.cause("the server does not send the intermediate certificate, and this client does not fetch it", ProblemIncompleteChain)
	case "expired", "not_yet_valid":
		return f.cause("the server's certificate is outside its validity period", ProblemExpired)
	case "hostname_mismatch", "hostname_mismatch_ip":
		return f.cause("the certificate does not list the host name of the SCIM base URL", ProblemHostname)
	case "weak_key":
		return f.cause("the certificate's key is smaller than this client accepts", ProblemWeakKey)
	case "closed_after_handshake":
		return &report.Cause{
			Summary:   "the server completes the TLS handshake, then closes the connection without an HTTP response",
			Component: "the SCIM application or the proxy in front of it at " + f.address,
			Software:  string(f.software),
			Fix: []string{
				"Look in the proxy's and the application's logs for the request: a proxy with no healthy backend, or a server that requires a client certificate after the handshake, closes this way.",
			},
		}
	case "http_unauthorized":
		return &report.Cause{
			Summary:   "TLS works, but the SCIM server rejects the credentials",
			Component: "the SCIM application's authentication, or a gateway in front of it",
			Software:  string(f.software),
			Fix: []string{
				"Check the token or password in the IdP's provisioning settings against the one the SCIM server expects.",
				"Check the scheme: an IdP field that adds the scheme itself (Okta's bearer-token setting sends `Authorization: Bearer TOKEN`) turns a token pasted with `Bearer ` in front into `Bearer Bearer TOKEN`.",
				"If an API gateway or WAF sits in front of the application, check that it passes the Authorization header on.",
			},
		}
	case "scim_request":
		return explainSCIM(v, f)
	case "http_error", "http_not_scim":
		if step := firstFailingSCIMStep(f.scim, v.Client); step != nil && knownSCIMRule(step.Rule) {
			// The IdP's own SCIM request shows the cause of the HTTP
			// layer's failure, such as a 406 for application/scim+json.
			return explainSCIM(v, f)
		}
		return &report.Cause{
			Summary:   "TLS works, but the SCIM base URL does not answer with SCIM: " + lastEvidence(v),
			Component: "the routing to the SCIM application at " + f.address + " (a wrong base URL, or a proxy, WAF or login gateway answering in its place)",
			Software:  string(f.software),
			Fix: []string{
				"Check the base URL in the IdP against the path the SCIM application serves (for example /scim/v2), and that the proxy forwards that path to the application and not to a web front end.",
				"An HTML page or a redirect comes from a proxy, WAF or single sign-on gateway: exempt the SCIM path from it, and authenticate the IdP with the SCIM token instead.",
				"A 5xx from the application itself: look in its log for the request shown.",
			},
		}
	}
	return explainHandshake(v, f)
}

// lastEvidence returns the last evidence sentence of v, the one the layer
// that failed added.
func lastEvidence(v *report.Verdict) string {
	if len(v.Evidence) == 0 {
		return "no details"
	}
	return v.Evidence[len(v.Evidence)-1]
}

// explainHandshake covers the refusals during the handshake (alert,
// silent close, a version or suite the client did not offer) by comparing
// the client's versions with the server's.
func explainHandshake(v *report.Verdict, f facts) *report.Cause {
	shared := f.sharedVersions(v.ClientVersions)
	if len(shared) == 0 {
		switch {
		case len(f.accepted) > 0 && !f.acceptsModern():
			return f.cause(fmt.Sprintf("the server offers only %s, and %s requires TLS 1.2 or later", f.versionsNamed(), v.Display), ProblemNoTLS12)
		case f.accepted["TLS 1.3"] && !f.accepted["TLS 1.2"] && clientMax(v.ClientVersions) == "TLS 1.2":
			return f.cause(fmt.Sprintf("the server offers only TLS 1.3, and %s speaks at most TLS 1.2", v.Display), ProblemTLS13Only)
		case f.acceptsModern() && clientMax(v.ClientVersions) < "TLS 1.2":
			return &report.Cause{
				Summary:   fmt.Sprintf("the server offers %s, but this client enables only %s", f.versionsNamed(), strings.Join(v.ClientVersions, " and ")),
				Component: "the client (" + v.Display + "), not the server",
				Software:  string(SoftwareUnknown),
				Fix: []string{
					"Enable TLS 1.2 in the client: a Java 7 or early Java 8 runtime needs -Dhttps.protocols=TLSv1.2 and -Djdk.tls.client.protocols=TLSv1.2, or better an upgrade; a .NET Framework 4.5 application needs SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1, or ServicePointManager.SecurityProtocol set to include Tls12.",
				},
			}
		case len(f.accepted) == 0 && f.internalError:
			return &report.Cause{
				Summary:   "the server answers hellos with the alert internal_error at every version: its TLS library fails while choosing parameters, as OpenSSL 3 does when limited to TLS 1.0 or 1.1 at its default security level, which forbids the SHA-1 signatures those versions need",
				Component: f.component(),
				Software:  string(f.software),
				Fix: append([]string{
					"Enable TLS 1.2 on this box; that is the real fix, and the settings are below.",
					"Until then, OpenSSL 3 needs @SECLEVEL=0 in the cipher string (for example ssl_ciphers DEFAULT@SECLEVEL=0; in nginx) to speak TLS 1.0 or 1.1 at all, which no IdP uses anyway.",
				}, FixFor(ProblemNoTLS12, f.software)...),
			}
		case len(f.accepted) == 0:
			return f.cause("no probe completed a TLS handshake with "+f.address+" at any version, so the server's TLS settings or the box in front of it refuse every hello", ProblemNoTLS12)
		}
	}
	if v.Alert == "unrecognized_name" {
		sni := "sent no server name (SNI)"
		if v.SentSNI {
			sni = "sent the URL's host name as SNI"
		}
		return &report.Cause{
			Summary:   "the server rejects the handshake because of the server name: this client " + sni,
			Component: f.component(),
			Software:  string(f.software),
			Fix: []string{
				"Make the host name of the SCIM base URL a server name the TLS terminator knows (nginx server_name, Apache ServerName/ServerAlias, a load balancer's SNI certificate list), and give it a default certificate for hellos without SNI: Java sends no SNI for IP addresses and names without a dot.",
			},
		}
	}
	if v.Alert == "certificate_required" || v.Alert == "bad_certificate" {
		return f.cause("the server requires a TLS client certificate, and IdP provisioning clients never send one", ProblemClientCertRequired)
	}
	return f.cause(fmt.Sprintf("the server and %s share a protocol version (%s) but no cipher suite, group or signature algorithm; Okta notes that such a mismatch can surface as a protocol_version alert", v.Display, strings.Join(shared, ", ")), ProblemNoSharedSuite)
}
