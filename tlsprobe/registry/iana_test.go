package registry

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The tests in this file check the tables against copies of the IANA CSV
// exports in testdata (testdata/README.md names the source of each copy):
//
//   - every value that IANA assigns is in the table, with the IANA name;
//   - every id in the table is one that IANA assigns, or, for signature
//     schemes, one of the reserved TLS 1.2 hash and signature pairs;
//   - where a copy's Recommended column is Y or D, the derived properties
//     agree with it.
//
// The tables store neither the DTLS-OK nor the Recommended column, so no
// test compares those columns directly.

// ianaRow is one row of an IANA CSV export. A row covers one value or a
// range of values, from first to last.
type ianaRow struct {
	first, last uint16
	raw         string // the Value column as written
	description string // the Description column with its whitespace collapsed
	recommended string // "Y", "N", "D" or ""
	line        int    // line of the record in the CSV file
}

// kind classifies a row by its description.
func (r ianaRow) kind() string {
	switch {
	case r.description == "Unassigned":
		return "unassigned"
	case strings.HasPrefix(r.description, "Reserved"):
		// GREASE ("Reserved", RFC 8701), "Reserved for Private Use",
		// "Reserved to avoid conflicts ..." and "Reserved for backward
		// compatibility".
		return "reserved"
	}
	return "assigned"
}

// readIANACSV reads an IANA CSV export and parses each Value with
// parseValue. It fails the test when the header lacks a column the tests
// need, when a value does not parse, when an assigned row covers more than
// one value, or when the rows are not in ascending order without overlap.
func readIANACSV(t *testing.T, name string, parseValue func(string) (first, last uint16, err error)) []ianaRow {
	t.Helper()
	path := filepath.Join("testdata", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()

	reader := csv.NewReader(f)
	header, err := reader.Read()
	if err != nil {
		t.Fatalf("read the header of %s: %v", path, err)
	}
	column := map[string]int{}
	for i, h := range header {
		column[h] = i
	}
	for _, want := range []string{"Value", "Description", "Recommended"} {
		if _, ok := column[want]; !ok {
			t.Fatalf("%s: header %q has no %s column", path, strings.Join(header, ","), want)
		}
	}

	var rows []ianaRow
	for {
		rec, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		// The record's first line; a quoted description may span lines.
		line, _ := reader.FieldPos(0)
		first, last, err := parseValue(rec[column["Value"]])
		if err != nil {
			t.Fatalf("%s line %d: %v", path, line, err)
		}
		row := ianaRow{
			first:       first,
			last:        last,
			raw:         rec[column["Value"]],
			description: strings.Join(strings.Fields(rec[column["Description"]]), " "),
			recommended: rec[column["Recommended"]],
			line:        line,
		}
		if row.kind() == "assigned" && first != last {
			t.Fatalf("%s line %d: %q assigns a range %s to %q; want a single value", path, line, row.raw, formatRange(first, last), row.description)
		}
		if len(rows) > 0 && rows[len(rows)-1].last >= first {
			prev := rows[len(rows)-1]
			t.Fatalf("%s line %d: %q overlaps or precedes line %d (%q)", path, line, row.raw, prev.line, prev.raw)
		}
		rows = append(rows, row)
	}
	return rows
}

func formatRange(first, last uint16) string {
	return fmt.Sprintf("0x%04x-0x%04x", first, last)
}

// rowFor returns the row that covers id.
func rowFor(rows []ianaRow, id uint16) (ianaRow, bool) {
	for _, r := range rows {
		if r.first <= id && id <= r.last {
			return r, true
		}
	}
	return ianaRow{}, false
}

var (
	// suiteByteRE matches one half of a cipher suite value: "0xC0",
	// "0xC8-FE" or "0x01-09" (a range of bytes), or "*" (any byte).
	suiteByteRE = regexp.MustCompile(`^(?:0x([0-9A-Fa-f]{2})(?:-(?:0x)?([0-9A-Fa-f]{2}))?|\*)$`)
	// schemeValueRE matches a signature scheme value: "0x0804" or
	// "0x0000-0x0200".
	schemeValueRE = regexp.MustCompile(`^0x([0-9A-Fa-f]{4})(?:-0x([0-9A-Fa-f]{4}))?$`)
	// groupValueRE matches a supported group value in decimal: "29" or
	// "42-255".
	groupValueRE = regexp.MustCompile(`^([0-9]{1,5})(?:-([0-9]{1,5}))?$`)
)

// parseByteRange parses one half of a cipher suite value into the bytes it
// covers.
func parseByteRange(s string) (lo, hi byte, err error) {
	m := suiteByteRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("invalid byte %q; want 0xNN, 0xNN-NN or *", s)
	}
	if s == "*" {
		return 0x00, 0xff, nil
	}
	l, _ := strconv.ParseUint(m[1], 16, 8)
	h := l
	if m[2] != "" {
		h, _ = strconv.ParseUint(m[2], 16, 8)
	}
	if h < l {
		return 0, 0, fmt.Errorf("invalid byte range %q: end below start", s)
	}
	return byte(l), byte(h), nil
}

