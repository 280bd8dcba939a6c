package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// secretBytes is the entropy of every generated token, password and client
// secret: 256 bits, so an unsalted SHA-256 of it cannot be reversed by
// guessing.
const secretBytes = 32

// Realm is the realm of the WWW-Authenticate challenges.
const Realm = "scimdoctor"

// principal is the credential that authenticated a request.
type principal struct {
	kind   store.CredentialKind
	name   string
	tenant string
	// rateKey identifies the credential for the rate limiter. Tokens that
	// one OAuth client obtained share its key.
	rateKey string
}

// authError is a failed authentication: the reason goes to the metrics
// and the log, the detail to the client.
type authError struct {
	reason string
	detail string
}

func (e *authError) Error() string { return e.detail }

// hashSecret returns the SHA-256 of a secret.
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// tokenKey returns the lookup key of a bearer token: its hex SHA-256.
func tokenKey(token string) string { return hex.EncodeToString(hashSecret(token)) }

// newSecret returns a random secret with a prefix that names its use, such
// as "scimdoctor_token_...", so a leaked secret is easy to recognize.
func newSecret(prefix string) string {
	b := make([]byte, secretBytes)
	rand.Read(b)
	return "scimdoctor_" + prefix + "_" + base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken creates a static bearer token for tenant, stores only its
// hash and returns the token, which cannot be read back later. name labels
// it in logs.
func CreateToken(ctx context.Context, cs store.CredentialStore, tenant, name string) (string, error) {
	if !ValidTenant(tenant) {
		return "", fmt.Errorf("invalid tenant %s: use 1 to 64 letters, digits, '.', '_' or '-'", scim.Quote(tenant))
	}
	token := newSecret("token")
	err := cs.CreateCredential(ctx, store.Credential{Kind: store.BearerToken, Key: tokenKey(token), Tenant: tenant, Name: name})
	if err != nil {
		return "", err
	}
	return token, nil
}

// CreateBasicUser creates an HTTP Basic user of tenant with a random
// password, stores only the password's hash and returns the password.
// It fails with store.ErrCredentialExists when the user name is taken.
func CreateBasicUser(ctx context.Context, cs store.CredentialStore, tenant, user string) (string, error) {
	if !ValidTenant(tenant) {
		return "", fmt.Errorf("invalid tenant %s: use 1 to 64 letters, digits, '.', '_' or '-'", scim.Quote(tenant))
	}
	if user == "" || strings.ContainsAny(user, ":") || strings.ContainsFunc(user, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return "", fmt.Errorf("invalid Basic user name %s: it must be non-empty, without ':', spaces or control characters", scim.Quote(user))
	}
	password := newSecret("password")
	err := cs.CreateCredential(ctx, store.Credential{Kind: store.BasicUser, Key: user, SecretHash: hashSecret(password), Tenant: tenant, Name: "basic:" + user})
	if err != nil {
		return "", err
	}
	return password, nil
}

// CreateClient creates an OAuth 2.0 client of tenant for the
// client-credentials grant at /oauth/token and returns its id and secret.
// Only the secret's hash is stored.
func CreateClient(ctx context.Context, cs store.CredentialStore, tenant, name string) (clientID, secret string, err error) {
	if !ValidTenant(tenant) {
		return "", "", fmt.Errorf("invalid tenant %s: use 1 to 64 letters, digits, '.', '_' or '-'", scim.Quote(tenant))
	}
	id := make([]byte, 12)
	rand.Read(id)
	clientID = "scimdoctor-" + hex.EncodeToString(id)
	secret = newSecret("secret")
	if name == "" {
		name = clientID
	}
	err = cs.CreateCredential(ctx, store.Credential{Kind: store.OAuthClient, Key: clientID, SecretHash: hashSecret(secret), Tenant: tenant, Name: name})
	if err != nil {
		return "", "", err
	}
	return clientID, secret, nil
}

// authenticate checks the Authorization header: a bearer token (static or
// issued by /oauth/token) or HTTP Basic credentials.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return principal{}, &authError{"missing", "missing Authorization header; send Authorization: Bearer TOKEN (create one with scimdoctor serve token create) or HTTP Basic credentials"}
	}
	scheme, value, found := strings.Cut(strings.TrimSpace(header), " ")
	value = strings.TrimSpace(value)
	switch {
	case !found && !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "Basic"):
		// A header without a space is most often a bare token, so the
		// detail never quotes it: IdPs show the detail to their admins.
		return principal{}, &authError{"scheme", "the Authorization header has no scheme; send Authorization: Bearer TOKEN"}
	case strings.EqualFold(scheme, "Bearer"):
		return s.authenticateBearer(r.Context(), value)
	case strings.EqualFold(scheme, "Basic"):
		return s.authenticateBasic(r.Context(), value)
	case !isAuthScheme(scheme):
		return principal{}, &authError{"scheme", "the Authorization scheme is not a valid token; send Authorization: Bearer TOKEN"}
	}
	return principal{}, &authError{"scheme", fmt.Sprintf("unsupported Authorization scheme %s; use Bearer or Basic", scim.Quote(scheme))}
}

