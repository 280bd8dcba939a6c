package tomcat

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// defaultHostConfigName is the hostName of an SSLHostConfig without one,
// and the default of the Connector's defaultSSLHostConfigName.
const defaultHostConfigName = "_default_"

// hostSettings are the TLS attributes of one SSLHostConfig, from the element
// or, in Tomcat 9 and older, from the Connector's own attributes.
type hostSettings struct {
	hostName string
	line     int
	// legacy is set when the values come from Connector attributes.
	legacy                                                           bool
	protocols, ciphers, cipherSuites, verification, honorCipherOrder *Attr
	// keyTypes are the Certificate types: "RSA", "EC", "DSA", or
	// "UNDEFINED" for a Certificate without type.
	keyTypes []string
}

// connector is one TLS Connector element.
type connector struct {
	el      *Element
	service string
	name    string
	openssl bool
	hosts   []hostSettings
	notes   []string
	// failure is set when Tomcat does not start the connector.
	failure *connectorFailure
}

// connectorFailure is the reason Tomcat does not start a connector, with
// the fix.
type connectorFailure struct {
	directive, note, fix string
}

// auditor holds one Audit call's state.
type auditor struct {
	opts      Options
	file      string
	props     map[string]string
	legacyOK  bool
	runtime   Runtime
	fixer     *Fixer
	aprListen bool
}

// effective returns the Listeners of every TLS connector under root.
func (a *auditor) effective(root *Element) ([]audit.Listener, error) {
	if root.Name != "Server" {
		return nil, fmt.Errorf("%s:%d: root element is <%s>, not <Server>: name Tomcat's conf/server.xml", a.file, root.Line, root.Name)
	}
	for _, l := range root.Children {
		if l.Name == "Listener" {
			if c, ok := l.Attr("className"); ok && strings.HasSuffix(c.Value, ".AprLifecycleListener") {
				a.aprListen = true
			}
		}
	}
	listeners := []audit.Listener{}
	for _, svc := range root.Children {
		if svc.Name != "Service" {
			continue
		}
		serviceName := "Catalina"
		if n, ok := svc.Attr("name"); ok {
			serviceName = n.Value
		}
		for _, el := range svc.Children {
			if el.Name != "Connector" {
				continue
			}
			c, ok := a.connector(el, serviceName)
			if !ok {
				continue
			}
			for _, h := range c.hosts {
				l := a.listener(c, h)
				if c.failure != nil {
					a.applyFailure(&l, c.failure)
				}
				listeners = append(listeners, l)
			}
		}
	}
	return listeners, nil
}

// applyFailure makes l accept no version, traced to the Connector that
// Tomcat does not start, and registers the fix.
func (a *auditor) applyFailure(l *audit.Listener, f *connectorFailure) {
	if slices.Contains(l.Versions.Values, "TLS 1.2") {
		l.SuitesWithTLS12 = l.Suites.Values
	}
	l.Versions = audit.Setting{Values: []string{}, File: a.file, Line: l.Line, Directive: f.directive}
	l.Notes = append(l.Notes, f.note)
	a.fixer.remember(l.Versions, fixContext{replacement: f.fix})
}

// value returns the attribute's value with ${name} replaced, and notes an
// unresolved name on notes.
func (a *auditor) value(attr Attr, notes *[]string) string {
	v, missing := substitute(attr.Value, a.props)
	for _, name := range missing {
		*notes = append(*notes, fmt.Sprintf("%s line %d: ${%s} in %s is not set in catalina.properties or the given system properties, so the audit reads the text as written, as Tomcat does; add %s=VALUE to catalina.properties beside server.xml to audit the real value", a.file, attr.Line, name, attr.Name, name))
	}
	return v
}

