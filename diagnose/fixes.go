package diagnose

// Problem is a cause that has one fix per server product.
type Problem string

const (
	// ProblemNoTLS12 is a server that offers only versions older than TLS 1.2.
	ProblemNoTLS12 Problem = "no_tls12"
	// ProblemTLS13Only is a server that offers TLS 1.3 and nothing older, so
	// a client limited to TLS 1.2 (Entra ID) finds no common version.
	ProblemTLS13Only Problem = "tls13_only"
	// ProblemNoSharedSuite is a server whose cipher suites, groups or
	// signature algorithms share nothing with the client's.
	ProblemNoSharedSuite Problem = "no_shared_suite"
	// ProblemClientCertRequired is a server that requires a client
	// certificate, which IdP provisioning clients never send.
	ProblemClientCertRequired Problem = "client_cert_required"
	// ProblemPlainHTTP is a port that speaks plain HTTP where TLS is expected.
	ProblemPlainHTTP Problem = "plain_http"
	// The certificate problems below have one list of steps each, shared
	// by every product, in certificateFixes.
	ProblemIncompleteChain Problem = "incomplete_chain"
	ProblemUntrusted       Problem = "untrusted"
	ProblemExpired         Problem = "expired"
	ProblemHostname        Problem = "hostname_mismatch"
	ProblemWeakKey         Problem = "weak_key"
)

