package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/conformance"
	"github.com/scimdoctor/scimdoctor/conformance/peertest"
)

// peerFailures lists, per peer and run mode, the steps the peer fails.
// docs/peers.md records each with its request and response. A change here
// means the peer or a verdict rule changed; update both together, never to
// make a peer pass.
var peerFailures = map[string]map[string][]string{
	"elimity": {
		"read-only": {"entra.lookup.email"},
		"write": {
			"entra.lookup.email", "entra.lookup.email-created", "entra.patch.manager",
			"entra.disable", "entra.disable.verify", "entra.group.get",
		},
		"write-flag-wizard": {
			"entra.lookup.email", "entra.lookup.email-created", "entra.patch.manager", "entra.group.get",
		},
	},
	"scimmy": {
		"read-only": nil,
		"write": {
			"entra.lookup.created-case", "entra.patch.manager", "entra.disable",
			"entra.disable.verify", "rfc.create", "rfc.create.invalid-json",
		},
		"write-flag-wizard": {
			"entra.lookup.created-case", "entra.patch.attributes", "entra.patch.attributes.verify",
			"entra.patch.manager", "rfc.create", "rfc.create.invalid-json",
		},
	},
}

// runModes are the option sets every peer is run with.
var runModes = map[string]conformance.Options{
	"read-only":         {},
	"write":             {Write: true},
	"write-flag-wizard": {Write: true, EntraMode: conformance.EntraFlag, OktaApp: conformance.OktaWizard},
}

// TestPeers runs every profile, read-only and with --write in both PATCH
// dialects, against the real peer servers, and checks the failing steps,
// the cleanup and that the token never appears in any output.
func TestPeers(t *testing.T) {
	for _, name := range peertest.Names {
		t.Run(name, func(t *testing.T) {
			peer := peertest.Start(t, name)
			for _, mode := range []string{"read-only", "write", "write-flag-wizard"} {
				t.Run(mode, func(t *testing.T) {
					opts := runModes[mode]
					r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: peer.BaseURL, Auth: conformance.BearerToken(peertest.Token)}, opts)
					if err != nil {
						t.Fatalf("Run failed: %v", err)
					}
					if r.Aborted != nil {
						t.Fatalf("run aborted: %v", r.Aborted)
					}
					if got, want := failedSteps(r), peerFailures[name][mode]; !slices.Equal(got, want) {
						t.Errorf("failed steps = %q\nwant %q\n%s", got, want, textReport(t, r))
					}
					if profile, first := r.FirstFailure(); len(peerFailures[name][mode]) > 0 && (first == nil || first.Step != peerFailures[name][mode][0] || profile == "") {
						t.Errorf("FirstFailure = %q %+v, want %s", profile, first, peerFailures[name][mode][0])
					}
					if len(r.Profiles) != 3 {
						t.Errorf("ran %d profiles, want 3", len(r.Profiles))
					}
					if len(r.Cleanup.Left) != 0 {
						t.Errorf("cleanup left %+v", r.Cleanup.Left)
					}
					if opts.Write && len(r.Cleanup.Removed) == 0 {
						t.Error("a --write run removed nothing, want the created resources listed")
					}
					if left := peerResources(t, peer, r.Prefix); len(left) > 0 {
						t.Errorf("resources named %s... still on the peer: %v", r.Prefix, left)
					}
					for _, format := range []string{conformance.FormatText, conformance.FormatJSON, conformance.FormatJUnit} {
						var buf bytes.Buffer
						if err := conformance.Write(&buf, r, format); err != nil {
							t.Fatalf("Write %s failed: %v", format, err)
						}
						if strings.Contains(buf.String(), peertest.Token) {
							t.Errorf("%s output contains the bearer token", format)
						}
					}
				})
			}
		})
	}
}

func failedSteps(r *conformance.Result) []string {
	var out []string
	for _, p := range r.Profiles {
		for _, s := range p.Steps {
			if s.Verdict.Status == conformance.Fail {
				out = append(out, s.Step)
			}
		}
	}
	return out
}

func textReport(t *testing.T, r *conformance.Result) string {
	var buf bytes.Buffer
	if err := conformance.Write(&buf, r, conformance.FormatText); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// peerResources lists the users and groups on the peer whose name starts
// with prefix, read directly from the peer.
func peerResources(t *testing.T, peer *peertest.Peer, prefix string) []string {
	t.Helper()
	if prefix == "" {
		return nil
	}
	var out []string
	for _, typ := range []string{"Users", "Groups"} {
		req, err := http.NewRequest("GET", peer.BaseURL+"/"+typ+"?startIndex=1&count=1000", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+peertest.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("listing %s on the peer failed: %v", typ, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Resources []map[string]any `json:"Resources"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("listing %s on the peer: %v: %s", typ, err, body)
		}
		for _, res := range list.Resources {
			for _, key := range []string{"userName", "displayName"} {
				if s, _ := res[key].(string); strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix)) {
					out = append(out, typ+"/"+s)
				}
			}
		}
	}
	return out
}

// TestPeersExistingUser runs the read-only profiles with --user against a
// user created on each peer beforehand: the lookups find it, and the spec
// test's first step checks its fields.
func TestPeersExistingUser(t *testing.T) {
	wantFailed := map[string][]string{
		"elimity": {"entra.lookup.email"},
		"scimmy":  {"entra.lookup.existing-case"},
	}
	for _, name := range peertest.Names {
		t.Run(name, func(t *testing.T) {
			peer := peertest.Start(t, name)
			const userName = "existing.user@example.com"
			body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `","name":{"givenName":"Ex","familyName":"Isting"},"emails":[{"value":"` + userName + `","type":"work","primary":true}],"active":true}`
			req, err := http.NewRequest("POST", peer.BaseURL+"/Users", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+peertest.Token)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("creating the user on the peer: status %d", resp.StatusCode)
			}

			r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: peer.BaseURL, Auth: conformance.BearerToken(peertest.Token)}, conformance.Options{User: userName})
			if err != nil {
				t.Fatal(err)
			}
			if got := failedSteps(r); !slices.Equal(got, wantFailed[name]) {
				t.Errorf("failed steps = %q, want %q\n%s", got, wantFailed[name], textReport(t, r))
			}
			for _, p := range r.Profiles {
				for _, s := range p.Steps {
					switch s.Step {
					case "okta.spec.users-endpoint", "okta.spec.get-user", "okta.lookup.existing", "okta.get.existing", "entra.lookup.existing", "entra.get.existing":
						if s.Verdict.Status != conformance.Pass {
							t.Errorf("%s = %s %s (%s), want pass", s.Step, s.Verdict.Status, s.Verdict.Rule, s.Verdict.Reason)
						}
					}
				}
			}
		})
	}
}
