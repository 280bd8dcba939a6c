package store

import "encoding/json"

// Field is an indexed attribute that a Query can filter and sort on in SQL.
type Field string

// The indexed fields. FieldUserName, FieldDisplayName and FieldEmail compare
// under FoldCase; FieldID and FieldExternalID compare case-exact; FieldCreated
// and FieldLastModified take a time.Time value.
const (
	FieldID           Field = "id"
	FieldUserName     Field = "userName"
	FieldExternalID   Field = "externalId"
	FieldDisplayName  Field = "displayName"
	FieldEmail        Field = "emails.value"
	FieldCreated      Field = "meta.created"
	FieldLastModified Field = "meta.lastModified"
)

// Op is a comparison operator of RFC 7644 Section 3.4.2.2.
type Op string

// The operators. Ne and Pr match the SCIM meaning for absent values: "ne"
// matches a resource without the attribute, "pr" does not.
const (
	Eq Op = "eq"
	Ne Op = "ne"
	Co Op = "co"
	Sw Op = "sw"
	Ew Op = "ew"
	Pr Op = "pr"
	Gt Op = "gt"
	Ge Op = "ge"
	Lt Op = "lt"
	Le Op = "le"
)

// Expr is a filter over indexed fields that the store compiles to SQL: a
// *Condition, an *And, an *Or or a *Not.
type Expr interface {
	expr()
}

// Condition compares one field with a value. Value is a string for the
// text fields and a time.Time for FieldCreated and FieldLastModified, and is
// ignored for Pr. For FieldEmail the condition holds when any address of
// the User matches, as for a multi-valued attribute in RFC 7644 Section
// 3.4.2.2.
type Condition struct {
	Field Field
	Op    Op
	Value any
}

// And holds when every one of its expressions holds (true when empty).
type And []Expr

// Or holds when at least one of its expressions holds (false when empty).
type Or []Expr

// Not holds when its expression does not hold.
type Not struct{ Expr Expr }

func (*Condition) expr() {}
func (And) expr()        {}
func (Or) expr()         {}
func (*Not) expr()       {}

// Query selects, orders and pages resources of one type.
//
// Where runs in the database. Residual, when set, is evaluated on every
// document that Where selects, in memory, for the part of a SCIM filter
// that no indexed field covers; Page.Total then counts the documents that
// pass both. Sort is done in the database on SortBy, or in memory by
// Compare when Compare is set.
type Query struct {
	Type ResourceType
	// Where is nil to select every resource of Type.
	Where Expr
	// Residual reports whether a document matches. It must not call the Store.
	Residual func(doc json.RawMessage) bool

	// SortBy is the indexed field to sort on; empty sorts by creation order.
	// Resources without a value come last in both directions, and ties
	// keep creation order.
	SortBy Field
	// Compare, when set, sorts in memory instead of SortBy and returns a
	// negative number, zero or a positive number as a sorts before, with or
	// after b. Ties keep creation order.
	Compare    func(a, b json.RawMessage) int
	Descending bool

	// StartIndex is the 1-based index of the first result; values below 1
	// count as 1 (RFC 7644 Section 3.4.2.4).
	StartIndex int
	// Count is the maximum number of resources to return. 0 returns only
	// Page.Total, and a negative value returns every resource from
	// StartIndex on.
	Count int
	// ExcludeMembers leaves the members of returned Groups unread.
	ExcludeMembers bool
}

// Page is one page of a List.
type Page struct {
	// Total is the number of resources that match the whole query, across
	// all pages (totalResults).
	Total     int
	Resources []Resource
}

// The expression types implement Expr.
var (
	_ Expr = (*Condition)(nil)
	_ Expr = And(nil)
	_ Expr = Or(nil)
	_ Expr = (*Not)(nil)
)
