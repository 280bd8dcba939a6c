package conformance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Target is the SCIM endpoint under test and how to authenticate to it.
type Target struct {
	// BaseURL is the SCIM base URL the admin configures in the IdP, such as
	// https://scim.example.com/scim/v2. A query string is dropped; it may
	// carry Entra's aadOptscim062020 flag, which Options.EntraMode reads.
	BaseURL string
	// Auth builds the Authorization header; nil sends none.
	Auth Auth
	// Header holds extra headers sent with every request. Their values are
	// redacted in every output, because they often carry API keys.
	Header http.Header
	// Client sends the requests; nil uses a client that does not follow
	// redirects and trusts the system roots.
	Client *http.Client
}

// Auth produces the Authorization header value and names the secrets that
// must never appear in output.
type Auth interface {
	// Authorization returns the header value. It may fetch a token.
	Authorization(ctx context.Context, client *http.Client) (string, error)
	// Secrets returns the strings to redact from every output.
	Secrets() []string
}

// BearerToken sends "Authorization: Bearer TOKEN", as the IdPs' bearer-token
// setting does.
type BearerToken string

func (t BearerToken) Authorization(context.Context, *http.Client) (string, error) {
	return "Bearer " + string(t), nil
}

func (t BearerToken) Secrets() []string { return []string{string(t)} }

// BasicAuth sends HTTP basic credentials (Okta's "Basic Auth" setting).
type BasicAuth struct{ User, Password string }

func (b BasicAuth) Authorization(context.Context, *http.Client) (string, error) {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(b.User+":"+b.Password)), nil
}

func (b BasicAuth) Secrets() []string {
	return []string{b.Password, base64.StdEncoding.EncodeToString([]byte(b.User + ":" + b.Password))}
}

// ClientCredentials fetches a bearer token with the OAuth 2.0
// client-credentials grant (RFC 6749 section 4.4), as Entra gallery apps
// authenticate. The token is fetched once per run.
type ClientCredentials struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scope is sent when not empty.
	Scope string

	mu    sync.Mutex
	token string
}

// maxTokenResponse bounds the token endpoint's response; real ones are a few
// kilobytes.
const maxTokenResponse = 64 << 10

// Authorization fetches the token on first use and returns "Bearer TOKEN".
func (c *ClientCredentials) Authorization(ctx context.Context, client *http.Client) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" {
		return "Bearer " + c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.Scope != "" {
		form.Set("scope", c.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("invalid token URL %q: %w", c.TokenURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request to %s failed: %w", c.TokenURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	if err != nil {
		return "", fmt.Errorf("reading the token response from %s failed: %w", c.TokenURL, err)
	}
	if len(body) > maxTokenResponse {
		return "", fmt.Errorf("token response from %s exceeds the %d-byte limit", c.TokenURL, maxTokenResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token endpoint %s returned %s: %s", c.TokenURL, resp.Status, excerpt(string(body), 200))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token response from %s has no access_token: %s", c.TokenURL, excerpt(string(body), 200))
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", fmt.Errorf("token endpoint %s issued token_type %q; SCIM clients send bearer tokens", c.TokenURL, tok.TokenType)
	}
	c.token = tok.AccessToken
	return "Bearer " + c.token, nil
}

// Secrets returns the client secret and, once fetched, the access token.
func (c *ClientCredentials) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return []string{c.ClientSecret, c.token, url.QueryEscape(c.ClientSecret)}
}

// Options select what Run sends.
type Options struct {
	// Profiles to run, in order: "okta", "entra", "rfc". Empty runs all.
	Profiles []string
	// Write adds the flows that create, change and remove resources.
	Write bool
	// Plan builds every request without sending one.
	Plan bool
	// User is the userName of an existing user to look up read-only.
	User string
	// OktaDeactivate is "patch" (catalog apps, the default) or "put"
	// (apps built with the App Integration Wizard).
	OktaDeactivate string
	// EntraMode is "default" or "aadOptscim062020" (the tenant-URL flag
	// that switches Entra to RFC-style PATCH). Empty reads the flag from
	// the base URL's query string.
	EntraMode string
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
	// CleanupTimeout bounds the whole cleanup; zero means 20 seconds.
	CleanupTimeout time.Duration
	// Prefix starts the names of created resources; empty picks
	// "scimdoctor-<8 random hex digits>-".
	Prefix string
	// AppName fills "<app>" in Okta's admin messages; empty uses "SCIM app".
	AppName string
}

// Profile names.
const (
	ProfileOkta  = "okta"
	ProfileEntra = "entra"
	ProfileRFC   = "rfc"
)

// ProfileNames lists the profiles in the order Run runs them.
func ProfileNames() []string { return []string{ProfileOkta, ProfileEntra, ProfileRFC} }

// Entra modes.
const (
	EntraDefault = "default"
	EntraFlag    = "aadOptscim062020"
)

// UsageError is an invalid Target or Options value, with the next step.
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErr(hint, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Hint: hint}
}

// parseBaseURL checks the base URL and returns it without query, fragment or
// trailing slash, and whether its query carries aadOptscim062020.
func parseBaseURL(raw string) (string, bool, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, usageErr("give the SCIM base URL as configured in the IdP, such as https://scim.example.com/scim/v2", "invalid URL %q: %v", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", false, usageErr("give the SCIM base URL as configured in the IdP, such as https://scim.example.com/scim/v2", "invalid URL %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Host == "" {
		return "", false, usageErr("give the SCIM base URL as configured in the IdP, such as https://scim.example.com/scim/v2", "invalid URL %q: no host", raw)
	}
	if u.User != nil {
		return "", false, usageErr("pass credentials with --basic or --token, not in the URL", "invalid URL %q: it carries user information", redactUserinfo(u))
	}
	flag := false
	for key := range u.Query() {
		if strings.EqualFold(key, EntraFlag) {
			flag = true
		}
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), flag, nil
}

func redactUserinfo(u *url.URL) string {
	c := *u
	c.User = url.User("[REDACTED]")
	return c.String()
}

// redactor replaces secrets in every string written to a result.
type redactor struct{ secrets []string }

const redacted = "[REDACTED]"

func (r *redactor) add(secrets ...string) {
	for _, s := range secrets {
		if len(s) >= 3 {
			r.secrets = append(r.secrets, s)
		}
	}
}

func (r *redactor) clean(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

// header copies h with Authorization, Cookie and the caller's extra headers
// redacted, and every other value cleaned of secrets.
func (r *redactor) header(h http.Header, extra http.Header) http.Header {
	out := http.Header{}
	for name, values := range h {
		for _, v := range values {
			switch {
			case strings.EqualFold(name, "Authorization"):
				scheme, _, found := strings.Cut(v, " ")
				if found {
					v = scheme + " " + redacted
				} else {
					v = redacted
				}
			case strings.EqualFold(name, "Cookie"), extra.Get(name) != "":
				v = redacted
			default:
				v = r.clean(v)
			}
			out.Add(name, v)
		}
	}
	return out
}

// errNoTarget is returned by Run for an empty base URL.
var errNoTarget = errors.New("no SCIM base URL given")
