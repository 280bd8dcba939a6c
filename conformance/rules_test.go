package conformance

import (
	"net/http"
	"strings"
	"testing"
)

// recorded builds an exchange from a recorded response.
func recorded(method, url string, status int, contentType, body string) *exchange {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &exchange{method: method, url: url, status: status, respHdr: h, respBody: []byte(body)}
}

const (
	scimJSON      = "application/scim+json"
	emptyList     = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}`
	notFoundError = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such user"}`
	lookupURL     = `https://scim.example.com/Users?filter=userName%20eq%20%22a%40example.com%22&startIndex=1&count=100`
)

// TestRuleEmptyLookup covers the documented disagreement: a 404 on an empty
// filter is a warning for Okta and a failure for Entra ID and RFC 7644.
func TestRuleEmptyLookup(t *testing.T) {
	okta := reqContext{okta: "Automatic provisioning of user a@example.com to app X failed: Error while verifying if user a@example.com exists"}
	tests := []struct {
		name      string
		idp       string
		ctx       reqContext
		ex        *exchange
		want      Status
		wantRule  string
		wantAdmin string
	}{
		{"okta 200 empty", ProfileOkta, okta, recorded("GET", lookupURL, 200, scimJSON, emptyList), Pass, "okta.lookup.empty-200", ""},
		{"okta 404 scim error", ProfileOkta, okta, recorded("GET", lookupURL, 404, scimJSON, notFoundError), Warn, "okta.lookup.empty-404-accepted", ""},
		{"okta 404 html", ProfileOkta, okta, recorded("GET", lookupURL, 404, "text/html", "<html>not found</html>"), Fail, "okta.lookup.empty-404-not-scim",
			"Automatic provisioning of user a@example.com to app X failed: Error while verifying if user a@example.com exists: Not Found. Errors reported by remote server: Invalid JSON: Unexpected character ('<' (code 60))"},
		{"entra 404", ProfileEntra, reqContext{entra: entraQuery}, recorded("GET", lookupURL, 404, scimJSON, notFoundError), Fail, "entra.lookup.empty-must-be-200", "Quarantine (SCIM compliance issue): a query returned 404 where Entra ID expects 200 with an empty ListResponse"},
		{"rfc 404", ProfileRFC, reqContext{}, recorded("GET", lookupURL, 404, scimJSON, notFoundError), Fail, "rfc.filter.empty-must-be-200", ""},
		{"entra filter ignored", ProfileEntra, reqContext{entra: entraQuery}, recorded("GET", lookupURL, 200, scimJSON,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"Resources":[{"id":"1"},{"id":"2"},{"id":"3"}]}`), Fail, "entra.lookup.filter-ignored", ""},
		{"okta total as string", ProfileOkta, okta, recorded("GET", lookupURL, 200, scimJSON,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":"0","Resources":[]}`), Fail, "okta.list.total-results-integer", "Sync user in external application: FAILURE (the System Log shows no reason)"},
		{"okta start index as string", ProfileOkta, okta, recorded("GET", lookupURL, 200, scimJSON,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":"1","Resources":[]}`), Fail, "okta.list.startindex-integer", ""},
		{"entra filter rejected", ProfileEntra, reqContext{entra: entraQuery}, recorded("GET", lookupURL, 400, scimJSON,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidFilter","status":"400","detail":"bad filter"}`), Fail, "entra.lookup.filter-rejected", "WebExceptionProtocolError: 400 Bad Request: bad filter"},
		{"okta html 403 from a waf", ProfileOkta, reqContext{okta: "Error authenticating"}, recorded("GET", lookupURL, 403, "text/html", "<!DOCTYPE html><html>blocked</html>"), Fail, "okta.auth.forbidden",
			"Error authenticating: Forbidden. Errors reported by remote server: Invalid JSON: Unexpected character ('<' (code 60))"},
		{"okta 502 plain text from a cdn", ProfileOkta, reqContext{}, recorded("GET", lookupURL, 502, "text/plain", "error code: 502"), Fail, "okta.server-error",
			"Bad Gateway. Errors reported by remote server: Invalid JSON: Unrecognized token 'error'"},
		{"entra json media type", ProfileEntra, reqContext{entra: entraQuery}, recorded("GET", lookupURL, 200, "application/json", emptyList), Fail, "entra.response.media-type", ""},
		{"okta json media type", ProfileOkta, okta, recorded("GET", lookupURL, 200, "application/json; charset=utf-8", emptyList), Warn, "okta.response.media-type", ""},
		{"redirect", ProfileEntra, reqContext{entra: entraQuery}, recorded("GET", lookupURL, 301, "text/html", ""), Fail, "http.redirect", ""},
		{"406 on scim json", ProfileOkta, okta, recorded("GET", lookupURL, 406, "text/plain", ""), Fail, "okta.media-type.rejected", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := decide(ruleEmptyLookup(tt.idp, tt.ctx, tt.ex), "step")
			if got.Status != tt.want {
				t.Errorf("status = %s, want %s (rule %s: %s)", got.Status, tt.want, got.Rule, got.Reason)
			}
			if got.Rule != tt.wantRule {
				t.Errorf("rule = %s, want %s", got.Rule, tt.wantRule)
			}
			if tt.wantAdmin != "" && got.AdminMessage != tt.wantAdmin {
				t.Errorf("admin message = %q\nwant %q", got.AdminMessage, tt.wantAdmin)
			}
		})
	}
}

// TestRuleCreated covers the create responses Okta and the RFC judge.
func TestRuleCreated(t *testing.T) {
	created := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"42","userName":"a","meta":{"resourceType":"User","location":"https://scim.example.com/Users/42"}}`
	oktaCtx := reqContext{okta: "Automatic provisioning of user a to app X failed: Error while creating user Jane Doe"}
	withLocation := func(ex *exchange) *exchange {
		ex.respHdr.Set("Location", "https://scim.example.com/Users/42")
		return ex
	}
	tests := []struct {
		name      string
		idp       string
		ex        *exchange
		want      Status
		wantRule  string
		wantAdmin string
	}{
		{"okta 201", ProfileOkta, recorded("POST", "u", 201, scimJSON, created), Pass, "okta.create.201", ""},
		{"okta 201 empty body", ProfileOkta, recorded("POST", "u", 201, "", ""), Fail, "okta.create.empty",
			"Automatic provisioning of user a to app X failed: Error while creating user Jane Doe: Create new user returned empty user."},
		{"okta 204", ProfileOkta, recorded("POST", "u", 204, "", ""), Fail, "okta.create.empty", ""},
		{"okta 200 instead of 201", ProfileOkta, recorded("POST", "u", 200, scimJSON, created), Fail, "okta.create.status-201", ""},
		{"okta 409 after empty lookup", ProfileOkta, recorded("POST", "u", 409, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName taken"}`), Fail, "okta.create.conflict",
			"Automatic provisioning of user a to app X failed: Error while creating user Jane Doe: Conflict. Errors reported by remote server: userName taken"},
		{"okta 400 required attribute", ProfileOkta, recorded("POST", "u", 400, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"externalId is required"}`), Fail, "okta.create.status",
			"Automatic provisioning of user a to app X failed: Error while creating user Jane Doe: Bad Request. Errors reported by remote server: externalId is required"},
		{"rfc without location", ProfileRFC, recorded("POST", "u", 201, scimJSON, created), Fail, "rfc.create.location", ""},
		{"rfc with location", ProfileRFC, withLocation(recorded("POST", "u", 201, scimJSON, created)), Pass, "rfc.create.201", ""},
		{"entra no id", ProfileEntra, recorded("POST", "u", 201, scimJSON, `{"userName":"a"}`), Fail, "entra.create.id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, v := ruleCreated(tt.idp, oktaCtx, tt.ex)
			got, _ := decide(v, "step")
			if got.Status != tt.want || got.Rule != tt.wantRule {
				t.Errorf("verdict = %s %s (%s), want %s %s", got.Status, got.Rule, got.Reason, tt.want, tt.wantRule)
			}
			if tt.wantAdmin != "" && got.AdminMessage != tt.wantAdmin {
				t.Errorf("admin message = %q\nwant %q", got.AdminMessage, tt.wantAdmin)
			}
		})
	}
}

// TestRuleDuplicate checks the 409 expectations of each profile.
func TestRuleDuplicate(t *testing.T) {
	tests := []struct {
		name     string
		idp      string
		ex       *exchange
		want     Status
		wantRule string
	}{
		{"409 uniqueness", ProfileRFC, recorded("POST", "u", 409, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}`), Pass, "rfc.create.duplicate-409"},
		{"rfc 409 without scimType", ProfileRFC, recorded("POST", "u", 409, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","detail":"taken"}`), Fail, "rfc.create.duplicate-uniqueness"},
		{"okta 409 without scimType", ProfileOkta, recorded("POST", "u", 409, scimJSON, `{"detail":"taken"}`), Warn, "okta.create.duplicate-uniqueness"},
		{"rfc 409 status number", ProfileRFC, recorded("POST", "u", 409, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"scimType":"uniqueness","detail":"taken"}`), Fail, "rfc.error.status-string"},
		{"201 on duplicate", ProfileOkta, recorded("POST", "u", 201, scimJSON, `{"id":"2"}`), Fail, "okta.create.duplicate-409"},
		{"400 on duplicate", ProfileEntra, recorded("POST", "u", 400, scimJSON, `{"detail":"x"}`), Fail, "entra.create.duplicate-409"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := decide(ruleDuplicate(tt.idp, tt.ex), "step")
			if got.Status != tt.want || got.Rule != tt.wantRule {
				t.Errorf("verdict = %s %s (%s), want %s %s", got.Status, got.Rule, got.Reason, tt.want, tt.wantRule)
			}
		})
	}
}

// TestRulePatched checks the PATCH responses: 204 and 200 with a body pass,
// 200 with an empty body is a warning for the IdPs and a failure for RFC.
func TestRulePatched(t *testing.T) {
	tests := []struct {
		name string
		idp  string
		ex   *exchange
		want Status
	}{
		{"204", ProfileEntra, recorded("PATCH", "u", 204, "", ""), Pass},
		{"200 with resource", ProfileOkta, recorded("PATCH", "u", 200, scimJSON, `{"id":"1"}`), Pass},
		{"okta 200 empty", ProfileOkta, recorded("PATCH", "u", 200, "", ""), Warn},
		{"entra 200 empty", ProfileEntra, recorded("PATCH", "u", 200, "", ""), Warn},
		{"rfc 200 empty", ProfileRFC, recorded("PATCH", "u", 200, "", ""), Fail},
		{"entra string boolean rejected", ProfileEntra, recorded("PATCH", "u", 400, scimJSON, `{"detail":"expected boolean, found string"}`), Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := decide(rulePatched(tt.idp, reqContext{entra: entraWrite}, tt.ex, "r"), "step")
			if got.Status != tt.want {
				t.Errorf("status = %s (%s), want %s", got.Status, got.Reason, tt.want)
			}
		})
	}
}

// TestRuleNotFoundAndAuth covers the error-body checks.
func TestRuleNotFoundAndAuth(t *testing.T) {
	t.Run("status as number is a warning for okta", func(t *testing.T) {
		got, _ := decide(ruleNotFound(ProfileOkta, recorded("GET", "u", 404, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":404,"detail":"x"}`)), "s")
		if got.Status != Warn || got.Rule != "okta.error.status-string" {
			t.Errorf("verdict = %s %s, want warn okta.error.status-string", got.Status, got.Rule)
		}
	})
	t.Run("okta 404 without detail", func(t *testing.T) {
		got, _ := decide(ruleNotFound(ProfileOkta, recorded("GET", "u", 404, scimJSON, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404"}`)), "s")
		if got.Status != Fail || got.Rule != "okta.error.detail" {
			t.Errorf("verdict = %s %s, want fail okta.error.detail", got.Status, got.Rule)
		}
	})
	t.Run("200 for unknown id", func(t *testing.T) {
		got, _ := decide(ruleNotFound(ProfileEntra, recorded("GET", "u", 200, scimJSON, `{"id":"x"}`)), "s")
		if got.Status != Fail {
			t.Errorf("status = %s, want fail", got.Status)
		}
	})
	t.Run("invalid token accepted", func(t *testing.T) {
		got, _ := decide(ruleUnauthorized(ProfileOkta, recorded("GET", "u", 200, scimJSON, emptyList)), "s")
		if got.Status != Fail || got.Rule != "okta.auth.accepts-invalid" {
			t.Errorf("verdict = %s %s, want fail okta.auth.accepts-invalid", got.Status, got.Rule)
		}
	})
	t.Run("okta connection test 401 message", func(t *testing.T) {
		_, v := ruleListResponse(ProfileOkta, reqContext{okta: "Error authenticating"}, recorded("GET", "u", 401, scimJSON, `{"detail":"bad token"}`))
		got, _ := decide(v, "s")
		if !strings.HasPrefix(got.AdminMessage, "Error authenticating: Unauthorized. The connector configuration could not be tested.") {
			t.Errorf("admin message = %q", got.AdminMessage)
		}
	})
	t.Run("okta connection test bare json array", func(t *testing.T) {
		_, v := ruleListResponse(ProfileOkta, reqContext{okta: "Error authenticating"}, recorded("GET", "u", 200, "application/json", "[]"))
		got, _ := decide(v, "s")
		if got.Reason != "the server returned a JSON array instead of a ListResponse object" {
			t.Errorf("reason = %q", got.Reason)
		}
		if got.AdminMessage != "No results for users returned" {
			t.Errorf("admin message = %q, want %q", got.AdminMessage, "No results for users returned")
		}
	})
	t.Run("list 200 html page reason", func(t *testing.T) {
		_, v := ruleListResponse(ProfileRFC, reqContext{}, recorded("GET", "u", 200, "text/html", "<html>welcome</html>"))
		got, _ := decide(v, "s")
		if want := "the server returned an HTML page instead of a ListResponse object, typically from a proxy, WAF or login page in front of the SCIM server"; got.Reason != want {
			t.Errorf("reason = %q, want %q", got.Reason, want)
		}
	})
	t.Run("list 200 plain text reason", func(t *testing.T) {
		_, v := ruleListResponse(ProfileRFC, reqContext{}, recorded("GET", "u", 200, "text/plain", "error code: 502"))
		got, _ := decide(v, "s")
		if want := "the server returned a plain-text body (error code: 502) instead of a ListResponse object, typically from a proxy or CDN in front of the SCIM server"; got.Reason != want {
			t.Errorf("reason = %q, want %q", got.Reason, want)
		}
	})
	t.Run("okta connection test html 200", func(t *testing.T) {
		_, v := ruleListResponse(ProfileOkta, reqContext{okta: "Error authenticating"}, recorded("GET", "u", 200, "text/html", "<html>welcome</html>"))
		got, _ := decide(v, "s")
		if got.AdminMessage != "No results for users returned" {
			t.Errorf("admin message = %q, want %q", got.AdminMessage, "No results for users returned")
		}
	})
}

// TestRuleMembers covers excludedAttributes=members and membership checks.
func TestRuleMembers(t *testing.T) {
	withMembers := map[string]any{"id": "g", "members": []any{map[string]any{"value": "u1"}}}
	without := map[string]any{"id": "g"}
	emptyMembers := map[string]any{"id": "g", "members": []any{}}
	if got, _ := decide(ruleMembersExcluded(ProfileEntra, withMembers), "s"); got.Status != Fail {
		t.Errorf("members leaked: status = %s, want fail", got.Status)
	}
	if got, _ := decide(ruleMembersExcluded(ProfileEntra, without), "s"); got.Status != Pass {
		t.Errorf("no members: status = %s, want pass", got.Status)
	}
	if got, _ := decide(ruleMembersExcluded(ProfileEntra, emptyMembers), "s"); got.Status != Pass {
		t.Errorf("empty members: status = %s, want pass", got.Status)
	}
	if got, _ := decide(ruleMembership(ProfileOkta, withMembers, []string{"u1"}, nil, "r"), "s"); got.Status != Pass {
		t.Errorf("member present: status = %s, want pass", got.Status)
	}
	if got, _ := decide(ruleMembership(ProfileOkta, withMembers, nil, []string{"u1"}, "r"), "s"); got.Status != Fail {
		t.Errorf("removed member present: status = %s, want fail", got.Status)
	}
	if got, _ := decide(ruleMembership(ProfileOkta, without, []string{"u1"}, nil, "r"), "s"); got.Status != Warn {
		t.Errorf("members omitted: status = %s, want warn", got.Status)
	}
}

// FuzzRules feeds arbitrary response bytes to every rule: none may panic.
func FuzzRules(f *testing.F) {
	f.Add(200, "application/scim+json", emptyList)
	f.Add(404, "application/scim+json", notFoundError)
	f.Add(403, "text/html", "<html>")
	f.Add(502, "text/plain", "error code: 502")
	f.Add(200, "application/json", `{"totalResults":"1","Resources":{"id":1}}`)
	f.Add(201, "", `{"id":["x"],"meta":{"location":7}}`)
	f.Add(200, "application/scim+json", `{"Resources":[{"members":"x"}],"totalResults":1e400}`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		for _, idp := range []string{ProfileOkta, ProfileEntra, ProfileRFC} {
			ex := recorded("GET", lookupURL, status, contentType, body)
			ruleEmptyLookup(idp, reqContext{okta: "x"}, ex)
			ruleLookupHit(idp, reqContext{}, ex)
			ruleNotFound(idp, ex)
			ruleUnauthorized(idp, ex)
			ruleCreated(idp, reqContext{}, ex)
			ruleDuplicate(idp, ex)
			m, _ := ruleResource(idp, reqContext{}, ex, "r", map[string]string{"name.givenName": "x", "emails.0.value": "y"})
			rulePatched(idp, reqContext{}, ex, "r")
			ruleDeleted(idp, ex, "r")
			ruleMembersExcluded(idp, m)
			ruleMembership(idp, m, []string{"a"}, []string{"b"}, "r")
			adminMessage(idp, reqContext{}, ex)
		}
	})
}
