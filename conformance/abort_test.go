package conformance_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/conformance"
	"github.com/scimdoctor/scimdoctor/conformance/peertest"
)

// faultyProxy forwards to a peer on its own 127.0.0.1 listener until the
// first request with the given method arrives; then it applies fault.
type faultyProxy struct {
	URL    string
	server *http.Server
	ln     net.Listener

	mu       sync.Mutex
	tripped  bool
	tripOn   string
	fault    string // "die", "stall" or "pass" (forward again)
	reached  chan struct{}
	stalling chan struct{}
}

func startFaultyProxy(t *testing.T, peer *peertest.Peer, tripOn, fault string) *faultyProxy {
	t.Helper()
	target, err := url.Parse(peer.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultyProxy{ln: ln, tripOn: tripOn, fault: fault, reached: make(chan struct{}), stalling: make(chan struct{})}
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		trip := p.tripped || r.Method == p.tripOn
		first := trip && !p.tripped
		p.tripped = trip
		fault := p.fault
		p.mu.Unlock()
		if !trip || fault == "pass" {
			forward.ServeHTTP(w, r)
			return
		}
		if first {
			close(p.reached)
		}
		switch fault {
		case "die":
			// Drop this connection and stop listening: every later
			// request, the cleanup's too, is refused.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			go p.server.Close()
		case "stall":
			select {
			case <-r.Context().Done():
			case <-p.stalling:
			}
		}
	})}
	go p.server.Serve(ln)
	p.URL = "http://" + ln.Addr().String() + target.Path
	t.Cleanup(func() {
		close(p.stalling)
		p.server.Close()
	})
	return p
}

// TestRunEndpointDies closes the endpoint at the first PATCH of the okta
// flow, the password sync:
// the run stops naming the request, and the user it created is listed as
// left behind, with its id.
func TestRunEndpointDies(t *testing.T) {
	peer := peertest.Start(t, "elimity")
	proxy := startFaultyProxy(t, peer, http.MethodPatch, "die")
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: proxy.URL, Auth: conformance.BearerToken(peertest.Token)},
		conformance.Options{Write: true, Profiles: []string{"okta"}, Timeout: 5 * time.Second, CleanupTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	checkAborted(t, r, "okta.password.sync")
	if r.ExitCode() != conformance.ExitUnreachable {
		t.Errorf("exit code = %d, want %d", r.ExitCode(), conformance.ExitUnreachable)
	}
	if len(r.Cleanup.Left) != 1 || r.Cleanup.Left[0].Type != "Users" || r.Cleanup.Left[0].ID == "" {
		t.Fatalf("cleanup left %+v, want the created user with its id", r.Cleanup.Left)
	}
	if !strings.Contains(r.Cleanup.Left[0].Problem, "DELETE") {
		t.Errorf("cleanup problem = %q, want the failed DELETE named", r.Cleanup.Left[0].Problem)
	}
	if left := peerResources(t, peer, r.Prefix); len(left) != 1 {
		t.Errorf("resources on the peer = %v, want the one the cleanup could not remove", left)
	}
	text := textReport(t, r)
	for _, want := range []string{"Run stopped: okta.password.sync (PATCH ", "LEFT     Users/" + r.Cleanup.Left[0].ID} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
}

// TestRunEndpointStalls stops responding in the middle of the entra flow:
// the request times out, the cleanup times out too, and everything created
// is listed with its id.
func TestRunEndpointStalls(t *testing.T) {
	peer := peertest.Start(t, "elimity")
	proxy := startFaultyProxy(t, peer, http.MethodPatch, "stall")
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: proxy.URL, Auth: conformance.BearerToken(peertest.Token)},
		conformance.Options{Write: true, Profiles: []string{"entra"}, Timeout: 300 * time.Millisecond, CleanupTimeout: time.Second})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	checkAborted(t, r, "entra.patch.attributes")
	if !strings.Contains(r.Aborted.Reason, "no response within --timeout 300ms") {
		t.Errorf("abort reason = %q, want the timeout named", r.Aborted.Reason)
	}
	if len(r.Cleanup.Left) == 0 {
		t.Fatal("cleanup left nothing, want the created user listed")
	}
	for _, res := range r.Cleanup.Left {
		if res.ID == "" || res.Problem == "" {
			t.Errorf("left resource %+v lacks its id or problem", res)
		}
	}
	if len(r.Cleanup.Removed) != 0 {
		t.Errorf("cleanup removed %+v through a stalled endpoint", r.Cleanup.Removed)
	}
}

// TestRunInterrupted cancels the context while a request is in flight: the
// run is marked interrupted and the cleanup still removes what it created.
func TestRunInterrupted(t *testing.T) {
	peer := peertest.Start(t, "elimity")
	proxy := startFaultyProxy(t, peer, http.MethodPut, "stall")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-proxy.reached
		// Let the cleanup through: only the tripping request stalls.
		proxy.mu.Lock()
		proxy.fault = "pass"
		proxy.mu.Unlock()
		cancel()
	}()
	r, err := conformance.Run(ctx, conformance.Target{BaseURL: proxy.URL, Auth: conformance.BearerToken(peertest.Token)},
		conformance.Options{Write: true, Profiles: []string{"okta"}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.Aborted == nil || !r.Aborted.Interrupted {
		t.Fatalf("aborted = %+v, want an interrupt", r.Aborted)
	}
	if r.ExitCode() != conformance.ExitInterrupted {
		t.Errorf("exit code = %d, want %d", r.ExitCode(), conformance.ExitInterrupted)
	}
	if len(r.Cleanup.Left) != 0 || len(r.Cleanup.Removed) == 0 {
		t.Errorf("cleanup = %+v, want the created user removed", r.Cleanup)
	}
	if left := peerResources(t, peer, r.Prefix); len(left) != 0 {
		t.Errorf("resources still on the peer: %v", left)
	}
}

func checkAborted(t *testing.T, r *conformance.Result, step string) {
	t.Helper()
	if r.Aborted == nil {
		t.Fatalf("run not aborted:\n%s", textReport(t, r))
	}
	if r.Aborted.Step != step || r.Aborted.URL == "" || r.Aborted.Reason == "" {
		t.Errorf("aborted = %+v, want step %s with URL and reason", r.Aborted, step)
	}
	last := r.Profiles[len(r.Profiles)-1].Steps
	if got := last[len(last)-1]; got.Step != step || got.Verdict.Status != conformance.Fail {
		t.Errorf("last step = %s %s, want %s failed", got.Step, got.Verdict.Status, step)
	}
}
