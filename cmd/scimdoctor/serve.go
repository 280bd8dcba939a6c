package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/scim/inspector"
	"github.com/scimdoctor/scimdoctor/scim/server"
	"github.com/scimdoctor/scimdoctor/scim/store"
	"github.com/scimdoctor/scimdoctor/scim/store/sqlstore"
)

type serveFlags struct {
	listen    string
	db        string
	tlsCert   string
	tlsKey    string
	tlsMin    string
	logFormat string
	maxBody   int64
	rate      float64
	strict    bool

	inspector       bool
	adminTokenFile  string
	saveProfile     string
	saveProfileFrom string
	profileDir      string
}

// selfSignedFile is the name of the generated certificate and key, kept
// next to an SQLite database (or in the working folder for PostgreSQL) and
// reused on the next start, so an IdP that trusts it once keeps trusting it.
const selfSignedFile = "scimdoctor-tls.pem"

// selfSignedValidity is the lifetime of a generated certificate.
const selfSignedValidity = 365 * 24 * time.Hour

func (a *app) serveCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a SCIM 2.0 server to point an identity provider at",
		Long: `serve runs a SCIM 2.0 service provider (RFC 7643, RFC 7644) over HTTPS, with
the base URL https://LISTEN/scim/v2 and per-tenant URLs
https://LISTEN/tenants/TENANT/scim/v2. It stores Users and Groups in an SQLite
file (--db scimdoctor.db) or in PostgreSQL (--db postgres://...), accepts the
PATCH dialects of Okta and Entra ID, and logs every request.

Clients authenticate with a bearer token from "scimdoctor serve token create",
HTTP Basic credentials from "scimdoctor serve token create --basic USER", or a
token from POST /oauth/token with the client-credentials grant and a client
from "scimdoctor serve client create". Each credential belongs to one tenant:
under /scim/v2 a request works on the tenant of its credential, and under
/tenants/TENANT/scim/v2 TENANT must be that tenant, or the request gets 403.
"serve token list", "serve token revoke" and "serve token reset" (and the same
under "serve client") manage the credentials.

Without --tls-cert and --tls-key, serve generates a self-signed certificate
on first start, keeps it in scimdoctor-tls.pem next to the database and prints
its SHA-256 fingerprint. A --tls-cert that has expired, is not yet valid or
does not name the --listen host (unless that is a loopback or wildcard
address) gets a warning in the log at start.
GET /healthz and GET /metrics need no credential.

SIGINT or SIGTERM stops serve after the requests in flight finish (at most
30 s); a second signal stops it at once and cuts those requests off.

The inspector records every TLS handshake attempt (the ClientHello, and for a
failure the reason, such as a client that offers only TLS 1.0) and every
request, and shows them at https://LISTEN/_inspector behind an admin token:
the token of --admin-token-file, or one generated at start and printed once.
--save-profile NAME saves the first ClientHello that arrives as the client
profile NAME.json, for "scimdoctor check --client-file NAME.json".`,
		Example: "  scimdoctor serve token create --name okta\n  scimdoctor serve --listen 127.0.0.1:8443\n  scimdoctor serve --db postgres://scim@127.0.0.1/scim --tls-cert cert.pem --tls-key key.pem\n  scimdoctor serve --listen 0.0.0.0:8443 --save-profile okta-recorded",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runServe(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "HOST:PORT to listen on; the default reaches only this machine, use 0.0.0.0:8443 for an IdP on the internet")
	cmd.PersistentFlags().StringVar(&f.db, "db", "scimdoctor.db", "SQLite file path, or a postgres:// URL")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate chain file (default: a self-signed certificate)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM private key file of --tls-cert")
	fl.StringVar(&f.tlsMin, "tls-min", "1.2", "lowest TLS version to accept: 1.0, 1.1, 1.2 or 1.3; 1.0 and 1.1 only to reproduce an old client")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	fl.Int64Var(&f.maxBody, "max-body", server.DefaultMaxBodyBytes, "largest request body in bytes; larger ones get 413")
	fl.Float64Var(&f.rate, "rate", 100, "requests per second that one credential may send, at least 0.01, in bursts of up to twice as many; 0 turns the limit off")
	fl.BoolVar(&f.strict, "strict", false, "reject the IdP dialects that RFC 7644 does not allow (such as \"op\":\"Replace\" and string booleans) instead of accepting them")
	fl.BoolVar(&f.inspector, "inspector", true, "record TLS handshakes and requests and serve them at /_inspector; --inspector=false turns it off")
	fl.StringVar(&f.adminTokenFile, "admin-token-file", "", "file whose first line is the inspector's admin token, at least 16 characters (default: a new token, printed once at start)")
	fl.StringVar(&f.saveProfile, "save-profile", "", "save the first recorded ClientHello as the client profile NAME.json (lowercase letters, digits, '.', '_' and '-')")
	fl.StringVar(&f.saveProfileFrom, "save-profile-from", "", "with --save-profile: take the first ClientHello from this client IP address only")
	fl.StringVar(&f.profileDir, "profile-dir", ".", "folder that --save-profile writes NAME.json into")
	cmd.AddCommand(a.serveTokenCommand(&f), a.serveClientCommand(&f))
	return cmd
}

