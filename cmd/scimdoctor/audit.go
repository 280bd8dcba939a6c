package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/apache"
	"github.com/scimdoctor/scimdoctor/audit/haproxy"
	"github.com/scimdoctor/scimdoctor/audit/nginx"
	"github.com/scimdoctor/scimdoctor/audit/stunnel"
	"github.com/scimdoctor/scimdoctor/report"
)

// auditFormats are the formats audit reads, in the order it tries them.
func auditFormats() []audit.Format {
	return []audit.Format{nginx.Format(), apache.Format(), haproxy.Format(), stunnel.Format()}
}

func (a *app) auditCommand() *cobra.Command {
	var format, typ string
	cmd := &cobra.Command{
		Use:   "audit PATH...",
		Short: "Compute the effective TLS settings of server configuration files",
		Long: `audit reads server configuration files (or every file in a folder), computes
what each listener really allows, defaults and inheritance included, and names
the IdP that would fail, the line at fault and the line that replaces it.
Formats: ` + strings.Join(formatList(), ", ") + `; each is detected by name and content, or
forced with --type. A folder's HAProxy *.cfg files are read as
"haproxy -f FOLDER" reads them; name a file to audit it alone.

Exit codes: 0 no listener makes Okta or Entra ID fail, 1 one does or a file
could not be audited (a named file without a TLS listener counts as one),
2 usage error or no file could be audited.`,
		Example: "  scimdoctor audit /etc/nginx\n  scimdoctor audit --type haproxy ./haproxy.cfg",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return withHint(errors.New("audit takes one or more files or folders"), "scimdoctor audit /etc/nginx")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return withHint(err, "use --format text or --format json")
			}
			r, err := audit.Run(args, typ, auditFormats())
			if err != nil {
				return withHint(err, "leave --type out to detect the format")
			}
			if err := audit.Write(a.stdout, r, f); err != nil {
				return fmt.Errorf("writing the report failed: %w", err)
			}
			a.exitCode = r.ExitCode
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&typ, "type", "", "force the format of every file: "+strings.Join(formatList(), ", "))
	return cmd
}

func formatList() []string {
	var names []string
	for _, f := range auditFormats() {
		names = append(names, f.Name)
	}
	return names
}
