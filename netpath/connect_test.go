package netpath

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadConnectResponse(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		wantStatus int
		wantReason string
		wantAuth   []string
		wantServer string
		wantRest   string
	}{
		{
			name:       "established",
			input:      "HTTP/1.1 200 Connection established\r\n\r\n",
			wantStatus: 200,
			wantReason: "Connection established",
		},
		{
			name:       "tunnel bytes after header",
			input:      "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03\x00\x02hi",
			wantStatus: 200,
			wantReason: "OK",
			wantRest:   "\x16\x03\x03\x00\x02hi",
		},
		{
			name:       "bare line feeds",
			input:      "HTTP/1.0 200 OK\nVia: 1.1 squid\n\n",
			wantStatus: 200,
			wantReason: "OK",
		},
		{
			name:       "no reason phrase",
			input:      "HTTP/1.1 403\r\n\r\n",
			wantStatus: 403,
		},
		{
			name:       "tinyproxy 407",
			input:      "HTTP/1.0 407 Proxy Authentication Required\r\nServer: tinyproxy/1.11.1\r\nContent-Type: text/html\r\nProxy-Authenticate: Basic realm=\"Tinyproxy\"\r\nConnection: close\r\n\r\n<html>body</html>",
			wantStatus: 407,
			wantReason: "Proxy Authentication Required",
			wantAuth:   []string{`Basic realm="Tinyproxy"`},
			wantServer: "tinyproxy/1.11.1",
			wantRest:   "<html>body</html>",
		},
		{
			name:       "two challenges",
			input:      "HTTP/1.1 407 Auth\r\nproxy-authenticate: Negotiate\r\nPROXY-AUTHENTICATE:Basic realm=\"corp\"\r\n\r\n",
			wantStatus: 407,
			wantReason: "Auth",
			wantAuth:   []string{"Negotiate", `Basic realm="corp"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.input))
			resp, err := readConnectResponse(r)
			if err != nil {
				t.Fatalf("readConnectResponse: %v", err)
			}
			if resp.Status != tt.wantStatus {
				t.Errorf("Status = %d, want %d", resp.Status, tt.wantStatus)
			}
			if resp.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", resp.Reason, tt.wantReason)
			}
			if strings.Join(resp.ProxyAuthenticate, "|") != strings.Join(tt.wantAuth, "|") {
				t.Errorf("ProxyAuthenticate = %q, want %q", resp.ProxyAuthenticate, tt.wantAuth)
			}
			if resp.Server != tt.wantServer {
				t.Errorf("Server = %q, want %q", resp.Server, tt.wantServer)
			}
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("reading the rest: %v", err)
			}
			if string(rest) != tt.wantRest {
				t.Errorf("bytes left after the header = %q, want %q", rest, tt.wantRest)
			}
		})
	}
}

func TestReadConnectResponseRejects(t *testing.T) {
	tests := []struct {
		name        string
		input       string
		wantMessage string
		wantOffset  int
		wantTLS     bool
	}{
		{name: "empty", input: "", wantMessage: "connection closed without a response"},
		{name: "partial prefix", input: "HTT", wantMessage: "connection closed before the header ended", wantOffset: 3},
		{name: "tls alert", input: "\x15\x03\x01\x00\x02\x02\x46", wantMessage: `response starts with "\x15\x03\x01\x00\x02\x02F", not an HTTP status line`, wantTLS: true},
		{name: "tls handshake", input: "\x16\x03\x03\x00\x31\x02\x00\x00\x2d\x03\x03aaaaaaaaaaaaaaaaaaaa", wantMessage: "not an HTTP status line", wantTLS: true},
		{name: "socks reply", input: "\x05\xff", wantMessage: `response starts with "\x05\xff"`},
		{name: "smtp banner", input: "220 mail.example ESMTP\r\n", wantMessage: `response starts with "220 mail.example", not an HTTP status line`},
		{name: "status not a number", input: "HTTP/1.1 abc OK\r\n\r\n", wantMessage: `malformed status line "HTTP/1.1 abc OK"`},
		{name: "status two digits", input: "HTTP/1.1 20 OK\r\n\r\n", wantMessage: "malformed status line"},
		{name: "status below 100", input: "HTTP/1.1 099 Odd\r\n\r\n", wantMessage: "malformed status line"},
		{name: "no status", input: "HTTP/1.1\r\n\r\n", wantMessage: "malformed status line"},
		{name: "header without colon", input: "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", wantMessage: `malformed header line "nonsense"`, wantOffset: 17},
		{name: "header name with space", input: "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", wantMessage: "malformed header line", wantOffset: 17},
		{name: "closed in header", input: "HTTP/1.1 200 OK\r\nVia: x\r\n", wantMessage: "connection closed before the header ended", wantOffset: 25},
		{name: "closed in status line", input: "HTTP/1.1 200 O", wantMessage: "connection closed before the header ended", wantOffset: 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readConnectResponse(bufio.NewReader(strings.NewReader(tt.input)))
			var responseErr *connectResponseError
			if !errors.As(err, &responseErr) {
				t.Fatalf("error = %v (%T), want *connectResponseError", err, err)
			}
			if !strings.Contains(responseErr.Message, tt.wantMessage) {
				t.Errorf("Message = %q, want it to contain %q", responseErr.Message, tt.wantMessage)
			}
			if responseErr.Offset != tt.wantOffset {
				t.Errorf("Offset = %d, want %d", responseErr.Offset, tt.wantOffset)
			}
			if responseErr.looksLikeTLS() != tt.wantTLS {
				t.Errorf("looksLikeTLS() = %v, want %v", responseErr.looksLikeTLS(), tt.wantTLS)
			}
		})
	}
}

func TestReadConnectResponseLimit(t *testing.T) {
	statusLine := "HTTP/1.1 200 OK\r\n"
	end := "\r\n"
	// header builds a response of exactly size bytes of status line and
	// header fields, the final blank line included.
	header := func(size int) string {
		filler := size - len(statusLine) - len(end) - len("X: \r\n")
		return statusLine + "X: " + strings.Repeat("a", filler) + "\r\n" + end
	}

	t.Run("at limit", func(t *testing.T) {
		resp, err := readConnectResponse(bufio.NewReader(strings.NewReader(header(maxConnectHeader) + "tunnel")))
		if err != nil {
			t.Fatalf("readConnectResponse of a %d-byte header: %v", maxConnectHeader, err)
		}
		if resp.Status != 200 {
			t.Errorf("Status = %d, want 200", resp.Status)
		}
	})

	t.Run("one byte over", func(t *testing.T) {
		_, err := readConnectResponse(bufio.NewReader(strings.NewReader(header(maxConnectHeader + 1))))
		var responseErr *connectResponseError
		if !errors.As(err, &responseErr) {
			t.Fatalf("error = %v (%T), want *connectResponseError", err, err)
		}
		if want := "header exceeds the 65536-byte limit"; responseErr.Message != want {
			t.Errorf("Message = %q, want %q", responseErr.Message, want)
		}
	})

	t.Run("endless line", func(t *testing.T) {
		endless := io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\nX: "), neverEnding('a'))
		_, err := readConnectResponse(bufio.NewReader(endless))
		var responseErr *connectResponseError
		if !errors.As(err, &responseErr) {
			t.Fatalf("error = %v (%T), want *connectResponseError", err, err)
		}
		if !strings.Contains(responseErr.Message, "65536-byte limit") {
			t.Errorf("Message = %q, want the limit named", responseErr.Message)
		}
	})
}

// neverEnding is a reader that returns its byte forever.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// FuzzReadConnectResponse feeds hostile proxy responses to the parser. It
// must not panic, must return either a response or an error, and must not
// consume more than the header limit plus one buffer.
func FuzzReadConnectResponse(f *testing.F) {
	seeds := []string{
		"HTTP/1.1 200 Connection established\r\n\r\n",
		"HTTP/1.0 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
		"HTTP/1.1 403 Access violation\r\nServer: tinyproxy/1.11.1\r\n\r\n<html>",
		"\x15\x03\x01\x00\x02\x02\x46",
		"HTTP/1.1 200 OK\r\nX: \xff\xfe\r\n\r\n",
		"HTTP/1.1 999 \r\n:\r\n\r\n",
		"HTTP/",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		counter := &countingReader{r: bytes.NewReader(data)}
		resp, err := readConnectResponse(bufio.NewReader(counter))
		if (resp == nil) == (err == nil) {
			t.Fatalf("readConnectResponse(%q) = %v, %v; want exactly one of response and error", data, resp, err)
		}
		if resp != nil && (resp.Status < 100 || resp.Status > 999) {
			t.Fatalf("readConnectResponse(%q) status %d outside 100-999", data, resp.Status)
		}
		if counter.n > maxConnectHeader+4096 {
			t.Fatalf("readConnectResponse consumed %d bytes, more than the %d-byte limit plus one buffer", counter.n, maxConnectHeader)
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