// connector reads one Connector element; ok is false when it does not
// serve TLS (SSLEnabled not "true", or an AJP connector).
func (a *auditor) connector(el *Element, service string) (connector, bool) {
	c := connector{el: el, service: service}
	enabled, ok := el.Attr("SSLEnabled")
	if !ok || !strings.EqualFold(a.value(enabled, &c.notes), "true") {
		return c, false
	}
	protocol := "HTTP/1.1"
	if p, ok := el.Attr("protocol"); ok {
		protocol = a.value(p, &c.notes)
	}
	if strings.HasPrefix(protocol, "AJP") || strings.Contains(protocol, ".ajp.") {
		return c, false
	}
	port, address := "8080", "0.0.0.0"
	if p, ok := el.Attr("port"); ok {
		port = a.value(p, &c.notes)
	}
	if p, ok := el.Attr("address"); ok {
		address = a.value(p, &c.notes)
	}
	c.name = fmt.Sprintf("Connector %s:%s (service %s, %s)", address, port, service, protocol)
	if strings.Contains(protocol, "Apr") {
		c.openssl = true
		if !a.legacyOK {
			c.notes = append(c.notes, fmt.Sprintf("%s line %d: Tomcat %s has no APR connector (removed in 10.1), so this connector does not start; use org.apache.coyote.http11.Http11NioProtocol", a.file, el.Line, a.opts.Version))
		}
	}
	if impl, ok := el.Attr("sslImplementationName"); ok {
		v := a.value(impl, &c.notes)
		c.openssl = strings.Contains(strings.ToLower(v), "openssl")
		if c.openssl && !a.legacyOK {
			c.notes = append(c.notes, a.nativeNote(v))
		}
	} else if a.aprListen {
		note := "the Server has an AprLifecycleListener: when a tomcat-native library that Tomcat accepts is installed, Tomcat uses OpenSSL for this connector and the JVM's limits do not apply; the audit assumes JSSE, as without tomcat-native"
		if !a.legacyOK {
			note += fmt.Sprintf(". Tomcat %s needs tomcat-native 1.3.9 or later, so with Debian 12's libtcnative-1 1.2.35 it logs \"An incompatible version [1.2.35] of the Apache Tomcat Native library is installed\" and uses JSSE (measured on Tomcat 10.1.60)", a.opts.Version)
		}
		c.notes = append(c.notes, note)
	}
	if c.openssl {
		c.notes = append(c.notes, "TLS by OpenSSL (tomcat-native or FFM): the JVM's java.security does not limit this connector, OpenSSL 3.0's own defaults (security level 2) do")
	}

	defaultName := defaultHostConfigName
	if d, ok := el.Attr("defaultSSLHostConfigName"); ok {
		defaultName = a.value(d, &c.notes)
	}
	legacy := a.legacyHost(el, &c)
	for _, child := range el.Children {
		if child.Name != "SSLHostConfig" {
			continue
		}
		h := hostSettings{hostName: defaultHostConfigName, line: child.Line}
		if n, ok := child.Attr("hostName"); ok {
			h.hostName = a.value(n, &c.notes)
		}
		h.protocols = attrPtr(child, "protocols")
		h.ciphers = attrPtr(child, "ciphers")
		h.cipherSuites = attrPtr(child, "cipherSuites")
		h.verification = attrPtr(child, "certificateVerification")
		h.honorCipherOrder = attrPtr(child, "honorCipherOrder")
		for _, cert := range child.Children {
			if cert.Name != "Certificate" {
				continue
			}
			kt := "UNDEFINED"
			if t, ok := cert.Attr("type"); ok {
				kt = strings.ToUpper(a.value(t, &c.notes))
			}
			h.keyTypes = append(h.keyTypes, kt)
		}
		if legacy != nil && h.hostName == legacy.hostName {
			c.notes = append(c.notes, fmt.Sprintf("%s line %d: the Connector's TLS attributes and an SSLHostConfig both define %q, which Tomcat rejects as a duplicate; keep only the SSLHostConfig", a.file, child.Line, h.hostName))
			legacy = nil
		}
		c.hosts = append(c.hosts, h)
	}
	if legacy != nil {
		c.hosts = append([]hostSettings{*legacy}, c.hosts...)
	}
	// NOTE: only Tomcat 10.1 was run without the default SSLHostConfig;
	// Tomcat 9 and 10.0 are assumed to start, as before this check.
	if !a.legacyOK && !slices.ContainsFunc(c.hosts, func(h hostSettings) bool { return h.hostName == defaultName }) {
		c.failure = a.missingDefaultHost(el, c, defaultName)
	}
	if len(c.hosts) == 0 {
		c.hosts = []hostSettings{{hostName: defaultHostConfigName, line: el.Line}}
		if c.failure == nil {
			c.notes = append(c.notes, fmt.Sprintf("%s line %d: the Connector has no SSLHostConfig, so Tomcat uses one with every default and the keystore ~/.keystore", a.file, el.Line))
		}
	}
	// The default SSLHostConfig serves clients without SNI, such as scans
	// of an IP address, so it comes first.
	for i, h := range c.hosts {
		if h.hostName == defaultName && i > 0 {
			c.hosts[0], c.hosts[i] = c.hosts[i], c.hosts[0]
		}
	}
	return c, true
}

