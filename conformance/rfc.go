package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
)

var (
	rfcGet  = headers("Accept", "application/scim+json")
	rfcSend = headers("Accept", "application/scim+json", "Content-Type", "application/scim+json")
)

// rfcSteps returns strict RFC 7643/7644 checks where both IdPs are
// lenient: discovery, media types, ListResponse and error shapes, Location
// and ETag headers, 409 with scimType uniqueness, 204 on DELETE.
func rfcSteps(Options) []step {
	return []step{
		{
			id: "rfc.service-provider-config", title: "GET /ServiceProviderConfig",
			method: "GET", path: "/ServiceProviderConfig", header: rfcGet,
			judge: judgeSPC,
		},
		{
			id: "rfc.resource-types", title: "GET /ResourceTypes",
			method: "GET", path: "/ResourceTypes", header: rfcGet,
			judge: func(c *call) { judgeDiscoveryList(c, "rfc.resource-types", "name", "User") },
		},
		{
			id: "rfc.schemas", title: "GET /Schemas",
			method: "GET", path: "/Schemas", header: rfcGet,
			judge: func(c *call) { judgeDiscoveryList(c, "rfc.schemas", "id", urnUser) },
		},
		{
			id: "rfc.list", title: "GET /Users?startIndex=1&count=1",
			method: "GET", path: "/Users", query: "startIndex=1&count=1", header: rfcGet,
			judge: judgeRFCList,
		},
		{
			id: "rfc.filter.empty", title: "Filter that matches nothing",
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{missingUser}}" + qt, header: rfcGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileRFC, reqContext{}, c.ex)...) },
		},
		{
			id: "rfc.get.unknown-id", title: "GET of an id that does not exist",
			method: "GET", path: "/Users/{{guid}}", header: rfcGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileRFC, c.ex)...) },
		},
		{
			id: "rfc.auth.missing", title: "GET without credentials",
			method: "GET", path: "/Users", query: "startIndex=1&count=1",
			header: append(headers("Authorization", ""), rfcGet...),
			judge: func(c *call) {
				v := ruleUnauthorized(ProfileRFC, c.ex)
				if c.runner.target.Auth == nil && c.runner.target.Header.Get("Authorization") == "" && c.ex.status >= 200 && c.ex.status < 300 {
					v = []Verdict{warn("rfc.auth.missing", "the endpoint responds without credentials, and none were given for this run", "an IdP connects, and so can anyone else")}
				}
				c.add(v...)
			},
		},
		{
			id: "rfc.create", title: "POST /Users", write: true,
			method: "POST", path: "/Users", header: rfcSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{userName}}","name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"{{userName}}","type":"work","primary":true}]}`,
			judge: func(c *call) { _, v := ruleCreated(ProfileRFC, reqContext{}, c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Users", "userName"); id != "" {
					c.vars["userId"] = id
				}
			},
		},
		{
			id: "rfc.create.duplicate", title: "POST /Users with the same userName", write: true,
			method: "POST", path: "/Users", header: rfcSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{userName}}"}`,
			judge: func(c *call) { c.add(ruleDuplicate(ProfileRFC, c.ex)...) },
			after: func(c *call) { c.track("Users", "userName") },
		},
		{
			id: "rfc.create.invalid-json", title: "POST /Users with malformed JSON", write: true,
			method: "POST", path: "/Users", header: rfcSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":`,
			judge: judgeInvalidSyntax,
			after: func(c *call) { c.track("Users", "userName") },
		},
		{
			id: "rfc.get", title: "GET /Users/{id}", write: true,
			method: "GET", path: "/Users/{{userId}}", header: rfcGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileRFC, reqContext{}, c.ex, "rfc.get", map[string]string{"id": c.vars["userId"], "userName": c.vars["userName"]})
				c.add(v...)
				if ver, _ := lookupString(m, "meta.version"); ver != "" && c.ex.respHdr.Get("ETag") == "" {
					c.add(warn("rfc.get.etag", "meta.version is set but the ETag header is missing (RFC 7644 section 3.14)", ""))
				}
			},
		},
		{
			id: "rfc.patch", title: "PATCH replace displayName", write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: rfcSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Jane Q. Doe"}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileRFC, reqContext{}, c.ex, "rfc.patch")...) },
		},
		{
			id: "rfc.put", title: "PUT /Users/{id}", write: true,
			method: "PUT", path: "/Users/{{userId}}", header: rfcSend,
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{userName}}","name":{"givenName":"Janet","familyName":"Doe"},"active":true}`,
			judge: func(c *call) {
				_, v := ruleResource(ProfileRFC, reqContext{}, c.ex, "rfc.put", map[string]string{"name.givenName": "Janet", "userName": c.vars["userName"]})
				c.add(v...)
			},
		},
		{
			id: "rfc.delete", title: "DELETE /Users/{id}", write: true,
			method: "DELETE", path: "/Users/{{userId}}", header: rfcGet,
			judge: func(c *call) { c.add(ruleDeleted(ProfileRFC, c.ex, "rfc.delete")...) },
			after: func(c *call) { c.untrack("Users", "userId") },
		},
		{
			id: "rfc.delete.verify", title: "GET of the deleted user", write: true,
			method: "GET", path: "/Users/{{userId}}", header: rfcGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileRFC, c.ex)...) },
		},
	}
}

