package clients

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Layers where a prediction places a failure.
const (
	LayerDNS         = "dns"
	LayerTCP         = "tcp"
	LayerTLS         = "tls"
	LayerCertificate = "certificate"
	LayerHTTP        = "http"
)

// Target is the server a simulation connects to.
type Target struct {
	// Addr is the ip:port to connect to.
	Addr string
	// Host is the host of the URL, for SNI and the name check. It may carry
	// a port, which is dropped.
	Host string
	// Path is the request path, such as /scim/v2/ServiceProviderConfig.
	Path string
	// Roots is the trust store, --cacert additions included. Nil means the
	// profile's own store (Policy.TrustStore).
	Roots *x509.CertPool
	// Authorization is sent as the Authorization header of the request
	// made after the handshake, such as "Bearer TOKEN".
	Authorization string
	// Timeout bounds each connection of the simulation. Zero means the
	// prober's timeout for the probe and certcheck.DefaultTimeout for the
	// handshake.
	Timeout time.Duration
}

// Prediction is what one client would see from a Target.
type Prediction struct {
	Profile string `json:"profile"`
	Display string `json:"display"`
	// Connects reports that the TLS connection and the certificate checks
	// pass. What the HTTP answer means is left to the caller.
	Connects bool `json:"connects"`
	// Class is a failure class id (ClassAlert and the others) or ClassOK.
	// It is empty only when the simulation itself could not run; Evidence
	// then says why.
	Class string `json:"class"`
	// Layer is LayerDNS, LayerTCP, LayerTLS, LayerCertificate or LayerHTTP:
	// where the failure happens. Empty for ClassOK.
	Layer string `json:"layer,omitempty"`
	// Exception and Message are what the client logs; LogLine joins them as
	// the client prints them.
	Exception string `json:"exception,omitempty"`
	Message   string `json:"message"`
	// Version and CipherSuite are what the server chose for the profile's
	// hello, or 0 when it chose nothing.
	Version     tlsprobe.Version `json:"version,omitempty"`
	CipherSuite uint16           `json:"cipher_suite,omitempty"`
	// SentSNI reports whether the hello carried server_name.
	SentSNI bool `json:"sent_sni"`
	// HTTPStatus is the status of the answer to the request made after the
	// handshake, or 0 when none came.
	HTTPStatus int `json:"http_status,omitempty"`
	// Evidence says in plain sentences what the server did.
	Evidence []string `json:"evidence"`
	// Probe is the result of the profile's own ClientHello.
	Probe *tlsprobe.Result `json:"probe,omitempty"`
	// Handshake is the full handshake that fetched the chain and showed
	// what the server does after it, when the hello was accepted.
	Handshake *certcheck.HandshakeResult `json:"handshake,omitempty"`
	// Problems are the certificate problems this client would have.
	Problems []certcheck.Problem `json:"problems,omitempty"`
	// Confidence is the weaker of the profile's and the text's confidence.
	Confidence string `json:"confidence"`

	logLine string
}

// LogLine returns the line the client prints: Exception and Message joined
// as the profile's log_line says, or Message alone when there is no
// Exception.
func (pr *Prediction) LogLine() string {
	if pr.Exception == "" || pr.logLine == "" {
		return pr.Message
	}
	return strings.NewReplacer("{exception}", pr.Exception, "{message}", pr.Message).Replace(pr.logLine)
}

// Simulate predicts what the client of profile p would see from t. It sends
// the profile's own ClientHello and classifies the first flight; when the
// server accepts it, it completes a handshake with crypto/tls, narrowed to
// the profile's versions and suites where Go implements them, to learn the
// certificate chain and what the server does after the handshake, and it
// checks the chain with the profile's policy. Simulate never returns nil:
// a simulation that cannot run has an empty Class and says why in
// Evidence.
func Simulate(ctx context.Context, prober *tlsprobe.Prober, t Target, p *Profile) *Prediction {
	s := &simulation{ctx: ctx, prober: prober, target: t, profile: p, now: time.Now()}
	s.host = hostOnly(t.Host)
	s.pred = &Prediction{Profile: p.Name, Display: p.Display, logLine: p.LogLine}
	s.run()
	return s.pred
}

