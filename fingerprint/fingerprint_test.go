package fingerprint

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name   string
		result *tlsprobe.Result
		want   string
	}{
		{"nil result", nil, "probe_error"},
		{
			"TLS 1.3 server hello",
			&tlsprobe.Result{Kind: tlsprobe.KindServerHello, Flight: &tlsprobe.ServerFlight{ServerHello: &tlsprobe.ServerHello{
				Version: tlsprobe.VersionTLS13, CipherSuite: 0x1302, Extensions: []uint16{0x002b, 0x0033}, KeyShareGroup: 0x001d}}},
			"sh:0304:1302:002b.0033:001d",
		},
		{
			"TLS 1.2 ECDHE server hello",
			&tlsprobe.Result{Kind: tlsprobe.KindServerHello, Flight: &tlsprobe.ServerFlight{
				ServerHello:       &tlsprobe.ServerHello{Version: tlsprobe.VersionTLS12, CipherSuite: 0xc030, Extensions: []uint16{0xff01, 0x000b}},
				ServerKeyExchange: &tlsprobe.ServerKeyExchange{NamedCurve: 0x0017}, ServerHelloDone: true}},
			"sh:0303:c030:ff01.000b:0017",
		},
		{
			"TLS 1.0 DHE server hello",
			&tlsprobe.Result{Kind: tlsprobe.KindServerHello, Flight: &tlsprobe.ServerFlight{
				ServerHello:       &tlsprobe.ServerHello{Version: tlsprobe.VersionTLS10, CipherSuite: 0x0039, Extensions: []uint16{0xff01}},
				ServerKeyExchange: &tlsprobe.ServerKeyExchange{DHPrimeBits: 2048}, ServerHelloDone: true}},
			"sh:0301:0039:ff01:dh2048",
		},
		{
			"static RSA without extensions",
			&tlsprobe.Result{Kind: tlsprobe.KindServerHello, Flight: &tlsprobe.ServerFlight{
				ServerHello: &tlsprobe.ServerHello{Version: tlsprobe.VersionTLS12, CipherSuite: 0x002f}, ServerHelloDone: true}},
			"sh:0303:002f:-:-",
		},
		{
			"flight cut before the key exchange",
			&tlsprobe.Result{Kind: tlsprobe.KindServerHello, Flight: &tlsprobe.ServerFlight{
				ServerHello: &tlsprobe.ServerHello{Version: tlsprobe.VersionTLS12, CipherSuite: 0xc030}}},
			"sh:0303:c030:-:?",
		},
		{"server hello without flight", &tlsprobe.Result{Kind: tlsprobe.KindServerHello}, "malformed"},
		{
			"hello retry request",
			&tlsprobe.Result{Kind: tlsprobe.KindHelloRetryRequest, Flight: &tlsprobe.ServerFlight{ServerHello: &tlsprobe.ServerHello{
				Version: tlsprobe.VersionTLS13, KeyShareGroup: 0x11ec, Extensions: []uint16{0x002b, 0x0033}, HelloRetryRequest: true}}},
			"hrr:11ec:002b.0033",
		},
		{"alert", &tlsprobe.Result{Kind: tlsprobe.KindAlert, Alert: &tlsprobe.Alert{Level: tlsprobe.AlertLevelFatal, Description: 70}}, "alert:protocol_version"},
		{"unknown alert", &tlsprobe.Result{Kind: tlsprobe.KindAlert, Alert: &tlsprobe.Alert{Level: tlsprobe.AlertLevelFatal, Description: 200}}, "alert:alert(200)"},
		{"alert kind without alert", &tlsprobe.Result{Kind: tlsprobe.KindAlert}, "alert:?"},
		{"reset", &tlsprobe.Result{Kind: tlsprobe.KindReset}, "reset"},
		{"silent close", &tlsprobe.Result{Kind: tlsprobe.KindSilentClose}, "closed"},
		{"timeout", &tlsprobe.Result{Kind: tlsprobe.KindTimeout}, "timeout"},
		{"not TLS", &tlsprobe.Result{Kind: tlsprobe.KindNotTLS}, "not_tls"},
		{"connect failed", &tlsprobe.Result{Kind: tlsprobe.KindConnectFailed}, "connect_failed"},
		{"SSL 2.0", &tlsprobe.Result{Kind: tlsprobe.KindSSLv2ServerHello}, "sslv2"},
		{"probe error", &tlsprobe.Result{Kind: tlsprobe.KindProbeError, Err: errors.New("x")}, "probe_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encode(tt.result); got != tt.want {
				t.Errorf("Encode() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHellosMarshal(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range Hellos() {
		if seen[h.Name] {
			t.Errorf("hello name %q appears twice", h.Name)
		}
		seen[h.Name] = true
		for _, sn := range []string{"localhost", ""} {
			if _, err := h.build(sn).Records(); err != nil {
				t.Errorf("hello %q with server name %q does not encode: %v", h.Name, sn, err)
			}
		}
	}
}

// fingerprintOf builds a Fingerprint from tokens, as Take would.
func fingerprintOf(tokens map[string]string) *Fingerprint {
	fp := &Fingerprint{HelloSet: HelloSet}
	for _, h := range hellos {
		fp.Probes = append(fp.Probes, Probe{Hello: h.Name, Token: tokens[h.Name]})
	}
	fp.Hash = hashTokens(fp.HelloSet, fp.Probes)
	fp.Summary = summarize(fp)
	return fp
}

func copyTokens(tokens map[string]string) map[string]string {
	out := make(map[string]string, len(tokens))
	for k, v := range tokens {
		out[k] = v
	}
	return out
}

func TestHashStable(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	a := fingerprintOf(entries[0].Tokens)
	b := fingerprintOf(copyTokens(entries[0].Tokens))
	if a.Hash != b.Hash {
		t.Errorf("equal tokens give hashes %q and %q", a.Hash, b.Hash)
	}
	if !strings.HasPrefix(a.Hash, "fp1:") || len(a.Hash) != len("fp1:")+24 {
		t.Errorf("hash %q is not fp1: and 24 hex digits", a.Hash)
	}
	changed := copyTokens(entries[0].Tokens)
	changed["ssl3"] = "reset"
	if c := fingerprintOf(changed); c.Hash == a.Hash {
		t.Errorf("a changed token keeps hash %q", a.Hash)
	}
}

func TestTableEntriesDistinct(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("the embedded table has no entries")
	}
	hashes := map[string]string{}
	for _, e := range entries {
		h := fingerprintOf(e.Tokens).Hash
		if other, ok := hashes[h]; ok {
			t.Errorf("entries %q and %q have the same tokens; merge them into one entry", other, e.ID)
		}
		hashes[h] = e.ID
	}
}

