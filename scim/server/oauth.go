package server

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// oauthError is an error response of the token endpoint (RFC 6749
// Section 5.2).
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// handleToken is the OAuth 2.0 token endpoint of the client-credentials
// grant (RFC 6749 Section 4.4), which Entra's app gallery requires. The
// client authenticates with HTTP Basic or with client_id and client_secret
// in the form. The issued bearer token belongs to the client's tenant and
// expires after Config.AccessTokenTTL; only its hash is stored.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	info := infoFrom(r.Context())
	info.resource = "oauth"
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST with a form body grant_type=client_credentials")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeOAuthError(w, http.StatusRequestEntityTooLarge, "invalid_request", "the form body exceeds the size limit")
			return
		}
		s.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form body does not parse")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		s.writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}

	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if clientID == "" {
		s.metrics.authFailed("oauth_client")
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
		s.writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "missing client credentials: send HTTP Basic or client_id and client_secret")
		return
	}
	c, err := s.cfg.Credentials.FindCredential(r.Context(), store.OAuthClient, clientID, s.cfg.Now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("reading an OAuth client failed", "request_id", info.id, "error", err)
		s.writeOAuthError(w, http.StatusInternalServerError, "server_error", "the credential store failed; see the server log")
		return
	}
	if err != nil || !equalHash(hashSecret(secret), c.SecretHash) {
		s.metrics.authFailed("oauth_client")
		s.log.Warn("OAuth client authentication failed", "request_id", info.id, "client_id", clientID, "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
		s.writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret; create a client with scimdoctor serve client create")
		return
	}

	// Expired tokens are removed here, where new ones appear, so the table
	// does not grow with every token an IdP fetches.
	if n, err := s.cfg.Credentials.DeleteExpiredCredentials(r.Context(), s.cfg.Now()); err != nil {
		s.log.Warn("deleting expired tokens failed", "request_id", info.id, "error", err)
	} else if n > 0 {
		s.log.Info("deleted expired tokens", "request_id", info.id, "count", n)
	}

	token := newSecret("token")
	err = s.cfg.Credentials.CreateCredential(r.Context(), store.Credential{
		Kind:    store.BearerToken,
		Key:     tokenKey(token),
		Tenant:  c.Tenant,
		Name:    "oauth:" + clientID,
		Expires: s.cfg.Now().Add(s.cfg.AccessTokenTTL),
	})
	if err != nil {
		s.log.Error("storing an OAuth token failed", "request_id", info.id, "error", err)
		s.writeOAuthError(w, http.StatusInternalServerError, "server_error", "storing the token failed; see the server log")
		return
	}
	info.tenant, info.principal = c.Tenant, c.Name
	s.log.Info("issued an OAuth access token", "request_id", info.id, "client_id", clientID, "tenant", c.Tenant, "expires_in_s", int(s.cfg.AccessTokenTTL.Seconds()))

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	json.NewEncoder(w).Encode(struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}{token, "Bearer", int(s.cfg.AccessTokenTTL.Seconds())})
}

func equalHash(a, b []byte) bool {
	return len(b) > 0 && subtle.ConstantTimeCompare(a, b) == 1
}

func (s *Server) writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(oauthError{Code: code, Description: strings.TrimSpace(description)})
}