// simulation carries the state of one Simulate call.
type simulation struct {
	ctx     context.Context
	prober  *tlsprobe.Prober
	target  Target
	profile *Profile
	host    string
	now     time.Time
	pred    *Prediction
	values  messageValues
}

func (s *simulation) run() {
	p, pred := s.profile, s.pred
	hello := p.ClientHello(s.host)
	pred.SentSNI = hello.ServerName != ""
	s.values = messageValues{
		url:            s.url(),
		host:           s.host,
		port:           portOf(s.target.Addr),
		addr:           s.target.Addr,
		now:            s.now,
		clientVersions: p.versions,
	}
	pred.Evidence = append(pred.Evidence, s.helloSentence(hello))

	// Step 1: the profile's own ClientHello, judged by the first flight.
	probeCtx, cancel := s.withTimeout()
	result := s.prober.Probe(probeCtx, s.target.Addr, hello)
	cancel()
	pred.Probe = result
	s.values.elapsed = result.Elapsed
	if done := s.classifyFirstFlight(result); done {
		return
	}

	// Step 2: a full handshake for the chain and for what comes after it.
	hs, chain := s.handshake(result)
	pred.Handshake = hs

	// Step 3: the certificate checks of the profile's policy.
	if chain == nil {
		pred.Class = ""
		pred.Evidence = append(pred.Evidence, "the simulation could not get the certificate chain, so the certificate checks did not run")
		return
	}
	if done := s.checkCertificates(chain); done {
		return
	}

	// Step 4: a requested client certificate, judged by what the server
	// did after the client sent none.
	if s.clientCertificate(result, hs) {
		return
	}
	s.succeed(hs)
}

// classifyFirstFlight sets the prediction for every first flight but an
// accepted ServerHello and reports whether the simulation is done.
func (s *simulation) classifyFirstFlight(r *tlsprobe.Result) bool {
	pred := s.pred
	switch r.Kind {
	case tlsprobe.KindProbeError:
		pred.Evidence = append(pred.Evidence, "the simulation did not run: "+r.Describe())
		return true

	case tlsprobe.KindConnectFailed:
		var dnsErr *net.DNSError
		switch {
		case errors.As(r.Err, &dnsErr):
			s.fail(ClassDNSFailure, LayerDNS, "", "the name "+s.host+" did not resolve: "+dnsErr.Err)
		case errors.Is(r.Err, syscall.ECONNREFUSED):
			s.fail(ClassConnectRefused, LayerTCP, "", "the TCP connection to "+s.target.Addr+" was refused (a reset answered the SYN)")
		default:
			// NOTE: unreachable hosts and networks have texts of their own
			// in every client; they are reported with the refused text.
			s.fail(ClassConnectRefused, LayerTCP, "", "the TCP connection to "+s.target.Addr+" failed: "+errorText(r))
		}
		return true

	case tlsprobe.KindTimeout:
		if r.Phase == "connect" {
			s.fail(ClassConnectTimeout, LayerTCP, "", "the TCP connection to "+s.target.Addr+" "+errorText(r))
			return true
		}
		s.fail(ClassReadTimeout, LayerTLS, "", "the server accepted the TCP connection but sent no complete answer to the ClientHello: "+errorText(r))
		return true

	case tlsprobe.KindReset:
		variant := ""
		var opErr *net.OpError
		if errors.As(r.Err, &opErr) && opErr.Op == "write" {
			variant = variantResetOnWrite
		}
		s.fail(ClassReset, LayerTLS, variant, "the server reset the TCP connection instead of answering the ClientHello")
		return true

	case tlsprobe.KindSilentClose:
		s.fail(ClassClosed, LayerTLS, "", "the server closed the connection without a TLS alert: "+errorText(r))
		return true

	case tlsprobe.KindNotTLS:
		variant := ""
		if !strings.HasPrefix(string(r.FirstBytes), "HTTP/") {
			variant = variantNotTLSOther
		}
		s.fail(ClassNotTLS, LayerTLS, variant, "the port does not speak TLS: "+r.Describe())
		return true

	case tlsprobe.KindMalformed:
		s.fail(ClassNotTLS, LayerTLS, variantNotTLSOther, "the server's answer is not valid TLS: "+r.Describe())
		return true

	case tlsprobe.KindAlert:
		if r.Alert == nil {
			// unreachable: the prober sets Alert for KindAlert.
			s.fail(ClassClosed, LayerTLS, "", "the server ended the handshake: "+r.Describe())
			return true
		}
		s.values.alert = &r.Alert.Description
		s.fail(ClassAlert, LayerTLS, alertVariant(r.Alert.Description),
			fmt.Sprintf("the server answered the hello with %s", r.Alert))
		return true

	case tlsprobe.KindSSLv2ServerHello:
		s.values.version = tlsprobe.VersionSSL20
		s.fail(ClassVersionRejected, LayerTLS, "", "the server answered with an SSL 2.0 SERVER-HELLO")
		return true

	case tlsprobe.KindHelloRetryRequest:
		return s.helloRetry(r)

	case tlsprobe.KindServerHello:
		return s.serverHello(r)
	}
	// unreachable: every Kind is handled above.
	s.pred.Evidence = append(s.pred.Evidence, "the probe ended in an unknown way: "+r.Describe())
	return true
}

