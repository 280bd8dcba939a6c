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
certificate faults, plain HTTP on a TLS port, a port that never answers or
resets. Point scimdoctor check (or any client) at them. With no NAME, every
endpoint starts. The lab runs until interrupted (Ctrl-C).`,
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
	catalog := lab.Catalog()
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
	return tw.Flush()
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
		if err := enc.Encode(map[string]any{"ca_file": l.CAFile, "token": lab.BearerToken, "endpoints": l.Endpoints}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tURL\tWHAT IT GETS WRONG")
		for _, e := range l.Endpoints {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.URL, e.Summary)
		}
		tw.Flush()
		fmt.Fprintf(a.stdout, "\nlab CA (give it to clients with --cacert): %s\nbearer token: %s\n", l.CAFile, lab.BearerToken)
		fmt.Fprintf(a.stdout, "try: scimdoctor check --cacert %s %s\n", l.CAFile, l.Endpoints[0].URL)
		fmt.Fprintln(a.stdout, "press Ctrl-C to stop the lab")
	}
	<-ctx.Done()
	return nil
}
