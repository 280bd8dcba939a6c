package fingerprint

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// MaxDistance is the largest number of differing tokens at which Identify
// still reports an entry. With 12 hellos, 3 differences leave 9 equal
// tokens. In the measured table, entries of different TLS libraries differ
// in at least 5 tokens. Two OpenSSL products with the same protocol
// settings can differ in only 2, so a near match is surer of the library
// than of the product.
const MaxDistance = 3

// minConclusive is the number of conclusive tokens below which Identify
// reports nothing: with fewer, most table entries would be equally close.
const minConclusive = 6

// Confidence levels of a Match.
const (
	ConfidenceExact = "exact" // every conclusive token equal
	ConfidenceHigh  = "high"  // one token differs
	ConfidenceLow   = "low"   // 2 to MaxDistance tokens differ
)

// Match is one table entry close to a fingerprint.
type Match struct {
	// Entry is the ID of the table entry.
	Entry string `json:"entry"`
	// Stack names the products measured, the TLS library and the setting,
	// such as "nginx 1.22.1 / OpenSSL 3.0.19, default settings".
	Stack      string `json:"stack"`
	Confidence string `json:"confidence"`
	// Source names where the entry comes from: measured here, with the
	// packages and date, or a public source with its address.
	Source string `json:"source"`
	// Distance is the number of conclusive tokens that differ.
	Distance int `json:"distance"`
	// Differs names the hellos whose tokens differ.
	Differs []string `json:"differs,omitempty"`
}

// Table is the embedded fingerprint table.
type Table struct {
	// HelloSet is the hello set the tokens were taken with.
	HelloSet string  `json:"hello_set"`
	Entries  []Entry `json:"entries"`
}

// Entry is one distinct fingerprint and the servers that produced it.
type Entry struct {
	ID    string `json:"id"`
	Stack string `json:"stack"`
	// Source is "measured here on ..." with packages and date, or the
	// address of a public source.
	Source string `json:"source"`
	// Servers lists the server configurations measured with exactly these
	// tokens. More than one means the TLS layer cannot tell them apart.
	Servers []Server `json:"servers"`
	// Tokens maps hello names to tokens.
	Tokens map[string]string `json:"tokens"`
}

// Server is one measured server configuration.
type Server struct {
	// Key identifies the configuration in the package's tests, such as
	// "nginx/tls10".
	Key string `json:"key"`
	// Product and Library name the software with its version, such as
	// "nginx 1.22.1" and "OpenSSL 3.0.19".
	Product string `json:"product"`
	Library string `json:"library"`
	// Setting describes the TLS configuration, such as "default settings"
	// or "TLS 1.0 only".
	Setting string `json:"setting"`
}

//go:embed table.json
var tableJSON []byte

var (
	table    Table
	tableErr error
)

func init() {
	table, tableErr = parseTable(tableJSON)
}

// parseTable decodes and checks a table: every entry has an ID, a stack, a
// source and a token for every hello of the set.
func parseTable(data []byte) (Table, error) {
	var t Table
	if err := json.Unmarshal(data, &t); err != nil {
		return Table{}, fmt.Errorf("fingerprint table: %w", err)
	}
	if t.HelloSet != HelloSet {
		return Table{}, fmt.Errorf("fingerprint table was taken with hello set %q, but the package sends %q; rebuild it with go test ./fingerprint -run TestTable -update", t.HelloSet, HelloSet)
	}
	seen := map[string]bool{}
	for i, e := range t.Entries {
		if e.ID == "" || e.Stack == "" || e.Source == "" {
			return Table{}, fmt.Errorf("fingerprint table entry %d (%q) lacks an id, a stack or a source", i, e.ID)
		}
		if seen[e.ID] {
			return Table{}, fmt.Errorf("fingerprint table has two entries with id %q", e.ID)
		}
		seen[e.ID] = true
		for _, h := range hellos {
			if e.Tokens[h.Name] == "" {
				return Table{}, fmt.Errorf("fingerprint table entry %q has no token for hello %q", e.ID, h.Name)
			}
		}
	}
	return t, nil
}

// Entries returns the embedded table, or an error when it does not decode
// or was taken with another hello set, which a package test catches first.
func Entries() ([]Entry, error) {
	if tableErr != nil {
		return nil, tableErr
	}
	return slices.Clone(table.Entries), nil
}

// Identify compares fp with the embedded table and returns the entries at
// most MaxDistance tokens away, closest first, ties in table order. Tokens
// that are no evidence (timeout, connect_failed, probe_error) are skipped.
// An empty result means the stack is unknown: no entry is close enough,
// fp has fewer than 6 conclusive tokens, fp was taken with another hello
// set, or the embedded table is broken (Entries returns why).
func Identify(fp *Fingerprint) []Match {
	if fp == nil || tableErr != nil || fp.HelloSet != table.HelloSet || fp.Conclusive() < minConclusive {
		return nil
	}
	tokens := fp.Tokens()
	var matches []Match
	for _, e := range table.Entries {
		var differs []string
		for _, h := range hellos {
			got := tokens[h.Name]
			if conclusive(got) && got != e.Tokens[h.Name] {
				differs = append(differs, h.Name)
			}
		}
		if len(differs) > MaxDistance {
			continue
		}
		matches = append(matches, Match{
			Entry:      e.ID,
			Stack:      e.Stack,
			Confidence: confidence(len(differs)),
			Source:     e.Source,
			Distance:   len(differs),
			Differs:    differs,
		})
	}
	slices.SortStableFunc(matches, func(a, b Match) int { return a.Distance - b.Distance })
	return matches
}

func confidence(distance int) string {
	switch distance {
	case 0:
		return ConfidenceExact
	case 1:
		return ConfidenceHigh
	}
	return ConfidenceLow
}

// String returns, for example, "nginx ... (exact)" or "Go crypto/tls ...
// (low, 2 tokens differ: tls11, ssl3)".
func (m Match) String() string {
	if m.Distance == 0 {
		return fmt.Sprintf("%s (%s)", m.Stack, m.Confidence)
	}
	noun := "tokens differ"
	if m.Distance == 1 {
		noun = "token differs"
	}
	return fmt.Sprintf("%s (%s, %d %s: %s)", m.Stack, m.Confidence, m.Distance, noun, strings.Join(m.Differs, ", "))
}
