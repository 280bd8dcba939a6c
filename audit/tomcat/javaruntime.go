package tomcat

import (
	"slices"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/java"
)

// allVersions are the versions a JVM policy is asked about when only its
// suites matter.
var allVersions = []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// javaRuntime is the Runtime of an audited JVM: its java.security files and
// flags, as audit/java reads them.
type javaRuntime struct {
	policy *java.Policy
}

// JavaRuntime returns the Runtime that applies p, the policy of the JVM
// that runs Tomcat, to each connector's versions and suites.
func JavaRuntime(p *java.Policy) Runtime {
	return javaRuntime{policy: p}
}

// ServerVersions keeps the requested versions the JVM allows, in the
// order given.
func (r javaRuntime) ServerVersions(requested []string) ([]string, audit.Setting) {
	if len(requested) == 0 {
		_, by := r.policy.ServerVersions(allVersions)
		return nil, by
	}
	allowed, by := r.policy.ServerVersions(requested)
	return keep(requested, allowed), by
}

// ServerSuites keeps the requested suites the JVM implements and allows,
// TLS 1.3 suites included, in the order given.
func (r javaRuntime) ServerSuites(requested []string) ([]string, audit.Setting) {
	suites, suites13, by := r.policy.ServerSuites(requested, allVersions)
	if len(requested) == 0 {
		return nil, by
	}
	return keep(requested, append(slices.Clone(suites), suites13...)), by
}
