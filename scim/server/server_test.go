package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// oktaCreateUser is the body of Okta's create (its SCIM 2.0 spec test and
// provisioning engine): core schema, name, one work email, a placeholder
// password and active as a JSON boolean, sent as application/json.
const oktaCreateUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "ana.lima@example.com",
  "name": {"givenName": "Ana", "familyName": "Lima"},
  "emails": [{"primary": true, "value": "ana.lima@example.com", "type": "work"}],
  "displayName": "Ana Lima",
  "locale": "en-US",
  "externalId": "00u1abcdEFGH",
  "groups": [],
  "password": "placeholder-1!",
  "active": true
}`

// entraCreateUser is the body of Entra ID's create: the enterprise
// extension, meta.resourceType and empty roles.
const entraCreateUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
  "active": true,
  "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
  "meta": {"resourceType": "User"},
  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
  "roles": [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}
}`

// TestServer runs the RFC 7644 behaviours and the Okta and Entra ID
// request flows against both stores.
func TestServer(t *testing.T) {
	for name, newDB := range databases(t) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, newDB(t), nil)
			t.Run("okta create", func(t *testing.T) { testOktaCreate(t, h) })
			t.Run("entra flows", func(t *testing.T) { testEntraFlows(t, h) })
			t.Run("errors", func(t *testing.T) { testErrors(t, h) })
			t.Run("etags", func(t *testing.T) { testETags(t, h) })
			t.Run("user etag follows groups", func(t *testing.T) { testUserETagFollowsGroups(t, h) })
			t.Run("groups", func(t *testing.T) { testGroups(t, h) })
			t.Run("queries", func(t *testing.T) { testQueries(t, h) })
			t.Run("bulk", func(t *testing.T) { testBulk(t, h) })
			t.Run("tenants", func(t *testing.T) { testTenants(t, h) })
		})
	}
}

