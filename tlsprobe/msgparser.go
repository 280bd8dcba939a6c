package tlsprobe

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// msgParser reads one handshake message body with cryptobyte and remembers
// where and why reading stopped. Its read methods return false on short or
// invalid input, as cryptobyte does, after recording the field, the reason
// and the offset in the body.
type msgParser struct {
	body []byte
	s    cryptobyte.String

	field  string
	reason string
	offset int
}

func newMsgParser(body []byte) *msgParser {
	return &msgParser{body: body, s: cryptobyte.String(body)}
}

// pos returns the offset in the body of the next unread byte.
func (p *msgParser) pos() int { return len(p.body) - len(p.s) }

// fail records a failure at the current position and returns false.
func (p *msgParser) fail(field, format string, args ...any) bool {
	return p.failAt(p.pos(), field, format, args...)
}

// failAt records a failure at offset and returns false.
func (p *msgParser) failAt(offset int, field, format string, args ...any) bool {
	p.field, p.reason, p.offset = field, fmt.Sprintf(format, args...), offset
	return false
}

// truncated records that field runs past the end of its enclosing structure.
func (p *msgParser) truncated(field string) bool {
	return p.fail(field, "%s is truncated", field)
}

// readUint8 reads one byte of field.
func (p *msgParser) readUint8(field string, out *uint8) bool {
	if !p.s.ReadUint8(out) {
		return p.truncated(field)
	}
	return true
}

// readUint16 reads a big-endian uint16 of field.
func (p *msgParser) readUint16(field string, out *uint16) bool {
	if !p.s.ReadUint16(out) {
		return p.truncated(field)
	}
	return true
}

// readBytes reads n bytes of field.
func (p *msgParser) readBytes(field string, n int, out *[]byte) bool {
	if !p.s.ReadBytes(out, n) {
		return p.truncated(field)
	}
	return true
}

// readVector reads a vector with a length prefix of lenBytes bytes (1, 2 or
// 3) into out, which is a sub-parser positioned at the vector's first byte.
// The sub-parser reports failures at offsets of the enclosing body.
func (p *msgParser) readVector(field string, lenBytes int, out *msgParser) bool {
	start := p.pos()
	var v cryptobyte.String
	var ok bool
	switch lenBytes {
	case 1:
		ok = p.s.ReadUint8LengthPrefixed(&v)
	case 2:
		ok = p.s.ReadUint16LengthPrefixed(&v)
	case 3:
		ok = p.s.ReadUint24LengthPrefixed(&v)
	default:
		panic("tlsprobe: readVector with a length prefix of " + fmt.Sprint(lenBytes) + " bytes") // caller misuse
	}
	if !ok {
		return p.failAt(start, field, "%s is longer than the %d bytes left", field, len(p.body)-start-lenBytes)
	}
	*out = msgParser{body: p.body, s: v}
	// The sub-parser shares body, so pos() keeps counting from the start
	// of the enclosing message: trim body to end where v ends.
	out.body = p.body[:p.pos()]
	return true
}

// propagate copies a sub-parser's failure into p and returns false.
func (p *msgParser) propagate(sub *msgParser) bool {
	p.field, p.reason, p.offset = sub.field, sub.reason, sub.offset
	return false
}

// expectEmpty fails when bytes remain in the parser.
func (p *msgParser) expectEmpty(field string) bool {
	if !p.s.Empty() {
		return p.fail(field, "%d unexpected trailing bytes after %s", len(p.s), field)
	}
	return true
}
