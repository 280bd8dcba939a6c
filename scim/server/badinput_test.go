package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// bigBodySize is the size of the streamed body of TestBadInput: 100 MB,
// a hundred times the default body limit.
const bigBodySize = 100 << 20

// streamedBody is a User whose title is padded to size bytes. It is
// produced as it is read, so the test holds no copy of it.
type streamedBody struct {
	head, tail []byte
	size, read int64
}

func newStreamedBody(size int64) *streamedBody {
	return &streamedBody{
		head: []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@example.com","title":"`),
		tail: []byte(`"}`),
		size: size,
	}
}

func (b *streamedBody) Read(p []byte) (int, error) {
	if b.read >= b.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.read < b.size {
		switch {
		case b.read < int64(len(b.head)):
			p[n] = b.head[b.read]
		case b.read >= b.size-int64(len(b.tail)):
			p[n] = b.tail[b.read-(b.size-int64(len(b.tail)))]
		default:
			p[n] = 'x'
		}
		n++
		b.read++
	}
	return n, nil
}

// TestBadInput sends each kind of bad input to both stores and checks
// the SCIM error, that the detail names the attribute or the limit, and
// that nothing was stored. A panic in a handler would fail the test run.
// The 100 MB body gets 413, the status RFC 7644 Section 3.12 gives a
// payload over the server's limit, without a scimType, because RFC 7644
// defines none for it.
func TestBadInput(t *testing.T) {
	const userSchema = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	nested := "filter=" + url.QueryEscape(strings.Repeat("(", 10000)+`userName eq "a"`+strings.Repeat(")", 10000))

	tests := []struct {
		name   string
		strict bool
		method string
		path   string
		body   func() io.Reader
		// status, scimType and detail are the expected error; status 201
		// means the request is accepted by design.
		status   int
		scimType string
		detail   []string
		// stored is the userName that must not be stored after an error,
		// or that must be stored without the unknown attribute.
		stored string
	}{
		{
			name: "malformed JSON", method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":"broken@example.com",`),
			status: 400, scimType: "invalidSyntax", detail: []string{"JSON"}, stored: "broken@example.com",
		},
		{
			name: "100 MB body streamed", method: "POST", path: "/scim/v2/Users",
			body:   func() io.Reader { return newStreamedBody(bigBodySize) },
			status: 413, detail: []string{"exceeds the limit of 1048576 bytes"}, stored: "big@example.com",
		},
		{
			name: "10000 nested parentheses in filter", method: "GET", path: "/scim/v2/Users?" + nested,
			status: 400, scimType: "invalidFilter", detail: []string{"exceeds the limit of 4096 bytes"},
		},
		{
			name: "1000 nested parentheses in filter", method: "GET", path: "/scim/v2/Users?filter=" + url.QueryEscape(strings.Repeat("(", 1000)+`userName eq "a"`+strings.Repeat(")", 1000)),
			status: 400, scimType: "invalidFilter", detail: []string{"nesting deeper than 32 levels"},
		},
		{
			name: "unknown attribute dropped in lenient mode", method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":"lenient@example.com","shoeSize":44}`),
			status: 201, stored: "lenient@example.com",
		},
		{
			name: "unknown attribute rejected in strict mode", strict: true, method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":"strict@example.com","shoeSize":44}`),
			status: 400, scimType: "invalidValue", detail: []string{`unknown attribute "shoeSize"`}, stored: "strict@example.com",
		},
		{
			name: "wrong type for userName", method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":42}`),
			status: 400, scimType: "invalidValue", detail: []string{"userName"},
		},
		{
			name: "wrong type for active", method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":"active@example.com","active":"maybe"}`),
			status: 400, scimType: "invalidValue", detail: []string{"active"}, stored: "active@example.com",
		},
		{
			name: "wrong type for emails", method: "POST", path: "/scim/v2/Users",
			body:   text(`{` + userSchema + `,"userName":"emails@example.com","emails":"a@example.com"}`),
			status: 400, scimType: "invalidValue", detail: []string{"emails"}, stored: "emails@example.com",
		},
		{
			name: "missing schemas", method: "POST", path: "/scim/v2/Users",
			body:   text(`{"userName":"noschema@example.com"}`),
			status: 400, scimType: "invalidSyntax", detail: []string{`missing "schemas"`}, stored: "noschema@example.com",
		},
	}

	for dbName, newDB := range databases(t) {
		t.Run(dbName, func(t *testing.T) {
			db := newDB(t)
			lenient := newHarness(t, db, nil)
			strict := newHarness(t, db, func(c *Config) { c.Strict = true })
			before := lenient.do("GET", "/scim/v2/Users", "").want(t, http.StatusOK).total(t)

			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					h := lenient
					if tt.strict {
						h = strict
					}
					var body io.Reader
					if tt.body != nil {
						body = tt.body()
					}
					res := sendStream(t, h, tt.method, tt.path, body)
					if big, ok := body.(*streamedBody); ok && big.read >= big.size {
						t.Errorf("the server read all %d bytes of the body instead of stopping at its limit", big.size)
					}

					if res.status != tt.status {
						t.Fatalf("status = %d, want %d; body: %s", res.status, tt.status, res.body)
					}
					if tt.status >= 400 {
						checkSCIMError(t, res, tt.status, tt.scimType, tt.detail)
					}
					if tt.stored != "" {
						checkStored(t, h, tt.stored, tt.status < 400)
					}
				})
			}

			after := lenient.do("GET", "/scim/v2/Users", "").want(t, http.StatusOK).total(t)
			if after != before+1 {
				t.Errorf("users after the bad input = %d, want %d (only the lenient create)", after, before+1)
			}
			if strings.Contains(lenient.logs.String()+strict.logs.String(), "panic") {
				t.Errorf("the server logged a panic:\n%s", lenient.logs.String()+strict.logs.String())
			}
		})
	}
}

func text(s string) func() io.Reader {
	return func() io.Reader { return strings.NewReader(s) }
}

// sendStream sends a request whose body is read from body as the handler
// reads it.
func sendStream(t *testing.T, h *harness, method, path string, body io.Reader) response {
	t.Helper()
	req := httptest.NewRequest(method, "http://scim.test"+path, body)
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if rec.Body.Len() > 0 {
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&res.json); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, res.body)
		}
	}
	return res
}

// checkSCIMError checks a SCIM error body: the content type, the status as
// a string, scimType and words of the detail.
func checkSCIMError(t *testing.T, res response, status int, scimType string, detail []string) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type = %q, want application/scim+json", ct)
	}
	if got := res.str("status"); got != strconv.Itoa(status) {
		t.Errorf("status in the body = %q, want %q", got, strconv.Itoa(status))
	}
	if got := res.str("scimType"); got != scimType {
		t.Errorf("scimType = %q, want %q; detail: %s", got, scimType, res.str("detail"))
	}
	for _, word := range detail {
		if !strings.Contains(res.str("detail"), word) {
			t.Errorf("detail %q does not name %q", res.str("detail"), word)
		}
	}
}

// checkStored checks that userName is stored (without the unknown
// attribute shoeSize) when want is true, and is not stored otherwise.
func checkStored(t *testing.T, h *harness, userName string, want bool) {
	t.Helper()
	res := h.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`), "").want(t, http.StatusOK)
	n := res.total(t)
	switch {
	case want && n != 1:
		t.Errorf("%s: %d users stored, want 1", userName, n)
	case !want && n != 0:
		t.Errorf("%s: %d users stored, want none after the error", userName, n)
	case want && strings.Contains(res.body, "shoeSize"):
		t.Errorf("%s was stored with the unknown attribute: %s", userName, res.body)
	}
}
