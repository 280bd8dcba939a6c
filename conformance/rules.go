package conformance

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode"
)

// The rules in this file are pure functions of a recorded exchange: each
// returns the findings for one expectation, with the rule id, what the IdP
// does with such a response and, for failures, the message its admin reads.
// The first argument names the profile whose expectations apply: "okta",
// "entra" or "rfc".

// SCIM message schema URNs (RFC 7644 sections 3.4.2, 3.12 and 3.5.2).
const (
	urnListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	urnError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	urnPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	urnUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	urnGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	urnEnterprise   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	urnSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	urnSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	// urnADSCIMGroup is the extra schema Entra ID lists when it creates a
	// group.
	urnADSCIMGroup = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)

func pass(rule, reason string) Verdict { return Verdict{Status: Pass, Rule: rule, Reason: reason} }

func warn(rule, reason, idpAction string) Verdict {
	return Verdict{Status: Warn, Rule: rule, Reason: reason, IdPAction: idpAction}
}

func fail(rule, reason, idpAction, admin string) Verdict {
	return Verdict{Status: Fail, Rule: rule, Reason: reason, IdPAction: idpAction, AdminMessage: admin}
}

// reqContext names the operation for admin messages: Okta's prefix
// ("Error authenticating"; empty where Okta documents none) and the kind of request for Entra ID.
type reqContext struct {
	okta  string
	entra entraOp
}

// entraOp is the kind of request Entra ID was making, which decides how it
// reports a failure.
type entraOp int

const (
	entraTestConnection entraOp = iota
	entraQuery
	entraWrite
	entraRead
)

// oktaAdminMessage builds the line Okta shows: "<context>: <HTTP reason>.
// Errors reported by remote server: <detail>", where detail is the SCIM
// error's detail, or the JSON parser's complaint for a body that is not
// JSON. The tail is left out for an empty body.
func oktaAdminMessage(prefix string, ex *exchange) string {
	msg := http.StatusText(ex.status) + "."
	if prefix != "" {
		msg = prefix + ": " + msg
	}
	if detail := oktaRemoteDetail(ex); detail != "" {
		msg += " Errors reported by remote server: " + detail
	}
	return msg
}

// oktaRemoteDetail returns what Okta quotes from the response body. For a
// body that is not JSON, Okta quotes its Java JSON parser (Jackson), whose
// messages have the forms "Unexpected character ('<' (code 60))" and
// "Unrecognized token 'error'".
func oktaRemoteDetail(ex *exchange) string {
	body := strings.TrimSpace(string(ex.respBody))
	if body == "" {
		return ""
	}
	if m, ok := ex.jsonBody(); ok {
		if d, ok := lookupString(m, "detail"); ok && d != "" {
			return d
		}
		return ""
	}
	r := []rune(body)[0]
	if unicode.IsLetter(r) {
		word := strings.FieldsFunc(body, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })[0]
		return fmt.Sprintf("Invalid JSON: Unrecognized token '%s'", word)
	}
	if r == '{' || r == '[' || r == '"' {
		return "Invalid JSON: " + excerpt(body, 80)
	}
	return fmt.Sprintf("Invalid JSON: Unexpected character ('%c' (code %d))", r, r)
}

// entraAdminMessage returns the error code Entra ID's provisioning log
// shows for a failed request, with a short reading of it.
//
// NOTE: the codes come from Entra ID's documented provisioning error
// table; the mapping of 400 and other unlisted statuses to
// WebExceptionProtocolError is inferred, not documented.
func entraAdminMessage(op entraOp, ex *exchange) string {
	if op == entraTestConnection && ex.status != http.StatusOK {
		return fmt.Sprintf("SystemForCrossDomainIdentityManagementCredentialValidationFailure: while attempting to validate authorization to access the application, Entra ID received an unexpected response: %d %s", ex.status, http.StatusText(ex.status))
	}
	code := ""
	switch {
	case ex.status == 401:
		code = "Unauthorized"
	case ex.status == 403:
		code = "InsufficientRights"
	case ex.status == 404 && op == entraQuery:
		return "Quarantine (SCIM compliance issue): a query returned 404 where Entra ID expects 200 with an empty ListResponse"
	case ex.status == 405:
		code = "MethodNotAllowed"
	case ex.status == 409:
		code = "EntryConflict"
	case ex.status == 422:
		code = "UnprocessableEntity"
	case ex.status == 429:
		code = "TooManyRequests"
	case ex.status == 501:
		code = "NotImplemented"
	case ex.status >= 500:
		code = "InternalServerError"
	default:
		code = "WebExceptionProtocolError"
	}
	detail := oktaRemoteDetail(ex)
	if detail != "" {
		return fmt.Sprintf("%s: %d %s: %s", code, ex.status, http.StatusText(ex.status), detail)
	}
	return fmt.Sprintf("%s: %d %s", code, ex.status, http.StatusText(ex.status))
}

