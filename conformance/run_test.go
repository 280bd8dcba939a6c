package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/conformance"
	"github.com/scimdoctor/scimdoctor/conformance/peertest"
)

// TestRunClientCredentials fetches the bearer token from a real OAuth token
// endpoint on 127.0.0.1 and uses it against a peer. It checks that neither
// the secret nor the token appears in any output.
func TestRunClientCredentials(t *testing.T) {
	peer := peertest.Start(t, "elimity")
	const secret = "client-secret-7e1d"
	tokenServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, pw, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || id != "scim-client" || pw != secret || r.PostForm.Get("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, peertest.Token)
	}))
	defer tokenServer.Close()

	closed := httptest.NewServer(http.NotFoundHandler())
	closedTokenURL := closed.URL + "/token"
	closed.Close()

	tests := []struct {
		name     string
		tokenURL string
		secret   string
		wantRule string // empty: the first step passes
		wantText string
		wantExit int
	}{
		{"valid secret", tokenServer.URL + "/token", secret, "", "", conformance.ExitPass},
		{"wrong secret", tokenServer.URL + "/token", "wrong-secret-4411", "auth.token-rejected", `with error "invalid_client"`, conformance.ExitFail},
		{"token endpoint unreachable", closedTokenURL, secret, "auth.token-fetch", "connection refused", conformance.ExitUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := &conformance.ClientCredentials{TokenURL: tt.tokenURL, ClientID: "scim-client", ClientSecret: tt.secret}
			r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: peer.BaseURL, Auth: auth}, conformance.Options{Profiles: []string{"okta"}})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			first := r.Profiles[0].Steps[0]
			switch {
			case tt.wantRule == "" && first.Verdict.Status != conformance.Pass:
				t.Errorf("first step = %+v, want pass", first.Verdict)
			case tt.wantRule != "" && (first.Verdict.Rule != tt.wantRule || r.Aborted == nil):
				t.Errorf("first step = %+v, aborted = %v, want %s and an abort", first.Verdict, r.Aborted, tt.wantRule)
			case tt.wantRule != "" && !strings.Contains(first.Verdict.Reason, tt.wantText):
				t.Errorf("reason %q, want it to contain %s", first.Verdict.Reason, tt.wantText)
			}
			if got := r.ExitCode(); got != tt.wantExit {
				t.Errorf("exit code = %d, want %d", got, tt.wantExit)
			}
			if tt.wantExit == conformance.ExitFail && (r.Aborted == nil || !r.Aborted.AuthFailure || !strings.Contains(r.Aborted.Hint, "client ID and secret")) {
				t.Errorf("aborted = %+v, want an auth failure with a hint about the client credentials", r.Aborted)
			}
			var buf bytes.Buffer
			for _, format := range []string{"text", "json", "junit"} {
				if err := conformance.Write(&buf, r, format); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range []string{tt.secret, peertest.Token} {
				if strings.Contains(buf.String(), s) {
					t.Errorf("output contains the secret %q", s)
				}
			}
		})
	}
}

// TestRunRedaction runs against a server that quotes the bearer token in
// its error detail and in a "token" field. A short token is redacted in
// the header and the field, and the word "token" stays intact. A long
// token is also cut out of the detail text.
func TestRunRedaction(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		wantDetail string
	}{
		{"short token", "tok", "token tok rejected"},
		{"long token", "long-secret-token-1", "token [REDACTED] rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"token %s rejected","status":"401","token":%q}`, token, token)
			}))
			defer srv.Close()
			r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: srv.URL + "/scim/v2", Auth: conformance.BearerToken(tt.token)},
				conformance.Options{Profiles: []string{conformance.ProfileOkta}})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := conformance.Write(&buf, r, conformance.FormatJSON); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, want := range []string{
				`"Bearer [REDACTED]"`,
				`\"token\":\"[REDACTED]\"`,
				tt.wantDetail,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %s", want)
				}
			}
			for _, bad := range []string{"[REDACTED]en", `\"token\":\"` + tt.token + `\"`, "Bearer " + tt.token} {
				if strings.Contains(out, bad) {
					t.Errorf("output contains %s", bad)
				}
			}
		})
	}
}