// parseSuiteValue parses a cipher suite value such as "0xC0,0x2B",
// "0x00,0x1C-1D", "0x01-09,*" or "0xCB,*". A range in the first byte needs
// "*" in the second, so that the values form one interval.
func parseSuiteValue(s string) (first, last uint16, err error) {
	hiPart, loPart, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("invalid cipher suite value %q; want two bytes such as 0xC0,0x2B", s)
	}
	h1, h2, err := parseByteRange(hiPart)
	if err != nil {
		return 0, 0, fmt.Errorf("cipher suite value %q: %w", s, err)
	}
	l1, l2, err := parseByteRange(loPart)
	if err != nil {
		return 0, 0, fmt.Errorf("cipher suite value %q: %w", s, err)
	}
	if h1 != h2 && (l1 != 0x00 || l2 != 0xff) {
		return 0, 0, fmt.Errorf("cipher suite value %q: a range of first bytes needs * as the second byte", s)
	}
	return uint16(h1)<<8 | uint16(l1), uint16(h2)<<8 | uint16(l2), nil
}

// parseSchemeValue parses a signature scheme value such as "0x0804" or
// "0x0000-0x0200".
func parseSchemeValue(s string) (first, last uint16, err error) {
	m := schemeValueRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("invalid signature scheme value %q; want 0xNNNN or 0xNNNN-0xNNNN", s)
	}
	f, _ := strconv.ParseUint(m[1], 16, 16)
	l := f
	if m[2] != "" {
		l, _ = strconv.ParseUint(m[2], 16, 16)
	}
	if l < f {
		return 0, 0, fmt.Errorf("invalid signature scheme range %q: end below start", s)
	}
	return uint16(f), uint16(l), nil
}

// parseGroupValue parses a supported group value, written in decimal, such
// as "29" or "42-255".
func parseGroupValue(s string) (first, last uint16, err error) {
	m := groupValueRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("invalid group value %q; want a decimal number or range such as 42-255", s)
	}
	f, errF := strconv.ParseUint(m[1], 10, 16)
	l := f
	errL := error(nil)
	if m[2] != "" {
		l, errL = strconv.ParseUint(m[2], 10, 16)
	}
	if errF != nil || errL != nil {
		return 0, 0, fmt.Errorf("invalid group value %q: above 65535", s)
	}
	if l < f {
		return 0, 0, fmt.Errorf("invalid group range %q: end below start", s)
	}
	return uint16(f), uint16(l), nil
}

func TestIANAValueParsers(t *testing.T) {
	tests := []struct {
		name        string
		parse       func(string) (uint16, uint16, error)
		in          string
		first, last uint16
		wantErr     bool
	}{
		{"suite single", parseSuiteValue, "0xC0,0x2B", 0xc02b, 0xc02b, false},
		{"suite second byte range", parseSuiteValue, "0x00,0x1C-1D", 0x001c, 0x001d, false},
		{"suite first byte range", parseSuiteValue, "0x01-09,*", 0x0100, 0x09ff, false},
		{"suite one first byte any second", parseSuiteValue, "0xCB,*", 0xcb00, 0xcbff, false},
		{"suite lowercase hex", parseSuiteValue, "0xc0,0x2b", 0xc02b, 0xc02b, false},
		{"suite missing comma", parseSuiteValue, "0xC02B", 0, 0, true},
		{"suite two ranges", parseSuiteValue, "0x01-02,0x00-05", 0, 0, true},
		{"suite reversed range", parseSuiteValue, "0x00,0x1D-1C", 0, 0, true},
		{"suite empty", parseSuiteValue, "", 0, 0, true},
		{"scheme single", parseSchemeValue, "0x0804", 0x0804, 0x0804, false},
		{"scheme range", parseSchemeValue, "0x0000-0x0200", 0x0000, 0x0200, false},
		{"scheme three digits", parseSchemeValue, "0x804", 0, 0, true},
		{"scheme reversed range", parseSchemeValue, "0x0200-0x0100", 0, 0, true},
		{"group single", parseGroupValue, "4588", 0x11ec, 0x11ec, false},
		{"group range", parseGroupValue, "65283-65535", 0xff03, 0xffff, false},
		{"group above 65535", parseGroupValue, "65536", 0, 0, true},
		{"group hex", parseGroupValue, "0x1d", 0, 0, true},
		{"group reversed range", parseGroupValue, "255-42", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last, err := tt.parse(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("parse(%q) = 0x%04x-0x%04x, nil; want an error", tt.in, first, last)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tt.in, err)
			}
			if first != tt.first || last != tt.last {
				t.Errorf("parse(%q) = %s; want %s", tt.in, formatRange(first, last), formatRange(tt.first, tt.last))
			}
		})
	}
}

