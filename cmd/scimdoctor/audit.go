package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/apache"
	"github.com/scimdoctor/scimdoctor/audit/code"
	"github.com/scimdoctor/scimdoctor/audit/cryptopolicies"
	"github.com/scimdoctor/scimdoctor/audit/haproxy"
	"github.com/scimdoctor/scimdoctor/audit/java"
	"github.com/scimdoctor/scimdoctor/audit/nginx"
	"github.com/scimdoctor/scimdoctor/audit/opensslcnf"
	"github.com/scimdoctor/scimdoctor/audit/schannel"
	"github.com/scimdoctor/scimdoctor/audit/stunnel"
	"github.com/scimdoctor/scimdoctor/audit/tomcat"
	"github.com/scimdoctor/scimdoctor/report"
)

// auditOptions are the facts a file does not contain, given as flags.
type auditOptions struct {
	windows string
	dotnet  string
	jdk     string
	tomcat  string
	distro  string
	rhel    string
	// runtime is the JVM behind Tomcat's connectors, from the
	// java.security and JVM option files audited with server.xml.
	runtime tomcat.Runtime
}

// auditFormats returns the formats audit reads, in the order it tries
// them, set up with the options' versions.
func auditFormats(o auditOptions) ([]audit.Format, error) {
	var win schannel.Options
	if o.windows != "" {
		w, err := schannel.ParseWindows(o.windows)
		if err != nil {
			return nil, err
		}
		win.Windows = w
	}
	if o.dotnet != "" {
		d, err := schannel.ParseDotNet(o.dotnet)
		if err != nil {
			return nil, err
		}
		win.DotNet = d
	}
	if o.jdk != "" && !slices.Contains(java.JDKLines(), o.jdk) {
		return nil, fmt.Errorf("unknown --jdk %q: use one of %s", o.jdk, strings.Join(java.JDKLines(), ", "))
	}
	var ossl opensslcnf.Options
	if o.distro != "" {
		p, err := opensslcnf.ParsePlatform(o.distro)
		if err != nil {
			return nil, err
		}
		ossl.Platform = p
	}
	var policies cryptopolicies.Options
	if o.rhel != "" {
		r, err := cryptopolicies.ParseRelease(o.rhel)
		if err != nil {
			return nil, err
		}
		policies.Release = r
	}
	tomcatVersion := ""
	if o.tomcat != "" {
		v, err := tomcat.ParseVersion(o.tomcat)
		if err != nil {
			return nil, fmt.Errorf("invalid --tomcat-version: %w", err)
		}
		tomcatVersion = v
	}
	return []audit.Format{
		// Source files are claimed by their extension alone, before the
		// configuration formats that read content: a Go file full of
		// quoted strings is no Apache configuration, and a .java file
		// that mentions -Djdk.tls. is no JVM options file.
		code.Format(),
		nginx.Format(), apache.Format(), haproxy.Format(), stunnel.Format(),
		schannel.FormatFor(win),
		tomcat.FormatFor(tomcat.Options{Version: tomcatVersion, Runtime: o.runtime}),
		java.FormatFor(java.Options{JDK: o.jdk}),
		opensslcnf.FormatFor(ossl),
		// Last: it accepts any short file named config that holds one
		// policy name.
		cryptopolicies.FormatFor(policies),
	}, nil
}

