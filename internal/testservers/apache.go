package testservers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apacheModules is the directory of Debian's apache2 modules.
const apacheModules = "/usr/lib/apache2/modules"

// ApacheTLS describes an Apache httpd virtual host with mod_ssl.
type ApacheTLS struct {
	// Cert is served by the virtual host.
	Cert Cert
	// Directives are added inside the <VirtualHost> after the certificate
	// lines, one per line, such as "SSLProtocol -all +TLSv1" or
	// "SSLCipherSuite DEFAULT@SECLEVEL=0".
	Directives string
}

// StartApache starts Apache httpd (Debian's apache2 binary) with mod_ssl on
// a free 127.0.0.1 port, waits until it accepts connections and returns the
// address. httpd runs in single-process debug mode (-X), so stopping it
// leaves no child behind, and it responds to every request with 404 from an
// empty document root, with its Server header. The configuration, pid file,
// session cache and error log live in a test temp dir. Running as root,
// httpd switches to nobody:nogroup after it reads the key. httpd is stopped
// when the test ends. The test fails when apache2 is not installed (Debian
// package apache2) or does not start, with the error log in the message.
func StartApache(t testing.TB, cfg ApacheTLS) string {
	t.Helper()
	bin := lookSbin(t, "apache2", "apache2")
	if _, err := os.Stat(filepath.Join(apacheModules, "mod_ssl.so")); err != nil {
		t.Fatalf("testservers: mod_ssl not found in %s: %v; install Debian package apache2", apacheModules, err)
	}
	dir := t.TempDir()
	docRoot := filepath.Join(dir, "htdocs")
	if err := os.Mkdir(docRoot, 0o755); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	errorLog := filepath.Join(dir, "error.log")

	// httpd refuses to serve as root, and switches user only when started
	// as root, so the User and Group lines are needed only then.
	user := ""
	if os.Geteuid() == 0 {
		user = "User nobody\nGroup nogroup"
	}

	var lastErr error
	for range 3 {
		addr := freePort(t)
		conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
ErrorLog %[2]s
LogLevel warn
LoadModule mpm_event_module %[3]s/mod_mpm_event.so
LoadModule authz_core_module %[3]s/mod_authz_core.so
LoadModule socache_shmcb_module %[3]s/mod_socache_shmcb.so
LoadModule ssl_module %[3]s/mod_ssl.so
%[4]s
Listen %[5]s
DocumentRoot %[6]s
SSLSessionCache shmcb:%[1]s/ssl_scache(512000)

<VirtualHost %[5]s>
    SSLEngine on
    SSLCertificateFile %[7]s
    SSLCertificateKeyFile %[8]s
    %[9]s
</VirtualHost>
`, dir, errorLog, apacheModules, user, addr, docRoot, cfg.Cert.CertFile, cfg.Cert.KeyFile, cfg.Directives)
		confFile := filepath.Join(dir, "httpd.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		err := startDaemon(t, addr, bin, "-f", confFile, "-X")
		if err == nil {
			return addr
		}
		logText, _ := os.ReadFile(errorLog)
		lastErr = fmt.Errorf("%w; error log: %s", err, strings.TrimSpace(string(logText)))
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}
