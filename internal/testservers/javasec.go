package testservers

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// JavaSecTLS describes a JSSE server whose JVM runs with given options,
// such as -Djava.security.properties==FILE or
// -Dcom.sun.net.ssl.enableECC=false, to test a JVM's TLS policy.
type JavaSecTLS struct {
	// Cert is served by the listener; it must have an RSA key.
	Cert Cert
	// JVMArgs are passed to java before the source file, such as
	// "-Djava.security.properties==/tmp/x/java.security".
	JVMArgs []string
}

// StartJavaSec runs the JSSE test server of StartJSSE with one listener
// that keeps the JDK's default protocols and suites, under a JVM started
// with cfg.JVMArgs, and returns its 127.0.0.1 address. The JVM stops when
// the test ends. The test fails when java is not in PATH (Debian package
// openjdk-17-jdk-headless) or the server does not listen within 30 s. The
// failure shows the JVM's stderr, which reports a policy the JDK rejects,
// such as a malformed jdk.tls.disabledAlgorithms.
func StartJavaSec(t testing.TB, cfg JavaSecTLS) string {
	t.Helper()
	bin, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("testservers: java not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	dir := t.TempDir()
	source := filepath.Join(dir, "jsseserver.java")
	if err := os.WriteFile(source, jsseServerSource, 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	args := append(append([]string{}, cfg.JVMArgs...), source, cfg.Cert.CertFile, cfg.Cert.KeyFile, "default")

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

	addr := ""
	timeout := time.After(jsseStartupTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				stop()
				t.Fatalf("testservers: java %s exited before listening: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
			}
			if a, found := strings.CutPrefix(line, "LISTENING "); found {
				addr = a
			}
			if line != "READY" {
				continue
			}
			drain()
			t.Cleanup(stop)
			return addr
		case <-timeout:
			stop()
			t.Fatalf("testservers: java %s did not listen within %s: %s", strings.Join(args, " "), jsseStartupTimeout, strings.TrimSpace(stderr.String()))
		}
	}
}