func TestIdentifyDistance(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	// go/default is at least 5 tokens from every other entry, so its
	// variants below have one nearest entry.
	var base Entry
	for _, e := range entries {
		if e.ID == "go/default" {
			base = e
		}
	}
	if base.ID == "" {
		t.Fatal("the table has no go/default entry")
	}

	tests := []struct {
		name           string
		change         map[string]string
		wantDistance   int
		wantConfidence string
	}{
		{"exact", nil, 0, ConfidenceExact},
		{"one token differs", map[string]string{"ssl3": "reset"}, 1, ConfidenceHigh},
		{"three tokens differ", map[string]string{"ssl3": "reset", "tls11": "reset", "tls12-bare": "closed"}, 3, ConfidenceLow},
		{"timeouts are skipped", map[string]string{"ssl3": "timeout", "tls11": "timeout", "tls12-bare": "connect_failed"}, 0, ConfidenceExact},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := copyTokens(base.Tokens)
			for k, v := range tt.change {
				tokens[k] = v
			}
			matches := Identify(fingerprintOf(tokens))
			if len(matches) == 0 {
				t.Fatal("Identify returned no match")
			}
			if matches[0].Entry != base.ID {
				t.Errorf("first match = %q, want %q", matches[0].Entry, base.ID)
			}
			if matches[0].Distance != tt.wantDistance {
				t.Errorf("distance = %d, want %d (differs: %v)", matches[0].Distance, tt.wantDistance, matches[0].Differs)
			}
			if matches[0].Confidence != tt.wantConfidence {
				t.Errorf("confidence = %q, want %q", matches[0].Confidence, tt.wantConfidence)
			}
			if matches[0].Source == "" || matches[0].Stack == "" {
				t.Errorf("match lacks a stack or a source: %+v", matches[0])
			}
		})
	}
}

