package schannel

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

func TestRunHardenedFolder(t *testing.T) {
	r, err := audit.Run([]string{"testdata/hardened"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Every listener of the merged machine is reported once, with the
	// export that sets its versions.
	want := map[string][]string{
		"01-schannel-protocols.reg": {"SCHANNEL server", "SCHANNEL client"},
		"02-ciphers.reg":            nil,
		"03-dotnet.reg":             {".NET Framework 4.8 client (64-bit)", ".NET Framework 4.8 client (32-bit, Wow6432Node)"},
		"04-cipher-order.reg":       nil,
		"05-winhttp.reg":            {"WinHTTP (64-bit)", "WinHTTP (32-bit, Wow6432Node)"},
	}
	if len(r.Files) != len(want) {
		t.Fatalf("%d files audited, want %d", len(r.Files), len(want))
	}
	byName := map[string]audit.Listener{}
	for _, f := range r.Files {
		if f.Error != "" || f.Type != "schannel" {
			t.Errorf("%s: type %q, error %q", f.Path, f.Type, f.Error)
		}
		var names []string
		for _, l := range f.Listeners {
			names = append(names, l.Name)
			byName[l.Name] = l
		}
		prefixes := want[filepath.Base(f.Path)]
		if len(names) != len(prefixes) {
			t.Errorf("%s: listeners %q, want %q", f.Path, names, prefixes)
			continue
		}
		for i, p := range prefixes {
			if !strings.HasPrefix(names[i], p) {
				t.Errorf("%s: listener %q, want %q", f.Path, names[i], p)
			}
		}
	}

	server := byName["SCHANNEL server (IIS, HTTP.sys) on Windows Server 2019"]
	if !slices.Equal(server.Versions.Values, []string{"TLS 1.2"}) {
		t.Errorf("server versions %v, want [TLS 1.2] (UTF-16 export with Enabled=0xffffffff; source: %s)", server.Versions.Values, srcDotNet)
	}
	// The policy order wins over the local one, and the Ciphers keys drop
	// 3DES and RC4 from it.
	wantSuites := []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"}
	if !slices.Equal(server.Suites.Values, wantSuites) || server.Suites.Line != 11 {
		t.Errorf("server suites %v from line %d, want %v from the policy at line 11 (source: %s)", server.Suites.Values, server.Suites.Line, wantSuites, srcV1809)
	}
	if len(server.Problems) != 0 {
		t.Errorf("server problems %+v, want none", server.Problems)
	}

	wow := byName[".NET Framework 4.8 client (32-bit, Wow6432Node) on Windows Server 2019"]
	if len(wow.Versions.Values) != 0 || len(wow.Problems) != 1 {
		t.Fatalf("32-bit .NET versions %v, problems %+v; want none and one problem (source: %s)", wow.Versions.Values, wow.Problems, srcDotNet)
	}
	p := wow.Problems[0]
	if p.Line != 9 || !strings.Contains(p.Directive, `"SchUseStrongCrypto"=dword:00000000`) || !strings.Contains(p.Fix, `"SchUseStrongCrypto"=dword:00000001`) {
		t.Errorf("problem at line %d %q with fix\n%s\nwant line 9, the SchUseStrongCrypto value and a fix that sets it to 1", p.Line, p.Directive, p.Fix)
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode)
	}

	winhttp := byName["WinHTTP (32-bit, Wow6432Node) on Windows Server 2019"]
	if !slices.Equal(winhttp.Versions.Values, []string{"TLS 1.2"}) {
		t.Errorf("REGEDIT4 WinHTTP mask gives %v, want [TLS 1.2] once SCHANNEL disables TLS 1.1 (source: %s)", winhttp.Versions.Values, srcWinHTTP)
	}
}

func TestRunNamedExportAlone(t *testing.T) {
	path := "testdata/hardened/03-dotnet.reg"
	r, err := audit.Run([]string{path}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	f := r.Files[0]
	if f.Error != "" || len(f.Listeners) != 6 {
		t.Fatalf("error %q, %d listeners; want all 6 listeners", f.Error, len(f.Listeners))
	}
	// Alone, the SCHANNEL keys of the sibling export do not apply, so the
	// 32-bit .NET client keeps SSL 3.0 and TLS 1.0.
	if got := f.Listeners[iDotNet32].Versions.Values; !slices.Equal(got, []string{"SSL 3.0", "TLS 1.0"}) {
		t.Errorf("32-bit .NET versions %v, want [SSL 3.0 TLS 1.0] (source: %s)", got, srcDotNet)
	}
}

func TestRunLegacy2008R2(t *testing.T) {
	r, err := audit.Run([]string{"testdata/legacy2008r2"}, "", []audit.Format{FormatFor(Options{Windows: Server2008R2})})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	f := r.Files[0]
	if f.Error != "" || len(f.Listeners) != 6 {
		t.Fatalf("error %q, %d listeners; want 6", f.Error, len(f.Listeners))
	}
	server := f.Listeners[iServer]
	if !slices.Equal(server.Versions.Values, []string{"SSL 3.0", "TLS 1.0"}) {
		t.Errorf("server versions %v, want [SSL 3.0 TLS 1.0]: Enabled=1 without DisabledByDefault=0 leaves TLS 1.2 off, and SSL 2.0 is disabled (source: %s)", server.Versions.Values, srcProtocols)
	}
	if len(server.Problems) == 0 || !strings.Contains(server.Problems[0].Fix, `"DisabledByDefault"=dword:00000000`) {
		t.Errorf("problems %+v, want one whose fix sets DisabledByDefault=0", server.Problems)
	}
	for _, l := range f.Listeners {
		if len(l.Problems) == 0 {
			t.Errorf("%s has no problem; on Windows Server 2008 R2 defaults every listener lacks TLS 1.2 (sources: %s; %s)", l.Name, srcProtocols, srcWinHTTP)
		}
	}
}

func TestRunBadExports(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"testdata/bad/junk.reg", "testdata/bad/junk.reg:1: binary content"},
		{"testdata/bad/unterminated.reg", "testdata/bad/unterminated.reg:4: unterminated string data"},
		{"testdata/bad/truncated.reg", "testdata/bad/truncated.reg:6: hex data of the value at line 4"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			r, err := audit.Run([]string{tt.path}, "", []audit.Format{Format()})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := r.Files[0].Error; !strings.HasPrefix(got, tt.want) {
				t.Errorf("error %q, want one starting %q", got, tt.want)
			}
			if r.ExitCode != 2 {
				t.Errorf("exit code %d, want 2", r.ExitCode)
			}
		})
	}
}
