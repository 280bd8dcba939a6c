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
// TLS 1.3 suites included, in the order given. It keeps the suites of a
// version that jdk.tls.disabledAlgorithms disables, because the JVM still
// lists them as supported: with TLSv1.3 disabled, Tomcat 10.1.60 on
// OpenJDK 17.0.21 starts a connector whose only suites are TLS 1.3 suites.
func (r javaRuntime) ServerSuites(requested []string) ([]string, audit.Setting) {
	suites, suites13, by := r.policy.ServerSuites(requested, r.implementedVersions())
	if len(requested) == 0 {
		return nil, by
	}
	return keep(requested, append(slices.Clone(suites), suites13...)), by
}

// implementedVersions returns the versions the JVM's JSSE implements,
// disabled or not. The JDK lines "7" and "8" (7u80 and 8u202, as audit/java
// models them) have no TLS 1.3, so they implement none of its suites.
func (r javaRuntime) implementedVersions() []string {
	switch r.policy.JDK() {
	case "7", "8":
		return []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}
	}
	return allVersions
}
