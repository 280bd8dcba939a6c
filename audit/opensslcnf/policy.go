package opensslcnf

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Command is one SSL_CONF command of the system_default section, such as
// "MinProtocol = TLSv1.2".
type Command struct {
	// Name is the command without any "prefix." (OpenSSL ignores what
	// precedes the first dot), in the case written.
	Name  string
	Value string
	File  string
	Line  int
	// Text is the line as written.
	Text string
}

// Setting returns the audit.Setting for values that this command decided.
func (c *Command) Setting(values []string) audit.Setting {
	return audit.Setting{Values: values, File: c.File, Line: c.Line, Directive: c.Text}
}

// Policy is the system_default SSL configuration of an openssl.cnf: the
// commands that OpenSSL applies to every SSL_CTX it creates, before the
// program sets its own.
type Policy struct {
	// Path is the audited file.
	Path string
	// Chain describes how the file reaches the section, such as
	// "openssl_conf = openssl_init -> ssl_conf = ssl_sect ->
	// system_default = system_default_sect", or why it does not.
	Chain string
	// Section is the system_default section, nil when the file sets none.
	Section *Section
	// The commands that decide versions and suites; nil when not set.
	// The last of a repeated command wins, as in OpenSSL.
	MinProtocol, MaxProtocol, Protocol   *Command
	CipherString, Ciphersuites           *Command
	Options, Groups, SignatureAlgorithms *Command
	VerifyMode                           *Command
	// Commands lists every command of the section in file order.
	Commands []Command
	// Notes are facts found while reading the chain, such as an unknown
	// command that OpenSSL skips.
	Notes []string
}

// knownCommands are the SSL_CONF_cmd(3) names a configuration file may use
// in OpenSSL 3.0 for a server, by lower-case name.
var knownCommands = map[string]string{
	"sigalgs": "SignatureAlgorithms", "signaturealgorithms": "SignatureAlgorithms",
	"clientsignaturealgorithms": "ClientSignatureAlgorithms",
	"curves":                    "Groups", "groups": "Groups",
	"ecdhparameters": "ECDHParameters", "cipherstring": "CipherString",
	"ciphersuites": "Ciphersuites", "protocol": "Protocol",
	"minprotocol": "MinProtocol", "maxprotocol": "MaxProtocol",
	"options": "Options", "verifymode": "VerifyMode",
	"certificate": "Certificate", "privatekey": "PrivateKey",
	"serverinfofile": "ServerInfoFile", "chaincapath": "ChainCAPath",
	"chaincafile": "ChainCAFile", "verifycapath": "VerifyCAPath",
	"verifycafile": "VerifyCAFile", "requestcafile": "RequestCAFile",
	"clientcafile": "ClientCAFile", "requestcapath": "RequestCAPath",
	"clientcapath": "ClientCAPath", "dhparameters": "DHParameters",
	"recordpadding": "RecordPadding", "numtickets": "NumTickets",
	"verifycastore": "VerifyCAStore", "chaincastore": "ChainCAStore",
	"requestcastore": "RequestCAStore", "clientcastore": "ClientCAStore",
}

// SystemDefault reads the openssl.cnf at path and returns its
// system_default SSL configuration. A file without the chain returns a
// Policy with a nil Section and Chain saying where the chain stops, which
// means every OpenSSL-linked program keeps the library's built-in
// defaults. Errors are those of Parse, and a chain that names a missing
// section.
func SystemDefault(path string) (*Policy, error) {
	cfg, err := Parse(path)
	if err != nil {
		return nil, err
	}
	return PolicyOf(cfg)
}

