package tlsscan

import (
	"context"
	"fmt"
	"sync"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
)

// simulate runs clients.Simulate for every selected profile, at most
// workers at a time. Each simulation sends the profile's own ClientHello
// through the prober and, when the server accepts it, completes a
// crypto/tls handshake limited to the profile's versions and suites, then
// applies the profile's certificate and client-certificate rules. The
// verdicts land in Result.Clients in the order of the profiles.
func (s *scanner) simulate(ctx context.Context, addr string, workers int) {
	target := clients.Target{
		Addr:        addr,
		Host:        s.checkedName(),
		Path:        clientAuthPath,
		Timeout:     s.opts.Timeout,
		ExtraRoots:  s.extraRoots,
		JavaCACerts: s.opts.JavaCACerts,
		AIA:         s.aia,
	}
	predictions := make([]*clients.Prediction, len(s.profiles))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				pred := clients.Simulate(ctx, s.prober, target, s.profiles[i])
				if pred.Handshake != nil {
					// The full handshake after an accepted hello is made by
					// certcheck, outside the prober's count.
					s.direct.Add(1)
				}
				predictions[i] = pred
			}
		}()
	}
	for i := range s.profiles {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	for i, p := range s.profiles {
		s.result.Clients = append(s.result.Clients, predictions[i].Verdict(p))
	}
}

// clientFindings reports every identity provider among the simulated
// clients that would fail, with the line it would log. Runtimes such as
// java-8u202 appear in Result.Clients only, because a SCIM endpoint owes
// them nothing.
func clientFindings(r *Result) []report.Finding {
	var out []report.Finding
	for _, v := range r.Clients {
		p, ok := clients.Lookup(v.Client)
		if !ok || p.Kind != clients.KindIdP || v.Connects || v.Class == "" {
			continue
		}
		line := v.LogLine
		if line == "" {
			line = v.Message
		}
		out = append(out, report.Finding{
			ID:       "client.idp_fails",
			Severity: report.SeverityHigh,
			Layer:    v.Layer,
			Title:    fmt.Sprintf("%s would fail: %s", v.Display, line),
			Detail:   fmt.Sprintf("The %s profile (confidence %s) fails at the %s layer with the failure class %s. The other findings name the setting to change.", v.Client, v.Confidence, v.Layer, v.Class),
			Evidence: v.Evidence,
		})
	}
	return out
}
