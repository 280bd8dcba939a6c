package certcheck

import (
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/lab"
)

// javaLikePolicy returns the policy of a client that, as JSSE does, fetches
// no missing issuer and rejects SHA-1 and small keys.
func javaLikePolicy(roots *x509.CertPool) Policy {
	return Policy{Roots: roots, MinRSABits: 2048, MinECBits: 256, RejectSHA1: true}
}

// problemClasses returns the classes of problems, in order.
func problemClasses(problems []Problem) []ProblemClass {
	classes := make([]ProblemClass, len(problems))
	for i, p := range problems {
		classes[i] = p.Class
	}
	return classes
}

func equalClasses(got, want []ProblemClass) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func startLab(t *testing.T, names ...string) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background(), names...)
	if err != nil {
		t.Fatalf("start lab %v: %v", names, err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close lab: %v", err)
		}
	})
	return l
}

func labAddr(t *testing.T, l *lab.Lab, name string) string {
	t.Helper()
	e, ok := l.Endpoint(name)
	if !ok {
		t.Fatalf("lab has no endpoint %s", name)
	}
	return e.Addr
}

func TestVerifyLabChains(t *testing.T) {
	l := startLab(t, "good", "expired", "self-signed", "wrong-host", "missing-intermediate")

	tests := []struct {
		endpoint   string
		host       string
		wantCerts  int
		want       []ProblemClass
		wantDetail string
	}{
		{"good", "localhost", 2, nil, ""},
		{"good", "127.0.0.1", 2, nil, ""},
		{"expired", "localhost", 2, []ProblemClass{ProblemExpired}, "expired on"},
		{"self-signed", "localhost", 1, []ProblemClass{ProblemSelfSigned}, "self-signed"},
		{"wrong-host", "localhost", 2, []ProblemClass{ProblemHostnameMismatch}, `valid for scim.example, not "localhost"`},
		{"missing-intermediate", "localhost", 1, []ProblemClass{ProblemIncompleteChain}, "scimdoctor lab intermediate CA"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" for "+tt.host, func(t *testing.T) {
			chain, err := Fetch(context.Background(), labAddr(t, l, tt.endpoint), "localhost", 5*time.Second)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if len(chain.Certificates) != tt.wantCerts {
				t.Errorf("fetched %d certificates, want %d", len(chain.Certificates), tt.wantCerts)
			}
			if chain.Source != SourceHandshake || chain.Version == 0 || chain.CipherSuite == 0 {
				t.Errorf("chain source %q version %#x suite %#x, want a handshake's", chain.Source, chain.Version, chain.CipherSuite)
			}

			problems := Verify(chain, tt.host, javaLikePolicy(l.CertPool()))
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
			if tt.wantDetail != "" && !strings.Contains(problems[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", problems[0].Detail, tt.wantDetail)
			}
		})
	}
}

func TestVerifyIncompleteChainNamesIssuer(t *testing.T) {
	l := startLab(t, "missing-intermediate")
	chain, err := Fetch(context.Background(), labAddr(t, l, "missing-intermediate"), "localhost", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	problems := Verify(chain, "localhost", javaLikePolicy(l.CertPool()))
	if len(problems) != 1 {
		t.Fatalf("problems %v, want one incomplete_chain", problems)
	}
	p := problems[0]
	if p.Class != ProblemIncompleteChain {
		t.Errorf("class %s, want %s", p.Class, ProblemIncompleteChain)
	}
	if p.Certificate != 0 {
		t.Errorf("certificate index %d, want 0", p.Certificate)
	}
	if want := "CN=scimdoctor lab intermediate CA,O=scimdoctor lab"; p.MissingIssuer != want {
		t.Errorf("missing issuer %q, want %q", p.MissingIssuer, want)
	}
	if !strings.Contains(p.Detail, "(AIA caIssuers), which this client does not fetch") {
		t.Errorf("detail %q does not name the AIA URL the client leaves unfetched", p.Detail)
	}

	// With the store empty, the same chain lacks its intermediate all the
	// same: the class must not depend on the root being known.
	problems = Verify(chain, "localhost", javaLikePolicy(x509.NewCertPool()))
	if got := problemClasses(problems); !equalClasses(got, []ProblemClass{ProblemIncompleteChain}) {
		t.Errorf("with an empty store: problems %v, want incomplete_chain", problems)
	}
}

func TestVerifyTrustCases(t *testing.T) {
	h := newHierarchy(t)
	aiaURL := "http://ca.example/intermediate.der"
	leafWithAIA := issueCert(t, h.intermediate, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		issuerURLs: []string{aiaURL},
	})
	otherRoot := issueCert(t, nil, certOptions{commonName: "unrelated root", isCA: true})

	tests := []struct {
		name       string
		chain      *Chain
		policy     Policy
		want       []ProblemClass
		wantDetail string
	}{
		{
			name:   "complete chain trusted",
			chain:  chainOf(h.leaf, h.intermediate),
			policy: javaLikePolicy(h.roots()),
		},
		{
			name:   "chain with root sent trusted",
			chain:  chainOf(h.leaf, h.intermediate, h.root),
			policy: javaLikePolicy(h.roots()),
		},
		{
			name:   "chain out of order trusted",
			chain:  chainOf(h.leaf, h.root, h.intermediate),
			policy: javaLikePolicy(h.roots()),
		},
		{
			name:       "unknown root",
			chain:      chainOf(h.leaf, h.intermediate),
			policy:     javaLikePolicy(x509.NewCertPool()),
			want:       []ProblemClass{ProblemUntrusted},
			wantDetail: "issued by CN=certcheck test root,O=certcheck test, which is neither sent by the server nor a root of the trust store",
		},
		{
			name:       "sent root not in store",
			chain:      chainOf(h.leaf, h.intermediate, h.root),
			policy:     javaLikePolicy(x509.NewCertPool()),
			want:       []ProblemClass{ProblemUntrusted},
			wantDetail: "self-signed root",
		},
		{
			name:       "missing intermediate with AIA",
			chain:      chainOf(leafWithAIA),
			policy:     javaLikePolicy(h.roots()),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: aiaURL + " (AIA caIssuers), which this client does not fetch",
		},
		{
			name:   "missing intermediate fetched by AIA client",
			chain:  chainOf(leafWithAIA),
			policy: Policy{Roots: h.roots(), FetchAIA: true},
		},
		{
			name:       "lone leaf without AIA URL looks like a private CA",
			chain:      chainOf(h.leaf),
			policy:     Policy{Roots: h.roots(), FetchAIA: true},
			want:       []ProblemClass{ProblemUntrusted},
			wantDetail: "most likely a private CA",
		},
		{
			name:       "wrong intermediate sent",
			chain:      chainOf(h.leaf, otherRoot),
			policy:     javaLikePolicy(h.roots()),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "none of the 1 other certificates it sent issued the leaf",
		},
		{
			name:   "self-signed leaf in store trusted",
			chain:  chainOf(otherRoot),
			policy: Policy{Roots: poolOf(otherRoot)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Verify(tt.chain, "", tt.policy)
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
			if tt.wantDetail != "" && !strings.Contains(problems[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", problems[0].Detail, tt.wantDetail)
			}
		})
	}
}

func poolOf(certs ...*testCert) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c.cert)
	}
	return pool
}

