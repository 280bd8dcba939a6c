package certcheck

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Limits of FetchIssuers.
const (
	// MaxAIAHops is how many issuers FetchIssuers follows upward from the
	// top of the sent chain. Public hierarchies need one or two hops, and
	// a cross-signed root adds one.
	MaxAIAHops = 4
	// MaxAIABodyBytes bounds one caIssuers response. A certificate is a few
	// kilobytes, and a PKCS#7 bundle of a whole hierarchy stays far below.
	MaxAIABodyBytes = 1 << 20
	// MaxAIARedirects is how many HTTP redirects one caIssuers GET follows.
	MaxAIARedirects = 3
	// AIAUserAgent is the User-Agent header of every caIssuers GET, so a CA
	// can tell these requests apart from those of a browser.
	AIAUserAgent = "scimdoctor (AIA caIssuers fetch)"
)

// AIAOptions configures FetchIssuers.
type AIAOptions struct {
	// Client sends the GET requests. Nil means a client that uses no proxy
	// and dials the host and port of each URL. FetchIssuers copies the
	// client and replaces its CheckRedirect, to apply MaxAIARedirects and to
	// follow http:// redirects only.
	Client *http.Client
	// Timeout bounds each GET, body included. 0 or less means
	// DefaultTimeout.
	Timeout time.Duration
	// Roots, when not nil, ends the walk at a certificate that a root of
	// this pool issued, since a client then needs no download. With nil,
	// the walk goes on until a self-signed certificate.
	Roots *x509.CertPool
}

// AIAOutcome names what one caIssuers URL gave.
type AIAOutcome string

const (
	// AIAIssuerFound: the response contains the issuer of the certificate
	// that names the URL, checked by name and signature.
	AIAIssuerFound AIAOutcome = "issuer_found"
	// AIANotIssuer: the response contains certificates, but none of them
	// issued the certificate that names the URL.
	AIANotIssuer AIAOutcome = "not_issuer"
	// AIAFailed: the GET failed, the status was not 200, or the body is not
	// a certificate.
	AIAFailed AIAOutcome = "failed"
	// AIASkipped: the URL was not fetched because of its scheme.
	AIASkipped AIAOutcome = "skipped"
)

// Formats of a caIssuers response.
const (
	AIAFormatDER      = "DER"
	AIAFormatPEM      = "PEM"
	AIAFormatPKCS7    = "PKCS#7"
	AIAFormatPEMPKCS7 = "PEM PKCS#7"
)

