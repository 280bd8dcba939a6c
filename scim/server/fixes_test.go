package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

const patchOpURN = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// testUserETagFollowsGroups checks that a User's ETag and meta.version
// change when its "groups" change: a membership added or removed, or a
// group renamed, because groups[].display is part of the User's
// representation (RFC 7232 Section 2.3).
func testUserETagFollowsGroups(t *testing.T, h *harness) {
	r := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"etag.groups"}`).want(t, 201)
	id, created := r.str("id"), r.header.Get("ETag")
	path := "/scim/v2/Users/" + id
	if created != `W/"1"` {
		t.Errorf("ETag of a new user in no group = %s, want W/\"1\"", created)
	}

	g := h.do("POST", "/scim/v2/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"ETag Group","members":[{"value":%q}]}`, id)).want(t, 201).str("id")

	r = h.do("GET", path, "", "If-None-Match", created).want(t, http.StatusOK)
	joined := r.header.Get("ETag")
	if joined == created {
		t.Fatalf("ETag stayed %s after the user joined a group", joined)
	}
	if got := r.str("meta.version"); got != joined {
		t.Errorf("meta.version = %s, ETag = %s; want them equal", got, joined)
	}
	h.do("GET", path, "", "If-None-Match", joined).want(t, http.StatusNotModified)
	if got := h.do("GET", path+"?excludedAttributes=groups", "").want(t, 200).header.Get("ETag"); got != joined {
		t.Errorf("ETag with excludedAttributes=groups = %s, want %s", got, joined)
	}
	list := h.do("GET", "/scim/v2/Users?filter="+strings.ReplaceAll(`userName eq "etag.groups"`, " ", "%20")+"&excludedAttributes=groups", "").want(t, 200)
	if got := list.str("Resources.0.meta.version"); got != joined {
		t.Errorf("meta.version in a list = %s, want %s", got, joined)
	}

	// A write with the ETag from before the membership fails, and the
	// detail shows the tag as the client sent it.
	stale := h.do("PATCH", path, `{`+patchOpURN+`,"Operations":[{"op":"replace","path":"title","value":"x"}]}`, "If-Match", created).want(t, http.StatusPreconditionFailed)
	if want := `If-Match W/\"1\" does not match`; !strings.Contains(stale.body, want) {
		t.Errorf("412 body = %s, want %s", stale.body, want)
	}
	h.do("DELETE", path, "", "If-Match", created).want(t, http.StatusPreconditionFailed)

	// A rename of the group changes groups[].display, so the tag moves.
	h.do("PATCH", "/scim/v2/Groups/"+g, `{`+patchOpURN+`,"Operations":[{"op":"replace","value":{"displayName":"ETag Group Renamed"}}]}`).want(t, http.StatusNoContent)
	renamed := h.do("GET", path, "", "If-None-Match", joined).want(t, http.StatusOK).header.Get("ETag")
	if renamed == joined {
		t.Errorf("ETag stayed %s after the group was renamed", renamed)
	}

	// A write with the current tag succeeds.
	r = h.do("PATCH", path, `{`+patchOpURN+`,"Operations":[{"op":"replace","path":"title","value":"x"}]}`, "If-Match", renamed).want(t, http.StatusOK)
	afterWrite := r.header.Get("ETag")
	if afterWrite == renamed || r.str("meta.version") != afterWrite {
		t.Errorf("after PATCH: ETag %s, meta.version %s; want a new tag in both", afterWrite, r.str("meta.version"))
	}

	// Leaving the group moves the tag again.
	h.do("PATCH", "/scim/v2/Groups/"+g, `{`+patchOpURN+fmt.Sprintf(`,"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, id)).want(t, http.StatusNoContent)
	left := h.do("GET", path, "", "If-None-Match", afterWrite).want(t, http.StatusOK).header.Get("ETag")
	if left == afterWrite {
		t.Errorf("ETag stayed %s after the user left the group", left)
	}
	h.do("DELETE", path, "", "If-Match", left).want(t, http.StatusNoContent)
}

// TestCleanPath sends non-canonical paths through cleanPath around the
// route mux: empty segments are served as the collapsed path, and dot
// segments get a SCIM 404, where the bare mux responds 307 with HTML.
func TestCleanPath(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	mux, err := h.srv.routes()
	if err != nil {
		t.Fatal(err)
	}
	handler := h.srv.observe(h.srv.cleanPath(mux))
	send := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://scim.test/", strings.NewReader(body))
		req.URL.Path = path
		req.Header.Set("Authorization", "Bearer "+h.token)
		if body != "" {
			req.Header.Set("Content-Type", "application/scim+json")
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec
	}
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"double.slash"}`

	t.Run("double slash post served", func(t *testing.T) {
		rec := send("POST", "/scim/v2//Users", user)
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d, want 201: %s", rec.Code, rec.Body)
		}
		if loc := rec.Header().Get("Location"); strings.Contains(loc, "//Users") {
			t.Errorf("Location %s keeps the empty segment", loc)
		}
	})
	t.Run("double slash get served", func(t *testing.T) {
		if rec := send("GET", "//scim/v2///Users", ""); rec.Code != http.StatusOK {
			t.Errorf("status %d, want 200: %s", rec.Code, rec.Body)
		}
	})
	t.Run("dot dot segment rejected", func(t *testing.T) {
		rec := send("POST", "/tenants/../scim/v2/Users", user)
		if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != ContentType {
			t.Fatalf("status %d, Content-Type %q, want 404 %s: %s", rec.Code, rec.Header().Get("Content-Type"), ContentType, rec.Body)
		}
		if want := `such as \"/scim/v2/Users\"`; !strings.Contains(rec.Body.String(), want) {
			t.Errorf("body %s, want %s", rec.Body, want)
		}
	})
	t.Run("bare mux still redirects", func(t *testing.T) {
		// Documents why the wrapper exists: the mux alone responds 307.
		req := httptest.NewRequest("POST", "http://scim.test/", strings.NewReader(user))
		req.URL.Path = "/scim/v2//Users"
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusTemporaryRedirect && rec.Code != http.StatusMovedPermanently {
			t.Errorf("bare mux status %d, want a redirect", rec.Code)
		}
	})
}

