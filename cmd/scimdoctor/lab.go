package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

func (a *app) labCommand() *cobra.Command {
	var list bool
	var format string
	cmd := &cobra.Command{
		Use:   "lab [NAME...]",
		Short: "Start local endpoints on 127.0.0.1, each with one misconfiguration",
		Long: `lab starts honest servers on 127.0.0.1, each reproducing one failure an IdP
meets: old TLS versions, no shared cipher suite, a required client certificate,
certificate faults, a TLS 1.0 proxy in front of a good origin, a pool with one
TLS 1.0-only member, plain HTTP on a TLS port, a port that never answers or
resets. Every endpoint that completes a handshake serves the full SCIM API
(scimdoctor serve on a temporary SQLite database), and the scim-* endpoints
each get one SCIM behaviour wrong, such as a 404 for a filter that matches
nothing or a 400 for Entra ID's "Replace". Point scimdoctor check (or any client) at them. Two forward proxies
run beside them: a plain CONNECT proxy and a TLS-inspection proxy that
re-signs with its own CA; their URLs are proxy URLs, not SCIM URLs. With no
NAME, every endpoint and proxy starts. The lab runs until interrupted (Ctrl-C).`,
		Example: "  scimdoctor lab --list\n  scimdoctor lab tls10-only good",
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return withHint(err, "use --format text or --format json")
			}
			if list {
				return a.listLab(f)
			}
			return a.runLab(cmd.Context(), args, f)
		},
	}
	cmd.Flags().BoolVar(&list, "list", false, "list the endpoints and what each gets wrong, without starting them")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func (a *app) listLab(f report.Format) error {
	catalog := append(lab.Catalog(), lab.ProxyCatalog()...)
	if f == report.FormatJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(catalog)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tWHAT IT GETS WRONG\tFAILURE CLASS")
	for _, e := range catalog {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.Summary, e.Fault)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(a.stdout, "\nWhat Okta and Entra ID do with each SCIM fault:")
	for _, e := range catalog {
		if e.IdPEffect != "" {
			fmt.Fprintf(a.stdout, "  %s: %s\n", e.Name, e.IdPEffect)
		}
	}
	return nil
}

func (a *app) runLab(ctx context.Context, names []string, f report.Format) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	l, err := lab.Start(ctx, names...)
	if err != nil {
		return withHint(err, "scimdoctor lab --list shows the endpoint names")
	}
	defer l.Close()

	if f == report.FormatJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		out := map[string]any{
			"ca_file":            l.CAFile,
			"inspection_ca_file": l.InspectionCAFile,
			"token":              lab.BearerToken,
			"endpoints":          nonNil(l.Endpoints),
			"proxies":            nonNil(l.Proxies),
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		a.writeLabText(l)
	}
	<-ctx.Done()
	return nil
}

// nonNil returns an empty list for nil, so that JSON shows [] and not null.
func nonNil(endpoints []lab.Endpoint) []lab.Endpoint {
	if endpoints == nil {
		return []lab.Endpoint{}
	}
	return endpoints
}

// writeLabText prints the running endpoints, their origins and proxies, the
// CA files, and a first command for each kind.
func (a *app) writeLabText(l *lab.Lab) {
	w := a.stdout
	if len(l.Endpoints) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tURL\tWHAT IT GETS WRONG")
		for _, e := range l.Endpoints {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.URL, e.Summary)
		}
		tw.Flush()
		for _, e := range l.Endpoints {
			if e.Origin != "" {
				fmt.Fprintf(w, "origin behind %s: %s\n", e.Name, e.Origin)
			}
		}
	}
	if len(l.Proxies) > 0 {
		if len(l.Endpoints) > 0 {
			fmt.Fprintln(w)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROXY\tPROXY URL\tWHAT IT DOES")
		for _, e := range l.Proxies {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.URL, e.Summary)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nlab CA (give it to clients with --cacert): %s\n", l.CAFile)
	if _, ok := l.Endpoint("inspection-proxy"); ok {
		fmt.Fprintf(w, "inspection CA (the inspection-proxy re-signs with it): %s\n", l.InspectionCAFile)
	}
	fmt.Fprintf(w, "bearer token: %s\n", lab.BearerToken)
	fmt.Fprintf(w, "existing user in every endpoint (scimdoctor scim --user): %s\n", lab.SeedUserName)

	// A proxy needs a SCIM target; good is the one every client reaches.
	var target string
	if len(l.Endpoints) > 0 {
		target = l.Endpoints[0].URL
		if good, ok := l.Endpoint("good"); ok {
			target = good.URL
		}
		fmt.Fprintf(w, "try: scimdoctor check --cacert %s %s\n", l.CAFile, l.Endpoints[0].URL)
	}
	for _, e := range l.Endpoints {
		if e.Origin != "" {
			fmt.Fprintf(w, "try: scimdoctor check --cacert %s --origin %s %s\n", l.CAFile, e.Origin, e.URL)
		}
	}
	for _, p := range l.Proxies {
		if target == "" {
			fmt.Fprintf(w, "%s needs a SCIM target: start it with an endpoint, such as scimdoctor lab good %s\n", p.Name, p.Name)
			continue
		}
		fmt.Fprintf(w, "try: scimdoctor check --cacert %s --proxy %s %s\n", l.CAFile, p.URL, target)
	}
	fmt.Fprintln(w, "press Ctrl-C to stop the lab")
}