// AIAFetch is the result of one caIssuers URL.
type AIAFetch struct {
	// Hop is 1 for a URL of the top certificate of the sent chain, 2 for a
	// URL of the issuer found at hop 1, and so on.
	Hop int `json:"hop"`
	// URL is the caIssuers URL as the certificate names it.
	URL string `json:"url"`
	// Child is the certificate that names URL, and ChildSubject its
	// distinguished name.
	Child        *x509.Certificate `json:"-"`
	ChildSubject string            `json:"child_subject"`
	Outcome      AIAOutcome        `json:"outcome"`
	// StatusCode and ContentType are those of the last response, or zero
	// when no response came.
	StatusCode  int    `json:"status_code,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Format is one of the AIAFormat constants when the body parsed.
	Format string `json:"format,omitempty"`
	// Certificates are those the body contains, and Subjects their
	// distinguished names.
	Certificates []*x509.Certificate `json:"-"`
	Subjects     []string            `json:"subjects,omitempty"`
	// Issuer is the certificate of Certificates that issued Child, for
	// AIAIssuerFound.
	Issuer *x509.Certificate `json:"-"`
	// Error is the reason the URL was skipped, failed or served no issuer.
	Error string `json:"error,omitempty"`
}

// AIAResult is the log of a FetchIssuers walk.
type AIAResult struct {
	// Fetches lists every URL in the order tried.
	Fetches []AIAFetch `json:"fetches"`
}

// Issuers returns the issuer certificates found, in hop order.
func (r *AIAResult) Issuers() []*x509.Certificate {
	if r == nil {
		return nil
	}
	var issuers []*x509.Certificate
	for _, f := range r.Fetches {
		if f.Issuer != nil {
			issuers = append(issuers, f.Issuer)
		}
	}
	return issuers
}

// fetchesFor returns the fetches of the URLs that cert names.
func (r *AIAResult) fetchesFor(cert *x509.Certificate) []AIAFetch {
	if r == nil {
		return nil
	}
	var fetches []AIAFetch
	for _, f := range r.Fetches {
		if f.Child != nil && f.Child.Equal(cert) {
			fetches = append(fetches, f)
		}
	}
	return fetches
}

// FetchIssuers downloads the issuers that chain lacks from the Authority
// Information Access caIssuers URLs, as SChannel (Windows, .NET) does. It
// starts at the top of the path through the sent certificates and follows
// each issuer's own URLs upward, for at most MaxAIAHops hops. It stops at a
// self-signed certificate, at one issued by a root of opts.Roots, at one
// without an http:// URL that serves its issuer, or when ctx ends. A
// certificate's URLs are tried in order until one serves its issuer.
//
// Only http:// URLs are fetched, as public CAs publish them (caIssuers is
// defined in RFC 5280, Section 4.2.2.1). https:// and ldap:// URLs are
// logged as AIASkipped. SChannel fetches ldap:// URLs too, so whether an
// LDAP URL completes the chain stays unknown here. Each GET is bounded by opts.Timeout, MaxAIABodyBytes and
// MaxAIARedirects. A body is accepted as a DER or PEM certificate or as a
// PKCS#7 certs-only bundle (.p7c), in DER or PEM.
//
// The error is non-nil when chain is empty or ctx ended, and the result
// then holds the fetches done so far.
func FetchIssuers(ctx context.Context, chain *Chain, opts AIAOptions) (*AIAResult, error) {
	if chain == nil || len(chain.Certificates) == 0 {
		return nil, errors.New("fetch AIA issuers: the chain contains no certificate; fetch the chain first")
	}
	client := aiaClient(opts.Client)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	result := &AIAResult{}
	path := issuerPath(chain.Certificates)
	child := chain.Certificates[path[len(path)-1]]
	tried := map[string]bool{}
	for hop := 1; hop <= MaxAIAHops; hop++ {
		if isSelfSigned(child) || issuedByRoot(child, opts.Roots) {
			break
		}
		issuer := fetchIssuerOf(ctx, client, timeout, hop, child, tried, result)
		if err := ctx.Err(); err != nil {
			return result, fmt.Errorf("fetch AIA issuers: %w", err)
		}
		if issuer == nil {
			break
		}
		child = issuer
	}
	return result, nil
}

// fetchIssuerOf tries the caIssuers URLs of child in order, logs each in
// result, and returns the first issuer found, or nil.
func fetchIssuerOf(ctx context.Context, client *http.Client, timeout time.Duration, hop int, child *x509.Certificate, tried map[string]bool, result *AIAResult) *x509.Certificate {
	for _, rawURL := range child.IssuingCertificateURL {
		if tried[rawURL] {
			// A loop of certificates that name each other's URLs.
			continue
		}
		tried[rawURL] = true
		fetch := AIAFetch{Hop: hop, URL: rawURL, Child: child, ChildSubject: child.Subject.String()}
		fetchURL(ctx, client, timeout, &fetch)
		result.Fetches = append(result.Fetches, fetch)
		if fetch.Issuer != nil {
			return fetch.Issuer
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// fetchURL runs one GET and fills the outcome fields of fetch.
func fetchURL(ctx context.Context, client *http.Client, timeout time.Duration, fetch *AIAFetch) {
	u, err := url.Parse(fetch.URL)
	if err != nil {
		fetch.Outcome, fetch.Error = AIAFailed, fmt.Sprintf("invalid caIssuers URL %q: %v", fetch.URL, err)
		return
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "ldap", "ldaps":
		fetch.Outcome, fetch.Error = AIASkipped, "ldap URLs are not fetched; SChannel (Windows, .NET) fetches them, so check the URL from a Windows host"
		return
	case "https":
		fetch.Outcome, fetch.Error = AIASkipped, "https URLs are not fetched, because public CAs publish caIssuers over http and an https fetch may need the very issuer it downloads"
		return
	default:
		fetch.Outcome, fetch.Error = AIASkipped, fmt.Sprintf("scheme %q is not fetched; only http caIssuers URLs are", u.Scheme)
		return
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := getAIA(ctx, client, u, fetch)
	if err != nil {
		fetch.Outcome = AIAFailed
		fetch.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			fetch.Error = fmt.Sprintf("GET %s timed out after %s: %v", fetch.URL, timeout, err)
		}
		return
	}

	certs, format, err := parseAIABody(body, fetch.ContentType)
	if err != nil {
		fetch.Outcome, fetch.Error = AIAFailed, err.Error()
		return
	}
	fetch.Format, fetch.Certificates = format, certs
	for _, cert := range certs {
		fetch.Subjects = append(fetch.Subjects, cert.Subject.String())
		if fetch.Issuer == nil && issued(cert, fetch.Child) {
			fetch.Issuer = cert
		}
	}
	if fetch.Issuer != nil {
		fetch.Outcome = AIAIssuerFound
		return
	}
	fetch.Outcome = AIANotIssuer
	fetch.Error = fmt.Sprintf("the response contains %s, which did not issue %s", strings.Join(fetch.Subjects, "; "), fetch.ChildSubject)
}

// getAIA sends the GET and returns the body of a 200 response, and records
// the status and content type in fetch.
func getAIA(ctx context.Context, client *http.Client, u *url.URL, fetch *AIAFetch) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build GET %s: %w", fetch.URL, err)
	}
	req.Header.Set("User-Agent", AIAUserAgent)
	resp, err := client.Do(req)
	if err != nil {
		// url.Error repeats the method and URL, so keep only its cause and
		// the URL where a redirect ended.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			if urlErr.URL != fetch.URL {
				return nil, fmt.Errorf("GET %s (redirected to %s): %w", fetch.URL, urlErr.URL, urlErr.Err)
			}
			return nil, fmt.Errorf("GET %s: %w", fetch.URL, urlErr.Err)
		}
		return nil, fmt.Errorf("GET %s: %w", fetch.URL, err)
	}
	defer resp.Body.Close()
	fetch.StatusCode = resp.StatusCode
	fetch.ContentType = resp.Header.Get("Content-Type")

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s returned HTTP %s, want 200; the CA does not publish the issuer at this URL", fetch.URL, resp.Status)
	}
	if resp.ContentLength > MaxAIABodyBytes {
		return nil, fmt.Errorf("GET %s: Content-Length %d exceeds the %d-byte limit for a caIssuers response", fetch.URL, resp.ContentLength, MaxAIABodyBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAIABodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", fetch.URL, err)
	}
	if len(body) > MaxAIABodyBytes {
		return nil, fmt.Errorf("GET %s: the body exceeds the %d-byte limit for a caIssuers response", fetch.URL, MaxAIABodyBytes)
	}
	return body, nil
}

// aiaClient returns a copy of client, or of a client without proxy when
// client is nil, whose CheckRedirect follows at most MaxAIARedirects http://
// redirects.
func aiaClient(client *http.Client) *http.Client {
	var c http.Client
	if client != nil {
		c = *client
	} else {
		// The user asked to fetch the CA's URL, so the request goes to the
		// host the URL names and never to a proxy from the environment.
		c.Transport = &http.Transport{
			Proxy:                  nil,
			DialContext:            (&net.Dialer{}).DialContext,
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: 64 << 10,
		}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxAIARedirects {
			return fmt.Errorf("stopped after %d redirects, the limit for a caIssuers URL", MaxAIARedirects)
		}
		if req.URL.Scheme != "http" {
			return fmt.Errorf("redirect to %s not followed: only http caIssuers URLs are fetched", req.URL)
		}
		return nil
	}
	return &c
}

// issued reports whether parent issued child, by name and by signature.
func issued(parent, child *x509.Certificate) bool {
	if !bytes.Equal(parent.RawSubject, child.RawIssuer) {
		return false
	}
	return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil
}

// issuedByRoot reports whether a root of roots issued cert. The check runs
// at a time inside cert's validity, because an expired certificate still
// needs no download when its root is known.
func issuedByRoot(cert *x509.Certificate, roots *x509.CertPool) bool {
	if roots == nil {
		return false
	}
	at := time.Now()
	if at.After(cert.NotAfter) {
		at = cert.NotAfter
	}
	if at.Before(cert.NotBefore) {
		at = cert.NotBefore
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: x509.NewCertPool(),
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil && len(chains) > 0
}

// maxPrefixInError is how many leading bytes of an unrecognised body an
// error shows.
const maxPrefixInError = 16

// parseAIABody returns the certificates of a caIssuers response and its
// format. The body decides the format, because CAs label the same DER file
// application/pkix-cert, application/x-x509-ca-cert or
// application/octet-stream.
func parseAIABody(body []byte, contentType string) ([]*x509.Certificate, string, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(body) == 0:
		return nil, "", errors.New("the response body is empty; the URL serves no certificate")
	case body[0] != 0x30 && bytes.Contains(body, []byte("-----BEGIN ")):
		// pem.Decode skips text before the first block, as OpenSSL does.
		return parseAIAPEM(body)
	case startsWithOID(body):
		certs, err := ParsePKCS7Certificates(body)
		if err != nil {
			return nil, "", fmt.Errorf("the response is not a valid PKCS#7 certs-only bundle: %w", err)
		}
		return certs, AIAFormatPKCS7, nil
	case body[0] == 0x30:
		cert, err := x509.ParseCertificate(body)
		if err != nil {
			return nil, "", fmt.Errorf("the response is not a valid DER certificate: %w", err)
		}
		return []*x509.Certificate{cert}, AIAFormatDER, nil
	case strings.HasPrefix(strings.ToLower(contentType), "text/html") || bytes.HasPrefix(trimmed, []byte("<")):
		return nil, "", fmt.Errorf("the response is an HTML page (Content-Type %q), not a certificate; the URL probably leads to an error or login page", contentType)
	}
	prefix := body[:min(len(body), maxPrefixInError)]
	return nil, "", fmt.Errorf("the response of %d bytes (Content-Type %q, starting %s) is neither a DER or PEM certificate nor a PKCS#7 bundle",
		len(body), contentType, hex.EncodeToString(prefix))
}

// startsWithOID reports whether der starts with a SEQUENCE header followed
// by an OBJECT IDENTIFIER tag, as a PKCS#7 ContentInfo does. A certificate
// starts with the tbsCertificate SEQUENCE instead. Only the headers are
// read, so that a truncated bundle still gets the PKCS#7 parser's error.
func startsWithOID(der []byte) bool {
	if len(der) < 2 || der[0] != 0x30 {
		return false
	}
	header := 2
	if der[1] > 0x80 {
		// Long form: the low bits count the length bytes (X.690, 8.1.3.5).
		header += int(der[1] & 0x7f)
	}
	return len(der) > header && der[header] == 0x06
}

// parseAIAPEM decodes every CERTIFICATE and PKCS7 block of body.
func parseAIAPEM(body []byte) ([]*x509.Certificate, string, error) {
	var certs []*x509.Certificate
	format := AIAFormatPEM
	rest := body
	for index := 0; ; index++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PEM block %d (CERTIFICATE) is not a valid certificate: %w", index, err)
			}
			certs = append(certs, cert)
		case "PKCS7":
			bundle, err := ParsePKCS7Certificates(block.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PEM block %d (PKCS7) is not a valid PKCS#7 certs-only bundle: %w", index, err)
			}
			certs = append(certs, bundle...)
			format = AIAFormatPEMPKCS7
		}
	}
	if len(certs) == 0 {
		return nil, "", errors.New("the PEM response contains no CERTIFICATE or PKCS7 block")
	}
	return certs, format, nil
}

// PKCS7Error reports bytes that do not parse as a PKCS#7 certs-only
// SignedData (RFC 5652, Section 5).
type PKCS7Error struct {
	// Message describes the problem with the value found.
	Message string
	// Field names the structure that broke, such as
	// "SignedData.certificates[1]".
	Field string
	// Offset is the position in the input where that structure starts.
	Offset int
}

// Error returns "pkcs7: " followed by Message, the field and the offset.
func (e *PKCS7Error) Error() string {
	return fmt.Sprintf("pkcs7: %s (%s at byte %d)", e.Message, e.Field, e.Offset)
}

// oidSignedData is id-signedData (RFC 5652, Section 5.1).
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// ParsePKCS7Certificates returns the certificates of a DER ContentInfo that
// holds a SignedData, such as a .p7c file or the output of
// `openssl crl2pkcs7 -nocrl`. It ignores the CRLs, the encapsulated content
// and the signatures, and skips certificate choices other than X.509
// certificates (attribute certificates). The error is a *PKCS7Error, also
// for a bundle without certificates. BER indefinite lengths are rejected.
func ParsePKCS7Certificates(der []byte) ([]*x509.Certificate, error) {
	p := pkcs7Parser{input: der}
	input := cryptobyte.String(der)
	// A failed cryptobyte read may consume the element, so each step
	// keeps its start for the error.
	var start cryptobyte.String

	start = input
	var contentInfo cryptobyte.String
	if !input.ReadASN1(&contentInfo, cbasn1.SEQUENCE) {
		return nil, p.failure(start, cbasn1.SEQUENCE, "ContentInfo", "SEQUENCE")
	}
	if !input.Empty() {
		return nil, p.errorAt(input, "ContentInfo", "%d bytes follow the ContentInfo", len(input))
	}

	start = contentInfo
	var contentType asn1.ObjectIdentifier
	if !contentInfo.ReadASN1ObjectIdentifier(&contentType) {
		return nil, p.failure(start, cbasn1.OBJECT_IDENTIFIER, "ContentInfo.contentType", "OBJECT IDENTIFIER")
	}
	if !contentType.Equal(oidSignedData) {
		return nil, p.errorAt(start, "ContentInfo.contentType", "content type %s is not signedData (%s)", contentType, oidSignedData)
	}
	start = contentInfo
	var explicit, signedData cryptobyte.String
	if !contentInfo.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, p.failure(start, cbasn1.Tag(0).Constructed().ContextSpecific(), "ContentInfo.content", "[0] EXPLICIT")
	}
	if !contentInfo.Empty() {
		return nil, p.errorAt(contentInfo, "ContentInfo", "%d bytes follow the content", len(contentInfo))
	}
	start = explicit
	if !explicit.ReadASN1(&signedData, cbasn1.SEQUENCE) {
		return nil, p.failure(start, cbasn1.SEQUENCE, "SignedData", "SEQUENCE")
	}
	if !explicit.Empty() {
		return nil, p.errorAt(explicit, "ContentInfo.content", "%d bytes follow the SignedData", len(explicit))
	}

	// SignedData ::= SEQUENCE { version, digestAlgorithms SET,
	// encapContentInfo SEQUENCE, certificates [0] IMPLICIT OPTIONAL,
	// crls [1] IMPLICIT OPTIONAL, signerInfos SET }
	start = signedData
	var version int64
	if !signedData.ReadASN1Integer(&version) {
		return nil, p.failure(start, cbasn1.INTEGER, "SignedData.version", "INTEGER")
	}
	start = signedData
	if !signedData.SkipASN1(cbasn1.SET) {
		return nil, p.failure(start, cbasn1.SET, "SignedData.digestAlgorithms", "SET")
	}
	start = signedData
	if !signedData.SkipASN1(cbasn1.SEQUENCE) {
		return nil, p.failure(start, cbasn1.SEQUENCE, "SignedData.encapContentInfo", "SEQUENCE")
	}
	certificatesStart := signedData
	var certificates cryptobyte.String
	var present bool
	if !signedData.ReadOptionalASN1(&certificates, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, p.failure(certificatesStart, cbasn1.Tag(0).Constructed().ContextSpecific(), "SignedData.certificates", "[0] IMPLICIT SET")
	}
	if !present {
		return nil, p.errorAt(certificatesStart, "SignedData.certificates", "the SignedData contains no certificates field")
	}
	start = signedData
	if !signedData.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, p.failure(start, cbasn1.Tag(1).Constructed().ContextSpecific(), "SignedData.crls", "[1] IMPLICIT SET")
	}
	start = signedData
	if !signedData.SkipASN1(cbasn1.SET) {
		return nil, p.failure(start, cbasn1.SET, "SignedData.signerInfos", "SET")
	}
	if !signedData.Empty() {
		return nil, p.errorAt(signedData, "SignedData", "%d bytes follow the signerInfos", len(signedData))
	}

	var certs []*x509.Certificate
	for index := 0; !certificates.Empty(); index++ {
		field := fmt.Sprintf("SignedData.certificates[%d]", index)
		start = certificates
		var element cryptobyte.String
		var tag cbasn1.Tag
		if !certificates.ReadAnyASN1Element(&element, &tag) {
			return nil, p.failure(start, cbasn1.SEQUENCE, field, "CertificateChoices element")
		}
		if tag != cbasn1.SEQUENCE {
			// An attribute or other certificate choice, tagged [1] to [3].
			continue
		}
		cert, err := x509.ParseCertificate(element)
		if err != nil {
			return nil, p.errorAt(start, field, "invalid certificate: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, p.errorAt(certificatesStart, "SignedData.certificates", "the bundle contains no X.509 certificate")
	}
	return certs, nil
}

// pkcs7Parser turns a failed cryptobyte read into a PKCS7Error with the
// offset in input.
type pkcs7Parser struct {
	input []byte
}

// offset returns where s starts in p.input. cryptobyte narrows a String by
// reslicing forward from the same backing array, so every String read from
// input keeps input's end of capacity, and the difference of capacities is
// the start offset.
func (p pkcs7Parser) offset(s cryptobyte.String) int {
	off := cap(p.input) - cap(s)
	if off < 0 || off > len(p.input) {
		// unreachable: s is always a reslice of p.input
		return len(p.input)
	}
	return off
}

func (p pkcs7Parser) errorAt(s cryptobyte.String, field, format string, args ...any) *PKCS7Error {
	return &PKCS7Error{Message: fmt.Sprintf(format, args...), Field: field, Offset: p.offset(s)}
}

// failure explains why the element expected at the start of s, with tag
// want, did not read. The input may end there, or the tag may differ, or
// the length may use BER's indefinite form or run past the input, or the
// contents may be invalid.
func (p pkcs7Parser) failure(s cryptobyte.String, want cbasn1.Tag, field, expected string) *PKCS7Error {
	switch {
	case len(s) == 0:
		return p.errorAt(s, field, "the input ends where a %s is expected", expected)
	case len(s) < 2:
		return p.errorAt(s, field, "the input ends inside the header of a %s (tag 0x%02x)", expected, s[0])
	case s[1] == 0x80:
		return p.errorAt(s, field, "the %s (tag 0x%02x) uses a BER indefinite length; only DER is read, so convert it with `openssl pkcs7 -inform DER -outform DER`", expected, s[0])
	}
	var element cryptobyte.String
	var tag cbasn1.Tag
	probe := s
	switch {
	case !probe.ReadAnyASN1Element(&element, &tag):
		return p.errorAt(s, field, "the %s (tag 0x%02x) has an invalid length or runs past the %d bytes of input", expected, s[0], len(p.input))
	case tag == want:
		return p.errorAt(s, field, "the %s has invalid contents", expected)
	}
	return p.errorAt(s, field, "found tag 0x%02x where a %s (tag 0x%02x) is expected", s[0], expected, uint8(want))
}
