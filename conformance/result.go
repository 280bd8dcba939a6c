package conformance

import (
	"net/http"
	"time"
)

// Status is the verdict on one request.
type Status string

// The verdicts, from best to worst. Skip means the request was not sent
// because a value it needs (an id from an earlier step) is missing.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
	// Planned marks a request of a --plan run, built but not sent.
	Planned Status = "planned"
)

// Verdict is the judgement on one exchange: the rule that decided it, why,
// what the identity provider does with such a response, and the line its
// admin would read.
type Verdict struct {
	Status Status `json:"status"`
	// Rule is the id of the deciding rule, such as
	// "entra.lookup.empty-must-be-200".
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	// IdPAction is the identity provider's action on this response.
	IdPAction string `json:"idp_action,omitempty"`
	// AdminMessage is the message the IdP shows its admin, built from the
	// IdP's documented pattern with the server's own error detail.
	AdminMessage string `json:"admin_message,omitempty"`
}

// SentRequest is a request as sent, with every secret replaced by
// "[REDACTED]".
type SentRequest struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header"`
	Body   string      `json:"body,omitempty"`
}

// Received is the part of a response the verdicts use. Body holds at most
// MaxResponseBody bytes; BodyTruncated is set when the server sent more.
type Received struct {
	Status        int         `json:"status"`
	Header        http.Header `json:"header"`
	Body          string      `json:"body,omitempty"`
	BodyTruncated bool        `json:"body_truncated,omitempty"`
	Duration      Duration    `json:"duration"`
}

// Duration is a time.Duration that marshals as a string such as "12ms".
type Duration time.Duration

// MarshalText writes the duration in Go's notation.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).Round(time.Microsecond).String()), nil
}

// UnmarshalText reads the notation MarshalText writes.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// StepResult is one request of a profile and its verdict. Response is nil
// for skipped and planned steps and when the request failed in transport.
type StepResult struct {
	Step     string       `json:"step"`
	Title    string       `json:"title"`
	Request  *SentRequest `json:"request,omitempty"`
	Response *Received    `json:"response,omitempty"`
	Verdict  Verdict      `json:"verdict"`
	// Notes are further warnings on the same exchange that did not decide
	// the verdict.
	Notes []Verdict `json:"notes,omitempty"`
}

// ProfileResult holds the steps one profile ran, in order.
type ProfileResult struct {
	Profile string       `json:"profile"`
	Steps   []StepResult `json:"steps"`
}

// Counts returns how many steps got each status.
func (p *ProfileResult) Counts() map[Status]int {
	counts := map[Status]int{}
	for _, s := range p.Steps {
		counts[s.Verdict.Status]++
	}
	return counts
}

// Resource is one resource the run created on the server.
type Resource struct {
	Type    string `json:"type"` // "Users" or "Groups"
	ID      string `json:"id"`
	Name    string `json:"name"`
	Profile string `json:"profile"`
	// Problem is the reason the cleanup could not remove it. It is empty
	// once the resource is removed.
	Problem string `json:"problem,omitempty"`
}

// Cleanup lists what the run created and whether it is gone.
type Cleanup struct {
	Removed []Resource `json:"removed"`
	Left    []Resource `json:"left"`
}

// Result is the outcome of Run.
type Result struct {
	Schema  string `json:"schema"`
	BaseURL string `json:"base_url"`
	Write   bool   `json:"write"`
	Plan    bool   `json:"plan"`
	Prefix  string `json:"prefix,omitempty"`
	// Warnings are problems of the base URL itself that the IdPs reject
	// before they send a request, such as http:// for Okta and Entra ID.
	Warnings []string        `json:"warnings,omitempty"`
	Profiles []ProfileResult `json:"profiles"`
	Cleanup  Cleanup         `json:"cleanup"`
	// Aborted is set when the run stopped early: the endpoint went away,
	// a request timed out, or the run was interrupted.
	Aborted *AbortError `json:"aborted,omitempty"`
}

// ResultSchema names the JSON layout of Result.
const ResultSchema = "scimdoctor.scim/v1"

// Exit codes, as every scimdoctor command uses them.
const (
	ExitPass        = 0
	ExitFail        = 1
	ExitUnreachable = 3
	ExitInterrupted = 130
)

// ExitCode returns the process exit code for the run. It is 0 when no step
// failed and nothing was left behind. It is 1 when a step failed, a created
// resource could not be removed or the OAuth token endpoint rejected the
// credentials. It is 3 when the run stopped because the endpoint or the
// token endpoint could not be reached or timed out, and 130 after an
// interrupt.
func (r *Result) ExitCode() int {
	if r.Aborted != nil {
		switch {
		case r.Aborted.Interrupted:
			return ExitInterrupted
		case r.Aborted.AuthFailure:
			return ExitFail
		}
		return ExitUnreachable
	}
	if len(r.Cleanup.Left) > 0 {
		return ExitFail
	}
	for i := range r.Profiles {
		if r.Profiles[i].Counts()[Fail] > 0 {
			return ExitFail
		}
	}
	return ExitPass
}

// AbortError names which request stopped the run and why.
type AbortError struct {
	Profile string `json:"profile"`
	Step    string `json:"step"`
	Method  string `json:"method"`
	URL     string `json:"url"`
	Reason  string `json:"reason"`
	// Interrupted is set when the run was cancelled (SIGINT) rather than
	// stopped by the endpoint.
	Interrupted bool `json:"interrupted,omitempty"`
	// AuthFailure is set when the OAuth token endpoint returned no token
	// (such as 401 with "invalid_client"). The target was reached and
	// rejected the credentials, so the exit code is 1, not 3.
	AuthFailure bool `json:"auth_failure,omitempty"`
	// Hint is the suggested next step, such as passing --cacert for a
	// private CA, or empty.
	Hint string `json:"hint,omitempty"`
}

func (e *AbortError) Error() string {
	if e.Interrupted {
		return "run interrupted during " + e.Step + " (" + e.Method + " " + e.URL + ")"
	}
	return e.Step + " (" + e.Method + " " + e.URL + ") failed: " + e.Reason
}

// FirstFailure returns the first failed step in run order and its
// profile, or nil when no step failed. check names this request as the
// failing layer.
func (r *Result) FirstFailure() (profile string, step *StepResult) {
	for i := range r.Profiles {
		for j := range r.Profiles[i].Steps {
			if r.Profiles[i].Steps[j].Verdict.Status == Fail {
				return r.Profiles[i].Profile, &r.Profiles[i].Steps[j]
			}
		}
	}
	return "", nil
}