// serverHello checks the version and suite the server chose. It reports
// whether the simulation is done.
func (s *simulation) serverHello(r *tlsprobe.Result) bool {
	p, pred := s.profile, s.pred
	sh := r.Flight.ServerHello
	pred.Version, pred.CipherSuite = sh.Version, sh.CipherSuite
	s.values.version, s.values.suite = sh.Version, sh.CipherSuite
	pred.Evidence = append(pred.Evidence, "the server accepted the hello: "+r.Describe())

	if !p.Enables(sh.Version) {
		s.fail(ClassVersionRejected, LayerTLS, "", fmt.Sprintf("the server chose %s, which %s does not enable (it enables %s)",
			sh.Version, p.Name, joinVersions(p.versions)))
		return true
	}
	if floor := p.minVersion(); floor != 0 && sh.Version < floor {
		s.fail(ClassVersionRejected, LayerTLS, "", fmt.Sprintf("the server chose %s; %s offers it but fails such a handshake, because it completes only %s and newer",
			sh.Version, p.Name, floor))
		return true
	}
	if !p.Offers(sh.CipherSuite) {
		s.fail(ClassSuiteRejected, LayerTLS, "", fmt.Sprintf("the server chose the cipher suite %s, which %s did not offer",
			suiteName(sh.CipherSuite), p.Name))
		return true
	}
	if ske := r.Flight.ServerKeyExchange; ske != nil && ske.DHPrimeBits > 0 && ske.DHPrimeBits < p.Policy.MinDHBits {
		s.values.keyType, s.values.keyBits = "DH", ske.DHPrimeBits
		// TODO: measure each client's own text for a small DHE group; the
		// weak_key text names the certificate key.
		s.fail(ClassWeakKey, LayerTLS, "", fmt.Sprintf("the server's DHE group has %d bits, below the %d bits %s accepts",
			ske.DHPrimeBits, p.Policy.MinDHBits, p.Name))
		return true
	}
	return false
}

