package lab

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"slices"
	"strings"
)

// endpointSpec is a catalog entry: the description and the builder of its
// server.
type endpointSpec struct {
	Endpoint
	build func(authority *pki, handler http.Handler, logger *slog.Logger) (server, error)
	// fault, when set, wraps the endpoint's honest SCIM server in the one
	// wrong behaviour the endpoint reproduces.
	fault func(next http.Handler, logger *slog.Logger) http.Handler
}

// catalog lists every endpoint and proxy in the order Start runs them and
// --list shows them: the connection faults, the SCIM faults, the proxies.
var catalog = slices.Concat(connectionCatalog, scimFaultCatalog, proxyCatalog)

// connectionCatalog lists the endpoints whose fault is in DNS, TCP, TLS or
// the certificate, and the good endpoint.
var connectionCatalog = []endpointSpec{
	{
		Endpoint: Endpoint{
			Name:    "good",
			Summary: "TLS 1.2 and 1.3, Go's default cipher suites, complete chain from the lab CA",
			Fault:   "none: the control endpoint",
			Fix:     "nothing to fix: every client that trusts the lab CA connects",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			return leafConfig(authority, authority.validLeaf(), tls.VersionTLS12, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "tls10-only",
			Summary: "accepts only TLS 1.0",
			Fault:   "TLS version too old",
			Fix:     "enable TLS 1.2 and 1.3 in the server's TLS settings",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			return leafConfig(authority, authority.validLeaf(), tls.VersionTLS10, tls.VersionTLS10)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "tls11-only",
			Summary: "accepts only TLS 1.1",
			Fault:   "TLS version too old",
			Fix:     "enable TLS 1.2 and 1.3 in the server's TLS settings",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			return leafConfig(authority, authority.validLeaf(), tls.VersionTLS11, tls.VersionTLS11)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "tls13-only",
			Summary: "accepts only TLS 1.3",
			Fault:   "no TLS 1.2 for clients capped at TLS 1.2",
			Fix:     "enable TLS 1.2 next to TLS 1.3, because a client capped at TLS 1.2 gets the alert protocol_version",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			return leafConfig(authority, authority.validLeaf(), tls.VersionTLS13, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "3des-only",
			Summary: "TLS 1.2 with TLS_RSA_WITH_3DES_EDE_CBC_SHA as its only cipher suite",
			Fault:   "no shared cipher suite",
			Fix:     "enable ECDHE suites with AES-GCM, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			// Static RSA key exchange needs an RSA key. crypto/tls left 3DES
			// out of its defaults in Go 1.23 but still negotiates it when
			// CipherSuites lists it.
			leaf := authority.validLeaf()
			leaf.rsa = true
			config, err := leafConfig(authority, leaf, tls.VersionTLS12, tls.VersionTLS12)
			if err != nil {
				return nil, err
			}
			config.CipherSuites = []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}
			return config, nil
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "client-cert-required",
			Summary: "requires a client certificate in TLS 1.2 and 1.3 and accepts any certificate",
			Fault:   "client certificate required",
			Fix:     "make client certificates optional on the SCIM path, because IdP provisioning clients send none",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			config, err := leafConfig(authority, authority.validLeaf(), tls.VersionTLS12, tls.VersionTLS13)
			if err != nil {
				return nil, err
			}
			config.ClientAuth = tls.RequireAnyClientCert
			// The CertificateRequest names the lab root CA, as a server that
			// expects certificates from its own CA does. RequireAnyClientCert
			// does not check the certificate against it.
			config.ClientCAs = authority.rootPool()
			return config, nil
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "expired",
			Summary: "leaf certificate expired a day ago",
			Fault:   "certificate expired",
			Fix:     "renew the server certificate and install it with its intermediate",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			leaf := authority.validLeaf()
			leaf.notAfter = authority.now.Add(-expiredBefore)
			leaf.notBefore = leaf.notAfter.Add(-expiredSpan)
			return leafConfig(authority, leaf, tls.VersionTLS12, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "self-signed",
			Summary: "leaf certificate is self-signed, not issued by the lab CA",
			Fault:   "self-signed certificate",
			Fix:     "use a certificate from a CA the IdP trusts, which for Okta and Entra ID means a public CA",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			leaf := authority.validLeaf()
			leaf.selfSigned = true
			return leafConfig(authority, leaf, tls.VersionTLS12, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "wrong-host",
			Summary: "certificate names only " + wrongHost + ", not localhost or 127.0.0.1",
			Fault:   "host name mismatch",
			Fix:     "issue the certificate with the host name of the SCIM URL in its subjectAltName",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			leaf := authority.validLeaf()
			leaf.dnsNames = []string{wrongHost}
			leaf.ips = nil
			return leafConfig(authority, leaf, tls.VersionTLS12, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "missing-intermediate",
			Summary: "sends the leaf certificate without the intermediate CA that issued it",
			Fault:   "incomplete certificate chain",
			Fix:     "configure the server with the full chain file: the leaf followed by its intermediate",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			leaf := authority.validLeaf()
			leaf.withoutIntermediate = true
			return leafConfig(authority, leaf, tls.VersionTLS12, tls.VersionTLS13)
		}),
	},
	{
		Endpoint: Endpoint{
			Name:    "sni-required",
			Summary: "answers a ClientHello without server_name (SNI) with the alert unrecognized_name",
			Fault:   "server requires SNI",
			Fix:     "serve a default certificate to hellos without SNI, because some clients send none (Java omits it for IP literals and names without a dot, such as localhost)",
			Kind:    KindSCIM,
		},
		build: tlsEndpoint(sniRequiredConfig),
	},
	{
		Endpoint: Endpoint{
			Name:    "tls10-proxy",
			Summary: "TLS-terminating reverse proxy that accepts only TLS 1.0 and adds its own Server and Via headers and a " + loadBalancerCookie + " cookie, in front of a correct SCIM origin with TLS 1.2 and 1.3 on its own port",
			Fault:   "TLS version too old at a proxy",
			Fix:     "enable TLS 1.2 and 1.3 on the proxy, because the origin behind it is not at fault",
			Kind:    KindSCIM,
		},
		build: newReverseProxyEndpoint,
	},
	{
		Endpoint: Endpoint{
			Name:    "mixed-pool",
			Summary: "one port whose connections alternate between two backends: A accepts TLS 1.2 and 1.3, B accepts only TLS 1.0",
			Fault:   "inconsistent pool member",
			Fix:     "give every member of the pool the same TLS settings (TLS 1.2 and 1.3), or take the TLS 1.0-only member out of the pool",
			Kind:    KindSCIM,
			Repeat:  4,
		},
		build: newPoolEndpoint,
	},
	{
		Endpoint: Endpoint{
			Name:    "plain-http",
			Summary: "plain HTTP/1.1 on the port the URL names as HTTPS",
			Fault:   "no TLS on the HTTPS port",
			Fix:     "enable TLS on this port, or point the IdP at the port that serves HTTPS",
			Kind:    KindSCIM,
		},
		build: func(_ *pki, handler http.Handler, logger *slog.Logger) (server, error) {
			return newHTTPServer(handler, nil, logger), nil
		},
	},
	{
		Endpoint: Endpoint{
			Name:    "blackhole",
			Summary: "accepts TCP connections and never sends a byte",
			Fault:   "no answer (timeout)",
			Fix:     "find the box that holds the connection open: a firewall, a load balancer without a healthy backend, or a hung server",
			Kind:    KindSCIM,
		},
		build: func(_ *pki, _ http.Handler, logger *slog.Logger) (server, error) {
			return newBlackholeServer(logger), nil
		},
	},
	{
		Endpoint: Endpoint{
			Name:    "reset",
			Summary: "accepts TCP connections and resets them at once",
			Fault:   "connection reset",
			Fix:     "find the box that sends the reset: a firewall or IPS rule, a proxy without a matching route, or a crashing server process",
			Kind:    KindSCIM,
		},
		build: func(_ *pki, _ http.Handler, logger *slog.Logger) (server, error) {
			return newResetServer(logger), nil
		},
	},
}

// proxyCatalog lists the forward proxies.
var proxyCatalog = []endpointSpec{
	{
		Endpoint: Endpoint{
			Name:    "forward-proxy",
			Summary: "plain-HTTP forward proxy that tunnels CONNECT to 127.0.0.0/8 without inspection; a client given https:// as the proxy URL sends TLS to it and gets an HTTP answer (OpenSSL: wrong version number)",
			Fault:   "proxy URL with https:// for a plain-HTTP proxy",
			Fix:     "write the proxy URL with http://, because the client speaks plain HTTP to the proxy and TLS only inside the CONNECT tunnel",
			Kind:    KindProxy,
		},
		build: func(authority *pki, _ http.Handler, logger *slog.Logger) (server, error) {
			return newForwardProxy(authority, false, logger), nil
		},
	},
	{
		Endpoint: Endpoint{
			Name:    "inspection-proxy",
			Summary: "HTTP proxy that answers CONNECT with a certificate from its own CA (" + inspectionCommonName + ") and re-encrypts to the target; try: scimdoctor check --proxy http://127.0.0.1:PORT https://localhost:GOODPORT/scim/v2",
			Fault:   "TLS inspection re-signs the server certificate",
			Fix:     "exempt the SCIM host from TLS inspection, or add the inspection CA to the trust store of the client that goes through the proxy",
			Kind:    KindProxy,
		},
		build: func(authority *pki, _ http.Handler, logger *slog.Logger) (server, error) {
			return newForwardProxy(authority, true, logger), nil
		},
	},
}

func specByName(name string) (endpointSpec, bool) {
	for _, s := range catalog {
		if s.Name == name {
			return s, true
		}
	}
	return endpointSpec{}, false
}

func catalogNames() string {
	names := make([]string, len(catalog))
	for i, s := range catalog {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// leafConfig issues a leaf from spec and returns a server config that serves
// it with HTTP/1.1 as the only ALPN protocol.
func leafConfig(authority *pki, spec leafSpec, minVersion, maxVersion uint16) (*tls.Config, error) {
	cert, err := authority.issueLeaf(spec)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		MaxVersion:   maxVersion,
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// sniRequiredConfig serves the lab leaf only to a ClientHello whose SNI is
// localhost. With no certificate to offer, crypto/tls sends the alert
// unrecognized_name, as nginx with ssl_reject_handshake does.
func sniRequiredConfig(authority *pki) (*tls.Config, error) {
	cert, err := authority.issueLeaf(authority.validLeaf())
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if strings.EqualFold(hello.ServerName, labHost) {
				return &cert, nil
			}
			// A nil certificate with a nil error, and no Certificates in
			// the config, makes crypto/tls send unrecognized_name.
			return nil, nil
		},
		MinVersion: tls.VersionTLS12,
		MaxVersion: tls.VersionTLS13,
		NextProtos: []string{"http/1.1"},
	}, nil
}
