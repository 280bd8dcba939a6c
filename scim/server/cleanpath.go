package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// cleanPath wraps the route mux, which responds to a path that is not in
// canonical form with a 307 redirect and an HTML body before any handler
// runs. IdPs built on Java HTTP clients do not follow a 307 for a POST,
// and they cannot read the HTML. So:
//
//   - a path with empty segments, such as /scim/v2//Users from a base URL
//     that ends in "/", is served as the path with each run of slashes
//     collapsed to one;
//   - a path with a "." or ".." segment gets a SCIM 404 that names the
//     path to use, because a server should not guess which resource a
//     path that climbs out of its prefix means.
//
// CONNECT requests pass unchanged, as the mux leaves their path alone.
func (s *Server) cleanPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if r.Method == http.MethodConnect || !strings.HasPrefix(p, "/") {
			next.ServeHTTP(w, r)
			return
		}
		if hasDotSegment(p) {
			s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "no endpoint at %s: the path has a \".\" or \"..\" segment; send the path without it, such as %s",
				scim.Quote(p), scim.Quote(resolveDotSegments(p))))
			return
		}
		if !strings.Contains(p, "//") {
			next.ServeHTTP(w, r)
			return
		}
		escaped := collapseSlashes(r.URL.EscapedPath())
		decoded, err := url.PathUnescape(escaped)
		if err != nil {
			// unreachable: collapsing slashes keeps a valid escaping valid
			decoded = collapseSlashes(p)
			escaped = ""
		}
		u := *r.URL
		u.Path, u.RawPath = decoded, escaped
		clean := r.Clone(r.Context())
		clean.URL = &u
		next.ServeHTTP(w, clean)
	})
}

// hasDotSegment reports whether the path has a segment "." or "..".
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// resolveDotSegments returns p with its dot segments resolved and its
// empty segments removed, as RFC 3986 Section 5.2.4 resolves a reference.
func resolveDotSegments(p string) string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// collapseSlashes replaces each run of slashes in p by one slash.
func collapseSlashes(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
