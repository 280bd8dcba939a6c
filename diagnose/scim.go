package diagnose

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/report"
)

// scimCause is the cause of one kind of SCIM failure, keyed by the
// conformance rule id without its profile prefix ("lookup.empty-must-be-200"
// for "entra.lookup.empty-must-be-200").
type scimCause struct {
	summary string
	// proxy is set when a box in front of the application typically
	// causes the failure, so the component names it.
	proxy bool
	fix   []string
}

// scimCauses lists the causes of the SCIM failures that the read-only
// requests of check can show.
var scimCauses = map[string]scimCause{
	"lookup.empty-must-be-200": {
		summary: "the server answers 404 to a filter that matches nothing; Entra ID expects 200 with an empty list and puts the provisioning job in quarantine",
		fix: []string{
			"Answer a GET /Users or /Groups whose filter matches nothing with 200 and a ListResponse whose totalResults is 0 and whose Resources list is empty (RFC 7644, Section 3.4.2). Keep 404 for GET /Users/{id} of an id that does not exist.",
			"Then run Test Connection in Entra ID again and restart the provisioning job, which stays in quarantine until a cycle succeeds.",
		},
	},
	"list.total-results-integer": {
		summary: "the server sends totalResults of a list response as a string, and the IdP cannot read the count",
		fix: []string{
			"Send totalResults, startIndex and itemsPerPage as JSON numbers, such as \"totalResults\": 0, not \"0\" (RFC 7644, Section 3.4.2).",
		},
	},
	"media-type.rejected": {
		summary: "the server rejects requests in application/scim+json, the SCIM media type that Okta and Entra ID send in Accept and Content-Type",
		fix: []string{
			"Accept application/scim+json, with or without a charset parameter, in Accept and Content-Type, next to application/json (RFC 7644, Section 3.1). In a web framework, add it to the route's consumes and produces lists or to the JSON message converter's media types.",
		},
	},
	"error.not-scim": {
		summary: "error responses come back without a SCIM error body, typically as an HTML page from a proxy, WAF or login gateway, so the IdP shows its admin no reason",
		proxy:   true,
		fix: []string{
			"Let the SCIM application's JSON error bodies through the box in front of it: in nginx, turn proxy_intercept_errors off (or drop error_page) for the SCIM location; in other proxies and WAFs, turn off custom error pages for the SCIM path.",
			"Make the application itself return every error under the SCIM base path with a SCIM error body: schemas urn:ietf:params:scim:api:messages:2.0:Error, status as a string and a detail (RFC 7644, Section 3.12).",
		},
	},
	"lookup.case-insensitive": {
		summary: "the server compares userName case-sensitively in filters, so the IdP does not find a user whose userName differs in case and creates it again",
		fix: []string{
			"Compare userName case-insensitively in filters, because RFC 7643, Section 4.1.1 defines it with caseExact false: a database collation that ignores case, or lower-casing both sides.",
		},
	},
	"auth.invalid-401": {
		summary: "the server does not answer invalid credentials with 401, so the IdP cannot tell a wrong token from another failure",
		fix: []string{
			"Answer a missing or wrong token with 401 and a SCIM error body, before any other check of the request (RFC 7644, Section 3.12).",
		},
	},
}

// knownSCIMRule reports whether scimCauses explains the conformance rule
// id, such as "entra.media-type.rejected".
func knownSCIMRule(id string) bool {
	_, rule, _ := strings.Cut(id, ".")
	_, ok := scimCauses[rule]
	return ok
}

// explainSCIM returns the cause of a verdict that fails at the SCIM layer,
// or at the HTTP layer for a reason the SCIM layer shows too, from the first
// failing request of the client's profile in the report's SCIM layer.
func explainSCIM(v *report.Verdict, f facts) *report.Cause {
	step := firstFailingSCIMStep(f.scim, v.Client)
	if step == nil {
		return &report.Cause{
			Summary:   "the IdP would reject the response to one of its SCIM requests: " + lastEvidence(v),
			Component: "the SCIM application at " + f.address,
			Software:  string(f.software),
			Fix:       []string{"Run scimdoctor scim with the same URL and token to see every request, what the IdP does with the response and the rule that decides it."},
		}
	}

	request := fmt.Sprintf("%s %s", step.Method, step.URL)
	_, rule, _ := strings.Cut(step.Rule, ".")
	known, ok := scimCauses[rule]
	if !ok {
		known = scimCause{
			summary: fmt.Sprintf("the IdP would reject the response to %s: %s", request, step.Reason),
			fix:     []string{fmt.Sprintf("Change the response to %s as rule %s states: %s.", request, step.Rule, step.Reason)},
		}
	}

	component := "the SCIM application at " + f.address
	if known.proxy {
		component = "the proxy, WAF or gateway in front of the SCIM application at " + f.address + ", or the application itself when nothing sits in front of it"
		if len(f.intermediary) > 0 {
			component = "the proxy or load balancer in front of the SCIM application at " + f.address + " (the headers " + strings.Join(f.intermediary, ", ") + " show it)"
		}
	}
	fix := append([]string(nil), known.fix...)
	fix = append(fix, fmt.Sprintf("Check again with scimdoctor check, or run scimdoctor scim with --write on a test tenant to replay the IdP's create, update and group requests too. The first failing request was %s (rule %s).", request, step.Rule))
	return &report.Cause{
		Summary:   known.summary,
		Component: component,
		Software:  string(f.software),
		Fix:       fix,
	}
}

// firstFailingSCIMStep returns the first failing request of profile in s,
// or nil. check names the conformance profiles as the clients (okta,
// entra).
func firstFailingSCIMStep(s *report.SCIM, profile string) *report.SCIMStep {
	if s == nil {
		return nil
	}
	for _, p := range s.Profiles {
		if p.Profile != profile {
			continue
		}
		for i := range p.Steps {
			if p.Steps[i].Verdict == "fail" {
				return &p.Steps[i]
			}
		}
	}
	return nil
}
