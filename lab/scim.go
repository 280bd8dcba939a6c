package lab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"time"

	scimserver "github.com/scimdoctor/scimdoctor/scim/server"
	"github.com/scimdoctor/scimdoctor/scim/store"
	"github.com/scimdoctor/scimdoctor/scim/store/sqlstore"
)

// BearerToken is the token every lab endpoint accepts in
// "Authorization: Bearer lab-token". It guards nothing: it exists so that a
// client's authentication step runs as it would against a real SCIM server.
const BearerToken = "lab-token"

// SCIM paths and media type (RFC 7644, Sections 3.2, 3.8 and 4).
const (
	scimBasePath             = scimserver.BasePath
	serviceProviderConfigURL = scimBasePath + "/ServiceProviderConfig"
	scimMediaType            = "application/scim+json"
	scimErrorSchema          = "urn:ietf:params:scim:api:messages:2.0:Error"
	serviceProviderSchema    = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

// labDatabase is the file name of the SQLite database that every SCIM
// endpoint of a lab shares, in the lab's temporary directory.
const labDatabase = "lab-scim.db"

// SeedUserName is the userName of the user that every endpoint's tenant
// holds from the start. Okta's spec test lists users and warns on an empty
// list, so a lab endpoint is not empty, and a read-only conformance run
// given this user (check --user) looks it up in another case too.
const SeedUserName = "lab.user@example.com"

// seedUser is the create body of the seed user.
const seedUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` +
	`"userName":"` + SeedUserName + `","name":{"givenName":"Lab","familyName":"User"},` +
	`"emails":[{"value":"` + SeedUserName + `","type":"work","primary":true}],"active":true}`

// scimBackend is the SCIM store of a lab: one SQLite database in which
// every endpoint has a tenant named after it, so that the endpoints do not
// see each other's users.
type scimBackend struct {
	store *sqlstore.Store
}

// openSCIMBackend opens the lab's SQLite database in dir.
func openSCIMBackend(ctx context.Context, dir string) (*scimBackend, error) {
	st, err := sqlstore.Open(ctx, filepath.Join(dir, labDatabase))
	if err != nil {
		return nil, fmt.Errorf("open the lab's SCIM database in %s: %w", dir, err)
	}
	return &scimBackend{store: st}, nil
}

func (b *scimBackend) close() error {
	if err := b.store.Close(); err != nil {
		return fmt.Errorf("close the lab's SCIM database: %w", err)
	}
	return nil
}

// handler returns the SCIM server of tenant, the real scim/server on the
// shared store, which accepts BearerToken and no other credential. The
// tenant holds the seed user when handler returns.
func (b *scimBackend) handler(ctx context.Context, tenant string, logger *slog.Logger) (http.Handler, error) {
	srv, err := scimserver.New(scimserver.Config{
		Store:       b.store,
		Credentials: labCredentials{tenant: tenant},
		Logger:      logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start the SCIM server of %s: %w", tenant, err)
	}
	h := srv.Handler()

	// The seed goes through the handler, as a client would send it. A
	// tenant that already has the user (the second member of a pool)
	// returns 409, which is fine.
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, scimBasePath+"/Users", bytes.NewReader([]byte(seedUser)))
	req.Header.Set("Authorization", "Bearer "+BearerToken)
	req.Header.Set("Content-Type", scimMediaType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated && rec.Code != http.StatusConflict {
		return nil, fmt.Errorf("create the seed user %s in tenant %s: status %d: %s", SeedUserName, tenant, rec.Code, rec.Body.String())
	}
	return h, nil
}

// labCredentials is the credential store of one lab tenant. It accepts
// BearerToken only, and nothing can be added to it.
type labCredentials struct {
	tenant string
}

// labTokenKey is the lookup key of BearerToken as scim/server computes it:
// the lowercase hex SHA-256 of the token.
var labTokenKey = func() string {
	sum := sha256.Sum256([]byte(BearerToken))
	return hex.EncodeToString(sum[:])
}()

func (c labCredentials) CreateCredential(_ context.Context, cred store.Credential) error {
	return fmt.Errorf("lab endpoint %s accepts only the bearer token %q; credential %q was not added", c.tenant, BearerToken, cred.Name)
}

func (c labCredentials) FindCredential(_ context.Context, kind store.CredentialKind, key string, _ time.Time) (store.Credential, error) {
	if kind != store.BearerToken || key != labTokenKey {
		return store.Credential{}, store.ErrNotFound
	}
	return store.Credential{Kind: store.BearerToken, Key: labTokenKey, Tenant: c.tenant, Name: "lab"}, nil
}

func (c labCredentials) DeleteExpiredCredentials(context.Context, time.Time) (int, error) {
	return 0, nil
}