// helloRetry handles a HelloRetryRequest: a real client sends a second
// hello with a key share for the requested group when it supports that
// group, which the handshake step then repeats. It reports whether the
// simulation is done.
func (s *simulation) helloRetry(r *tlsprobe.Result) bool {
	p, pred := s.profile, s.pred
	sh := r.Flight.ServerHello
	pred.Version, pred.CipherSuite = sh.Version, sh.CipherSuite
	s.values.version, s.values.suite = sh.Version, sh.CipherSuite
	pred.Evidence = append(pred.Evidence, r.Describe())
	if !slices.Contains(p.hello.SupportedGroups, sh.KeyShareGroup) {
		illegal := tlsprobe.AlertDescription(47)
		s.values.alert = &illegal
		// NOTE: the client aborts with illegal_parameter (RFC 8446,
		// Section 4.1.4); its exact text for this case is not measured.
		s.fail(ClassSuiteRejected, LayerTLS, "", fmt.Sprintf("the server asked for a key share of %s, a group %s did not offer",
			groupName(sh.KeyShareGroup), p.Name))
		return true
	}
	return false
}

// handshake runs certcheck.Handshake with the profile's versions and the
// suites Go implements, and returns its result and the chain. When Go
// cannot complete a handshake the profile's hello completed (a DHE suite,
// which crypto/tls lacks), the chain comes from the first flight or from
// certcheck.Fetch.
func (s *simulation) handshake(r *tlsprobe.Result) (*certcheck.HandshakeResult, *certcheck.Chain) {
	p, pred := s.profile, s.pred
	opts := certcheck.HandshakeOptions{
		MinVersion:    uint16(slices.Min(p.versions)),
		MaxVersion:    uint16(slices.Max(p.versions)),
		CipherSuites:  goSuites(p.hello.CipherSuites),
		Path:          s.target.Path,
		Host:          s.target.Host,
		Authorization: s.target.Authorization,
		Timeout:       s.target.Timeout,
	}
	if opts.MinVersion < tls.VersionTLS10 {
		opts.MinVersion = tls.VersionTLS10
	}
	sni := ""
	if pred.SentSNI {
		sni = p.ClientHello(s.host).ServerName
	}
	hs := certcheck.Handshake(s.ctx, s.target.Addr, sni, opts)
	if hs.Chain != nil {
		return hs, hs.Chain
	}
	pred.Evidence = append(pred.Evidence, fmt.Sprintf("a crypto/tls handshake limited to %s's versions and suites did not complete (%s: %s)",
		p.Name, hs.Handshake.Outcome, hs.Handshake.Error))

	if r.Flight != nil && len(r.Flight.Certificates) > 0 {
		chain, err := certcheck.ParseChain(r.Flight.Certificates)
		if err == nil {
			return hs, chain
		}
		pred.Evidence = append(pred.Evidence, "the certificates of the first flight do not parse: "+err.Error())
	}
	chain, err := certcheck.Fetch(s.ctx, s.target.Addr, sni, s.target.Timeout)
	if err != nil {
		pred.Evidence = append(pred.Evidence, err.Error())
		return hs, nil
	}
	return hs, chain
}

// checkCertificates applies the profile's policy to chain and reports
// whether a problem ended the simulation.
func (s *simulation) checkCertificates(chain *certcheck.Chain) bool {
	p, pred := s.profile, s.pred
	roots := s.target.Roots
	if roots == nil {
		var err error
		roots, err = storeRoots(p.Policy.TrustStore)
		if err != nil {
			pred.Class = ""
			pred.Evidence = append(pred.Evidence, "the trust store did not load: "+err.Error())
			return true
		}
	}
	leaf := chain.Certificates[0]
	s.values.notBefore, s.values.notAfter = leaf.NotBefore, leaf.NotAfter
	s.values.subject = javaDN(leaf)
	s.values.certNames = certNames(leaf, s.host)

	problems := certcheck.Verify(chain, s.host, certcheck.Policy{
		Roots:      roots,
		FetchAIA:   p.Policy.FetchAIA,
		MinRSABits: p.Policy.MinRSABits,
		MinECBits:  p.Policy.MinECBits,
		Now:        s.now,
	})
	problems = p.dropCNMatch(problems, leaf, s.host)
	pred.Problems = problems
	if len(problems) == 0 {
		return false
	}

	first := s.firstProblem(problems)
	class, variant := problemClass(first.Class, s.host)
	if first.Certificate >= 0 && first.Certificate < len(chain.Certificates) {
		info := certcheck.Describe(chain.Certificates[first.Certificate])
		s.values.keyType, s.values.keyBits = info.KeyType, info.KeyBits
		if first.Class == certcheck.ProblemWeakKey {
			s.values.subject = javaDN(chain.Certificates[first.Certificate])
		}
	}
	for _, problem := range problems {
		pred.Evidence = append(pred.Evidence, "certificate check: "+problem.Detail)
	}
	s.fail(class, LayerCertificate, variant, "")
	return true
}

