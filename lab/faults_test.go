package lab

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/conformance"
)

// wantStep is a step that a conformance run must judge fail or warn, with
// the deciding rule and the admin message. An empty admin means the step
// has no admin message.
type wantStep struct {
	step   string
	status conformance.Status
	rule   string
	admin  string
}

// Admin messages that several steps share.
const (
	entraQuarantine404 = "Quarantine (SCIM compliance issue): a query returned 404 where Entra ID expects 200 with an empty ListResponse"
	oktaSyncFailure    = "Sync user in external application: FAILURE (the System Log shows no reason)"
	entra406           = `WebExceptionProtocolError: 406 Not Acceptable: cannot produce "application/scim+json": this server sends application/json only`
	okta406            = `Not Acceptable. Errors reported by remote server: cannot produce "application/scim+json": this server sends application/json only`
	entraCredential406 = "SystemForCrossDomainIdentityManagementCredentialValidationFailure: while attempting to validate authorization to access the application, Entra ID received an unexpected response: 406 Not Acceptable"
)

// faultTests lists, per SCIM endpoint, the steps of the okta, entra and
// rfc profiles that fail or warn: readOnly in a read-only run with
// SeedUserName as the existing user, and write the further ones of a
// --write run. Every other step must pass, or, with skips set, may be
// skipped because an id it needs came from a failed step.
var faultTests = []struct {
	name     string
	readOnly []wantStep
	write    []wantStep
	skips    bool
}{
	{
		name:     "good",
		readOnly: []wantStep{},
		write:    []wantStep{},
	},
	{
		name: "scim-empty-404",
		readOnly: []wantStep{
			{"okta.lookup.missing", conformance.Warn, "okta.lookup.empty-404-accepted", ""},
			{"okta.group.lookup.missing", conformance.Warn, "okta.lookup.empty-404-accepted", ""},
			{"entra.test-connection", conformance.Fail, "entra.lookup.empty-must-be-200", entraQuarantine404},
			{"entra.lookup.externalId", conformance.Fail, "entra.lookup.empty-must-be-200", entraQuarantine404},
			{"entra.lookup.email", conformance.Fail, "entra.lookup.empty-must-be-200", entraQuarantine404},
			{"entra.group.lookup.missing", conformance.Fail, "entra.lookup.empty-must-be-200", entraQuarantine404},
			{"rfc.filter.empty", conformance.Fail, "rfc.filter.empty-must-be-200", ""},
		},
		write: []wantStep{},
	},
	{
		name:     "scim-op-case",
		readOnly: []wantStep{},
		write: []wantStep{
			{"entra.patch.attributes", conformance.Fail, "entra.patch.attributes", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Replace\": use \"add\", \"remove\" or \"replace\""},
			{"entra.patch.attributes.verify", conformance.Fail, "entra.patch.attributes.verify", ""},
			{"entra.patch.manager", conformance.Fail, "entra.patch.manager-string", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Add\": use \"add\", \"remove\" or \"replace\""},
			{"entra.disable", conformance.Fail, "entra.patch.disable", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Replace\": use \"add\", \"remove\" or \"replace\""},
			{"entra.disable.verify", conformance.Fail, "entra.disable.verify", ""},
			{"entra.group.add-member", conformance.Fail, "entra.group.add-member", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Add\": use \"add\", \"remove\" or \"replace\""},
			{"entra.group.add-member.verify", conformance.Warn, "entra.group.add-member.verify", ""},
			{"entra.group.remove-member", conformance.Fail, "entra.group.remove-member", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Remove\": use \"add\", \"remove\" or \"replace\""},
			{"entra.group.rename", conformance.Fail, "entra.group.rename", "WebExceptionProtocolError: 400 Bad Request: invalid op \"Replace\": use \"add\", \"remove\" or \"replace\""},
		},
	},
	{
		name:     "scim-string-bool",
		readOnly: []wantStep{},
		write: []wantStep{
			{"entra.disable", conformance.Fail, "entra.patch.disable", "WebExceptionProtocolError: 400 Bad Request: attribute \"active\" must be a JSON boolean, not the string \"False\""},
			{"entra.disable.verify", conformance.Fail, "entra.disable.verify", ""},
		},
	},
	{
		name: "scim-html-error",
		readOnly: []wantStep{
			{"okta.get.unknown-id", conformance.Fail, "okta.error.not-scim", ""},
			{"okta.auth.invalid", conformance.Fail, "okta.error.not-scim", ""},
			{"entra.get.unknown-id", conformance.Fail, "entra.error.not-scim", ""},
			{"rfc.get.unknown-id", conformance.Fail, "rfc.error.not-scim", ""},
			{"rfc.auth.missing", conformance.Fail, "rfc.error.not-scim", ""},
		},
		write: []wantStep{
			{"okta.create.duplicate", conformance.Warn, "okta.create.duplicate-uniqueness", ""},
			{"entra.create.duplicate", conformance.Warn, "entra.create.duplicate-uniqueness", ""},
			{"entra.group.delete.verify", conformance.Fail, "entra.error.not-scim", ""},
			{"entra.user.delete.verify", conformance.Fail, "entra.error.not-scim", ""},
			{"rfc.create.duplicate", conformance.Fail, "rfc.create.duplicate-uniqueness", ""},
			{"rfc.create.invalid-json", conformance.Fail, "rfc.error.not-scim", ""},
			{"rfc.delete.verify", conformance.Fail, "rfc.error.not-scim", ""},
		},
	},
	{
		name: "scim-total-string",
		readOnly: []wantStep{
			{"okta.connection-test", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.spec.users-endpoint", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.lookup.missing", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.groups.list", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.group.lookup.missing", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.lookup.existing", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.lookup.existing-case", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"entra.test-connection", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.externalId", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.email", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.group.lookup.missing", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.schemas", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.existing", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.existing-case", conformance.Fail, "entra.list.total-results-integer", ""},
			{"rfc.resource-types", conformance.Fail, "rfc.list.total-results-integer", ""},
			{"rfc.schemas", conformance.Fail, "rfc.list.total-results-integer", ""},
			{"rfc.list", conformance.Fail, "rfc.list.total-results-integer", ""},
			{"rfc.filter.empty", conformance.Fail, "rfc.list.total-results-integer", ""},
		},
		write: []wantStep{
			{"okta.lookup.created", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.lookup.created-case", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"okta.lookup.deactivated", conformance.Fail, "okta.list.total-results-integer", oktaSyncFailure},
			{"entra.lookup.created-case", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.externalId-created", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.email-created", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.lookup.disabled", conformance.Fail, "entra.list.total-results-integer", ""},
			{"entra.group.lookup.created", conformance.Fail, "entra.list.total-results-integer", ""},
		},
	},
	{
		name:     "scim-duplicate-201",
		readOnly: []wantStep{},
		write: []wantStep{
			{"okta.create.duplicate", conformance.Fail, "okta.create.duplicate-409", ""},
			{"entra.create.duplicate", conformance.Fail, "entra.create.duplicate-409", ""},
			{"rfc.create.duplicate", conformance.Fail, "rfc.create.duplicate-409", ""},
		},
	},
	{
		name:  "scim-json-only",
		skips: true,
		readOnly: []wantStep{
			{"okta.connection-test", conformance.Fail, "okta.media-type.rejected", "Error authenticating: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.spec.users-endpoint", conformance.Fail, "okta.media-type.rejected", okta406},
			{"okta.lookup.missing", conformance.Fail, "okta.media-type.rejected", "Automatic provisioning of user labtest-okta-missing@example.com to app SCIM app failed: Error while verifying if user labtest-okta-missing@example.com exists: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.get.unknown-id", conformance.Fail, "okta.media-type.rejected", okta406},
			{"okta.groups.list", conformance.Fail, "okta.media-type.rejected", okta406},
			{"okta.group.lookup.missing", conformance.Fail, "okta.media-type.rejected", okta406},
			{"okta.lookup.existing", conformance.Fail, "okta.media-type.rejected", "Automatic provisioning of user lab.user@example.com to app SCIM app failed: Error while verifying if user lab.user@example.com exists: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.lookup.existing-case", conformance.Fail, "okta.media-type.rejected", okta406},
			{"entra.test-connection", conformance.Fail, "entra.media-type.rejected", entraCredential406},
			{"entra.lookup.externalId", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.lookup.email", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.group.lookup.missing", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.schemas", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.get.unknown-id", conformance.Fail, "entra.media-type.rejected", entraCredential406},
			{"entra.lookup.existing", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.lookup.existing-case", conformance.Fail, "entra.media-type.rejected", entra406},
			{"rfc.service-provider-config", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.resource-types", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.schemas", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.list", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.filter.empty", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.get.unknown-id", conformance.Fail, "rfc.media-type.rejected", ""},
		},
		write: []wantStep{
			{"okta.create", conformance.Fail, "okta.media-type.rejected", "Automatic provisioning of user labtest-okta-jdoe@example.com to app SCIM app failed: Error while creating user Jane Doe: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.lookup.created", conformance.Fail, "okta.media-type.rejected", "Automatic provisioning of user labtest-okta-jdoe@example.com to app SCIM app failed: Error while verifying if user labtest-okta-jdoe@example.com exists: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.lookup.created-case", conformance.Fail, "okta.media-type.rejected", okta406},
			{"okta.create.duplicate", conformance.Fail, "okta.media-type.rejected", "Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json; charset=utf-8\": this server sends application/json only"},
			{"okta.lookup.deactivated", conformance.Fail, "okta.media-type.rejected", "Automatic provisioning of user labtest-okta-jdoe@example.com to app SCIM app failed: Error while verifying if user labtest-okta-jdoe@example.com exists: Not Acceptable. Errors reported by remote server: cannot produce \"application/scim+json\": this server sends application/json only"},
			{"okta.group.create", conformance.Fail, "okta.media-type.rejected", okta406},
			{"entra.create", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.create.duplicate", conformance.Fail, "entra.media-type.rejected", entraCredential406},
			{"entra.lookup.created-case", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.lookup.externalId-created", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.lookup.email-created", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.lookup.disabled", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.group.create", conformance.Fail, "entra.media-type.rejected", entra406},
			{"entra.group.lookup.created", conformance.Fail, "entra.media-type.rejected", entra406},
			{"rfc.create", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.create.duplicate", conformance.Fail, "rfc.media-type.rejected", ""},
			{"rfc.create.invalid-json", conformance.Fail, "rfc.create.invalid-json", ""},
		},
	},
	{
		name: "scim-case-sensitive",
		readOnly: []wantStep{
			{"okta.lookup.existing-case", conformance.Warn, "okta.lookup.case-insensitive", ""},
			{"entra.lookup.existing-case", conformance.Fail, "entra.lookup.case-insensitive", ""},
		},
		write: []wantStep{
			{"okta.lookup.created-case", conformance.Warn, "okta.lookup.case-insensitive", ""},
			{"entra.lookup.created-case", conformance.Fail, "entra.lookup.case-insensitive", ""},
		},
	}}

// labClient returns a client that trusts the lab CA and dials addr for
// every request, because localhost may resolve to ::1 first.
func labClient(l *Lab, addr string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: l.CertPool()},
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp4", addr)
		},
	}}
}

func TestSCIMFaultConformance(t *testing.T) {
	names := []string{}
	for _, tt := range faultTests {
		names = append(names, tt.name)
	}
	l := startLab(t, names...)

	for _, tt := range faultTests {
		e := mustEndpoint(t, l, tt.name)
		client := labClient(l, e.Addr)
		t.Cleanup(client.CloseIdleConnections)
		// The write run is repeated with the requests of an Okta app built
		// with the App Integration Wizard, which sends PUT where catalog
		// apps send PATCH. The expected steps are the same in both runs.
		for _, mode := range []string{"read-only", "write", "write-wizard"} {
			write := mode != "read-only"
			want := tt.readOnly
			if write {
				want = slices.Concat(tt.readOnly, tt.write)
			}
			oktaApp := conformance.OktaCatalog
			if mode == "write-wizard" {
				oktaApp = conformance.OktaWizard
			}
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				target := conformance.Target{BaseURL: e.URL, Auth: conformance.BearerToken(BearerToken), Client: client}
				opts := conformance.Options{Write: write, User: SeedUserName, Prefix: "labtest-", OktaApp: oktaApp}
				result, err := conformance.Run(t.Context(), target, opts)
				if err != nil {
					t.Fatalf("conformance.Run: %v", err)
				}
				if result.Aborted != nil {
					t.Fatalf("run aborted: %v", result.Aborted)
				}
				if len(result.Cleanup.Left) > 0 {
					t.Errorf("run left resources behind: %+v", result.Cleanup.Left)
				}
				checkSteps(t, result, want, tt.skips)
			})
		}
	}
}

