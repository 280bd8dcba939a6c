package schannel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits on what Parse accepts, so that a hostile or mistaken file cannot
// exhaust memory. audit.ReadFile already caps a file at audit.MaxFileSize.
const (
	// maxValueBytes is the largest value data Parse decodes. The values
	// this audit reads are a few hundred bytes; a cipher-suite order
	// list of every suite Windows implements is under 8 KiB in UTF-16.
	maxValueBytes = 1 << 20
	// maxNameBytes is the longest key path or value name Parse accepts.
	// Windows limits a key name to 255 characters and a value name to
	// 16383 characters.
	maxNameBytes = 32 << 10
)

// Headers of the two regedit export formats. Version 5.00 exports are
// UTF-16LE with a byte order mark; REGEDIT4 exports are 8-bit text.
const (
	headerV5 = "Windows Registry Editor Version 5.00"
	headerV4 = "REGEDIT4"
)

// ValueType is a registry value type, as the hex(N) prefix of an export
// names it.
type ValueType int

// Registry value types (winnt.h REG_* constants).
const (
	RegNone     ValueType = 0
	RegSZ       ValueType = 1
	RegExpandSZ ValueType = 2
	RegBinary   ValueType = 3
	RegDWORD    ValueType = 4
	RegDWORDBE  ValueType = 5
	RegMultiSZ  ValueType = 7
	RegQWORD    ValueType = 11
)

// Value is one "name"=data line of an export, or "name"=- that deletes
// the value.
type Value struct {
	// Name is the value name as written, unescaped; "" is the default
	// value, written @.
	Name string
	// Deleted marks "name"=-.
	Deleted bool
	Type    ValueType
	// Data is the raw value bytes, as the registry stores them.
	Data []byte
	// Text is the line as written (its first line when continued).
	Text string
	File string
	Line int
	// unicode is true when string data is UTF-16LE (a version 5.00
	// export) and false when it is 8-bit (REGEDIT4).
	unicode bool
}

// Number returns the value as an unsigned integer: a REG_DWORD,
// REG_DWORD_BIG_ENDIAN or REG_QWORD. ok is false for other types.
func (v Value) Number() (n uint64, ok bool) {
	switch {
	case v.Type == RegDWORD && len(v.Data) == 4:
		return uint64(binary.LittleEndian.Uint32(v.Data)), true
	case v.Type == RegDWORDBE && len(v.Data) == 4:
		return uint64(binary.BigEndian.Uint32(v.Data)), true
	case v.Type == RegQWORD && len(v.Data) == 8:
		return binary.LittleEndian.Uint64(v.Data), true
	}
	return 0, false
}

// Strings returns a REG_SZ or REG_EXPAND_SZ value as one string, and a
// REG_MULTI_SZ value as its strings, empty ones dropped. ok is false for
// other types.
func (v Value) Strings() (out []string, ok bool) {
	if v.Type != RegSZ && v.Type != RegExpandSZ && v.Type != RegMultiSZ {
		return nil, false
	}
	var text string
	if v.unicode {
		units := make([]uint16, len(v.Data)/2)
		for i := range units {
			units[i] = binary.LittleEndian.Uint16(v.Data[2*i:])
		}
		text = string(utf16.Decode(units))
	} else {
		text = string(v.Data)
	}
	for _, s := range strings.Split(text, "\x00") {
		if s != "" {
			out = append(out, s)
		}
	}
	if v.Type != RegMultiSZ && len(out) > 1 {
		out = out[:1]
	}
	return out, true
}

// KeyBlock is one [key] or [-key] line and the values that follow it.
type KeyBlock struct {
	// Path is the key path as written, such as
	// HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL.
	Path string
	// Delete marks [-key], which deletes the key and all its subkeys.
	Delete bool
	Values []Value
	File   string
	Line   int
}