func TestVerifyDates(t *testing.T) {
	h := newHierarchy(t)
	chain := chainOf(h.leaf, h.intermediate)

	tests := []struct {
		name string
		now  time.Time
		want []ProblemClass
	}{
		{"inside validity", time.Now(), nil},
		// The leaf ends a day after the CAs were made, the CAs at the same
		// time, so all three are expired two days later. The root of the
		// store comes last, as a chain-level problem.
		{"after every notAfter", time.Now().Add(48 * time.Hour), []ProblemClass{ProblemExpired, ProblemExpired, ProblemExpired}},
		{"before every notBefore", time.Now().Add(-48 * time.Hour), []ProblemClass{ProblemNotYetValid, ProblemNotYetValid, ProblemNotYetValid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := javaLikePolicy(h.roots())
			policy.Now = tt.now
			problems := Verify(chain, "localhost", policy)
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
		})
	}
}

func TestVerifyExpiredLeafStillTrusted(t *testing.T) {
	// A leaf that expired while its CAs are valid gets exactly one problem:
	// the path to the root is still found.
	h := newHierarchy(t)
	expired := issueCert(t, h.intermediate, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		notBefore:  time.Now().Add(-30 * 24 * time.Hour),
		notAfter:   time.Now().Add(-time.Minute),
	})
	problems := Verify(chainOf(expired, h.intermediate), "localhost", javaLikePolicy(h.roots()))
	if got := problemClasses(problems); !equalClasses(got, []ProblemClass{ProblemExpired}) {
		t.Fatalf("problems %v, want one expired", problems)
	}
	if problems[0].Certificate != 0 {
		t.Errorf("expired certificate index %d, want 0", problems[0].Certificate)
	}
}

