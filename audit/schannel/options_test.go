package schannel

import (
	"os"
	"strings"
	"testing"
)

func TestParseWindows(t *testing.T) {
	tests := []struct {
		in   string
		want Windows
	}{
		{"2008r2", Server2008R2},
		{"2008 R2", Server2008R2},
		{"Windows Server 2012 R2", Server2012R2},
		{"2012", Server2012},
		{"2019", Server2019},
		{"windows-server-2025", Server2025},
	}
	for _, tt := range tests {
		got, err := ParseWindows(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseWindows(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseWindows("2003"); err == nil || !strings.Contains(err.Error(), "use 2008r2") {
		t.Errorf("ParseWindows(2003) error %v, want one listing the releases", err)
	}
}

func TestParseDotNet(t *testing.T) {
	tests := []struct {
		in   string
		want DotNet
	}{
		{"4.5.2", DotNet45},
		{"4.0", DotNet45},
		{"4.6.1", DotNet46},
		{"v4.7.2", DotNet47},
		{"4.8.1", DotNet48},
		{"3.5", DotNet35},
	}
	for _, tt := range tests {
		got, err := ParseDotNet(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDotNet(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseDotNet("5.0"); err == nil || !strings.Contains(err.Error(), "use 3.5, 4.5") {
		t.Errorf("ParseDotNet(5.0) error %v, want one listing the targets", err)
	}
}

// BenchmarkAuditExport parses a UTF-8 export with a policy order list and
// a wrapped REG_MULTI_SZ, and computes the six listeners.
func BenchmarkAuditExport(b *testing.B) {
	data, err := os.ReadFile("testdata/hardened/04-cipher-order.reg")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		exp, err := Parse("bench.reg", data)
		if err != nil {
			b.Fatal(err)
		}
		m := NewMachine()
		m.Apply(exp)
		Effective(m, Options{})
	}
}