// Export is one parsed regedit export file.
type Export struct {
	File string
	// Unicode is true for "Windows Registry Editor Version 5.00" exports,
	// whose string data (hex(2), hex(7), and "..." strings once imported)
	// is UTF-16LE, and false for REGEDIT4 exports, whose data is 8-bit.
	Unicode bool
	Keys    []KeyBlock
}

// ParseError is a syntax error at one line of one export file.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// ParseFile reads the export at path with audit.ReadFile, which decodes
// UTF-16 with or without a byte order mark, and parses it with Parse.
func ParseFile(path string) (*Export, error) {
	text, err := audit.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, text)
}

// Parse parses text, the UTF-8 content of the regedit export named file,
// in the grammar regedit writes and imports:
//
//   - the first non-blank line is "Windows Registry Editor Version 5.00"
//     or "REGEDIT4";
//   - lines starting with ';' are comments, blank lines are skipped;
//   - "[HKEY_...\path]" opens a key and "[-HKEY_...\path]" deletes one;
//   - "name"=... or @=... sets a value of the current key, where name
//     escapes '\' and '"' with a backslash, and the data is "string",
//     dword:XXXXXXXX, hex:bytes, hex(N):bytes (N the type in hex) or '-'
//     to delete the value;
//   - hex data continues on the next line after a trailing '\'.
//
// A leading UTF-8 byte order mark is skipped. Errors are *ParseError
// values naming the file and line.
func Parse(file string, text []byte) (*Export, error) {
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	p := &parser{file: file, lines: splitLines(string(text))}
	return p.parse()
}

type parser struct {
	file  string
	lines []string
	// next is the index of the next line to read; line numbers are
	// next after a read, since they count from 1.
	next int
	exp  *Export
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// splitLines splits on LF and drops a CR before it, as regedit writes
// CRLF line ends.
func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func (p *parser) parse() (*Export, error) {
	p.exp = &Export{File: p.file}

	// Header: the first line that is not blank.
	header := 0
	for p.next < len(p.lines) {
		line := strings.TrimSpace(p.lines[p.next])
		p.next++
		if line == "" {
			continue
		}
		header = p.next
		switch {
		case strings.EqualFold(line, headerV5):
			p.exp.Unicode = true
		case strings.EqualFold(line, headerV4):
			p.exp.Unicode = false
		default:
			return nil, p.errorf(header, "missing regedit header: the file starts with %s instead of %q or %q; export the key again with regedit or reg export", quoteCut(line), headerV5, headerV4)
		}
		break
	}
	if header == 0 {
		return nil, p.errorf(0, "empty file: a regedit export starts with %q; export the key again with regedit or reg export", headerV5)
	}

	var current *KeyBlock
	for p.next < len(p.lines) {
		raw := p.lines[p.next]
		p.next++
		lineNo := p.next
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, ";"):
			continue
		case strings.HasPrefix(line, "["):
			block, err := p.keyLine(line, lineNo)
			if err != nil {
				return nil, err
			}
			p.exp.Keys = append(p.exp.Keys, block)
			current = &p.exp.Keys[len(p.exp.Keys)-1]
		case strings.HasPrefix(line, "\"") || strings.HasPrefix(line, "@"):
			if current == nil {
				return nil, p.errorf(lineNo, "value %s before any [key] line; put it under the key it belongs to", quoteCut(line))
			}
			v, err := p.valueLine(line, lineNo, p.exp.Unicode)
			if err != nil {
				return nil, err
			}
			// regedit ignores values after a [-key] deletion: the key is
			// gone, so they have nowhere to go.
			if !current.Delete {
				current.Values = append(current.Values, v)
			}
		default:
			return nil, p.errorf(lineNo, "unexpected line %s: expected a [key], a \"name\"=value or @=value line, or a ; comment", quoteCut(line))
		}
	}
	return p.exp, nil
}