// clientCertificate handles a server that requested a client certificate:
// the client sends none, and the prediction follows what the server did
// next. It reports whether the simulation is done.
func (s *simulation) clientCertificate(r *tlsprobe.Result, hs *certcheck.HandshakeResult) bool {
	pred := s.pred
	requested := r.Flight != nil && r.Flight.CertificateRequest != nil
	requested = requested || (hs != nil && hs.CertificateRequested)
	if !requested {
		return false
	}
	cas := ""
	if hs != nil && len(hs.AcceptableCAs) > 0 {
		cas = " (acceptable CAs: " + strings.Join(hs.AcceptableCAs, "; ") + ")"
	}
	pred.Evidence = append(pred.Evidence, fmt.Sprintf("the server requested a client certificate%s; %s has none and sends an empty Certificate message", cas, s.profile.Name))

	if hs == nil || hs.Chain == nil {
		s.fail(ClassClientCertRequired, LayerTLS, "", "what the server does without a client certificate is unknown, because the simulation's own handshake did not complete")
		return true
	}
	step := hs.After
	switch step.Outcome {
	case certcheck.OutcomeHTTPResponse:
		if hs.Response != nil && hs.Response.StatusCode < 400 {
			pred.Evidence = append(pred.Evidence, fmt.Sprintf("the server accepted the connection without a certificate and answered %s", hs.Response.StatusLine))
			return false
		}
		status := 0
		line := ""
		if hs.Response != nil {
			status, line = hs.Response.StatusCode, hs.Response.StatusLine
		}
		pred.HTTPStatus = status
		s.values.status = status
		s.fail(ClassClientCertRequired, LayerHTTP, variantHTTPError, "the server completed the handshake without a client certificate and answered "+line)
		// The TLS connection stands, so Connects stays true; the HTTP
		// answer is the caller's to judge.
		pred.Connects = true
		return true
	case certcheck.OutcomeAlert:
		s.values.alert = step.Alert
		s.failWith(ClassClientCertRequired, LayerTLS, ClassAlert, alertVariant(*step.Alert),
			fmt.Sprintf("after the handshake the server sent fatal alert %s", step.Alert.Display()))
	case certcheck.OutcomeClosed:
		s.failWith(ClassClientCertRequired, LayerTLS, ClassClosed, "", "the server closed the connection without an alert after the empty Certificate")
	case certcheck.OutcomeReset:
		s.failWith(ClassClientCertRequired, LayerTLS, ClassReset, "", "the server reset the connection after the empty Certificate")
	case certcheck.OutcomeTimeout:
		s.failWith(ClassClientCertRequired, LayerTLS, ClassReadTimeout, "", "the server sent nothing after the empty Certificate")
	default:
		s.fail(ClassClientCertRequired, LayerTLS, "", fmt.Sprintf("after the empty Certificate the exchange ended with %s: %s", step.Outcome, step.Error))
	}
	return true
}