func TestVerifyHostNames(t *testing.T) {
	h := newHierarchy(t)
	noSAN := issueCert(t, h.intermediate, certOptions{commonName: "localhost"})

	tests := []struct {
		name  string
		chain *Chain
		host  string
		want  []ProblemClass
	}{
		{"DNS name matches", chainOf(h.leaf, h.intermediate), "localhost", nil},
		{"DNS name case-insensitive", chainOf(h.leaf, h.intermediate), "LOCALHOST", nil},
		{"IPv4 literal matches", chainOf(h.leaf, h.intermediate), "127.0.0.1", nil},
		{"other IPv4 literal", chainOf(h.leaf, h.intermediate), "127.0.0.2", []ProblemClass{ProblemHostnameMismatch}},
		{"IPv6 literal", chainOf(h.leaf, h.intermediate), "[::1]", []ProblemClass{ProblemHostnameMismatch}},
		{"other DNS name", chainOf(h.leaf, h.intermediate), "scim.example", []ProblemClass{ProblemHostnameMismatch}},
		{"common name ignored", chainOf(noSAN, h.intermediate), "localhost", []ProblemClass{ProblemHostnameMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Verify(tt.chain, tt.host, javaLikePolicy(h.roots()))
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
		})
	}
}

func TestVerifyKeysAndSignatures(t *testing.T) {
	root := issueCert(t, nil, certOptions{commonName: "rsa root", isCA: true, key: rsa2048Key()})
	smallRSA := issueCert(t, root, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, key: rsa1024Key()})
	p224 := issueCert(t, root, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, key: newECDSAKey(t, elliptic.P224())})
	sha1Leaf := issueCert(t, root, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, signatureAlgorithm: x509.SHA1WithRSA})
	sha1Intermediate := issueCert(t, root, certOptions{commonName: "sha1 intermediate", isCA: true, signatureAlgorithm: x509.SHA1WithRSA})
	leafUnderSHA1 := issueCert(t, sha1Intermediate, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})
	untrustedRoot := issueCert(t, nil, certOptions{commonName: "untrusted rsa root", isCA: true, key: rsa2048Key()})
	sha1LeafUntrusted := issueCert(t, untrustedRoot, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, signatureAlgorithm: x509.SHA1WithRSA})
	ecIntermediate := issueCert(t, root, certOptions{commonName: "ec intermediate", isCA: true})
	sha1LeafUnderEC := issueCert(t, ecIntermediate, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, signatureAlgorithm: x509.ECDSAWithSHA1})
	strayIntermediate := issueCert(t, untrustedRoot, certOptions{commonName: "stray intermediate", isCA: true})
	sha1LeafUnderStray := issueCert(t, strayIntermediate, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, signatureAlgorithm: x509.ECDSAWithSHA1})
	roots := poolOf(root)

	lenient := Policy{Roots: roots}
	tests := []struct {
		name   string
		chain  *Chain
		policy Policy
		want   []ProblemClass
	}{
		{"1024-bit RSA rejected", chainOf(smallRSA), javaLikePolicy(roots), []ProblemClass{ProblemWeakKey}},
		{"1024-bit RSA without minimum", chainOf(smallRSA), lenient, nil},
		{"P-224 below EC minimum", chainOf(p224), javaLikePolicy(roots), []ProblemClass{ProblemWeakKey}},
		{"SHA-1 leaf rejected", chainOf(sha1Leaf), javaLikePolicy(roots), []ProblemClass{ProblemSHA1Signature}},
		{"SHA-1 leaf accepted by lenient client", chainOf(sha1Leaf), lenient, nil},
		{"SHA-1 intermediate rejected", chainOf(leafUnderSHA1, sha1Intermediate), javaLikePolicy(roots), []ProblemClass{ProblemSHA1Signature}},
		{"SHA-1 intermediate accepted by lenient client", chainOf(leafUnderSHA1, sha1Intermediate), lenient, nil},
		{"SHA-1 leaf of unknown root", chainOf(sha1LeafUntrusted), lenient, []ProblemClass{ProblemUntrusted}},
		{"SHA-1 leaf under sent intermediate rejected", chainOf(sha1LeafUnderEC, ecIntermediate), javaLikePolicy(roots), []ProblemClass{ProblemSHA1Signature}},
		{"SHA-1 leaf under sent intermediate accepted", chainOf(sha1LeafUnderEC, ecIntermediate), lenient, nil},
		{"SHA-1 leaf under untrusted intermediate", chainOf(sha1LeafUnderStray, strayIntermediate), lenient, []ProblemClass{ProblemUntrusted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Verify(tt.chain, "localhost", tt.policy)
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
		})
	}
}

