package lab

import (
	"crypto/tls"
	"log/slog"
	"net/http"
)

// scimFaultCatalog lists the endpoints with a correct TLS setup in front of
// the real SCIM server, each with one wrong SCIM behaviour. IdPEffect
// states what the conformance engine (package conformance) predicts for
// Okta and Entra ID.
var scimFaultCatalog = []endpointSpec{
	scimFault(Endpoint{
		Name:      "scim-empty-404",
		Summary:   "answers a filtered GET /Users or /Groups that matches nothing with 404 instead of 200 and an empty list",
		Fault:     "404 for a filter that matches nothing",
		Fix:       "answer a filter that matches nothing with 200 and a ListResponse whose totalResults is 0 (RFC 7644, Section 3.4.2)",
		IdPEffect: "Okta takes the 404 as \"no such user\" and goes on (a warning); Entra ID fails Test Connection and every lookup, and puts the job in quarantine",
	}, emptyFilter404),
	scimFault(Endpoint{
		Name:      "scim-op-case",
		WriteOnly: true,
		Summary:   "rejects a PATCH op that is not lowercase, such as Entra's \"Replace\", with 400",
		Fault:     "PATCH op matched case-sensitively",
		Fix:       "compare the PATCH op case-insensitively, because Entra ID sends \"Add\", \"Replace\" and \"Remove\"",
		IdPEffect: "Okta sends lowercase ops and works; Entra ID's attribute updates, disable, manager and group membership changes fail with 400, and repeated failures put the job in quarantine",
	}, patchOpCase),
	scimFault(Endpoint{
		Name:      "scim-string-bool",
		WriteOnly: true,
		Summary:   "rejects a boolean attribute given as a string, such as \"active\": \"False\", with 400",
		Fault:     "string booleans rejected",
		Fix:       "accept \"True\" and \"False\" (any case) for boolean attributes, because Entra ID sends them as strings",
		IdPEffect: "Okta sends JSON booleans and works; Entra ID's disable ({\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}) fails with 400, so users it disables stay active",
	}, rejectStringBooleans),
	scimFault(Endpoint{
		Name:      "scim-html-error",
		Summary:   "a proxy replaces every error response (status 400 and above) with an HTML page and keeps the status",
		Fault:     "HTML error page from a proxy",
		Fix:       "let the SCIM server's JSON error bodies through the proxy (in nginx, turn proxy_intercept_errors off for the SCIM location)",
		IdPEffect: "every error reaches Okta and Entra ID without a SCIM detail, so their admins see no reason for a 401, 404 or 409",
	}, htmlErrorPages),
	scimFault(Endpoint{
		Name:      "scim-total-string",
		Summary:   "sends totalResults of every list response as a JSON string, such as \"1\"",
		Fault:     "totalResults as a string",
		Fix:       "send totalResults, startIndex and itemsPerPage as JSON numbers",
		IdPEffect: "Okta's connection test and every lookup fail, with no reason in the System Log; Entra ID cannot read the count of Test Connection and every lookup",
	}, totalResultsString),
	scimFault(Endpoint{
		Name:      "scim-duplicate-201",
		WriteOnly: true,
		Summary:   "answers POST /Users with a userName that is taken with 201 and the existing user instead of 409",
		Fault:     "201 on a duplicate userName",
		Fix:       "answer a POST whose userName is taken with 409 and scimType uniqueness (RFC 7644, Section 3.3)",
		IdPEffect: "Okta and Entra ID expect 409 for a taken userName; with 201 they take the existing account for a new one (seen only with --write)",
	}, duplicate201),
	scimFault(Endpoint{
		Name:      "scim-json-only",
		Summary:   "knows only application/json: 406 for Accept: application/scim+json, 415 for a body in application/scim+json",
		Fault:     "application/scim+json not accepted",
		Fix:       "accept and send application/scim+json, the SCIM media type (RFC 7644, Section 3.1), next to application/json",
		IdPEffect: "every request of Okta and Entra ID fails: Okta's connection test reports \"Error authenticating: Not Acceptable\" and Entra ID's Test Connection a credential validation failure",
	}, jsonOnly),
	scimFault(Endpoint{
		Name:      "scim-case-sensitive",
		Summary:   "compares userName case-sensitively in a filter userName eq \"VALUE\"",
		Fault:     "case-sensitive userName filter",
		Fix:       "compare userName case-insensitively in filters, because its caseExact is false (RFC 7643, Section 4.1.1)",
		IdPEffect: "Entra ID does not match an existing user whose userName differs in case, creates it again and gets 409; Okta only warns (seen with --user or --write)",
	}, caseSensitiveUserName),
}

// scimFault returns the catalog entry of a SCIM fault endpoint: the good
// endpoint's TLS setup in front of the real SCIM server wrapped in fault.
func scimFault(e Endpoint, fault func(next http.Handler, logger *slog.Logger) http.Handler) endpointSpec {
	e.Kind = KindSCIM
	return endpointSpec{
		Endpoint: e,
		build: tlsEndpoint(func(authority *pki) (*tls.Config, error) {
			return leafConfig(authority, authority.validLeaf(), tls.VersionTLS12, tls.VersionTLS13)
		}),
		fault: fault,
	}
}
