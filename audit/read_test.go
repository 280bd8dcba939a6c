package audit_test

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/scimdoctor/scimdoctor/audit"
)

func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var out []byte
	if bom {
		out = order.AppendUint16(out, 0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestReadFile(t *testing.T) {
	const reg = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM]\r\n\"Enabled\"=dword:00000000\r\n"
	junk := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.IntN(256))
	}
	tests := []struct {
		name    string
		data    []byte
		want    string
		wantErr string
	}{
		{name: "utf-8 text", data: []byte("ssl_protocols TLSv1.2;\n"), want: "ssl_protocols TLSv1.2;\n"},
		{name: "utf-8 with byte order mark", data: []byte("\xEF\xBB\xBFssl_protocols TLSv1.2;\n"), want: "ssl_protocols TLSv1.2;\n"},
		{name: "utf-16le with byte order mark, as regedit writes", data: utf16Bytes(reg, binary.LittleEndian, true), want: reg},
		{name: "utf-16be with byte order mark", data: utf16Bytes(reg, binary.BigEndian, true), want: reg},
		{name: "utf-16le without byte order mark", data: utf16Bytes(reg, binary.LittleEndian, false), want: reg},
		{name: "utf-16be without byte order mark", data: utf16Bytes(reg, binary.BigEndian, false), want: reg},
		{name: "latin-1 comment is kept", data: []byte("# caf\xe9\nssl_protocols TLSv1.2;\n"), want: "# caf\xe9\nssl_protocols TLSv1.2;\n"},
		{name: "random bytes", data: junk, wantErr: "binary content"},
		{name: "nul byte names its line", data: []byte("a\nb\nc\x00d\n"), wantErr: ":3: binary content (a NUL byte at offset 5)"},
		{name: "utf-16 with an odd length", data: append(utf16Bytes(reg, binary.LittleEndian, true), 'x'), wantErr: "odd number of bytes"},
		{name: "utf-16 with a nul character", data: utf16Bytes("a\nb\x00", binary.LittleEndian, true), wantErr: ":2: binary content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "conf")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := audit.ReadFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error = %v, want one naming %s and containing %q", err, path, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nginx.conf")
	line := strings.Repeat("# a comment line of a fifty megabyte configuration file\n", 1024)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for written := 0; written < 50<<20; written += len(line) {
		if _, err := f.WriteString(line); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	_, err = audit.ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("error = %v, want the size limit", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.conf")
	_, err := audit.ReadFile(path)
	if err == nil || err.Error() != "cannot read "+path+": no such file or directory" {
		t.Fatalf("error = %v", err)
	}
}
