package testservers

import (
	"bufio"
	"context"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsseServerSource is a single-file Java HTTPS server on the JDK's TLS
// stack (JSSE), run in source-file mode.
//
//go:embed jsseserver.java
var jsseServerSource []byte

// jsseStartupTimeout bounds the JVM start, which compiles the source file
// first. That took under 1.5 s on a 2-core test machine, so 30 s leaves
// room for a loaded one.
const jsseStartupTimeout = 30 * time.Second

// JSSETLS describes the listeners of one JSSE server process. A JVM starts
// in seconds, so one process serves several listeners.
type JSSETLS struct {
	// Cert is served by every listener. It must have an RSA key, as
	// SelfSigned makes.
	Cert Cert
	// Protocols has one entry per listener: the comma-separated protocols
	// it enables, such as "TLSv1.3,TLSv1.2" or "TLSv1", or "default" for the
	// JDK's defaults. When any listener enables TLSv1 or TLSv1.1, the JVM
	// removes both from jdk.tls.disabledAlgorithms, which then applies to
	// every listener of the process.
	Protocols []string
}

// StartJSSE runs a minimal HTTPS server on the JDK's own TLS stack with
// `java` in source-file mode, one listener per cfg.Protocols entry on free
// 127.0.0.1 ports, and returns their addresses in the same order. Every
// connection that completes a handshake gets one HTTP 200 response with
// "Server: jsse-test". The JVM stops when the test ends. The test fails
// when java is not in PATH (Debian package openjdk-17-jdk-headless) or the
// server does not start within 30 s.
func StartJSSE(t testing.TB, cfg JSSETLS) []string {
	t.Helper()
	if len(cfg.Protocols) == 0 {
		t.Fatalf("testservers: JSSETLS.Protocols is empty; give one protocol list per listener, such as \"TLSv1.3,TLSv1.2\"")
	}
	bin, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("testservers: java not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	dir := t.TempDir()
	source := filepath.Join(dir, "jsseserver.java")
	if err := os.WriteFile(source, jsseServerSource, 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	args := append([]string{source, cfg.Cert.CertFile, cfg.Cert.KeyFile}, cfg.Protocols...)

	addrs := runJSSEServer(t, bin, args)
	if len(addrs) != len(cfg.Protocols) {
		t.Fatalf("testservers: the JSSE server opened %d listeners for %d protocol lists", len(addrs), len(cfg.Protocols))
	}
	return addrs
}

// runJSSEServer starts java with args (the JVM options, jsseserver.java and
// its arguments) and returns the addresses of the LISTENING lines once the
// server prints READY. The JVM stops when the test ends. The test fails when
// the JVM exits or does not print READY within jsseStartupTimeout, with the
// JVM's stderr in the message.
func runJSSEServer(t testing.TB, bin string, args []string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	// The server exits when its stdin closes, so it cannot outlive the test
	// process even when the cleanup does not run.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		t.Fatalf("testservers: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatalf("testservers: %v", err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("testservers: starting java %s: %v", strings.Join(args, " "), err)
	}
	exited := make(chan struct{})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() {
		cmd.Wait()
		close(exited)
	}()
	// drain reads the rest of stdout, so the reader goroutine never blocks
	// on lines and the JVM never blocks on its output.
	drain := func() {
		go func() {
			for range lines {
			}
		}()
	}
	stop := func() {
		drain()
		stdin.Close()
		cancel()
		<-exited
	}

	var addrs []string
	timeout := time.After(jsseStartupTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				stop()
				t.Fatalf("testservers: java %s exited before listening: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
			}
			if addr, found := strings.CutPrefix(line, "LISTENING "); found {
				addrs = append(addrs, addr)
			}
			if line != "READY" {
				continue
			}
			drain()
			t.Cleanup(stop)
			return addrs
		case <-timeout:
			stop()
			t.Fatalf("testservers: java %s did not listen within %s: %s", strings.Join(args, " "), jsseStartupTimeout, strings.TrimSpace(stderr.String()))
		}
	}
}