// succeed records a connection that passes.
func (s *simulation) succeed(hs *certcheck.HandshakeResult) {
	pred := s.pred
	pred.Connects = true
	if hs != nil && hs.Response != nil {
		pred.HTTPStatus = hs.Response.StatusCode
		s.values.status = hs.Response.StatusCode
		pred.Evidence = append(pred.Evidence, "the server answered the request with "+hs.Response.StatusLine)
	}
	s.setText(ClassOK, "")
	pred.Class = ClassOK
}

// fail records a failure of class with the class's own text, or the
// variant's when the profile has one.
func (s *simulation) fail(class, layer, variant, evidence string) {
	s.failWith(class, layer, class, variant, evidence)
}

// failWith records a failure of class with the text of textClass (or of
// its variant), for failures whose text depends on what the server did.
func (s *simulation) failWith(class, layer, textClass, variant, evidence string) {
	pred := s.pred
	pred.Class, pred.Layer, pred.Connects = class, layer, false
	if evidence != "" {
		pred.Evidence = append(pred.Evidence, evidence)
	}
	s.setText(textClass, variant)
}

// setText fills Exception, Message and Confidence from the profile's text
// for variant, falling back to key.
func (s *simulation) setText(key, variant string) {
	p, pred := s.profile, s.pred
	text, ok := p.Errors[variant]
	if variant == "" || !ok {
		text = p.Errors[key]
	}
	pred.Exception = text.Exception
	pred.Message = p.render(text.Message, s.values)
	pred.Confidence = weakerConfidence(p.Confidence, text.Confidence)
}

func (s *simulation) withTimeout() (context.Context, context.CancelFunc) {
	if s.target.Timeout > 0 {
		return context.WithTimeout(s.ctx, s.target.Timeout)
	}
	return context.WithCancel(s.ctx)
}

