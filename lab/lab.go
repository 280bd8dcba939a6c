// Package lab runs local endpoints on 127.0.0.1. Each endpoint reproduces one
// failure that an identity provider meets when it connects to a SCIM server.
// The failures are a TLS version that is too old, no shared cipher suite, a
// required client certificate, a bad certificate, a proxy in front of a good
// server, a load-balanced pool with one old member, plain HTTP, silence and a
// reset. Next to these SCIM endpoints the lab runs forward proxies (Kind
// "proxy"): a clean CONNECT tunnel and a TLS-inspection proxy that re-signs
// with its own CA. A client reaches a SCIM endpoint through them.
//
// Every endpoint is a real server, not a canned byte sequence: the TLS ones are
// crypto/tls servers with the setting under test, and every endpoint that
// completes a handshake serves the full SCIM 2.0 API of scim/server to a
// client that sends "Authorization: Bearer lab-token" (BearerToken). The
// endpoints share one SQLite database in a temporary directory, with a
// tenant per endpoint that holds one user from the start.
//
// The endpoints whose names start with "scim-" have a correct TLS setup and
// get one SCIM behaviour wrong, such as a 404 for a filter that matches
// nothing. Each is the same real server behind a small middleware that
// changes only that behaviour.
//
// Start a lab with Start, point clients at Endpoint.URL with the CA in
// Lab.CAFile, and stop it with Lab.Close. Catalog and ProxyCatalog list the
// endpoints without starting anything.
package lab

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Kinds of lab endpoint.
const (
	// KindSCIM is an endpoint whose URL is a SCIM base URL, to be checked
	// directly.
	KindSCIM = "scim"
	// KindProxy is a forward proxy whose URL (http://127.0.0.1:PORT) a
	// client uses as its proxy, never as a SCIM URL.
	KindProxy = "proxy"
)

// Endpoint describes one lab endpoint. Catalog and ProxyCatalog return it
// without URL, Addr, ServerName and Origin, and Start fills them in.
type Endpoint struct {
	// Name is the short identifier used on the command line, such as
	// "tls10-only".
	Name string `json:"name"`
	// Summary is one line on what the endpoint gets wrong.
	Summary string `json:"summary"`
	// Fault is the failure class the endpoint reproduces, such as "TLS
	// version too old".
	Fault string `json:"fault"`
	// Fix is one line on what would fix the fault on a real server.
	Fix string `json:"fix"`
	// Kind is KindSCIM or KindProxy.
	Kind string `json:"kind"`
	// IdPEffect, for a SCIM fault endpoint, is what Okta and Entra ID do
	// with the fault, as the conformance engine predicts it.
	IdPEffect string `json:"idp_effect,omitempty"`
	// WriteOnly marks a SCIM fault that only requests that change data
	// show (scimdoctor scim --write), so the read-only SCIM layer of
	// check passes on it.
	WriteOnly bool `json:"write_only,omitempty"`

	// URL is the SCIM base URL, such as https://localhost:40123/scim/v2. It
	// names localhost, which the lab certificates are issued for, while the
	// server listens on 127.0.0.1 only. For a proxy it is the proxy URL,
	// such as http://127.0.0.1:40124.
	URL string `json:"url,omitempty"`
	// Addr is the listening address, such as 127.0.0.1:40123.
	Addr string `json:"addr,omitempty"`
	// ServerName is the host name a client checks the certificate against.
	// It is empty for a proxy.
	ServerName string `json:"server_name,omitempty"`
	// Origin is the address ("127.0.0.1:PORT") of the server behind a
	// reverse proxy, for a client that compares the front with the origin
	// (check --origin). It is empty for endpoints without an origin.
	Origin string `json:"origin,omitempty"`
	// Repeat is the number of repeated version probes (check --repeat)
	// that shows the endpoint's fault, for a pool whose members differ;
	// 0 for the others.
	Repeat int `json:"repeat,omitempty"`
}

// Options tunes a lab. The zero value is valid.
type Options struct {
	// Logger receives one record per accepted connection and per error the
	// servers catch, such as a failed TLS handshake. Nil discards them.
	Logger *slog.Logger
}