func testOktaCreate(t *testing.T, h *harness) {
	r := h.do("POST", "/scim/v2/Users", oktaCreateUser, "Content-Type", "application/json").want(t, http.StatusCreated)
	id := r.str("id")
	if id == "" {
		t.Fatalf("created user has no id: %s", r.body)
	}
	if got, want := r.header.Get("Location"), "http://scim.test/scim/v2/Users/"+id; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := r.header.Get("Content-Type"); got != ContentType {
		t.Errorf("Content-Type = %q, want %q", got, ContentType)
	}
	if got := r.header.Get("ETag"); got != `W/"1"` || r.str("meta.version") != got {
		t.Errorf("ETag = %q, meta.version = %q, want both W/\"1\"", got, r.str("meta.version"))
	}
	if r.get("active") != true {
		t.Errorf("active = %#v, want the JSON boolean true", r.get("active"))
	}
	if strings.Contains(r.body, "password") || strings.Contains(r.body, "null") {
		t.Errorf("response carries a password or a null: %s", r.body)
	}
	if _, ok := r.json["groups"]; ok {
		t.Errorf("a user in no group has \"groups\" in the response: %s", r.body)
	}
	if r.str("meta.resourceType") != "User" || r.str("meta.location") != "http://scim.test/scim/v2/Users/"+id {
		t.Errorf("meta = %#v", r.get("meta"))
	}

	// Okta's duplicate create must get 409 uniqueness, also in another case.
	dup := strings.Replace(oktaCreateUser, "ana.lima@example.com\",\n  \"name\"", "ANA.LIMA@example.com\",\n  \"name\"", 1)
	r = h.do("POST", "/scim/v2/Users", dup).want(t, http.StatusConflict)
	if !strings.Contains(r.body, `"scimType":"uniqueness"`) || !strings.Contains(r.body, `"status":"409"`) {
		t.Errorf("409 body = %s, want scimType uniqueness and status \"409\"", r.body)
	}

	// Okta's lookup, with the paging parameters it always sends.
	q := "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "Ana.Lima@EXAMPLE.com"`) + "&startIndex=1&count=100"
	r = h.do("GET", q, "").want(t, http.StatusOK)
	if r.total(t) != 1 || r.str("Resources.0.id") != id {
		t.Errorf("lookup = %s, want the one user", r.body)
	}
	for _, key := range []string{"startIndex", "itemsPerPage"} {
		if r.json[key] == nil || fmt.Sprint(r.json[key]) != "1" {
			t.Errorf("%s = %#v, want the number 1", key, r.json[key])
		}
	}

	// Okta's spec test reads the user back.
	r = h.do("GET", "/scim/v2/Users/"+id, "", "Accept", "application/scim+json").want(t, http.StatusOK)
	if r.str("name.givenName") != "Ana" || r.str("emails.0.value") != "ana.lima@example.com" {
		t.Errorf("GET = %s", r.body)
	}

	// Deactivation: Okta's path-less replace.
	h.do("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`).want(t, http.StatusOK)
	r = h.do("GET", "/scim/v2/Users/"+id, "").want(t, http.StatusOK)
	if r.get("active") != false {
		t.Errorf("after deactivation active = %#v, want false", r.get("active"))
	}

	// Okta's profile update: GET then PUT of the whole object, with id,
	// meta and groups, which the server ignores.
	put := strings.Replace(r.body, `"Ana"`, `"Anna"`, 1)
	r = h.do("PUT", "/scim/v2/Users/"+id, put).want(t, http.StatusOK)
	if r.str("name.givenName") != "Anna" || r.str("meta.version") != `W/"3"` {
		t.Errorf("PUT = %s, want givenName Anna at version 3", r.body)
	}
}

func testEntraFlows(t *testing.T, h *harness) {
	// Test Connection: a filter on a random GUID, spaces as "+", raw quotes.
	r := h.do("GET", `/scim/v2/Users?filter=userName+eq+"6e1a6c0a-3f0e-4a6c-9d5e-2f0c7b1d9e42"`, "").want(t, http.StatusOK)
	if r.total(t) != 0 || r.body == "" || !strings.Contains(r.body, `"Resources":[]`) {
		t.Errorf("test connection = %s, want totalResults 0 and Resources []", r.body)
	}

	r = h.do("POST", "/scim/v2/Users", entraCreateUser).want(t, http.StatusCreated)
	id := r.str("id")
	if ext, _ := r.json["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any); ext["department"] != "Sales" {
		t.Errorf("enterprise extension lost: %s", r.body)
	}

	// Entra's matching by the work email value filter.
	q := "/scim/v2/Users?filter=" + url.QueryEscape(`emails[type eq "work"].value eq "test_user_FD0EA19B@testuser.com"`)
	r = h.do("GET", q, "").want(t, http.StatusOK)
	if r.total(t) != 1 || r.str("Resources.0.id") != id {
		t.Errorf("email lookup = %s", r.body)
	}

	// Entra's PATCH: capitalized op, string boolean.
	h.do("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"name.familyName","value":"Changed"}]}`).want(t, http.StatusOK)
	r = h.do("GET", "/scim/v2/Users/"+id, "").want(t, http.StatusOK)
	if r.get("active") != false || r.str("name.familyName") != "Changed" {
		t.Errorf("after Entra PATCH = %s", r.body)
	}
	if !strings.Contains(h.logs.String(), "op-case") {
		t.Errorf("the log does not name the fired rule op-case")
	}
	h.do("DELETE", "/scim/v2/Users/"+id, "").want(t, http.StatusNoContent)
	h.do("GET", "/scim/v2/Users/"+id, "").want(t, http.StatusNotFound)
}

func testErrors(t *testing.T, h *harness) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantBody   string
	}{
		{"unknown user id", "GET", "/scim/v2/Users/00919288221112222", "", nil, 404, `"status":"404"`},
		{"unknown endpoint", "GET", "/scim/v2/Widgets", "", nil, 404, `"status":"404"`},
		{"outside the base path", "GET", "/nothing", "", nil, 404, `"status":"404"`},
		{"method not allowed", "DELETE", "/scim/v2/Users", "", nil, 405, `"status":"405"`},
		{"me", "GET", "/scim/v2/Me", "", nil, 501, `"status":"501"`},
		{"bad filter", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq`), "", nil, 400, `"scimType":"invalidFilter"`},
		{"unknown filter attribute", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(`shoeSize eq "9"`), "", nil, 400, `"scimType":"invalidFilter"`},
		{"huge filter", "GET", "/scim/v2/Users?filter=" + url.QueryEscape(strings.Repeat(`userName eq "x" or `, 2000)+`userName eq "y"`), "", nil, 400, `"scimType":"invalidFilter"`},
		{"bad count", "GET", "/scim/v2/Users?count=ten", "", nil, 400, `"scimType":"invalidValue"`},
		{"bad sortOrder", "GET", "/scim/v2/Users?sortBy=userName&sortOrder=up", "", nil, 400, `"scimType":"invalidValue"`},
		{"text/plain body", "POST", "/scim/v2/Users", oktaCreateUser, []string{"Content-Type", "text/plain"}, 415, `"status":"415"`},
		{"latin-1 charset", "POST", "/scim/v2/Users", oktaCreateUser, []string{"Content-Type", "application/scim+json; charset=iso-8859-1"}, 415, `"status":"415"`},
		{"json with charset", "POST", "/scim/v2/Users", strings.Replace(oktaCreateUser, "ana.lima@", "json.charset@", 2), []string{"Content-Type", "application/json; charset=UTF-8"}, 201, `"userName":"json.charset@example.com"`},
		{"invalid json", "POST", "/scim/v2/Users", `{"userName": }`, nil, 400, `"scimType":"invalidSyntax"`},
		{"invalid utf-8", "POST", "/scim/v2/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"a\xff\"}", nil, 400, `not valid UTF-8 at byte`},
		{"deep json", "POST", "/scim/v2/Users", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), nil, 400, `"scimType":"invalidSyntax"`},
		{"missing userName", "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, nil, 400, `"scimType":"invalidValue"`},
		{"missing schemas", "POST", "/scim/v2/Users", `{"userName":"x"}`, nil, 400, `"scimType":"invalidSyntax"`},
		{"filter on schemas", "GET", "/scim/v2/Schemas?filter=" + url.QueryEscape(`id eq "x"`), "", nil, 403, `"status":"403"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(tt.method, tt.path, tt.body, tt.headers...)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body: %s", r.status, tt.wantStatus, r.body)
			}
			if !strings.Contains(r.body, tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", r.body, tt.wantBody)
			}
			if r.status >= 400 {
				if got := r.header.Get("Content-Type"); got != ContentType {
					t.Errorf("Content-Type = %q, want %q", got, ContentType)
				}
				if !strings.Contains(r.body, `"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"]`) {
					t.Errorf("error body lacks the Error schema: %s", r.body)
				}
			}
		})
	}
}

