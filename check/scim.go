package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/scimdoctor/scimdoctor/conformance"
	"github.com/scimdoctor/scimdoctor/report"
)

// ClassSCIMRequest is the failure class of a verdict whose client connects
// but whose IdP would reject the response to one of its read-only SCIM
// requests. The verdict's Message is the IdP's admin message, and
// Report.SCIM names the request.
const ClassSCIMRequest = "scim_request"

// scimProfiles maps the client profiles of check to the conformance
// profiles that replay the same IdP's SCIM requests. Clients without an
// entry, such as java-17, are HTTP stacks with no SCIM flow of their own.
var scimProfiles = map[string]string{
	"okta":  conformance.ProfileOkta,
	"entra": conformance.ProfileEntra,
}

// scimClients returns the conformance profiles, in the order of the
// verdicts, of the clients that complete the TLS handshake and the
// certificate checks. It runs before the HTTP layer's judgement changes
// the verdicts.
func (run *runner) scimClients() []string {
	var profiles []string
	for _, v := range run.report.Verdicts {
		p, ok := scimProfiles[v.Client]
		if ok && v.Connects && !containsString(profiles, p) {
			profiles = append(profiles, p)
		}
	}
	return profiles
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// scim runs the read-only requests of the okta and entra conformance
// profiles, for the selected clients that passed TLS, and turns the first
// failing request of each profile into that client's verdict. It needs an
// HTTP response that is not 401 or 403, because without accepted
// credentials every request would fail for the same reason the HTTP layer
// already reports.
func (run *runner) scim(ctx context.Context, profiles []string) {
	if run.opts.NoSCIM {
		return
	}
	switch {
	case len(profiles) == 0:
		run.addLayer("scim", report.StatusSkip, "no client with a SCIM flow (okta, entra) completes the TLS handshake, so no SCIM request was sent")
		return
	case run.report.HTTP == nil || run.report.HTTP.Status == 0:
		run.addLayer("scim", report.StatusSkip, "the HTTP layer got no response, so no SCIM request was sent")
		return
	case run.report.HTTP.Status == http.StatusUnauthorized || run.report.HTTP.Status == http.StatusForbidden:
		run.addLayer("scim", report.StatusSkip, fmt.Sprintf("the server answered %d to the HTTP layer's request, so no SCIM request was sent; give the token the IdP uses with --token or --basic", run.report.HTTP.Status))
		return
	}

	client, closeIdle := run.scimHTTPClient()
	defer closeIdle()
	target := conformance.Target{BaseURL: run.opts.URL, Client: client}
	if run.opts.Authorization != "" {
		target.Header = http.Header{"Authorization": {run.opts.Authorization}}
	}
	opts := conformance.Options{Profiles: profiles, User: run.opts.SCIMUser, Timeout: run.opts.Timeout}
	result, err := conformance.Run(ctx, target, opts)
	if err != nil {
		// The URL and options passed check's own validation, so this is
		// a value conformance judges differently; it is reported, not
		// fatal.
		run.addLayer("scim", report.StatusSkip, "the SCIM requests could not be built: "+err.Error())
		return
	}
	run.report.SCIM = scimReport(result)
	run.addSCIMLayer(run.report.SCIM)
	run.failSCIM(run.report.SCIM, profiles)
}

// scimHTTPClient returns the client of the SCIM requests. It connects to
// the address the TCP layer reached, through the check's proxy when there
// is one, and verifies the certificate against the Mozilla roots plus
// --cacert, as the IdP does.
func (run *runner) scimHTTPClient() (*http.Client, func()) {
	serverName := run.endpoint.Host
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			run.extraConnections.Add(1)
			return run.dial(ctx, network, run.addr)
		},
		TLSClientConfig: &tls.Config{
			RootCAs:    run.roots,
			ServerName: serverName,
			MinVersion: tls.VersionTLS12,
		},
		TLSHandshakeTimeout:    run.opts.Timeout,
		ResponseHeaderTimeout:  run.opts.Timeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		Proxy:                  nil,
		// The IdPs speak HTTP/1.1 to SCIM servers.
		ForceAttemptHTTP2: false,
		TLSNextProto:      map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	client := &http.Client{
		Transport: transport,
		// The IdPs do not follow redirects of SCIM requests.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return client, transport.CloseIdleConnections
}

// scimReport copies the parts of a conformance result that the report
// keeps.
func scimReport(result *conformance.Result) *report.SCIM {
	out := &report.SCIM{}
	for _, p := range result.Profiles {
		profile := report.SCIMProfile{Profile: p.Profile}
		for _, s := range p.Steps {
			step := report.SCIMStep{
				Profile:      p.Profile,
				Step:         s.Step,
				Title:        s.Title,
				Verdict:      string(s.Verdict.Status),
				Rule:         s.Verdict.Rule,
				Reason:       s.Verdict.Reason,
				IdPAction:    s.Verdict.IdPAction,
				AdminMessage: s.Verdict.AdminMessage,
			}
			if s.Request != nil {
				step.Method = s.Request.Method
				step.URL = s.Request.URL
				if s.Verdict.Status != conformance.Skip && s.Verdict.Status != conformance.Planned {
					out.Requests++
				}
			}
			if s.Response != nil {
				step.Status = s.Response.Status
			}
			profile.Steps = append(profile.Steps, step)
			if out.FirstFailure == nil && s.Verdict.Status == conformance.Fail {
				first := step
				out.FirstFailure = &first
			}
		}
		out.Profiles = append(out.Profiles, profile)
	}
	if result.Aborted != nil {
		out.Aborted = result.Aborted.Error()
	}
	return out
}

// addSCIMLayer records the layer: one line per profile with its counts and
// one per request that did not pass.
func (run *runner) addSCIMLayer(s *report.SCIM) {
	var details []string
	var counts []string
	warned := false
	for _, p := range s.Profiles {
		n := map[string]int{}
		for _, step := range p.Steps {
			n[step.Verdict]++
			if step.Verdict == string(conformance.Pass) {
				continue
			}
			if step.Verdict == string(conformance.Warn) {
				warned = true
			}
			details = append(details, describeSCIMStep(step))
		}
		counts = append(counts, fmt.Sprintf("%s %d pass, %d warn, %d fail", p.Profile, n["pass"], n["warn"], n["fail"]))
	}
	summary := fmt.Sprintf("%d read-only requests: %s", s.Requests, strings.Join(counts, "; "))
	switch {
	case s.Aborted != "":
		details = append(details, "run stopped: "+s.Aborted)
		run.addLayer("scim", report.StatusFail, summary+"; the run stopped early", details...)
	case s.FirstFailure != nil:
		f := s.FirstFailure
		run.addLayer("scim", report.StatusFail, fmt.Sprintf("%s; first failure: %s %s (%s)", summary, f.Method, f.URL, f.Rule), details...)
	case warned:
		run.addLayer("scim", report.StatusWarn, summary, details...)
	default:
		run.addLayer("scim", report.StatusPass, summary, details...)
	}
}

// describeSCIMStep returns one line on a request that did not pass.
func describeSCIMStep(s report.SCIMStep) string {
	answer := "no response"
	if s.Status != 0 {
		answer = fmt.Sprintf("answered %d", s.Status)
	}
	line := fmt.Sprintf("%s %s: %s %s %s: %s (%s)", strings.ToUpper(s.Verdict), s.Step, s.Method, s.URL, answer, s.Reason, s.Rule)
	if s.Method == "" {
		line = fmt.Sprintf("%s %s: %s (%s)", strings.ToUpper(s.Verdict), s.Step, s.Reason, s.Rule)
	}
	return line
}

// failSCIM marks the verdicts of the clients of profiles that still
// connect as failing at the SCIM layer, at their profile's first failing
// request, or at the request that stopped the run. A verdict that the HTTP
// layer failed keeps that earlier layer, and diagnose uses the SCIM
// layer's first failure for its cause.
func (run *runner) failSCIM(s *report.SCIM, profiles []string) {
	for i := range run.report.Verdicts {
		v := &run.report.Verdicts[i]
		profile, ok := scimProfiles[v.Client]
		if !ok || !containsString(profiles, profile) || !v.Connects {
			continue
		}
		step := firstSCIMFailure(s, profile)
		if step == nil {
			continue
		}
		v.Connects = false
		v.Layer = "scim"
		v.Class = ClassSCIMRequest
		v.LogLine = ""
		v.Message = step.AdminMessage
		if v.Message == "" {
			v.Message = step.Reason
		}
		v.Evidence = append(v.Evidence, describeSCIMStep(*step))
		if step.IdPAction != "" {
			v.Evidence = append(v.Evidence, v.Display+": "+step.IdPAction)
		}
	}
}

// firstSCIMFailure returns the first failing request of profile, or a step
// for the request that stopped the run there, or nil.
func firstSCIMFailure(s *report.SCIM, profile string) *report.SCIMStep {
	for _, p := range s.Profiles {
		if p.Profile != profile {
			continue
		}
		for i := range p.Steps {
			if p.Steps[i].Verdict == string(conformance.Fail) {
				return &p.Steps[i]
			}
		}
	}
	if s.Aborted != "" {
		for _, p := range s.Profiles {
			if p.Profile == profile && len(p.Steps) > 0 {
				last := p.Steps[len(p.Steps)-1]
				last.Verdict = string(conformance.Fail)
				last.Reason = "the run stopped: " + s.Aborted
				return &last
			}
		}
	}
	return nil
}