// TestRejectedRequestLogged checks that a 4xx is logged with its scimType
// and detail, so the server log shows the text the IdP shows its admin.
func TestRejectedRequestLogged(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	h.do("GET", "/scim/v2/Users?filter=userName%20zz%20%22x%22", "").want(t, http.StatusBadRequest)
	logs := h.logs.String()
	for _, want := range []string{`"msg":"request rejected"`, `"status":400`, `"scim_type":"invalidFilter"`, `"detail":"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestUserNameInvalidText checks that a userName of white space only or
// with a NUL gets 400 invalidValue on both databases, where PostgreSQL
// cannot store a NUL at all.
func TestUserNameInvalidText(t *testing.T) {
	for name, newDB := range databases(t) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, newDB(t), nil)
			for _, userName := range []string{`"  "`, `"bob\u0000x"`, `"bob\u0007"`} {
				r := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":`+userName+`}`).want(t, http.StatusBadRequest)
				if r.str("scimType") != "invalidValue" {
					t.Errorf("userName %s: body %s, want scimType invalidValue", userName, r.body)
				}
			}
		})
	}
}

// TestQueryDialect covers the query parameters that IdPs and scripts get
// wrong: a string boolean in a filter (accepted and logged by rule name,
// rejected in strict mode) and a sortOrder RFC 7644 does not define.
func TestQueryDialect(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scimdoctor.db")
	h := newHarness(t, db, nil)
	h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"active.one","active":"True"}`).want(t, http.StatusCreated)
	h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"inactive.one","active":false}`).want(t, http.StatusCreated)

	t.Run("string boolean filter lenient", func(t *testing.T) {
		r := h.do("GET", "/scim/v2/Users?filter=active%20eq%20%22True%22", "").want(t, http.StatusOK)
		if r.total(t) != 1 || r.str("Resources.0.userName") != "active.one" {
			t.Errorf("body %s, want only active.one", r.body)
		}
		r = h.do("GET", "/scim/v2/Users?filter=emails%5Bvalue%20pr%5D%20or%20active%20eq%20%22false%22", "").want(t, http.StatusOK)
		if r.total(t) != 1 || r.str("Resources.0.userName") != "inactive.one" {
			t.Errorf("body %s, want only inactive.one", r.body)
		}
		if !strings.Contains(h.logs.String(), `"rules":["string-boolean"]`) {
			t.Errorf("log lacks the string-boolean rule:\n%s", h.logs.String())
		}
	})
	t.Run("string boolean filter strict", func(t *testing.T) {
		strict := newHarness(t, filepath.Join(t.TempDir(), "strict.db"), func(c *Config) { c.Strict = true })
		r := strict.do("GET", "/scim/v2/Users?filter=active%20eq%20%22True%22", "").want(t, http.StatusBadRequest)
		if r.str("scimType") != "invalidFilter" {
			t.Errorf("body %s, want scimType invalidFilter", r.body)
		}
	})
	t.Run("sortOrder unknown rejected", func(t *testing.T) {
		r := h.do("GET", "/scim/v2/Users?sortOrder=sideways", "").want(t, http.StatusBadRequest)
		if r.str("scimType") != "invalidValue" || !strings.Contains(r.str("detail"), `"sideways"`) {
			t.Errorf("body %s, want invalidValue naming the value", r.body)
		}
		h.do("GET", "/scim/v2/Users?sortOrder=Descending", "").want(t, http.StatusOK)
	})
}