// url returns the URL the client requests, for texts that quote it. A Host
// without a port takes the port of Addr, unless that is 443.
func (s *simulation) url() string {
	u := url.URL{Scheme: "https", Host: s.target.Host, Path: s.target.Path}
	if u.Host == "" {
		u.Host = s.target.Addr
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		if port := portOf(s.target.Addr); port != "" && port != "443" {
			u.Host = net.JoinHostPort(hostOnly(u.Host), port)
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

func (s *simulation) helloSentence(h *tlsprobe.ClientHello) string {
	sni := "SNI " + h.ServerName
	if h.ServerName == "" {
		sni = "no SNI"
		if s.host != "" && !isIPLiteral(s.host) && s.profile.Hello.SNI == SNINotForIPOrDotless {
			sni = "no SNI, because " + s.profile.Name + " sends none for a name without a dot"
		} else if isIPLiteral(s.host) {
			sni = "no SNI, because the host is an IP address"
		}
	}
	return fmt.Sprintf("%s's ClientHello (%s; %d cipher suites; %s) went to %s",
		s.profile.Name, joinVersions(s.profile.versions), len(h.CipherSuites), sni, s.target.Addr)
}

// firstProblem returns the problem the client reports first, following the
// order in which its family checks a chain.
func (s *simulation) firstProblem(problems []certcheck.Problem) certcheck.Problem {
	order := checkOrder[s.profile.Family]
	best, bestRank := problems[0], len(order)
	for _, problem := range problems {
		if rank := slices.Index(order, problem.Class); rank >= 0 && rank < bestRank {
			best, bestRank = problem, rank
		}
	}
	return best
}

// checkOrder is the order in which each family reports certificate
// problems: JSSE builds the path (trust), checks key constraints and dates
// while validating it, and checks the host name last; crypto/x509 checks
// dates and the host name before it builds the path, and crypto/tls checks
// the key when it verifies the signature; OpenSSL's X509_verify_cert builds
// the chain, checks key strength and the host name, and checks dates while
// it verifies signatures. SChannel is ordered like JSSE; all its
// certificate failures share one text.
var checkOrder = map[string][]certcheck.ProblemClass{
	"java":    {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey, certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch},
	"dotnet":  {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey, certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch},
	"go":      {certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch, certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey},
	"openssl": {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemWeakKey, certcheck.ProblemHostnameMismatch, certcheck.ProblemSHA1Signature, certcheck.ProblemExpired, certcheck.ProblemNotYetValid},
	"curl":    {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemWeakKey, certcheck.ProblemHostnameMismatch, certcheck.ProblemSHA1Signature, certcheck.ProblemExpired, certcheck.ProblemNotYetValid},
}

// problemClass maps a certcheck problem to a failure class and text
// variant.
func problemClass(c certcheck.ProblemClass, host string) (class, variant string) {
	switch c {
	case certcheck.ProblemSelfSigned:
		return ClassUntrusted, variantUntrustedSelfSigned
	case certcheck.ProblemIncompleteChain:
		return ClassIncompleteChain, ""
	case certcheck.ProblemExpired:
		return ClassExpired, ""
	case certcheck.ProblemNotYetValid:
		return ClassNotYetValid, ""
	case certcheck.ProblemHostnameMismatch:
		if isIPLiteral(host) {
			return ClassHostnameMismatch, variantHostnameMismatchIP
		}
		return ClassHostnameMismatch, ""
	case certcheck.ProblemWeakKey:
		return ClassWeakKey, ""
	}
	// ProblemUntrusted, ProblemSHA1Signature: no path the client accepts.
	return ClassUntrusted, ""
}

func alertVariant(a tlsprobe.AlertDescription) string {
	return fmt.Sprintf("%s%d", variantAlertPrefix, a)
}

// minVersion returns Policy.MinVersion parsed, or 0 when the profile sets
// none.
func (p *Profile) minVersion() tlsprobe.Version {
	return p.policyMinVersion
}

// dropCNMatch removes a host name mismatch that a client with the
// "san_then_cn" rule does not see: a leaf without DNS subjectAltNames whose
// subject CN matches the host.
func (p *Profile) dropCNMatch(problems []certcheck.Problem, leaf *x509.Certificate, host string) []certcheck.Problem {
	if p.Policy.Hostname != "san_then_cn" || len(leaf.DNSNames) > 0 || isIPLiteral(host) || !matchHostname(leaf.Subject.CommonName, host) {
		return problems
	}
	return slices.DeleteFunc(problems, func(problem certcheck.Problem) bool {
		return problem.Class == certcheck.ProblemHostnameMismatch
	})
}

// matchHostname matches host against a name that may start with a "*."
// wildcard for one label, ignoring case and a trailing dot.
func matchHostname(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == "" || host == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		label, suffix, found := strings.Cut(host, ".")
		return found && label != "" && suffix == rest
	}
	return pattern == host
}

var storeRootsOnce sync.Map // store name -> func() (*x509.CertPool, error)

// storeRoots loads a trust store once per process.
func storeRoots(store string) (*x509.CertPool, error) {
	load, _ := storeRootsOnce.LoadOrStore(store, sync.OnceValues(func() (*x509.CertPool, error) {
		return certcheck.Roots(store)
	}))
	return load.(func() (*x509.CertPool, error))()
}

// goSuites returns the suites of ids that crypto/tls implements for
// TLS 1.0-1.2, in the order of ids. TLS 1.3 suites are left out because a
// tls.Config cannot choose them.
func goSuites(ids []uint16) []uint16 {
	implemented := map[uint16]bool{}
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, suite := range list {
			if !slices.Contains(suite.SupportedVersions, tls.VersionTLS13) {
				implemented[suite.ID] = true
			}
		}
	}
	var out []uint16
	for _, id := range ids {
		if implemented[id] {
			out = append(out, id)
		}
	}
	return out
}

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return port
}

func errorText(r *tlsprobe.Result) string {
	if r.Err != nil {
		return r.Err.Error()
	}
	return r.Error
}

func joinVersions(versions []tlsprobe.Version) string {
	names := make([]string, len(versions))
	for i, v := range versions {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}