// TestRunPlan builds every request of every profile without sending one.
func TestRunPlan(t *testing.T) {
	// A listener that fails the test when anything connects.
	guard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("--plan sent %s %s", r.Method, r.URL)
	}))
	defer guard.Close()
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: guard.URL + "/scim/v2", Auth: conformance.BearerToken("plan-token-1234")},
		conformance.Options{Plan: true, Write: true, Prefix: "scimdoctor-plan-"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := conformance.Write(&buf, r, "text"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"User-Agent: Okta SCIM Client 1.0.0",
		"/Users?filter=userName%20eq%20%22scimdoctor-plan-okta-missing%40example.com%22&startIndex=1&count=100",
		`"groups":[],"password":"[REDACTED]","active":true}`,
		`{"op":"replace","value":{"password":"[REDACTED]"}}`,
		`{"op":"replace","value":{"active":false}}`,
		`{"op":"replace","value":{"id":"{{groupId}}","displayName":"scimdoctor-plan-okta-group-renamed"}}`,
		`{"op":"remove","path":"members[value eq \"{{userId}}\"]"},{"op":"add","path":"members"`,
		`{"op":"replace","path":"members","value":[]}`,
		`/Users?filter=userName+eq+"`,
		`filter=emails[type+eq+"work"].value+eq+"`,
		`{"op":"Replace","path":"active","value":"False"}`,
		`{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{userId}}"}]}`,
		`"value":"{{userId}}"}]}`,
		"excludedAttributes=members&filter=displayName+eq+",
		"Authorization: Bearer [REDACTED]",
		"rfc.create.invalid-json",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if strings.Contains(out, "plan-token-1234") {
		t.Error("plan shows the token")
	}
	for _, p := range r.Profiles {
		for _, s := range p.Steps {
			if s.Verdict.Status != conformance.Planned || s.Response != nil {
				t.Errorf("step %s: %s, want planned without a response", s.Step, s.Verdict.Status)
			}
		}
	}
	if r.ExitCode() != conformance.ExitPass {
		t.Errorf("plan exit code = %d, want 0", r.ExitCode())
	}
}

// TestRunEntraFlagFromURL reads aadOptscim062020 from the tenant URL.
func TestRunEntraFlagFromURL(t *testing.T) {
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: "https://scim.example.com/scim?aadOptscim062020"},
		conformance.Options{Plan: true, Write: true, Profiles: []string{"entra"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.BaseURL != "https://scim.example.com/scim" {
		t.Errorf("base URL = %q, want the query dropped", r.BaseURL)
	}
	var buf bytes.Buffer
	conformance.Write(&buf, r, "text")
	if !strings.Contains(buf.String(), `{"op":"replace","path":"active","value":false}`) {
		t.Errorf("flag mode does not send the boolean disable:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), `"path":"members[value eq \"{{userId}}\"]"`) {
		t.Error("flag mode does not remove members by filter")
	}
}

// TestRunOktaApp plans the okta --write flow for each kind of Okta app.
// Catalog apps send PATCH for password sync, deactivation and group push.
// Wizard-built apps send a PUT of the whole user or group, and no PATCH.
func TestRunOktaApp(t *testing.T) {
	tests := []struct {
		name    string
		opts    conformance.Options
		want    map[string]string // step id to method
		noPatch bool
	}{
		{
			name: "catalog by default",
			opts: conformance.Options{},
			want: map[string]string{"okta.password.sync": "PATCH", "okta.deactivate": "PATCH", "okta.reactivate": "PATCH", "okta.group.rename": "PATCH", "okta.group.members": "PATCH"},
		},
		{
			name:    "wizard",
			opts:    conformance.Options{OktaApp: conformance.OktaWizard},
			want:    map[string]string{"okta.password.sync": "PUT", "okta.deactivate": "PUT", "okta.reactivate": "PUT", "okta.group.read": "GET", "okta.group.put": "PUT", "okta.group.put-empty": "PUT"},
			noPatch: true,
		},
		{
			name:    "wizard by the older deactivation mode",
			opts:    conformance.Options{OktaDeactivate: "put"},
			want:    map[string]string{"okta.password.sync": "PUT", "okta.group.put": "PUT"},
			noPatch: true,
		},
		{
			name:    "both forms agree",
			opts:    conformance.Options{OktaApp: conformance.OktaWizard, OktaDeactivate: "put"},
			want:    map[string]string{"okta.group.put": "PUT"},
			noPatch: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Plan, opts.Write, opts.Profiles = true, true, []string{conformance.ProfileOkta}
			r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: "https://scim.example.com/scim/v2"}, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, s := range r.Profiles[0].Steps {
				got[s.Step] = s.Request.Method
				if tt.noPatch && s.Request.Method == http.MethodPatch {
					t.Errorf("step %s sends PATCH; a wizard-built app sends none", s.Step)
				}
			}
			for step, method := range tt.want {
				if got[step] != method {
					t.Errorf("step %s method %q, want %s", step, got[step], method)
				}
			}
		})
	}
}

// TestRunUsageErrors checks invalid options are rejected before any request.
func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts conformance.Options
		want string
	}{
		{"empty url", "", conformance.Options{}, "no SCIM base URL"},
		{"ftp url", "ftp://x/scim", conformance.Options{}, `scheme "ftp" is not http or https`},
		{"credentials in url", "https://u:p@x/scim", conformance.Options{}, "carries user information"},
		{"unknown profile", "https://x/scim", conformance.Options{Profiles: []string{"onelogin"}}, `unknown profile "onelogin"`},
		{"bad okta mode", "https://x/scim", conformance.Options{OktaDeactivate: "delete"}, `invalid Okta deactivation mode "delete"`},
		{"bad okta app", "https://x/scim", conformance.Options{OktaApp: "custom"}, `invalid Okta app kind "custom"`},
		{"okta app and mode disagree", "https://x/scim", conformance.Options{OktaApp: conformance.OktaCatalog, OktaDeactivate: "put"}, `Okta app kind "catalog" conflicts with deactivation mode "put"`},
		{"bad entra mode", "https://x/scim", conformance.Options{EntraMode: "2017"}, `invalid Entra mode "2017"`},
		{"bad prefix", "https://x/scim", conformance.Options{Prefix: "a b"}, `invalid resource prefix "a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conformance.Run(context.Background(), conformance.Target{BaseURL: tt.url}, tt.opts)
			var usage *conformance.UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("err = %v, want a *UsageError", err)
			}
			if !strings.Contains(err.Error(), tt.want) || usage.Hint == "" {
				t.Errorf("err = %q (hint %q), want %q and a hint", err, usage.Hint, tt.want)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Errorf("err %q shows the password", err)
			}
		})
	}
}

// TestRunUnreachable checks a closed port ends the run at the first request.
func TestRunUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: base}, conformance.Options{Write: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Aborted == nil || r.Aborted.Step != "okta.connection-test" || !strings.Contains(r.Aborted.Reason, "connection refused") {
		t.Fatalf("aborted = %+v, want okta.connection-test refused", r.Aborted)
	}
	if r.ExitCode() != conformance.ExitUnreachable {
		t.Errorf("exit code = %d, want 3", r.ExitCode())
	}
}

