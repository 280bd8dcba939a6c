package testservers

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// HAProxyTLS describes a TLS-terminating haproxy frontend.
type HAProxyTLS struct {
	// Cert is served by the frontend.
	Cert Cert
	// BindOptions follow "ssl crt FILE" on the bind line, such as
	// "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0 ciphers DEFAULT@SECLEVEL=0".
	BindOptions string
	// Backend is the host:port haproxy forwards to over TLS, without
	// verifying the backend's certificate.
	Backend string
}

// StartHAProxy starts haproxy in the foreground with one TLS frontend on a
// free 127.0.0.1 port, waits until it accepts connections and returns the
// address. haproxy is stopped when the test ends. The test fails when
// haproxy is not installed (Debian package haproxy) or does not start.
func StartHAProxy(t testing.TB, cfg HAProxyTLS) string {
	t.Helper()
	bin := lookSbin(t, "haproxy", "haproxy")
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "frontend.pem")
	if err := os.WriteFile(pemFile, append(append([]byte{}, cfg.Cert.CertPEM...), cfg.Cert.KeyPEM...), 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}

	var lastErr error
	for range 3 {
		addr := freePort(t)
		conf := fmt.Sprintf(`global
    log stderr format raw local0 err

defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s

frontend scim
    bind %s ssl crt %s %s
    default_backend origin

backend origin
    server origin %s ssl verify none
`, addr, pemFile, cfg.BindOptions, cfg.Backend)
		confFile := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		err := startDaemon(t, addr, bin, "-db", "-f", confFile)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}

// lookSbin finds a server binary in PATH or /usr/sbin, where Debian puts
// nginx and haproxy, and fails the test naming the package otherwise.
func lookSbin(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if bin, err := exec.LookPath(name); err == nil {
		return bin
	}
	candidate := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(candidate); err == nil {
		return candidate
	}
	t.Fatalf("testservers: %s not found in PATH or /usr/sbin; install Debian package %s (scripts/install-test-deps.sh does)", name, debianPackage)
	return ""
}

// FreeAddr returns a 127.0.0.1 address whose port was free a moment ago,
// for a server that must be given its port in a configuration file.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return freePort(t)
}

// freePort returns a 127.0.0.1 address whose port was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testservers: finding a free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// StartDaemon runs bin args in the foreground with env added to this
// process's environment, waits until addr accepts TCP connections, and
// stops the process when the test ends. The error of a daemon that exits
// or does not listen in time carries its output, so a caller can retry
// with another port.
func StartDaemon(t testing.TB, addr string, env []string, bin string, args ...string) error {
	return startDaemonEnv(t, addr, env, bin, args...)
}

// startDaemon runs bin args in the foreground, waits until addr accepts TCP
// connections, and stops the process when the test ends.
func startDaemon(t testing.TB, addr, bin string, args ...string) error {
	return startDaemonEnv(t, addr, nil, bin, args...)
}

func startDaemonEnv(t testing.TB, addr string, env []string, bin string, args ...string) error {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var output strings.Builder
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		cancel()
		return fmt.Errorf("starting %s %s: %w", bin, strings.Join(args, " "), err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cancel()
		<-exited
	}

	deadline := time.Now().Add(startupTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			cancel()
			return fmt.Errorf("%s %s exited before listening: %s", bin, strings.Join(args, " "), strings.TrimSpace(output.String()))
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			t.Cleanup(stop)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return fmt.Errorf("%s %s did not listen on %s within %s: %s", bin, strings.Join(args, " "), addr, startupTimeout, strings.TrimSpace(output.String()))
}
