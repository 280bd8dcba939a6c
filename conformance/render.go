package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
)

// Output formats of Write.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatJUnit = "junit"
)

// Write renders r in format: "text" for people, "json" (ResultSchema) for
// programs, "junit" (JUnit XML, one testsuite per profile and one testcase
// per request) for CI pipelines.
func Write(w io.Writer, r *Result, format string) error {
	switch format {
	case FormatText:
		return writeText(w, r)
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case FormatJUnit:
		return writeJUnit(w, r)
	}
	return fmt.Errorf("invalid format %q: use text, json or junit", format)
}

func writeText(w io.Writer, r *Result) error {
	var b strings.Builder
	mode := "read-only"
	if r.Write {
		mode = "read and write"
	}
	if r.Plan {
		fmt.Fprintf(&b, "Plan for %s (%s): no request is sent\n", r.BaseURL, mode)
	} else {
		fmt.Fprintf(&b, "SCIM conformance of %s (%s)\n", r.BaseURL, mode)
	}
	if r.Prefix != "" {
		fmt.Fprintf(&b, "Created resources are named %s...\n", r.Prefix)
	}
	for _, warning := range r.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", warning)
	}
	for i := range r.Profiles {
		p := &r.Profiles[i]
		fmt.Fprintf(&b, "\n== profile %s ==\n", p.Profile)
		for _, s := range p.Steps {
			if r.Plan {
				writePlannedStep(&b, s)
				continue
			}
			writeStep(&b, s)
		}
	}
	if !r.Plan {
		b.WriteString("\nSummary\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "profile\tpass\twarn\tfail\tskip")
		for i := range r.Profiles {
			c := r.Profiles[i].Counts()
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", r.Profiles[i].Profile, c[Pass], c[Warn], c[Fail], c[Skip])
		}
		tw.Flush()
	}
	if r.Aborted != nil {
		fmt.Fprintf(&b, "\nRun stopped: %s\n", r.Aborted.Error())
		if r.Aborted.Hint != "" {
			fmt.Fprintf(&b, "Hint: %s\n", r.Aborted.Hint)
		}
	}
	if len(r.Cleanup.Removed) > 0 || len(r.Cleanup.Left) > 0 {
		b.WriteString("\nCleanup\n")
		for _, res := range r.Cleanup.Removed {
			fmt.Fprintf(&b, "  removed  %s/%s (%s)\n", res.Type, res.ID, res.Name)
		}
		for _, res := range r.Cleanup.Left {
			fmt.Fprintf(&b, "  LEFT     %s/%s (%s): %s\n", res.Type, res.ID, res.Name, res.Problem)
		}
		if len(r.Cleanup.Left) > 0 {
			b.WriteString("  Remove the resources marked LEFT by hand; their names start with " + r.Prefix + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePlannedStep(b *strings.Builder, s StepResult) {
	fmt.Fprintf(b, "%s  %s\n", s.Step, s.Title)
	writeRequest(b, s.Request, "    ")
}

func writeStep(b *strings.Builder, s StepResult) {
	path := ""
	if s.Request != nil {
		path = s.Request.Method + " " + s.Request.URL
	}
	fmt.Fprintf(b, "%-4s  %-42s %s\n", strings.ToUpper(string(s.Verdict.Status)), s.Step, path)
	if s.Verdict.Status == Pass || s.Verdict.Status == Skip {
		if s.Verdict.Status == Skip {
			fmt.Fprintf(b, "      %s\n", s.Verdict.Reason)
		}
		return
	}
	writeVerdict(b, s.Verdict)
	for _, n := range s.Notes {
		fmt.Fprintf(b, "      also %s: [%s] %s\n", n.Status, n.Rule, n.Reason)
	}
	if s.Request != nil {
		b.WriteString("      request:\n")
		writeRequest(b, s.Request, "        ")
	}
	if s.Response != nil {
		fmt.Fprintf(b, "      response: %d %s", s.Response.Status, http.StatusText(s.Response.Status))
		if ct := s.Response.Header.Get("Content-Type"); ct != "" {
			fmt.Fprintf(b, " (Content-Type: %s)", ct)
		}
		b.WriteString("\n")
		if s.Response.Body != "" {
			fmt.Fprintf(b, "        %s\n", excerpt(oneLine(s.Response.Body), 600))
		}
	}
}

func writeVerdict(b *strings.Builder, v Verdict) {
	fmt.Fprintf(b, "      rule: %s\n      why: %s\n", v.Rule, v.Reason)
	if v.IdPAction != "" {
		fmt.Fprintf(b, "      IdP: %s\n", v.IdPAction)
	}
	if v.AdminMessage != "" {
		fmt.Fprintf(b, "      admin sees: %s\n", v.AdminMessage)
	}
}

func writeRequest(b *strings.Builder, req *SentRequest, indent string) {
	fmt.Fprintf(b, "%s%s %s\n", indent, req.Method, req.URL)
	names := make([]string, 0, len(req.Header))
	for name := range req.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range req.Header[name] {
			fmt.Fprintf(b, "%s%s: %s\n", indent, name, v)
		}
	}
	if req.Body != "" {
		fmt.Fprintf(b, "%s%s\n", indent, req.Body)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// JUnit XML, in the layout CI systems (Jenkins, GitLab, GitHub actions
// reporters) read: testsuites > testsuite > testcase with failure or
// skipped children.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *Result) error {
	out := junitSuites{Name: "scimdoctor scim " + r.BaseURL}
	for i := range r.Profiles {
		p := &r.Profiles[i]
		suite := junitSuite{Name: p.Profile}
		for _, s := range p.Steps {
			tc := junitCase{Name: s.Step + ": " + s.Title, ClassName: "scimdoctor." + p.Profile, Time: "0"}
			if s.Response != nil {
				tc.Time = fmt.Sprintf("%.3f", float64(s.Response.Duration)/1e9)
			}
			var detail strings.Builder
			writeVerdict(&detail, s.Verdict)
			if s.Request != nil {
				detail.WriteString("      request:\n")
				writeRequest(&detail, s.Request, "        ")
			}
			if s.Response != nil {
				fmt.Fprintf(&detail, "      response: %d %s\n        %s\n", s.Response.Status, http.StatusText(s.Response.Status), excerpt(oneLine(s.Response.Body), 600))
			}
			switch s.Verdict.Status {
			case Fail:
				suite.Failures++
				msg := s.Verdict.Reason
				if s.Verdict.AdminMessage != "" {
					msg += " | admin sees: " + s.Verdict.AdminMessage
				}
				tc.Failure = &junitMessage{Message: msg, Type: s.Verdict.Rule, Text: detail.String()}
			case Skip, Planned:
				suite.Skipped++
				tc.Skipped = &junitMessage{Message: s.Verdict.Reason}
			case Warn:
				tc.SystemOut = "warn\n" + detail.String()
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, tc)
		}
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
