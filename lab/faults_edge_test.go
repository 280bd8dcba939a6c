package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// labResponse is one response of a fault endpoint, with its body.
type labResponse struct {
	status int
	header http.Header
	body   string
}

// send sends one request to the endpoint's SCIM base URL plus path, with
// the lab token unless headers set Authorization. headers alternate names
// and values.
func send(t *testing.T, l *Lab, e Endpoint, method, path, body string, headers ...string) labResponse {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+BearerToken)
	req.Header.Set("Accept", scimMediaType)
	if body != "" {
		req.Header.Set("Content-Type", scimMediaType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := labClient(l, e.Addr)
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the body of %s %s: %v", method, path, err)
	}
	return labResponse{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

// userFilter returns the query of a userName eq filter.
func userFilter(userName string) string {
	return "/Users?" + url.Values{"filter": {`userName eq "` + userName + `"`}}.Encode()
}

// totalResults decodes totalResults of a list response as raw JSON.
func totalResults(t *testing.T, r labResponse) string {
	t.Helper()
	var list map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &list); err != nil {
		t.Fatalf("list response is not JSON: %v; body %s", err, r.body)
	}
	return string(list["totalResults"])
}

// newUser is the body of a new user; fill in the userName and the JSON
// value of active.
const newUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":%s}`

func TestFaultMiddlewareEdges(t *testing.T) {
	l := startLab(t, "scim-empty-404", "scim-op-case", "scim-string-bool", "scim-html-error", "scim-total-string", "scim-duplicate-201", "scim-json-only", "scim-case-sensitive")
	endpoint := func(name string) Endpoint { return mustEndpoint(t, l, name) }

	t.Run("empty-404 keeps a match", func(t *testing.T) {
		r := send(t, l, endpoint("scim-empty-404"), "GET", userFilter(SeedUserName), "")
		if r.status != http.StatusOK || totalResults(t, r) != "1" {
			t.Errorf("status %d, totalResults %s, want 200 and 1; body %s", r.status, totalResults(t, r), r.body)
		}
	})
	t.Run("empty-404 on no match", func(t *testing.T) {
		r := send(t, l, endpoint("scim-empty-404"), "GET", userFilter("nobody@example.com"), "")
		if r.status != http.StatusNotFound || !strings.Contains(r.body, scimErrorSchema) {
			t.Errorf("status %d, body %s, want 404 with a SCIM error", r.status, r.body)
		}
	})
	t.Run("op-case accepts lowercase", func(t *testing.T) {
		e := endpoint("scim-op-case")
		id := seedUserID(t, l, e)
		r := send(t, l, e, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Lab User"}]}`)
		if r.status != http.StatusOK {
			t.Errorf("status %d, want 200; body %s", r.status, r.body)
		}
	})
	t.Run("op-case rejects Replace", func(t *testing.T) {
		e := endpoint("scim-op-case")
		id := seedUserID(t, l, e)
		r := send(t, l, e, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Lab User"}]}`)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `invalid op \"Replace\"`) {
			t.Errorf("status %d, body %s, want 400 naming the op", r.status, r.body)
		}
	})
	t.Run("string-bool accepts a boolean", func(t *testing.T) {
		r := send(t, l, endpoint("scim-string-bool"), "POST", "/Users", fmt.Sprintf(newUser, "edge@example.com", "true"))
		if r.status != http.StatusCreated {
			t.Errorf("status %d, want 201; body %s", r.status, r.body)
		}
	})
	t.Run("string-bool rejects a string", func(t *testing.T) {
		r := send(t, l, endpoint("scim-string-bool"), "POST", "/Users", fmt.Sprintf(newUser, "edge2@example.com", `"True"`))
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `attribute \"active\"`) {
			t.Errorf("status %d, body %s, want 400 naming active", r.status, r.body)
		}
	})
	t.Run("html-error keeps status", func(t *testing.T) {
		r := send(t, l, endpoint("scim-html-error"), "GET", "/Users/no-such-id", "")
		if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, "<h1>404 Not Found</h1>") {
			t.Errorf("status %d, Content-Type %q, body %s, want 404 with an HTML page", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
	t.Run("html-error passes success", func(t *testing.T) {
		r := send(t, l, endpoint("scim-html-error"), "GET", "/ServiceProviderConfig", "")
		if r.status != http.StatusOK || !mediaTypeIs(r.header.Get("Content-Type"), scimMediaType) {
			t.Errorf("status %d, Content-Type %q, want 200 with SCIM JSON", r.status, r.header.Get("Content-Type"))
		}
	})
	t.Run("total-string quotes the count", func(t *testing.T) {
		r := send(t, l, endpoint("scim-total-string"), "GET", userFilter(SeedUserName), "")
		if got := totalResults(t, r); got != `"1"` {
			t.Errorf("totalResults = %s, want \"1\"", got)
		}
	})
	t.Run("duplicate-201 stores nothing", func(t *testing.T) {
		e := endpoint("scim-duplicate-201")
		id := seedUserID(t, l, e)
		r := send(t, l, e, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"LAB.USER@example.com"}`)
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"id":"`+id+`"`) {
			t.Errorf("status %d, body %s, want 201 with the existing id %s", r.status, r.body, id)
		}
		if total := totalResults(t, send(t, l, e, "GET", "/Users", "")); total != "1" {
			t.Errorf("the tenant has %s users after the duplicate, want 1", total)
		}
	})
	t.Run("json-only 401 before 406", func(t *testing.T) {
		r := send(t, l, endpoint("scim-json-only"), "GET", "/Users", "", "Authorization", "Bearer wrong")
		if r.status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401; body %s", r.status, r.body)
		}
	})
	t.Run("json-only accepts application/json", func(t *testing.T) {
		r := send(t, l, endpoint("scim-json-only"), "GET", "/Users", "", "Accept", "application/json")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("status %d, Content-Type %q, want 200 with application/json", r.status, r.header.Get("Content-Type"))
		}
	})
	t.Run("json-only rejects scim accept", func(t *testing.T) {
		r := send(t, l, endpoint("scim-json-only"), "GET", "/Users", "")
		if r.status != http.StatusNotAcceptable {
			t.Errorf("status %d, want 406; body %s", r.status, r.body)
		}
	})
	t.Run("json-only rejects scim body", func(t *testing.T) {
		r := send(t, l, endpoint("scim-json-only"), "POST", "/Users", fmt.Sprintf(newUser, "edge@example.com", "true"), "Accept", "application/json")
		if r.status != http.StatusUnsupportedMediaType {
			t.Errorf("status %d, want 415; body %s", r.status, r.body)
		}
	})
	t.Run("case-sensitive exact case", func(t *testing.T) {
		r := send(t, l, endpoint("scim-case-sensitive"), "GET", userFilter(SeedUserName), "")
		if got := totalResults(t, r); got != "1" {
			t.Errorf("totalResults = %s, want 1", got)
		}
	})
	t.Run("case-sensitive other case", func(t *testing.T) {
		r := send(t, l, endpoint("scim-case-sensitive"), "GET", userFilter(strings.ToUpper(SeedUserName)), "")
		if got := totalResults(t, r); got != "0" || !strings.Contains(r.body, `"Resources":[]`) {
			t.Errorf("totalResults = %s, body %s, want 0 and an empty Resources list", got, r.body)
		}
	})
}

// seedUserID returns the id of the seed user of endpoint e.
func seedUserID(t *testing.T, l *Lab, e Endpoint) string {
	t.Helper()
	r := send(t, l, e, "GET", userFilter(SeedUserName), "")
	var list struct {
		Resources []struct {
			ID string `json:"id"`
		}
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || len(list.Resources) != 1 {
		t.Fatalf("seed user lookup: status %d, body %s", r.status, r.body)
	}
	return list.Resources[0].ID
}
