package testservers

import (
	"net"
	"testing"
	"time"
)

// rawConnDeadline bounds each connection of a raw server, so a handler that
// waits for the client cannot outlive a test by long.
const rawConnDeadline = 10 * time.Second

// StartRaw listens on a free 127.0.0.1 port and hands each accepted
// connection to handle in its own goroutine; handle owns the connection and
// closes it. The listener closes when the test ends. Tests use it for
// servers no real software behaves like: garbage, oversized records,
// trickles, resets.
func StartRaw(t testing.TB, handle func(conn *net.TCPConn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testservers: listening on 127.0.0.1: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				conn.SetDeadline(time.Now().Add(rawConnDeadline))
				handle(conn.(*net.TCPConn))
			}()
		}
	}()
	return l.Addr().String()
}
