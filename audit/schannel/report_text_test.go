package schannel

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// utf16Hex returns the hex(7) data of strings as regedit 5.00 writes a
// REG_MULTI_SZ: UTF-16LE, each string ended by a zero unit, then one more.
func utf16Hex(strs ...string) string {
	var parts []string
	for _, s := range strs {
		for _, r := range s {
			parts = append(parts, fmt.Sprintf("%02x,00", r))
		}
		parts = append(parts, "00,00")
	}
	parts = append(parts, "00,00")
	return strings.Join(parts, ",")
}

func TestFunctionsDirectiveDecoded(t *testing.T) {
	suites := []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}
	export := regHeader + "[" + localOrderKey + "]\n\"Functions\"=hex(7):" + utf16Hex(suites...) + "\n"
	listeners, _ := Effective(machineFrom(t, export), Options{Windows: Server2019, DotNet: DotNet48})
	got := listeners[0].Suites.Directive
	if strings.Contains(got, "54,00") {
		t.Errorf("directive %q shows the raw hex bytes", got)
	}
	if want := strings.Join(suites, ","); !strings.Contains(got, want) {
		t.Errorf("directive %q lacks the decoded list %q", got, want)
	}
	if !strings.Contains(got, "["+localOrderKey+"]") {
		t.Errorf("directive %q lacks the key path", got)
	}
	if !strings.Contains(got, "REG_MULTI_SZ") {
		t.Errorf("directive %q does not name the value type", got)
	}
}

func TestFunctionsDirectivePlainStringKept(t *testing.T) {
	line := `"Functions"="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"`
	export := regHeader + "[" + policyOrderKey + "]\n" + line + "\n"
	listeners, _ := Effective(machineFrom(t, export), Options{Windows: Server2019, DotNet: DotNet48})
	if got := listeners[0].Suites.Directive; got != "["+policyOrderKey+"] "+line {
		t.Errorf("directive %q, want the line as written", got)
	}
}

func TestDotNetNoteOnlyWhenOlderTargetDiffers(t *testing.T) {
	const v4 = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319`
	strongOff := regHeader + "[" + v4 + "]\n\"SchUseStrongCrypto\"=dword:00000000\n"
	tests := []struct {
		name     string
		exports  []string
		wantNote string
	}{
		{name: "same-result-says-same", exports: []string{strongOff}, wantNote: "4.5.2 or older gets the same versions"},
		{name: "different-result-names-it", wantNote: "4.5.2 or older gets SSL 3.0, TLS 1.0 instead"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			listeners, _ := Effective(machineFrom(t, tc.exports...), Options{Windows: Server2019, DotNet: DotNet46})
			l := listeners[iDotNet64]
			var found bool
			for _, n := range l.Notes {
				if strings.Contains(n, "4.5.2 or older") {
					found = strings.Contains(n, tc.wantNote)
					if !found {
						t.Errorf("note %q, want %q (versions %v)", n, tc.wantNote, l.Versions.Values)
					}
				}
			}
			if !found {
				t.Errorf("notes %q lack %q", l.Notes, tc.wantNote)
			}
		})
	}
}

func TestMachineOverrideNote(t *testing.T) {
	enabled := func(v string) string { return protocolValues("TLS 1.0", Server, `"Enabled"=dword:`+v) }
	tests := []struct {
		name    string
		exports []string
		want    []string
	}{
		{name: "different-data-noted", exports: []string{enabled("00000000"), enabled("00000001")},
			want: []string{"test-1.reg:", "test-2.reg:", `"Enabled"`, "dword:00000000", "dword:00000001", "so test-2.reg wins"}},
		{name: "same-data-silent", exports: []string{enabled("00000001"), enabled("00000001")}},
		{name: "one-file-silent", exports: []string{enabled("00000000") + "\n" + strings.TrimPrefix(enabled("00000001"), regHeader)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := machineFrom(t, tc.exports...)
			if len(tc.want) == 0 {
				if len(m.Overrides) != 0 {
					t.Errorf("Overrides = %q, want none", m.Overrides)
				}
				return
			}
			if len(m.Overrides) != 1 {
				t.Fatalf("Overrides = %q, want one", m.Overrides)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Overrides[0], w) {
					t.Errorf("override note %q lacks %q", m.Overrides[0], w)
				}
			}
		})
	}
}

func TestAuditInFolderOverrideNote(t *testing.T) {
	dir := t.TempDir()
	exports := map[string]string{
		"a-disable.reg": protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000000`),
		"b-enable.reg":  protocolValues("TLS 1.2", Server, `"Enabled"=dword:00000001`),
	}
	for name, text := range exports {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	listeners, _, err := AuditInFolder(Options{Windows: Server2019, DotNet: DotNet48}, filepath.Join(dir, "b-enable.reg"))
	if err != nil {
		t.Fatalf("AuditInFolder: %v", err)
	}
	if len(listeners) == 0 {
		t.Fatal("no listener reported with b-enable.reg")
	}
	var note string
	for _, n := range listeners[0].Notes {
		if strings.Contains(n, "differently") {
			note = n
		}
	}
	for _, want := range []string{filepath.Join(dir, "a-disable.reg") + ":", filepath.Join(dir, "b-enable.reg") + ":", "so b-enable.reg wins"} {
		if !strings.Contains(note, want) {
			t.Errorf("override note %q lacks %q (notes %q)", note, want, listeners[0].Notes)
		}
	}
	if got := listeners[0].Versions.Values; !slices.Contains(got, "TLS 1.2") {
		t.Errorf("versions %v, want TLS 1.2 enabled by the later export", got)
	}
}
