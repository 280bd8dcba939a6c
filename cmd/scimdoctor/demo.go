package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/check"
	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// demoParallel bounds how many lab endpoints are checked at once.
const demoParallel = 4

func (a *app) demoCommand() *cobra.Command {
	var format string
	var timeout time.Duration
	var clientNames []string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the lab on 127.0.0.1 and check every endpoint: a tour of the failures",
		Long: `demo starts every lab endpoint on 127.0.0.1, runs check against each one, and
prints what Okta and Entra ID would log there and the fix. The scim-* endpoints
show the SCIM layer: the read-only requests each IdP sends, and the first one it
would reject. It stops the lab before it exits and leaves nothing running.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return withHint(err, "use --format text or --format json")
			}
			if err := checkTimeout(timeout); err != nil {
				return err
			}
			return a.runDemo(cmd.Context(), f, timeout, clientNames)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (a list of lab endpoints, each with its check report)")
	cmd.Flags().DurationVar(&timeout, "timeout", 1500*time.Millisecond, "deadline for each connection; the lab is on loopback, and the endpoint that never answers takes a few times this long")
	cmd.Flags().StringSliceVar(&clientNames, "client", nil, "client profiles to judge, comma-separated (default okta,entra)")
	return cmd
}

func (a *app) runDemo(ctx context.Context, f report.Format, timeout time.Duration, clientNames []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	started := time.Now()

	l, err := lab.Start(ctx)
	if err != nil {
		return fmt.Errorf("starting the lab failed: %w", err)
	}
	defer l.Close()

	reports := make([]*report.Report, len(l.Endpoints))
	errs := make([]error, len(l.Endpoints))
	sem := make(chan struct{}, demoParallel)
	var wg sync.WaitGroup
	for i, e := range l.Endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reports[i], errs[i] = check.Run(ctx, check.Options{
				URL:           e.URL,
				Clients:       clientNames,
				Timeout:       timeout,
				CACertFiles:   []string{l.CAFile},
				Authorization: "Bearer " + lab.BearerToken,
				Tool:          "scimdoctor " + version,
				Origin:        e.Origin,
				Repeat:        e.Repeat,
				// Every lab tenant holds this user, so the SCIM layer
				// also looks up an existing user in another case.
				SCIMUser: lab.SeedUserName,
			})
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		a.exitCode = exitInterrupted
		return errors.New("interrupted; the lab has stopped")
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("checking lab endpoint %s failed: %w", l.Endpoints[i].Name, err)
		}
	}

	if f == report.FormatJSON {
		type endpointReport struct {
			Endpoint lab.Endpoint   `json:"endpoint"`
			Report   *report.Report `json:"report"`
		}
		out := make([]endpointReport, len(reports))
		for i, r := range reports {
			out[i] = endpointReport{Endpoint: l.Endpoints[i], Report: r}
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	a.writeDemoText(l, reports, time.Since(started))
	return nil
}

func (a *app) writeDemoText(l *lab.Lab, reports []*report.Report, elapsed time.Duration) {
	w := a.stdout
	fmt.Fprintf(w, "scimdoctor demo: %d lab endpoints on 127.0.0.1, each checked as Okta and Entra ID would connect\n", len(l.Endpoints))
	fmt.Fprintf(w, "(the lab CA is trusted here the way a public CA would be; run `scimdoctor check URL` for the full report of one)\n\n")
	for i, e := range l.Endpoints {
		r := reports[i]
		fmt.Fprintf(w, "%s  %s\n", e.Name, e.URL)
		fmt.Fprintf(w, "  what is wrong: %s\n", e.Summary)
		var cause *report.Cause
		for _, v := range r.Verdicts {
			if v.Connects {
				fmt.Fprintf(w, "  %-28s would connect (%s)\n", v.Display+":", v.Version)
				continue
			}
			line := v.LogLine
			if line == "" {
				// SCIM-layer verdicts carry the IdP's admin message, and
				// some HTTP-layer verdicts only a description.
				line = v.Message
			}
			fmt.Fprintf(w, "  %-28s would fail at %s: %s\n", v.Display+":", v.Layer, line)
			if cause == nil && v.Cause != nil {
				cause = v.Cause
			}
		}
		if e.WriteOnly {
			// The fault shows only in requests that change data, which
			// check never sends.
			fmt.Fprintf(w, "  check sends read-only requests only; scimdoctor scim --write shows: %s\n", e.IdPEffect)
		}
		if cause != nil {
			fmt.Fprintf(w, "  cause: %s\n", cause.Summary)
			if len(cause.Fix) > 0 {
				fmt.Fprintf(w, "  fix:   %s\n", strings.ReplaceAll(cause.Fix[0], "\n", "\n         "))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Checked %d endpoints in %s.\n", len(l.Endpoints), elapsed.Round(100*time.Millisecond))
	fmt.Fprintln(w, "The lab has stopped. Start it yourself with `scimdoctor lab` and check one endpoint with `scimdoctor check --cacert CAFILE URL`.")
}
