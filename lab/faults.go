package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	scimserver "github.com/scimdoctor/scimdoctor/scim/server"
)

// maxFaultBody bounds the request body a fault middleware reads to decide.
// A larger body goes to the server unchanged, and the server rejects it with
// 413 because its own limit is the same.
const maxFaultBody = scimserver.DefaultMaxBodyBytes

// resourcePath returns the path of r below the SCIM base path, such as
// "/Users" or "/Users/ID", and false when r is outside it.
func resourcePath(r *http.Request) (string, bool) {
	i := strings.Index(r.URL.Path, scimBasePath)
	if i < 0 {
		return "", false
	}
	return r.URL.Path[i+len(scimBasePath):], true
}

// isCollection reports whether r is a GET on /Users or /Groups.
func isCollection(r *http.Request) bool {
	p, ok := resourcePath(r)
	return ok && r.Method == http.MethodGet && (p == "/Users" || p == "/Groups")
}

// serveRecorded runs next on r into a recorder, so a fault can look at the
// honest response before the client does.
func serveRecorded(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// writeRecorded sends the recorded response with body in place of the
// recorded body.
func writeRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for name, values := range rec.Header() {
		w.Header()[name] = values
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// writeSCIMError sends a SCIM error response as scim/server does.
func writeSCIMError(w http.ResponseWriter, e *scim.Error) {
	body, err := json.Marshal(e)
	if err != nil {
		// unreachable: an Error marshals to strings only
		http.Error(w, e.Detail, e.Status)
		return
	}
	w.Header().Set("Content-Type", scimMediaType+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(e.Status)
	w.Write(append(body, '\n'))
}

// peekBody reads the body of r, up to maxFaultBody bytes, and puts it back
// so the server reads the same bytes. It returns nil for a larger body.
func peekBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
	if err != nil || len(data) > maxFaultBody {
		return nil
	}
	return data
}

// emptyFilter404 responds to a filtered GET on /Users or /Groups that matches
// nothing with 404, as servers that treat a lookup as a read of one
// resource do.
func emptyFilter404(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isCollection(r) || r.URL.Query().Get("filter") == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := serveRecorded(next, r)
		var list struct {
			TotalResults *int `json:"totalResults"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil || list.TotalResults == nil || *list.TotalResults != 0 {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		logger.Info("lab fault: 404 for a filter that matches nothing", "filter", r.URL.Query().Get("filter"))
		writeSCIMError(w, scim.Errorf(http.StatusNotFound, "", "no resource matches the filter %s", scim.Quote(r.URL.Query().Get("filter"))))
	})
}

// patchOpCase rejects a PATCH whose op is not written in lowercase, such
// as Entra's "Replace". RFC 7644, Section 3.5.2 spells the ops in
// lowercase, but Entra ID sends them capitalised.
func patchOpCase(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		var body struct {
			Operations []struct {
				Op string `json:"op"`
			}
		}
		if json.Unmarshal(peekBody(r), &body) == nil {
			for _, op := range body.Operations {
				switch op.Op {
				case "add", "remove", "replace":
					continue
				}
				logger.Info("lab fault: 400 for an op that is not lowercase", "op", op.Op)
				writeSCIMError(w, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "invalid op %s: use \"add\", \"remove\" or \"replace\"", scim.Quote(op.Op)))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// booleanAttributes are the boolean attributes of the User and Group
// schemas that IdPs send (RFC 7643, Sections 4.1.1 and 2.4).
var booleanAttributes = map[string]bool{"active": true, "primary": true}

// attributeName returns the last name of an attribute path or key, so
// "emails[type eq \"work\"].primary" and
// "urn:ietf:params:scim:schemas:core:2.0:User:active" give "primary" and
// "active".
func attributeName(path string) string {
	if i := strings.LastIndexAny(path, ".:]"); i >= 0 {
		path = path[i+1:]
	}
	return strings.ToLower(path)
}

// stringBoolean returns the attribute and value of the first boolean
// attribute in v that is given as a JSON string, such as "active": "False".
func stringBoolean(v any) (attribute, value string, found bool) {
	switch v := v.(type) {
	case map[string]any:
		for key, child := range v {
			if s, ok := child.(string); ok && booleanAttributes[attributeName(key)] {
				return key, s, true
			}
			if a, s, ok := stringBoolean(child); ok {
				return a, s, true
			}
		}
	case []any:
		for _, child := range v {
			if a, s, ok := stringBoolean(child); ok {
				return a, s, true
			}
		}
	}
	return "", "", false
}

// rejectStringBooleans rejects a POST, PUT or PATCH that gives a boolean
// attribute as a string, such as Entra's {"op":"Replace","path":"active",
// "value":"False"}. RFC 7643, Section 2.3.2 requires a JSON boolean, but
// Entra ID sends strings.
func rejectStringBooleans(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		var body any
		if json.Unmarshal(peekBody(r), &body) != nil {
			next.ServeHTTP(w, r)
			return
		}
		attribute, value, found := stringBoolean(body)
		if !found && r.Method == http.MethodPatch {
			attribute, value, found = stringBooleanOperation(body)
		}
		if !found {
			next.ServeHTTP(w, r)
			return
		}
		logger.Info("lab fault: 400 for a boolean given as a string", "attribute", attribute, "value", value)
		writeSCIMError(w, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "attribute %s must be a JSON boolean, not the string %s", scim.Quote(attribute), scim.Quote(value)))
	})
}

// stringBooleanOperation finds a PATCH operation whose path names a
// boolean attribute and whose value is a string.
func stringBooleanOperation(body any) (attribute, value string, found bool) {
	m, _ := body.(map[string]any)
	ops, _ := m["Operations"].([]any)
	for _, op := range ops {
		o, _ := op.(map[string]any)
		path, _ := o["path"].(string)
		s, isString := o["value"].(string)
		if isString && booleanAttributes[attributeName(path)] {
			return path, s, true
		}
	}
	return "", "", false
}

// proxyErrorPage is the HTML page the html-error endpoint's proxy sends in
// place of every error response, as a reverse proxy that intercepts
// upstream errors (nginx proxy_intercept_errors with error_page) does.
const proxyErrorPage = `<!DOCTYPE html>
<html>
<head><title>%d %s</title></head>
<body>
<h1>%d %s</h1>
<p>The request could not be completed.</p>
<hr><address>%s</address>
</body>
</html>
`

// htmlErrorPages replaces the body of every response with status 400 or
// above by an HTML page from the proxy, and keeps the status.
func htmlErrorPages(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := serveRecorded(next, r)
		if rec.Code < http.StatusBadRequest {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		logger.Info("lab fault: HTML page in place of a SCIM error", "status", rec.Code, "path", r.URL.Path)
		reason := html.EscapeString(http.StatusText(rec.Code))
		page := fmt.Appendf(nil, proxyErrorPage, rec.Code, reason, rec.Code, reason, proxyProduct)
		rec.Header().Set("Content-Type", "text/html; charset=utf-8")
		rec.Header().Set("Server", proxyProduct)
		writeRecorded(w, rec, page)
	})
}

// totalResultsString sends totalResults of every list response as a JSON
// string, such as "totalResults": "1", where RFC 7644, Section 3.4.2
// requires a number.
func totalResultsString(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := serveRecorded(next, r)
		var list map[string]json.RawMessage
		if json.Unmarshal(rec.Body.Bytes(), &list) != nil || !bytes.Contains(list["schemas"], []byte(scim.ListResponseURN)) {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		total, ok := list["totalResults"]
		if !ok {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		quoted, err := json.Marshal(string(total))
		if err != nil {
			// unreachable: a string always marshals
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		list["totalResults"] = quoted
		body, err := json.Marshal(list)
		if err != nil {
			// unreachable: the values are the raw JSON just decoded
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		logger.Info("lab fault: totalResults as a string", "total", string(total))
		writeRecorded(w, rec, append(body, '\n'))
	})
}

// duplicate201 responds to a POST /Users whose userName is taken with 201 and
// the existing user, where RFC 7644, Section 3.3 requires 409 with
// scimType uniqueness. Nothing new is stored.
func duplicate201(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := resourcePath(r)
		if !ok || r.Method != http.MethodPost || p != "/Users" {
			next.ServeHTTP(w, r)
			return
		}
		var body struct {
			UserName string `json:"userName"`
		}
		json.Unmarshal(peekBody(r), &body)
		rec := serveRecorded(next, r)
		var scimErr scim.Error
		if rec.Code != http.StatusConflict || body.UserName == "" || json.Unmarshal(rec.Body.Bytes(), &scimErr) != nil || scimErr.ScimType != scim.Uniqueness {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}

		// Read the existing user through the server, with the client's
		// credentials.
		query := url.Values{"filter": {"userName eq " + strconv.Quote(body.UserName)}}
		lookup := r.Clone(r.Context())
		lookup.Method = http.MethodGet
		lookup.Body = http.NoBody
		lookup.ContentLength = 0
		lookup.URL.RawQuery = query.Encode()
		found := serveRecorded(next, lookup)
		var list struct {
			Resources []json.RawMessage `json:"Resources"`
		}
		if found.Code != http.StatusOK || json.Unmarshal(found.Body.Bytes(), &list) != nil || len(list.Resources) != 1 {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		var user struct {
			ID   string `json:"id"`
			Meta struct {
				Location string `json:"location"`
			} `json:"meta"`
		}
		json.Unmarshal(list.Resources[0], &user)
		logger.Info("lab fault: 201 for a duplicate userName", "userName", body.UserName, "id", user.ID)
		w.Header().Set("Content-Type", scimMediaType+"; charset=utf-8")
		if user.Meta.Location != "" {
			w.Header().Set("Location", user.Meta.Location)
		}
		w.WriteHeader(http.StatusCreated)
		w.Write(append(list.Resources[0], '\n'))
	})
}

// mediaTypeIs reports whether the header value names the media type
// want, with or without parameters.
func mediaTypeIs(value, want string) bool {
	mediaType, _, err := mime.ParseMediaType(value)
	return err == nil && strings.EqualFold(mediaType, want)
}

// acceptsJSON reports whether an Accept header value allows
// application/json: it names it, a wildcard that covers it, or nothing.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch strings.ToLower(mediaType) {
		case "application/json", "application/*", "*/*":
			return true
		}
	}
	return false
}

// jsonOnly accepts and sends only application/json, as a web framework
// route declared to produce and consume JSON does: an Accept without application/json
// gets 406, a body in application/scim+json gets 415, and every response is
// labelled application/json. RFC 7644, Section 3.1 makes
// application/scim+json the SCIM media type.
func jsonOnly(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Authentication runs first, as in a framework whose security
		// filter comes before content negotiation, so a bad token still
		// gets the server's 401.
		if !labBearer(r.Header.Get("Authorization")) {
			next.ServeHTTP(w, r)
			return
		}
		if accept := r.Header.Get("Accept"); !acceptsJSON(accept) {
			logger.Info("lab fault: 406 for an Accept without application/json", "accept", accept)
			writeJSONOnlyError(w, scim.Errorf(http.StatusNotAcceptable, "", "cannot produce %s: this server sends application/json only", scim.Quote(accept)))
			return
		}
		if contentType := r.Header.Get("Content-Type"); contentType != "" && !mediaTypeIs(contentType, "application/json") {
			logger.Info("lab fault: 415 for a body that is not application/json", "content_type", contentType)
			writeJSONOnlyError(w, scim.Errorf(http.StatusUnsupportedMediaType, "", "content type %s is not supported: send application/json", scim.Quote(contentType)))
			return
		}
		rec := serveRecorded(next, r)
		if mediaTypeIs(rec.Header().Get("Content-Type"), scimMediaType) {
			rec.Header().Set("Content-Type", "application/json")
		}
		writeRecorded(w, rec, rec.Body.Bytes())
	})
}

func writeJSONOnlyError(w http.ResponseWriter, e *scim.Error) {
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}

// labBearer reports whether header is "Bearer lab-token", with the scheme
// in any case (RFC 9110, Section 11.1).
func labBearer(header string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	return ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) == BearerToken
}

// userNameEquals returns the value of a filter of the form
// `userName eq "VALUE"`, and false for every other filter.
func userNameEquals(raw string) (string, bool) {
	expr, err := filter.Parse(raw)
	if err != nil {
		return "", false
	}
	c, ok := expr.(*filter.Compare)
	if !ok || c.Op != filter.Eq || c.Value.Kind != filter.StringValue || c.Path.Sub != "" || !strings.EqualFold(c.Path.Name, "userName") {
		return "", false
	}
	return c.Value.Text, true
}

// caseSensitiveUserName compares userName case-sensitively in a filter
// `userName eq "VALUE"`, where RFC 7643, Section 4.1.1 makes userName
// caseExact false. The server finds the user, and the fault drops every
// result whose userName differs from VALUE in case.
func caseSensitiveUserName(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := resourcePath(r)
		value, isUserName := userNameEquals(r.URL.Query().Get("filter"))
		if !ok || r.Method != http.MethodGet || p != "/Users" || !isUserName {
			next.ServeHTTP(w, r)
			return
		}
		rec := serveRecorded(next, r)
		var list map[string]json.RawMessage
		var resources []json.RawMessage
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil || json.Unmarshal(list["Resources"], &resources) != nil {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		var matching []json.RawMessage
		for _, res := range resources {
			var user struct {
				UserName string `json:"userName"`
			}
			if json.Unmarshal(res, &user) == nil && user.UserName == value {
				matching = append(matching, res)
			}
		}
		if len(matching) == len(resources) {
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		logger.Info("lab fault: case-sensitive userName match dropped users", "filter", r.URL.Query().Get("filter"), "dropped", len(resources)-len(matching))
		count, _ := json.Marshal(len(matching))
		list["totalResults"] = count
		list["itemsPerPage"] = count
		if matching == nil {
			matching = []json.RawMessage{}
		}
		list["Resources"], _ = json.Marshal(matching)
		body, err := json.Marshal(list)
		if err != nil {
			// unreachable: the values are raw JSON just decoded
			writeRecorded(w, rec, rec.Body.Bytes())
			return
		}
		writeRecorded(w, rec, append(body, '\n'))
	})
}
