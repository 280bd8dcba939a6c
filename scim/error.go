// Package scim holds the types that the SCIM 2.0 packages share: the error
// response of RFC 7644 Section 3.12, attribute paths (RFC 7644 Section 3.10)
// and the ListResponse message.
//
// The filter and PATCH-path parser is in scim/filter and the schema registry
// (validation, projection, sorting, /Schemas) is in scim/schema. HTTP handlers
// map every failure to a response with errors.As(err, &*Error): the parsers'
// *SyntaxError unwraps to an *Error as well.
package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ErrorURN is the schema URN of an error response (RFC 7644 Section 3.12).
const ErrorURN = "urn:ietf:params:scim:api:messages:2.0:Error"

// The scimType keywords of RFC 7644 Section 3.12, Table 9.
const (
	InvalidFilter = "invalidFilter" // filter syntax or comparison is invalid
	TooMany       = "tooMany"       // the request would return too many results
	Uniqueness    = "uniqueness"    // a value is already taken
	Mutability    = "mutability"    // the request changes a readOnly or immutable attribute
	InvalidSyntax = "invalidSyntax" // the body does not parse or misses a required structure
	InvalidPath   = "invalidPath"   // a PATCH path is invalid
	NoTarget      = "noTarget"      // a PATCH path matched nothing
	InvalidValue  = "invalidValue"  // a value has the wrong type or is missing
	InvalidVers   = "invalidVers"   // the SCIM protocol version is not supported
	Sensitive     = "sensitive"     // the request carries information that must not be in a URI
)

// Error is a SCIM error response. Status is the HTTP status code. ScimType is
// one of the keywords above, or empty where RFC 7644 defines none (404, 409
// without uniqueness, 500). Detail is the human-readable message sent to the
// client, so it must name the attribute or value at fault and never carry
// internal state.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

// Errorf returns an *Error with a formatted detail.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.ScimType == "" {
		return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
	}
	return fmt.Sprintf("scim: %d %s: %s", e.Status, e.ScimType, e.Detail)
}

type errorJSON struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// MarshalJSON encodes the error body of RFC 7644 Section 3.12. The status is
// a JSON string ("400"), as the RFC's examples show.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(errorJSON{
		Schemas:  []string{ErrorURN},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.ScimType,
		Detail:   e.Detail,
	})
}

// UnmarshalJSON decodes an error body. It accepts the status as a string,
// as RFC 7644 specifies, and as a number, which some servers send.
func (e *Error) UnmarshalJSON(data []byte) error {
	var raw struct {
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("scim: invalid error body: %w", err)
	}
	status, err := parseStatus(raw.Status)
	if err != nil {
		return err
	}
	*e = Error{Status: status, ScimType: raw.ScimType, Detail: raw.Detail}
	return nil
}

func parseStatus(raw json.RawMessage) (int, error) {
	if len(raw) == 0 {
		return 0, fmt.Errorf("scim: error body has no status")
	}
	var text string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, fmt.Errorf("scim: invalid error status %s: %w", raw, err)
		}
	} else {
		text = string(raw)
	}
	status, err := strconv.Atoi(text)
	if err != nil || status < 100 || status > 599 {
		return 0, fmt.Errorf("scim: invalid error status %s: expected an HTTP status code such as \"400\"", raw)
	}
	return status, nil
}
