// Command scimdoctor finds out why an identity provider cannot provision
// users into a SCIM 2.0 endpoint, and names the box to fix and how.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// version is the tool's version, written into every report.
const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit code. Errors are
// written to stderr as "scimdoctor: error: ..." with an optional hint line.
func run(args []string, stdout, stderr io.Writer) int {
	app := &app{stdout: stdout, stderr: stderr, exitCode: 0}
	root := &cobra.Command{
		Use:           "scimdoctor",
		Short:         "Find out why an identity provider cannot provision users into a SCIM endpoint",
		Long:          "scimdoctor checks a SCIM 2.0 endpoint layer by layer (DNS, TCP, TLS, certificate, HTTP) the way Okta, Microsoft Entra ID and other clients connect to it, predicts the exact error each client would log, and names the component at fault and its fix.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(app.checkCommand(), app.tlsCommand(), app.auditCommand(), app.labCommand(), app.demoCommand(), app.scimCommand(), app.serveCommand())

	if err := root.Execute(); err != nil {
		app.fail(err)
		return app.exitCode
	}
	return app.exitCode
}

// app carries the output streams and the exit code a command chose.
type app struct {
	stdout, stderr io.Writer
	exitCode       int
}

// fail prints err, and its hint when it has one, and sets exit code 2 unless
// a command already chose another.
func (a *app) fail(err error) {
	fmt.Fprintf(a.stderr, "scimdoctor: error: %v\n", err)
	if h, ok := err.(interface{ HintText() string }); ok && h.HintText() != "" {
		fmt.Fprintf(a.stderr, "scimdoctor: hint: %s\n", h.HintText())
	}
	if a.exitCode == 0 {
		a.exitCode = 2
	}
}

// hintError is an error with a next step for the user.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string    { return e.err.Error() }
func (e *hintError) Unwrap() error    { return e.err }
func (e *hintError) HintText() string { return e.hint }

func withHint(err error, hint string) error { return &hintError{err: err, hint: hint} }

// isTerminal reports whether w is a character device, so colour is used
// only when a person reads the output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
