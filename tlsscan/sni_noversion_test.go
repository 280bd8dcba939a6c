package tlsscan

import (
	"net"
	"strings"
	"testing"
)

// TestRunSNIWhenNoVersionAccepted scans a server that answers every
// ClientHello with a fatal handshake_failure alert, as HAProxy does with
// every version disabled. The SNI step says the server accepted no
// version, not that the caller gave none.
func TestRunSNIWhenNoVersionAccepted(t *testing.T) {
	addr := hostileServer(t, func(conn *net.TCPConn, hello clientHello) {
		conn.Write(hostileRecord(hostileRecordAlert, []byte{2, 40}))
	})
	r := runHostileScan(t, addr)
	if r.SNI == nil {
		t.Fatalf("SNI step did not run (skipped: %v)", r.Skipped)
	}
	if want := "the server accepted no protocol version"; !strings.Contains(r.SNI.Summary, want) {
		t.Errorf("SNI summary = %q, want it to contain %q", r.SNI.Summary, want)
	}
	if strings.Contains(r.SNI.Summary, "no version was given") {
		t.Errorf("SNI summary = %q blames the caller", r.SNI.Summary)
	}
}
