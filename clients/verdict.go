package clients

import (
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Verdict turns the prediction for profile p into the report's form. A
// client that connects logs nothing, so its LogLine and Message are empty
// (the profile's "ok" text describes the success, it is not a line the
// client prints), and a malformed server response has no predicted line either.
func (pr *Prediction) Verdict(p *Profile) report.Verdict {
	v := report.Verdict{
		Client:         p.Name,
		Display:        p.Display,
		Connects:       pr.Connects,
		Confidence:     pr.Confidence,
		Class:          pr.Class,
		Layer:          pr.Layer,
		LogLine:        pr.LogLine(),
		Message:        pr.Message,
		Source:         p.Source,
		SentSNI:        pr.SentSNI,
		Evidence:       pr.Evidence,
		ClientVersions: VersionNames(p.Versions()),
		Alert:          pr.Alert,
	}
	if pr.Connects {
		v.LogLine, v.Message = "", ""
	}
	if pr.Class == ClassMalformed {
		v.LogLine = ""
	}
	if pr.Version != 0 {
		v.Version = pr.Version.String()
	}
	if pr.CipherSuite != 0 {
		v.Suite = registry.SuiteName(pr.CipherSuite)
	}
	return v
}

// VersionNames returns the names of vs, such as "TLS 1.2", in order.
func VersionNames(vs []tlsprobe.Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
