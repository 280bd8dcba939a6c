package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/conformance"
)

// Environment variables that carry secrets, so they stay out of shell
// history and process listings.
const (
	envToken        = "SCIMDOCTOR_TOKEN"
	envBasic        = "SCIMDOCTOR_BASIC"
	envClientSecret = "SCIMDOCTOR_CLIENT_SECRET"
)

type scimFlags struct {
	profiles       []string
	write          bool
	plan           bool
	user           string
	token          string
	basic          string
	oauth          string
	oauthScope     string
	headers        []string
	oktaApp        string
	oktaDeactivate string
	entraMode      string
	format         string
	timeout        time.Duration
	cleanupTimeout time.Duration
	prefix         string
	cacerts        []string
}

func (a *app) scimCommand() *cobra.Command {
	var f scimFlags
	cmd := &cobra.Command{
		Use:   "scim URL",
		Short: "Replay the SCIM requests Okta and Entra ID send, and judge each response as they do",
		Long: `scim sends to a SCIM base URL the requests each identity provider really
sends, and reports for each one whether it passes, what the IdP does with the
response and the message its admin would read.

Profiles: okta (Okta's provisioning engine and its OIN spec test), entra
(Entra ID's provisioning service, in its default PATCH dialect or with the
aadOptscim062020 flag), rfc (strict RFC 7643/7644 checks where both IdPs are
lenient).

By default only read-only requests are sent: connection tests, discovery,
lookups that match nothing and, with --user, look-ups of an existing user.
--write adds the create, update, password sync, deactivate and group flows
on resources named PREFIX... (default scimdoctor-<random>-), and removes them
afterwards, also when a step fails or on Ctrl-C; what could not be removed is
listed with its id. --plan prints every request without sending one.

Okta apps come in two kinds, selected with --okta-app: catalog (OIN apps, the
default) deactivates, reactivates and syncs passwords by PATCH and pushes
groups by PATCH; wizard (apps built with the App Integration Wizard) sends
every user change as a PUT of the whole user and pushes groups as a PUT of
the whole group. --okta-deactivate put is the older spelling of
--okta-app wizard.

Credentials: --token (or $SCIMDOCTOR_TOKEN), --basic USER:PASSWORD (or
$SCIMDOCTOR_BASIC), --oauth-client-credentials TOKEN_URL,CLIENT_ID with the
secret in $SCIMDOCTOR_CLIENT_SECRET. Secrets are redacted in every output:
the Authorization header, credential and password fields of JSON bodies and
query parameters always, and secrets of 8 or more characters also where a
server quotes them in free text.

A base URL that Okta or Entra ID rejects before sending anything (http://,
or an underscore for Okta) is reported as a warning at the top. When a
request gets no response, the report shows the line the IdP's admin would
read (for Okta, its Java client's text such as "PKIX path building failed")
and a hint: pass --cacert for a private CA, or run scimdoctor check.

Exit codes: 0 no request failed, 1 a request failed or a created resource
was left behind, 2 usage or input error, 3 the endpoint could not be reached,
stopped responding, or speaks HTTPS on the port of an http:// URL (a token
endpoint that answers without a token, such as "invalid_client", is exit 1), 130
interrupted (after the cleanup).`,
		Example: "  SCIMDOCTOR_TOKEN=... scimdoctor scim https://scim.example.com/scim/v2\n" +
			"  scimdoctor scim --write --profile okta --okta-app wizard https://scim.example.com/scim/v2\n" +
			"  scimdoctor scim --plan --write --format json https://scim.example.com/scim/v2\n" +
			"  scimdoctor scim --write --format junit https://scim.example.com/scim/v2 > scim-junit.xml",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return withHint(fmt.Errorf("scim takes one URL, got %d arguments", len(args)), "scimdoctor scim https://scim.example.com/scim/v2")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("profile") && len(f.profiles) == 0 {
				return withHint(errors.New("--profile is empty"), "name one or more of "+strings.Join(conformance.ProfileNames(), ", "))
			}
			if cmd.Flags().Changed("token") && f.token == "" {
				return withHint(errors.New("--token is empty"), "pass the token the IdP sends, set $"+envToken+", or leave the flag out")
			}
			if cmd.Flags().Changed("user") && f.user == "" {
				return withHint(errors.New("--user is empty"), "give the userName of a user that exists on the server, or leave the flag out")
			}
			return a.runSCIM(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.profiles, "profile", nil, "profiles to run, comma-separated (default all: "+strings.Join(conformance.ProfileNames(), ", ")+")")
	fl.BoolVar(&f.write, "write", false, "also create, change and remove test resources (named PREFIX...), as provisioning does")
	fl.BoolVar(&f.plan, "plan", false, "print every request without sending any")
	fl.StringVar(&f.user, "user", "", "userName of an existing user to look up (read-only)")
	fl.StringVar(&f.token, "token", "", "bearer token (sent as Authorization: Bearer TOKEN); default $"+envToken)
	fl.StringVar(&f.basic, "basic", "", "USER:PASSWORD for HTTP basic authentication; default $"+envBasic)
	fl.StringVar(&f.oauth, "oauth-client-credentials", "", "TOKEN_URL,CLIENT_ID: fetch a bearer token with the OAuth 2.0 client-credentials grant; the secret is read from $"+envClientSecret)
	fl.StringVar(&f.oauthScope, "oauth-scope", "", "scope to request with --oauth-client-credentials")
	fl.StringArrayVar(&f.headers, "header", nil, "extra request header 'Name: value' (repeatable); values are redacted in the output")
	fl.StringVar(&f.oktaApp, "okta-app", "", "kind of Okta app the okta profile replays: catalog (OIN apps: PATCH for deactivation, password sync and group push) or wizard (App Integration Wizard apps: PUT of the whole user or group) (default catalog)")
	fl.StringVar(&f.oktaDeactivate, "okta-deactivate", "", "older form of --okta-app: patch is catalog, put is wizard")
	fl.StringVar(&f.entraMode, "entra-mode", "", "PATCH dialect of the entra profile: default or aadOptscim062020 (default: aadOptscim062020 when the URL carries that flag, else default)")
	fl.StringVar(&f.format, "format", "text", "output format: text, json or junit")
	fl.DurationVar(&f.timeout, "timeout", conformance.DefaultTimeout, "deadline for each request")
	fl.DurationVar(&f.cleanupTimeout, "cleanup-timeout", conformance.DefaultCleanupTimeout, "deadline for removing the created resources at the end")
	fl.StringVar(&f.prefix, "prefix", "", "start of the names of created resources (default scimdoctor-<8 random hex digits>-)")
	fl.StringArrayVar(&f.cacerts, "cacert", nil, "PEM file of extra trusted root CAs (repeatable)")
	return cmd
}

func (a *app) runSCIM(ctx context.Context, rawURL string, f scimFlags) error {
	switch f.format {
	case conformance.FormatText, conformance.FormatJSON, conformance.FormatJUnit:
	default:
		return withHint(fmt.Errorf("invalid --format %q", f.format), "use --format text, json or junit")
	}
	if err := checkTimeout(f.timeout); err != nil {
		return err
	}
	if f.cleanupTimeout < minTimeout {
		return withHint(fmt.Errorf("invalid --cleanup-timeout %s: the minimum is %s", f.cleanupTimeout, minTimeout), "give a duration such as 20s; it bounds the removal of created resources")
	}
	auth, err := scimAuth(f)
	if err != nil {
		return err
	}
	header, err := parseHeaders(f.headers)
	if err != nil {
		return err
	}
	roots, err := readCACerts(f.cacerts)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	r, err := conformance.Run(ctx, conformance.Target{
		BaseURL: rawURL,
		Auth:    auth,
		Header:  header,
		Client:  conformance.NewClient(roots),
	}, conformance.Options{
		Profiles:       f.profiles,
		Write:          f.write,
		Plan:           f.plan,
		User:           f.user,
		OktaApp:        f.oktaApp,
		OktaDeactivate: f.oktaDeactivate,
		EntraMode:      f.entraMode,
		Timeout:        f.timeout,
		CleanupTimeout: f.cleanupTimeout,
		Prefix:         f.prefix,
	})
	if err != nil {
		var usage *conformance.UsageError
		if errors.As(err, &usage) {
			return withHint(usage.Err, usage.Hint)
		}
		return err
	}
	if err := conformance.Write(a.stdout, r, f.format); err != nil {
		return fmt.Errorf("writing the report failed: %w", err)
	}
	a.exitCode = r.ExitCode()
	if r.Aborted != nil {
		fmt.Fprintf(a.stderr, "scimdoctor: error: %s\n", r.Aborted.Error())
		if r.Aborted.Hint != "" {
			fmt.Fprintf(a.stderr, "scimdoctor: hint: %s\n", r.Aborted.Hint)
		}
		if len(r.Cleanup.Left) > 0 {
			fmt.Fprintf(a.stderr, "scimdoctor: hint: %d created resources could not be removed; the report lists their ids\n", len(r.Cleanup.Left))
		}
	}
	return nil
}

// scimAuth builds the credentials from the flags, falling back to the
// environment for the token and basic credentials.
func scimAuth(f scimFlags) (conformance.Auth, error) {
	token, basic := f.token, f.basic
	if token == "" && basic == "" && f.oauth == "" {
		token = os.Getenv(envToken)
		if token == "" {
			basic = os.Getenv(envBasic)
		}
	}
	credentials := 0
	for _, v := range []string{token, basic, f.oauth} {
		if v != "" {
			credentials++
		}
	}
	if credentials > 1 {
		return nil, withHint(errors.New("more than one of --token, --basic and --oauth-client-credentials given"), "the IdP sends one Authorization header; choose one")
	}
	for flag, value := range map[string]string{"--token": token, "--basic": basic} {
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return nil, withHint(fmt.Errorf("invalid %s: it contains a control character such as a line break", flag), "pass the value alone, without newlines")
		}
	}
	switch {
	case token != "":
		token = strings.TrimSpace(token)
		if strings.HasPrefix(strings.ToLower(token), "bearer ") {
			return nil, withHint(errors.New("--token starts with \"Bearer \""), "give the token alone; scimdoctor adds the Bearer scheme, as the IdPs' bearer-token setting does")
		}
		return conformance.BearerToken(token), nil
	case basic != "":
		user, password, ok := strings.Cut(basic, ":")
		if !ok {
			return nil, withHint(errors.New("invalid --basic: no colon between user and password"), "write --basic USER:PASSWORD")
		}
		return conformance.BasicAuth{User: user, Password: password}, nil
	case f.oauth != "":
		tokenURL, clientID, ok := strings.Cut(f.oauth, ",")
		if !ok || tokenURL == "" || clientID == "" {
			return nil, withHint(fmt.Errorf("invalid --oauth-client-credentials %q: want TOKEN_URL,CLIENT_ID", f.oauth), "for example --oauth-client-credentials https://login.example.com/oauth2/token,my-client")
		}
		if u, err := url.Parse(tokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, withHint(fmt.Errorf("invalid token URL %q in --oauth-client-credentials", tokenURL), "give the full https:// URL of the token endpoint")
		}
		secret := os.Getenv(envClientSecret)
		if secret == "" {
			return nil, withHint(fmt.Errorf("--oauth-client-credentials needs the client secret in $%s", envClientSecret), "export "+envClientSecret+"=... before the run; it is not accepted as a flag so it stays out of shell history")
		}
		return &conformance.ClientCredentials{TokenURL: tokenURL, ClientID: clientID, ClientSecret: secret, Scope: f.oauthScope}, nil
	}
	return nil, nil
}

