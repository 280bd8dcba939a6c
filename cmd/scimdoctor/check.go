package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/check"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/report"
)

type checkFlags struct {
	clients     []string
	clientFiles []string
	timeout     time.Duration
	cacerts     []string
	token       string
	basic       string
	format      string
	failOn      string
	// origin, resolve and repeat examine the path to the server.
	origin  string
	resolve []string
	repeat  int
	proxy   string
	// noSCIM and user control the SCIM layer.
	noSCIM bool
	user   string
}

func (a *app) checkCommand() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check URL",
		Short: "Diagnose a SCIM base URL end to end and predict what each IdP would log",
		Long: `check runs every layer in order: URL, DNS, TCP, the TLS versions the server
accepts, a simulation of each selected client's own handshake, the certificate,
one GET of URL/ServiceProviderConfig, and the SCIM layer: once Okta or Entra ID
would complete the handshake, the read-only requests that IdP sends (connection
test, discovery, look-ups of names that match nothing, and of --user), judged as
scimdoctor scim judges them. For each client it prints whether it would connect
or the exact line it would log (for a SCIM failure, the first failing request
and the message the IdP's admin would read), the component at fault and the
fix for the server software the evidence points to. --no-scim leaves the SCIM
layer out.

A load balancer, proxy or WAF in front of the application often terminates TLS
with older settings than the application. --origin HOST:PORT scans the server
behind it with the same probes and says which box to fix; --resolve sends the
URL's host to another address, as curl does; --repeat N probes each address N
more times, to catch a pool whose members differ.

Exit codes: 0 every selected client would connect (and no finding at or
above --fail-on), 1 at least one would fail, 2 usage or input error, 3 the
target could not be resolved or reached.`,
		Example: "  scimdoctor check https://scim.example.com/scim/v2\n  scimdoctor check --client okta,entra,java-8u202 --token \"$TOKEN\" https://scim.example.com/scim/v2",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return withHint(fmt.Errorf("check takes one URL, got %d arguments", len(args)), "scimdoctor check https://scim.example.com/scim/v2")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("client") && len(f.clients) == 0 {
				return withHint(errors.New("--client is empty"), "name one or more of "+strings.Join(clients.Names(), ", "))
			}
			if cmd.Flags().Changed("token") && f.token == "" {
				return withHint(errors.New("--token is empty"), "pass the token the IdP sends, or leave the flag out")
			}
			if cmd.Flags().Changed("user") && strings.TrimSpace(f.user) == "" {
				return withHint(errors.New("--user is empty"), "give the userName of a user that exists on the server, or leave the flag out")
			}
			if f.noSCIM && f.user != "" {
				return withHint(errors.New("--user and --no-scim both given"), "--user names a user for the SCIM layer, which --no-scim turns off; drop one of them")
			}
			names, err := registerClientFiles(f.clientFiles)
			if err != nil {
				return err
			}
			if len(names) > 0 {
				if len(f.clients) == 0 {
					f.clients = slices.Clone(check.DefaultClients)
				}
				f.clients = append(f.clients, names...)
			}
			return a.runCheck(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.clients, "client", nil, "client profiles to judge, comma-separated (default okta,entra; one of "+strings.Join(clients.Names(), ", ")+")")
	fl.StringArrayVar(&f.clientFiles, "client-file", nil, "client profile file NAME.json to judge as well, such as one saved from scimdoctor serve's inspector (repeatable)")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "deadline for each connection and DNS look-up")
	fl.StringArrayVar(&f.cacerts, "cacert", nil, "PEM file of extra trusted root CAs, as an admin adds a private CA to an IdP agent (repeatable)")
	fl.StringVar(&f.token, "token", "", "bearer token for the HTTP request (sent as Authorization: Bearer TOKEN)")
	fl.StringVar(&f.basic, "basic", "", "USER:PASSWORD for HTTP basic authentication")
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.StringVar(&f.failOn, "fail-on", "none", "also exit with 1 for a finding of this severity or higher: none, info, low, medium or high")
	fl.StringVar(&f.origin, "origin", "", "HOST:PORT of the server behind the load balancer or proxy, to compare with the box that answers")
	fl.StringArrayVar(&f.resolve, "resolve", nil, "HOST:PORT:ADDR: connect to ADDR for HOST:PORT instead of looking it up, as curl --resolve (repeatable)")
	fl.StringVar(&f.proxy, "proxy", "", "connect through this HTTP proxy (http://HOST:PORT or https://...), by CONNECT; default HTTPS_PROXY and NO_PROXY as Go's net/http reads them")
	fl.BoolVar(&f.noSCIM, "no-scim", false, "skip the SCIM layer: send no read-only Okta and Entra ID SCIM requests after the TLS layer")
	fl.StringVar(&f.user, "user", "", "userName of an existing user that the SCIM layer looks up, read-only, in the case given and in another case")
	fl.IntVar(&f.repeat, "repeat", 2, "probe TLS 1.0 to 1.3 this many more times per address, to find pool members that answer differently (0 to 100; 2 or more reach both members of a two-member round robin)")
	return cmd
}