// fixes holds, per problem, the steps for each product. SoftwareUnknown
// holds the steps for when no product could be named.
var fixes = map[Problem]map[Software][]string{
	ProblemNoTLS12: {
		SoftwareNginx: {
			"In the server block for this host, and in the http block if it sets one, write:\n  ssl_protocols TLSv1.2 TLSv1.3;",
			"Remove any \"@SECLEVEL=0\" from ssl_ciphers that was only there to keep TLS 1.0 working on OpenSSL 3.",
			"Check and reload: nginx -t && nginx -s reload",
		},
		SoftwareApache: {
			"In the VirtualHost for this host and in ssl.conf, write:\n  SSLProtocol -all +TLSv1.2 +TLSv1.3",
			"Check and reload: apachectl configtest && apachectl graceful",
		},
		SoftwareTomcat: {
			"In server.xml, on the HTTPS Connector's SSLHostConfig (Tomcat 8.5 and later), set:\n  protocols=\"TLSv1.2+TLSv1.3\"\nOn older Connectors set sslEnabledProtocols=\"TLSv1.2,TLSv1.3\".",
			"Make sure the JVM allows TLS 1.2: jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security (jre/lib/security on Java 8) must not list TLSv1.2, and a Java 7 runtime needs an upgrade.",
			"Restart Tomcat.",
		},
		SoftwareIIS: {
			"Enable TLS 1.2 for SCHANNEL's server side (a .reg file, then reboot):\n  [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server]\n  \"Enabled\"=dword:00000001\n  \"DisabledByDefault\"=dword:00000000",
			"For .NET Framework applications, set SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1 under HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319 and HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319.",
		},
		SoftwareHAProxy: {
			"On the bind line that serves this port, or in the global section for every bind:\n  bind :443 ssl crt /etc/haproxy/site.pem ssl-min-ver TLSv1.2\n  ssl-default-bind-options ssl-min-ver TLSv1.2",
			"Remove force-tlsv10, force-tlsv11, no-tlsv12 and any ssl-max-ver below TLSv1.2.",
			"Check and reload: haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl reload haproxy",
		},
		SoftwareJava: {
			"Allow TLS 1.2 in the server's JVM: start it with -Djdk.tls.server.protocols=TLSv1.2,TLSv1.3 and make sure jdk.tls.disabledAlgorithms in java.security does not list TLSv1.2.",
			"Look for code that pins SSLContext.getInstance(\"TLSv1\") or setEnabledProtocols with TLSv1 only, and remove the pin.",
		},
		SoftwareDotNet: {
			"In Kestrel, set the HTTPS defaults to SslProtocols.Tls12 | SslProtocols.Tls13 (ConfigureHttpsDefaults), or remove a pin to Tls/Tls11.",
			"On Linux, check MinProtocol in the [system_default_sect] of openssl.cnf; on Windows, the SCHANNEL registry keys for TLS 1.2.",
		},
		SoftwareUnknown: {
			"Find the box that terminates TLS for this address: the web server, a load balancer, WAF, API gateway or TLS-inspection proxy in front of it, and enable TLS 1.2 there.",
			"The setting by product: nginx ssl_protocols TLSv1.2 TLSv1.3; Apache SSLProtocol -all +TLSv1.2 +TLSv1.3; Tomcat protocols=\"TLSv1.2+TLSv1.3\"; HAProxy ssl-min-ver TLSv1.2; IIS the SCHANNEL \"TLS 1.2\\Server\" registry key; Java jdk.tls.disabledAlgorithms; RHEL update-crypto-policies --set DEFAULT; OpenSSL MinProtocol in openssl.cnf; a cloud load balancer its TLS or SSL policy.",
		},
	},
	ProblemTLS13Only: {
		SoftwareNginx:   {"Add TLS 1.2 next to TLS 1.3:\n  ssl_protocols TLSv1.2 TLSv1.3;", "Check and reload: nginx -t && nginx -s reload"},
		SoftwareApache:  {"Add TLS 1.2 next to TLS 1.3:\n  SSLProtocol -all +TLSv1.2 +TLSv1.3", "Check and reload: apachectl configtest && apachectl graceful"},
		SoftwareTomcat:  {"Set protocols=\"TLSv1.2+TLSv1.3\" on the SSLHostConfig and restart Tomcat."},
		SoftwareIIS:     {"Enable the SCHANNEL \"TLS 1.2\\Server\" registry key (Enabled=1, DisabledByDefault=0) and reboot."},
		SoftwareHAProxy: {"Lower the floor to TLS 1.2 on the bind line:\n  ssl-min-ver TLSv1.2", "Check and reload: haproxy -c -f /etc/haproxy/haproxy.cfg"},
		SoftwareJava:    {"Start the JVM with -Djdk.tls.server.protocols=TLSv1.2,TLSv1.3."},
		SoftwareDotNet:  {"Allow SslProtocols.Tls12 next to Tls13 in the HTTPS settings."},
		SoftwareUnknown: {"Microsoft Entra ID speaks only TLS 1.2: enable TLS 1.2 next to TLS 1.3 on the box that terminates TLS for this address (web server, load balancer, WAF or gateway)."},
	},
	ProblemNoSharedSuite: {
		SoftwareNginx:   {"Offer the ECDHE AES-GCM suites that Java and Entra ID use:\n  ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384;", "Check and reload: nginx -t && nginx -s reload"},
		SoftwareApache:  {"Offer the ECDHE AES-GCM suites:\n  SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384", "Check and reload: apachectl configtest && apachectl graceful"},
		SoftwareTomcat:  {"Set ciphers on the SSLHostConfig to include TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ECDSA forms for an EC key), or remove the ciphers attribute to use the JVM's defaults.", "Check that jdk.tls.disabledAlgorithms does not disable the ECDHE groups or AES-GCM, and that a FIPS provider allows them."},
		SoftwareIIS:     {"Add TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (and the ECDSA forms for an EC key) to the SSL Cipher Suite Order group policy or with Enable-TlsCipherSuite, then reboot."},
		SoftwareHAProxy: {"Offer the ECDHE AES-GCM suites on the bind line or globally:\n  ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"},
		SoftwareJava:    {"Remove the cipher-suite restriction in the server's SSL settings, or add TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384."},
		SoftwareDotNet:  {"Allow the ECDHE AES-GCM suites in the CipherSuitesPolicy, or remove the policy to use the OS defaults."},
		SoftwareUnknown: {"Offer at least one suite both sides share on the box that terminates TLS: for Java and Entra ID that is TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ECDSA forms for an EC key). 3DES, RC4 and static-RSA-only lists fail with modern Java; a FIPS-only list also needs the NIST curves P-256 or P-384."},
	},
	ProblemClientCertRequired: {
		SoftwareNginx:   {"Do not require a client certificate on the SCIM path: in the server block set\n  ssl_verify_client optional;\n(or off), and if other paths need it, check $ssl_client_verify in those locations instead.", "Check and reload: nginx -t && nginx -s reload"},
		SoftwareApache:  {"Set SSLVerifyClient none for the VirtualHost, and require a certificate only in the <Location> blocks that need it."},
		SoftwareTomcat:  {"Set certificateVerification=\"none\" (or \"optional\") on the SSLHostConfig (clientAuth=\"false\" on older Connectors)."},
		SoftwareIIS:     {"In IIS Manager, SSL Settings of the SCIM site or application: set Client certificates to Ignore."},
		SoftwareHAProxy: {"Remove verify required from the bind line (verify none, or verify optional with a rule for other paths)."},
		SoftwareJava:    {"Turn off needClientAuth (server.ssl.client-auth=none in Spring Boot) on the connector that serves SCIM."},
		SoftwareDotNet:  {"Set ClientCertificateMode to NoCertificate (or AllowCertificate) in Kestrel's HTTPS settings."},
		SoftwareUnknown: {"Okta and Entra ID authenticate with a bearer token, basic or OAuth header, never with a TLS client certificate: stop requiring one on the box that terminates TLS for the SCIM path (web server, load balancer, WAF or API gateway)."},
	},
	ProblemPlainHTTP: {
		SoftwareNginx:   {"Make the listener speak TLS:\n  listen 443 ssl;\n  ssl_certificate /etc/ssl/scim.example/fullchain.pem;\n  ssl_certificate_key /etc/ssl/scim.example/privkey.pem;", "Or correct the port in the SCIM base URL if TLS is served on another port."},
		SoftwareApache:  {"Add SSLEngine on with SSLCertificateFile and SSLCertificateKeyFile to the VirtualHost for this port, or correct the port in the SCIM base URL."},
		SoftwareTomcat:  {"Serve SCIM on the HTTPS Connector (SSLEnabled=\"true\"), or correct the port in the SCIM base URL."},
		SoftwareIIS:     {"Add an https binding with a certificate for this port (netsh http show sslcert lists them), or correct the port in the SCIM base URL."},
		SoftwareHAProxy: {"Add ssl crt to the bind line of this port, or correct the port in the SCIM base URL."},
		SoftwareUnknown: {"The port answers in plain HTTP: enable TLS on this listener, or correct the port in the SCIM base URL (IdPs require https)."},
	},
}

