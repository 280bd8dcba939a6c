//go:build unix

package audit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// TestRunNamedFIFO names a FIFO, which a read would block on: it is an
// error at once.
func TestRunNamedFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "nginx.conf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := audit.Run([]string{fifo}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if got := r.Files[0].Error; !strings.Contains(got, "is not a regular file (a named pipe)") {
		t.Errorf("error = %q, want the FIFO rejected as a named pipe", got)
	}
}

// TestRunFollowsSymlinks walks a folder of symbolic links, like Debian's
// sites-enabled. A link to a file is audited under the link's name and a
// link to a folder is walked. A broken link is an error that names its
// target, and a link loop ends.
func TestRunFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	site := writeFile(t, dir, "sites-available/scim.conf", goodNginx)
	writeFile(t, dir, "snippets/tls.conf", goodNginx)
	enabled := filepath.Join(dir, "sites-enabled")
	if err := os.Mkdir(enabled, 0o700); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"scim.conf": site,
		"snippets":  filepath.Join(dir, "snippets"),
		"gone.conf": filepath.Join(dir, "sites-available", "gone.conf"),
		"loop":      enabled,
	} {
		if err := os.Symlink(target, filepath.Join(enabled, link)); err != nil {
			t.Fatal(err)
		}
	}

	r, err := audit.Run([]string{enabled}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	got := map[string]audit.FileResult{}
	for _, f := range r.Files {
		got[strings.TrimPrefix(f.Path, enabled+"/")] = f
	}
	if f, ok := got["scim.conf"]; !ok || f.Type != "nginx" || len(f.Listeners) != 1 {
		t.Errorf("linked file = %+v, want it audited as nginx with one listener", f)
	}
	if f, ok := got["snippets/tls.conf"]; !ok || f.Type != "nginx" {
		t.Errorf("file in linked folder = %+v, want it audited", f)
	}
	if f := got["gone.conf"]; !strings.Contains(f.Error, "broken symbolic link to "+filepath.Join(dir, "sites-available", "gone.conf")) || !strings.Contains(f.Error, "fix or remove the link") {
		t.Errorf("broken link error = %q, want the target and the next step", f.Error)
	}
	if len(r.Files) != 3 {
		t.Errorf("files = %+v, want the linked file, the file in the linked folder and the broken link once each", r.Files)
	}
}

// TestRunUnreadableFolder reads, as a user without read permission, a
// folder named directly and a folder inside a walk. Both give a permission
// error with the next step. As root, which can read everything, the test
// runs itself again as uid 65534 (the "nobody" account).
func TestRunUnreadableFolder(t *testing.T) {
	if os.Getenv("AUDIT_TEST_AS_NOBODY") == "" && os.Geteuid() == 0 {
		rerunAsNobody(t, "TestRunUnreadableFolder")
		return
	}
	dir, err := os.MkdirTemp("", "audit-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(filepath.Join(dir, "closed"), 0o700)
		os.Chmod(filepath.Join(dir, "open", "closed"), 0o700)
		os.RemoveAll(dir)
	})
	writeFile(t, dir, "open/site.conf", goodNginx)
	writeFile(t, dir, "open/closed/secret.conf", goodNginx)
	writeFile(t, dir, "closed/secret.conf", goodNginx)
	writeFile(t, dir, "secret.conf", goodNginx)
	for _, p := range []string{"closed", "open/closed"} {
		if err := os.Chmod(filepath.Join(dir, p), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "secret.conf"), 0); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		path      string
		wantError string // the path whose error is checked
		wantExit  int
	}{
		{"root folder", filepath.Join(dir, "closed"), filepath.Join(dir, "closed"), 2},
		{"subfolder in a walk", filepath.Join(dir, "open"), filepath.Join(dir, "open", "closed"), 1},
		{"named file", filepath.Join(dir, "secret.conf"), filepath.Join(dir, "secret.conf"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Naming the path twice still gives one error.
			r, err := audit.Run([]string{tt.path, tt.wantError}, "", formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			found := 0
			for _, f := range r.Files {
				if f.Path != tt.wantError {
					continue
				}
				found++
				if !strings.Contains(f.Error, "permission denied") || !strings.Contains(f.Error, "such as with sudo") {
					t.Errorf("error = %q, want permission denied and the next step", f.Error)
				}
			}
			if found != 1 {
				t.Errorf("files = %+v, want one error for %s", r.Files, tt.wantError)
			}
			if r.ExitCode != tt.wantExit {
				t.Errorf("exit code = %d, want %d", r.ExitCode, tt.wantExit)
			}
		})
	}
}

// rerunAsNobody runs the test named name in a copy of the test binary as
// uid and gid 65534, and fails t with its output when it fails.
func rerunAsNobody(t *testing.T, name string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "audit-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "audit.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+name+"$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AUDIT_TEST_AS_NOBODY=1", "TMPDIR=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as nobody failed: %v\n%s", name, err, out)
	}
}
