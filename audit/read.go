package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxFileSize is the largest file ReadFile accepts. Real TLS
// configurations, registry exports and java.security files are far
// smaller; a larger file is a log, a dump or a wrong path.
const MaxFileSize = 8 << 20

// ReadFile returns the text of the configuration file at path as UTF-8,
// for every format's parser. It decodes UTF-16 (with a byte order mark,
// as regedit exports, or without one when every other byte is zero) and
// drops a UTF-8 byte order mark. It refuses, with an error that names the
// file and the line, a file larger than MaxFileSize, a binary file (a NUL
// byte in UTF-8 text) and text that is not valid UTF-8 or UTF-16.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readErr(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, readErr(path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB, too large for a configuration file: name the configuration file itself, not a log or a dump", path, MaxFileSize>>20)
	}
	return DecodeText(path, data)
}

// DecodeText converts data, the content of the file at path, to UTF-8 as
// ReadFile does.
func DecodeText(path string, data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(path, data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(path, data[2:], binary.BigEndian)
	default:
		if order, ok := utf16WithoutBOM(data); ok {
			return decodeUTF16(path, data, order)
		}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Errorf("%s:%d: binary content (a NUL byte at offset %d): name a text configuration file, or export it as text first", path, lineAt(data, i), i)
	}
	if i, ok := binaryJunk(data); ok {
		return nil, fmt.Errorf("%s:%d: binary content (control or invalid bytes from offset %d): name a text configuration file, or save it as UTF-8 text", path, lineAt(data, i), i)
	}
	return data, nil
}

// utf16WithoutBOM reports whether data looks like UTF-16 text written
// without a byte order mark: ASCII characters whose high byte, zero,
// sits at every odd (little endian) or every even (big endian) offset of
// the first bytes.
func utf16WithoutBOM(data []byte) (binary.ByteOrder, bool) {
	n := min(len(data), 512) &^ 1
	if n < 4 {
		return nil, false
	}
	var evenZero, oddZero int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			evenZero++
		}
		if data[i+1] == 0 {
			oddZero++
		}
	}
	pairs := n / 2
	switch {
	case oddZero*10 >= pairs*9 && evenZero*10 < pairs:
		return binary.LittleEndian, true
	case evenZero*10 >= pairs*9 && oddZero*10 < pairs:
		return binary.BigEndian, true
	}
	return nil, false
}

func decodeUTF16(path string, data []byte, order binary.ByteOrder) ([]byte, error) {
	if len(data)%2 != 0 {
		return nil, fmt.Errorf("%s: UTF-16 text with an odd number of bytes (%d): the file is cut short; export it again", path, len(data))
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	runes := utf16.Decode(units)
	out := make([]byte, 0, len(runes))
	line := 1
	for _, r := range runes {
		if r == 0 {
			return nil, fmt.Errorf("%s:%d: binary content (a NUL character in UTF-16 text): name a text configuration file", path, line)
		}
		if r == '\n' {
			line++
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// binaryJunk reports whether data is binary rather than text in a legacy
// 8-bit encoding such as a Latin-1 comment. Data is binary when more than
// one byte in eight of the first 64 KiB is invalid UTF-8 or a control
// character other than tab, line feed, form feed and carriage return.
// It returns the offset of the first such byte.
func binaryJunk(data []byte) (int, bool) {
	sample := data[:min(len(data), 64<<10)]
	first, bad := -1, 0
	for i := 0; i < len(sample); {
		r, size := utf8.DecodeRune(sample[i:])
		if (r == utf8.RuneError && size == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\f' && r != '\r') || r == 0x7f {
			bad++
			if first < 0 {
				first = i
			}
		}
		i += size
	}
	return first, bad*8 > len(sample)
}

// lineAt returns the 1-based line number of offset i in data.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

// readErr returns the error for a file that cannot be opened or read. A
// permission error gets the next step, and errors.Is still finds the
// cause.
func readErr(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot read %s: %w%s", path, unwrapPath(err), permissionHint)
	}
	return fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
}

// unwrapPath drops the *fs.PathError wrapper, whose text repeats the path.
func unwrapPath(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}
