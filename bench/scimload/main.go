// Command scimload seeds a running `scimdoctor serve` with Users and Groups
// through /Bulk and PATCH, then drives it with concurrent workers, one
// operation at a time, and prints throughput and latency per operation as
// Markdown table rows. bench/serve.sh builds and runs it.
//
// It talks to loopback addresses only: the -url host must be 127.0.0.1,
// ::1 or localhost, and every connection is dialed to the loopback address
// of the URL. It uses HTTP/1.1 with keep-alive, one connection per worker.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// config is the command-line flags.
type config struct {
	base      string
	token     string
	caFile    string
	users     int
	members   []int
	workers   int
	duration  time.Duration
	procs     int
	servePID  int
	ops       []string
	label     string
	seedBatch int
}

// allOps are the operations in the order they run.
var allOps = []string{"lookup", "create", "put", "patch", "list"}

func main() {
	cfg, err := parseFlags()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scimload: %v\n", err)
		os.Exit(2)
	}
	runtime.GOMAXPROCS(cfg.procs)
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "scimload: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags() (config, error) {
	var cfg config
	var members, ops string
	flag.StringVar(&cfg.base, "url", "", "SCIM base URL of the server, such as https://127.0.0.1:8443/scim/v2 (loopback hosts only)")
	flag.StringVar(&cfg.token, "token", "", "bearer token of the server")
	flag.StringVar(&cfg.caFile, "cacert", "", "PEM file with the server's certificate")
	flag.IntVar(&cfg.users, "users", 100000, "Users to seed before the measured runs")
	flag.StringVar(&members, "members", "10,1000,50000", "comma-separated sizes of the Groups to seed; PATCH add member runs against each")
	flag.IntVar(&cfg.workers, "workers", 8, "concurrent workers, each with its own keep-alive connection")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "length of the measured run of each operation")
	flag.IntVar(&cfg.procs, "gomaxprocs", 1, "GOMAXPROCS of the loader, so it leaves the other cores to the server")
	flag.IntVar(&cfg.servePID, "serve-pid", 0, "process id of the server, for its CPU time and peak RSS (VmHWM)")
	flag.StringVar(&ops, "ops", strings.Join(allOps, ","), "comma-separated operations to run: "+strings.Join(allOps, ", "))
	flag.StringVar(&cfg.label, "label", "", "store name for the first column of the output, such as SQLite")
	flag.IntVar(&cfg.seedBatch, "seed-batch", 1000, "operations per /Bulk request while seeding (at most the server's maxOperations)")
	flag.Parse()

	if cfg.base == "" || cfg.token == "" || cfg.caFile == "" {
		return cfg, errors.New("-url, -token and -cacert are required; bench/serve.sh passes them")
	}
	u, err := url.Parse(cfg.base)
	if err != nil || u.Scheme != "https" {
		return cfg, fmt.Errorf("invalid -url %q: give an https URL such as https://127.0.0.1:8443/scim/v2", cfg.base)
	}
	if !isLoopback(u.Hostname()) {
		return cfg, fmt.Errorf("invalid -url %q: the host must be 127.0.0.1, ::1 or localhost, because scimload runs against a local server only", cfg.base)
	}
	cfg.base = strings.TrimSuffix(cfg.base, "/")
	for _, s := range strings.Split(members, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > cfg.users {
			return cfg, fmt.Errorf("invalid -members size %q: give whole numbers from 1 to -users (%d)", s, cfg.users)
		}
		cfg.members = append(cfg.members, n)
	}
	for _, op := range strings.Split(ops, ",") {
		op = strings.TrimSpace(op)
		if !slices.Contains(allOps, op) {
			return cfg, fmt.Errorf("invalid -ops entry %q: use %s", op, strings.Join(allOps, ", "))
		}
		cfg.ops = append(cfg.ops, op)
	}
	if cfg.workers < 1 || cfg.procs < 1 || cfg.seedBatch < 1 || cfg.duration <= 0 {
		return cfg, errors.New("-workers, -gomaxprocs, -seed-batch and -duration must be positive")
	}
	return cfg, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client sends SCIM requests with a bearer token over keep-alive
