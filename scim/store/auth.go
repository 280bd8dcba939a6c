package store

import (
	"context"
	"errors"
	"time"
)

// CredentialKind is the way a client presents a credential.
type CredentialKind string

// The kinds of credential the server accepts.
const (
	// BearerToken is a static or OAuth-issued token sent as
	// "Authorization: Bearer TOKEN". Its Key is the lowercase hex SHA-256 of
	// the token, and SecretHash is empty.
	BearerToken CredentialKind = "bearer"
	// BasicUser is a user name and password for HTTP Basic. Its Key is the
	// user name and SecretHash the SHA-256 of the password.
	BasicUser CredentialKind = "basic"
	// OAuthClient is an OAuth 2.0 client of the client-credentials grant.
	// Its Key is the client id and SecretHash the SHA-256 of the secret.
	OAuthClient CredentialKind = "client"
)

// Credential is one stored credential. The secret itself is never stored,
// only its hash, so a copy of the database does not let anyone in.
type Credential struct {
	Kind       CredentialKind
	Key        string
	SecretHash []byte
	// Tenant is the tenant whose resources the credential reaches.
	Tenant string
	// Name is a label for logs and for the admin, such as "okta-prod" or
	// "oauth:CLIENT_ID" for a token issued to an OAuth client.
	Name    string
	Created time.Time
	// Expires is the zero time for a credential that never expires.
	Expires time.Time
}

// ErrCredentialExists is returned by CreateCredential when the kind and key
// are taken.
var ErrCredentialExists = errors.New("store: credential already exists")

// CredentialStore keeps the server's credentials. Implementations are safe
// for concurrent use.
type CredentialStore interface {
	// CreateCredential stores c. It returns ErrCredentialExists when a
	// credential of the same kind and key exists, and an error wrapping
	// ErrInvalid when the kind, key or tenant is empty.
	CreateCredential(ctx context.Context, c Credential) error

	// FindCredential returns the credential of that kind and key. It returns
	// ErrNotFound when there is none or when it expired before now.
	FindCredential(ctx context.Context, kind CredentialKind, key string, now time.Time) (Credential, error)

	// DeleteExpiredCredentials removes the credentials that expired before
	// now and returns how many it removed.
	DeleteExpiredCredentials(ctx context.Context, now time.Time) (int, error)
}

// CredentialAdmin lists and removes credentials, for the admin commands
// that revoke and rotate them. Implementations are safe for concurrent
// use.
type CredentialAdmin interface {
	CredentialStore

	// ListCredentials returns the credentials of kind, or of every kind
	// when kind is empty, oldest first, expired ones included. SecretHash
	// is left empty in the result, so a listing never carries a secret's
	// hash.
	ListCredentials(ctx context.Context, kind CredentialKind) ([]Credential, error)

	// DeleteCredential removes the credential of that kind and key. It
	// returns ErrNotFound when there is none.
	DeleteCredential(ctx context.Context, kind CredentialKind, key string) error

	// DeleteCredentialsNamed removes every credential of kind whose Name
	// is name, such as the tokens "oauth:CLIENT_ID" issued to one OAuth
	// client, and returns how many it removed.
	DeleteCredentialsNamed(ctx context.Context, kind CredentialKind, name string) (int, error)
}