// adminMessage returns the line the profile's IdP shows for a failed
// exchange; the rfc profile has none.
func adminMessage(idp string, ctx reqContext, ex *exchange) string {
	switch idp {
	case ProfileOkta:
		return oktaAdminMessage(ctx.okta, ex)
	case ProfileEntra:
		return entraAdminMessage(ctx.entra, ex)
	}
	return ""
}

// idpName is the product name used in explanations.
func idpName(idp string) string {
	switch idp {
	case ProfileOkta:
		return "Okta"
	case ProfileEntra:
		return "Entra ID"
	}
	return "an RFC 7644 client"
}

// ruleHTTP judges the statuses that mean the request never reached a
// working SCIM handler: a redirect, rejected credentials, an HTML page from
// a proxy or WAF, a server error. It returns nil when none applies.
func ruleHTTP(idp string, ctx reqContext, ex *exchange) []Verdict {
	admin := adminMessage(idp, ctx, ex)
	switch {
	case ex.status >= 300 && ex.status < 400:
		loc := ex.respHdr.Get("Location")
		return []Verdict{fail("http.redirect",
			fmt.Sprintf("returned %d %s to %s: the SCIM base URL is not the final one", ex.status, http.StatusText(ex.status), orNone(loc)),
			idpName(idp)+" sends its requests to the configured base URL; configure the URL the redirect points to, because a redirected POST or PATCH is not replayed reliably",
			admin)}
	case ex.status == 401:
		reason := "returned 401 Unauthorized: the credentials were rejected"
		if idp == ProfileOkta && ctx.okta == "Error authenticating" {
			admin = "Error authenticating: Unauthorized. The connector configuration could not be tested. Make sure that the URL, Authentication Parameters are correct and that there is an implementation available at the URL provided."
		}
		return []Verdict{fail(idp+".auth.rejected", reason, idpName(idp)+" stops: no request of this job gets through until the credentials are fixed", admin)}
	case ex.status == 403:
		return []Verdict{fail(idp+".auth.forbidden", "returned 403 Forbidden"+htmlHint(ex), idpName(idp)+" stops: a WAF, reverse proxy or the server's authorisation rejects it", admin)}
	case ex.status == 406 || ex.status == 415:
		return []Verdict{fail(idp+".media-type.rejected",
			fmt.Sprintf("returned %d %s to a request with Accept/Content-Type application/scim+json", ex.status, http.StatusText(ex.status)),
			idpName(idp)+" always sends application/scim+json; a framework that accepts only application/json rejects every request before the SCIM code runs",
			admin)}
	case ex.status >= 500:
		return []Verdict{fail(idp+".server-error", fmt.Sprintf("returned %d %s", ex.status, http.StatusText(ex.status))+htmlHint(ex), idpName(idp)+" records the request as failed and retries it later", admin)}
	}
	return nil
}

// htmlHint returns " with <body kind>" for a response body that is not
// a JSON object, such as " with an HTML page, typically from a proxy...",
// and "" for an empty body or a JSON object.
func htmlHint(ex *exchange) string {
	kind, cause := describeBody(ex)
	if kind == "" || kind == "an empty body" {
		return ""
	}
	return " with " + kind + cause
}

// describeBody names what a response body is when it is not a JSON
// object, as kind ("an HTML page", "a JSON array", "an empty body") and,
// where one is typical, cause (", typically from a proxy ..."). kind is
// empty for a JSON object.
func describeBody(ex *exchange) (kind, cause string) {
	body := strings.TrimSpace(string(ex.respBody))
	if body == "" {
		return "an empty body", ""
	}
	if _, ok := ex.jsonBody(); ok {
		return "", ""
	}
	if strings.HasPrefix(body, "<") {
		return "an HTML page", ", typically from a proxy, WAF or login page in front of the SCIM server"
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err == nil {
		switch v.(type) {
		case []any:
			return "a JSON array", ""
		case nil:
			return "JSON null", ""
		case string:
			return "a JSON string", ""
		case bool:
			return "a JSON boolean", ""
		default:
			return "a JSON number", ""
		}
	}
	return "a plain-text body (" + excerpt(body, 60) + ")", ", typically from a proxy or CDN in front of the SCIM server"
}

func orNone(s string) string {
	if s == "" {
		return "(no Location header)"
	}
	return s
}

// ruleMediaType checks the response Content-Type: application/scim+json
// (RFC 7644 section 3.1). Entra ID requires it; Okta parses
// application/json too; the rfc profile requires it.
func ruleMediaType(idp string, ex *exchange) []Verdict {
	if len(strings.TrimSpace(string(ex.respBody))) == 0 {
		return nil
	}
	ct := ex.contentType()
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/scim+json" {
		return []Verdict{pass(idp+".response.media-type", "Content-Type is application/scim+json")}
	}
	reason := fmt.Sprintf("Content-Type is %q, not application/scim+json", ct)
	switch idp {
	case ProfileOkta:
		if err == nil && mt == "application/json" {
			return []Verdict{warn("okta.response.media-type", reason, "Okta parses application/json as well, so this works with Okta")}
		}
		return []Verdict{fail("okta.response.media-type", reason, "Okta cannot parse the body as SCIM JSON", oktaAdminMessage("", ex))}
	case ProfileEntra:
		return []Verdict{fail("entra.response.media-type", reason, "Entra ID expects every response as application/scim+json; its validator fails such responses", entraAdminMessage(entraRead, ex))}
	}
	return []Verdict{fail("rfc.response.media-type", reason+" (RFC 7644 section 3.1)", "", "")}
}