// connections.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(cfg config) (*client, error) {
	pem, err := os.ReadFile(cfg.caFile)
	if err != nil {
		return nil, fmt.Errorf("reading -cacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-cacert %s contains no PEM certificate; give the scimdoctor-tls.pem that serve wrote", cfg.caFile)
	}
	u, _ := url.Parse(cfg.base)
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	target := net.JoinHostPort(host, port)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		// Every connection goes to the URL's loopback address, whatever
		// host a redirect might name.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, target)
		},
		TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: u.Hostname(), ClientSessionCache: tls.NewLRUClientSessionCache(64)},
		MaxIdleConns:        cfg.workers * 2,
		MaxIdleConnsPerHost: cfg.workers * 2,
		MaxConnsPerHost:     cfg.workers * 2,
		IdleConnTimeout:     time.Minute,
	}
	return &client{base: cfg.base, token: cfg.token, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}, nil
}

// do sends one request and returns the status and body.
func (c *client) do(method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// userName returns the userName of seeded User i.
func userName(i int) string { return fmt.Sprintf("bench.user.%06d@example.com", i) }

// userBody returns a User as Okta creates it.
func userBody(name, given string, active bool) []byte {
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"userName":    name,
		"externalId":  "ext-" + name,
		"displayName": given + " Bench",
		"name":        map[string]any{"givenName": given, "familyName": "Bench", "formatted": given + " Bench"},
		"emails":      []map[string]any{{"value": name, "type": "work", "primary": true}},
		"active":      active,
		"title":       "Engineer",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "R&D", "employeeNumber": "E-" + name[:17]},
	})
	return b
}

// seedState contains the ids that the measured runs need.
type seedState struct {
	userIDs  []string
	groupIDs []string // one per -members size, in that order
	// spare are Users in no seeded Group, for PATCH add member.
	spare []string
}

func seed(cfg config, c *client) (seedState, error) {
	st := seedState{userIDs: make([]string, cfg.users)}
	start := time.Now()

	// Two /Bulk requests in flight keep the server busy while the other
	// request travels.
	type batch struct{ from, to int }
	batches := make(chan batch)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := seedUsers(c, st.userIDs, b.from, b.to); err != nil {
					errs <- err
					for range batches {
					}
					return
				}
			}
		}()
	}
	for from := 0; from < cfg.users; from += cfg.seedBatch {
		batches <- batch{from, min(from+cfg.seedBatch, cfg.users)}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errs:
		return st, err
	default:
	}
	usersTime := time.Since(start)

	// Group k takes its members from the front of the User list; the spare
	// Users at the back are in no Group.
	start = time.Now()
	largest := slices.Max(cfg.members)
	st.spare = st.userIDs[largest:]
	if len(st.spare) < 1000 {
		return st, fmt.Errorf("-users %d leaves %d Users outside the largest Group; PATCH add member needs at least 1000", cfg.users, len(st.spare))
	}
	for k, size := range cfg.members {
		status, body, err := c.do("POST", "/Groups", mustJSON(map[string]any{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
			"displayName": fmt.Sprintf("bench-group-%d-%d", k, size),
		}))
		if err != nil || status != http.StatusCreated {
			return st, fmt.Errorf("creating a Group: status %d, %v: %.300s", status, err, body)
		}
		var g struct{ ID string }
		if err := json.Unmarshal(body, &g); err != nil || g.ID == "" {
			return st, fmt.Errorf("creating a Group: no id in %.300s", body)
		}
		st.groupIDs = append(st.groupIDs, g.ID)
		const chunk = 5000
		for from := 0; from < size; from += chunk {
			if err := patchMembers(c, g.ID, "add", st.userIDs[from:min(from+chunk, size)]); err != nil {
				return st, err
			}
		}
	}
	fmt.Printf("seed: %d Users in %.1f s (%.0f per second, /Bulk of %d), Groups of %v members in %.1f s\n",
		cfg.users, usersTime.Seconds(), float64(cfg.users)/usersTime.Seconds(), cfg.seedBatch, cfg.members, time.Since(start).Seconds())
	return st, nil
}

