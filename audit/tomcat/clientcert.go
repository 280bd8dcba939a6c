package tomcat

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// clientCertificate maps certificateVerification (or clientAuth and
// SSLVerifyClient) as Tomcat 10.1.60 does, in any case. The values
// required, require, true and yes require a certificate. The values
// optional, want and optionalNoCA request one, and none, false and no
// request none. Any other value ends up requiring one.
func (a *auditor) clientCertificate(h hostSettings, notes *[]string) audit.Setting {
	if h.verification == nil {
		return audit.Setting{Values: []string{"off"}, File: a.file, Directive: a.describeDefault("certificateVerification", "none")}
	}
	s := audit.Setting{File: a.file, Line: h.verification.Line, Directive: fmt.Sprintf("%s=%q", h.verification.Name, h.verification.Value)}
	switch strings.ToLower(a.value(*h.verification, notes)) {
	case "required", "require", "true", "yes":
		s.Values = []string{"required"}
	case "optional", "want", "optionalnoca":
		s.Values = []string{"optional"}
	case "none", "false", "no":
		s.Values = []string{"off"}
	default:
		// The setter throws IllegalArgumentException, yet the connector
		// starts and rejects clients without a certificate (measured with
		// Tomcat 10.1.60 on OpenJDK 17.0.21).
		*notes = append(*notes, fmt.Sprintf("%s line %d: Tomcat rejects the value of %s and then requires a client certificate; use required, optional, optionalNoCA or none", a.file, h.verification.Line, s.Directive))
		s.Values = []string{"required"}
	}
	return s
}
