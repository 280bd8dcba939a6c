package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultCleanupTimeout = 20 * time.Second
)

// Run sends the selected profiles' requests to target and judges each
// response. It returns an error only for invalid input (a *UsageError). An
// endpoint that cannot be reached, times out or goes away mid-run, and an
// interrupt through ctx, end the run with Result.Aborted set. Resources
// created with Options.Write are removed before Run returns, also after an
// abort or interrupt, within Options.CleanupTimeout; Result.Cleanup lists
// what was removed and what was left, with ids.
//
// Without Options.Write only read-only requests are sent: the connection
// tests, discovery endpoints, lookups that match nothing and, with
// Options.User, look-ups of that existing user. check calls Run this way.
func Run(ctx context.Context, target Target, opts Options) (*Result, error) {
	r, err := newRunner(target, opts)
	if err != nil {
		return nil, err
	}
	r.run(ctx)
	return r.result, nil
}

// runner carries the state of one Run.
type runner struct {
	target  Target
	opts    Options
	base    string
	client  *http.Client
	redact  *redactor
	result  *Result
	created *tracker
	profile string
	vars    map[string]string
}

func newRunner(target Target, opts Options) (*runner, error) {
	if strings.TrimSpace(target.BaseURL) == "" {
		return nil, &UsageError{Err: errNoTarget, Hint: "give the SCIM base URL as configured in the IdP, such as https://scim.example.com/scim/v2"}
	}
	base, flag, err := parseBaseURL(target.BaseURL)
	if err != nil {
		return nil, err
	}
	if len(opts.Profiles) == 0 {
		opts.Profiles = ProfileNames()
	}
	for _, p := range opts.Profiles {
		if !slices.Contains(ProfileNames(), p) {
			return nil, usageErr("use one or more of "+strings.Join(ProfileNames(), ", "), "unknown profile %q", p)
		}
	}
	app, err := resolveOktaApp(opts.OktaApp, opts.OktaDeactivate)
	if err != nil {
		return nil, err
	}
	opts.OktaApp = app
	switch {
	case opts.EntraMode == "" && flag:
		opts.EntraMode = EntraFlag
	case opts.EntraMode == "":
		opts.EntraMode = EntraDefault
	case strings.EqualFold(opts.EntraMode, EntraFlag):
		opts.EntraMode = EntraFlag
	case opts.EntraMode == EntraDefault:
	default:
		return nil, usageErr("use default or aadOptscim062020", "invalid Entra mode %q", opts.EntraMode)
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Timeout < 0 {
		return nil, usageErr("give a positive duration such as 10s", "invalid timeout %s", opts.Timeout)
	}
	if opts.CleanupTimeout <= 0 {
		opts.CleanupTimeout = DefaultCleanupTimeout
	}
	if opts.AppName == "" {
		opts.AppName = "SCIM app"
	}
	if opts.Prefix == "" {
		b := make([]byte, 4)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("reading random bytes for the resource prefix failed: %w", err)
		}
		opts.Prefix = "scimdoctor-" + hex.EncodeToString(b) + "-"
	}
	if !validPrefix(opts.Prefix) {
		return nil, usageErr("use letters, digits and hyphens, such as scimdoctor-ci-", "invalid resource prefix %q", opts.Prefix)
	}
	for name := range target.Header {
		if strings.EqualFold(name, "Authorization") && target.Auth != nil {
			return nil, usageErr("pass the credentials once: either as --header or with --token, --basic or --oauth-client-credentials", "Authorization given both as a header and as credentials")
		}
	}

	client := target.Client
	if client == nil {
		client = newHTTPClient()
	}
	red := &redactor{}
	if target.Auth != nil {
		red.add(target.Auth.Secrets()...)
	}
	for _, values := range target.Header {
		red.add(values...)
	}
	r := &runner{
		target:  target,
		opts:    opts,
		base:    base,
		client:  client,
		redact:  red,
		created: &tracker{},
		result: &Result{
			Schema:   ResultSchema,
			BaseURL:  base,
			Write:    opts.Write,
			Plan:     opts.Plan,
			Warnings: baseURLWarnings(base),
		},
	}
	if opts.Write || opts.Plan {
		r.result.Prefix = opts.Prefix
	}
	return r, nil
}