func (a *app) auditCommand() *cobra.Command {
	var format, typ string
	var codeOnly bool
	var opts auditOptions
	cmd := &cobra.Command{
		Use:   "audit PATH...",
		Short: "Compute the effective TLS settings of configuration files and source code",
		Long: `audit reads server configuration files, Windows registry exports, java.security
and JVM options, openssl.cnf, crypto-policies and source code (or every file in
a folder), computes what each listener, runtime or TLS client really allows,
defaults and inheritance included, and names the IdP that would fail, the line
at fault and the line that replaces it.
Formats: ` + strings.Join(formatList(), ", ") + `; each is detected by name and content, or
forced with --type. A folder's HAProxy *.cfg files are read as
"haproxy -f FOLDER" reads them, its .reg files as exports of one machine, and
a java.security beside a server.xml as the JVM that runs Tomcat; name a file
to audit it alone. Source files without a TLS version pin are left out.
Folders are walked through symbolic links, and a file reached twice is
audited once. The text report sums up a folder's files without a TLS
listener in one line; --format json lists them. A client side (a JVM's
default SSLContext, the SCHANNEL, .NET or WinHTTP client, a TLS client in
code) is judged against Okta's and Entra ID's API servers.

Exit codes: 0 no listener makes Okta or Entra ID fail, 1 one does or a file
could not be audited (a named file without a TLS listener counts as one),
2 usage error or no file could be audited.`,
		Example: "  scimdoctor audit /etc/nginx\n  scimdoctor audit --type haproxy ./haproxy.cfg\n  scimdoctor audit --windows 2012r2 schannel.reg\n  scimdoctor audit --code ./src",
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
			if codeOnly {
				if typ != "" && typ != "code" {
					return withHint(fmt.Errorf("--code and --type %s conflict", typ), "give one of them")
				}
				typ = "code"
			}
			opts.runtime = jvmRuntime(args, opts.jdk)
			formats, err := auditFormats(opts)
			if err != nil {
				return withHint(err, "see scimdoctor audit --help for the values each flag takes")
			}
			r, err := audit.Run(args, typ, formats)
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
	cmd.Flags().StringVar(&opts.windows, "windows", "", "Windows Server release of .reg exports, for the defaults of absent keys: 2008r2 to 2025 (default 2019)")
	cmd.Flags().BoolVar(&codeOnly, "code", false, "read every file as source code (Go, Java, C#, JavaScript, Python, Ruby, PHP) for TLS version pins: the same as --type code")
	cmd.Flags().StringVar(&opts.jdk, "jdk", java.DefaultJDK, "JDK line whose defaults fill absent java.security settings: "+strings.Join(java.JDKLines(), ", "))
	cmd.Flags().StringVar(&opts.tomcat, "tomcat-version", "", "Tomcat release of server.xml files, for the attributes it reads: "+joinOr(tomcat.Versions)+" (default "+tomcat.DefaultVersion+")")
	cmd.Flags().StringVar(&opts.distro, "distro", "", "Debian or Ubuntu release of an openssl.cnf, for its OpenSSL defaults: debian12, debian11, ubuntu2204 or ubuntu2004 (default debian12)")
	cmd.Flags().StringVar(&opts.rhel, "rhel", "", "RHEL major release of crypto-policies files, for its built-in policies: 8, 9 or 10 (default 9)")
	cmd.Flags().StringVar(&opts.dotnet, "dotnet", "", ".NET Framework version the audited apps target: 3.5, 4.5, 4.6, 4.7 or 4.8, patch levels such as 4.7.2 included (default 4.8)")
	return cmd
}

// jvmRuntime returns the JVM limits that apply to Tomcat's JSSE
// connectors: the policy of the java.security and JVM option files among
// paths (folders are walked), or the defaults of the --jdk line when it is
// not Tomcat's default 17. It returns nil for Tomcat's built-in JDK 17
// limits. A java file that fails to load gets its own error in the report,
// so here it only means falling back to the defaults.
func jvmRuntime(paths []string, jdk string) tomcat.Runtime {
	var files []string
	for _, root := range paths {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if data, err := audit.ReadFile(path); err == nil && java.Detect(path, data[:min(len(data), 8192)]) {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 && (jdk == "" || jdk == java.DefaultJDK) {
		return nil
	}
	p, err := java.Load(files, java.Options{JDK: jdk})
	if err != nil {
		return nil
	}
	return tomcat.JavaRuntime(p)
}

// joinOr joins values as "a, b, c or d".
func joinOr(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

func formatList() []string {
	var names []string
	formats, _ := auditFormats(auditOptions{})
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return names
}
