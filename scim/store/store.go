// Package store defines how the SCIM server keeps Users and Groups: the
// Store interface, the resource and query types, and the typed errors that
// the HTTP layer maps to status codes. The SQLite and PostgreSQL
// implementations are in scim/store/sqlstore, and scim/store/storetest runs
// one contract suite against both.
//
// # Data model
//
// A resource is a JSON document (the SCIM body as the server stores it,
// without "id" and "meta", and for Groups without "members") plus columns
// that the store extracts from the document's top-level keys and indexes:
//
//   - userName (Users): required, unique per tenant under FoldCase, so "Bob"
//     and "BOB" conflict in both databases in the same way. The unique index
//     on the folded value makes the check atomic: of two concurrent creates of
//     one name, exactly one succeeds.
//   - externalId: case-exact (RFC 7643 Section 3.1) and not unique, because
//     nothing in RFC 7643 requires it and an IdP may reuse it after a purge.
//   - displayName: compared and sorted under FoldCase and not unique, as
//     the Group schema of RFC 7643 Section 8.7.1 sets caseExact false and
//     uniqueness "none".
//   - emails[].value (Users): compared under FoldCase, in a table of their own
//     so that a filter on an address uses an index.
//
// Keys are matched exactly, so the caller stores canonical attribute names
// (scim/schema produces them). The store creates the id (a random UUID), the
// version (1 at creation, plus one for every change, used as the ETag
// W/"n") and the created and lastModified times.
//
// Group membership lives in a table of its own keyed by (group, member). So
// adding or removing one member costs one index lookup and one row, whatever
// the size of the group. Repeating an add or a remove changes nothing. A
// change of membership is a change of the group: its version and
// lastModified move. Deleting a User or a Group deletes its memberships.
//
// Every method takes a tenant. Rows of one tenant are never visible to
// another, and uniqueness is per tenant.
package store

import (
	"context"
	"encoding/json"
	"time"
)

// ResourceType is the SCIM resource type of a stored document.
type ResourceType string

// The resource types the store keeps.
const (
	User  ResourceType = "User"
	Group ResourceType = "Group"
)

// Resource is one stored User or Group.
type Resource struct {
	Type ResourceType
	// ID is the store-assigned UUID, the SCIM "id".
	ID string
	// Version starts at 1 and grows by one with every change; the HTTP layer
	// sends it as the weak ETag W/"Version".
	Version int64
	// Created and LastModified are UTC with microsecond precision.
	Created      time.Time
	LastModified time.Time
	// Doc is the stored document, exactly as the last write gave it.
	Doc json.RawMessage
	// Members is set for Groups read without ExcludeMembers: every member,
	// in the order the members were created. It is nil for Users and for
	// Groups read with ExcludeMembers.
	Members []Member
}

// Member is one direct member of a Group.
type Member struct {
	// ID is the member's resource id.
	ID string
	// Type is User or Group, taken from the stored member.
	Type ResourceType
}

// GroupRef is a Group that a resource is a direct member of, for the User
// "groups" attribute.
type GroupRef struct {
	ID          string
	DisplayName string
}

// MemberPage is one page of a Group's members.
type MemberPage struct {
	// Total is the number of members of the group.
	Total   int
	Members []Member
}

// ReadOptions tunes Get.
type ReadOptions struct {
	// ExcludeMembers leaves Resource.Members nil without reading the
	// membership table, for excludedAttributes=members.
	ExcludeMembers bool
}

// UpdateFunc computes the new document of a resource from the current one,
// for a read-modify-write such as PATCH. It runs inside the transaction that
// holds the resource's row lock, so it must not call the Store. current.Doc
// is the stored document and current.Members is nil. members edits the
// Group's membership in the same transaction, and is nil for Users. A nil
// returned document keeps the stored one. An error aborts the transaction
// and Update returns it unchanged, so a function can return
// ErrVersionMismatch after comparing current.Version with If-Match.
type UpdateFunc func(current Resource, members MemberEditor) (json.RawMessage, error)