// TestRunHostileResponses checks bounded reads and redirects with a server
// that sends a body larger than the limit and one that redirects.
func TestRunHostileResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "count=2") {
			http.Redirect(w, r, "https://login.example.com/", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: srv.URL}, conformance.Options{Profiles: []string{"okta"}})
	if err != nil {
		t.Fatal(err)
	}
	steps := r.Profiles[0].Steps
	if steps[0].Verdict.Rule != "http.redirect" || !strings.Contains(steps[0].Verdict.Reason, "https://login.example.com/") {
		t.Errorf("redirect verdict = %+v", steps[0].Verdict)
	}
	big := steps[1]
	if big.Response == nil || !big.Response.BodyTruncated || big.Verdict.Status != conformance.Fail {
		t.Errorf("oversized response: %+v, want a truncated body and a failure", big)
	}
}

// TestWriteFormats checks the JSON and JUnit renderings of a plan.
func TestWriteFormats(t *testing.T) {
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: "https://scim.example.com/v2"}, conformance.Options{Plan: true})
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := conformance.Write(&js, r, "json"); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatalf("JSON output does not parse: %v", err)
	}
	if decoded["schema"] != conformance.ResultSchema {
		t.Errorf("schema = %v", decoded["schema"])
	}
	var xmlOut bytes.Buffer
	if err := conformance.Write(&xmlOut, r, "junit"); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(xmlOut.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	if len(suites.Suites) != 3 || suites.Suites[0].Name != "okta" || suites.Suites[0].Tests == 0 {
		t.Errorf("suites = %+v, want okta, entra and rfc with test cases", suites.Suites)
	}
	if err := conformance.Write(&xmlOut, r, "yaml"); err == nil {
		t.Error("Write accepted format yaml")
	}
}