func TestVerifyEmptyChain(t *testing.T) {
	for _, chain := range []*Chain{nil, {}} {
		problems := Verify(chain, "localhost", Policy{})
		if got := problemClasses(problems); !equalClasses(got, []ProblemClass{ProblemUntrusted}) || problems[0].Certificate != -1 {
			t.Errorf("Verify(%v) = %v, want one chain-level untrusted problem", chain, problems)
		}
	}
}

func TestRoots(t *testing.T) {
	l := startLab(t, "good")
	chain, err := Fetch(context.Background(), labAddr(t, l, "good"), "localhost", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	keyOnly := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyOnly, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.pem")
	if err := os.WriteFile(broken, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		store       string
		files       []string
		wantErr     string
		wantTrusted bool
	}{
		{"mozilla store", StoreMozilla, nil, "", false},
		{"system store", StoreSystem, nil, "", false},
		{"none store", StoreNone, nil, "", false},
		{"none store with lab CA file", StoreNone, []string{l.CAFile}, "", true},
		{"mozilla store with lab CA file", StoreMozilla, []string{l.CAFile}, "", true},
		{"unknown store", "windows", nil, `unknown trust store "windows": use mozilla, system, java or none`, false},
		{"file without certificate", StoreNone, []string{keyOnly}, keyOnly + " contains no PEM certificate", false},
		{"file with broken certificate", StoreNone, []string{broken}, broken + ": certificate 1 does not parse", false},
		{"missing file", StoreNone, []string{filepath.Join(dir, "absent.pem")}, "absent.pem", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := Roots(tt.store, tt.files...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Roots error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Roots: %v", err)
			}
			problems := Verify(chain, "localhost", Policy{Roots: pool})
			if trusted := len(problems) == 0; trusted != tt.wantTrusted {
				t.Errorf("lab chain trusted = %v, want %v (problems %v)", trusted, tt.wantTrusted, problems)
			}
		})
	}
}