// certificateFixes holds the steps for certificate problems. One list names
// the directive of each common product, because the fix is the same in
// spirit everywhere: install a different certificate or chain.
var certificateFixes = map[Problem][]string{
	ProblemIncompleteChain: {
		"Serve the intermediate certificates with the leaf: Java and Okta do not fetch missing intermediates.",
		"nginx: ssl_certificate must point at the full chain (leaf first, then intermediates); Apache 2.4.8+: the same file in SSLCertificateFile; HAProxy: append the intermediates to the crt PEM; IIS: import the intermediates into the Intermediate Certification Authorities store.",
	},
	ProblemUntrusted: {
		"Use a certificate from a public CA that Java's cacerts and Microsoft's root program trust: Okta's and Entra's cloud clients cannot be given a private CA.",
		"Only for the Okta Provisioning Agent on your own host: import the private CA into the agent's JRE trust store with keytool -importcert -cacerts.",
	},
	ProblemExpired: {
		"Renew the certificate and install the new one on the box that terminates TLS, then reload it.",
		"Check that automatic renewal (ACME, the load balancer's certificate manager) reaches this box.",
	},
	ProblemHostname: {
		"Issue a certificate whose subject alternative names include the host name in the SCIM base URL: clients check SAN entries only, not the common name.",
		"Or change the SCIM base URL to a name the certificate lists.",
	},
	ProblemWeakKey: {
		"Issue a certificate with an RSA key of at least 2048 bits or an EC key on P-256 or larger: Entra ID rejects smaller keys.",
	},
}

// FixFor returns the steps for a problem on the given product, falling back
// to the generic steps.
func FixFor(p Problem, s Software) []string {
	if steps, ok := certificateFixes[p]; ok {
		return steps
	}
	byProduct := fixes[p]
	if steps, ok := byProduct[s]; ok {
		return steps
	}
	return byProduct[SoftwareUnknown]
}
