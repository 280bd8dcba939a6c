package clients

import (
	"net"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// alertsByName maps the RFC name of every registered alert, such as
// "protocol_version", to its number.
var alertsByName = func() map[string]tlsprobe.AlertDescription {
	m := make(map[string]tlsprobe.AlertDescription)
	for i := range 256 {
		a := tlsprobe.AlertDescription(i)
		m[a.String()] = a
	}
	return m
}()

// ErrorText renders the profile's text for key, a class (ClassDNSFailure
// and the others) or a variant (such as "alert_70" or "http_unauthorized"),
// for failures found outside Simulate, such as a failed DNS look-up.
//
// values fills placeholders by name without braces: "host", "port",
// "addr" (ip:port), "ip", "url", "status", "alert" (the RFC name, from
// which the other alert placeholders follow), "version" (such as
// "TLS 1.0") and the other names of messages.go. "address" is read as "ip".
// A placeholder without a value renders empty. A variant the profile lacks
// falls back as in Simulate, and finally to the class its name starts with.
// A key with no text at all returns two empty strings.
func (p *Profile) ErrorText(key string, values map[string]string) (exception, message string) {
	text, ok := p.textFor(key)
	if !ok {
		return "", ""
	}
	return text.Exception, p.render(text.Message, valuesFromMap(values))
}

// textFor returns the text for key, following variantFallback, then
// alert_N to alert, then the longest class that key starts with.
func (p *Profile) textFor(key string) (ErrorText, bool) {
	for k := key; k != ""; k = variantFallback[k] {
		if text, ok := p.Errors[k]; ok {
			return text, true
		}
	}
	best := ""
	for _, class := range Classes {
		if strings.HasPrefix(key, class+"_") && len(class) > len(best) {
			best = class
		}
	}
	if strings.HasPrefix(key, variantAlertPrefix) {
		best = ClassAlert
	}
	if best == "" {
		return ErrorText{}, false
	}
	text, ok := p.Errors[best]
	return text, ok
}

// valuesFromMap converts placeholder values given as strings.
func valuesFromMap(values map[string]string) messageValues {
	v := messageValues{
		url:       values["url"],
		host:      values["host"],
		port:      values["port"],
		addr:      values["addr"],
		ip:        values["ip"],
		keyType:   values["key_type"],
		subject:   values["subject"],
		certNames: strings.Split(values["cert_names"], ", "),
	}
	if v.ip == "" {
		v.ip = values["address"]
	}
	if v.addr == "" && v.ip != "" && v.port != "" {
		v.addr = net.JoinHostPort(v.ip, v.port)
	}
	if values["cert_names"] == "" {
		v.certNames = nil
	}
	if a, ok := alertsByName[values["alert"]]; ok {
		v.alert = &a
	}
	if version, err := tlsprobe.ParseVersion(values["version"]); err == nil {
		v.version = version
	}
	v.status, _ = strconv.Atoi(values["status"])
	v.keyBits, _ = strconv.Atoi(values["key_bits"])
	return v
}

// JoinLogLine joins exception and message into the line the client prints,
// by the profile's log_line template. Without an exception the line is the
// message alone.
func (p *Profile) JoinLogLine(exception, message string) string {
	if exception == "" || p.LogLine == "" {
		return message
	}
	return strings.NewReplacer("{exception}", exception, "{message}", message).Replace(p.LogLine)
}
