package schema

import (
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Path is an attribute path resolved against a resource type.
type Path struct {
	// Schema defines Attribute: the resource type's schema, one of its
	// extensions, or Common for id, externalId, schemas and meta.
	Schema *Schema
	// Extension is true when Schema is an extension, so the values live in
	// the object under the extension's URN.
	Extension bool
	// Attribute is the top-level attribute. It is nil when the path names
	// an extension schema as a whole, a form that PATCH allows.
	Attribute *Attribute
	// Sub is the sub-attribute, or nil.
	Sub *Attribute
}

// Target returns the attribute the path ends at: Sub when set, else
// Attribute.
func (p Path) Target() *Attribute {
	if p.Sub != nil {
		return p.Sub
	}
	return p.Attribute
}

// String returns the path with the schema's spelling of every name and the
// URN prefix for extension attributes, such as "name.givenName" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
func (p Path) String() string {
	var b strings.Builder
	if p.Extension {
		b.WriteString(p.Schema.ID)
		if p.Attribute == nil {
			return b.String()
		}
		b.WriteByte(':')
	}
	b.WriteString(p.Attribute.Name)
	if p.Sub != nil {
		b.WriteByte('.')
		b.WriteString(p.Sub.Name)
	}
	return b.String()
}

// Resolve finds the attribute that p names. Names compare
// case-insensitively. Without a URI prefix, Resolve looks a name up in the
// resource type's schema, then in the common attributes, then in the
// extensions. A name that only one extension defines resolves to it,
// because Entra filters by "manager" without the URN. With a prefix, the URI must be the
// resource type's schema or one of its extensions, or the whole path must
// be an extension URN, which resolves to a Path with a nil Attribute.
//
// It returns an *scim.Error with status 400 and the given scimType (such as
// scim.InvalidFilter or scim.InvalidPath) when the schema or attribute is
// unknown, the path is ambiguous, or a sub-attribute follows an attribute
// that is not complex.
func (rt *ResourceType) Resolve(p scim.AttrPath, scimType string) (Path, error) {
	var path Path
	switch {
	case p.URI == "":
		found, err := rt.resolveUnqualified(p, scimType)
		if err != nil {
			return Path{}, err
		}
		path = found
	case strings.EqualFold(p.URI, rt.Schema.ID):
		path = Path{Schema: rt.Schema, Attribute: rt.Schema.Attribute(p.Name)}
		if path.Attribute == nil {
			path = Path{Schema: rt.Common, Attribute: rt.Common.Attribute(p.Name)}
		}
	case rt.Extension(p.URI) != nil:
		ext := rt.Extension(p.URI)
		path = Path{Schema: ext.Schema, Extension: true, Attribute: ext.Schema.Attribute(p.Name)}
	case p.Sub == "" && rt.Extension(p.URI+":"+p.Name) != nil:
		return Path{Schema: rt.Extension(p.URI + ":" + p.Name).Schema, Extension: true}, nil
	default:
		return Path{}, scim.Errorf(400, scimType, "unknown schema URI %s in attribute path %s: resource type %s uses %s",
			scim.Quote(p.URI), scim.Quote(p.String()), rt.Name, strings.Join(rt.schemaIDs(), ", "))
	}
	if path.Attribute == nil {
		return Path{}, rt.unknown(p, scimType)
	}
	if p.Sub == "" {
		return path, nil
	}
	if path.Attribute.Type != Complex {
		return Path{}, scim.Errorf(400, scimType, "attribute %s is of type %s and has no sub-attribute %s",
			scim.Quote(path.Attribute.Name), path.Attribute.Type, scim.Quote(p.Sub))
	}
	path.Sub = path.Attribute.Sub(p.Sub)
	if path.Sub == nil {
		return Path{}, scim.Errorf(400, scimType, "attribute %s has no sub-attribute %s: it has %s",
			scim.Quote(path.Attribute.Name), scim.Quote(p.Sub), strings.Join(names(path.Attribute.SubAttributes), ", "))
	}
	return path, nil
}

// Undefined reports whether p names an attribute that no schema of rt
// defines: an unknown schema URI (such as an Entra ID custom extension),
// an unknown attribute name, or an unknown sub-attribute of a complex
// attribute. It is false for a path that resolves and for one that fails
// for another reason, such as an ambiguous name.
func (rt *ResourceType) Undefined(p scim.AttrPath) bool {
	if _, err := rt.Resolve(p, scim.InvalidPath); err == nil {
		return false
	}
	top := scim.AttrPath{URI: p.URI, Name: p.Name}
	path, err := rt.Resolve(top, scim.InvalidPath)
	if err != nil {
		// Resolve fails on a known name only when extensions share it.
		return !rt.defines(top)
	}
	return p.Sub != "" && path.Attribute != nil && path.Attribute.Type == Complex && path.Attribute.Sub(p.Sub) == nil
}

// defines reports whether a schema of rt has the attribute p.Name under
// p.URI, or anywhere when p has no URI.
func (rt *ResourceType) defines(p scim.AttrPath) bool {
	if p.URI == "" || strings.EqualFold(p.URI, rt.Schema.ID) {
		if rt.Schema.Attribute(p.Name) != nil || rt.Common.Attribute(p.Name) != nil {
			return true
		}
	}
	for _, ext := range rt.Extensions {
		if (p.URI == "" || strings.EqualFold(p.URI, ext.Schema.ID)) && ext.Schema.Attribute(p.Name) != nil {
			return true
		}
	}
	return false
}

func (rt *ResourceType) resolveUnqualified(p scim.AttrPath, scimType string) (Path, error) {
	if a := rt.Schema.Attribute(p.Name); a != nil {
		return Path{Schema: rt.Schema, Attribute: a}, nil
	}
	if a := rt.Common.Attribute(p.Name); a != nil {
		return Path{Schema: rt.Common, Attribute: a}, nil
	}
	var found Path
	for _, ext := range rt.Extensions {
		a := ext.Schema.Attribute(p.Name)
		if a == nil {
			continue
		}
		if found.Attribute != nil {
			return Path{}, scim.Errorf(400, scimType, "attribute %s is defined by both %s and %s: prefix it with the schema URI",
				scim.Quote(p.Name), found.Schema.ID, ext.Schema.ID)
		}
		found = Path{Schema: ext.Schema, Extension: true, Attribute: a}
	}
	if found.Attribute == nil {
		return Path{}, rt.unknown(p, scimType)
	}
	return found, nil
}

func (rt *ResourceType) unknown(p scim.AttrPath, scimType string) error {
	return scim.Errorf(400, scimType, "unknown attribute %s for resource type %s: GET /Schemas lists the attributes",
		scim.Quote(p.String()), rt.Name)
}

// ResolveSub finds the sub-attribute that p names inside the complex
// attribute parent, for the attribute paths inside a value filter such as
// emails[type eq "work"]. The path must be a bare name; a URI prefix equal
// to parent's own path is tolerated. Errors are *scim.Error with scimType.
func (rt *ResourceType) ResolveSub(parent Path, p scim.AttrPath, scimType string) (*Attribute, error) {
	attr := parent.Target()
	if attr == nil || attr.Type != Complex || parent.Sub != nil {
		return nil, scim.Errorf(400, scimType, "a value filter needs a complex attribute, and %s is not one", scim.Quote(parent.String()))
	}
	if p.URI != "" || p.Sub != "" {
		return nil, scim.Errorf(400, scimType, "%s inside the value filter of %s must be a sub-attribute name such as %s",
			scim.Quote(p.String()), scim.Quote(parent.String()), attr.SubAttributes[0].Name)
	}
	sub := attr.Sub(p.Name)
	if sub == nil {
		return nil, scim.Errorf(400, scimType, "attribute %s has no sub-attribute %s: it has %s",
			scim.Quote(attr.Name), scim.Quote(p.Name), strings.Join(names(attr.SubAttributes), ", "))
	}
	return sub, nil
}

func (rt *ResourceType) schemaIDs() []string {
	ids := []string{rt.Schema.ID}
	for _, ext := range rt.Extensions {
		ids = append(ids, ext.Schema.ID)
	}
	return ids
}

func names(attrs []*Attribute) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.Name
	}
	return out
}