func (a *app) serveTokenCommand(f *serveFlags) *cobra.Command {
	var tenant, name, basic string
	token := &cobra.Command{Use: "token", Short: "Manage the credentials of serve", Args: cobra.NoArgs}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a bearer token (or, with --basic, an HTTP Basic user) and print it once",
		Long: `token create stores a new random credential for one tenant in the database of
--db and prints it once. Only its SHA-256 hash is stored, so it cannot be
shown again: replace a lost one with "serve token reset".`,
		Example: "  scimdoctor serve token create --name okta-test\n  scimdoctor serve token create --tenant acme --basic okta",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				if basic != "" {
					password, err := server.CreateBasicUser(ctx, cs, tenant, basic)
					if errors.Is(err, store.ErrCredentialExists) {
						return withHint(fmt.Errorf("the Basic user %q exists already", basic), "choose another user name")
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "user:     %s\npassword: %s\ntenant:   %s\n", basic, password, tenant)
					return nil
				}
				if name == "" {
					name = "token-" + time.Now().UTC().Format("20060102T150405Z")
				}
				t, err := server.CreateToken(ctx, cs, tenant, name)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, t)
				fmt.Fprintf(a.stderr, "scimdoctor: created token %q for tenant %q; it is shown only once\n", name, tenant)
				return nil
			})
		},
	}
	create.Flags().StringVar(&tenant, "tenant", "default", "tenant the credential reaches")
	create.Flags().StringVar(&name, "name", "", "label of the token in logs (default token-TIME)")
	create.Flags().StringVar(&basic, "basic", "", "create an HTTP Basic user with this name and a random password instead of a token")
	token.AddCommand(create, a.serveTokenListCommand(f), a.serveTokenRevokeCommand(f), a.serveTokenResetCommand(f))
	return token
}

