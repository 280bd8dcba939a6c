package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// ContentType is the media type of every SCIM response (RFC 7644
// Section 3.1).
const ContentType = "application/scim+json; charset=utf-8"

// writeJSON writes v with status and the SCIM media type. HTML characters
// are not escaped, so values come back as the client sent them.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.writeError(w, r, fmt.Errorf("encoding the response: %w", err))
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// toSCIMError maps an error to the SCIM error response the client gets.
// It returns nil for an error that is not the client's (a database
// failure), which becomes a 500 with a generic detail.
func toSCIMError(err error) *scim.Error {
	var se *scim.Error
	var conflict *store.ConflictError
	var member *store.MemberNotFoundError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		return se
	case errors.As(err, &tooLarge):
		return scim.Errorf(http.StatusRequestEntityTooLarge, "", "the request body exceeds the limit of %d bytes; send fewer operations or members per request", tooLarge.Limit)
	case errors.As(err, &conflict):
		return scim.Errorf(http.StatusConflict, scim.Uniqueness, "%s %s is already taken in this tenant (values that differ only in case are the same); choose another value or update the existing resource", conflict.Attribute, scim.Quote(conflict.Value))
	case errors.As(err, &member):
		return scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "member %s is not a User or Group of this tenant; create it first or remove it from the request", scim.Quote(member.ID))
	case errors.Is(err, store.ErrNotFound):
		return scim.Errorf(http.StatusNotFound, "", "resource not found")
	case errors.Is(err, store.ErrVersionMismatch):
		return scim.Errorf(http.StatusPreconditionFailed, "", "the resource changed since the version in If-Match; read it again and retry with its current ETag")
	case errors.Is(err, store.ErrInvalid):
		return scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "%s", strings.TrimPrefix(err.Error(), "store: invalid argument: "))
	}
	return nil
}

// writeError writes the SCIM error response for err (RFC 7644 Section
// 3.12) and logs it with the request id: a 4xx with its scimType and
// detail, and an error that is not the client's with its cause. An
// unreachable database gets 503 with Retry-After, any other failure 500,
// both with a detail that carries no internal state.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client closed the connection, so no one reads the response.
		s.log.Info("client closed the connection before the answer", "request_id", infoFrom(r.Context()).id)
		w.WriteHeader(499)
		return
	}
	id := infoFrom(r.Context()).id
	se := toSCIMError(err)
	switch {
	case se == nil && isStoreUnavailable(err):
		s.log.Error("database unavailable", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
		se = storeUnavailable()
		w.Header().Set("Retry-After", storeRetryAfterSeconds)
	case se == nil:
		s.log.Error("request failed", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
		se = scim.Errorf(http.StatusInternalServerError, "", "internal server error; the server log has the cause under request id %s", id)
	case se.Status < 500:
		// The detail names the value and the fix, so the log shows the
		// text that the IdP's admin reads. No detail quotes a credential.
		s.log.Info("request rejected", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", se.Status, "scim_type", se.ScimType, "detail", se.Detail)
	}
	s.writeJSON(w, r, se.Status, se)
}

// checkContentType accepts application/scim+json and application/json,
// with or without parameters such as charset=utf-8, as RFC 7644 Section
// 3.1 and Okta's spec test send them. Another charset than UTF-8 is
// rejected, because JSON is UTF-8 (RFC 8259 Section 8.1).
func checkContentType(r *http.Request) error {
	header := r.Header.Get("Content-Type")
	if header == "" {
		return scim.Errorf(http.StatusUnsupportedMediaType, "", "missing Content-Type; send application/scim+json")
	}
	mt, params, err := mime.ParseMediaType(header)
	if err != nil {
		return scim.Errorf(http.StatusUnsupportedMediaType, "", "invalid Content-Type %s; send application/scim+json", scim.Quote(header))
	}
	if mt != "application/scim+json" && mt != "application/json" {
		return scim.Errorf(http.StatusUnsupportedMediaType, "", "unsupported Content-Type %s; send application/scim+json or application/json", scim.Quote(mt))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return scim.Errorf(http.StatusUnsupportedMediaType, "", "unsupported charset %s; SCIM bodies are UTF-8", scim.Quote(cs))
	}
	return nil
}

// readBody reads and checks a JSON request body: media type, size limit,
// UTF-8 and JSON syntax. It returns the raw bytes.
func readBody(r *http.Request) ([]byte, error) {
	if err := checkContentType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, err
		}
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "reading the request body failed: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "empty request body; send a JSON object")
	}
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			c, size := utf8.DecodeRune(body[at:])
			if c == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body is not valid UTF-8 at byte %d; JSON must be UTF-8", at)
	}
	return body, nil
}

// decodeObject decodes body as one JSON object with numbers kept as
// json.Number, so integers come back exactly as sent.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, jsonSyntaxError(err)
	}
	if obj == nil {
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body is null; send a JSON object")
	}
	if dec.More() {
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body has data after the JSON object at byte %d", dec.InputOffset())
	}
	return obj, nil
}

// jsonSyntaxError turns an encoding/json error into a 400 whose detail
// names where the body broke.
func jsonSyntaxError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body is not valid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body is a JSON %s where an object was expected", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body ends inside a JSON value")
	}
	return scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the request body is not valid JSON: %v", err)
}
