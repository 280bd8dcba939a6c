package server

import (
	"strings"
	"testing"
)

// FuzzCleanPathHelpers checks that the path helpers of cleanPath never
// panic and return canonical paths for any input.
func FuzzCleanPathHelpers(f *testing.F) {
	for _, seed := range []string{"/scim/v2//Users", "/tenants/../scim/v2/Users", "//", "/./a/../../b", "", "/a/%2e%2e/b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		collapsed := collapseSlashes(p)
		if strings.Contains(collapsed, "//") {
			t.Errorf("collapseSlashes(%q) = %q keeps an empty segment", p, collapsed)
		}
		resolved := resolveDotSegments(p)
		if !strings.HasPrefix(resolved, "/") || strings.Contains(resolved, "//") || hasDotSegment(resolved) {
			t.Errorf("resolveDotSegments(%q) = %q is not canonical", p, resolved)
		}
	})
}