// missingDefaultHost describes a connector without the SSLHostConfig that
// defaultSSLHostConfigName names, which Tomcat 10.1 does not start: it
// logs SEVERE "Failed to initialize component [Connector[...]]", caused by
// "No SSLHostConfig element was found with the hostName [_default_] to
// match the defaultSSLHostConfigName" (measured with Tomcat 10.1 on
// OpenJDK 17, with no SSLHostConfig and with one of another hostName). The
// fix names an existing SSLHostConfig as the default, or,
// when there is none, is an SSLHostConfig with a Certificate made from the
// Connector's ignored keystore attributes.
func (a *auditor) missingDefaultHost(el *Element, c connector, defaultName string) *connectorFailure {
	f := &connectorFailure{directive: fmt.Sprintf("<Connector> at line %d without an SSLHostConfig named %q", el.Line, defaultName)}
	f.note = fmt.Sprintf("%s line %d: Tomcat %s does not start this connector, so nothing answers TLS on its port: it logs SEVERE \"Failed to initialize component\", caused by \"No SSLHostConfig element was found with the hostName [%s] to match the defaultSSLHostConfigName\"", a.file, el.Line, a.opts.Version, defaultName)
	if len(c.hosts) > 0 {
		f.fix = fmt.Sprintf("defaultSSLHostConfigName=%q on the Connector", c.hosts[0].hostName)
		return f
	}

	// The Tomcat 9 keystore attributes and their Certificate names.
	certificate := ""
	for _, pair := range [][2]string{
		{"keystoreFile", "certificateKeystoreFile"}, {"keystorePass", "certificateKeystorePassword"},
		{"keystoreType", "certificateKeystoreType"}, {"keyAlias", "certificateKeyAlias"},
		{"SSLCertificateFile", "certificateFile"}, {"SSLCertificateKeyFile", "certificateKeyFile"},
	} {
		if attr, ok := el.Attr(pair[0]); ok {
			certificate += fmt.Sprintf(" %s=%q", pair[1], attr.Value)
		}
	}
	if certificate == "" {
		// Tomcat's own default keystore and password.
		certificate = ` certificateKeystoreFile="${user.home}/.keystore" certificateKeystorePassword="changeit"`
	}
	host := `protocols="TLSv1.2+TLSv1.3"`
	if attr, ok := el.Attr("ciphers"); ok {
		host += fmt.Sprintf(" ciphers=%q", attr.Value)
	}
	f.fix = fmt.Sprintf("<SSLHostConfig %s><Certificate%s/></SSLHostConfig> inside the Connector, in place of its keystore and TLS attributes", host, certificate)
	if attr, ok := el.Attr("clientAuth"); ok && !slices.Contains([]string{"false", "no", "none"}, strings.ToLower(attr.Value)) {
		f.note += fmt.Sprintf("; the fix leaves out clientAuth=%q, because Okta and Entra ID send no client certificate: add certificateVerification=\"optional\" and a truststore to the SSLHostConfig for clients that must send one", attr.Value)
	}
	return f
}

// legacyAttrs are the Connector attributes that Tomcat 8.5 and 9 copy to
// the default SSLHostConfig, by SSLHostConfig attribute. The JSSE name comes
// first, the APR name second.
var legacyAttrs = map[string][]string{
	"protocols":               {"sslEnabledProtocols", "SSLProtocol"},
	"ciphers":                 {"ciphers", "SSLCipherSuite"},
	"certificateVerification": {"clientAuth", "SSLVerifyClient"},
	"honorCipherOrder":        {"useServerCipherSuitesOrder", "SSLHonorCipherOrder"},
}

// legacyHost returns the default SSLHostConfig that the Connector's own TLS
// attributes make in Tomcat 9 and older, or nil when there are none. In
// Tomcat 10.1 these attributes no longer exist, so Tomcat logs that it
// failed to set them and ignores them, and c.notes records each one.
func (a *auditor) legacyHost(el *Element, c *connector) *hostSettings {
	h := &hostSettings{hostName: defaultHostConfigName, line: el.Line, legacy: true}
	found := false
	for _, target := range []string{"protocols", "ciphers", "certificateVerification", "honorCipherOrder"} {
		for _, name := range legacyAttrs[target] {
			attr := attrPtr(el, name)
			if attr == nil {
				continue
			}
			found = true
			if !a.legacyOK {
				c.notes = append(c.notes, fmt.Sprintf("%s line %d: Tomcat %s ignores the Connector attribute %s (it logs \"failed to set property\"); move it to <SSLHostConfig %s=...>", a.file, attr.Line, a.opts.Version, name, target))
				continue
			}
			h.set(target, attr)
			break
		}
	}
	for _, name := range []string{"keystoreType", "keyAlias", "keystoreFile", "SSLCertificateFile"} {
		if _, ok := el.Attr(name); ok {
			found = true
		}
	}
	if !found || !a.legacyOK {
		return nil
	}
	h.keyTypes = []string{"UNDEFINED"}
	return h
}

