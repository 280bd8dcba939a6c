package tlsprobe

import (
	"encoding/hex"
	"fmt"
)

// maxRawInError is how many input bytes a ParseError keeps, from the offset
// where parsing broke.
const maxRawInError = 64

// ParseError reports server bytes that do not parse as a TLS first flight.
// A malformed response is a finding about the server, not a bug, so callers
// report it as Result.Kind == KindMalformed.
type ParseError struct {
	// Message describes the problem, with the value and the limit, such as
	// "record of 20000 bytes exceeds the 18432-byte limit".
	Message string
	// Field names the structure that broke, such as "record.length" or
	// "server_hello.extensions.key_share".
	Field string
	// Offset is the position in the server's byte stream (record headers
	// included) where the broken structure or value starts.
	Offset int
	// Raw holds up to 64 bytes of the stream from Offset.
	Raw []byte
}

// Error returns "tls: " followed by Message, the field and the offset.
func (e *ParseError) Error() string {
	return fmt.Sprintf("tls: %s (%s at byte %d)", e.Message, e.Field, e.Offset)
}

// RawHex returns Raw as hex, for reports.
func (e *ParseError) RawHex() string {
	return hex.EncodeToString(e.Raw)
}

// newParseError builds a ParseError and copies up to maxRawInError bytes of
// stream from offset.
func newParseError(stream []byte, offset int, field, format string, args ...any) *ParseError {
	e := &ParseError{Message: fmt.Sprintf(format, args...), Field: field, Offset: offset}
	if offset >= 0 && offset < len(stream) {
		end := min(len(stream), offset+maxRawInError)
		e.Raw = append([]byte(nil), stream[offset:end]...)
	}
	return e
}