// judgeSPC checks /ServiceProviderConfig (RFC 7643 section 5): a JSON
// object with its schema and patch.supported as a boolean.
func judgeSPC(c *call) {
	if v := ruleHTTP(ProfileRFC, reqContext{}, c.ex); v != nil {
		c.add(v...)
		return
	}
	if c.ex.status != http.StatusOK {
		c.add(fail("rfc.service-provider-config", fmt.Sprintf("returned %d %s, want 200", c.ex.status, http.StatusText(c.ex.status)), "", ""))
		return
	}
	m := c.object()
	if m == nil {
		c.add(fail("rfc.service-provider-config", "the response is not a JSON object", "", ""))
		return
	}
	if !hasSchema(m, urnSPC) {
		c.add(fail("rfc.service-provider-config.schema", "schemas does not list "+urnSPC, "", ""))
	}
	if v, ok := lookup(m, "patch.supported"); !ok {
		c.add(fail("rfc.service-provider-config.patch", "patch.supported is missing", "", ""))
	} else if _, isBool := v.(bool); !isBool {
		c.add(fail("rfc.service-provider-config.patch", "patch.supported is "+jsonText(v)+", not a JSON boolean", "", ""))
	}
	c.add(ruleMediaType(ProfileRFC, c.ex)...)
	c.add(pass("rfc.service-provider-config", "200 with typed fields"))
}

// judgeDiscoveryList checks /ResourceTypes and /Schemas: a ListResponse
// (RFC 7644 section 4) in which one entry has key equal to want.
func judgeDiscoveryList(c *call, rule, key, want string) {
	if c.ex.status == http.StatusOK {
		var arr []any
		if json.Unmarshal(c.ex.respBody, &arr) == nil {
			c.add(fail(rule+".list-response", "the response is a bare JSON array; RFC 7644 section 4 returns a ListResponse", "", ""))
			return
		}
	}
	m, v := ruleListResponse(ProfileRFC, reqContext{}, c.ex)
	c.add(v...)
	if m == nil {
		return
	}
	list, _ := getFoldValue(m, "Resources").([]any)
	for _, item := range list {
		im, _ := item.(map[string]any)
		if s, _ := lookupString(im, key); s == want {
			c.add(pass(rule, "lists "+want))
			return
		}
	}
	c.add(fail(rule, "no entry has "+key+" "+want, "", ""))
}

// judgeRFCList checks the paging of GET /Users?startIndex=1&count=1: the
// startIndex echoed and at most one resource.
func judgeRFCList(c *call) {
	m, v := ruleListResponse(ProfileRFC, reqContext{}, c.ex)
	c.add(v...)
	if m == nil {
		return
	}
	if s, ok := lookupString(m, "startIndex"); ok && s != "1" {
		c.add(fail("rfc.list.start-index", "startIndex is "+s+", want the requested 1", "", ""))
	}
	list, _ := getFoldValue(m, "Resources").([]any)
	if len(list) > 1 {
		c.add(fail("rfc.list.count", fmt.Sprintf("%d resources returned for count=1", len(list)), "", ""))
	}
	if s, ok := lookupString(m, "itemsPerPage"); ok && s != fmt.Sprint(len(list)) {
		c.add(warn("rfc.list.items-per-page", fmt.Sprintf("itemsPerPage is %s but the page holds %d resources (RFC 7644 section 3.4.2)", s, len(list)), ""))
	}
}

// judgeInvalidSyntax checks the response to a malformed body: 400 with
// scimType invalidSyntax (RFC 7644 section 3.12).
func judgeInvalidSyntax(c *call) {
	if c.ex.status != http.StatusBadRequest {
		c.add(fail("rfc.create.invalid-json", fmt.Sprintf("returned %d %s to malformed JSON, want 400", c.ex.status, http.StatusText(c.ex.status)), "", ""))
		return
	}
	c.add(ruleErrorBody(ProfileRFC, c.ex, 400)...)
	m := c.object()
	if t, _ := lookupString(m, "scimType"); t != "invalidSyntax" {
		c.add(warn("rfc.create.invalid-json.scim-type", fmt.Sprintf("scimType is %q, want \"invalidSyntax\"", t), ""))
	}
	c.add(ruleMediaType(ProfileRFC, c.ex)...)
	c.add(pass("rfc.create.invalid-json", "400 with a SCIM error"))
}