func (s *Server) authenticateBearer(ctx context.Context, token string) (principal, error) {
	if token == "" {
		return principal{}, &authError{"malformed", "empty bearer token; send Authorization: Bearer TOKEN"}
	}
	key := tokenKey(token)
	c, err := s.cfg.Credentials.FindCredential(ctx, store.BearerToken, key, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return principal{}, &authError{"unknown_token", "the bearer token is unknown, revoked or expired; create one with scimdoctor serve token create, or fetch a new one from /oauth/token"}
	}
	if err != nil {
		return principal{}, err
	}
	// The lookup found the row by the hash. Comparing the hashes again in
	// constant time keeps the decision itself free of timing differences,
	// whatever the database index does.
	if subtle.ConstantTimeCompare([]byte(c.Key), []byte(key)) != 1 {
		return principal{}, &authError{"unknown_token", "the bearer token is unknown, revoked or expired"} // unreachable: the row matched the key
	}
	rateKey := "bearer:" + key
	if client, ok := strings.CutPrefix(c.Name, "oauth:"); ok {
		rateKey = "client:" + client
	}
	return principal{kind: store.BearerToken, name: c.Name, tenant: c.Tenant, rateKey: rateKey}, nil
}

func (s *Server) authenticateBasic(ctx context.Context, value string) (principal, error) {
	user, password, ok := decodeBasic(value)
	if !ok {
		return principal{}, &authError{"malformed", "malformed HTTP Basic credentials; send base64 of USER:PASSWORD"}
	}
	c, err := s.cfg.Credentials.FindCredential(ctx, store.BasicUser, user, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		// Hash anyway, so an unknown user costs what a known one does.
		subtle.ConstantTimeCompare(hashSecret(password), make([]byte, sha256.Size))
		return principal{}, &authError{"unknown_user", "HTTP Basic user or password is wrong; create a user with scimdoctor serve token create --basic USER"}
	}
	if err != nil {
		return principal{}, err
	}
	if subtle.ConstantTimeCompare(hashSecret(password), c.SecretHash) != 1 {
		return principal{}, &authError{"wrong_password", "HTTP Basic user or password is wrong; create a user with scimdoctor serve token create --basic USER"}
	}
	return principal{kind: store.BasicUser, name: c.Name, tenant: c.Tenant, rateKey: "basic:" + user}, nil
}

// decodeBasic decodes the credentials of HTTP Basic (RFC 7617).
func decodeBasic(value string) (user, password string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	return user, password, ok && user != ""
}

// writeAuthError writes 401 with a SCIM error and the challenges of
// both schemes (RFC 7644 Section 2, RFC 6750 Section 3). A store failure
// is a 500.
func (s *Server) writeAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *authError
	if !errors.As(err, &ae) {
		s.writeError(w, r, err)
		return
	}
	s.metrics.authFailed(ae.reason)
	s.log.Warn("authentication failed", "request_id", infoFrom(r.Context()).id, "reason", ae.reason, "remote", r.RemoteAddr)
	challenge := `Bearer realm="` + Realm + `"`
	if ae.reason == "unknown_token" {
		challenge += `, error="invalid_token"`
	}
	w.Header().Add("WWW-Authenticate", challenge)
	w.Header().Add("WWW-Authenticate", `Basic realm="`+Realm+`", charset="UTF-8"`)
	s.writeError(w, r, scim.Errorf(http.StatusUnauthorized, "", "%s", ae.detail))
}

// isAuthScheme reports whether scheme looks like an HTTP authentication
// scheme name (a token, RFC 9110 Section 11.1) of at most 20 characters.
// Only such a name is quoted in the 401 detail, so a secret that a client
// sent in the scheme's place never is.
func isAuthScheme(scheme string) bool {
	if scheme == "" || len(scheme) > 20 {
		return false
	}
	for _, c := range scheme {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