// TestPasswordDropLogged checks that a password in a PATCH or PUT, which
// the server never stores, is logged by rule name and never by value.
func TestPasswordDropLogged(t *testing.T) {
	h := newHarness(t, filepath.Join(t.TempDir(), "scimdoctor.db"), nil)
	id := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pw.user"}`).want(t, http.StatusCreated).str("id")
	h.do("PATCH", "/scim/v2/Users/"+id, `{`+patchOpURN+`,"Operations":[{"op":"replace","value":{"password":"Secret-PATCH-1"}}]}`).want(t, http.StatusOK)
	h.do("PUT", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pw.user","password":"Secret-PUT-2"}`).want(t, http.StatusOK)
	logs := h.logs.String()
	for _, want := range []string{`"msg":"PATCH dropped the password"`, `"msg":"PUT dropped the password"`, `"rule":"password-not-stored"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "Secret-") {
		t.Errorf("log contains a password:\n%s", logs)
	}
}

// TestUnknownAttributeOneRule checks that an Entra ID custom extension
// attribute gets the same outcome in a POST, a PUT and a PATCH with a
// path: dropped and logged with the rule name by default, 400 in strict
// mode.
func TestUnknownAttributeOneRule(t *testing.T) {
	const ext = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"
	create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ext + `"],"userName":"custom.ext","` + ext + `":{"costCenter":"CC-1"}}`
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + ext + `"],"userName":"custom.ext","` + ext + `":{"costCenter":"CC-2"}}`
	patchBody := `{` + patchOpURN + `,"Operations":[{"op":"Add","path":"` + ext + `:costCenter","value":"CC-3"}]}`

	t.Run("lenient drops and logs", func(t *testing.T) {
		h := newHarness(t, filepath.Join(t.TempDir(), "lenient.db"), nil)
		id := h.do("POST", "/scim/v2/Users", create).want(t, http.StatusCreated).str("id")
		h.do("PUT", "/scim/v2/Users/"+id, put).want(t, http.StatusOK)
		r := h.do("PATCH", "/scim/v2/Users/"+id, patchBody).want(t, http.StatusOK)
		if strings.Contains(r.body, "costCenter") {
			t.Errorf("body %s keeps the unknown attribute", r.body)
		}
		if n := strings.Count(h.logs.String(), `"unknown-attribute-ignored"`); n != 3 {
			t.Errorf("rule unknown-attribute-ignored logged %d times, want 3 (POST, PUT, PATCH):\n%s", n, h.logs.String())
		}
	})
	t.Run("strict rejects", func(t *testing.T) {
		h := newHarness(t, filepath.Join(t.TempDir(), "strict.db"), func(c *Config) { c.Strict = true })
		h.do("POST", "/scim/v2/Users", create).want(t, http.StatusBadRequest)
		id := h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"custom.ext"}`).want(t, http.StatusCreated).str("id")
		h.do("PUT", "/scim/v2/Users/"+id, put).want(t, http.StatusBadRequest)
		strictPatch := strings.Replace(patchBody, `"Add"`, `"add"`, 1)
		if r := h.do("PATCH", "/scim/v2/Users/"+id, strictPatch).want(t, http.StatusBadRequest); r.str("scimType") != "invalidPath" {
			t.Errorf("PATCH body %s, want scimType invalidPath", r.body)
		}
	})
}
