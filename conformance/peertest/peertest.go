// Package peertest starts the peer SCIM servers of conformance's tests on
// 127.0.0.1: real SCIM 2.0 implementations that no one on this project
// wrote, each with in-memory Users and Groups. Their sources are in
// conformance/testdata/peers.
//
//   - elimity: the Go module github.com/elimity-com/scim, in its own Go
//     module (built with the go command, which fetches the module).
//   - scimmy: the npm packages scimmy and scimmy-routers on express
//     (installed with npm ci from the committed package-lock.json into a
//     cache folder, then run with node).
package peertest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bearer token every peer requires.
const Token = "peer-token-9f3c2a"

// Names lists the peers.
var Names = []string{"elimity", "scimmy"}

// startTimeout bounds building or installing a peer and waiting for its
// "listening on" line. A first build fetches modules or npm packages, which
// can take a minute on a slow link.
const startTimeout = 5 * time.Minute

// Peer is a running peer server.
type Peer struct {
	Name string
	// BaseURL is the SCIM base URL, http://127.0.0.1:PORT/scim/v2.
	BaseURL string
	cmd     *exec.Cmd
	stderr  *strings.Builder
}

// Start starts the named peer and stops it when the test ends. The test
// fails when the toolchain the peer needs (go, node and npm) is missing or
// the peer does not start. scripts/install-test-deps.sh installs node and
// npm from Debian's packages.
func Start(t testing.TB, name string) *Peer {
	t.Helper()
	var cmd *exec.Cmd
	switch name {
	case "elimity":
		bin, err := buildElimity()
		if err != nil {
			t.Fatalf("building the elimity peer failed: %v", err)
		}
		cmd = exec.Command(bin, "-token", Token, "-addr", "127.0.0.1:0")
	case "scimmy":
		dir, err := installScimmy()
		if err != nil {
			t.Fatalf("installing the scimmy peer failed: %v (run scripts/install-test-deps.sh for node and npm)", err)
		}
		cmd = exec.Command("node", filepath.Join(dir, "server.js"), Token, "0")
		cmd.Dir = dir
	default:
		t.Fatalf("unknown peer %q: use one of %v", name, Names)
	}
	p, err := start(name, cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func start(name string, cmd *exec.Cmd) (*Peer, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Peer{Name: name, cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{w: p.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the %s peer failed: %w", name, err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening on ") {
				lines <- strings.TrimPrefix(sc.Text(), "listening on ")
				break
			}
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case addr, ok := <-lines:
		if !ok {
			p.Stop()
			return nil, fmt.Errorf("the %s peer exited before listening: %s", name, p.stderr.String())
		}
		p.BaseURL = addr + "/scim/v2"
		return p, nil
	case <-time.After(startTimeout):
		p.Stop()
		return nil, fmt.Errorf("the %s peer did not print its address within %s: %s", name, startTimeout, p.stderr.String())
	}
}

// Stop ends the peer process and waits for it.
func (p *Peer) Stop() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// peersDir returns conformance/testdata/peers, found from this file's path.
func peersDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "peers")
}

var (
	elimityOnce sync.Once
	elimityBin  string
	elimityErr  error
)

// buildElimity builds the elimity peer once per test binary.
func buildElimity() (string, error) {
	elimityOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scimdoctor-peer-elimity-")
		if err != nil {
			elimityErr = err
			return
		}
		elimityBin = filepath.Join(dir, "elimity")
		cmd := exec.Command("go", "build", "-o", elimityBin, ".")
		cmd.Dir = filepath.Join(peersDir(), "elimity")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		if out, err := cmd.CombinedOutput(); err != nil {
			elimityErr = fmt.Errorf("go build in %s: %v: %s", cmd.Dir, err, out)
		}
	})
	return elimityBin, elimityErr
}

var (
	scimmyOnce sync.Once
	scimmyDir  string
	scimmyErr  error
)

// installScimmy copies the scimmy peer into a cache folder named after the
// hash of its files and runs npm ci there once. Later runs reuse the folder.
func installScimmy() (string, error) {
	scimmyOnce.Do(func() {
		scimmyDir, scimmyErr = doInstallScimmy()
	})
	return scimmyDir, scimmyErr
}

func doInstallScimmy() (string, error) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", fmt.Errorf("%s not found", tool)
		}
	}
	src := filepath.Join(peersDir(), "scimmy")
	files := []string{"package.json", "package-lock.json", "server.js"}
	h := sha256.New()
	contents := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		contents[f] = b
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "scimdoctor", "peer-scimmy-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for f, b := range contents {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %v: %s", dir, err, out)
	}
	return dir, nil
}