// registerClientFiles loads each --client-file profile and makes it
// selectable by name, and returns the names in flag order.
func registerClientFiles(files []string) ([]string, error) {
	var names []string
	for _, file := range files {
		p, err := clients.LoadFile(file)
		if err != nil {
			return nil, withHint(fmt.Errorf("invalid --client-file: %w", err), "give a profile file as scimdoctor serve's inspector saves it, named NAME.json after the profile")
		}
		if err := clients.Register(p); err != nil {
			return nil, withHint(fmt.Errorf("invalid --client-file %s: %w", file, err), "give each profile file its own name, different from the built-in profiles")
		}
		names = append(names, p.Name)
	}
	return names, nil
}

func (a *app) runCheck(ctx context.Context, rawURL string, f checkFlags) error {
	format, failOn, err := parseReportFlags(f.format, f.timeout, f.failOn)
	if err != nil {
		return err
	}
	auth, err := authorization(f.token, f.basic)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	r, err := check.Run(ctx, check.Options{
		URL:           rawURL,
		Clients:       f.clients,
		Timeout:       f.timeout,
		CACertFiles:   f.cacerts,
		Authorization: auth,
		Tool:          "scimdoctor " + version,
		FailOn:        failOn,
		Origin:        f.origin,
		Resolve:       f.resolve,
		Repeat:        f.repeat,
		Proxy:         f.proxy,
		NoSCIM:        f.noSCIM,
		SCIMUser:      f.user,
	})
	if ctx.Err() != nil {
		a.exitCode = exitInterrupted
		return errors.New("interrupted; no report was written")
	}
	if err != nil {
		var usage *check.UsageError
		if errors.As(err, &usage) {
			return withHint(usage.Err, usage.Hint)
		}
		return err
	}
	if err := report.Write(a.stdout, r, format, report.Options{Color: isTerminal(a.stdout)}); err != nil {
		return fmt.Errorf("writing the report failed: %w", err)
	}
	a.exitCode = r.ExitCode
	return nil
}

// minTimeout is the smallest --timeout accepted: below it even a loopback
// server or /etc/hosts look-up can miss the deadline, and the report would
// blame the server for the tool's own deadline.
const minTimeout = 100 * time.Millisecond

// exitInterrupted is the exit code after SIGINT, as shells report it.
const exitInterrupted = 130

// parseReportFlags checks the --format, --timeout and --fail-on values that
// check and tls share.
func parseReportFlags(format string, timeout time.Duration, failOn string) (report.Format, report.Severity, error) {
	f, err := report.ParseFormat(format)
	if err != nil {
		return "", "", withHint(err, "use --format text or --format json")
	}
	if err := checkTimeout(timeout); err != nil {
		return "", "", err
	}
	severity, err := diagnose.ParseSeverity(failOn)
	if err != nil {
		return "", "", withHint(err, "findings are info, low, medium or high")
	}
	return f, severity, nil
}

func checkTimeout(d time.Duration) error {
	if d < minTimeout {
		return withHint(fmt.Errorf("invalid --timeout %s: the minimum is %s", d, minTimeout), "give a duration such as 10s; it bounds each connection and DNS look-up")
	}
	return nil
}

func authorization(token, basic string) (string, error) {
	if token != "" && basic != "" {
		return "", withHint(errors.New("--token and --basic both given"), "the IdP sends one Authorization header; choose one")
	}
	for flag, value := range map[string]string{"--token": token, "--basic": basic} {
		if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "", withHint(fmt.Errorf("invalid %s: it contains a control character such as a line break", flag), "pass the value alone, without newlines; in a shell, quote it or read it with \"$(cat FILE)\"")
		}
	}
	if token != "" {
		token = strings.TrimSpace(token)
		if strings.HasPrefix(strings.ToLower(token), "bearer ") {
			return "", withHint(errors.New("--token starts with \"Bearer \""), "give the token alone; scimdoctor adds the Bearer scheme, as Okta's bearer-token setting does")
		}
		return "Bearer " + token, nil
	}
	if basic != "" {
		if !strings.Contains(basic, ":") {
			return "", withHint(errors.New("invalid --basic: no colon between user and password"), "write --basic USER:PASSWORD")
		}
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(basic)), nil
	}
	return "", nil
}
