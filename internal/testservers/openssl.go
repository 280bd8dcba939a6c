package testservers

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// startupTimeout bounds how long StartOpenSSL waits for s_server to listen.
const startupTimeout = 10 * time.Second

// StartOpenSSL starts `openssl s_server` on a free 127.0.0.1 port with args
// (such as "-tls1_2" or "-Verify", "1"), waits until it accepts connections,
// and returns its "127.0.0.1:port" address. Without "-cert" in args it
// serves a SelfSigned certificate. The server is killed when the test ends.
//
// s_server handles one connection at a time; further connections wait in
// the listen queue. The test fails when openssl is not installed or the
// server does not start.
func StartOpenSSL(t testing.TB, args ...string) (addr string) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("testservers: openssl not found in PATH: %v; install Debian package openssl", err)
	}
	if !slices.Contains(args, "-cert") {
		cert := SelfSigned(t)
		args = append(args, "-cert", cert.CertFile, "-key", cert.KeyFile)
	}

	// The free port can be taken between the probe listener's close and
	// s_server's bind, so try a few ports.
	var lastErr error
	for range 3 {
		addr, err := startOnFreePort(t, bin, args)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}

func startOnFreePort(t testing.TB, bin string, args []string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()

	full := append([]string{"s_server", "-accept", addr}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, full...)
	// s_server reads commands from stdin: keep it open and idle.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return "", fmt.Errorf("starting openssl %s: %w", strings.Join(full, " "), err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cancel()
		stdin.Close()
		<-exited
	}

	// s_server prints "ACCEPT" once it listens.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "ACCEPT") {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			stop()
			return "", fmt.Errorf("openssl %s exited before listening: %s", strings.Join(full, " "), strings.TrimSpace(stderr.String()))
		}
	case <-time.After(startupTimeout):
		stop()
		return "", fmt.Errorf("openssl %s did not listen within %s: %s", strings.Join(full, " "), startupTimeout, strings.TrimSpace(stderr.String()))
	}
	t.Cleanup(stop)
	return addr, nil
}
