package inspector

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AdminCookie is the cookie that carries the admin token after a login on
// the page.
const AdminCookie = "scimdoctor_inspector"

//go:embed page.html
var pageFS embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"versions":  func(h *ClientHello) string { return versionList(h.OfferedVersions()) },
	"suites":    func(h *ClientHello) string { return joinNames(h.CipherSuites, suiteName) },
	"groups":    func(h *ClientHello) string { return joinNames(h.SupportedGroups, groupName) },
	"sigalgs":   func(h *ClientHello) string { return joinNames(h.SignatureAlgorithms, schemeName) },
	"exts":      func(h *ClientHello) string { return joinNames(h.Extensions, extensionName) },
	"version":   versionName,
	"suite":     suiteName,
	"group":     groupName,
	"timestamp": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") },
	"ms":        func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) },
	"join":      strings.Join,
	"hexdump":   func(b []byte) string { return printable(b) },
}).ParseFS(pageFS, "page.html"))

// HashToken returns the SHA-256 of an admin token, the form Handler takes.
func HashToken(token string) [32]byte {
	return sha256.Sum256([]byte(token))
}

// Handler serves the inspector under /_inspector for the admin whose token
// hashes (SHA-256, see HashToken) to adminTokenHash. Mount it at both
// "/_inspector" and "/_inspector/". It serves:
//
//   - GET /_inspector: the HTML page, handshakes and requests newest first;
//   - POST /_inspector/login: a form field "token" that, when right, sets
//     the AdminCookie (HttpOnly, SameSite=Strict) and redirects to the page;
//   - GET /_inspector/api/handshakes and /_inspector/api/requests: JSON
//     arrays, newest first;
//   - GET /_inspector/api/handshakes/{id}/profile?name=NAME: the hello of
//     that handshake as a client profile file (see ProfileFromHello).
//
// Every path but the login requires the token as "Authorization: Bearer
// TOKEN" or in the cookie; the comparison is of hashes in constant time.
// Without it the page shows the login form and the API returns 401. Use a
// token of its own: the SCIM bearer tokens do not open the inspector.
func (r *Recorder) Handler(adminTokenHash [32]byte) http.Handler {
	return &pageHandler{rec: r, tokenHash: adminTokenHash}
}

type pageHandler struct {
	rec       *Recorder
	tokenHash [32]byte
}

var profilePath = regexp.MustCompile(`^/_inspector/api/handshakes/([0-9]{1,19})/profile$`)

func (p *pageHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	// The page uses no script; a strict policy makes an injected one inert
	// even if escaping ever failed.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")

	path := strings.TrimSuffix(req.URL.Path, "/")
	if path == "/_inspector/login" {
		p.login(w, req)
		return
	}
	authorized := p.authorized(req)
	switch {
	case path == "/_inspector" && req.Method == http.MethodGet:
		if !authorized {
			w.WriteHeader(http.StatusUnauthorized)
			p.render(w, pageData{Login: true})
			return
		}
		p.render(w, pageData{Handshakes: p.rec.Handshakes(), Requests: p.rec.Requests(), Host: req.Host})
	case strings.HasPrefix(path, "/_inspector/api/") && !authorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="scimdoctor inspector"`)
		writeJSONError(w, http.StatusUnauthorized, "missing or wrong admin token: send Authorization: Bearer ADMIN_TOKEN")
	case path == "/_inspector/api/handshakes" && req.Method == http.MethodGet:
		writeJSON(w, p.rec.Handshakes())
	case path == "/_inspector/api/requests" && req.Method == http.MethodGet:
		writeJSON(w, p.rec.Requests())
	case profilePath.MatchString(path) && req.Method == http.MethodGet:
		p.profile(w, req, profilePath.FindStringSubmatch(path)[1])
	default:
		http.NotFound(w, req)
	}
}

func (p *pageHandler) authorized(req *http.Request) bool {
	token := ""
	if auth := req.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		token = strings.TrimSpace(auth[7:])
	} else if c, err := req.Cookie(AdminCookie); err == nil {
		token = c.Value
	}
	if token == "" {
		return false
	}
	got := HashToken(token)
	return subtle.ConstantTimeCompare(got[:], p.tokenHash[:]) == 1
}

func (p *pageHandler) login(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Redirect(w, req, "/_inspector", http.StatusSeeOther)
		return
	}
	req.Body = http.MaxBytesReader(w, req.Body, 4096)
	token := req.PostFormValue("token")
	got := HashToken(token)
	if token == "" || subtle.ConstantTimeCompare(got[:], p.tokenHash[:]) != 1 {
		w.WriteHeader(http.StatusUnauthorized)
		p.render(w, pageData{Login: true, LoginFailed: true})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: AdminCookie, Value: token, Path: "/_inspector",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: req.TLS != nil,
	})
	http.Redirect(w, req, "/_inspector", http.StatusSeeOther)
}

func (p *pageHandler) profile(w http.ResponseWriter, req *http.Request, rawID string) {
	id, err := strconv.ParseUint(rawID, 10, 64)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("invalid handshake id %q", rawID))
		return
	}
	h, ok := p.rec.Handshake(id)
	if !ok {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no handshake %d in the recorder: it may have been overwritten; list /_inspector/api/handshakes", id))
		return
	}
	data, err := ProfileFromHandshake(h, req.URL.Query().Get("name"))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", req.URL.Query().Get("name")+".json"))
	w.Write(data)
}

type pageData struct {
	Login       bool
	LoginFailed bool
	Host        string
	Handshakes  []Handshake
	Requests    []Request
}

func (p *pageHandler) render(w http.ResponseWriter, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTemplate.Execute(w, data); err != nil {
		// The header is already sent, so the page ends early. Only a
		// bug in the template makes Execute fail here.
		fmt.Fprintf(w, "\n<p>inspector: rendering failed</p>")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": message})
}