func testETags(t *testing.T, h *harness) {
	r := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"etag.user"}`).want(t, 201)
	id, tag := r.str("id"), r.header.Get("ETag")
	path := "/scim/v2/Users/" + id

	h.do("GET", path, "", "If-None-Match", tag).want(t, http.StatusNotModified)
	h.do("GET", path, "", "If-None-Match", `W/"99"`).want(t, http.StatusOK)

	r = h.do("PUT", path, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"etag.user","title":"x"}`, "If-Match", `W/"99"`).want(t, http.StatusPreconditionFailed)
	if !strings.Contains(r.body, `"status":"412"`) {
		t.Errorf("412 body = %s", r.body)
	}
	r = h.do("PUT", path, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"etag.user","title":"x"}`, "If-Match", tag).want(t, http.StatusOK)
	newTag := r.header.Get("ETag")
	if newTag == tag {
		t.Errorf("ETag did not change after PUT: %s", newTag)
	}
	h.do("PATCH", path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"y"}]}`, "If-Match", tag).want(t, http.StatusPreconditionFailed)
	h.do("DELETE", path, "", "If-Match", tag).want(t, http.StatusPreconditionFailed)
	h.do("DELETE", path, "", "If-Match", "*").want(t, http.StatusNoContent)
}

func testGroups(t *testing.T, h *harness) {
	u := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"member.one"}`).want(t, 201).str("id")
	u2 := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"member.two"}`).want(t, 201).str("id")

	// Entra's group create: its own schema URN and empty members.
	r := h.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Sales","meta":{"resourceType":"Group"}}`).want(t, 201)
	g := r.str("id")
	if _, ok := r.json["members"]; ok {
		t.Errorf("a group without members has \"members\": %s", r.body)
	}

	// Okta's membership PATCH: remove by filter and add in one request.
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"},{"op":"add","path":"members","value":[{"value":"%s","display":"member.one"},{"value":"%s"}]}]}`, u2, u, u2)
	r = h.do("PATCH", "/scim/v2/Groups/"+g, body).want(t, http.StatusNoContent)
	if r.header.Get("ETag") == "" {
		t.Errorf("204 PATCH without ETag")
	}
	r = h.do("GET", "/scim/v2/Groups/"+g, "").want(t, 200)
	if n := len(r.get("members").([]any)); n != 2 {
		t.Fatalf("members = %d, want 2: %s", n, r.body)
	}
	if got, want := r.str("members.0.$ref"), "http://scim.test/scim/v2/Users/"+u; got != want {
		t.Errorf("members[0].$ref = %q, want %q", got, want)
	}

	// Entra reads groups without members.
	r = h.do("GET", "/scim/v2/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "sales"`), "").want(t, 200)
	if r.total(t) != 1 || r.get("Resources.0.members") != nil {
		t.Errorf("Entra group lookup = %s", r.body)
	}

	// The User shows the group it belongs to.
	r = h.do("GET", "/scim/v2/Users/"+u, "").want(t, 200)
	if r.str("groups.0.value") != g || r.str("groups.0.display") != "Sales" {
		t.Errorf("groups = %#v", r.get("groups"))
	}

	// Entra's member removal with a value list.
	h.do("PATCH", "/scim/v2/Groups/"+g, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"%s"}]}]}`, u)).want(t, 204)
	r = h.do("GET", "/scim/v2/Groups/"+g+"?attributes=members", "").want(t, 200)
	if n := len(r.get("members").([]any)); n != 1 || r.str("members.0.value") != u2 {
		t.Errorf("after remove members = %s", r.body)
	}

	// A filter on members runs on rendered groups.
	r = h.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(fmt.Sprintf(`members[value eq "%s"]`, u2)), "").want(t, 200)
	if r.total(t) != 1 {
		t.Errorf("members filter = %s", r.body)
	}

	// An unknown member is a 400.
	r = h.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ghosts","members":[{"value":"no-such-id"}]}`).want(t, 400)
	if !strings.Contains(r.body, `"scimType":"invalidValue"`) {
		t.Errorf("unknown member = %s", r.body)
	}
}