// suitesMissingFromTable are assigned cipher suites that the table leaves
// out, with the reason. The test fails when one of them appears in the
// table, so that this list stays true.
var suitesMissingFromTable = map[uint16]string{
	0xc100: "GOST suite (RFC 9189): deriveSuite cannot read GOST names",
	0xc101: "GOST suite (RFC 9189): deriveSuite cannot read GOST names",
	0xc102: "GOST suite (RFC 9189): deriveSuite cannot read GOST names",
	0xc103: "GOST TLS 1.3 suite (RFC 9367): deriveSuite cannot read GOST names",
	0xc104: "GOST TLS 1.3 suite (RFC 9367): deriveSuite cannot read GOST names",
	0xc105: "GOST TLS 1.3 suite (RFC 9367): deriveSuite cannot read GOST names",
	0xc106: "GOST TLS 1.3 suite (RFC 9367): deriveSuite cannot read GOST names",
}

func TestSuitesMatchIANA(t *testing.T) {
	rows := readIANACSV(t, "tls-parameters-4.csv", parseSuiteValue)

	assigned := 0
	for _, r := range rows {
		if r.kind() != "assigned" {
			continue
		}
		assigned++
		id := r.first
		got, ok := Suite(id)
		if reason, missing := suitesMissingFromTable[id]; missing {
			if ok {
				t.Errorf("0x%04x %s is in the table; remove it from suitesMissingFromTable (%s)", id, r.description, reason)
			}
			continue
		}
		if !ok {
			t.Errorf("0x%04x %s (IANA, line %d) is missing from the table", id, r.description, r.line)
			continue
		}
		if got.Name != r.description {
			t.Errorf("0x%04x: table name %q; IANA name %q", id, got.Name, r.description)
		}
		if byName, ok := SuiteByName(r.description); !ok || byName.ID != id {
			t.Errorf("SuiteByName(%q) = 0x%04x, %v; want 0x%04x", r.description, byName.ID, ok, id)
		}
		// Every suite that the copy marks Recommended = Y has an AEAD cipher
		// and an ephemeral key exchange, and the derived properties must
		// match.
		if r.recommended == "Y" && !got.Signaling && (!got.AEAD || !got.ForwardSecret()) {
			t.Errorf("0x%04x %s: IANA recommends it, but the table derives AEAD=%v, ForwardSecret=%v",
				id, got.Name, got.AEAD, got.ForwardSecret())
		}
	}
	// The copy in testdata assigns 352 values. A lower count means the copy
	// or the parser lost rows.
	if assigned != 352 {
		t.Errorf("tls-parameters-4.csv has %d assigned cipher suites; want 352", assigned)
	}

	for _, s := range Suites() {
		r, ok := rowFor(rows, s.ID)
		switch {
		case !ok:
			t.Errorf("table suite 0x%04x %s: no IANA record covers the id", s.ID, s.Name)
		case r.kind() != "assigned":
			t.Errorf("table suite 0x%04x %s: IANA lists the id as %q (%s, line %d)", s.ID, s.Name, r.description, r.raw, r.line)
		}
	}
}

// groupObsoleteSuffix is the note IANA appends to the name of a withdrawn
// group, as in "X25519Kyber768Draft00 (OBSOLETE)". The table stores the
// name without the note and marks the group Legacy.
const groupObsoleteSuffix = " (OBSOLETE)"

func TestGroupsMatchIANA(t *testing.T) {
	rows := readIANACSV(t, "tls-parameters-8.csv", parseGroupValue)

	assigned := 0
	for _, r := range rows {
		if r.kind() != "assigned" {
			continue
		}
		assigned++
		id := r.first
		name, obsolete := strings.CutSuffix(r.description, groupObsoleteSuffix)
		got, ok := Group(id)
		if !ok {
			t.Errorf("group %d (0x%04x) %s (IANA, line %d) is missing from the table", id, id, r.description, r.line)
			continue
		}
		if got.Name != name {
			t.Errorf("group %d (0x%04x): table name %q; IANA name %q", id, id, got.Name, r.description)
		}
		if byName, ok := GroupByName(name); !ok || byName.ID != id {
			t.Errorf("GroupByName(%q) = 0x%04x, %v; want 0x%04x", name, byName.ID, ok, id)
		}
		if obsolete && !got.Legacy {
			t.Errorf("group 0x%04x %s: IANA marks it obsolete, but the table has Legacy=false", id, got.Name)
		}
		// D in the Recommended column means discouraged.
		if r.recommended == "D" && !got.Legacy {
			t.Errorf("group 0x%04x %s: IANA discourages it, but the table has Legacy=false", id, got.Name)
		}
		if r.recommended == "Y" && got.Legacy {
			t.Errorf("group 0x%04x %s: IANA recommends it, but the table has Legacy=true", id, got.Name)
		}
	}
	if assigned != 56 {
		t.Errorf("tls-parameters-8.csv has %d assigned groups; want 56", assigned)
	}

	for _, g := range Groups() {
		r, ok := rowFor(rows, g.ID)
		switch {
		case !ok:
			t.Errorf("table group 0x%04x %s: no IANA record covers the id", g.ID, g.Name)
		case r.kind() != "assigned":
			t.Errorf("table group 0x%04x %s: IANA lists the id as %q (%s, line %d)", g.ID, g.Name, r.description, r.raw, r.line)
		}
	}
}

