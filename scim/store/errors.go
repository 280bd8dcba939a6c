package store

import (
	"errors"
	"fmt"
)

// The errors a Store returns; test them with errors.Is.
var (
	// ErrNotFound: the resource or group does not exist in the tenant
	// (HTTP 404).
	ErrNotFound = errors.New("store: resource not found")
	// ErrConflict: a unique value is already taken (HTTP 409, scimType
	// uniqueness). It comes wrapped in a *ConflictError.
	ErrConflict = errors.New("store: unique value already taken")
	// ErrVersionMismatch: the version given for If-Match is not the stored
	// one (HTTP 412).
	ErrVersionMismatch = errors.New("store: version mismatch")
	// ErrMemberNotFound: a member id is not a resource of the tenant (HTTP 400,
	// scimType invalidValue). It comes wrapped in a *MemberNotFoundError.
	ErrMemberNotFound = errors.New("store: member not found")
	// ErrInvalid: an argument is invalid (HTTP 400 when it came from a
	// request, otherwise a bug in the caller).
	ErrInvalid = errors.New("store: invalid argument")
)

// ConflictError reports a unique attribute whose value another resource of
// the tenant already has, under FoldCase for userName.
type ConflictError struct {
	// Attribute is the SCIM attribute name, such as "userName".
	Attribute string
	// Value is the value the write carried.
	Value string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: %s %q is already taken in this tenant (names that differ only in case are the same); choose another value or update the existing resource", e.Attribute, e.Value)
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// MemberNotFoundError names the member id that is not a resource of the
// tenant.
type MemberNotFoundError struct {
	ID string
}

func (e *MemberNotFoundError) Error() string {
	return fmt.Sprintf("store: member %q is not a User or Group of this tenant; create it first or remove it from the request", e.ID)
}

// Unwrap returns ErrMemberNotFound.
func (e *MemberNotFoundError) Unwrap() error { return ErrMemberNotFound }

// Invalidf returns an error that wraps ErrInvalid, for implementations to
// report a bad argument.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