func seedUsers(c *client, ids []string, from, to int) error {
	type op struct {
		Method string          `json:"method"`
		Path   string          `json:"path"`
		BulkID string          `json:"bulkId"`
		Data   json.RawMessage `json:"data"`
	}
	ops := make([]op, 0, to-from)
	for i := from; i < to; i++ {
		ops = append(ops, op{"POST", "/Users", strconv.Itoa(i), userBody(userName(i), "User"+strconv.Itoa(i), true)})
	}
	body := mustJSON(map[string]any{
		"schemas":      []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"},
		"failOnErrors": 1,
		"Operations":   ops,
	})
	status, resp, err := c.do("POST", "/Bulk", body)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("seeding Users %d to %d through /Bulk: status %d, %v: %.300s", from, to-1, status, err, resp)
	}
	var out struct {
		Operations []struct {
			BulkID   string `json:"bulkId"`
			Location string `json:"location"`
			Status   string `json:"status"`
		}
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		return fmt.Errorf("seeding Users %d to %d: reading the /Bulk response: %w", from, to-1, err)
	}
	for _, r := range out.Operations {
		i, err := strconv.Atoi(r.BulkID)
		if err != nil || i < from || i >= to || r.Status != "201" {
			return fmt.Errorf("seeding Users %d to %d: unexpected /Bulk result %+v; is the database new?", from, to-1, r)
		}
		ids[i] = r.Location[strings.LastIndexByte(r.Location, '/')+1:]
	}
	for i := from; i < to; i++ {
		if ids[i] == "" {
			return fmt.Errorf("seeding Users: /Bulk returned no result for User %d", i)
		}
	}
	return nil
}

func patchMembers(c *client, groupID, op string, ids []string) error {
	var body []byte
	if op == "add" {
		values := make([]map[string]string, len(ids))
		for i, id := range ids {
			values[i] = map[string]string{"value": id}
		}
		body = mustJSON(map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []map[string]any{{"op": "add", "path": "members", "value": values}},
		})
	} else {
		body = mustJSON(map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []map[string]any{{"op": "remove", "path": fmt.Sprintf("members[value eq %q]", ids[0])}},
		})
	}
	status, resp, err := c.do("PATCH", "/Groups/"+groupID, body)
	if err != nil || (status != http.StatusOK && status != http.StatusNoContent) {
		return fmt.Errorf("PATCH %s members of Group %s: status %d, %v: %.300s", op, groupID, status, err, resp)
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps, slices and strings built here
	}
	return b
}

// result collects one measured run.
type result struct {
	name      string
	requests  int
	errors    int
	firstErr  string
	elapsed   time.Duration
	latencies []time.Duration // of the timed requests only
	loaderCPU time.Duration
	serveCPU  time.Duration
	loadStart string
	loadEnd   string
}

// step is one request of a worker. It returns whether the request is timed
// for latency, and an error for a failed request.
type step func(w *worker) (timed bool, err error)

type worker struct {
	id  int
	c   *client
	rng *rand.Rand
	n   int
}

// measure runs fn in cfg.workers goroutines for cfg.duration.
func measure(cfg config, c *client, name string, fn step) result {
	r := result{name: name, loadStart: loadAverage()}
	cpu0, serve0 := processCPU(os.Getpid()), processCPU(cfg.servePID)
	var stop atomic.Bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{id: i, c: c, rng: rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))}
			var lat []time.Duration
			var requests, errs int
			var firstErr string
			for !stop.Load() {
				t := time.Now()
				timed, err := fn(w)
				d := time.Since(t)
				requests++
				w.n++
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				if timed {
					lat = append(lat, d)
				}
			}
			mu.Lock()
			r.latencies = append(r.latencies, lat...)
			r.requests += requests
			r.errors += errs
			if r.firstErr == "" {
				r.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	time.Sleep(cfg.duration)
	stop.Store(true)
	wg.Wait()
	r.elapsed = time.Since(start)
	r.loaderCPU = processCPU(os.Getpid()) - cpu0
	r.serveCPU = processCPU(cfg.servePID) - serve0
	r.loadEnd = loadAverage()
	return r
}

func expect(status int, body []byte, err error, want ...int) error {
	if err != nil {
		return err
	}
	if !slices.Contains(want, status) {
		return fmt.Errorf("status %d, want %v: %.200s", status, want, body)
	}
	return nil
}

