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
	// sent is each tag as the client sent it, weak prefix and quotes
	// included, for error details.
	sent []string
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
		et.sent = append(et.sent, part)
		part = strings.TrimPrefix(part, "W/")
		et.tags = append(et.tags, strings.Trim(part, `"`))
	}
	return et
}

// matches reports whether the header names the entity tag whose opaque
// part is tag (see entityTag).
func (et entityTags) matches(tag string) bool {
	if et.any {
		return true
	}
	for _, t := range et.tags {
		if t == tag {
			return true
		}
	}
	return false
}

// maxSentDetail bounds the echo of a client's tags in a 412 detail.
const maxSentDetail = 200

// sentText returns the tags as the client sent them, weak prefix
// included, for an error detail.
func (et entityTags) sentText() string {
	text := strings.Join(et.sent, ", ")
	if len(text) > maxSentDetail {
		text = text[:maxSentDetail] + "..."
	}
	return text
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

// check returns a 412 error when tag, the opaque part of the current
// entity tag, fails a condition.
func (p preconditions) check(tag string) error {
	if p.ifMatch.present && !p.ifMatch.matches(tag) {
		return scim.Errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s; read the resource again and retry with its ETag",
			p.ifMatch.sentText(), weakTag(tag))
	}
	if p.ifNoneMatch.present && p.ifNoneMatch.matches(tag) {
		return scim.Errorf(http.StatusPreconditionFailed, "", "If-None-Match matches the current version %s, so the write is not done", weakTag(tag))
	}
	return nil
}

// any reports whether a condition is set.
func (p preconditions) any() bool { return p.ifMatch.present || p.ifNoneMatch.present }

// singleVersion returns the version of an If-Match with exactly one tag
// and no If-None-Match, which the store can check in its own transaction.
// It applies to Groups only, whose entity tag is the version alone.
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