// PolicyOf follows cfg's chain openssl_conf -> ssl_conf -> system_default
// and returns the commands it finds.
func PolicyOf(cfg *Config) (*Policy, error) {
	p := &Policy{Path: cfg.Path}
	init, ok := cfg.Section(DefaultSection).Get("openssl_conf")
	if !ok {
		p.Chain = "no openssl_conf in the default section, so OpenSSL applies no library configuration"
		return p, nil
	}
	initSection := cfg.Section(init.Value)
	if initSection == nil {
		return nil, &ParseError{File: init.File, Line: init.Line, Reason: fmt.Sprintf("openssl_conf names the section [%s], which does not exist; OpenSSL then fails to load its configuration, so add the section or fix the name", init.Value)}
	}
	steps := []string{"openssl_conf = " + init.Value}
	sslConf, ok := moduleValue(initSection, "ssl_conf")
	if !ok {
		p.Chain = strings.Join(steps, " -> ") + fmt.Sprintf(", and [%s] has no ssl_conf, so OpenSSL applies no system-wide TLS settings", init.Value)
		return p, nil
	}
	steps = append(steps, "ssl_conf = "+sslConf.Value)
	sslSection := cfg.Section(sslConf.Value)
	if sslSection == nil {
		return nil, &ParseError{File: sslConf.File, Line: sslConf.Line, Reason: fmt.Sprintf("ssl_conf names the section [%s], which does not exist; OpenSSL reports an error loading the ssl module (fatal with config_diagnostics = 1), so add the section or fix the name", sslConf.Value)}
	}
	sys, ok := sslSection.Get("system_default")
	if !ok {
		p.Chain = strings.Join(steps, " -> ") + fmt.Sprintf(", and [%s] has no system_default, so OpenSSL applies no system-wide TLS settings", sslConf.Value)
		return p, nil
	}
	steps = append(steps, "system_default = "+sys.Value)
	p.Chain = strings.Join(steps, " -> ")
	p.Section = cfg.Section(sys.Value)
	if p.Section == nil {
		return nil, &ParseError{File: sys.File, Line: sys.Line, Reason: fmt.Sprintf("system_default names the section [%s], which does not exist; OpenSSL reports an error loading the ssl module (fatal with config_diagnostics = 1), so add the section or fix the name", sys.Value)}
	}

	for _, v := range p.Section.Values {
		name := v.Name
		if i := strings.IndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		if _, known := knownCommands[strings.ToLower(name)]; !known {
			p.Notes = append(p.Notes, fmt.Sprintf("%s:%d: %q is not an SSL_CONF command; OpenSSL skips it and applies the other commands", v.File, v.Line, v.Name))
			continue
		}
		p.Commands = append(p.Commands, Command{Name: name, Value: v.Value, File: v.File, Line: v.Line, Text: v.Text})
	}
	for i := range p.Commands {
		c := &p.Commands[i]
		switch knownCommands[strings.ToLower(c.Name)] {
		case "MinProtocol":
			// A DTLS bound applies to DTLS contexts only.
			if !strings.HasPrefix(c.Value, "DTLS") {
				p.MinProtocol = c
			}
		case "MaxProtocol":
			if !strings.HasPrefix(c.Value, "DTLS") {
				p.MaxProtocol = c
			}
		case "Protocol":
			p.Protocol = c
		case "CipherString":
			p.CipherString = c
		case "Ciphersuites":
			p.Ciphersuites = c
		case "Options":
			p.Options = c
		case "Groups":
			p.Groups = c
		case "SignatureAlgorithms":
			p.SignatureAlgorithms = c
		case "VerifyMode":
			p.VerifyMode = c
		}
	}
	return p, nil
}

// moduleValue returns the value of module in an initialization section.
// OpenSSL takes the module name up to the first dot, so "ssl_conf.1 = x"
// also names the ssl module.
func moduleValue(s *Section, module string) (Value, bool) {
	for i := len(s.Values) - 1; i >= 0; i-- {
		name, _, _ := strings.Cut(s.Values[i].Name, ".")
		if name == module {
			return s.Values[i], true
		}
	}
	return Value{}, false
}

// SectionName returns the name of the system_default section, or "" when
// the file has none.
func (p *Policy) SectionName() string {
	if p.Section == nil {
		return ""
	}
	return p.Section.Name
}