func (a *app) serveClientCommand(f *serveFlags) *cobra.Command {
	var tenant, name string
	client := &cobra.Command{Use: "client", Short: "Manage the OAuth 2.0 clients of serve", Args: cobra.NoArgs}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an OAuth 2.0 client for the client-credentials grant and print its id and secret once",
		Long: `client create stores a new OAuth 2.0 client for one tenant. The IdP sends its id
and secret to POST /oauth/token with grant_type=client_credentials and gets a
bearer token that lasts one hour. Only the secret's SHA-256 hash is stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				id, secret, err := server.CreateClient(ctx, cs, tenant, name)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "client_id:     %s\nclient_secret: %s\ntenant:        %s\ntoken URL:     https://HOST:PORT/oauth/token\n", id, secret, tenant)
				return nil
			})
		},
	}
	create.Flags().StringVar(&tenant, "tenant", "default", "tenant the client's tokens reach")
	create.Flags().StringVar(&name, "name", "", "label of the client in logs (default: the client id)")
	client.AddCommand(create, a.serveClientListCommand(f), a.serveClientRevokeCommand(f))
	return client
}

// withCredentials opens the database of --db for a credential command.
func (a *app) withCredentials(ctx context.Context, db string, fn func(context.Context, store.CredentialAdmin) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := sqlstore.Open(ctx, db)
	if err != nil {
		return withHint(err, "pass --db with the same value serve uses")
	}
	defer st.Close()
	return fn(ctx, st)
}

func (a *app) runServe(ctx context.Context, f serveFlags) error {
	logger, err := newLogger(f.logFormat, a.stderr)
	if err != nil {
		return err
	}
	minVersion, err := parseTLSMin(f.tlsMin)
	if err != nil {
		return err
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return withHint(errors.New("--tls-cert and --tls-key must be given together"), "give both files, or neither for a self-signed certificate")
	}
	if f.maxBody < 1024 {
		return withHint(fmt.Errorf("invalid --max-body %d: the minimum is 1024 bytes", f.maxBody), "the default is 1048576 (1 MiB)")
	}
	if err := checkRate(f.rate); err != nil {
		return err
	}
	if err := checkInspectorFlags(f); err != nil {
		return err
	}
	adminToken, err := loadAdminToken(f)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, abort, stopSignals := a.handleSignals(ctx, logger)
	defer stopSignals()

	st, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		return withHint(err, "check --db: an SQLite file path in an existing folder, or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
	}
	defer st.Close()

	cert, fingerprint, generated, err := loadCertificate(f, logger)
	if err != nil {
		return err
	}
	if generated == "" {
		warnCertificate(logger, cert.Leaf, f.listen, time.Now())
	}
	cfg := server.Config{
		Store:         st,
		Credentials:   st,
		Logger:        logger,
		MaxBodyBytes:  f.maxBody,
		RatePerSecond: f.rate,
		Strict:        f.strict,
		Abort:         abort,
	}
	var rec *inspector.Recorder
	if f.inspector {
		rec = inspector.NewRecorder(inspector.Options{})
		page := rec.Handler(inspector.HashToken(adminToken))
		cfg.Wrap = rec.Middleware
		cfg.ConnContext = inspector.ConnContext
		cfg.Mounts = []server.Mount{
			{Pattern: inspectorPath, Name: "inspector", Handler: page},
			{Pattern: inspectorPath + "/", Name: "inspector", Handler: page},
		}
		cfg.Metrics = rec.HandshakeCounts().WritePrometheus
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}

	raw, err := net.Listen("tcp", f.listen)
	if err != nil {
		return withHint(fmt.Errorf("listening on %s failed: %w", f.listen, err), "choose a free port with --listen, such as 127.0.0.1:9443")
	}
	var ln net.Listener
	if rec != nil {
		ln = inspector.Listen(raw, serverTLSConfig(cert, minVersion), rec)
	} else {
		ln = tls.NewListener(raw, serverTLSConfig(cert, minVersion))
	}

	origin := "https://" + displayAddr(raw.Addr())
	base := origin + server.BasePath
	fmt.Fprintf(a.stdout, "scimdoctor: serving SCIM at %s\n", base)
	fmt.Fprintf(a.stdout, "scimdoctor: certificate SHA-256 fingerprint %s", fingerprint)
	if generated != "" {
		fmt.Fprintf(a.stdout, " (self-signed, %s)", generated)
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintf(a.stdout, "scimdoctor: create a token with: scimdoctor serve token create --db %s\n", redactDB(f.db))
	if rec != nil {
		fmt.Fprintf(a.stdout, "scimdoctor: inspector at %s%s\n", origin, inspectorPath)
		if f.adminTokenFile != "" {
			fmt.Fprintf(a.stdout, "scimdoctor: inspector admin token: the one in %s\n", f.adminTokenFile)
		} else {
			fmt.Fprintf(a.stdout, "scimdoctor: inspector admin token (shown only once; pass --admin-token-file to keep one): %s\n", adminToken)
		}
	}
	if minVersion < tls.VersionTLS12 {
		logger.Warn("--tls-min "+f.tlsMin+" accepts TLS versions that Okta and Entra ID refuse and that RFC 8996 deprecates; use it only to reproduce an old client", "tls_min", f.tlsMin)
	}
	logger.Info("listening", "url", base, "tls_min", f.tlsMin, "db", redactDB(f.db), "inspector", rec != nil)

	if f.saveProfile != "" {
		go saveProfile(ctx, rec, f, logger)
	}

	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	return nil
}

// inspectorPath is the URL path of the inspector's page and API.
const inspectorPath = "/_inspector"

// minAdminTokenLength is the shortest admin token --admin-token-file may
// hold, so a guessable word does not open the inspector.
const minAdminTokenLength = 16

// checkInspectorFlags checks the inspector's flags before serve opens
// anything, so a mistake is a usage error at start, not after the first
// client.
func checkInspectorFlags(f serveFlags) error {
	if !f.inspector {
		needInspector := []struct{ flag, value string }{
			{"admin-token-file", f.adminTokenFile},
			{"save-profile", f.saveProfile},
			{"save-profile-from", f.saveProfileFrom},
		}
		for _, n := range needInspector {
			if n.value != "" {
				return withHint(fmt.Errorf("--%s needs the inspector, but --inspector=false turns it off", n.flag), "drop one of the two flags")
			}
		}
	}
	if f.saveProfileFrom != "" {
		if f.saveProfile == "" {
			return withHint(errors.New("--save-profile-from needs --save-profile"), "add --save-profile NAME")
		}
		if net.ParseIP(f.saveProfileFrom) == nil {
			return withHint(fmt.Errorf("invalid --save-profile-from %q: not an IP address", f.saveProfileFrom), "give the client's IP address as the inspector shows it, such as 203.0.113.7")
		}
	}
	if f.saveProfile == "" {
		return nil
	}
	if err := inspector.CheckProfileName(f.saveProfile); err != nil {
		return withHint(fmt.Errorf("invalid --save-profile: %w", err), "the name becomes the file NAME.json and the profile's name in check --client-file")
	}
	info, err := os.Stat(f.profileDir)
	if err != nil || !info.IsDir() {
		return withHint(fmt.Errorf("invalid --profile-dir %q: not an existing folder", f.profileDir), "create the folder first, or leave --profile-dir out to write into the current folder")
	}
	file := filepath.Join(f.profileDir, f.saveProfile+".json")
	if _, err := os.Stat(file); err == nil {
		return withHint(fmt.Errorf("the profile file %s exists already", file), "remove it, or choose another --save-profile name")
	}
	return nil
}

// loadAdminToken returns the first line of --admin-token-file, or a new
// random token when the flag is empty and the inspector is on.
func loadAdminToken(f serveFlags) (string, error) {
	if !f.inspector {
		return "", nil
	}
	if f.adminTokenFile == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("generating the inspector's admin token: %w", err)
		}
		return "scimdoctor_admin_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
	}
	data, err := os.ReadFile(f.adminTokenFile)
	if err != nil {
		return "", withHint(fmt.Errorf("reading --admin-token-file failed: %w", err), "give a readable file whose first line is the token")
	}
	line, _, _ := strings.Cut(string(data), "\n")
	token := strings.TrimSpace(line)
	if len(token) < minAdminTokenLength {
		return "", withHint(fmt.Errorf("the admin token in %s has %d characters; the minimum is %d", f.adminTokenFile, len(token), minAdminTokenLength), "write a long random token into the file, such as the output of: openssl rand -base64 32")
	}
	return token, nil
}

// saveProfile waits for the first ClientHello that matches
// --save-profile-from, writes it as the profile file of --save-profile and
// logs the outcome. Serving goes on either way.
func saveProfile(ctx context.Context, rec *inspector.Recorder, f serveFlags, logger *slog.Logger) {
	from := f.saveProfileFrom
	if from == "" {
		logger.Info("waiting for a ClientHello to save as a client profile", "profile", f.saveProfile)
	} else {
		logger.Info("waiting for a ClientHello to save as a client profile", "profile", f.saveProfile, "client", from)
	}
	path, h, err := rec.SaveProfile(ctx, f.saveProfile, from, f.profileDir)
	if err != nil {
		if ctx.Err() != nil {
			logger.Warn("no ClientHello arrived before shutdown; the client profile was not saved", "profile", f.saveProfile)
			return
		}
		logger.Error("saving the client profile failed", "profile", f.saveProfile, "error", err)
		return
	}
	logger.Info("saved client profile", "file", path, "client", h.RemoteAddr, "ja4", h.JA4, "handshake", h.Outcome,
		"next", "scimdoctor check --client-file "+path+" URL")
}

func newLogger(format string, w interface{ Write([]byte) (int, error) }) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, withHint(fmt.Errorf("invalid --log-format %q", format), "use text or json")
}

func parseTLSMin(v string) (uint16, error) {
	switch v {
	case "1.0":
		return tls.VersionTLS10, nil
	case "1.1":
		return tls.VersionTLS11, nil
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, withHint(fmt.Errorf("invalid --tls-min %q", v), "use 1.0, 1.1, 1.2 or 1.3")
}

// modernSuites are the TLS 1.2 suites serve offers from --tls-min 1.2
// on: ECDHE key exchange with AEAD ciphers, which Entra ID's published
// list and Okta's JDK clients both include. TLS 1.3 suites are not
// configurable in crypto/tls.
var modernSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// serverTLSConfig returns the TLS settings of serve. Below TLS 1.2 it
// keeps Go's default suites, because the old versions have no AEAD suite.
func serverTLSConfig(cert tls.Certificate, minVersion uint16) *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		NextProtos:   []string{"h2", "http/1.1"},
	}
	if minVersion >= tls.VersionTLS12 {
		cfg.CipherSuites = modernSuites
	}
	return cfg
}

// loadCertificate loads --tls-cert and --tls-key, or the self-signed
// certificate next to the database, generating it on first start. It
// returns the leaf's SHA-256 fingerprint and, for a self-signed one, the
// file it lives in.
func loadCertificate(f serveFlags, logger *slog.Logger) (tls.Certificate, string, string, error) {
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return tls.Certificate{}, "", "", withHint(fmt.Errorf("loading --tls-cert %s and --tls-key %s failed: %w", f.tlsCert, f.tlsKey, err), "give PEM files: the certificate chain (leaf first) and its unencrypted private key")
		}
		return cert, fingerprintOf(cert), "", nil
	}

	dir := "."
	if !strings.Contains(f.db, "://") {
		dir = filepath.Dir(f.db)
	}
	path := filepath.Join(dir, selfSignedFile)

	if data, err := os.ReadFile(path); err == nil {
		cert, err := tls.X509KeyPair(data, data)
		if err != nil {
			return tls.Certificate{}, "", "", withHint(fmt.Errorf("reading the self-signed certificate %s failed: %w", path, err), "delete the file to generate a new one, or pass --tls-cert and --tls-key")
		}
		if cert.Leaf != nil && time.Now().After(cert.Leaf.NotAfter) {
			return tls.Certificate{}, "", "", withHint(fmt.Errorf("the self-signed certificate %s expired on %s", path, cert.Leaf.NotAfter.Format(time.DateOnly)), "delete the file to generate a new one")
		}
		return cert, fingerprintOf(cert), path, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return tls.Certificate{}, "", "", fmt.Errorf("reading the self-signed certificate %s failed: %w", path, err)
	}

	pemData, err := generateSelfSigned(f.listen)
	if err != nil {
		return tls.Certificate{}, "", "", err
	}
	if err := os.WriteFile(path, pemData, 0o600); err != nil {
		return tls.Certificate{}, "", "", withHint(fmt.Errorf("writing the self-signed certificate %s failed: %w", path, err), "make the folder of --db writable, or pass --tls-cert and --tls-key")
	}
	cert, err := tls.X509KeyPair(pemData, pemData)
	if err != nil {
		return tls.Certificate{}, "", "", fmt.Errorf("loading the generated certificate: %w", err) // unreachable: just generated
	}
	logger.Info("generated a self-signed certificate", "file", path)
	return cert, fingerprintOf(cert), path, nil
}

// generateSelfSigned returns a PEM certificate and PKCS #8 key (ECDSA
// P-256) for localhost, 127.0.0.1, ::1 and the host of listen.
func generateSelfSigned(listen string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating a serial number: %w", err)
	}

	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "scimdoctor serve"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsUnspecified() && !ip.IsLoopback() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if host != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		}
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating the certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding the key: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return out, nil
}

// fingerprintOf returns the SHA-256 of the leaf certificate as
// colon-separated upper-case hex, the form browsers and openssl print.
func fingerprintOf(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// displayAddr returns the listening address for the printed URL, with
// localhost's IP for an unspecified host.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// redactDB replaces the password of a postgres:// URL, in its user
// information or in a password query parameter, for the log and the
// startup lines.
func redactDB(db string) string {
	if !strings.Contains(db, "://") {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		// An unparsable URL may still hold a password: show only the scheme.
		scheme, _, _ := strings.Cut(db, "://")
		return scheme + "://REDACTED"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// minRate is the lowest --rate other than 0. Below it, a client waits
// more than 100 s for each request after its burst, which is a mistake
// rather than a limit.
const minRate = 0.01

// checkRate checks --rate: 0, or a finite number of at least minRate.
func checkRate(rate float64) error {
	if rate == 0 {
		return nil
	}
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate < minRate {
		return withHint(fmt.Errorf("invalid --rate %g: give a finite number of requests per second of at least %g", rate, minRate), "the default is 100; 0 turns the limit off")
	}
	return nil
}

// handleSignals returns a context that ends at the first SIGINT or
// SIGTERM, and a channel that is closed at the second one, for
// server.Config.Abort. The returned function stops listening for signals.
func (a *app) handleSignals(ctx context.Context, logger *slog.Logger) (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(ctx)
	abort := make(chan struct{})
	done := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-signals:
			logger.Info("received a stop signal; send it again to stop at once", "signal", sig.String())
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-signals:
			logger.Warn("received a second stop signal; stopping at once", "signal", sig.String())
			close(abort)
		case <-done:
		}
	}()
	stop := func() {
		signal.Stop(signals)
		close(done)
		cancel()
	}
	return ctx, abort, stop
}

// warnCertificate logs a warning for a --tls-cert leaf that is outside
// its validity period at now, or whose names do not cover the host of
// listen. The warning carries the error lines that the client profiles of
// Okta and Entra ID expect those clients to log for it.
func warnCertificate(logger *slog.Logger, leaf *x509.Certificate, listen string, now time.Time) {
	if leaf == nil {
		return
	}
	switch {
	case now.After(leaf.NotAfter):
		logger.Warn(fmt.Sprintf("the certificate of --tls-cert expired on %s (NotAfter), so IdPs reject the handshake", leaf.NotAfter.UTC().Format(time.RFC3339)),
			append(idpLogLines("expired", ""), "next", "renew the certificate and restart serve")...)
	case now.Before(leaf.NotBefore):
		logger.Warn(fmt.Sprintf("the certificate of --tls-cert is not valid before %s (NotBefore), so IdPs reject the handshake", leaf.NotBefore.UTC().Format(time.RFC3339)),
			append(idpLogLines("not_yet_valid", ""), "next", "check the clock of this machine, or use a certificate that is valid now")...)
	}

	host, _, err := net.SplitHostPort(listen)
	if err != nil || host == "" {
		return
	}
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsUnspecified() || ip.IsLoopback()) {
		// 0.0.0.0 and :: do not say which name the IdP uses, and no IdP
		// connects to a loopback address: a proxy in front of serve does.
		return
	}
	if err := leaf.VerifyHostname(host); err != nil {
		class := "hostname_mismatch"
		if ip != nil {
			class = "hostname_mismatch_ip"
		}
		logger.Warn(fmt.Sprintf("the certificate of --tls-cert does not name the --listen host %s, so an IdP that connects to %s rejects it", host, host),
			append(idpLogLines(class, host), "next", "use a certificate whose subjectAltName contains the host the IdP connects to")...)
	}
}

// idpLogLines returns log attributes with the lines that the client
// profiles of Okta and Entra ID expect them to log for a failure class,
// with host in place of the {host} placeholder. Most of these texts are
// inferred from the IdPs' runtimes, as each profile's confidence states.
func idpLogLines(class, host string) []any {
	var attrs []any
	for _, idp := range []string{"okta", "entra"} {
		p, ok := clients.Lookup(idp)
		if !ok {
			continue
		}
		text, ok := p.Errors[class]
		if !ok {
			continue
		}
		line := text.Message
		if text.Exception != "" {
			line = text.Exception + ": " + line
		}
		attrs = append(attrs, idp+"_expected_log", strings.ReplaceAll(line, "{host}", host))
	}
	return attrs
}
