package clients

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
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
	// Roots replaces every profile's trust store when not nil. Nil means
	// the profile's own store (Policy.TrustStore) plus ExtraRoots.
	Roots *x509.CertPool
	// ExtraRoots are trusted in addition to each profile's own store, as
	// curl's --cacert files are.
	ExtraRoots []*x509.Certificate
	// JavaCACerts is the key store of the "java" trust store. Empty means
	// the cacerts of the JDK installed here (certcheck.FindJavaCACerts),
	// or the Mozilla roots when there is none.
	JavaCACerts string
	// AIA holds the issuers fetched from the chain's AIA caIssuers URLs.
	// Nil means nothing was fetched, so a client that fetches them is
	// assumed to complete the chain.
	AIA *certcheck.AIAResult
	// Authorization is sent as the Authorization header of the request
	// made after the handshake, such as "Bearer TOKEN".
	Authorization string
	// Timeout bounds the full handshake of the simulation; the probe uses
	// the prober's own timeout. Zero means certcheck.DefaultTimeout for the
	// handshake.
	Timeout time.Duration
}

// Prediction is the outcome one client would see from a Target.
type Prediction struct {
	Profile string `json:"profile"`
	Display string `json:"display"`
	// Connects reports that the TLS connection and the certificate checks
	// pass. The caller judges the HTTP response.
	Connects bool `json:"connects"`
	// Class is a failure class id (ClassAlert and the others) or ClassOK.
	// It is empty only when the simulation itself could not run, and
	// Evidence then gives the reason.
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
	// Alert is the RFC name of the alert the client received, such as
	// "protocol_version", when an alert decided the class.
	Alert string `json:"alert,omitempty"`
	// SentSNI reports whether the hello carried server_name.
	SentSNI bool `json:"sent_sni"`
	// HTTPStatus is the status code of the response to the request made
	// after the handshake, or 0 when no response came.
	HTTPStatus int `json:"http_status,omitempty"`
	// Evidence lists in plain sentences what the client sent and what the
	// server did.
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
	// values are the facts the texts were rendered with.
	values messageValues
}

// LogLine returns the line the client prints: Exception and Message joined
// by the profile's log_line format, or Message alone when there is no
// Exception.
func (pr *Prediction) LogLine() string {
	if pr.Exception == "" || pr.logLine == "" {
		return pr.Message
	}
	return strings.NewReplacer("{exception}", pr.Exception, "{message}", pr.Message).Replace(pr.logLine)
}

// Simulate predicts what the client of profile p would see from t.
//
// It sends the profile's own ClientHello and classifies the first flight.
// When the server accepts the hello, Simulate completes a handshake with
// crypto/tls, limited to the profile's versions and to the suites Go
// implements, to learn the certificate chain and what the server does after
// the handshake. It then checks the chain with the profile's policy.
//
// Simulate never returns nil. A simulation that cannot run has an empty
// Class and gives the reason in Evidence. A nil prober means a zero
// tlsprobe.Prober.
func Simulate(ctx context.Context, prober *tlsprobe.Prober, t Target, p *Profile) *Prediction {
	if prober == nil {
		prober = &tlsprobe.Prober{}
	}
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
		ip:             hostOnly(s.target.Addr),
		now:            s.now,
		clientVersions: p.versions,
	}
	pred.Evidence = append(pred.Evidence, s.helloSentence(hello))

	// Step 1: the profile's own ClientHello, judged by the first flight.
	// The prober bounds the connection itself, from the moment it has a
	// connection slot. A deadline here would also count the wait for a slot,
	// and so fail clients whose server is merely busy.
	result := s.prober.Probe(s.ctx, s.target.Addr, hello)
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

// succeed records a connection that passes.
func (s *simulation) succeed(hs *certcheck.HandshakeResult) {
	pred := s.pred
	pred.Connects = true
	if hs != nil && hs.Response != nil {
		pred.HTTPStatus = hs.Response.StatusCode
		s.values.status = hs.Response.StatusCode
		pred.Evidence = append(pred.Evidence, "the server responded to the request with "+hs.Response.StatusLine)
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

// variantFallback lists the variant to try when a profile lacks one.
var variantFallback = map[string]string{
	variantResetOnConnect:       variantResetOnWrite,
	variantClosedAfterHandshake: ClassClosed,
	variantHTTPUnauthorized:     variantHTTPError,
}

// setText fills Exception, Message and Confidence from the profile's text
// for variant, or for the variant it falls back to, or for key.
func (s *simulation) setText(key, variant string) {
	p, pred := s.profile, s.pred
	text, ok := ErrorText{}, false
	for v := variant; v != "" && !ok; v = variantFallback[v] {
		text, ok = p.Errors[v]
	}
	if !ok {
		text = p.Errors[key]
	}
	pred.Exception = text.Exception
	pred.Message = p.render(text.Message, s.values)
	pred.values = s.values
	if s.values.alert != nil {
		pred.Alert = s.values.alert.String()
	}
	pred.Confidence = weakerConfidence(p.Confidence, text.Confidence)
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

// helloSentence describes the hello for the evidence, with the reason when
// it carries no SNI.
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

// hostOnly returns host without a port and without IPv6 brackets.
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
