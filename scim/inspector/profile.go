package inspector

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// profileExtensions are the extension names a client profile accepts in
// extension_order and extensions_not_sent (the clients package's list).
var profileExtensions = map[uint16]string{
	0: "server_name", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
	13: "signature_algorithms", 16: "application_layer_protocol_negotiation",
	17: "status_request_v2", 18: "signed_certificate_timestamp", 21: "padding",
	22: "encrypt_then_mac", 23: "extended_master_secret", 27: "compress_certificate",
	28: "record_size_limit", 35: "session_ticket", 43: "supported_versions",
	45: "psk_key_exchange_modes", 49: "post_handshake_auth", 50: "signature_algorithms_cert",
	51: "key_share", 65281: "renegotiation_info",
}

// flagExtensionTypes are the extensions a profile can ask the probe to
// send as flags (HelloSpec.Extensions); the other listed extensions follow
// from the hello's lists.
var flagExtensionTypes = []uint16{5, 11, 18, 21, 22, 23, 35, 45, 49, 65281}

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ProfileFromHandshake returns a client profile file made from the hello
// of a recorded handshake, as ProfileFromHello does. Its source names the
// time and the client address of the recording.
func ProfileFromHandshake(h Handshake, name string) ([]byte, error) {
	if h.Hello == nil {
		return nil, fmt.Errorf("handshake %d from %s has no parsed ClientHello (%s); pick a handshake with one", h.ID, h.RemoteAddr, h.Outcome)
	}
	return profileFile(h.Hello, name, h.Time, h.RemoteAddr)
}

// ProfileFromHello returns a client profile file, in the JSON format of
// the clients package's built-in profiles, that sends the recorded hello:
// its versions, suites in order, groups, key shares, signature algorithms,
// ALPN, extensions and their order, with confidence "measured". Save it as
// NAME.json and load it with clients.LoadFile (scimdoctor check
// --client-file NAME.json).
//
// A hello shows what a client sends, not what it checks afterwards or the
// lines it logs. The policy, the log line format and the error texts come
// from the built-in profile whose hello is closest (guessBase), and the
// note names it. Values the probe cannot send (GREASE, unknown suites
// or groups, extensions outside the profile format) are left out and
// listed in the note.
func ProfileFromHello(h *ClientHello, name string) ([]byte, error) {
	return profileFile(h, name, time.Now(), "")
}

// CheckProfileName returns an error when name cannot name a saved profile:
// it must be 1 to 64 lowercase letters, digits, dots, dashes or
// underscores and differ from the built-in profiles. Call it when the
// --save-profile flag is parsed, before any client connects.
func CheckProfileName(name string) error {
	if !profileName.MatchString(name) {
		return fmt.Errorf("invalid profile name %q: use 1 to 64 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit, such as okta-recorded", name)
	}
	if _, builtin := clients.Lookup(name); builtin {
		return fmt.Errorf("profile name %q is a built-in profile; choose another, such as %s-recorded", name, name)
	}
	return nil
}

// SaveProfile waits for the first recorded ClientHello from host (any
// client when host is empty), whether its handshake passed or failed,
// writes it as the profile file NAME.json in dir and returns the file's
// path and the handshake. It does not overwrite an existing file. It
// returns ctx's error when ctx ends before a hello arrives.
func (r *Recorder) SaveProfile(ctx context.Context, name, host, dir string) (string, Handshake, error) {
	if err := CheckProfileName(name); err != nil {
		return "", Handshake{}, err
	}
	h, err := r.WaitHello(ctx, host, 0)
	if err != nil {
		return "", Handshake{}, fmt.Errorf("no ClientHello from %s recorded before the wait ended: %w", hostOrAny(host), err)
	}
	data, err := ProfileFromHandshake(h, name)
	if err != nil {
		return "", h, err
	}
	file := filepath.Join(dir, name+".json")
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", h, fmt.Errorf("saving profile %s: %w; remove the file or choose another name", name, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", h, fmt.Errorf("saving profile %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return "", h, fmt.Errorf("saving profile %s: %w", file, err)
	}
	return file, h, nil
}

func hostOrAny(host string) string {
	if host == "" {
		return "any client"
	}
	return host
}