// parseHeaders reads --header values of the form "Name: value".
func parseHeaders(values []string) (http.Header, error) {
	h := http.Header{}
	for _, raw := range values {
		name, value, ok := strings.Cut(raw, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, withHint(fmt.Errorf("invalid --header %q: want 'Name: value'", redactHeaderValue(raw)), "for example --header 'X-API-Key: ...'")
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return nil, withHint(fmt.Errorf("invalid --header %s: the value contains a control character", name), "pass the value on one line")
		}
		h.Add(name, value)
	}
	return h, nil
}

// redactHeaderValue keeps only the part before the first colon or space of
// a malformed --header, so an error never echoes a secret.
func redactHeaderValue(raw string) string {
	if i := strings.IndexAny(raw, ": "); i >= 0 {
		return raw[:i] + "..."
	}
	if len(raw) > 20 {
		return raw[:20] + "..."
	}
	return raw
}

func readCACerts(files []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, withHint(fmt.Errorf("invalid --cacert: %w", err), "give the path of a PEM file with the root CA")
		}
		found := 0
		for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
			if block.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, withHint(fmt.Errorf("invalid --cacert %s: %w", file, err), "give a PEM file with CERTIFICATE blocks")
			}
			out = append(out, c)
			found++
		}
		if found == 0 {
			return nil, withHint(fmt.Errorf("invalid --cacert: %s contains no PEM certificate", file), "give a PEM file with CERTIFICATE blocks")
		}
	}
	return out, nil
}