func testQueries(t *testing.T, h *harness) {
	const tenant = "queries"
	q := newTenantClient(t, h, tenant)
	titles := []string{"b", "", "a", "c", ""}
	var ids []string
	for i, title := range titles {
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"q%d","emails":[{"value":"q%d@example.com","type":"work"}]`, i, i)
		if title != "" {
			body += fmt.Sprintf(`,"title":%q`, title)
		}
		body += "}"
		ids = append(ids, q.do("POST", "/scim/v2/Users", body).want(t, 201).str("id"))
	}
	userNames := func(r response) string {
		var names []string
		for _, res := range r.get("Resources").([]any) {
			names = append(names, res.(map[string]any)["userName"].(string))
		}
		return strings.Join(names, ",")
	}
	tests := []struct {
		name  string
		query string
		want  string
		total int
	}{
		{"all in creation order", "", "q0,q1,q2,q3,q4", 5},
		{"page two", "startIndex=2&count=2", "q1,q2", 5},
		{"startIndex below one", "startIndex=-5&count=1", "q0", 5},
		{"negative count", "count=-1", "", 5},
		{"sort descending by userName", "sortBy=userName&sortOrder=descending", "q4,q3,q2,q1,q0", 5},
		{"sort by title puts missing last", "sortBy=title", "q2,q0,q3,q1,q4", 5},
		{"sort by title descending puts missing first", "sortBy=title&sortOrder=descending", "q1,q4,q3,q0,q2", 5},
		{"residual filter", "filter=" + url.QueryEscape(`title pr and userName sw "q"`), "q0,q2,q3", 3},
		{"residual filter paged", "filter=" + url.QueryEscape(`title pr`) + "&startIndex=2&count=1", "q2", 3},
		{"or of indexed fields", "filter=" + url.QueryEscape(`userName eq "q1" or emails.value eq "Q4@example.com"`), "q1,q4", 2},
		{"not", "filter=" + url.QueryEscape(`not (userName eq "q1")`), "q0,q2,q3,q4", 4},
		{"id filter with residual", "filter=" + url.QueryEscape(fmt.Sprintf(`id eq %q or title eq "c"`, ids[0])), "q0,q3", 2},
		{"meta.created", "filter=" + url.QueryEscape(`meta.created gt "2000-01-01T00:00:00Z"`), "q0,q1,q2,q3,q4", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := q.do("GET", "/scim/v2/Users?"+tt.query, "").want(t, 200)
			if got := userNames(r); got != tt.want {
				t.Errorf("userNames = %q, want %q", got, tt.want)
			}
			if got := r.total(t); got != tt.total {
				t.Errorf("totalResults = %d, want %d", got, tt.total)
			}
		})
	}

	r := q.do("POST", "/scim/v2/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"title eq \"a\"","attributes":["userName"],"startIndex":1,"count":10}`).want(t, 200)
	if r.total(t) != 1 || r.str("Resources.0.userName") != "q2" || r.get("Resources.0.emails") != nil || r.str("Resources.0.id") == "" {
		t.Errorf(".search = %s, want q2 with only userName, id and schemas", r.body)
	}
}