// isInteger reports whether v is a JSON number without fraction or exponent.
func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := n.Int64()
	return err == nil
}

func hasSchema(m map[string]any, urn string) bool {
	list, _ := getFoldValue(m, "schemas").([]any)
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			return true
		}
	}
	return false
}

func getFoldValue(m map[string]any, key string) any {
	v, _ := getFold(m, key)
	return v
}

// ruleListResponse checks a 200 response to a query: a JSON ListResponse
// (RFC 7644 section 3.4.2) with integer totalResults, startIndex and
// itemsPerPage and a Resources array. It returns the decoded body (nil when
// it is not one) with the findings.
func ruleListResponse(idp string, ctx reqContext, ex *exchange) (map[string]any, []Verdict) {
	if v := ruleHTTP(idp, ctx, ex); v != nil {
		return nil, v
	}
	if ex.status != http.StatusOK {
		return nil, []Verdict{fail(idp+".list.status", fmt.Sprintf("returned %d %s to a query; a query returns 200 with a ListResponse", ex.status, http.StatusText(ex.status)), idpName(idp)+" treats the query as failed", adminMessage(idp, ctx, ex))}
	}
	m, ok := ex.jsonBody()
	if !ok {
		kind, cause := describeBody(ex)
		reason := "the server returned " + kind + " instead of a ListResponse object" + cause
		switch idp {
		case ProfileOkta:
			admin := "No results for users returned"
			if ctx.okta != "Error authenticating" {
				admin = oktaAdminMessage(ctx.okta, ex)
			}
			return nil, []Verdict{fail("okta.list.not-scim", reason, "Okta finds no ListResponse and reports no users", admin)}
		case ProfileEntra:
			return nil, []Verdict{fail("entra.list.not-scim", reason, "Entra ID cannot read the response", "SystemForCrossDomainIdentityManagementServiceIncompatible: the response is not a SCIM resource")}
		}
		return nil, []Verdict{fail("rfc.list.not-scim", reason, "", "")}
	}
	var out []Verdict
	if !hasSchema(m, urnListResponse) {
		v := fail(idp+".list.schema", "schemas does not list "+urnListResponse, idpName(idp)+" does not recognise the response as a ListResponse", "")
		if idp == ProfileOkta {
			v.AdminMessage = "No results for users returned"
		}
		out = append(out, v)
	}
	total, hasTotal := getFold(m, "totalResults")
	switch {
	case !hasTotal:
		out = append(out, fail(idp+".list.total-results", "totalResults is missing", idpName(idp)+" cannot tell how many resources matched", ""))
	case !isInteger(total):
		v := fail(idp+".list.total-results-integer", fmt.Sprintf("totalResults is %s, not a JSON integer", jsonText(total)), "", "")
		if idp == ProfileOkta {
			v.IdPAction = "Okta's JSON mapping rejects a non-integer count, so lookups and imports fail without a reason"
			v.AdminMessage = "Sync user in external application: FAILURE (the System Log shows no reason)"
		} else {
			v.IdPAction = idpName(idp) + " cannot read the count"
		}
		out = append(out, v)
	}
	for _, key := range []string{"startIndex", "itemsPerPage"} {
		if v, ok := getFold(m, key); ok && !isInteger(v) {
			f := fail(idp+".list."+strings.ToLower(key)+"-integer", fmt.Sprintf("%s is %s, not a JSON integer", key, jsonText(v)), idpName(idp)+" cannot read the paging values", "")
			if idp == ProfileOkta {
				f.AdminMessage = "Sync user in external application: FAILURE (the System Log shows no reason)"
			}
			out = append(out, f)
		}
	}
	resources, hasResources := getFold(m, "Resources")
	if _, isList := resources.([]any); hasResources && !isList && resources != nil {
		out = append(out, fail(idp+".list.resources", "Resources is not a JSON array", idpName(idp)+" cannot read the resources", ""))
	}
	if n, _ := total.(json.Number); n.String() != "" && n.String() != "0" && !hasResources {
		out = append(out, fail(idp+".list.resources", "totalResults is "+n.String()+" but Resources is missing", idpName(idp)+" finds no resources in the response", ""))
	}
	if !hasResources && (total == nil || fmt.Sprint(total) == "0") && idp == ProfileEntra {
		out = append(out, warn("entra.list.resources-empty-array", "Resources is missing from an empty ListResponse", "Entra ID's documentation shows \"Resources\": [] on an empty response; Entra accepts a missing array, but its validator compares with the documented shape"))
	}
	out = append(out, ruleMediaType(idp, ex)...)
	if len(out) == 0 || !hasFailure(out) {
		out = append(out, pass(idp+".list.shape", "ListResponse with integer counts"))
	}
	return m, out
}