func TestMozillaRootsAreCloned(t *testing.T) {
	l := startLab(t, "good")
	first, err := Roots(StoreMozilla, l.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Roots(StoreMozilla)
	if err != nil {
		t.Fatal(err)
	}
	if first.Equal(second) {
		t.Error("a CA file added to one Mozilla pool shows up in the next one")
	}
}

func TestVerifyWithFetchedIssuers(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	intermediateURL := server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw)
	leaf := leafWithAIA(t, h.intermediate, intermediateURL)

	// An intermediate with the right name but another key.
	impostor := issueCert(t, h.root, certOptions{commonName: "certcheck test intermediate", isCA: true})
	leafImpostor := leafWithAIA(t, h.intermediate, server.serve("/impostor.crt", "application/pkix-cert", impostor.cert.Raw))
	leafGone := leafWithAIA(t, h.intermediate, server.URL+"/gone.crt")
	leafLDAP := leafWithAIA(t, h.intermediate, "ldap://127.0.0.1/CN=certcheck%20test%20intermediate?cACertificate")
	leafGoneThenLDAP := leafWithAIA(t, h.intermediate, server.URL+"/gone.crt", "ldap://127.0.0.1/CN=certcheck%20test%20intermediate?cACertificate")

	// A hierarchy under a root that the trust store lacks. Its
	// intermediate names the URL of that root.
	otherRoot := issueCert(t, nil, certOptions{commonName: "other root", isCA: true})
	otherRootURL := server.serve("/other-root.crt", "application/pkix-cert", otherRoot.cert.Raw)
	otherIntermediate := issueCert(t, otherRoot, certOptions{commonName: "other intermediate", isCA: true, issuerURLs: []string{otherRootURL}})
	leafOther := leafWithAIA(t, otherIntermediate, server.serve("/other-intermediate.crt", "application/pkix-cert", otherIntermediate.cert.Raw))

	// A second intermediate under h.intermediate: the server sends it but
	// not h.intermediate, as with a cross-signed chain.
	lower := issueCert(t, h.intermediate, certOptions{commonName: "lower intermediate", isCA: true, issuerURLs: []string{intermediateURL}})
	leafLower := leafWithAIA(t, lower)

	expiredIntermediate := issueCert(t, h.root, certOptions{
		commonName: "expired intermediate",
		isCA:       true,
		notBefore:  time.Now().Add(-30 * 24 * time.Hour),
		notAfter:   time.Now().Add(-time.Hour),
	})
	leafExpiredIssuer := leafWithAIA(t, expiredIntermediate, server.serve("/expired.crt", "application/pkix-cert", expiredIntermediate.cert.Raw))

	fetched := func(chain *Chain, roots *x509.CertPool) *AIAResult {
		return fetchWith(t, chain, AIAOptions{Roots: roots})
	}
	fetching := func(roots *x509.CertPool, aia *AIAResult) Policy {
		return Policy{Roots: roots, FetchAIA: true, AIA: aia}
	}
	java := func(roots *x509.CertPool, aia *AIAResult) Policy {
		policy := javaLikePolicy(roots)
		policy.AIA = aia
		return policy
	}
	empty := x509.NewCertPool()

	tests := []struct {
		name       string
		chain      *Chain
		policy     Policy
		want       []ProblemClass
		wantIndex  int
		wantDetail string
	}{
		{
			name:   "fetching client with fetched issuer trusted",
			chain:  chainOf(leaf),
			policy: fetching(h.roots(), fetched(chainOf(leaf), h.roots())),
		},
		{
			name:   "fetching client without fetch assumed trusted",
			chain:  chainOf(leaf),
			policy: fetching(h.roots(), nil),
		},
		{
			name:   "fetching client with only an ldap URL assumed trusted",
			chain:  chainOf(leafLDAP),
			policy: fetching(h.roots(), fetched(chainOf(leafLDAP), h.roots())),
		},
		{
			name:   "fetching client with failed and ldap URLs assumed trusted",
			chain:  chainOf(leafGoneThenLDAP),
			policy: fetching(h.roots(), fetched(chainOf(leafGoneThenLDAP), h.roots())),
		},
		{
			name:       "fetching client with fetched issuer under unknown root",
			chain:      chainOf(leafOther),
			policy:     fetching(h.roots(), fetched(chainOf(leafOther), h.roots())),
			want:       []ProblemClass{ProblemUntrusted},
			wantDetail: "the client downloads CN=other intermediate,O=certcheck test, the issuer of certificate 0 (CN=localhost,O=certcheck test), from " + server.URL + "/other-intermediate.crt (AIA caIssuers), but the path still does not reach a trusted root: it ends at the self-signed root CN=other root,O=certcheck test, which the trust store does not contain",
		},
		{
			name:       "fetching client with fetched issuer and empty store",
			chain:      chainOf(leaf),
			policy:     fetching(empty, fetched(chainOf(leaf), empty)),
			want:       []ProblemClass{ProblemUntrusted},
			wantDetail: "it ends at CN=certcheck test intermediate,O=certcheck test, issued by CN=certcheck test root,O=certcheck test, which the server did not send, no AIA URL served and the trust store does not contain",
		},
		{
			name:       "fetching client with failed fetch",
			chain:      chainOf(leafGone),
			policy:     fetching(h.roots(), fetched(chainOf(leafGone), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "the AIA URL " + server.URL + "/gone.crt does not complete the chain, because fetching it from this machine failed: GET " + server.URL + "/gone.crt returned HTTP 404 Not Found",
		},
		{
			name:       "fetching client with certificate of another key",
			chain:      chainOf(leafImpostor),
			policy:     fetching(h.roots(), fetched(chainOf(leafImpostor), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "serves CN=certcheck test intermediate,O=certcheck test, which did not issue CN=localhost,O=certcheck test, so it does not complete the chain",
		},
		{
			name:       "fetching client with expired fetched issuer",
			chain:      chainOf(leafExpiredIssuer),
			policy:     fetching(h.roots(), fetched(chainOf(leafExpiredIssuer), h.roots())),
			want:       []ProblemClass{ProblemExpired},
			wantIndex:  -1,
			wantDetail: "the issuer CN=expired intermediate,O=certcheck test that the client downloads from its AIA caIssuers URL is valid from",
		},
		{
			name:       "Java client with fetched issuer",
			chain:      chainOf(leaf),
			policy:     java(h.roots(), fetched(chainOf(leaf), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "which this client does not fetch; the AIA URL " + intermediateURL + " serves the missing issuer CN=certcheck test intermediate,O=certcheck test, which would complete the chain to a trusted root",
		},
		{
			name:       "Java client with fetched issuer under unknown root",
			chain:      chainOf(leafOther),
			policy:     java(h.roots(), fetched(chainOf(leafOther), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "serves the missing issuer CN=other intermediate,O=certcheck test, but the chain would still not reach a trusted root",
		},
		{
			name:       "Java client with certificate of another key",
			chain:      chainOf(leafImpostor),
			policy:     java(h.roots(), fetched(chainOf(leafImpostor), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "which did not issue CN=localhost,O=certcheck test, so it does not complete the chain",
		},
		{
			name:       "Java client with ldap URL",
			chain:      chainOf(leafLDAP),
			policy:     java(h.roots(), fetched(chainOf(leafLDAP), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantDetail: "was not fetched: ldap URLs are not fetched",
		},
		{
			name:       "Java client missing second intermediate without fetch",
			chain:      chainOf(leafLower, lower),
			policy:     java(h.roots(), nil),
			want:       []ProblemClass{ProblemUntrusted},
			wantIndex:  1,
			wantDetail: "certificate 1 (CN=lower intermediate,O=certcheck test) is issued by CN=certcheck test intermediate,O=certcheck test, which is neither sent by the server nor a root of the trust store",
		},
		{
			name:       "Java client missing second intermediate with fetch",
			chain:      chainOf(leafLower, lower),
			policy:     java(h.roots(), fetched(chainOf(leafLower, lower), h.roots())),
			want:       []ProblemClass{ProblemIncompleteChain},
			wantIndex:  1,
			wantDetail: "the server did not send the certificate of CN=certcheck test intermediate,O=certcheck test, which issued certificate 1 (CN=lower intermediate,O=certcheck test); the certificate names it at " + intermediateURL + " (AIA caIssuers), which this client does not fetch; the AIA URL " + intermediateURL + " serves the missing issuer CN=certcheck test intermediate,O=certcheck test, which would complete the chain to a trusted root",
		},
		{
			name:   "fetching client missing second intermediate with fetch",
			chain:  chainOf(leafLower, lower),
			policy: fetching(h.roots(), fetched(chainOf(leafLower, lower), h.roots())),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Verify(tt.chain, "localhost", tt.policy)
			if got := problemClasses(problems); !equalClasses(got, tt.want) {
				t.Fatalf("problems %v, want classes %v", problems, tt.want)
			}
			if len(tt.want) == 0 {
				return
			}
			if problems[0].Certificate != tt.wantIndex {
				t.Errorf("certificate index %d, want %d", problems[0].Certificate, tt.wantIndex)
			}
			if !strings.Contains(problems[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q does not contain %q", problems[0].Detail, tt.wantDetail)
			}
		})
	}
}

// wantProblem is the class and certificate index a test expects of one
// Problem, and a part of its detail when detail is not empty.
type wantProblem struct {
	class       ProblemClass
	certificate int
	detail      string
}

func TestVerifyDatesOutsideStoreRoot(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	// The leaves issued by "root made now" lie outside its validity, as a
	// leaf does that "openssl ca -startdate -enddate" backdates under a
	// root created the same day.
	rootNow := issueCert(t, nil, certOptions{commonName: "root made now", isCA: true})
	intermediateNow := issueCert(t, rootNow, certOptions{commonName: "intermediate made now", isCA: true})
	expiredLeaf := issueCert(t, rootNow, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		notBefore:  time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC),
		notAfter:   time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
	})
	expiredLeafUnderIntermediate := issueCert(t, intermediateNow, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		notBefore:  time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC),
		notAfter:   time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
	})
	futureLeaf := issueCert(t, rootNow, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		notBefore:  now.Add(2 * day),
		notAfter:   now.Add(30 * day),
	})
	otherRoot := issueCert(t, nil, certOptions{commonName: "other root", isCA: true})

	expiredRoot := issueCert(t, nil, certOptions{commonName: "expired root", isCA: true, notBefore: now.Add(-60 * day), notAfter: now.Add(-time.Hour)})
	underExpiredRoot := issueCert(t, expiredRoot, certOptions{commonName: "intermediate of expired root", isCA: true})
	leafUnderExpiredRoot := issueCert(t, underExpiredRoot, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})
	// The whole chain expired too, but while the root was still valid.
	oldIntermediate := issueCert(t, expiredRoot, certOptions{commonName: "old intermediate", isCA: true, notBefore: now.Add(-50 * day), notAfter: now.Add(-2 * day)})
	oldLeaf := issueCert(t, oldIntermediate, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}, notBefore: now.Add(-40 * day), notAfter: now.Add(-3 * day)})

	futureRoot := issueCert(t, nil, certOptions{commonName: "future root", isCA: true, notBefore: now.Add(day), notAfter: now.Add(30 * day)})
	leafUnderFutureRoot := issueCert(t, futureRoot, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})

	tests := []struct {
		name  string
		chain *Chain
		roots *x509.CertPool
		want  []wantProblem
	}{
		{
			name:  "expired leaf under root made now",
			chain: chainOf(expiredLeaf),
			roots: poolOf(rootNow),
			want:  []wantProblem{{ProblemExpired, 0, "certificate 0 (CN=localhost,O=certcheck test) expired on 2024-02-01T00:00:00Z"}},
		},
		{
			name:  "expired leaf with root made now sent",
			chain: chainOf(expiredLeaf, rootNow),
			roots: poolOf(rootNow),
			want:  []wantProblem{{ProblemExpired, 0, "expired on 2024-02-01"}},
		},
		{
			name:  "expired leaf under intermediate made now",
			chain: chainOf(expiredLeafUnderIntermediate, intermediateNow),
			roots: poolOf(rootNow),
			want:  []wantProblem{{ProblemExpired, 0, "expired on 2024-02-01"}},
		},
		{
			name:  "expired leaf of unknown root still untrusted",
			chain: chainOf(expiredLeaf, rootNow),
			roots: poolOf(otherRoot),
			want: []wantProblem{
				{ProblemExpired, 0, "expired on 2024-02-01"},
				{ProblemUntrusted, 1, "the chain ends at the self-signed root CN=root made now,O=certcheck test (certificate 1)"},
			},
		},
		{
			name:  "not yet valid leaf under root made now",
			chain: chainOf(futureLeaf),
			roots: poolOf(rootNow),
			want:  []wantProblem{{ProblemNotYetValid, 0, "certificate 0 (CN=localhost,O=certcheck test) is valid only from"}},
		},
		{
			name:  "expired root in store",
			chain: chainOf(leafUnderExpiredRoot, underExpiredRoot),
			roots: poolOf(expiredRoot),
			want:  []wantProblem{{ProblemExpired, -1, "the trust store root CN=expired root,O=certcheck test that the chain leads to expired on"}},
		},
		{
			name:  "expired root behind expired chain",
			chain: chainOf(oldLeaf, oldIntermediate),
			roots: poolOf(expiredRoot),
			want: []wantProblem{
				{ProblemExpired, 0, "certificate 0"},
				{ProblemExpired, 1, "certificate 1"},
				{ProblemExpired, -1, "the trust store root CN=expired root,O=certcheck test"},
			},
		},
		{
			name:  "not yet valid root in store",
			chain: chainOf(leafUnderFutureRoot),
			roots: poolOf(futureRoot),
			want:  []wantProblem{{ProblemNotYetValid, -1, "the trust store root CN=future root,O=certcheck test that the chain leads to is valid only from"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := Verify(tt.chain, "localhost", javaLikePolicy(tt.roots))
			if len(problems) != len(tt.want) {
				t.Fatalf("problems %v, want %d: %v", problems, len(tt.want), tt.want)
			}
			for i, want := range tt.want {
				got := problems[i]
				if got.Class != want.class {
					t.Errorf("problem %d class %s, want %s (detail %q)", i, got.Class, want.class, got.Detail)
				}
				if got.Certificate != want.certificate {
					t.Errorf("problem %d certificate index %d, want %d (detail %q)", i, got.Certificate, want.certificate, got.Detail)
				}
				if !strings.Contains(got.Detail, want.detail) {
					t.Errorf("problem %d detail %q does not contain %q", i, got.Detail, want.detail)
				}
			}
		})
	}
}

func TestJavaRootsPKCS12PasswordHint(t *testing.T) {
	if _, err := exec.LookPath("keytool"); err != nil {
		t.Skip("keytool not found on PATH: install the Debian package openjdk-17-jdk-headless")
	}
	root := issueCert(t, nil, certOptions{commonName: "store with other password", isCA: true})
	dir := t.TempDir()
	rootFile := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	// A space in the name checks that the hint quotes the path.
	store := filepath.Join(dir, "other password.p12")
	if err := runKeytool([][]string{{"-importcert", "-noprompt", "-alias", "root", "-file", rootFile,
		"-keystore", store, "-storetype", "PKCS12", "-storepass", "secret123"}}); err != nil {
		t.Fatal(err)
	}

	_, _, err := JavaRoots(store)
	if err == nil {
		t.Fatal("JavaRoots read a PKCS#12 store whose password is not changeit")
	}
	wantCommand := "keytool -importkeystore -srckeystore '" + store + "' -destkeystore new-cacerts -deststorepass changeit"
	for _, want := range []string{"(PKCS12)", "MAC check or decryption failed", "the store's password is not changeit", wantCommand} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "give the store's password") {
		t.Errorf("error %q asks for a password that no flag takes", err)
	}

	// The step of the hint, with the source password given on the command
	// line in place of keytool's prompt, makes a store that JavaRoots reads.
	copied := filepath.Join(dir, "new-cacerts")
	if err := runKeytool([][]string{{"-importkeystore", "-noprompt", "-srckeystore", store, "-srcstorepass", "secret123",
		"-destkeystore", copied, "-deststorepass", "changeit"}}); err != nil {
		t.Fatal(err)
	}
	pool, source, err := JavaRoots(copied)
	if err != nil {
		t.Fatalf("JavaRoots of the copy: %v", err)
	}
	if !strings.Contains(source, "1 trusted certificates") {
		t.Errorf("source %q, want one trusted certificate", source)
	}
	if !pool.Equal(poolOf(root)) {
		t.Error("the pool of the copy does not contain exactly the store's root")
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"/usr/lib/jvm/cacerts", "/usr/lib/jvm/cacerts"},
		{"my store.p12", "'my store.p12'"},
		{"it's.p12", `'it'\''s.p12'`},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