func TestIdentifyUnknown(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	farAway := map[string]string{}
	inconclusive := map[string]string{}
	for i, h := range hellos {
		farAway[h.Name] = "reset"
		inconclusive[h.Name] = entries[0].Tokens[h.Name]
		if i >= minConclusive-1 {
			inconclusive[h.Name] = "timeout"
		}
	}
	otherSet := fingerprintOf(entries[0].Tokens)
	otherSet.HelloSet = "scimdoctor-fp0"

	tests := []struct {
		name string
		fp   *Fingerprint
	}{
		{"nil fingerprint", nil},
		{"every probe reset", fingerprintOf(farAway)},
		{"fewer than six conclusive tokens", fingerprintOf(inconclusive)},
		{"another hello set", otherSet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if matches := Identify(tt.fp); len(matches) != 0 {
				t.Errorf("Identify = %v, want no match", matches)
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	fullTokens := `{` + func() string {
		var parts []string
		for _, h := range hellos {
			parts = append(parts, `"`+h.Name+`":"reset"`)
		}
		return strings.Join(parts, ",")
	}() + `}`
	entry := func(id string, tokens string) string {
		return `{"id":"` + id + `","stack":"s","source":"measured here","servers":[],"tokens":` + tokens + `}`
	}
	tests := []struct {
		name, data, wantErr string
	}{
		{"not JSON", `{`, "fingerprint table"},
		{"other hello set", `{"hello_set":"x","entries":[]}`, `hello set "x"`},
		{"missing token", `{"hello_set":"` + HelloSet + `","entries":[` + entry("a", `{"tls13":"reset"}`) + `]}`, `has no token for hello`},
		{"duplicate id", `{"hello_set":"` + HelloSet + `","entries":[` + entry("a", fullTokens) + `,` + entry("a", fullTokens) + `]}`, `two entries with id "a"`},
		{"missing source", `{"hello_set":"` + HelloSet + `","entries":[{"id":"a","stack":"s","tokens":` + fullTokens + `}]}`, "lacks an id, a stack or a source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTable([]byte(tt.data))
			if err == nil {
				t.Fatalf("parseTable accepted %s", tt.data)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
	if _, err := parseTable([]byte(`{"hello_set":"` + HelloSet + `","entries":[` + entry("a", fullTokens) + `]}`)); err != nil {
		t.Errorf("parseTable rejected a valid table: %v", err)
	}
}

func TestSummary(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"go/default":      {"best choice TLS 1.3 with TLS_AES_128_GCM_SHA256", "follows the client's suite order", "asks for a X25519MLKEM768 key share", "rejects TLS 1.1 with the alert protocol_version"},
		"haproxy/default": {"enforces its own suite order", "accepts TLS_RSA_WITH_AES_256_GCM_SHA384"},
		"nginx/tls10":     {"rejects a TLS 1.3 and 1.2 hello with the alert protocol_version", "answers a TLS 1.1 hello with TLS 1.0"},
	}
	for _, e := range entries {
		clauses, ok := want[e.ID]
		if !ok {
			continue
		}
		summary := fingerprintOf(e.Tokens).Summary
		for _, c := range clauses {
			if !strings.Contains(summary, c) {
				t.Errorf("summary of %s = %q, want it to contain %q", e.ID, summary, c)
			}
		}
	}
}

func TestTakeClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fp := Take(ctx, &tlsprobe.Prober{Timeout: 2 * time.Second}, addr, "localhost")
	if len(fp.Probes) != len(hellos) {
		t.Fatalf("Take returned %d probes, want %d", len(fp.Probes), len(hellos))
	}
	for _, p := range fp.Probes {
		if p.Token != "connect_failed" {
			t.Errorf("probe %s token = %q, want connect_failed", p.Hello, p.Token)
		}
	}
	if fp.Conclusive() != 0 {
		t.Errorf("Conclusive() = %d, want 0", fp.Conclusive())
	}
	if matches := Identify(fp); len(matches) != 0 {
		t.Errorf("Identify on a closed port = %v, want none", matches)
	}
	if !strings.HasPrefix(fp.Summary, "no probe reached a TLS server") {
		t.Errorf("Summary = %q, want it to say no probe reached a server", fp.Summary)
	}
}

func TestHTTPEvidence(t *testing.T) {
	tests := []struct {
		name        string
		header      http.Header
		wantProduct []string
	}{
		{"no headers", http.Header{}, nil},
		{"F5 persistence cookie", http.Header{"Set-Cookie": {"BIGipServerpool_web=1677787402.20480.0000; path=/"}}, []string{"F5 BIG-IP LTM"}},
		{"AWS ALB cookies", http.Header{"Set-Cookie": {"AWSALB=abc; Expires=x", "AWSALBCORS=abc; SameSite=None"}}, []string{"AWS Application Load Balancer"}},
		{"AWS classic ELB cookie", http.Header{"Set-Cookie": {"AWSELB=ABCD"}}, []string{"AWS Classic Load Balancer"}},
		{"Imperva cookies", http.Header{"Set-Cookie": {"incap_ses_123_456=x", "visid_incap_456=y"}, "X-Iinfo": {"1-2-3"}}, []string{"Imperva Incapsula"}},
		{"Cloudflare", http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8c1f-FRA"}, "Set-Cookie": {"__cf_bm=x; HttpOnly"}}, []string{"Cloudflare"}},
		{"Azure App Service", http.Header{"Set-Cookie": {"ARRAffinity=abc", "ARRAffinitySameSite=abc"}, "Server": {"Microsoft-IIS/10.0"}, "X-Powered-By": {"ASP.NET"}}, []string{"Azure App Service", "Microsoft IIS", "ASP.NET"}},
		{"Azure Front Door", http.Header{"X-Azure-Ref": {"0zxV+XAAAAAB"}}, []string{"Azure Front Door"}},
		{"CloudFront", http.Header{"X-Amz-Cf-Id": {"abc=="}, "Via": {"1.1 abc.cloudfront.net (CloudFront)"}, "X-Cache": {"Miss from cloudfront"}}, []string{"Amazon CloudFront"}},
		{"Akamai", http.Header{"Server": {"AkamaiGHost"}}, []string{"Akamai"}},
		{"Tomcat before Apache", http.Header{"Server": {"Apache-Coyote/1.1"}}, []string{"Apache Tomcat"}},
		{"unknown Via hop", http.Header{"Via": {"1.1 gateway.example"}}, []string{"unknown"}},
		{"forwarded header reflected", http.Header{"X-Forwarded-For": {"10.0.0.1"}}, []string{"unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clues := HTTPEvidence(tt.header)
			if tt.wantProduct == nil && len(clues) != 0 {
				t.Errorf("HTTPEvidence = %v, want none", clues)
			}
			for _, want := range tt.wantProduct {
				found := false
				for _, c := range clues {
					if strings.HasPrefix(c.Product, want) {
						found = true
					}
					if c.Source == "" || c.Role == "" || c.Evidence == "" {
						t.Errorf("clue lacks a field: %+v", c)
					}
				}
				if !found {
					t.Errorf("no clue names %q in %+v", want, clues)
				}
			}
		})
	}
}

func TestHTTPEvidenceLongValue(t *testing.T) {
	clues := HTTPEvidence(http.Header{"Server": {"nginx" + strings.Repeat("x", 10000)}})
	if len(clues) != 1 {
		t.Fatalf("HTTPEvidence returned %d clues, want 1", len(clues))
	}
	if len(clues[0].Evidence) > maxEvidenceValue+20 {
		t.Errorf("evidence of %d bytes, want the value cut to %d", len(clues[0].Evidence), maxEvidenceValue)
	}
}

func FuzzHTTPEvidence(f *testing.F) {
	f.Add("Server", "nginx/1.22.1", "BIGipServerpool=1.2.0000")
	f.Add("Via", "1.1 abc.cloudfront.net (CloudFront)", "AWSALB=x")
	f.Add("X-Forwarded-Proto", "https", "=")
	f.Fuzz(func(t *testing.T, name, value, cookie string) {
		h := http.Header{}
		h.Add(name, value)
		h.Add("Set-Cookie", cookie)
		for _, c := range HTTPEvidence(h) {
			if c.Product == "" || c.Source == "" {
				t.Errorf("clue lacks a product or source: %+v", c)
			}
		}
	})
}

// TestTakeSameWithAndWithoutSNI scans one nginx by name and by IP address:
// the fingerprints must agree, because a scan by IP sends no SNI and the
// server then echoes no server_name extension.
func TestTakeSameWithAndWithoutSNI(t *testing.T) {
	cert := testservers.SelfSigned(t)
	addr := testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1; ssl_ciphers DEFAULT@SECLEVEL=0;"})
	prober := &tlsprobe.Prober{Timeout: 3 * time.Second}
	byName := Take(context.Background(), prober, addr, "localhost")
	byIP := Take(context.Background(), prober, addr, "")
	if byName.Hash != byIP.Hash {
		t.Errorf("fingerprint by name %s differs from by IP %s:\nname: %v\nIP:   %v", byName.Hash, byIP.Hash, byName.Tokens(), byIP.Tokens())
	}
	if matches := Identify(byIP); len(matches) == 0 || !strings.Contains(matches[0].Stack, "nginx") {
		t.Errorf("Identify by IP = %v, want nginx first", matches)
	}
}
