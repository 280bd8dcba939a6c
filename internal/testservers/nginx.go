package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NginxTLS describes an nginx server block that terminates TLS.
type NginxTLS struct {
	// Cert is served by the server block.
	Cert Cert
	// Directives are added to the server block after the listen and
	// certificate lines, such as "ssl_protocols TLSv1.2;" or
	// "ssl_verify_client on; ssl_client_certificate /path/ca.pem;".
	Directives string
	// Locations replaces the default location, which returns 200 and a
	// one-line text body for every request.
	Locations string
}

// defaultNginxLocation returns 200 for every request, so a status other than
// 200 comes from nginx itself, before any content handler runs.
const defaultNginxLocation = `location / {
            default_type text/plain;
            return 200 "nginx test server\n";
        }`

// StartNginx starts nginx in the foreground as a single process
// (master_process off, so stopping it leaves no worker behind) with one
// server block on a free 127.0.0.1 port, waits until it accepts connections
// and returns the address. The pid file, the error log and the temp paths
// live in a test temp dir. nginx is stopped when the test ends. The test
// fails when nginx is not installed (Debian package nginx) or does not
// start, with the error log in the message.
func StartNginx(t testing.TB, cfg NginxTLS) string {
	t.Helper()
	bin := lookSbin(t, "nginx", "nginx")
	dir := t.TempDir()
	errorLog := filepath.Join(dir, "error.log")
	locations := cfg.Locations
	if locations == "" {
		locations = defaultNginxLocation
	}

	var lastErr error
	for range 3 {
		addr := freePort(t)
		conf := fmt.Sprintf(`master_process off;
pid %[1]s/nginx.pid;
error_log %[2]s info;

events {
    worker_connections 64;
}

http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

    server {
        listen %[3]s ssl;
        server_name localhost;
        ssl_certificate %[4]s;
        ssl_certificate_key %[5]s;
        %[6]s

        %[7]s
    }
}
`, dir, errorLog, addr, cfg.Cert.CertFile, cfg.Cert.KeyFile, cfg.Directives, locations)
		confFile := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}

		// -e sets the error log used before the configuration is read.
		err := startDaemon(t, addr, bin, "-p", dir, "-c", confFile, "-e", errorLog, "-g", "daemon off;")
		if err == nil {
			return addr
		}
		logText, _ := os.ReadFile(errorLog)
		lastErr = fmt.Errorf("%w; error log: %s", err, strings.TrimSpace(string(logText)))
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}
