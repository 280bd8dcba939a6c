package scim

import "encoding/json"

// ListResponseURN is the schema URN of a list or query response (RFC 7644
// Section 3.4.2).
const ListResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// ListResponse is the body of a list or query response. It marshals with
// the "schemas" member and the integer counters that Okta checks to be JSON
// numbers, and always with a "Resources" array (empty, not null, when there
// are no results, as Entra expects).
type ListResponse struct {
	TotalResults int
	StartIndex   int
	ItemsPerPage int
	Resources    []any
}

// MarshalJSON encodes the response of RFC 7644 Section 3.4.2.
func (l ListResponse) MarshalJSON() ([]byte, error) {
	resources := l.Resources
	if resources == nil {
		resources = []any{}
	}
	return json.Marshal(struct {
		Schemas      []string `json:"schemas"`
		TotalResults int      `json:"totalResults"`
		StartIndex   int      `json:"startIndex"`
		ItemsPerPage int      `json:"itemsPerPage"`
		Resources    []any    `json:"Resources"`
	}{[]string{ListResponseURN}, l.TotalResults, l.StartIndex, l.ItemsPerPage, resources})
}
