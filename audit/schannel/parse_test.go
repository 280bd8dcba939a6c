package schannel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16LE returns text as regedit writes a version 5.00 export: UTF-16LE
// with a byte order mark and CRLF line ends.
func utf16LE(text string) []byte {
	text = strings.ReplaceAll(text, "\n", "\r\n")
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(text)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func TestParseValues(t *testing.T) {
	text := `Windows Registry Editor Version 5.00

; a comment line
[HKEY_LOCAL_MACHINE\SOFTWARE\Test]
@="default value"
"Quoted \"name\""="C:\\Program Files\\x"
"Dword"=dword:0000000a
"AllOnes"=dword:ffffffff
"Qword"=hex(b):01,00,00,00,00,00,00,80
"Expand"=hex(2):25,00,50,00,00,00
"Multi"=hex(7):41,00,00,00,42,00,\
  43,00,00,00,00,00
"Binary"=hex:de,ad,\
   be,ef
"Gone"=-
`
	exp, err := Parse("test.reg", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !exp.Unicode || len(exp.Keys) != 1 {
		t.Fatalf("Unicode %v, %d keys; want true, 1", exp.Unicode, len(exp.Keys))
	}
	values := map[string]Value{}
	for _, v := range exp.Keys[0].Values {
		values[v.Name] = v
	}

	if s, _ := values[""].Strings(); !slices.Equal(s, []string{"default value"}) {
		t.Errorf("@ = %q, want [default value]", s)
	}
	if s, _ := values[`Quoted "name"`].Strings(); !slices.Equal(s, []string{`C:\Program Files\x`}) {
		t.Errorf(`escaped string = %q, want [C:\Program Files\x]`, s)
	}
	for name, want := range map[string]uint64{"Dword": 10, "AllOnes": 0xffffffff, "Qword": 0x8000000000000001} {
		if n, ok := values[name].Number(); !ok || n != want {
			t.Errorf("%s = %#x (ok %v), want %#x", name, n, ok, want)
		}
	}
	if s, ok := values["Expand"].Strings(); !ok || !slices.Equal(s, []string{"%P"}) {
		t.Errorf("hex(2) = %q, want [%%P]", s)
	}
	if s, _ := values["Multi"].Strings(); !slices.Equal(s, []string{"A", "BC"}) {
		t.Errorf("hex(7) across a continuation = %q, want [A BC]", s)
	}
	if b := values["Binary"].Data; !bytes.Equal(b, []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Errorf("hex across a continuation = %x, want deadbeef", b)
	}
	if !values["Gone"].Deleted {
		t.Errorf(`"Gone"=- not marked deleted`)
	}
	if got := values["Multi"].Line; got != 11 {
		t.Errorf("Multi line = %d, want 11", got)
	}
}

func TestParseREGEDIT4(t *testing.T) {
	text := "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r\n\"Multi\"=hex(7):41,00,42,00,00\r\n"
	exp, err := Parse("old.reg", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if exp.Unicode {
		t.Errorf("REGEDIT4 export read as Unicode")
	}
	if s, _ := exp.Keys[0].Values[0].Strings(); !slices.Equal(s, []string{"A", "B"}) {
		t.Errorf("REGEDIT4 hex(7) = %q, want 8-bit strings [A B]", s)
	}
}

func TestParseKeyDeletion(t *testing.T) {
	first := `Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server]
"Enabled"=dword:00000000
`
	second := `Windows Registry Editor Version 5.00

[-HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2]
"Ignored"=dword:00000001
`
	m := machineFrom(t, first, second)
	if _, ok := m.Lookup(protocolKey("TLS 1.2", Server), "Enabled"); ok {
		t.Errorf("[-...\\TLS 1.2] did not delete the Server subkey set by the earlier export")
	}
}

func TestParseErrors(t *testing.T) {
	const header = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\n"
	tests := []struct {
		name string
		text string
		line int
		want string
	}{
		{"missing header", "[HKEY_LOCAL_MACHINE\\X]\n", 1, "missing regedit header"},
		{"empty file", "\n\n", 0, "empty file"},
		{"value before key", "REGEDIT4\n\"a\"=dword:1\n", 2, "before any [key]"},
		{"unterminated string", header + "\"Functions\"=\"TLS_AES_128_GCM_SHA256\n", 4, "unterminated string data"},
		{"unterminated name", header + "\"Functions=dword:1\n", 4, "unterminated value name"},
		{"truncated continuation at end", header + "\"M\"=hex(7):41,00,\\\n", 5, "does not continue it"},
		{"truncated continuation before key", header + "\"M\"=hex(7):41,00,\\\n[HKEY_LOCAL_MACHINE\\Y]\n", 5, "does not continue it"},
		{"continuation at end of file", header + "\"M\"=hex(7):41,00,\\", 4, "file ends"},
		{"bad dword", header + "\"Enabled\"=dword:1000000000\n", 4, "invalid dword"},
		{"bad hex byte", header + "\"B\"=hex:0g\n", 4, "invalid hex byte"},
		{"short qword", header + "\"Q\"=hex(b):01,02\n", 4, "a QWORD has 8"},
		{"abbreviated root", "REGEDIT4\n[HKLM\\SOFTWARE]\n", 2, "unknown root key"},
		{"unclosed key", "REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\n", 2, "closing ']'"},
		{"junk line", header + "Enabled=1\n", 4, "unexpected line"},
		{"bad data", header + "\"a\"=yes\n", 4, "invalid value data"},
		{"missing equals", header + "\"a\" dword:1\n", 4, "missing '='"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.reg", []byte(tt.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.File != "bad.reg" || pe.Line != tt.line {
				t.Errorf("error at %s:%d, want bad.reg:%d (%v)", pe.File, pe.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseFileBadInput(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "huge.reg")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// 50 MB of a valid-looking export, past audit.MaxFileSize.
	line := []byte("\"Enabled\"=dword:00000000\r\n")
	f.WriteString("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n")
	for written := 0; written < 50<<20; written += len(line) {
		f.Write(line)
	}
	f.Close()

	tests := []struct {
		name string
		path string
		want string
	}{
		{"binary junk", "testdata/bad/junk.reg", "testdata/bad/junk.reg:1: binary content"},
		{"unterminated string", "testdata/bad/unterminated.reg", "testdata/bad/unterminated.reg:4: unterminated string data"},
		{"truncated hex continuation", "testdata/bad/truncated.reg", "testdata/bad/truncated.reg:6: hex data of the value at line 4"},
		{"50 MB file", big, big + " is larger than 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile(tt.path)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseFile(%s) error %v, want one starting %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestParseFileUTF16(t *testing.T) {
	path := "testdata/hardened/01-schannel-protocols.reg"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) || !bytes.Contains(raw, []byte{'\r', 0, '\n', 0}) {
		t.Fatalf("%s is not UTF-16LE with a byte order mark and CRLF, as regedit writes", path)
	}
	exp, err := ParseFile(path)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if len(exp.Keys) != 8 {
		t.Errorf("%d keys, want 8", len(exp.Keys))
	}
	n, ok := exp.Keys[6].Values[0].Number()
	if !ok || n != 0xffffffff || exp.Keys[6].Line != 27 {
		t.Errorf("key 7 at line %d has Enabled %#x, want line 27 and 0xffffffff", exp.Keys[6].Line, n)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		path string
		head []byte
		want bool
	}{
		{"reg extension", "x.REG", []byte("anything"), true},
		{"UTF-16 header", "export.txt", utf16LE("Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\X]\n"), true},
		{"REGEDIT4 header", "export", []byte("REGEDIT4\r\n"), true},
		{"nginx file", "nginx.conf", []byte("server {\n listen 443 ssl;\n}\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.path, tt.head); got != tt.want {
				t.Errorf("Detect(%s) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, path := range []string{
		"testdata/hardened/03-dotnet.reg",
		"testdata/hardened/04-cipher-order.reg",
		"testdata/hardened/05-winhttp.reg",
		"testdata/bad/truncated.reg",
	} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("REGEDIT4\n[HKEY_USERS\\a]\n@=hex(7):\\\n"))
	f.Add([]byte("Windows Registry Editor Version 5.00\n[-HKEY_LOCAL_MACHINE\\a]\n\"\\\"=\"\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exp, err := Parse("fuzz.reg", data)
		if err != nil {
			if exp != nil {
				t.Fatalf("Parse returned an export and the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.reg") {
				t.Fatalf("error %q does not start with the file name", err)
			}
			return
		}
		m := NewMachine()
		m.Apply(exp)
		for _, w := range []Windows{Server2008R2, Server2022} {
			listeners, fixer := Effective(m, Options{Windows: w})
			for _, l := range listeners {
				fixer.VersionsLineFor(l.Versions, []string{"TLS 1.2"})
				fixer.SuitesLineFor(l.Suites, l.Suites.Values)
			}
		}
	})
}
