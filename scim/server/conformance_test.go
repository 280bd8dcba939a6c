package server

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/scimdoctor/scimdoctor/conformance"
)

// TestConformanceFlows runs the Okta, Entra ID and RFC request flows of
// the conformance engine, with writes, against the server over TLS on
// both stores. Every step must pass; Okta's spec test warns on an empty
// user list, so one user exists first.
func TestConformanceFlows(t *testing.T) {
	for name, newDB := range databases(t) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, newDB(t), nil)
			h.do("POST", "/scim/v2/Users", oktaCreateUser).want(t, 201)

			ts := httptest.NewUnstartedServer(h.srv.Handler())
			ts.StartTLS()
			t.Cleanup(ts.Close)
			target := conformance.Target{BaseURL: ts.URL + BasePath, Auth: conformance.BearerToken(h.token), Client: ts.Client()}
			t.Run("all profiles", func(t *testing.T) {
				checkConformance(t, target, conformance.Options{Write: true})
			})
			t.Run("entra aadOptscim062020", func(t *testing.T) {
				checkConformance(t, target, conformance.Options{Write: true, Profiles: []string{conformance.ProfileEntra}, EntraMode: "aadOptscim062020"})
			})
		})
	}
}

// checkConformance runs the engine and fails on every step that did not
// pass and on anything left behind.
func checkConformance(t *testing.T, target conformance.Target, opts conformance.Options) {
	result, err := conformance.Run(t.Context(), target, opts)
	if err != nil {
		t.Fatalf("conformance.Run: %v", err)
	}
	steps := 0
	for _, p := range result.Profiles {
		for _, s := range p.Steps {
			steps++
			if s.Verdict.Status != conformance.Pass {
				t.Errorf("%s: %s (%s): %s", s.Step, s.Verdict.Status, s.Verdict.Rule, s.Verdict.Reason)
			}
		}
	}
	if steps < 20 {
		t.Errorf("the run had %d steps, want the write flows", steps)
	}
	if len(result.Cleanup.Left) > 0 || result.ExitCode() != conformance.ExitPass {
		t.Errorf("exit code %d, left behind %v", result.ExitCode(), result.Cleanup.Left)
	}
}

// TestConformanceOktaStrict runs Okta's flows against the server in strict
// mode. Okta's group rename carries the group's unchanged "id", which is
// no modification of a readOnly attribute, so strict mode accepts it.
func TestConformanceOktaStrict(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "strict.db"), func(c *Config) { c.Strict = true })
	h.do("POST", "/scim/v2/Users", oktaCreateUser).want(t, 201)
	ts := httptest.NewUnstartedServer(h.srv.Handler())
	ts.StartTLS()
	t.Cleanup(ts.Close)
	target := conformance.Target{BaseURL: ts.URL + BasePath, Auth: conformance.BearerToken(h.token), Client: ts.Client()}
	checkConformance(t, target, conformance.Options{Write: true, Profiles: []string{conformance.ProfileOkta}})
}