// checkSteps compares the steps of result that did not pass with want.
func checkSteps(t *testing.T, result *conformance.Result, want []wantStep, skips bool) {
	t.Helper()
	expected := make(map[string]wantStep)
	for _, w := range want {
		expected[w.step] = w
	}
	seen := make(map[string]bool)
	for _, p := range result.Profiles {
		for _, s := range p.Steps {
			w, ok := expected[s.Step]
			if !ok {
				if skips && s.Verdict.Status == conformance.Skip && s.Verdict.Rule == "flow.missing-value" {
					continue
				}
				if s.Verdict.Status != conformance.Pass {
					t.Errorf("step %s: %s by %s (%s), want pass", s.Step, s.Verdict.Status, s.Verdict.Rule, s.Verdict.Reason)
				}
				continue
			}
			seen[s.Step] = true
			if s.Verdict.Status != w.status {
				t.Errorf("step %s: status %s (%s), want %s", s.Step, s.Verdict.Status, s.Verdict.Reason, w.status)
			}
			if s.Verdict.Rule != w.rule {
				t.Errorf("step %s: rule %s, want %s", s.Step, s.Verdict.Rule, w.rule)
			}
			if s.Verdict.AdminMessage != w.admin {
				t.Errorf("step %s: admin message\n%q\nwant\n%q", s.Step, s.Verdict.AdminMessage, w.admin)
			}
		}
	}
	for _, w := range want {
		if !seen[w.step] {
			t.Errorf("step %s did not run, want %s by %s", w.step, w.status, w.rule)
		}
	}
}

func TestSCIMFaultCatalog(t *testing.T) {
	var names []string
	for _, e := range Catalog() {
		if !strings.HasPrefix(e.Name, "scim-") {
			if e.IdPEffect != "" {
				t.Errorf("%s: IdPEffect %q on an endpoint without a SCIM fault", e.Name, e.IdPEffect)
			}
			continue
		}
		names = append(names, e.Name)
		if e.IdPEffect == "" || e.Fault == "" || e.Fix == "" || e.Summary == "" {
			t.Errorf("%s: incomplete catalog entry %+v", e.Name, e)
		}
	}
	var tested []string
	for _, tt := range faultTests {
		if tt.name == "good" {
			continue
		}
		tested = append(tested, tt.name)
		readOnlyFails := false
		for _, w := range tt.readOnly {
			readOnlyFails = readOnlyFails || w.status == conformance.Fail
		}
		e, _ := specByName(tt.name)
		if e.WriteOnly == readOnlyFails {
			t.Errorf("%s: WriteOnly = %v, but a read-only run fails a step: %v", tt.name, e.WriteOnly, readOnlyFails)
		}
	}
	if !slices.Equal(names, tested) {
		t.Errorf("SCIM fault endpoints %v, tested %v", names, tested)
	}
}