// Lab is a set of running endpoints and the PKI they share.
type Lab struct {
	// Endpoints lists the running SCIM endpoints (KindSCIM) in catalog
	// order. Every URL in it is a SCIM base URL that check can be run on.
	Endpoints []Endpoint
	// Proxies lists the running forward proxies (KindProxy) in catalog
	// order. Their URLs are proxy URLs, not SCIM URLs.
	Proxies []Endpoint
	// CACertPEM is the lab root CA certificate in PEM form. Every lab
	// certificate chains to it, except the self-signed one and those the
	// inspection proxy issues.
	CACertPEM []byte
	// CAFile is the path of a file holding CACertPEM, for clients that take a
	// CA file (curl --cacert). Close removes it.
	CAFile string
	// InspectionCACertPEM is the CA certificate of the inspection-proxy
	// endpoint in PEM form, a root unrelated to the lab root.
	InspectionCACertPEM []byte
	// InspectionCAFile is the path of a file holding InspectionCACertPEM, in
	// the directory of CAFile. Close removes it.
	InspectionCAFile string
	// Token is the bearer token the SCIM handlers accept (BearerToken).
	Token string

	roots   *x509.CertPool
	backend *scimBackend
	servers []server
	wg      sync.WaitGroup
	tempDir string
	logger  *slog.Logger

	mu               sync.Mutex // guards stopContextWatch
	stopContextWatch func() bool
	closeOnce        sync.Once
	closeErr         error
}

// Catalog returns every SCIM endpoint of the lab (KindSCIM), in the order
// Start runs them, without addresses.
func Catalog() []Endpoint {
	return catalogOf(KindSCIM)
}

// ProxyCatalog returns every forward proxy of the lab (KindProxy), in the
// order Start runs them, without addresses.
func ProxyCatalog() []Endpoint {
	return catalogOf(KindProxy)
}

func catalogOf(kind string) []Endpoint {
	var endpoints []Endpoint
	for _, s := range catalog {
		if s.Kind == kind {
			endpoints = append(endpoints, s.Endpoint)
		}
	}
	return endpoints
}

// Start runs the named endpoints, or every endpoint and every proxy when no
// name is given, each on its own port of 127.0.0.1. An unknown name is an
// error that lists the valid names. The lab closes itself when ctx is done,
// and callers still call Close to wait for the shutdown and to see its error.
func Start(ctx context.Context, names ...string) (*Lab, error) {
	return StartWithOptions(ctx, Options{}, names...)
}

// StartWithOptions is Start with the settings of opts.
func StartWithOptions(ctx context.Context, opts Options, names ...string) (*Lab, error) {
	specs, err := selectSpecs(names)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start lab: %w", err)
	}

	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}

	authority, err := newPKI(time.Now())
	if err != nil {
		return nil, err
	}
	l := &Lab{
		CACertPEM:           authority.rootPEM(),
		InspectionCACertPEM: authority.inspectionPEM(),
		Token:               BearerToken,
		roots:               x509.NewCertPool(),
		logger:              logger,
	}
	l.roots.AddCert(authority.root.cert)

	if err := l.writeCAFile(); err != nil {
		return nil, err
	}
	backend, err := openSCIMBackend(ctx, l.tempDir)
	if err != nil {
		return nil, errors.Join(err, l.Close())
	}
	l.backend = backend
	if err := l.startIssuerServer(authority); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	for _, s := range specs {
		if err := l.startEndpoint(ctx, s, authority); err != nil {
			closeErr := l.Close()
			return nil, errors.Join(err, closeErr)
		}
	}

	// The lock makes a Close that the context triggers at once wait until
	// the stop function is stored.
	l.mu.Lock()
	l.stopContextWatch = context.AfterFunc(ctx, func() {
		if err := l.Close(); err != nil {
			logger.Error("close lab after context end", "error", err)
		}
	})
	l.mu.Unlock()
	return l, nil
}

func selectSpecs(names []string) ([]endpointSpec, error) {
	if len(names) == 0 {
		return catalog, nil
	}
	var specs []endpointSpec
	seen := make(map[string]bool)
	for _, name := range names {
		s, ok := specByName(name)
		if !ok {
			return nil, fmt.Errorf("unknown lab endpoint %q: valid names are %s", name, catalogNames())
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		specs = append(specs, s)
	}
	return specs, nil
}

func (l *Lab) writeCAFile() error {
	dir, err := os.MkdirTemp("", "scimdoctor-lab-")
	if err != nil {
		return fmt.Errorf("create lab temp dir: %w", err)
	}
	l.tempDir = dir
	l.CAFile = filepath.Join(dir, "lab-root-ca.pem")
	if err := os.WriteFile(l.CAFile, l.CACertPEM, 0o644); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("write lab CA file: %w", err)
	}
	l.InspectionCAFile = filepath.Join(dir, "lab-inspection-ca.pem")
	if err := os.WriteFile(l.InspectionCAFile, l.InspectionCACertPEM, 0o644); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("write lab inspection CA file: %w", err)
	}
	return nil
}

