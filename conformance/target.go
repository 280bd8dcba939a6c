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
		return "", newTokenError(c.TokenURL, resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", &TokenError{URL: c.TokenURL, Status: resp.StatusCode, Problem: "the response has no access_token: " + excerpt(string(body), 200)}
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", &TokenError{URL: c.TokenURL, Status: resp.StatusCode, Problem: fmt.Sprintf("it issued token_type %q, and SCIM clients send bearer tokens", tok.TokenType)}
	}
	c.token = tok.AccessToken
	return "Bearer " + c.token, nil
}

// TokenError is a response of the OAuth token endpoint that carries no
// usable token. The endpoint was reached, so the credentials or the
// endpoint's configuration are at fault, not the network.
type TokenError struct {
	URL    string
	Status int
	// Code is the "error" value of an OAuth 2.0 error response (RFC 6749
	// section 5.2), such as "invalid_client"; empty when the body has none.
	Code        string
	Description string
	// Problem describes a 200 response without a usable token, or the body
	// of an error response without an OAuth error code.
	Problem string
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("token endpoint %s returned %d %s", e.URL, e.Status, http.StatusText(e.Status))
	switch {
	case e.Code != "" && e.Description != "":
		msg += fmt.Sprintf(" with error %q (%s)", e.Code, e.Description)
	case e.Code != "":
		msg += fmt.Sprintf(" with error %q", e.Code)
	}
	if e.Problem != "" {
		msg += ": " + e.Problem
	}
	return msg
}

// newTokenError reads an OAuth 2.0 error response (RFC 6749 section 5.2).
func newTokenError(tokenURL string, status int, body []byte) *TokenError {
	e := &TokenError{URL: tokenURL, Status: status}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &oauth); err == nil && oauth.Error != "" {
		e.Code = excerpt(oauth.Error, 100)
		e.Description = excerpt(oauth.Description, 200)
		return e
	}
	if text := strings.TrimSpace(string(body)); text != "" {
		e.Problem = "the body is not an OAuth error response: " + excerpt(text, 200)
	}
	return e
}

// Secrets returns the client secret and, once fetched, the access token.
func (c *ClientCredentials) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []string{c.ClientSecret, url.QueryEscape(c.ClientSecret)}
	if c.token != "" {
		out = append(out, c.token)
	}
	return out
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
	// OktaApp is the kind of Okta app whose requests the okta profile
	// sends. With OktaCatalog (OIN catalog apps, the default), password
	// sync, deactivation, reactivation and group push are PATCH requests.
	// With OktaWizard (apps built with the App Integration Wizard), every
	// user change is a PUT of the whole user and group push is a PUT of the
	// whole group.
	OktaApp string
	// OktaDeactivate is the older form of OktaApp: "patch" selects
	// OktaCatalog and "put" OktaWizard. Set at most one of the two, or
	// both to the same app.
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

// Okta app kinds.
const (
	OktaCatalog = "catalog"
	OktaWizard  = "wizard"
)

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

// errNoTarget is returned by Run for an empty base URL.
var errNoTarget = errors.New("no SCIM base URL given")
