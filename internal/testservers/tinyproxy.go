package testservers

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tinyproxy describes a tinyproxy forward proxy for CONNECT tests.
type Tinyproxy struct {
	// ConnectPorts lists the target ports CONNECT may reach. Empty means
	// every port, which is tinyproxy's behaviour without a ConnectPort line.
	// tinyproxy responds to a CONNECT to any other port with 403.
	ConnectPorts []int
	// User and Password, when User is set, make tinyproxy require HTTP
	// Basic authentication (its BasicAuth option). tinyproxy responds to a
	// request without credentials with 407, and with wrong ones with 401.
	User     string
	Password string
}

// StartTinyproxy starts tinyproxy in the foreground on a free 127.0.0.1
// port, accepting clients from 127.0.0.1 only, waits until it accepts
// connections and returns its "127.0.0.1:port" address. tinyproxy is
// stopped when the test ends. The test fails when tinyproxy is not
// installed (Debian package tinyproxy), when User or Password contains
// white space, or when tinyproxy does not start.
func StartTinyproxy(t testing.TB, cfg Tinyproxy) string {
	t.Helper()
	bin := lookSbin(t, "tinyproxy", "tinyproxy")
	if strings.ContainsAny(cfg.User+cfg.Password, " \t\r\n") {
		t.Fatalf("testservers: Tinyproxy user %q or its password contains white space, which tinyproxy's BasicAuth line cannot carry; use one word each", cfg.User)
	}
	dir := t.TempDir()

	var lastErr error
	for range 3 {
		addr := freePort(t)
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("testservers: %v", err)
		}
		var conf strings.Builder
		fmt.Fprintf(&conf, "Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n", port)
		fmt.Fprintf(&conf, "LogLevel Info\nLogFile %q\nPidFile %q\n", filepath.Join(dir, "tinyproxy.log"), filepath.Join(dir, "tinyproxy.pid"))
		for _, p := range cfg.ConnectPorts {
			fmt.Fprintf(&conf, "ConnectPort %d\n", p)
		}
		if cfg.User != "" {
			fmt.Fprintf(&conf, "BasicAuth %s %s\n", cfg.User, cfg.Password)
		}
		confFile := filepath.Join(dir, "tinyproxy.conf")
		if err := os.WriteFile(confFile, []byte(conf.String()), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		err = startDaemon(t, addr, bin, "-d", "-c", confFile)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}