// resolveOktaApp returns the Okta app kind from OktaApp and the older
// OktaDeactivate, which must agree when both are set.
func resolveOktaApp(app, deactivate string) (string, error) {
	switch app {
	case "", OktaCatalog, OktaWizard:
	default:
		return "", usageErr("use catalog (OIN catalog apps) or wizard (apps built with the App Integration Wizard)", "invalid Okta app kind %q", app)
	}
	fromDeactivate := ""
	switch deactivate {
	case "":
	case "patch":
		fromDeactivate = OktaCatalog
	case "put":
		fromDeactivate = OktaWizard
	default:
		return "", usageErr("use patch (catalog apps) or put (App Integration Wizard apps), or --okta-app catalog|wizard", "invalid Okta deactivation mode %q", deactivate)
	}
	switch {
	case app != "" && fromDeactivate != "" && app != fromDeactivate:
		return "", usageErr("--okta-deactivate put is the same as --okta-app wizard, and patch the same as catalog; give one of them", "Okta app kind %q conflicts with deactivation mode %q", app, deactivate)
	case app != "":
		return app, nil
	case fromDeactivate != "":
		return fromDeactivate, nil
	}
	return OktaCatalog, nil
}

func validPrefix(p string) bool {
	if len(p) == 0 || len(p) > 40 {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (r *runner) run(ctx context.Context) {
	defer r.cleanup(ctx)
	for _, name := range r.opts.Profiles {
		r.profile = name
		r.vars = r.baseVars()
		r.result.Profiles = append(r.result.Profiles, ProfileResult{Profile: name})
		for _, s := range r.steps(name) {
			if s.write && !r.opts.Write {
				continue
			}
			if !r.runStep(ctx, s) {
				return
			}
		}
	}
}

// steps returns the flow of one profile.
func (r *runner) steps(profile string) []step {
	switch profile {
	case ProfileOkta:
		return oktaSteps(r.opts)
	case ProfileEntra:
		return entraSteps(r.opts)
	default:
		return rfcSteps(r.opts)
	}
}

// baseVars returns the values every profile starts from: unique names for
// resources it creates or looks up, and the existing user, if any.
func (r *runner) baseVars() map[string]string {
	p := r.opts.Prefix + r.profile + "-"
	vars := map[string]string{
		"app":          r.opts.AppName,
		"userName":     p + "jdoe@example.com",
		"userNameCaps": strings.ToUpper(p + "jdoe@example.com"),
		"missingUser":  p + "missing@example.com",
		"missingGroup": p + "missing-group",
		"groupName":    p + "group",
		"groupRenamed": p + "group-renamed",
		"externalId":   p + "ext-" + randomHex(6),
		"guid":         randomGUID(),
		"unknownId":    "010101001010101011001010101011",
		"prefix":       r.opts.Prefix,
		// oktaUserId has the shape of an Okta user id, which Okta sends
		// as externalId.
		"oktaUserId":      "00u" + randomHex(8) + "scim",
		"password":        "Pw-" + randomHex(8),
		"newPassword":     "Pw2-" + randomHex(8),
		"emailNew":        p + "jane.doe-smith@example.com",
		"employeeNumber":  "E" + randomHex(3),
		"groupExternalId": p + "group-ext-" + randomHex(4),
	}
	if r.opts.User != "" {
		vars["existingUser"] = r.opts.User
		vars["existingUserCaps"] = strings.ToUpper(r.opts.User)
	}
	return vars
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomGUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// runStep sends one step and records its result. It returns false when the
// run must stop (transport failure or interrupt).
func (r *runner) runStep(ctx context.Context, s step) bool {
	pr := &r.result.Profiles[len(r.result.Profiles)-1]
	ex, missing := r.build(s)
	sr := StepResult{Step: s.id, Title: s.title, Request: r.sentRequest(ex)}

	if r.opts.Plan {
		if scheme := r.planScheme(s); scheme != "" {
			sr.Request.Header.Set("Authorization", scheme+" "+redacted)
		}
		sr.Verdict = Verdict{Status: Planned, Rule: "plan", Reason: "not sent (--plan)"}
		pr.Steps = append(pr.Steps, sr)
		return true
	}
	if len(missing) > 0 {
		sr.Verdict = Verdict{Status: Skip, Rule: "flow.missing-value", Reason: "not sent: an earlier step did not produce {{" + strings.Join(missing, "}}, {{") + "}}"}
		pr.Steps = append(pr.Steps, sr)
		return true
	}
	if ctx.Err() != nil {
		r.abort(s, ex, ctx.Err(), true)
		return false
	}

	if err := r.authorize(ctx, s, ex); err != nil {
		if ctx.Err() != nil {
			r.abort(s, ex, ctx.Err(), true)
			return false
		}
		var tokenErr *TokenError
		if errors.As(err, &tokenErr) {
			sr.Verdict = Verdict{Status: Fail, Rule: "auth.token-rejected", Reason: r.redact.clean(err.Error()),
				IdPAction: idpName(r.profile) + " gets no access token, so it sends no SCIM request and its connection test fails with a credential error"}
			pr.Steps = append(pr.Steps, sr)
			r.abort(s, ex, err, false)
			r.result.Aborted.AuthFailure = true
			r.result.Aborted.Hint = tokenHint(tokenErr)
			return false
		}
		sr.Verdict = Verdict{Status: Fail, Rule: "auth.token-fetch", Reason: r.redact.clean(err.Error()), IdPAction: "the IdP cannot reach the token endpoint, so it sends no SCIM request at all"}
		pr.Steps = append(pr.Steps, sr)
		r.abort(s, ex, err, false)
		return false
	}
	sr.Request = r.sentRequest(ex)

	err := send(ctx, r.client, r.opts.Timeout, ex)
	if err != nil {
		interrupted := errors.Is(err, context.Canceled) && ctx.Err() != nil
		sr.Verdict = transportVerdict(r.profile, err, interrupted, ex.url)
		sr.Verdict.Reason = r.redact.clean(sr.Verdict.Reason)
		sr.Verdict.AdminMessage = r.redact.clean(sr.Verdict.AdminMessage)
		pr.Steps = append(pr.Steps, sr)
		r.abort(s, ex, err, interrupted)
		if !interrupted {
			r.result.Aborted.Hint = transportHint(classifyTransport(err, ex.url), r.base)
		}
		return false
	}
	sr.Response = r.received(ex)
	if reason, ok := plainHTTPToTLS(ex); ok {
		sr.Verdict = fail("transport.http-to-https-port", reason,
			"the IdPs send HTTPS only, and a SCIM request over plain HTTP to this port never reaches the SCIM handler", "")
		pr.Steps = append(pr.Steps, sr)
		r.abort(s, ex, errors.New(reason), false)
		r.result.Aborted.Hint = "use the https:// form of the base URL: " + httpsForm(r.base)
		return false
	}

	c := &call{runner: r, step: s, ex: ex, vars: r.vars, profile: r.profile}
	if ex.truncated {
		c.add(fail("http.body-too-large", fmt.Sprintf("the response body exceeds the %d-byte limit; the rest was not read", MaxResponseBody),
			"an IdP reading such a response times out or runs out of memory", ""))
	}
	s.judge(c)
	sr.Verdict, sr.Notes = c.verdict()
	sr.Verdict = r.cleanVerdict(sr.Verdict)
	for i := range sr.Notes {
		sr.Notes[i] = r.cleanVerdict(sr.Notes[i])
	}
	pr.Steps = append(pr.Steps, sr)
	if s.after != nil {
		s.after(c)
	}
	return true
}

func (r *runner) cleanVerdict(v Verdict) Verdict {
	v.Reason = r.redact.clean(v.Reason)
	v.AdminMessage = r.redact.clean(v.AdminMessage)
	return v
}

// build expands a step's templates into an exchange.
func (r *runner) build(s step) (*exchange, []string) {
	var missing []string
	add := func(m []string) { missing = append(missing, m...) }

	path, m := expand(s.path, r.vars, pathEscape)
	add(m)
	u := r.base + path
	if s.query != "" {
		esc := s.escape
		if esc == nil {
			esc = escapeQuery
		}
		q, m := expand(s.query, r.vars, esc)
		add(m)
		u += "?" + q
	}
	h := http.Header{}
	for name, values := range r.target.Header {
		for _, v := range values {
			h.Add(name, v)
		}
	}
	for _, kv := range s.header {
		if strings.EqualFold(kv[0], "Authorization") && kv[1] == "" {
			h.Del("Authorization")
			continue
		}
		v, m := expand(kv[1], r.vars, escapeNone)
		add(m)
		h[http.CanonicalHeaderKey(kv[0])] = []string{v}
	}
	ex := &exchange{method: s.method, url: u, header: h}
	switch {
	case strings.HasPrefix(s.body, "@"):
		// A body built by an earlier step, such as Okta's PUT of the
		// whole resource it has just read.
		name := s.body[1:]
		if v, ok := r.vars[name]; ok {
			ex.body = []byte(v)
		} else {
			add([]string{name})
			ex.body = []byte("{{" + name + "}}")
		}
	case s.body != "":
		b, m := expand(s.body, r.vars, escapeJSON)
		add(m)
		ex.body = []byte(b)
	}
	return ex, missing
}

func pathEscape(s string) string { return strings.ReplaceAll(urlPathEscape(s), "%40", "@") }

// planScheme returns the scheme of the Authorization header a step would
// carry, without fetching a token, for --plan.
func (r *runner) planScheme(s step) string {
	for _, kv := range s.header {
		if strings.EqualFold(kv[0], "Authorization") {
			return ""
		}
	}
	switch r.target.Auth.(type) {
	case nil:
		return ""
	case BasicAuth, *BasicAuth:
		return "Basic"
	}
	return "Bearer"
}

// authorize sets the Authorization header unless the step sets its own.
func (r *runner) authorize(ctx context.Context, s step, ex *exchange) error {
	for _, kv := range s.header {
		if strings.EqualFold(kv[0], "Authorization") {
			if kv[1] == "" {
				ex.header.Del("Authorization")
			}
			return nil
		}
	}
	if r.target.Auth == nil {
		return nil
	}
	v, err := r.target.Auth.Authorization(ctx, r.client)
	if err != nil {
		return err
	}
	r.redact.add(r.target.Auth.Secrets()...)
	ex.header.Set("Authorization", v)
	return nil
}

func (r *runner) sentRequest(ex *exchange) *SentRequest {
	return &SentRequest{
		Method: ex.method,
		URL:    r.redact.url(ex.url),
		Header: r.redact.header(ex.header, r.target.Header),
		Body:   r.redact.body(ex.body),
	}
}

func (r *runner) received(ex *exchange) *Received {
	return &Received{
		Status:        ex.status,
		Header:        r.redact.header(ex.respHdr, nil),
		Body:          excerpt(r.redact.body(ex.respBody), maxRecordedBody),
		BodyTruncated: ex.truncated,
		Duration:      Duration(ex.duration),
	}
}

// maxRecordedBody is the maximum number of response body bytes a result
// keeps. It is enough for a SCIM error or a typical single resource, and
// short enough to read in a report.
const maxRecordedBody = 4096

func (r *runner) abort(s step, ex *exchange, err error, interrupted bool) {
	r.result.Aborted = &AbortError{
		Profile:     r.profile,
		Step:        s.id,
		Method:      ex.method,
		URL:         r.redact.url(ex.url),
		Reason:      r.redact.clean(err.Error()),
		Interrupted: interrupted,
	}
}

// tracker records the resources a run created, for cleanup.
type tracker struct {
	mu      sync.Mutex
	live    []Resource
	removed []Resource
}

func (t *tracker) add(res Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.live {
		if l.Type == res.Type && l.ID == res.ID {
			return
		}
	}
	t.live = append(t.live, res)
}

// gone moves a resource the flow itself deleted to the removed list.
func (t *tracker) gone(typ, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, l := range t.live {
		if l.Type == typ && l.ID == id {
			t.removed = append(t.removed, l)
			t.live = slices.Delete(t.live, i, i+1)
			return
		}
	}
}

// cleanup deletes every resource still live, newest first, so groups go
// before the users they contain. It has its own deadline because it also
// runs after an interrupt has cancelled ctx.
func (r *runner) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.CleanupTimeout)
	defer cancel()
	live := slices.Clone(r.created.live)
	slices.Reverse(live)
	for _, res := range live {
		if err := r.remove(ctx, res); err != nil {
			res.Problem = r.redact.clean(err.Error())
			r.result.Cleanup.Left = append(r.result.Cleanup.Left, res)
			continue
		}
		r.created.gone(res.Type, res.ID)
	}
	r.result.Cleanup.Removed = append(r.result.Cleanup.Removed, r.created.removed...)
	if r.result.Cleanup.Removed == nil {
		r.result.Cleanup.Removed = []Resource{}
	}
	if r.result.Cleanup.Left == nil {
		r.result.Cleanup.Left = []Resource{}
	}
}

func (r *runner) remove(ctx context.Context, res Resource) error {
	if ctx.Err() != nil {
		return fmt.Errorf("not attempted: the cleanup deadline of %s passed", r.opts.CleanupTimeout)
	}
	ex := &exchange{method: http.MethodDelete, url: r.base + "/" + res.Type + "/" + urlPathEscape(res.ID), header: http.Header{}}
	for name, values := range r.target.Header {
		ex.header[name] = values
	}
	if r.target.Auth != nil {
		v, err := r.target.Auth.Authorization(ctx, r.client)
		if err != nil {
			return err
		}
		ex.header.Set("Authorization", v)
	}
	timeout := r.opts.Timeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
	}
	if err := send(ctx, r.client, timeout, ex); err != nil {
		return fmt.Errorf("DELETE %s failed: %w", ex.url, err)
	}
	switch ex.status {
	case http.StatusNoContent, http.StatusOK, http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("DELETE %s returned %d %s: %s", ex.url, ex.status, http.StatusText(ex.status), excerpt(string(ex.respBody), 200))
}

// tokenHint returns the next step for a token endpoint that returned no
// token, by the OAuth error code (RFC 6749 section 5.2).
func tokenHint(e *TokenError) string {
	switch e.Code {
	case "invalid_client", "unauthorized_client":
		return "check the client ID and secret registered at the token endpoint, and that the client may use the client_credentials grant"
	case "invalid_scope":
		return "request a scope the token endpoint grants to this client, or leave the scope out"
	case "unsupported_grant_type":
		return "enable the client_credentials grant for this client at the token endpoint"
	}
	return "check the token URL and the client registration at the token endpoint"
}
