package filter

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// The filters Okta and Entra send most: the lookup before a create.
const (
	oktaFilter    = `userName eq "bjensen@example.com"`
	entraFilter   = `emails[type eq "work"].value eq "bjensen@example.com"`
	complexFilter = `emails[type eq "work" and value co "@example.com"] or userName eq "bjensen"`
)

func benchmarkParse(b *testing.B, in string) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseOkta(b *testing.B)    { benchmarkParse(b, oktaFilter) }
func BenchmarkParseEntra(b *testing.B)   { benchmarkParse(b, entraFilter) }
func BenchmarkParseComplex(b *testing.B) { benchmarkParse(b, complexFilter) }

func BenchmarkParsePathMember(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePath(`members[value eq "2819c223-7f76-453a-919d-413861904646"]`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLimitOrChain parses the longest or-chain within the limits,
// the worst case an attacker can send in one filter.
func BenchmarkParseLimitOrChain(b *testing.B) {
	parts := make([]string, MaxTerms)
	for i := range parts {
		parts[i] = "a pr"
	}
	benchmarkParse(b, strings.Join(parts, " or "))
}

// benchmarkParseMatch parses, compiles and evaluates a filter against one
// User, as a server does for a lookup against one stored resource.
func benchmarkParseMatch(b *testing.B, in string) {
	rt := schema.Default().ResourceType("User")
	user := decode(b, bjensen, false)
	b.ReportAllocs()
	for b.Loop() {
		e, err := Parse(in)
		if err != nil {
			b.Fatal(err)
		}
		pred, err := Compile(e, rt)
		if err != nil {
			b.Fatal(err)
		}
		if !pred(user) && in != complexFilter {
			b.Fatal("no match")
		}
	}
}

func BenchmarkParseMatchOkta(b *testing.B)    { benchmarkParseMatch(b, oktaFilter) }
func BenchmarkParseMatchEntra(b *testing.B)   { benchmarkParseMatch(b, entraFilter) }
func BenchmarkParseMatchComplex(b *testing.B) { benchmarkParseMatch(b, complexFilter) }

// BenchmarkMatchOkta evaluates a compiled filter only, the cost per stored
// resource of an in-memory scan.
func BenchmarkMatchOkta(b *testing.B) {
	rt := schema.Default().ResourceType("User")
	user := decode(b, bjensen, false)
	e, err := Parse(oktaFilter)
	if err != nil {
		b.Fatal(err)
	}
	pred, err := Compile(e, rt)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !pred(user) {
			b.Fatal("no match")
		}
	}
}