// TestGroupsIANAHybridMLKEM pins the hybrid ML-KEM groups to the values in
// the IANA copy, which a ClientHello must carry byte for byte.
func TestGroupsIANAHybridMLKEM(t *testing.T) {
	rows := readIANACSV(t, "tls-parameters-8.csv", parseGroupValue)
	tests := []struct {
		constant uint16
		name     string
	}{
		{GroupSecP256r1MLKEM768, "SecP256r1MLKEM768"},
		{GroupX25519MLKEM768, "X25519MLKEM768"},
		{GroupSecP384r1MLKEM1024, "SecP384r1MLKEM1024"},
	}
	for _, tt := range tests {
		r, ok := rowFor(rows, tt.constant)
		if !ok || r.description != tt.name {
			t.Errorf("IANA record for 0x%04x = %q, %v; want %q", tt.constant, r.description, ok, tt.name)
		}
	}
}

func TestSchemesMatchIANA(t *testing.T) {
	rows := readIANACSV(t, "tls-signaturescheme.csv", parseSchemeValue)

	assigned := 0
	for _, r := range rows {
		if r.kind() != "assigned" {
			continue
		}
		assigned++
		id := r.first
		got, ok := Scheme(id)
		if !ok {
			t.Errorf("signature scheme 0x%04x %s (IANA, line %d) is missing from the table", id, r.description, r.line)
			continue
		}
		if got.Name != r.description {
			t.Errorf("signature scheme 0x%04x: table name %q; IANA name %q", id, got.Name, r.description)
		}
		if byName, ok := SchemeByName(r.description); !ok || byName.ID != id {
			t.Errorf("SchemeByName(%q) = 0x%04x, %v; want 0x%04x", r.description, byName.ID, ok, id)
		}
		if r.recommended == "Y" && got.Legacy {
			t.Errorf("signature scheme 0x%04x %s: IANA recommends it, but the table has Legacy=true", id, got.Name)
		}
	}
	if assigned != 37 {
		t.Errorf("tls-signaturescheme.csv has %d assigned signature schemes; want 37", assigned)
	}

	// The table also lists the TLS 1.2 hash and signature pairs that the
	// registry reserves for backward compatibility (RFC 8446, Section
	// 4.2.3). TLS 1.3 forbids them, and no other reserved or unassigned id
	// may appear.
	for _, s := range Schemes() {
		r, ok := rowFor(rows, s.ID)
		switch {
		case !ok:
			t.Errorf("table scheme 0x%04x %s: no IANA record covers the id", s.ID, s.Name)
		case r.kind() == "assigned":
		case r.description == "Reserved for backward compatibility" && isTLS12HashSignaturePair(s.ID):
			if s.TLS13 {
				t.Errorf("table scheme 0x%04x %s: IANA reserves the id for TLS 1.2 only (%s), but the table has TLS13=true", s.ID, s.Name, r.raw)
			}
			if !s.Legacy {
				t.Errorf("table scheme 0x%04x %s: a reserved TLS 1.2 pair (%s) with Legacy=false", s.ID, s.Name, r.raw)
			}
		default:
			t.Errorf("table scheme 0x%04x %s: IANA lists the id as %q (%s, line %d)", s.ID, s.Name, r.description, r.raw, r.line)
		}
	}
}

// isTLS12HashSignaturePair reports whether id is a TLS 1.2
// SignatureAndHashAlgorithm (RFC 5246, Section 7.4.1.4.1) with a hash from
// md5(1) to sha512(6) and a signature from rsa(1) to ecdsa(3).
func isTLS12HashSignaturePair(id uint16) bool {
	hash, signature := id>>8, id&0xff
	return 1 <= hash && hash <= 6 && 1 <= signature && signature <= 3
}
