package inspector

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// sampleHello returns the records of a TLS 1.3 hello built by tlsprobe,
// with SNI, ALPN and a GREASE suite.
func sampleHello(t testing.TB) []byte {
	t.Helper()
	h := &tlsprobe.ClientHello{
		Version:              tlsprobe.VersionTLS12,
		SupportedVersions:    []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12},
		CipherSuites:         []uint16{0x1a1a, 0x1301, 0x1302, 0xc02f, 0x00ff},
		ServerName:           "scim.example.com",
		SupportedGroups:      []uint16{0x001d, 0x0017},
		KeyShares:            []uint16{0x001d},
		SignatureAlgorithms:  []uint16{0x0403, 0x0804, 0x0401},
		ALPN:                 []string{"h2", "http/1.1"},
		ECPointFormats:       true,
		ExtendedMasterSecret: true,
		PSKKeyExchangeModes:  true,
	}
	records, err := h.Records()
	if err != nil {
		t.Fatalf("building the hello: %v", err)
	}
	return records
}

// splitRecords re-frames the handshake message of one record into records
// of at most size bytes each.
func splitRecords(t testing.TB, record []byte, size int) []byte {
	t.Helper()
	msg := record[recordHeaderLen:]
	var out []byte
	for len(msg) > 0 {
		n := min(size, len(msg))
		out = append(out, recordTypeHandshake, 3, 1, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

func TestParseClientHelloFields(t *testing.T) {
	h, err := ParseClientHello(sampleHello(t))
	if err != nil {
		t.Fatalf("ParseClientHello: %v", err)
	}
	if h.ServerName != "scim.example.com" {
		t.Errorf("ServerName = %q, want scim.example.com", h.ServerName)
	}
	if !slices.Equal(h.CipherSuites, []uint16{0x1a1a, 0x1301, 0x1302, 0xc02f, 0x00ff}) {
		t.Errorf("CipherSuites = %04x", h.CipherSuites)
	}
	if !slices.Equal(h.SupportedVersions, []uint16{0x0304, 0x0303}) {
		t.Errorf("SupportedVersions = %04x", h.SupportedVersions)
	}
	if !slices.Equal(h.ALPN, []string{"h2", "http/1.1"}) {
		t.Errorf("ALPN = %q", h.ALPN)
	}
	if !slices.Equal(h.KeyShares, []uint16{0x001d}) {
		t.Errorf("KeyShares = %04x", h.KeyShares)
	}
	if !slices.Equal(h.SignatureAlgorithms, []uint16{0x0403, 0x0804, 0x0401}) {
		t.Errorf("SignatureAlgorithms = %04x", h.SignatureAlgorithms)
	}
	if h.Records != 1 {
		t.Errorf("Records = %d, want 1", h.Records)
	}
	if got := h.OfferedVersions(); !slices.Equal(got, []uint16{0x0304, 0x0303}) {
		t.Errorf("OfferedVersions = %04x", got)
	}
}

func TestParseClientHelloFragmented(t *testing.T) {
	whole := sampleHello(t)
	want, err := ParseClientHello(whole)
	if err != nil {
		t.Fatalf("ParseClientHello(whole): %v", err)
	}
	for _, size := range []int{2, 3, 4, 5, 50, 100} {
		size = max(size, (len(whole)-recordHeaderLen+maxHelloRecords-1)/maxHelloRecords)
		data := splitRecords(t, whole, size)
		got, err := ParseClientHello(data)
		if err != nil {
			t.Fatalf("split into %d-byte records: %v", size, err)
		}
		if got.JA4() != want.JA4() || got.ServerName != want.ServerName {
			t.Errorf("split into %d-byte records: JA4 %s, want %s", size, got.JA4(), want.JA4())
		}
		if wantRecords := (len(whole) - recordHeaderLen + size - 1) / size; got.Records != wantRecords {
			t.Errorf("split into %d-byte records: Records = %d, want %d", size, got.Records, wantRecords)
		}
		if !helloDone(data) {
			t.Errorf("split into %d-byte records: helloDone = false for the whole hello", size)
		}
	}
}

func TestParseClientHelloTooManyRecords(t *testing.T) {
	_, err := ParseClientHello(splitRecords(t, sampleHello(t), 1))
	var perr *ParseError
	if !errors.As(err, &perr) || !strings.Contains(perr.Message, "more than 64 records") || perr.Truncated {
		t.Fatalf("error = %v, want the record limit", err)
	}
}

func TestParseClientHelloPrefixesTruncated(t *testing.T) {
	for _, data := range [][]byte{sampleHello(t), splitRecords(t, sampleHello(t), 40)} {
		for n := 0; n < len(data); n++ {
			_, err := ParseClientHello(data[:n])
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("prefix of %d bytes: error %v, want *ParseError", n, err)
			}
			if !perr.Truncated {
				t.Fatalf("prefix of %d bytes: %v, want Truncated", n, perr)
			}
			if n > 0 && helloDone(data[:n]) {
				t.Fatalf("prefix of %d bytes: helloDone = true", n)
			}
		}
	}
}

func TestParseClientHelloMalformed(t *testing.T) {
	valid := sampleHello(t)
	withByte := func(i int, b byte) []byte {
		d := bytes.Clone(valid)
		d[i] = b
		return d
	}
	mustHex := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		data      []byte
		field     string
		offset    int
		truncated bool
	}{
		{"plain HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), "record header", 0, false},
		{"alert record", mustHex("15 0301 0002 0228"), "record header", 0, false},
		{"record version 0x0200", withByte(1, 2), "record header", 1, false},
		{"zero-length record", mustHex("16 0301 0000"), "record header", 3, false},
		{"oversized record", mustHex("16 0301 4001"), "record header", 3, false},
		{"server hello type", withByte(5, 2), "handshake header", 5, false},
		{"hello over 64 KiB", mustHex("16 0301 0004 01 010001"), "handshake header", 6, false},
		{"session id of 33 bytes", withByte(5+4+2+32, 33), "legacy_session_id", 0, false},
		{"trailing bytes after extensions", appendTrailing(t, valid), "extensions", 0, false},
		{"header only", mustHex("16 03"), "record header", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseClientHello(tt.data)
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error = %v, want *ParseError", err)
			}
			if perr.Field != tt.field {
				t.Errorf("Field = %q, want %q (%v)", perr.Field, tt.field, perr)
			}
			if tt.offset != 0 && perr.Offset != tt.offset {
				t.Errorf("Offset = %d, want %d (%v)", perr.Offset, tt.offset, perr)
			}
			if perr.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v (%v)", perr.Truncated, tt.truncated, perr)
			}
		})
	}
}