// startEndpoint builds the server of s, binds it to a free port of 127.0.0.1
// and runs it in a goroutine that Close waits for.
func (l *Lab) startEndpoint(ctx context.Context, s endpointSpec, authority *pki) error {
	logger := l.logger.With("endpoint", s.Name)
	var handler http.Handler
	if s.Kind == KindSCIM {
		h, err := l.backend.handler(ctx, s.Name, logger)
		if err != nil {
			return fmt.Errorf("build lab endpoint %s: %w", s.Name, err)
		}
		handler = h
		if s.fault != nil {
			handler = s.fault(handler, logger)
		}
	}
	srv, err := s.build(authority, handler, logger)
	if err != nil {
		return fmt.Errorf("build lab endpoint %s: %w", s.Name, err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		srv.close()
		return fmt.Errorf("listen for lab endpoint %s on 127.0.0.1: %w", s.Name, err)
	}
	l.servers = append(l.servers, srv)
	srv.start(ln, &l.wg)

	addr := ln.Addr().(*net.TCPAddr)
	endpoint := s.Endpoint
	endpoint.Addr = addr.String()
	if o, ok := srv.(originServer); ok {
		endpoint.Origin = o.originAddr()
	}
	if s.Kind == KindProxy {
		endpoint.URL = (&url.URL{Scheme: "http", Host: endpoint.Addr}).String()
		l.Proxies = append(l.Proxies, endpoint)
	} else {
		endpoint.ServerName = labHost
		endpoint.URL = (&url.URL{
			Scheme: "https",
			Host:   net.JoinHostPort(labHost, fmt.Sprint(addr.Port)),
			Path:   scimBasePath,
		}).String()
		l.Endpoints = append(l.Endpoints, endpoint)
	}

	logger.Info("lab endpoint listening", "addr", endpoint.Addr, "url", endpoint.URL)
	return nil
}

// Endpoint returns the running endpoint or proxy with the given name.
func (l *Lab) Endpoint(name string) (Endpoint, bool) {
	for _, list := range [][]Endpoint{l.Endpoints, l.Proxies} {
		for _, e := range list {
			if e.Name == name {
				return e, true
			}
		}
	}
	return Endpoint{}, false
}

// CertPool returns a new pool that holds the lab root CA.
func (l *Lab) CertPool() *x509.CertPool {
	return l.roots.Clone()
}

// Close stops every listener, closes every open connection, waits for the
// goroutines Start began, closes the SCIM database and removes it and the
// CA files. It returns the same error on every call.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		if l.stopContextWatch != nil {
			l.stopContextWatch()
		}
		l.mu.Unlock()
		var errs []error
		for _, srv := range l.servers {
			if err := srv.close(); err != nil {
				errs = append(errs, err)
			}
		}
		l.wg.Wait()
		if l.backend != nil {
			if err := l.backend.close(); err != nil {
				errs = append(errs, err)
			}
		}
		if l.tempDir != "" {
			if err := os.RemoveAll(l.tempDir); err != nil {
				errs = append(errs, fmt.Errorf("remove lab temp dir: %w", err))
			}
		}
		l.closeErr = errors.Join(errs...)
		l.logger.Info("lab closed", "endpoints", len(l.Endpoints), "proxies", len(l.Proxies))
	})
	return l.closeErr
}

// startIssuerServer serves the intermediate CA certificate over plain HTTP
// on 127.0.0.1, in DER as public CAs publish it, and makes it the AIA
// caIssuers URL of every leaf issued afterwards. Clients that fetch AIA
// issuers (Windows SChannel, scimdoctor tls --fetch-aia) then complete the
// chain of the missing-intermediate endpoint, and clients that do not
// (Java, OpenSSL) still fail.
func (l *Lab) startIssuerServer(authority *pki) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the lab's AIA issuer server: %w", err)
	}
	der := authority.intermediate.cert.Raw
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != labIntermediatePath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(der)
	})
	srv := newHTTPServer(handler, nil, l.logger)
	srv.start(ln, &l.wg)
	l.servers = append(l.servers, srv)
	authority.issuerURL = "http://" + ln.Addr().String() + labIntermediatePath
	l.logger.Info("lab AIA issuer server started", "url", authority.issuerURL)
	return nil
}
