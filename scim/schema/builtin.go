package schema

import (
	"embed"
	"fmt"
)

// The schema URNs of RFC 7643.
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaURN         = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ResourceTypeURN   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
)

// The embedded files follow RFC 7643 Section 8.7.1 attribute by attribute,
// with descriptions of our own, and differ in two places:
//   - Group "members" has a "display" sub-attribute (immutable like the
//     others), because Okta sends it on every membership change and RFC 7643
//     Section 2.4 lists "display" among the default sub-attributes of
//     multi-valued attributes.
//   - User "addresses" has a "primary" sub-attribute, which the RFC's own
//     example User (Section 8.2) uses.
//
// common.json holds id, externalId, schemas and meta (RFC 7643 Section 3.1).
// It is not a schema of its own and /Schemas does not list it.
//
//go:embed schemas/*.json
var builtinFiles embed.FS

func mustParse(name string) *Schema {
	data, err := builtinFiles.ReadFile("schemas/" + name)
	if err != nil {
		panic(fmt.Sprintf("schema: embedded file %s: %v", name, err)) // unreachable: the files are embedded
	}
	s, err := ParseSchema(data)
	if err != nil {
		panic(fmt.Sprintf("schema: embedded file %s: %v", name, err)) // unreachable: TestDefaultRegistry loads them
	}
	return s
}

// Default returns a new registry with the resource types User (endpoint
// /Users, schema UserURN, optional extension EnterpriseUserURN) and Group
// (endpoint /Groups, schema GroupURN). Each call returns fresh values, so a
// caller may change them, for example to add an extension.
func Default() *Registry {
	common := mustParse("common.json")
	user := &ResourceType{
		Name:        "User",
		Endpoint:    "/Users",
		Description: "User Account",
		Schema:      mustParse("user.json"),
		Extensions:  []Extension{{Schema: mustParse("enterprise_user.json")}},
		Common:      common,
	}
	group := &ResourceType{
		Name:        "Group",
		Endpoint:    "/Groups",
		Description: "Group",
		Schema:      mustParse("group.json"),
		Common:      common,
	}
	r, err := NewRegistry(user, group)
	if err != nil {
		panic(err) // unreachable: the two types above do not collide
	}
	return r
}
