package scim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestErrorMarshalJSON(t *testing.T) {
	e := &Error{Status: 400, ScimType: InvalidFilter, Detail: `unexpected "]" at 17`}
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"unexpected \"]\" at 17"}`
	if string(got) != want {
		t.Errorf("Marshal\n got %s\nwant %s", got, want)
	}
	got, _ = json.Marshal(&Error{Status: 404, Detail: "resource 2819c223 not found"})
	if strings.Contains(string(got), "scimType") {
		t.Errorf("empty scimType marshaled: %s", got)
	}
}

func TestErrorUnmarshalJSON(t *testing.T) {
	cases := []struct {
		in   string
		want Error
		err  string
	}{
		{in: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}`,
			want: Error{Status: 409, ScimType: Uniqueness, Detail: "taken"}},
		{in: `{"status":404,"detail":"gone"}`, want: Error{Status: 404, Detail: "gone"}},
		{in: `{"detail":"x"}`, err: "scim: error body has no status"},
		{in: `{"status":"abc"}`, err: `scim: invalid error status "abc": expected an HTTP status code such as "400"`},
		{in: `{"status":"42"}`, err: `scim: invalid error status "42"`},
		{in: `[1]`, err: "scim: invalid error body"},
	}
	for _, tc := range cases {
		var got Error
		err := json.Unmarshal([]byte(tc.in), &got)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Unmarshal(%s) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Unmarshal(%s) = %+v, %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestErrorString(t *testing.T) {
	if got := Errorf(400, InvalidValue, "attribute %q must be a string", "userName").Error(); got != `scim: 400 invalidValue: attribute "userName" must be a string` {
		t.Errorf("Error() = %s", got)
	}
	if got := (&Error{Status: 500, Detail: "internal error"}).Error(); got != "scim: 500: internal error" {
		t.Errorf("Error() = %s", got)
	}
}

func TestSyntaxErrorUnwrap(t *testing.T) {
	var err error = Unexpected(InvalidPath, 7, "]", "expected the end of the path")
	if err.Error() != `unexpected "]" at 7: expected the end of the path` {
		t.Errorf("Error() = %s", err)
	}
	var se *Error
	if !errors.As(err, &se) {
		t.Fatal("SyntaxError does not unwrap to *Error")
	}
	if se.Status != 400 || se.ScimType != InvalidPath || se.Detail != err.Error() {
		t.Errorf("unwrapped = %+v", se)
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("a\x00b"); got != `"a\x00b"` {
		t.Errorf("Quote of NUL = %s", got)
	}
	long := strings.Repeat("é", 100) // 200 bytes, cut on a rune boundary
	got := Quote(long)
	if !strings.HasSuffix(got, `"...`) || len(got) > maxQuoted+5 {
		t.Errorf("Quote of 200 bytes = %s", got)
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("Quote cut inside a rune: %s", got)
	}
}

func TestListResponseJSON(t *testing.T) {
	got, err := json.Marshal(ListResponse{StartIndex: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
	if string(got) != want {
		t.Errorf("Marshal\n got %s\nwant %s", got, want)
	}
}
