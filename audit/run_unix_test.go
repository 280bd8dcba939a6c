//go:build unix

package audit_test

import (
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
	if got := r.Files[0].Error; !strings.Contains(got, "is not a regular file") {
		t.Errorf("error = %q, want the FIFO rejected", got)
	}
}