func run(cfg config) error {
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	st, err := seed(cfg, c)
	if err != nil {
		return err
	}
	if cfg.servePID != 0 {
		fmt.Printf("seed: serve peak RSS after seeding %s\n", peakRSS(cfg.servePID))
	}

	label := cfg.label
	var results []result
	for _, op := range cfg.ops {
		switch op {
		case "lookup":
			results = append(results, measure(cfg, c, "filtered lookup userName eq (half missing)", func(w *worker) (bool, error) {
				i := w.rng.IntN(cfg.users)
				name, want := userName(i), `"totalResults":1`
				if w.rng.IntN(2) == 1 {
					name, want = fmt.Sprintf("missing.user.%06d@example.com", i), `"totalResults":0`
				}
				q := "/Users?filter=" + url.QueryEscape(fmt.Sprintf("userName eq %q", name))
				status, body, err := w.c.do("GET", q, nil)
				if err := expect(status, body, err, http.StatusOK); err != nil {
					return true, err
				}
				if !bytes.Contains(body, []byte(want)) {
					return true, fmt.Errorf("lookup of %s: want %s in %.200s", name, want, body)
				}
				return true, nil
			}))
		case "create":
			run := time.Now().UnixNano()
			results = append(results, measure(cfg, c, "create User (POST)", func(w *worker) (bool, error) {
				name := fmt.Sprintf("bench.new.%d.%d.%d@example.com", run, w.id, w.n)
				status, body, err := w.c.do("POST", "/Users", userBody(name, "New", true))
				return true, expect(status, body, err, http.StatusCreated)
			}))
		case "put":
			results = append(results, measure(cfg, c, "replace User (PUT)", func(w *worker) (bool, error) {
				i := cfg.users - 1 - w.rng.IntN(len(st.spare))
				body := userBody(userName(i), "Put"+strconv.Itoa(w.n), w.n%2 == 0)
				status, resp, err := w.c.do("PUT", "/Users/"+st.userIDs[i], body)
				return true, expect(status, resp, err, http.StatusOK)
			}))
		case "patch":
			for k, size := range cfg.members {
				gid := st.groupIDs[k]
				// Each worker adds a User from its own share of the spare
				// Users and removes it with the next request, so the Group
				// keeps its size within cfg.workers members.
				share := len(st.spare) / cfg.workers
				results = append(results, measure(cfg, c, fmt.Sprintf("PATCH add member, group of %d", size), func(w *worker) (bool, error) {
					id := st.spare[w.id*share+(w.n/2)%share]
					if w.n%2 == 0 {
						return true, patchMembers(w.c, gid, "add", []string{id})
					}
					return false, patchMembers(w.c, gid, "remove", []string{id})
				}))
			}
		case "list":
			results = append(results, measure(cfg, c, "list page of 100 (random startIndex)", func(w *worker) (bool, error) {
				q := fmt.Sprintf("/Users?startIndex=%d&count=100", 1+w.rng.IntN(cfg.users-99))
				status, body, err := w.c.do("GET", q, nil)
				if err := expect(status, body, err, http.StatusOK); err != nil {
					return true, err
				}
				if !bytes.Contains(body, []byte(`"itemsPerPage":100`)) {
					return true, fmt.Errorf("list %s: want itemsPerPage 100 in %.200s", q, body)
				}
				return true, nil
			}))
		}
	}

	fmt.Printf("\nloader: %d workers, GOMAXPROCS %d, %s per operation\n\n", cfg.workers, cfg.procs, cfg.duration)
	fmt.Println("| store | operation | requests/s | p50 | p99 | errors | loader CPU | serve CPU | serve CPU per request | load average (1 min) start, end |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		p50, p99 := percentile(r.latencies, 0.50), percentile(r.latencies, 0.99)
		rate := float64(len(r.latencies)) / r.elapsed.Seconds()
		// The CPU time per request divides by every request sent, the
		// untimed member removes included.
		perRequest := time.Duration(0)
		if r.requests > 0 {
			perRequest = r.serveCPU / time.Duration(r.requests)
		}
		fmt.Printf("| %s | %s | %.0f | %s | %s | %d | %.0f%% | %.0f%% | %s | %s, %s |\n",
			label, r.name, rate, ms(p50), ms(p99), r.errors,
			100*r.loaderCPU.Seconds()/r.elapsed.Seconds(), 100*r.serveCPU.Seconds()/r.elapsed.Seconds(),
			ms(perRequest), r.loadStart, r.loadEnd)
		if r.firstErr != "" {
			fmt.Fprintf(os.Stderr, "scimload: %s: first error: %s\n", r.name, r.firstErr)
		}
	}
	if cfg.servePID != 0 {
		fmt.Printf("\nserve peak RSS (VmHWM): %s\n", peakRSS(cfg.servePID))
	}
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%d operations failed; the first errors are above", totalErrors(results))
		}
	}
	return nil
}

func totalErrors(rs []result) int {
	n := 0
	for _, r := range rs {
		n += r.errors
	}
	return n
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// loadAverage returns the 1-minute load average from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// processCPU returns the user and system CPU time of a process from
// /proc/PID/stat, or 0 for pid 0 or an unreadable file.
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name in brackets may contain spaces; the fields after
	// it are fixed: utime and stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	// Linux reports clock ticks of USER_HZ, 100 per second on every
	// architecture Go supports.
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// peakRSS returns VmHWM from /proc/PID/status.
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "unknown"
}