func profileFile(h *ClientHello, name string, recorded time.Time, from string) ([]byte, error) {
	if err := CheckProfileName(name); err != nil {
		return nil, err
	}
	baseName := guessBase(h)
	base, ok := clients.Lookup(baseName)
	if !ok {
		// unreachable: guessBase returns built-in names only.
		return nil, fmt.Errorf("built-in profile %q not found", baseName)
	}

	var dropped []string
	spec := clients.HelloSpec{
		RecordVersion:     versionName(h.RecordVersion),
		LegacyVersion:     versionName(h.LegacyVersion),
		SupportedVersions: h.SupportedVersions != nil,
		SNI:               base.Hello.SNI,
		ALPN:              slices.Clone(h.ALPN),
	}
	for _, v := range h.OfferedVersions() {
		if v >= 0x0300 && v <= 0x0304 {
			spec.Versions = append(spec.Versions, versionName(v))
		} else {
			dropped = append(dropped, "version "+versionName(v))
		}
	}
	for _, id := range h.CipherSuites {
		if info, ok := registry.Suite(id); ok {
			spec.CipherSuites = append(spec.CipherSuites, info.Name)
		} else if !isGREASE(id) {
			dropped = append(dropped, fmt.Sprintf("cipher suite 0x%04x", id))
		}
	}
	for _, id := range h.SupportedGroups {
		if info, ok := registry.Group(id); ok {
			spec.Groups = append(spec.Groups, info.Name)
		} else if !isGREASE(id) {
			dropped = append(dropped, fmt.Sprintf("group 0x%04x", id))
		}
	}
	for _, id := range h.KeyShares {
		if info, ok := registry.Group(id); ok && slices.Contains(spec.Groups, info.Name) {
			spec.KeyShares = append(spec.KeyShares, info.Name)
		}
	}
	spec.SignatureAlgorithms = schemeNames(h.SignatureAlgorithms, &dropped)
	spec.SignatureAlgorithmsCert = schemeNames(h.SignatureAlgorithmsCert, &dropped)
	if spec.SignatureAlgorithmsCert == nil {
		spec.SignatureAlgorithmsCert = []string{}
	}

	for _, typ := range h.Extensions {
		if isGREASE(typ) {
			continue
		}
		name, known := profileExtensions[typ]
		switch {
		case !known:
			dropped = append(dropped, "extension "+extensionName(typ))
		case slices.Contains(flagExtensionTypes, typ):
			spec.Extensions = append(spec.Extensions, name)
			spec.ExtensionOrder = append(spec.ExtensionOrder, name)
		case typ == 17 || typ == 27 || typ == 28:
			spec.ExtensionsNotSent = append(spec.ExtensionsNotSent, name)
		default:
			spec.ExtensionOrder = append(spec.ExtensionOrder, name)
		}
	}
	if spec.Extensions == nil {
		spec.Extensions = []string{}
	}
	if h.ServerName != "" && spec.SNI == clients.SNINever {
		spec.SNI = clients.SNINotForIP
	}

	policy := base.Policy
	if policy.MinVersion != "" && !slices.Contains(spec.Versions, policy.MinVersion) {
		policy.MinVersion = ""
	}

	source := "recorded by scimdoctor serve"
	if !recorded.IsZero() {
		source += " at " + recorded.UTC().Format(time.RFC3339)
	}
	if from != "" {
		source += " from " + from
	}
	note := fmt.Sprintf("The ClientHello is measured. The policy, log line and error texts are those of the built-in profile %s, whose hello is the closest; replace them if the client is another.", base.Name)
	if h.ServerName == "" {
		note += " The hello carried no SNI, so the SNI rule is the base profile's."
	}
	if h.SupportedVersions == nil {
		note += " Without supported_versions the client does not state its oldest version: the older versions listed are assumed."
	}
	if len(dropped) > 0 {
		note += " Not reproduced by the probe: " + strings.Join(dropped, ", ") + "."
	}

	p := clients.Profile{
		Name:         name,
		Display:      fmt.Sprintf("%s (recorded client, JA4 %s)", name, h.JA4()),
		Kind:         base.Kind,
		Family:       base.Family,
		Source:       source,
		Date:         recorded.UTC().Format("2006-01-02"),
		Confidence:   clients.ConfidenceMeasured,
		Note:         note,
		Hello:        spec,
		Policy:       policy,
		LogLine:      base.LogLine,
		VersionNames: base.VersionNames,
		Errors:       base.Errors,
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode profile %s: %w", name, err)
	}
	data = append(data, '\n')

	// The file must load as written; a failure here is a gap between this
	// function and the clients package's checks.
	if _, err := clients.Decode(filepath.Join("recorded", name+".json"), data); err != nil {
		return nil, fmt.Errorf("the profile made from the hello does not load: %w", err)
	}
	return data, nil
}

func schemeNames(ids []uint16, dropped *[]string) []string {
	var names []string
	for _, id := range ids {
		if info, ok := registry.Scheme(id); ok {
			names = append(names, info.Name)
		} else if !isGREASE(id) {
			*dropped = append(*dropped, fmt.Sprintf("signature scheme 0x%04x", id))
		}
	}
	return names
}

// guessBase names the built-in profile whose stack most likely sent h, by
// extensions that only some stacks send. JSSE sends status_request_v2.
// Of the stacks profiled, only OpenSSL sends encrypt_then_mac: curl with
// ALPN, s_client without. Go sends signed_certificate_timestamp and
// renegotiation_info. Anything else is taken for JSSE, the stack of Okta's
// and many IdPs' clients.
// NOTE: this is a guess from a few extensions, and .NET (SChannel)
// clients are not recognized.
func guessBase(h *ClientHello) string {
	has := func(typ uint16) bool { return slices.Contains(h.Extensions, typ) }
	switch {
	case has(17):
		return "java-17"
	case has(22) && len(h.ALPN) > 0:
		return "curl"
	case has(22):
		return "openssl-3"
	case has(18) && has(65281):
		return "go"
	}
	return "java-17"
}
