package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// entityTags is a parsed If-Match or If-None-Match header (RFC 9110
// Section 13.1). The comparison ignores the weak prefix W/, because SCIM
// clients send the weak ETags of RFC 7644 Section 3.14 back in If-Match.
type entityTags struct {
	present bool
	any     bool // "*"
	tags    []string
}

func parseEntityTags(header string) entityTags {
	if strings.TrimSpace(header) == "" {
		return entityTags{}
	}
	et := entityTags{present: true}
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" {
			et.any = true
			continue
		}
		part = strings.TrimPrefix(part, "W/")
		et.tags = append(et.tags, strings.Trim(part, `"`))
	}
	return et
}

// matches reports whether the header names version.
func (et entityTags) matches(version int64) bool {
	if et.any {
		return true
	}
	v := strconv.FormatInt(version, 10)
	for _, t := range et.tags {
		if t == v {
			return true
		}
	}
	return false
}

// preconditions are the conditional headers of a write.
type preconditions struct {
	ifMatch, ifNoneMatch entityTags
}

func readPreconditions(r *http.Request) preconditions {
	return preconditions{
		ifMatch:     parseEntityTags(r.Header.Get("If-Match")),
		ifNoneMatch: parseEntityTags(r.Header.Get("If-None-Match")),
	}
}

// check returns a 412 error when the stored version fails a condition.
func (p preconditions) check(version int64) error {
	if p.ifMatch.present && !p.ifMatch.matches(version) {
		return scim.Errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s; read the resource again and retry with its ETag",
			scim.Quote(strings.Join(p.ifMatch.tags, ", ")), etag(version))
	}
	if p.ifNoneMatch.present && p.ifNoneMatch.matches(version) {
		return scim.Errorf(http.StatusPreconditionFailed, "", "If-None-Match matches the current version %s, so the write is not done", etag(version))
	}
	return nil
}

// any reports whether a condition is set.
func (p preconditions) any() bool { return p.ifMatch.present || p.ifNoneMatch.present }

// singleVersion returns the version of an If-Match with exactly one tag
// and no If-None-Match, which the store can check in its own transaction.
func (p preconditions) singleVersion() (int64, bool) {
	if p.ifNoneMatch.present || !p.ifMatch.present || p.ifMatch.any || len(p.ifMatch.tags) != 1 {
		return 0, false
	}
	v, err := strconv.ParseInt(p.ifMatch.tags[0], 10, 64)
	if err != nil || v < 1 {
		return 0, false
	}
	return v, true
}
