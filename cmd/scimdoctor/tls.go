package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsscan"
)

type tlsFlags struct {
	format  string
	timeout time.Duration
	sni     string
	cacerts []string
	polite  bool
	failOn  string
	clients []string
	// javaCACerts and fetchAIA tune the certificate checks.
	javaCACerts string
	fetchAIA    bool
}

// politeInterval is the pause between connections of a --polite scan: a
// scan of about 140 connections then takes about half a minute.
const politeInterval = 200 * time.Millisecond

func (a *app) tlsCommand() *cobra.Command {
	var f tlsFlags
	cmd := &cobra.Command{
		Use:   "tls HOST[:PORT]",
		Short: "Scan the TLS versions, cipher suites, groups, features and certificate of a server",
		Long: `tls scans one server without the SCIM layer: the protocol versions it accepts
(SSL 2.0 to TLS 1.3), the cipher suites and named groups of each version and
whether it picks them in its own order, its TLS features (ALPN, renegotiation,
extended master secret, session tickets, OCSP stapling, compression,
TLS_FALLBACK_SCSV), its certificate chain at each version checked against the
Mozilla roots, its handling of a ClientHello without SNI, and whether it
requires a client certificate. The chain is also checked against this
machine's system store and the Java cacerts. Each client profile (Okta, Entra ID, Java, .NET,
OpenSSL, Go, curl) is then simulated past the ServerHello: its own hello, its
versions and suites, its certificate policy and trust store, its SNI rule and
what it does when a client certificate is requested. When the host has several
addresses, each one gets a version scan and a certificate fetch, and the report
says when they differ. PORT defaults to 443; an https:// URL is accepted and
only its host and port are used.

Exit codes: 0 the scan finished and no finding is at or above --fail-on,
1 a finding is, 2 usage or input error, 3 the target could not be resolved
or reached, 130 interrupted.`,
		Example: "  scimdoctor tls scim.example.com\n  scimdoctor tls --sni scim.example.com 203.0.113.10:8443\n  scimdoctor tls --fail-on high --format json [::1]:8443",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return withHint(fmt.Errorf("tls takes one HOST[:PORT], got %d arguments", len(args)), "scimdoctor tls scim.example.com:443")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("client") && len(f.clients) == 0 {
				return withHint(errors.New("--client is empty"), "name one or more of "+strings.Join(clients.Names(), ", "))
			}
			if cmd.Flags().Changed("sni") && f.sni == "" {
				return withHint(errors.New("--sni is empty"), "give the host name to send as SNI, or leave the flag out")
			}
			return a.runTLS(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "deadline for each connection and DNS look-up")
	fl.StringVar(&f.sni, "sni", "", "server name to send as SNI and to check the certificate against (default: the host, none for an IP address)")
	fl.StringArrayVar(&f.cacerts, "cacert", nil, "PEM file of extra trusted root CAs, added to every trust store (repeatable)")
	fl.StringVar(&f.javaCACerts, "java-cacerts", "", "Java trust store (JKS, JCEKS or PKCS#12, password changeit or none) for the Java clients (default: the cacerts of the installed JDK)")
	fl.BoolVar(&f.fetchAIA, "fetch-aia", false, "download missing intermediate certificates from the chain's AIA caIssuers URLs (http only), as Windows clients do")
	fl.BoolVar(&f.polite, "polite", false, "open one connection at a time instead of 4, 200ms apart (the up to 5 handshakes of the SNI and client-certificate steps are not spaced)")
	fl.StringSliceVar(&f.clients, "client", nil, "client profiles to simulate, comma-separated (default all: "+strings.Join(clients.Names(), ", ")+")")
	fl.StringVar(&f.failOn, "fail-on", "none", "exit with 1 for a finding of this severity or higher: none, info, low, medium or high")
	return cmd
}

func (a *app) runTLS(ctx context.Context, target string, f tlsFlags) error {
	format, failOn, err := parseReportFlags(f.format, f.timeout, f.failOn)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	opts := tlsscan.Options{
		Target:      target,
		ServerName:  f.sni,
		Timeout:     f.timeout,
		CACertFiles: f.cacerts,
		FailOn:      failOn,
		Clients:     f.clients,
		JavaCACerts: f.javaCACerts,
		FetchAIA:    f.fetchAIA,
	}
	if f.polite {
		opts.MaxConnsPerHost = 1
		opts.Interval = politeInterval
	}
	r, err := tlsscan.Run(ctx, opts)
	if ctx.Err() != nil {
		a.exitCode = exitInterrupted
		return errors.New("interrupted; no report was written")
	}
	if err != nil {
		var usage *tlsscan.UsageError
		if errors.As(err, &usage) {
			return withHint(usage.Err, usage.Hint)
		}
		return err
	}
	if r.FromURL {
		fmt.Fprintf(a.stderr, "scimdoctor: hint: tls takes HOST[:PORT]; scanned %s from the URL (check takes the whole SCIM URL)\n", net.JoinHostPort(r.Host, strconv.Itoa(r.Port)))
	}
	if err := tlsscan.Write(a.stdout, r, format, report.Options{Color: isTerminal(a.stdout)}); err != nil {
		return fmt.Errorf("writing the report failed: %w", err)
	}
	a.exitCode = r.ExitCode
	return nil
}
