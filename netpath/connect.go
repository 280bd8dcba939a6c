package netpath

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on a proxy's response to CONNECT, which scimdoctor treats as
// untrusted bytes.
const (
	// maxConnectHeader bounds the status line and header fields of the
	// response together, line ends included, in bytes. tinyproxy 1.11's
	// 407 header is under 200 bytes, so 64 KiB leaves room for long
	// Proxy-Authenticate lists.
	maxConnectHeader = 64 << 10
	// maxKeptHeaderValue bounds each header value kept for reports, in
	// bytes.
	maxKeptHeaderValue = 256
	// maxKeptAuthenticate bounds how many Proxy-Authenticate values are
	// kept.
	maxKeptAuthenticate = 8
)

// connectResponse is the part of a proxy's response to CONNECT that the
// diagnosis uses.
type connectResponse struct {
	// Proto is the protocol of the status line, such as "HTTP/1.1".
	Proto string
	// Status is the three-digit status code.
	Status int
	// Reason is the reason phrase, possibly empty.
	Reason string
	// ProxyAuthenticate holds the Proxy-Authenticate values, such as
	// `Basic realm="Tinyproxy"`, each cut to maxKeptHeaderValue bytes.
	ProxyAuthenticate []string
	// Server and Via are the header values that name the proxy software,
	// cut to maxKeptHeaderValue bytes.
	Server string
	Via    string
}

// statusLine returns the status without the protocol, such as
// "403 Access violation".
func (r *connectResponse) statusLine() string {
	if r.Reason == "" {
		return strconv.Itoa(r.Status)
	}
	return fmt.Sprintf("%d %s", r.Status, r.Reason)
}

// connectResponseError describes why the bytes a proxy sent are not an HTTP
// response to CONNECT.
type connectResponseError struct {
	// Message describes the problem with the value, such as
	// `malformed status line "HTTP/1.1 abc"`.
	Message string
	// Offset is the byte offset in the response where the problem starts.
	Offset int
	// FirstBytes holds up to 16 bytes from the start of the response when
	// the response did not start with "HTTP/".
	FirstBytes []byte
	// Err is the read error that ended the response early, if any.
	Err error
}

func (e *connectResponseError) Error() string {
	return fmt.Sprintf("%s at byte %d", e.Message, e.Offset)
}

func (e *connectResponseError) Unwrap() error { return e.Err }

// looksLikeTLS reports whether the response started like a TLS record: a
// handshake (22) or alert (21) content type and major version 3.
func (e *connectResponseError) looksLikeTLS() bool {
	return len(e.FirstBytes) >= 2 && (e.FirstBytes[0] == 22 || e.FirstBytes[0] == 21) && e.FirstBytes[1] == 3
}

// readConnectResponse reads a proxy's response to CONNECT from r up to the
// blank line that ends its header, and leaves any later bytes in r: after a
// 2xx response they belong to the tunnel. It reads at most maxConnectHeader
// bytes. It returns a *connectResponseError for bytes that are not an HTTP
// response, or a read error (such as a timeout) as is when the response is
// incomplete. It never reads a body.
func readConnectResponse(r *bufio.Reader) (*connectResponse, error) {
	// A proxy port that speaks TLS or another protocol sends binary bytes
	// and may never send a line end, so the prefix is checked before any
	// line is read.
	prefix, err := r.Peek(len("HTTP/"))
	if !bytes.Equal(prefix, []byte("HTTP/")) {
		first, _ := r.Peek(min(16, r.Buffered()))
		first = bytes.Clone(first)
		if len(prefix) < len("HTTP/") && bytes.HasPrefix([]byte("HTTP/"), prefix) {
			return nil, incompleteResponse(len(prefix), err)
		}
		return nil, &connectResponseError{Message: fmt.Sprintf("response starts with %s, not an HTTP status line", quoteBytes(first, 16)), FirstBytes: first}
	}

	budget := maxConnectHeader
	offset := 0
	line, err := readHeaderLine(r, &budget)
	if err != nil {
		return nil, headerLineError(err, offset, maxConnectHeader-budget)
	}
	resp, ok := parseStatusLine(line)
	if !ok {
		return nil, &connectResponseError{Message: fmt.Sprintf("malformed status line %q", cut(line, 80)), Offset: offset}
	}
	offset = maxConnectHeader - budget

	for {
		line, err := readHeaderLine(r, &budget)
		if err != nil {
			return nil, headerLineError(err, offset, maxConnectHeader-budget)
		}
		if line == "" {
			return resp, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, &connectResponseError{Message: fmt.Sprintf("malformed header line %q", cut(line, 80)), Offset: offset}
		}
		value = cut(strings.TrimSpace(value), maxKeptHeaderValue)
		switch strings.ToLower(name) {
		case "proxy-authenticate":
			if len(resp.ProxyAuthenticate) < maxKeptAuthenticate {
				resp.ProxyAuthenticate = append(resp.ProxyAuthenticate, value)
			}
		case "server":
			resp.Server = value
		case "via":
			resp.Via = value
		}
		offset = maxConnectHeader - budget
	}
}

// errHeaderTooLarge is returned by readHeaderLine when the header exceeds
// maxConnectHeader.
var errHeaderTooLarge = errors.New("header too large")

// readHeaderLine reads one line ending in "\n", charges its length to
// budget and returns it without "\r\n" or "\n". It fails with
// errHeaderTooLarge once the budget is spent, so it never buffers more than
// maxConnectHeader bytes in total.
func readHeaderLine(r *bufio.Reader, budget *int) (string, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(chunk) > *budget {
			return "", errHeaderTooLarge
		}
		*budget -= len(chunk)
		line = append(line, chunk...)
		switch {
		case err == nil:
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			return string(line), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return "", err
		}
	}
}

// headerLineError turns the error of reading the line that starts at
// lineOffset into the error readConnectResponse returns. consumed is the
// number of bytes read so far.
func headerLineError(err error, lineOffset, consumed int) error {
	if errors.Is(err, errHeaderTooLarge) {
		return &connectResponseError{Message: fmt.Sprintf("header exceeds the %d-byte limit", maxConnectHeader), Offset: lineOffset}
	}
	return incompleteResponse(consumed, err)
}

// incompleteResponse reports an response that ended, or stopped arriving,
// after consumed bytes and before its header was complete. A timeout keeps
// its own error so the dialer can report it as one.
func incompleteResponse(consumed int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg := "connection closed before the header ended"
		if consumed == 0 {
			msg = "connection closed without a response"
		}
		return &connectResponseError{Message: msg, Offset: consumed, Err: err}
	}
	return err
}

// parseStatusLine parses "HTTP/1.1 200 Connection established". The reason
// phrase may be empty or missing.
func parseStatusLine(line string) (*connectResponse, bool) {
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") {
		return nil, false
	}
	code, reason, _ := strings.Cut(rest, " ")
	if len(code) != 3 {
		return nil, false
	}
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 {
		return nil, false
	}
	return &connectResponse{Proto: proto, Status: status, Reason: cut(strings.TrimSpace(reason), maxKeptHeaderValue)}, true
}
