package server

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// switchProxy forwards TCP connections from 127.0.0.1 to a backend until
// stop closes its listener and every open connection, as a stopped
// database looks to its clients. start listens on the same address again.
type switchProxy struct {
	t       *testing.T
	addr    string
	backend string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func startSwitchProxy(t *testing.T, backend string) *switchProxy {
	p := &switchProxy{t: t, addr: "127.0.0.1:0", backend: backend}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *switchProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", p.backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { io.Copy(b, c); b.Close() }()
			go func() { io.Copy(c, b); c.Close() }()
		}
	}()
}

func (p *switchProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestStoreUnavailable503 stops the path to a real PostgreSQL server under
// a running Server: requests get 503 with Retry-After and a SCIM error,
// not 500, and succeed again once the database is back.
func TestStoreUnavailable503(t *testing.T) {
	dsn := testservers.CreatePostgresDatabase(t, testservers.StartPostgres(t))
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startSwitchProxy(t, u.Host)
	u.Host = proxy.addr
	h := newHarness(t, u.String(), nil)
	h.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"before.outage"}`).want(t, http.StatusCreated)

	proxy.stop()
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/scim/v2/Users", ""},
		{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"during.outage"}`},
	} {
		r := h.do(req.method, req.path, req.body).want(t, http.StatusServiceUnavailable)
		if got := r.header.Get("Retry-After"); got != storeRetryAfterSeconds {
			t.Errorf("%s %s: Retry-After = %q, want %s", req.method, req.path, got, storeRetryAfterSeconds)
		}
		if r.str("status") != "503" || !strings.Contains(r.str("detail"), "the database is unavailable") {
			t.Errorf("%s %s: body = %s, want a SCIM 503 error", req.method, req.path, r.body)
		}
	}
	if !strings.Contains(h.logs.String(), "database unavailable") {
		t.Errorf("log lacks the cause of the 503:\n%s", h.logs.String())
	}

	proxy.start()
	h.do("GET", "/scim/v2/Users", "").want(t, http.StatusOK)
}