// set stores attr as the SSLHostConfig attribute target.
func (h *hostSettings) set(target string, attr *Attr) {
	switch target {
	case "protocols":
		h.protocols = attr
	case "ciphers":
		h.ciphers = attr
	case "certificateVerification":
		h.verification = attr
	case "honorCipherOrder":
		h.honorCipherOrder = attr
	}
}

func attrPtr(el *Element, name string) *Attr {
	if a, ok := el.Attr(name); ok {
		return &a
	}
	return nil
}

// listener computes the effective settings of one SSLHostConfig.
func (a *auditor) listener(c connector, h hostSettings) audit.Listener {
	l := audit.Listener{
		Software: "tomcat",
		Name:     fmt.Sprintf("%s, SSLHostConfig %s", c.name, h.hostName),
		File:     a.file,
		Line:     c.el.Line,
		Notes:    append([]string(nil), c.notes...),
	}
	if a.opts.Runtime == nil && !c.openssl {
		l.Notes = append(l.Notes, "the JVM's java.security was not audited: the audit assumes the limits of OpenJDK 17.0.21 with its own java.security (TLS 1.0 and 1.1, 3DES, RC4, DES, anon, NULL, static ECDH and TLS_RSA_* suites disabled); audit the java.security with this file to use its limits")
	}

	// Protocol versions as Tomcat reads them.
	protocolsValue := strings.Join(protocolsAll, "+")
	versionSetting := audit.Setting{File: a.file, Directive: a.describeDefault("protocols", "all")}
	if h.protocols != nil {
		protocolsValue = a.value(*h.protocols, &l.Notes)
		versionSetting = audit.Setting{File: a.file, Line: h.protocols.Line, Directive: fmt.Sprintf("%s=%q", h.protocols.Name, h.protocols.Value)}
	}
	protocols, warnings := parseProtocols(protocolsValue)
	if h.legacy {
		// Tomcat 9 joins the legacy list itself, so a missing prefix is
		// no slip there.
		warnings = nil
	}
	for _, w := range warnings {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: %s", versionSetting.Directive, w))
	}
	var known []string
	for _, p := range protocols {
		if contains(jsseProtocols, p) {
			known = append(known, p)
		} else {
			l.Notes = append(l.Notes, fmt.Sprintf("%s: Tomcat skips %q, which is no protocol name JSSE knows (names are case-sensitive: SSLv2Hello, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", versionSetting.Directive, p))
		}
	}

	// Cipher suites as Tomcat reads them.
	ciphersValue := defaultCiphers
	suiteSetting := audit.Setting{File: a.file, Directive: a.describeDefault("ciphers", defaultCiphers)}
	if h.ciphers != nil {
		ciphersValue = a.value(*h.ciphers, &l.Notes)
		suiteSetting = audit.Setting{File: a.file, Line: h.ciphers.Line, Directive: fmt.Sprintf("%s=%q", h.ciphers.Name, h.ciphers.Value)}
	}
	list, err := evaluateCiphers(ciphersValue)
	if err != nil {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: %v; Tomcat's parser may read it differently, so the suites are unknown", suiteSetting.Directive, err))
	}
	for _, w := range list.Warnings {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: %s", suiteSetting.Directive, w))
	}

	// TLS 1.3 suites: the cipherSuites list, then those that ciphers
	// selects, in that order (Tomcat joins both into one list).
	suites13Value := defaultCipherSuites
	suite13Setting := audit.Setting{File: a.file, Directive: a.describeDefault("cipherSuites", defaultCipherSuites)}
	if h.cipherSuites != nil {
		suites13Value = a.value(*h.cipherSuites, &l.Notes)
		suite13Setting = audit.Setting{File: a.file, Line: h.cipherSuites.Line, Directive: fmt.Sprintf("%s=%q", h.cipherSuites.Name, h.cipherSuites.Value)}
	}
	named13, skipped := parseCipherSuites(suites13Value)
	for _, name := range skipped {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: Tomcat ignores %q, which is no TLS 1.3 suite name (case-sensitive, separated by : or ,)", suite13Setting.Directive, name))
	}
	for _, name := range list.Suites13 {
		if !contains(named13, name) {
			named13 = append(named13, name)
		}
	}
	list.Suites13 = named13

	l.ClientCertificate = a.clientCertificate(h, &l.Notes)
	if h.honorCipherOrder != nil && strings.EqualFold(a.value(*h.honorCipherOrder, &l.Notes), "true") {
		l.Notes = append(l.Notes, fmt.Sprintf("%s line %d: %s=\"true\": the server picks the first suite of its list that the client offers", a.file, h.honorCipherOrder.Line, h.honorCipherOrder.Name))
	}

	auth := keyAuthentications(h.keyTypes)
	if len(h.keyTypes) == 0 || contains(h.keyTypes, "UNDEFINED") {
		l.Notes = append(l.Notes, "a Certificate without type=\"RSA\" or type=\"EC\" leaves the key type to the keystore, so the audit lists the suites of RSA, ECDSA and DSA keys; set type to narrow them")
	}

	if c.openssl {
		a.openSSLSettings(&l, known, list, auth, versionSetting, suiteSetting, suite13Setting)
		return l
	}
	a.jsseSettings(&l, known, list, auth, versionSetting, suiteSetting, suite13Setting)
	return l
}