func hasFailure(vs []Verdict) bool {
	for _, v := range vs {
		if v.Status == Fail {
			return true
		}
	}
	return false
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func resourceCount(m map[string]any) (int, bool) {
	total, _ := getFold(m, "totalResults")
	n, ok := total.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

// ruleEmptyLookup judges a filter that matches nothing: RFC 7644 returns 200
// with totalResults 0. Okta also accepts a 404 SCIM error there; Entra ID
// quarantines the job.
func ruleEmptyLookup(idp string, ctx reqContext, ex *exchange) []Verdict {
	if ex.status == http.StatusNotFound {
		m, isJSON := ex.jsonBody()
		scimErr := isJSON && hasSchema(m, urnError)
		switch idp {
		case ProfileOkta:
			if scimErr {
				return []Verdict{warn("okta.lookup.empty-404-accepted", "returned 404 with a SCIM error to a filter that matches nothing; RFC 7644 returns 200 with totalResults 0", "Okta accepts a 404 SCIM error as \"no such user\" and goes on to create it; Entra ID would quarantine the job")}
			}
			return []Verdict{fail("okta.lookup.empty-404-not-scim", "returned 404 without a SCIM error body to a filter that matches nothing"+htmlHint(ex), "Okta accepts a 404 only with a SCIM error body; this looks like a wrong base URL", oktaAdminMessage(ctx.okta, ex))}
		case ProfileEntra:
			return []Verdict{fail("entra.lookup.empty-must-be-200", "returned 404 to a filter that matches nothing; Entra ID requires 200 with totalResults 0", "Entra ID puts the provisioning job in quarantine for a SCIM compliance issue and stops provisioning", entraAdminMessage(entraQuery, ex))}
		}
		return []Verdict{fail("rfc.filter.empty-must-be-200", "returned 404 to a filter that matches nothing; RFC 7644 section 3.4.2 returns 200 with totalResults 0", "", "")}
	}
	if ex.status == http.StatusBadRequest {
		return []Verdict{fail(idp+".lookup.filter-rejected", "returned 400 to the filter "+filterOf(ex)+": "+orEmpty(oktaRemoteDetail(ex)), idpName(idp)+" cannot tell whether the resource exists and stops provisioning it", adminMessage(idp, ctx, ex))}
	}
	m, out := ruleListResponse(idp, ctx, ex)
	if m == nil {
		return out
	}
	if n, ok := resourceCount(m); ok && n > 0 {
		out = append(out, fail(idp+".lookup.filter-ignored",
			fmt.Sprintf("the filter %s matched %d resources although no such value exists: the server ignores or mis-evaluates the filter", filterOf(ex), n),
			lookupIgnoredAction(idp), ""))
	} else if !hasFailure(out) {
		out = append(out, pass(idp+".lookup.empty-200", "200 with totalResults 0"))
	}
	return out
}

func lookupIgnoredAction(idp string) string {
	switch idp {
	case ProfileOkta:
		return "Okta takes a hit as the existing account and links the assignment to it instead of creating the user"
	case ProfileEntra:
		return "Entra ID matches the wrong object, or reports DuplicateTargetEntries when several come back"
	}
	return ""
}

func orEmpty(s string) string {
	if s == "" {
		return "(no detail)"
	}
	return s
}

func filterOf(ex *exchange) string {
	_, q, _ := strings.Cut(ex.url, "?")
	for _, part := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(part, "="); ok && k == "filter" {
			return fmt.Sprintf("%q", decodeQueryValue(v))
		}
	}
	return "(none)"
}

func decodeQueryValue(v string) string {
	v = strings.ReplaceAll(v, "+", " ")
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			var c byte
			if _, err := fmt.Sscanf(v[i+1:i+3], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// ruleLookupHit judges a filter that must find exactly one resource.
func ruleLookupHit(idp string, ctx reqContext, ex *exchange) []Verdict {
	if ex.status == http.StatusBadRequest {
		return []Verdict{fail(idp+".lookup.filter-rejected", "returned 400 to the filter "+filterOf(ex)+": "+orEmpty(oktaRemoteDetail(ex)), idpName(idp)+" cannot match the resource and stops provisioning it", adminMessage(idp, ctx, ex))}
	}
	if ex.status == http.StatusNotFound {
		return ruleEmptyLookup(idp, ctx, ex)
	}
	m, out := ruleListResponse(idp, ctx, ex)
	if m == nil {
		return out
	}
	n, _ := resourceCount(m)
	switch {
	case n == 0:
		action := idpName(idp) + " concludes the resource does not exist and creates it, which then fails with 409"
		out = append(out, fail(idp+".lookup.no-match", "the filter "+filterOf(ex)+" found nothing, but the resource exists", action, ""))
	case n > 1:
		out = append(out, fail(idp+".lookup.several-matches", fmt.Sprintf("the filter %s found %d resources, want 1", filterOf(ex), n), idpName(idp)+" cannot decide which one to update (Entra ID: DuplicateTargetEntries)", ""))
	default:
		if id, ok := lookupString(m, "Resources.0.id"); !ok || id == "" {
			out = append(out, fail(idp+".lookup.no-id", "the one match has no id", idpName(idp)+" cannot address the resource afterwards", ""))
		} else if !hasFailure(out) {
			out = append(out, pass(idp+".lookup.one-match", "exactly one match, with an id"))
		}
	}
	return out
}

// ruleErrorBody checks a SCIM error response (RFC 7644 section 3.12): the
// Error schema, a detail and status as a string.
func ruleErrorBody(idp string, ex *exchange, wantStatus int) []Verdict {
	m, ok := ex.jsonBody()
	if !ok {
		return []Verdict{fail(idp+".error.not-scim", fmt.Sprintf("the %d response has no SCIM error body", ex.status)+htmlHint(ex), idpName(idp)+" shows no reason to the admin", "")}
	}
	var out []Verdict
	if !hasSchema(m, urnError) {
		out = append(out, fail(idp+".error.schema", "schemas does not list "+urnError, idpName(idp)+" does not read the body as a SCIM error", ""))
	}
	if d, _ := lookupString(m, "detail"); d == "" && idp != ProfileEntra {
		v := fail(idp+".error.detail", "the error has no detail", "the admin gets no reason for the failure", "")
		if idp == ProfileRFC {
			v = warn("rfc.error.detail", "the error has no detail (optional in RFC 7644, but it is the only text an admin sees)", "")
		}
		out = append(out, v)
	}
	status, hasStatus := getFold(m, "status")
	switch s := status.(type) {
	case string:
		if s != fmt.Sprint(wantStatus) {
			out = append(out, warn(idp+".error.status-mismatch", fmt.Sprintf("body status %q differs from the HTTP status %d", s, wantStatus), ""))
		}
	case json.Number:
		switch idp {
		case ProfileRFC:
			out = append(out, fail("rfc.error.status-string", "status is the number "+s.String()+"; RFC 7644 section 3.12 defines it as a string", "", ""))
		default:
			out = append(out, warn(idp+".error.status-string", "status is the number "+s.String()+", not the string RFC 7644 defines", idpName(idp)+" accepts it"))
		}
	default:
		if !hasStatus {
			out = append(out, fail(idp+".error.status", "the error has no status", "", ""))
		}
	}
	return out
}

// ruleNotFound judges a read of an id that does not exist: 404 with a SCIM
// error.
func ruleNotFound(idp string, ex *exchange) []Verdict {
	if v := ruleHTTP(idp, reqContext{}, ex); v != nil {
		return v
	}
	if ex.status != http.StatusNotFound {
		return []Verdict{fail(idp+".get.unknown-id-404", fmt.Sprintf("returned %d %s for an id that does not exist, want 404", ex.status, http.StatusText(ex.status)), idpName(idp)+" takes the resource as present", "")}
	}
	out := ruleErrorBody(idp, ex, 404)
	out = append(out, ruleMediaType(idp, ex)...)
	if !hasFailure(out) {
		out = append(out, pass(idp+".get.unknown-id-404", "404 with a SCIM error"))
	}
	return out
}

// ruleUnauthorized judges a request sent with invalid or no credentials:
// 401 (RFC 7644 section 3.12; Okta's spec test asserts it).
func ruleUnauthorized(idp string, ex *exchange) []Verdict {
	switch {
	case ex.status >= 200 && ex.status < 300:
		return []Verdict{fail(idp+".auth.accepts-invalid", fmt.Sprintf("returned %d to a request with invalid credentials", ex.status), "anyone can read and change the identities on this endpoint", "")}
	case ex.status == 403:
		return []Verdict{warn(idp+".auth.invalid-401", "returned 403 to invalid credentials; RFC 7644 returns 401", "")}
	case ex.status != 401:
		return []Verdict{fail(idp+".auth.invalid-401", fmt.Sprintf("returned %d %s to invalid credentials, want 401", ex.status, http.StatusText(ex.status)), "", "")}
	}
	var out []Verdict
	if idp == ProfileRFC && ex.respHdr.Get("WWW-Authenticate") == "" {
		out = append(out, warn("rfc.auth.www-authenticate", "401 without a WWW-Authenticate header (RFC 7235 section 3.1)", ""))
	}
	out = append(out, ruleErrorBody(idp, ex, 401)...)
	if !hasFailure(out) {
		out = append(out, pass(idp+".auth.invalid-401", "401 with a SCIM error"))
	}
	return out
}

// ruleCreated judges a POST that must create a resource: 201 with the
// resource and its id.
func ruleCreated(idp string, ctx reqContext, ex *exchange) (map[string]any, []Verdict) {
	if v := ruleHTTP(idp, ctx, ex); v != nil {
		return nil, v
	}
	admin := adminMessage(idp, ctx, ex)
	switch {
	case ex.status == http.StatusConflict:
		return nil, []Verdict{fail(idp+".create.conflict", "returned 409 to the creation of a resource the lookup did not find: "+orEmpty(oktaRemoteDetail(ex)), idpName(idp)+" stops provisioning this user: the lookup and the uniqueness check disagree (case, attribute, or soft-deleted rows)", admin)}
	case ex.status < 200 || ex.status > 299:
		return nil, []Verdict{fail(idp+".create.status", fmt.Sprintf("returned %d %s: %s", ex.status, http.StatusText(ex.status), orEmpty(oktaRemoteDetail(ex))), idpName(idp)+" does not create the resource", admin)}
	}
	m, ok := ex.jsonBody()
	if !ok {
		v := fail(idp+".create.empty", fmt.Sprintf("returned %d without the created resource in the body", ex.status), idpName(idp)+" gets no id for the new resource", admin)
		if idp == ProfileOkta {
			v.AdminMessage = ctx.okta + ": Create new user returned empty user."
		}
		return nil, []Verdict{v}
	}
	var out []Verdict
	if id, _ := lookupString(m, "id"); id == "" {
		out = append(out, fail(idp+".create.id", "the created resource has no id", idpName(idp)+" cannot address it later", admin))
	}
	if ex.status != http.StatusCreated {
		action := "Okta's spec test asserts 201"
		if idp == ProfileEntra {
			action = "Entra ID's validator fails a create that returns " + fmt.Sprint(ex.status)
		}
		out = append(out, fail(idp+".create.status-201", fmt.Sprintf("returned %d, want 201 Created (RFC 7644 section 3.3)", ex.status), action, ""))
	}
	if idp == ProfileRFC {
		loc := ex.respHdr.Get("Location")
		metaLoc, _ := lookupString(m, "meta.location")
		switch {
		case loc == "":
			out = append(out, fail("rfc.create.location", "201 without a Location header (RFC 7644 section 3.3)", "", ""))
		case metaLoc != "" && metaLoc != loc:
			out = append(out, warn("rfc.create.location", fmt.Sprintf("Location %q differs from meta.location %q", loc, metaLoc), ""))
		}
		if v, _ := lookupString(m, "meta.version"); v != "" && ex.respHdr.Get("ETag") == "" {
			out = append(out, warn("rfc.create.etag", "meta.version is set but the ETag header is missing (RFC 7644 section 3.14)", ""))
		}
		if rt, _ := lookupString(m, "meta.resourceType"); rt == "" {
			out = append(out, warn("rfc.create.meta", "meta.resourceType is missing (RFC 7643 section 3.1)", ""))
		}
	}
	out = append(out, ruleMediaType(idp, ex)...)
	if !hasFailure(out) {
		out = append(out, pass(idp+".create.201", "201 with the resource and its id"))
	}
	return m, out
}

// ruleDuplicate judges a second POST of the same userName or displayName:
// 409 with scimType uniqueness (RFC 7644 section 3.3).
func ruleDuplicate(idp string, ex *exchange) []Verdict {
	if v := ruleHTTP(idp, reqContext{}, ex); v != nil {
		return v
	}
	if ex.status >= 200 && ex.status < 300 {
		return []Verdict{fail(idp+".create.duplicate-409", fmt.Sprintf("returned %d to a duplicate: a second resource with the same name exists now", ex.status), idpName(idp)+" expects 409; with a duplicate account the user has two identities on the server", "")}
	}
	if ex.status != http.StatusConflict {
		return []Verdict{fail(idp+".create.duplicate-409", fmt.Sprintf("returned %d %s to a duplicate, want 409 Conflict", ex.status, http.StatusText(ex.status)), idpName(idp)+" cannot tell a duplicate from another failure", "")}
	}
	var out []Verdict
	m, _ := ex.jsonBody()
	if t, _ := lookupString(m, "scimType"); !strings.EqualFold(t, "uniqueness") {
		if idp == ProfileRFC {
			out = append(out, fail("rfc.create.duplicate-uniqueness", fmt.Sprintf("409 with scimType %q, want \"uniqueness\" (RFC 7644 section 3.12)", t), "", ""))
		} else {
			out = append(out, warn(idp+".create.duplicate-uniqueness", fmt.Sprintf("409 with scimType %q, not \"uniqueness\"", t), idpName(idp)+" acts on the status alone"))
		}
	}
	if idp == ProfileRFC {
		out = append(out, ruleErrorBody(idp, ex, 409)...)
	}
	if !hasFailure(out) {
		out = append(out, pass(idp+".create.duplicate-409", "409 for a duplicate"))
	}
	return out
}

// ruleResource judges a 200 response that carries one resource (GET or PUT).
// It checks the attributes in want, which maps a dotted path to the expected
// text. Text is compared case-insensitively.
func ruleResource(idp string, ctx reqContext, ex *exchange, rule string, want map[string]string) (map[string]any, []Verdict) {
	if v := ruleHTTP(idp, ctx, ex); v != nil {
		return nil, v
	}
	if ex.status != http.StatusOK {
		return nil, []Verdict{fail(rule, fmt.Sprintf("returned %d %s, want 200: %s", ex.status, http.StatusText(ex.status), orEmpty(oktaRemoteDetail(ex))), idpName(idp)+" records the request as failed", adminMessage(idp, ctx, ex))}
	}
	m, ok := ex.jsonBody()
	if !ok {
		kind, cause := describeBody(ex)
		return nil, []Verdict{fail(rule, "the server returned "+kind+" instead of a resource object"+cause, idpName(idp)+" cannot read the resource", adminMessage(idp, ctx, ex))}
	}
	var out []Verdict
	for _, path := range sortedKeys(want) {
		got, found := lookupString(m, path)
		switch {
		case !found:
			out = append(out, fail(rule, fmt.Sprintf("%s is missing, want %q", path, want[path]), idpName(idp)+" sees the value as lost", ""))
		case !strings.EqualFold(got, want[path]):
			out = append(out, fail(rule, fmt.Sprintf("%s is %q, want %q", path, got, want[path]), idpName(idp)+" sees a different value than it wrote", ""))
		}
	}
	out = append(out, ruleMediaType(idp, ex)...)
	if !hasFailure(out) {
		out = append(out, pass(rule, "200 with the expected values"))
	}
	return m, out
}

// rulePatched judges a PATCH: 200 with the resource, or 204 (RFC 7644
// section 3.5.2). A 200 with an empty body is invalid; both IdPs accept it.
func rulePatched(idp string, ctx reqContext, ex *exchange, rule string) []Verdict {
	if v := ruleHTTP(idp, ctx, ex); v != nil {
		return v
	}
	switch {
	case ex.status == http.StatusNoContent:
		return []Verdict{pass(rule, "204 No Content")}
	case ex.status == http.StatusOK:
		if _, ok := ex.jsonBody(); ok {
			return append(ruleMediaType(idp, ex), pass(rule, "200 with the resource"))
		}
		if idp == ProfileRFC {
			return []Verdict{fail(rule, "200 with no resource in the body; RFC 7644 section 3.5.2 returns 204 or 200 with the resource", "", "")}
		}
		return []Verdict{warn(rule, "200 with no resource in the body; RFC 7644 returns 204 or 200 with the resource", idpName(idp)+" accepts it")}
	}
	return []Verdict{fail(rule, fmt.Sprintf("returned %d %s: %s", ex.status, http.StatusText(ex.status), orEmpty(oktaRemoteDetail(ex))), patchAction(idp), adminMessage(idp, ctx, ex))}
}

func patchAction(idp string) string {
	switch idp {
	case ProfileOkta:
		return "Okta records the push as failed and shows it under Tasks; the change does not reach the server"
	case ProfileEntra:
		return "Entra ID records a failure for this object and retries it in the next cycles; enough failures put the job in quarantine"
	}
	return ""
}

// ruleDeleted judges a DELETE: 204 (RFC 7644 section 3.6).
func ruleDeleted(idp string, ex *exchange, rule string) []Verdict {
	if v := ruleHTTP(idp, reqContext{entra: entraWrite}, ex); v != nil {
		return v
	}
	switch ex.status {
	case http.StatusNoContent:
		return []Verdict{pass(rule, "204 No Content")}
	case http.StatusOK:
		return []Verdict{warn(rule, "200 to a DELETE; RFC 7644 section 3.6 returns 204", idpName(idp)+" accepts any 2xx")}
	}
	return []Verdict{fail(rule, fmt.Sprintf("returned %d %s: %s", ex.status, http.StatusText(ex.status), orEmpty(oktaRemoteDetail(ex))), idpName(idp)+" records the delete as failed", adminMessage(idp, reqContext{entra: entraWrite}, ex))}
}

// ruleMembersExcluded judges a group read with excludedAttributes=members:
// the response must not carry members.
func ruleMembersExcluded(idp string, m map[string]any) []Verdict {
	var groups []any
	if list, ok := getFold(m, "Resources"); ok {
		groups, _ = list.([]any)
	} else if m != nil {
		groups = []any{m}
	}
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		if members, ok := getFold(gm, "members"); ok && members != nil {
			if list, isList := members.([]any); !isList || len(list) > 0 {
				return []Verdict{fail(idp+".group.members-excluded", "members returned although excludedAttributes=members was requested", "Entra ID reads groups without members; a server that returns them anyway costs time on large groups and Entra logs SystemForCrossDomainIdentityManagementMultipleEntriesInResponse", "")}
			}
		}
	}
	return []Verdict{pass(idp+".group.members-excluded", "no members in the response")}
}

// ruleMembership checks a group's members after a PATCH. want lists ids
// that must be present, gone lists ids that must be absent. A group read
// without members (a server may omit them) gives a warning, because the
// membership cannot be verified.
func ruleMembership(idp string, m map[string]any, want, gone []string, rule string) []Verdict {
	members, ok := getFold(m, "members")
	list, _ := members.([]any)
	if !ok || members == nil {
		if len(want) == 0 {
			return []Verdict{pass(rule, "no members, as expected")}
		}
		return []Verdict{warn(rule, "the group was returned without members, so the membership cannot be verified", idpName(idp)+" does not read members back")}
	}
	have := map[string]bool{}
	for _, item := range list {
		im, _ := item.(map[string]any)
		if v, ok := lookupString(im, "value"); ok {
			have[v] = true
		}
	}
	var out []Verdict
	for _, id := range want {
		if !have[id] {
			out = append(out, fail(rule, "member "+id+" is missing after the PATCH", idpName(idp)+" shows the membership as pushed, but the user is not in the group", ""))
		}
	}
	for _, id := range gone {
		if have[id] {
			out = append(out, fail(rule, "member "+id+" is still present after its removal", idpName(idp)+" shows the member as removed, but the user keeps the group's access", ""))
		}
	}
	if len(out) == 0 {
		out = append(out, pass(rule, "membership as expected"))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// transportVerdict describes a request to rawURL that got no HTTP
// response. Okta's admin message is the okta client profile's text for
// the failure class (such as "PKIX path validation failed: ...: validity
// check failed" for an expired certificate), and Go's error text only for
// a failure the profile has no text for. Entra ID's is the entra client
// profile's inferred .NET text, or none when the profile has no text.
func transportVerdict(idp string, err error, interrupted bool, rawURL string) Verdict {
	if interrupted {
		return Verdict{Status: Fail, Rule: "run.interrupted", Reason: "interrupted before the response arrived"}
	}
	v := Verdict{Status: Fail, Rule: "transport.no-response", Reason: err.Error()}
	switch idp {
	case ProfileOkta:
		v.IdPAction = "Okta reports a connection failure and retries later"
		if msg, ok := oktaTransportMessage(classifyTransport(err, rawURL)); ok {
			v.AdminMessage = msg
		} else {
			v.AdminMessage = "Error authenticating: " + err.Error()
		}
	case ProfileEntra:
		v.IdPAction = "Entra ID records Timeout or a connection failure and retries in later cycles"
		if msg, ok := entraTransportMessage(classifyTransport(err, rawURL)); ok {
			v.AdminMessage = msg
			v.IdPAction += "; Microsoft does not document the text its provisioning log shows for a transport failure, so the admin message is the .NET Framework text of the entra client profile (inferred)"
		} else {
			v.IdPAction += "; Microsoft does not document the text its provisioning log shows for this failure, and the entra client profile predicts none, so no admin message is given"
		}
	}
	return v
}
