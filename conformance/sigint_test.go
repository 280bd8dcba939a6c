package conformance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/scimdoctor/scimdoctor/conformance"
	"github.com/scimdoctor/scimdoctor/conformance/peertest"
)

// TestCommandSIGINTCleanup runs the built scimdoctor binary with --write,
// sends it SIGINT while a request is in flight, and checks on the peer that
// the resources it created are gone, and that it exits with 130.
func TestCommandSIGINTCleanup(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "scimdoctor")
	build := exec.Command("go", "build", "-o", bin, "github.com/scimdoctor/scimdoctor/cmd/scimdoctor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build failed: %v\n%s", err, out)
	}
	peer := peertest.Start(t, "scimmy")
	// The profile's first PATCH (the group rename, after the user's PUT
	// updates) stalls until the signal is sent.
	proxy := startFaultyProxy(t, peer, http.MethodPatch, "stall")

	const prefix = "scimdoctor-sigint-"
	cmd := exec.Command(bin, "scim", "--write", "--profile", "entra", "--format", "json", "--prefix", prefix, proxy.URL)
	cmd.Env = append(os.Environ(), "SCIMDOCTOR_TOKEN="+peertest.Token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-proxy.reached
	proxy.mu.Lock()
	proxy.fault = "pass"
	proxy.mu.Unlock()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != conformance.ExitInterrupted {
		t.Fatalf("exit = %v, want code %d\nstderr: %s", err, conformance.ExitInterrupted, stderr.String())
	}

	var r conformance.Result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("JSON report does not parse: %v\n%s", err, stdout.String())
	}
	if r.Aborted == nil || !r.Aborted.Interrupted {
		t.Errorf("aborted = %+v, want an interrupt", r.Aborted)
	}
	if len(r.Cleanup.Removed) == 0 || len(r.Cleanup.Left) != 0 {
		t.Errorf("cleanup = %+v, want the created resources removed", r.Cleanup)
	}
	if left := peerResources(t, peer, prefix); len(left) != 0 {
		t.Errorf("resources still on the peer after SIGINT: %v", left)
	}
}