// jsseSettings fills l's versions and suites for a JSSE connector: Tomcat's
// lists, then the JVM's limits, then what the certificate and the suites
// allow per version.
func (a *auditor) jsseSettings(l *audit.Listener, protocols []string, list cipherList, auth []string, versionSetting, suiteSetting, suite13Setting audit.Setting) {
	if len(protocols) == 0 {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: no protocol JSSE knows remains, so Tomcat does not start this connector (\"None of the [protocols] specified are supported\")", versionSetting.Directive))
		l.Versions, l.Suites = versionSetting, suiteSetting
		return
	}
	requested := sortVersions(protocols)
	allowed, limit := a.runtime.ServerVersions(requested)
	suites, _ := a.runtime.ServerSuites(list.Suites)
	suites13, _ := a.runtime.ServerSuites(list.Suites13)
	if len(suites)+len(suites13) == 0 {
		l.Notes = append(l.Notes, fmt.Sprintf("%s: the JVM supports none of the suites it selects, so Tomcat does not start this connector (\"None of the [ciphers] specified are supported\")", suiteSetting.Directive))
		l.Versions, l.Suites = versionSetting, suiteSetting
		return
	}
	suites = filterAuth(suites, auth)

	var removed []string
	for _, v := range requested {
		if !contains(allowed, v) {
			removed = append(removed, v)
		}
	}
	final, suitesUsed := usableVersions(allowed, suites, suites13)
	for _, v := range allowed {
		if !contains(final, v) {
			l.Notes = append(l.Notes, fmt.Sprintf("%s is enabled but no enabled cipher suite fits it and the certificate (%s), so JSSE never negotiates it", v, suiteSetting.Directive))
		}
	}

	l.Versions = versionSetting
	if len(removed) > 0 {
		jvmBlocksModern := contains(removed, "TLS 1.2") || contains(removed, "TLS 1.3")
		if jvmBlocksModern {
			// The JVM, not the connector, removes the versions an IdP needs.
			where := a.file
			if versionSetting.Line > 0 {
				where = fmt.Sprintf("%s line %d", a.file, versionSetting.Line)
			}
			l.Versions = audit.Setting{File: limit.File, Line: limit.Line,
				Directive: fmt.Sprintf("%s, which removes %s that %s (%s) enables", limit.Directive, strings.Join(removed, ", "), versionSetting.Directive, where)}
		} else {
			l.Versions.Directive = fmt.Sprintf("%s; the JVM removes %s (%s)", versionSetting.Directive, strings.Join(removed, ", "), limit.Directive)
		}
		a.fixer.remember(l.Versions, fixContext{attribute: attributeOf(versionSetting)})
	}
	if contains(allowed, "TLS 1.2") && !contains(final, "TLS 1.2") {
		// TLS 1.2 is enabled, but the ciphers leave it no suite: the
		// ciphers attribute is the line to change.
		l.Versions = audit.Setting{File: suiteSetting.File, Line: suiteSetting.Line,
			Directive: fmt.Sprintf("%s, which leaves TLS 1.2 no suite for this certificate", suiteSetting.Directive)}
		a.fixer.remember(l.Versions, fixContext{attribute: attributeOf(suiteSetting)})
	}
	l.Versions.Values = final
	if len(final) == 0 {
		l.Versions.Values = []string{}
	}
	l.Suites = suiteSetting
	l.Suites.Values = suitesUsed
	if !contains(final, "TLS 1.2") {
		l.SuitesWithTLS12 = suitesForTLS12(suites)
	}
	if contains(final, "TLS 1.3") {
		l.Suites13 = suite13Setting
		l.Suites13.Values = suites13
	}
}

func (a *auditor) describeDefault(attribute, value string) string {
	return fmt.Sprintf("default of Tomcat %s (%s absent: %s)", a.opts.Version, attribute, value)
}
