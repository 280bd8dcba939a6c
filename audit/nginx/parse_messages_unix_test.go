//go:build unix

package nginx

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestParseIncludeOfNamedPipe(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": "include pipe.conf;\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.conf"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, err := Parse(filepath.Join(dir, "nginx.conf"), "")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 1 {
		t.Fatalf("Parse = %v, want a ParseError at nginx.conf:1", err)
	}
	if !strings.Contains(err.Error(), "is not a regular file (a named pipe)") {
		t.Errorf("error %q does not name the named pipe", err)
	}
	if strings.Contains(err.Error(), "p---------") {
		t.Errorf("error %q shows the raw file mode", err)
	}
}

func TestParseIncludeChainTooDeep(t *testing.T) {
	files := map[string]string{}
	for i := range MaxDepth + 1 {
		files[fmt.Sprintf("f%d.conf", i)] = fmt.Sprintf("include f%d.conf;\n", i+1)
	}
	files[fmt.Sprintf("f%d.conf", MaxDepth+1)] = "worker_processes 1;\n"
	dir := writeFiles(t, files)
	_, err := Parse(filepath.Join(dir, "f0.conf"), "")
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse of a %d-file include chain = %v, want a ParseError", MaxDepth+2, err)
	}
	if !strings.Contains(err.Error(), "nested deeper than 64 levels") {
		t.Errorf("error %q does not give the limit", err)
	}
	if !strings.Contains(err.Error(), "generated include tree") {
		t.Errorf("error %q gives no next step", err)
	}
}
