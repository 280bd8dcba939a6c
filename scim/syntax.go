package scim

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError reports where a filter, a PATCH path or an attribute path
// stopped parsing. It unwraps to an *Error with status 400 and ScimType, so
// an HTTP handler needs only errors.As(err, &*Error).
type SyntaxError struct {
	// Offset is the byte offset, counted from 0, of the first byte that the
	// parser could not accept.
	Offset int
	// Problem names what was found there, such as `unexpected "]"`.
	Problem string
	// Hint is the expected input or the fix. It may be empty.
	Hint string
	// ScimType is InvalidFilter for filters and InvalidPath for paths.
	ScimType string
}

// Error returns "PROBLEM at OFFSET: HINT", for example
// `unexpected "]" at 17: expected a comparison operator`.
func (e *SyntaxError) Error() string {
	if e.Hint == "" {
		return e.Problem + " at " + strconv.Itoa(e.Offset)
	}
	return e.Problem + " at " + strconv.Itoa(e.Offset) + ": " + e.Hint
}

// Unwrap returns the SCIM error response for this syntax error.
func (e *SyntaxError) Unwrap() error {
	return &Error{Status: 400, ScimType: e.ScimType, Detail: e.Error()}
}

// maxQuoted is the number of input bytes a message quotes before it cuts the
// rest, so a 1 MB token does not become a 1 MB message.
const maxQuoted = 80

// Quote returns s as a Go-quoted string for a message, cut after 80 bytes
// (on a rune boundary) with "..." appended. Invalid UTF-8 and control bytes
// come out escaped, so the result is safe to log and to send.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

// Unexpected returns a SyntaxError for the token tok found at offset.
func Unexpected(scimType string, offset int, tok, hint string) *SyntaxError {
	return &SyntaxError{Offset: offset, Problem: "unexpected " + Quote(tok), Hint: hint, ScimType: scimType}
}

// syntaxErrorf returns a SyntaxError with a formatted problem and no hint.
func syntaxErrorf(scimType string, offset int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: offset, Problem: fmt.Sprintf(format, args...), ScimType: scimType}
}
