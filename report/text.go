package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

type textWriter struct {
	w     *bufio.Writer
	color bool
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(format string, args ...any) {
	fmt.Fprintf(t.w, format+"\n", args...)
}

func (t *textWriter) status(s Status) string {
	switch s {
	case StatusPass:
		return t.paint(ansiGreen, "PASS")
	case StatusWarn:
		return t.paint(ansiYellow, "WARN")
	case StatusFail:
		return t.paint(ansiRed, "FAIL")
	}
	return t.paint(ansiDim, "SKIP")
}

// WriteText renders r for a person: the verdict per client first, then the
// layers with their evidence, then the findings.
func WriteText(w io.Writer, r *Report, opts Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: opts.Color}

	t.line("%s %s", t.paint(ansiBold, "scimdoctor "+r.Command), r.Target.URL)
	if r.Target.Address != "" {
		t.line("probed %s (%s, %s)", r.Target.Address, plural(r.Connections, "TCP connection"), roundDuration(r.Duration))
	}
	t.line("")

	if len(r.Verdicts) > 0 {
		t.writeVerdicts(r.Verdicts)
	}
	t.writeLayers(r)
	if len(r.Findings) > 0 {
		t.line("%s", t.paint(ansiBold, "Findings"))
		for _, f := range r.Findings {
			t.line("  [%s] %s", f.Severity, f.Title)
			if f.Detail != "" {
				t.line("      %s", f.Detail)
			}
			for _, e := range f.Evidence {
				t.line("      evidence: %s", e)
			}
		}
		t.line("")
	}
	return t.w.Flush()
}

func (t *textWriter) writeVerdicts(verdicts []Verdict) {
	t.line("%s", t.paint(ansiBold, "Verdict"))
	for _, v := range verdicts {
		if v.Connects {
			detail := ""
			if v.Version != "" {
				detail = fmt.Sprintf(" (%s, %s)", v.Version, v.Suite)
			}
			t.line("  %s  %s would connect%s", t.paint(ansiGreen, "OK  "), v.Display, detail)
			for _, e := range v.Evidence {
				t.line("        note: %s", e)
			}
			continue
		}
		t.line("  %s  %s would fail at the %s layer", t.paint(ansiRed, "FAIL"), v.Display, v.Layer)
		switch {
		case v.Layer == "scim" && v.Message != "":
			// The admin message of a SCIM verdict is built from the IdP's
			// documented pattern, not from a log line of its HTTP client.
			t.line("        it would show: %s", v.Message)
		case v.LogLine == "" && v.Message != "":
			t.line("        no exact line predicted: %s", v.Message)
		case v.Message != "" && v.Message != v.LogLine:
			t.line("        it would show: %s", v.Message)
			t.line("        it would log:  %s", v.LogLine)
		case v.LogLine != "":
			t.line("        it would log:  %s", v.LogLine)
		}
		t.line("        confidence:    %s", v.Confidence)
		for _, e := range v.Evidence {
			t.line("        evidence: %s", e)
		}
		if v.Cause != nil {
			t.line("        cause: %s", v.Cause.Summary)
			t.line("        at fault: %s", v.Cause.Component)
			if v.Cause.SoftwareEvidence != "" {
				t.line("        software: %s (%s)", v.Cause.Software, v.Cause.SoftwareEvidence)
			}
			t.line("        fix:")
			for _, step := range v.Cause.Fix {
				t.writeWrapped("          - ", "            ", step)
			}
		}
	}
	t.line("")
}

func (t *textWriter) writeLayers(r *Report) {
	t.line("%s", t.paint(ansiBold, "Layers"))
	for _, l := range r.Layers {
		t.line("  %s  %-11s %s", t.status(l.Status), l.Name, l.Summary)
		for _, d := range l.Details {
			t.line("        %s", d)
		}
	}
	t.line("")
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// roundDuration shows milliseconds below a second and tenths above, and
// never "0s" for a run that took time.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "under 1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// writeWrapped writes a step whose lines after the first keep the indent,
// so multi-line configuration snippets stay readable.
func (t *textWriter) writeWrapped(first, rest, text string) {
	for i, line := range strings.Split(text, "\n") {
		if i == 0 {
			t.line("%s%s", first, line)
		} else {
			t.line("%s%s", rest, line)
		}
	}
}
