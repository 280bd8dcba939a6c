package check

import (
	"context"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/lab"
)

// BenchmarkCheck measures one full check (okta and entra) of a lab endpoint
// and reports the TCP connections it opened.
func BenchmarkCheck(b *testing.B) {
	for _, name := range []string{"good", "tls10-only", "client-cert-required"} {
		b.Run(name, func(b *testing.B) {
			l, err := lab.Start(context.Background(), name)
			if err != nil {
				b.Fatalf("lab.Start failed: %v", err)
			}
			defer l.Close()
			e, _ := l.Endpoint(name)
			var connections int64
			b.ResetTimer()
			for b.Loop() {
				r, err := Run(context.Background(), Options{URL: e.URL, Timeout: 5 * time.Second, CACertFiles: []string{l.CAFile}})
				if err != nil {
					b.Fatalf("Run failed: %v", err)
				}
				connections += r.Connections
			}
			b.ReportMetric(float64(connections)/float64(b.N), "conns/op")
		})
	}
}
