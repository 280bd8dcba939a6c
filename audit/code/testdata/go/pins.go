// Package pins holds TLS settings for the code audit tests. Each pin has
// its line checked by the test table; everything else is a trap.
package pins

import (
	"crypto/tls"
	"net/http"
)

// A comment naming tls.VersionTLS10 and MinVersion: tls.VersionTLS10 is no pin.

func server() *http.Server {
	return &http.Server{
		TLSConfig: &tls.Config{
			MinVersion: tls.VersionTLS10,
			MaxVersion: tls.VersionTLS11,
		},
	}
}

func client() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
}

func capped() *tls.Config {
	cfg := &tls.Config{}
	cfg.MaxVersion = tls.VersionTLS12
	return cfg
}

func numeric() *tls.Config {
	return &tls.Config{MinVersion: 0x0301}
}

func suites() *tls.Config {
	return &tls.Config{
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA},
	}
}

func dial() (*tls.Conn, error) {
	return tls.Dial("tcp", "127.0.0.1:443", &tls.Config{MaxVersion: tls.VersionTLS11})
}

// unrelated has fields named like tls.Config's, which are no pin.
type unrelated struct {
	MinVersion int
	MaxVersion string
}

func traps() (string, unrelated) {
	msg := "MinVersion: tls.VersionTLS10 is disabled"
	u := unrelated{MinVersion: 1, MaxVersion: "TLSv1"}
	u.MinVersion = 3
	return msg, u
}

func listen() (*http.Server, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS11}
	srv := &http.Server{Addr: "127.0.0.1:8443", TLSConfig: cfg}
	return srv, nil
}