// roots are the root keys regedit exports, by their full names.
var roots = []string{"HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER", "HKEY_CLASSES_ROOT", "HKEY_USERS", "HKEY_CURRENT_CONFIG"}

func (p *parser) keyLine(line string, lineNo int) (KeyBlock, error) {
	if !strings.HasSuffix(line, "]") {
		return KeyBlock{}, p.errorf(lineNo, "key line %s lacks its closing ']'", quoteCut(line))
	}
	path := line[1 : len(line)-1]
	block := KeyBlock{File: p.file, Line: lineNo}
	if strings.HasPrefix(path, "-") {
		block.Delete = true
		path = path[1:]
	}
	path = strings.TrimSpace(path)
	if len(path) > maxNameBytes {
		return KeyBlock{}, p.errorf(lineNo, "key path of %d bytes exceeds the %d-byte limit", len(path), maxNameBytes)
	}
	root, _, _ := strings.Cut(path, `\`)
	known := false
	for _, r := range roots {
		if strings.EqualFold(root, r) {
			known = true
		}
	}
	if !known {
		return KeyBlock{}, p.errorf(lineNo, "unknown root key %s in [%s]: regedit needs the full name, such as HKEY_LOCAL_MACHINE (not HKLM)", quoteCut(root), cut(path))
	}
	block.Path = strings.TrimRight(path, `\`)
	return block, nil
}

// valueLine parses one value line, and its continuation lines when the
// data is hex and ends in '\'.
func (p *parser) valueLine(line string, lineNo int, unicode bool) (Value, error) {
	v := Value{File: p.file, Line: lineNo, Text: line, unicode: unicode}
	rest := line
	if strings.HasPrefix(rest, "@") {
		rest = rest[1:]
	} else {
		name, after, err := p.quoted(rest, lineNo, "value name")
		if err != nil {
			return Value{}, err
		}
		v.Name = name
		rest = after
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, "=") {
		return Value{}, p.errorf(lineNo, "missing '=' after the value name in %s", quoteCut(line))
	}
	data := strings.TrimSpace(rest[1:])
	lower := strings.ToLower(data)

	switch {
	case data == "-":
		v.Deleted = true
	case strings.HasPrefix(data, "\""):
		s, after, err := p.quoted(data, lineNo, "string data")
		if err != nil {
			return Value{}, err
		}
		if t := strings.TrimSpace(after); t != "" && !strings.HasPrefix(t, ";") {
			return Value{}, p.errorf(lineNo, "unexpected %s after the closing quote of the string", quoteCut(t))
		}
		v.Type = RegSZ
		v.Data = encodeString(s, unicode)
	case strings.HasPrefix(lower, "dword:"):
		digits := strings.TrimSpace(data[len("dword:"):])
		n, err := strconv.ParseUint(digits, 16, 32)
		if err != nil || len(digits) > 8 {
			return Value{}, p.errorf(lineNo, "invalid dword %s: write 1 to 8 hexadecimal digits, such as dword:00000001", quoteCut(digits))
		}
		v.Type = RegDWORD
		v.Data = binary.LittleEndian.AppendUint32(nil, uint32(n))
	case strings.HasPrefix(lower, "hex"):
		typ, bytesText, err := p.hexPrefix(data, lineNo)
		if err != nil {
			return Value{}, err
		}
		b, err := p.hexBytes(bytesText, lineNo)
		if err != nil {
			return Value{}, err
		}
		v.Type = typ
		v.Data = b
		if (typ == RegDWORD || typ == RegDWORDBE) && len(b) != 4 {
			return Value{}, p.errorf(lineNo, "hex(%x) data of %d bytes: a DWORD has 4", int(typ), len(b))
		}
		if typ == RegQWORD && len(b) != 8 {
			return Value{}, p.errorf(lineNo, "hex(b) data of %d bytes: a QWORD has 8", len(b))
		}
	default:
		return Value{}, p.errorf(lineNo, "invalid value data %s: expected \"string\", dword:, hex:, hex(N): or -", quoteCut(data))
	}
	return v, nil
}

// quoted reads a "..." token at the start of s, unescaping \\ and \", and
// returns it and the text after the closing quote.
func (p *parser) quoted(s string, lineNo int, what string) (string, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			if b.Len() > maxNameBytes && what == "value name" {
				return "", "", p.errorf(lineNo, "value name of %d bytes exceeds the %d-byte limit", b.Len(), maxNameBytes)
			}
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
		if b.Len() > maxValueBytes {
			return "", "", p.errorf(lineNo, "%s longer than %d bytes", what, maxValueBytes)
		}
	}
	return "", "", p.errorf(lineNo, "unterminated %s %s: add the closing '\"' (a '\"' inside is written \\\")", what, quoteCut(s))
}

// hexPrefix splits "hex:..." or "hex(N):..." into the type and the byte
// text.
func (p *parser) hexPrefix(data string, lineNo int) (ValueType, string, error) {
	rest := data[3:]
	typ := RegBinary
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, "", p.errorf(lineNo, "unclosed hex( type in %s", quoteCut(data))
		}
		n, err := strconv.ParseUint(rest[1:end], 16, 32)
		if err != nil {
			return 0, "", p.errorf(lineNo, "invalid value type %s in hex(N): N is a hexadecimal type number such as 7 or b", quoteCut(rest[1:end]))
		}
		typ = ValueType(n)
		rest = rest[end+1:]
	}
	if !strings.HasPrefix(rest, ":") {
		return 0, "", p.errorf(lineNo, "missing ':' after hex in %s", quoteCut(data))
	}
	return typ, rest[1:], nil
}

// hexBytes decodes comma-separated two-digit hex bytes, reading the
// following lines while a line ends in '\'.
func (p *parser) hexBytes(text string, lineNo int) ([]byte, error) {
	var out []byte
	for {
		text = strings.TrimSpace(text)
		continued := strings.HasSuffix(text, `\`)
		if continued {
			text = strings.TrimSpace(strings.TrimSuffix(text, `\`))
		}
		if text != "" {
			for _, field := range strings.Split(strings.TrimSuffix(text, ","), ",") {
				field = strings.TrimSpace(field)
				n, err := strconv.ParseUint(field, 16, 8)
				if err != nil || len(field) > 2 {
					return nil, p.errorf(p.next, "invalid hex byte %s: write bytes as two hexadecimal digits separated by commas", quoteCut(field))
				}
				out = append(out, byte(n))
				if len(out) > maxValueBytes {
					return nil, p.errorf(lineNo, "value data longer than %d bytes", maxValueBytes)
				}
			}
		}
		if !continued {
			return out, nil
		}
		if p.next >= len(p.lines) {
			return nil, p.errorf(p.next, "hex data of the value at line %d ends in '\\' but the file ends: the export is cut short; export the key again", lineNo)
		}
		text = p.lines[p.next]
		p.next++
		t := strings.TrimSpace(text)
		if t == "" || strings.HasPrefix(t, "[") || strings.HasPrefix(t, "\"") || strings.HasPrefix(t, "@") || strings.HasPrefix(t, ";") {
			return nil, p.errorf(p.next, "hex data of the value at line %d ends in '\\' but line %d does not continue it: the export is cut short or edited; export the key again", lineNo, p.next)
		}
	}
}

// encodeString stores s as the registry stores a REG_SZ: UTF-16LE with a
// terminating NUL in a Unicode export, bytes and a NUL in REGEDIT4.
func encodeString(s string, unicode bool) []byte {
	if !unicode {
		return append([]byte(s), 0)
	}
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return append(out, 0, 0)
}

// quoteCut quotes s for an error message, cut to 60 bytes.
func quoteCut(s string) string {
	return strconv.Quote(cut(s))
}

func cut(s string) string {
	const limit = 60
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