// appendTrailing adds one byte inside the hello after its extensions and
// fixes the lengths, so only the trailing byte is wrong.
func appendTrailing(t testing.TB, record []byte) []byte {
	t.Helper()
	d := append(bytes.Clone(record), 0)
	recLen := int(d[3])<<8 | int(d[4]) + 1
	d[3], d[4] = byte(recLen>>8), byte(recLen)
	msgLen := int(d[6])<<16 | int(d[7])<<8 | int(d[8]) + 1
	d[6], d[7], d[8] = byte(msgLen>>16), byte(msgLen>>8), byte(msgLen)
	return d
}

func TestParseClientHelloDuplicateExtension(t *testing.T) {
	h := &tlsprobe.ClientHello{Version: tlsprobe.VersionTLS12, CipherSuites: []uint16{0xc02f}, ExtendedMasterSecret: true, EncryptThenMAC: true}
	records, err := h.Records()
	if err != nil {
		t.Fatal(err)
	}
	// Turn encrypt_then_mac (0x0016) into a second extended_master_secret
	// (0x0017).
	i := bytes.Index(records, []byte{0x00, 0x16, 0x00, 0x00})
	if i < 0 {
		t.Fatal("encrypt_then_mac not found in the hello")
	}
	records[i+1] = 0x17
	_, err = ParseClientHello(records)
	if err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("error = %v, want a duplicate extension error", err)
	}
}

func TestOfferedVersionsWithoutSupportedVersions(t *testing.T) {
	tests := []struct {
		name   string
		legacy uint16
		want   []uint16
	}{
		{"TLS 1.1 client", 0x0302, []uint16{0x0302, 0x0301}},
		{"TLS 1.0 client", 0x0301, []uint16{0x0301}},
		{"SSL 3.0 client", 0x0300, []uint16{0x0300}},
		{"TLS 1.2 client", 0x0303, []uint16{0x0303, 0x0302, 0x0301}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &ClientHello{LegacyVersion: tt.legacy}
			if got := h.OfferedVersions(); !slices.Equal(got, tt.want) {
				t.Errorf("OfferedVersions = %04x, want %04x", got, tt.want)
			}
		})
	}
}

func FuzzParseClientHello(f *testing.F) {
	f.Add(sampleHello(f))
	f.Add(splitRecords(f, sampleHello(f), 7))
	f.Add([]byte("GET / HTTP/1.1\r\n"))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseClientHello(data)
		if err != nil {
			if h != nil {
				t.Fatal("non-nil hello with an error")
			}
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error %T is not *ParseError", err)
			}
			if perr.Offset < 0 || perr.Offset > len(data)+recordHeaderLen {
				t.Fatalf("offset %d outside the input of %d bytes", perr.Offset, len(data))
			}
			return
		}
		_ = h.JA4()
		_ = h.OfferedVersions()
		if len(data) > 0 && !helloDone(data) {
			t.Fatal("the hello parsed but helloDone reports it incomplete")
		}
	})
}

func BenchmarkParseClientHello(b *testing.B) {
	data := sampleHello(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseClientHello(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJA4(b *testing.B) {
	h, err := ParseClientHello(sampleHello(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h.JA4()
	}
}
