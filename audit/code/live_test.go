package code

import (
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// nodeClient connects to each 127.0.0.1 port given as an argument with
// the options of OPTIONS and prints the port and the negotiated version,
// or "fail". Certificates go unchecked because only the version matters.
const nodeClient = `const tls = require('tls');
PRELUDE
const ports = process.argv.slice(2);
function next(i) {
  if (i >= ports.length) return;
  const s = tls.connect({
    host: '127.0.0.1', port: Number(ports[i]), rejectUnauthorized: false, ciphers: 'DEFAULT@SECLEVEL=0',
    OPTIONS
  }, () => { console.log(ports[i] + ' ' + s.getProtocol()); s.destroy(); next(i + 1); });
  s.on('error', () => { console.log(ports[i] + ' fail'); next(i + 1); });
}
next(0);
`

// pythonClient does the same with the context that CONTEXT builds.
const pythonClient = `import socket
import ssl
import sys

CONTEXT
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_ciphers("DEFAULT@SECLEVEL=0")
for port in sys.argv[1:]:
    try:
        with socket.create_connection(("127.0.0.1", int(port))) as raw, ctx.wrap_socket(raw) as s:
            print(port, s.version())
    except (OSError, ssl.SSLError):
        print(port, "fail")
`

// TestLiveClientRange runs Node.js and Python clients pinned as the
// audited code pins them against openssl s_server instances that each
// allow one version, and checks that the versions that connect are the
// range Audit reports.
func TestLiveClientRange(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	tests := []struct {
		name, file, tool, source string
	}{
		{"node min and max", "client.js", "node", strings.NewReplacer("PRELUDE", "", "OPTIONS", "minVersion: 'TLSv1',\n    maxVersion: 'TLSv1.1',").Replace(nodeClient)},
		{"node secureProtocol", "client.js", "node", strings.NewReplacer("PRELUDE", "", "OPTIONS", "secureProtocol: 'TLSv1_2_method',").Replace(nodeClient)},
		{"node default max", "client.js", "node", strings.NewReplacer("PRELUDE", "tls.DEFAULT_MAX_VERSION = 'TLSv1.2';", "OPTIONS", "").Replace(nodeClient)},
		{"node min 1.3", "client.js", "node", strings.NewReplacer("PRELUDE", "", "OPTIONS", "minVersion: 'TLSv1.3',").Replace(nodeClient)},
		{"python min and max", "client.py", "python3", strings.Replace(pythonClient, "CONTEXT", "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nctx.minimum_version = ssl.TLSVersion.TLSv1\nctx.maximum_version = ssl.TLSVersion.TLSv1_1", 1)},
		{"python protocol constant", "client.py", "python3", strings.Replace(pythonClient, "CONTEXT", "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)", 1)},
		{"python maximum only", "client.py", "python3", strings.Replace(pythonClient, "CONTEXT", "ctx = ssl.create_default_context()\nctx.maximum_version = ssl.TLSVersion.TLSv1_2", 1)},
	}

	// One server per version; SECLEVEL=0 lets OpenSSL 3 serve TLS 1.0
	// and 1.1.
	versionOf := map[string]string{}
	var ports []string
	for _, v := range []struct{ flag, name string }{{"-tls1", t10}, {"-tls1_1", t11}, {"-tls1_2", t12}, {"-tls1_3", t13}} {
		addr := testservers.StartOpenSSL(t, v.flag, "-cipher", "DEFAULT@SECLEVEL=0")
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		versionOf[port] = v.name
		ports = append(ports, port)
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := exec.LookPath(tc.tool)
			if err != nil {
				t.Skipf("%s is not installed", tc.tool)
			}
			path := writeFile(t, tc.file, tc.source)
			listeners := auditFile(t, path)
			if len(listeners) != 1 {
				t.Fatalf("Audit found %d listeners, want 1", len(listeners))
			}
			// Python prints deprecation warnings for the old versions on
			// stderr, so only stdout holds results.
			cmd := exec.Command(bin, append([]string{path}, ports...)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s%s", tc.tool, filepath.Base(path), err, out, stderr.String())
			}
			var connected []string
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				port, result, _ := strings.Cut(line, " ")
				if result != "fail" {
					connected = append(connected, versionOf[port])
				}
			}
			slices.Sort(connected)
			if !slices.Equal(connected, listeners[0].Versions.Values) {
				t.Errorf("the client connected with %v, Audit reports %v\n%s", connected, listeners[0].Versions.Values, out)
			}
		})
	}
}