// MemberEditor changes a Group's membership inside an Update. Each method
// takes member ids, which may name Users or Groups. Add and Replace return
// ErrMemberNotFound (wrapped in a *MemberNotFoundError) when an id is not a
// resource of the tenant, and ErrInvalid for the Group's own id. Adding a
// member twice, or removing one that is absent or unknown, is not an error.
type MemberEditor interface {
	Add(ids ...string) error
	Remove(ids ...string) error
	// Replace makes ids the whole membership. An empty list removes all members.
	Replace(ids ...string) error
}

// Store keeps the SCIM resources of every tenant. Implementations are safe
// for concurrent use. The sqlstore implementations are safe for several
// processes sharing one database too.
//
// The methods return these errors, tested with errors.Is:
//
//   - ErrNotFound: the resource (or the group) does not exist in the tenant.
//   - ErrConflict, as a *ConflictError: a unique value is taken.
//   - ErrVersionMismatch: ifVersion is not the stored version.
//   - ErrMemberNotFound, as a *MemberNotFoundError: a member id is unknown.
//   - ErrInvalid: a bad argument, such as an empty tenant, a document that
//     is not a JSON object, or a User without userName.
//
// Other errors come from the database.
type Store interface {
	// Create stores a new resource with a new id and version 1. members are
	// the initial member ids of a Group and must be empty for a User.
	Create(ctx context.Context, tenant string, typ ResourceType, doc json.RawMessage, members []string) (Resource, error)

	// Get returns one resource.
	Get(ctx context.Context, tenant string, typ ResourceType, id string, opts ReadOptions) (Resource, error)

	// Replace stores doc as the whole new document and leaves a Group's
	// members alone (an Update with MemberEditor.Replace changes both).
	// ifVersion 0 replaces unconditionally; any other value must equal the
	// stored version.
	Replace(ctx context.Context, tenant string, typ ResourceType, id string, doc json.RawMessage, ifVersion int64) (Resource, error)

	// Update runs fn on the current resource with its row locked and stores
	// the result, so concurrent Updates of one resource never lose a change.
	// The version grows by one when the document or the membership changed.
	// fn may run more than once when the database aborts the transaction
	// because of a concurrent one (a PostgreSQL deadlock), so it must have
	// no effect besides its result and the MemberEditor calls.
	Update(ctx context.Context, tenant string, typ ResourceType, id string, fn UpdateFunc) (Resource, error)

	// Delete removes a resource and every membership it is part of, as a
	// member or as the group. ifVersion works as in Replace.
	Delete(ctx context.Context, tenant string, typ ResourceType, id string, ifVersion int64) error

	// List returns one page of the resources that match q, and how many
	// match in total.
	List(ctx context.Context, tenant string, q Query) (Page, error)

	// AddMembers, RemoveMembers and ReplaceMembers change a Group's
	// membership as the MemberEditor methods do, in their own transaction,
	// and return the Group without members.
	AddMembers(ctx context.Context, tenant, groupID string, ids []string) (Resource, error)
	RemoveMembers(ctx context.Context, tenant, groupID string, ids []string) (Resource, error)
	ReplaceMembers(ctx context.Context, tenant, groupID string, ids []string) (Resource, error)

	// ListMembers returns the members of a Group in the order they were
	// created, from the 1-based startIndex, at most count of them (a
	// negative count means all). Total counts every member.
	ListMembers(ctx context.Context, tenant, groupID string, startIndex, count int) (MemberPage, error)

	// GroupsOf returns the Groups that id is a direct member of, ordered by
	// group id. It returns ErrNotFound when id is not a resource of the tenant.
	GroupsOf(ctx context.Context, tenant, id string) ([]GroupRef, error)

	// Close releases the database connections.
	Close() error
}