func testBulk(t *testing.T, h *harness) {
	// The group refers to the user by bulkId, and comes first.
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":5,"Operations":[
	  {"method":"POST","path":"/Groups","bulkId":"g1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Bulk Group","members":[{"value":"bulkId:u1","type":"User"}]}},
	  {"method":"POST","path":"/Users","bulkId":"u1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk.user"}},
	  {"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"Bulk"}]}},
	  {"method":"POST","path":"/Users","bulkId":"u2","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk.user"}},
	  {"method":"DELETE","path":"/Users/no-such-id"}
	]}`
	r := h.do("POST", "/scim/v2/Bulk", body).want(t, 200)
	ops := r.get("Operations").([]any)
	if len(ops) != 5 {
		t.Fatalf("Operations = %d, want 5: %s", len(ops), r.body)
	}
	statuses := map[string]string{}
	for _, op := range ops {
		m := op.(map[string]any)
		key := fmt.Sprint(m["method"], " ", m["bulkId"])
		statuses[key] = m["status"].(string)
	}
	want := map[string]string{"POST u1": "201", "POST g1": "201", "PATCH <nil>": "200", "POST u2": "409", "DELETE <nil>": "404"}
	for k, v := range want {
		if statuses[k] != v {
			t.Errorf("status of %s = %q, want %q (all: %v)", k, statuses[k], v, statuses)
		}
	}
	r = h.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "Bulk Group"`), "").want(t, 200)
	if r.str("Resources.0.members.0.value") == "" || strings.HasPrefix(r.str("Resources.0.members.0.value"), "bulkId:") {
		t.Errorf("bulk group members = %s", r.body)
	}

	// failOnErrors 1 stops after the first failure.
	r = h.do("POST", "/scim/v2/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
	  {"method":"DELETE","path":"/Users/no-such-id"},
	  {"method":"POST","path":"/Users","bulkId":"x","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"never.created"}}]}`).want(t, 200)
	if n := len(r.get("Operations").([]any)); n != 1 {
		t.Errorf("failOnErrors 1 ran %d operations, want 1: %s", n, r.body)
	}

	// Too many operations is a 413.
	var many []string
	for i := 0; i <= h.srv.cfg.BulkMaxOperations; i++ {
		many = append(many, `{"method":"DELETE","path":"/Users/x"}`)
	}
	h.do("POST", "/scim/v2/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`+strings.Join(many, ",")+`]}`).want(t, http.StatusRequestEntityTooLarge)
}

func testTenants(t *testing.T, h *harness) {
	a := newTenantClient(t, h, "tenant-a")
	b := newTenantClient(t, h, "tenant-b")
	id := a.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"same.name"}`).want(t, 201).str("id")
	b.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"same.name"}`).want(t, 201)
	b.do("GET", "/scim/v2/Users/"+id, "").want(t, http.StatusNotFound)
	r := a.do("GET", "/tenants/tenant-a/scim/v2/Users/"+id, "").want(t, 200)
	if got, want := r.str("meta.location"), "http://scim.test/tenants/tenant-a/scim/v2/Users/"+id; got != want {
		t.Errorf("meta.location = %q, want %q", got, want)
	}
	r = b.do("GET", "/tenants/tenant-a/scim/v2/Users/"+id, "").want(t, http.StatusForbidden)
	if !strings.Contains(r.body, `"status":"403"`) {
		t.Errorf("403 body = %s", r.body)
	}
}

// newTenantClient returns a harness view with a token of another tenant.
func newTenantClient(t *testing.T, h *harness, tenant string) *harness {
	token, err := CreateToken(t.Context(), h.st, tenant, "test-"+tenant)
	if err != nil {
		t.Fatal(err)
	}
	c := *h
	c.t = t
	c.token = token
	return &c
}
