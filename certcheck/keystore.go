package certcheck

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"crypto/x509"
	encoding_asn1 "encoding/asn1"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// KeyStoreFormat names the file format of a Java key store.
type KeyStoreFormat string

// Java key store formats that ParseKeyStore reads.
const (
	// FormatJKS is Sun's proprietary format, magic 0xFEEDFEED. The JDK
	// shipped cacerts in it up to JDK 17, and Debian's ca-certificates-java
	// still writes /etc/ssl/certs/java/cacerts in it.
	FormatJKS KeyStoreFormat = "JKS"
	// FormatJCEKS is the JCE variant of JKS, magic 0xCECECECE. Its
	// trusted-certificate entries have the JKS layout.
	FormatJCEKS KeyStoreFormat = "JCEKS"
	// FormatPKCS12 is a PKCS#12 (RFC 7292) file as keytool writes it. JDK 18
	// and later ship cacerts as a password-less PKCS#12 file.
	FormatPKCS12 KeyStoreFormat = "PKCS12"
)

// DefaultKeyStorePassword is the password of the JDK's cacerts and of most
// trust stores made by hand.
const DefaultKeyStorePassword = "changeit"

// maxKeyStoreBytes caps the size of a key store file that LoadKeyStore
// reads. Debian 12's /etc/ssl/certs/java/cacerts, with 144 roots, is 165 KB,
// so 16 MiB leaves room for any real trust store and keeps a wrong path (a
// disk image, a log) from being read whole.
const maxKeyStoreBytes = 16 << 20

// ErrIncorrectKeyStorePassword is wrapped by the error of ParseKeyStore and
// LoadKeyStore when the integrity check or the PKCS#12 MAC fails with the
// given password.
var ErrIncorrectKeyStorePassword = errors.New("incorrect key store password")

// KeyStore is the trust content of a Java key store.
type KeyStore struct {
	// Format is the file format found by its first bytes.
	Format KeyStoreFormat
	// Trusted contains the certificate of each trusted-certificate entry, in
	// file order. These are the trust anchors of a Java TrustManager.
	Trusted []*x509.Certificate
	// Aliases contains the alias of each Trusted certificate, at the same
	// index. It is empty for PKCS#12 stores, whose aliases the decoder does
	// not return.
	Aliases []string
	// KeyEntries counts the private-key entries that were skipped, because
	// the certificates of a key entry's chain are the store owner's identity,
	// not trust anchors.
	KeyEntries int
	// IntegrityChecked is true when the JKS or JCEKS integrity digest or the
	// PKCS#12 MAC was verified with the password.
	IntegrityChecked bool
}

// KeyStoreError is the error of ParseKeyStore and LoadKeyStore. Its message
// names the file, the format and the byte where parsing stopped, then the
// next step.
type KeyStoreError struct {
	// Path is the file name, or empty when the bytes came from elsewhere.
	Path string
	// Format is the format found by the first bytes, or empty when none
	// matched.
	Format KeyStoreFormat
	// Offset is the byte offset where parsing stopped, or -1 when the error
	// is not tied to one place.
	Offset int
	// Reason describes what is wrong, without the file name.
	Reason string
	// Hint is the next step for the user.
	Hint string
	// Err is the underlying error, such as ErrIncorrectKeyStorePassword.
	Err error
}

func (e *KeyStoreError) Error() string {
	var b strings.Builder
	b.WriteString("key store")
	if e.Path != "" {
		fmt.Fprintf(&b, " %s", e.Path)
	}
	if e.Format != "" {
		fmt.Fprintf(&b, " (%s)", e.Format)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, ": at byte %d", e.Offset)
	}
	fmt.Fprintf(&b, ": %s", e.Reason)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	return b.String()
}

func (e *KeyStoreError) Unwrap() error { return e.Err }

// LoadKeyStore reads the Java key store at path (JKS, JCEKS or PKCS#12,
// found by its first bytes) and returns the certificate of every
// trusted-certificate entry. Private-key entries are skipped, because the
// certificates of a key's chain identify the store's owner and a Java
// TrustManager does not anchor chains to them.
//
// The password verifies the JKS or JCEKS integrity digest. An empty password
// skips that check, as keytool -list does. A PKCS#12 store needs its password
// unless it is password-less, like the cacerts of JDK 18 and later, which is
// read with any password. The JDK's cacerts uses DefaultKeyStorePassword.
//
// Errors are *KeyStoreError values that name the file. A wrong password
// wraps ErrIncorrectKeyStorePassword.
func LoadKeyStore(path, password string) ([]*x509.Certificate, error) {
	store, err := loadKeyStoreFile(path, password)
	if err != nil {
		return nil, err
	}
	return store.Trusted, nil
}

// loadKeyStoreFile reads at most maxKeyStoreBytes of path and parses them.
func loadKeyStoreFile(path, password string) (*KeyStore, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &KeyStoreError{Path: path, Offset: -1, Reason: "cannot open the file", Err: err,
			Hint: "give the JDK's lib/security/cacerts or a file made with keytool"}
	}
	defer f.Close()

	data, err := io.ReadAll(io.LimitReader(f, maxKeyStoreBytes+1))
	if err != nil {
		return nil, &KeyStoreError{Path: path, Offset: -1, Reason: "cannot read the file", Err: err}
	}
	if len(data) > maxKeyStoreBytes {
		return nil, &KeyStoreError{Path: path, Offset: -1,
			Reason: fmt.Sprintf("file is larger than the %d-byte limit for key stores", maxKeyStoreBytes),
			Hint:   "give the JDK's lib/security/cacerts or a file made with keytool"}
	}

	store, err := ParseKeyStore(data, password)
	if err != nil {
		var ksErr *KeyStoreError
		if errors.As(err, &ksErr) {
			ksErr.Path = path
		}
		return nil, err
	}
	return store, nil
}

// ParseKeyStore parses the bytes of a Java key store, as LoadKeyStore
// describes. Errors are *KeyStoreError values with an empty Path. Malformed
// input gives an error, not a panic, and memory use grows with len(data):
// no declared count or length is trusted beyond the bytes present, and
// PKCS#12 iteration counts above maxPKCS12Iterations are rejected before
// any key derivation.
func ParseKeyStore(data []byte, password string) (*KeyStore, error) {
	return parseKeyStore(data, password, maxPKCS12Iterations)
}

// parseKeyStore is ParseKeyStore with the PKCS#12 iteration limit as a
// parameter, so that the fuzz target can keep each input fast.
func parseKeyStore(data []byte, password string, maxIterations int64) (*KeyStore, error) {
	switch {
	case len(data) == 0:
		return nil, &KeyStoreError{Offset: -1, Reason: "file is empty (0 bytes)",
			Hint: "give the JDK's lib/security/cacerts or a file made with keytool"}
	case bytes.HasPrefix(data, jksMagic):
		return parseJKS(data, password, FormatJKS)
	case bytes.HasPrefix(data, jceksMagic):
		return parseJKS(data, password, FormatJCEKS)
	case data[0] == 0x30:
		return parsePKCS12(data, password, maxIterations)
	}

	reason := fmt.Sprintf("not a Java key store: first bytes %s", describeFirstBytes(data))
	hint := "give the JDK's lib/security/cacerts or a file made with keytool"
	if bytes.Contains(data[:min(len(data), 64)], []byte("-----BEGIN")) {
		reason = "PEM text, not a Java key store"
		hint = "pass PEM certificates as extra CA files (--cacert), or import them into a store with keytool -importcert"
	}
	return nil, &KeyStoreError{Offset: 0, Reason: reason, Hint: hint}
}

// describeFirstBytes formats up to 8 leading bytes in hex for error messages.
func describeFirstBytes(data []byte) string {
	head := data[:min(len(data), 8)]
	s := fmt.Sprintf("% x", head)
	if len(data) > len(head) {
		s += " ..."
	}
	return s
}

var (
	jksMagic   = []byte{0xfe, 0xed, 0xfe, 0xed}
	jceksMagic = []byte{0xce, 0xce, 0xce, 0xce}
)

// JKS and JCEKS entry tags.
const (
	jksTagPrivateKey  = 1
	jksTagTrustedCert = 2
	// jceksTagSecretKey marks a JCEKS secret-key entry, which is a Java
	// serialized object with no length prefix.
	jceksTagSecretKey = 3
)

const (
	// jksHeaderLen is magic, version and entry count, 4 bytes each.
	jksHeaderLen = 12
	// jksDigestLen is the SHA-1 integrity digest at the end of the file.
	jksDigestLen = sha1.Size
	// jksMinEntryLen is the smallest entry: tag (4), an empty alias (2),
	// timestamp (8) and an empty certificate (4). It bounds the entry count
	// by the file size.
	jksMinEntryLen = 4 + 2 + 8 + 4
)

// jksDigestSalt is the fixed string that keytool hashes after the password
// and before the file body in the JKS and JCEKS integrity digest.
const jksDigestSalt = "Mighty Aphrodite"

// jksParser walks a JKS or JCEKS file and remembers where it stopped.
type jksParser struct {
	// data is the file without its integrity digest, and s the unread
	// rest of it.
	data    []byte
	s       cryptobyte.String
	format  KeyStoreFormat
	version uint32
}

func (p *jksParser) offset() int { return len(p.data) - len(p.s) }

func (p *jksParser) fail(reason, hint string) *KeyStoreError {
	return &KeyStoreError{Format: p.format, Offset: p.offset(), Reason: reason, Hint: hint}
}

// truncated is the error for a field that runs past the end of the body.
func (p *jksParser) truncated(field string, entry int) *KeyStoreError {
	return p.fail(fmt.Sprintf("entry %d: %s runs past the end of the entries", entry, field),
		"the file is truncated or damaged: copy it again from the JDK or the server")
}

// parseJKS reads the JKS and JCEKS layout, which keytool writes as:
//
//	magic u32, version u32 (1 or 2), entry count u32
//	per entry: tag u32, alias (u16 length, modified UTF-8), timestamp u64 (ms)
//	  tag 1: key (u32 length, bytes), chain count u32, certificates
//	  tag 2: one certificate
//	certificate: type (u16 length, "X.509", version 2 only), DER (u32 length)
//	SHA-1 of the password (UTF-16BE), jksDigestSalt and all bytes above
func parseJKS(data []byte, password string, format KeyStoreFormat) (*KeyStore, error) {
	p := &jksParser{data: data, s: cryptobyte.String(data), format: format}
	if len(data) < jksHeaderLen+jksDigestLen {
		return nil, p.fail(fmt.Sprintf("file of %d bytes is shorter than the %d bytes of an empty store", len(data), jksHeaderLen+jksDigestLen),
			"the file is truncated: copy it again from the JDK or the server")
	}

	// The digest covers every byte before it, so split it off first and
	// parse only the body.
	body := data[:len(data)-jksDigestLen]
	digest := data[len(data)-jksDigestLen:]
	p.data, p.s = body, cryptobyte.String(body)

	var magic, count uint32
	p.s.ReadUint32(&magic)
	p.s.ReadUint32(&p.version)
	p.s.ReadUint32(&count)
	if p.version != 1 && p.version != 2 {
		p.s = cryptobyte.String(body[4:])
		return nil, p.fail(fmt.Sprintf("unknown version %d (want 1 or 2)", p.version),
			"the file is damaged, or a newer format: list it with keytool -list")
	}
	maxEntries := (len(body) - jksHeaderLen) / jksMinEntryLen
	if uint64(count) > uint64(maxEntries) {
		p.s = cryptobyte.String(body[8:])
		return nil, p.fail(fmt.Sprintf("declares %d entries but %d bytes hold at most %d", count, len(body)-jksHeaderLen, maxEntries),
			"the file is truncated or damaged: copy it again from the JDK or the server")
	}

	store := &KeyStore{Format: format}
	for i := 1; i <= int(count); i++ {
		if err := p.parseEntry(i, store); err != nil {
			return nil, err
		}
	}
	if !p.s.Empty() {
		return nil, p.fail(fmt.Sprintf("%d bytes after the last of %d entries", len(p.s), count),
			"the file is damaged or not a key store: list it with keytool -list")
	}

	if password != "" {
		if !jksDigestMatches(body, digest, password) {
			return nil, &KeyStoreError{Format: format, Offset: len(body), Reason: "integrity check failed",
				Err:  ErrIncorrectKeyStorePassword,
				Hint: "give the store's password (the JDK's cacerts uses changeit), or an empty password to skip the check"}
		}
		store.IntegrityChecked = true
	}
	return store, nil
}

// parseEntry reads entry number i (from 1) and adds a trusted certificate to
// store.
func (p *jksParser) parseEntry(i int, store *KeyStore) error {
	var tag uint32
	var alias cryptobyte.String
	if !p.s.ReadUint32(&tag) {
		return p.truncated("tag", i)
	}
	if !p.readUint16LengthPrefixed(&alias) {
		return p.truncated("alias", i)
	}
	if !p.s.Skip(8) {
		return p.truncated("timestamp", i)
	}
	name := string(alias)

	switch tag {
	case jksTagPrivateKey:
		var key cryptobyte.String
		if !p.readUint32LengthPrefixed(&key) {
			return p.truncated(fmt.Sprintf("private key of %q", name), i)
		}
		var chainLen uint32
		if !p.s.ReadUint32(&chainLen) {
			return p.truncated(fmt.Sprintf("chain length of %q", name), i)
		}
		// Each certificate takes at least its 4-byte length.
		if uint64(chainLen)*4 > uint64(len(p.s)) {
			return p.fail(fmt.Sprintf("entry %d (%q): chain of %d certificates does not fit in the %d bytes left", i, name, chainLen, len(p.s)),
				"the file is truncated or damaged: copy it again from the JDK or the server")
		}
		for j := 0; j < int(chainLen); j++ {
			if _, err := p.readCertificate(i, name); err != nil {
				return err
			}
		}
		store.KeyEntries++
		return nil

	case jksTagTrustedCert:
		der, err := p.readCertificate(i, name)
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return &KeyStoreError{Format: p.format, Offset: p.offset() - len(der),
				Reason: fmt.Sprintf("entry %d (%q): certificate does not parse", i, name), Err: err,
				Hint: "remove or replace that entry with keytool -delete and -importcert"}
		}
		store.Trusted = append(store.Trusted, cert)
		store.Aliases = append(store.Aliases, name)
		return nil

	case jceksTagSecretKey:
		if p.format == FormatJCEKS {
			// TODO: skip JCEKS secret-key entries. Each is a Java serialized
			// SealedObject without a length prefix, so skipping one needs a
			// parser of the Java serialization stream.
			return p.fail(fmt.Sprintf("entry %d (%q) is a secret key, whose serialized form this reader cannot skip", i, name),
				"convert the store with keytool -importkeystore -deststoretype PKCS12, or keep only its certificates")
		}
	}
	return p.fail(fmt.Sprintf("entry %d (%q): unknown tag %d (want %d for a private key or %d for a trusted certificate)", i, name, tag, jksTagPrivateKey, jksTagTrustedCert),
		"the file is damaged: list it with keytool -list")
}

// readCertificate reads one certificate of entry i and returns its DER bytes.
func (p *jksParser) readCertificate(i int, alias string) ([]byte, error) {
	if p.version == 2 {
		var certType cryptobyte.String
		if !p.readUint16LengthPrefixed(&certType) {
			return nil, p.truncated(fmt.Sprintf("certificate type of %q", alias), i)
		}
		if string(certType) != "X.509" {
			return nil, p.fail(fmt.Sprintf("entry %d (%q): certificate type %q (want X.509)", i, alias, string(certType)),
				"remove that entry with keytool -delete")
		}
	}
	var der cryptobyte.String
	if !p.readUint32LengthPrefixed(&der) {
		return nil, p.truncated(fmt.Sprintf("certificate of %q", alias), i)
	}
	return der, nil
}

// readUint16LengthPrefixed reads a 16-bit big-endian length and that many
// bytes. Unlike cryptobyte's method, it consumes nothing when they do not
// fit, so an error points at the length.
func (p *jksParser) readUint16LengthPrefixed(out *cryptobyte.String) bool {
	rest := p.s
	if !rest.ReadUint16LengthPrefixed(out) {
		return false
	}
	p.s = rest
	return true
}

// readUint32LengthPrefixed reads a 32-bit big-endian length and that many
// bytes. It consumes nothing when they do not fit.
func (p *jksParser) readUint32LengthPrefixed(out *cryptobyte.String) bool {
	rest := p.s
	var n uint32
	if !rest.ReadUint32(&n) || uint64(n) > uint64(len(rest)) {
		return false
	}
	var b []byte
	if !rest.ReadBytes(&b, int(n)) {
		return false // unreachable
	}
	*out = b
	p.s = rest
	return true
}

// jksDigestMatches reports whether digest is the keytool integrity digest of
// body under password. Java hashes each char of the password as two bytes,
// big-endian, so characters outside the BMP count as surrogate pairs.
func jksDigestMatches(body, digest []byte, password string) bool {
	h := sha1.New()
	for _, unit := range utf16.Encode([]rune(password)) {
		h.Write([]byte{byte(unit >> 8), byte(unit)})
	}
	h.Write([]byte(jksDigestSalt))
	h.Write(body)
	return subtle.ConstantTimeCompare(h.Sum(nil), digest) == 1
}

// OIDs of the PKCS#12 outline (RFC 7292, PKCS#7 and RFC 8018).
var (
	oidPKCS7Data          = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS7EncryptedData = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag             = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag     = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	// oidPKCS12PBEPrefix starts the pbeWithSHAAnd... algorithms of RFC 7292,
	// whose parameters are SEQUENCE { salt, iterations }.
	oidPKCS12PBEPrefix = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	oidPBES2           = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBMAC1          = encoding_asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// maxPKCS12Iterations caps every MAC and key-derivation iteration count of
// a PKCS#12 file, because go-pkcs12 runs whatever count the file declares,
// and a count near 2^63 would never finish. The highest default of JDK 17's
// keytool is 100000 (the SHA-1 MAC of -J-Dkeystore.pkcs12.legacy), so the
// cap is ten times that.
const maxPKCS12Iterations = 1_000_000

// pkcs12Outline is what the unencrypted layers of a PFX show.
type pkcs12Outline struct {
	hasMAC bool
	// parts counts the ContentInfos of the authenticated safe. keytool
	// writes one part for certificates and one more when the store has a
	// private key.
	parts int
	// keyBags counts the key bags found in unencrypted parts.
	keyBags int
}

// parsePKCS12 reads a PKCS#12 trust store with go-pkcs12's DecodeTrustStore,
// after an outline walk that explains the inputs DecodeTrustStore rejects.
func parsePKCS12(data []byte, password string, maxIterations int64) (*KeyStore, error) {
	outline, err := readPKCS12Outline(data, maxIterations)
	if err != nil {
		return nil, err
	}

	// TODO: read PKCS#12 stores with private-key entries. DecodeTrustStore
	// accepts only an authenticated safe of one part that contains trusted
	// certificate bags, and go-pkcs12 exports no lower-level decoder.
	if outline.parts != 1 || outline.keyBags > 0 {
		return nil, &KeyStoreError{Format: FormatPKCS12, Offset: -1,
			Reason: fmt.Sprintf("store has a private-key entry (%d parts in the authenticated safe), and only PKCS#12 stores of trusted certificates are read", outline.parts),
			Hint:   "convert it with keytool -importkeystore -deststoretype JKS and give the .jks file, or give the JDK's cacerts"}
	}

	// A password-less store has no MAC. keytool reads it with any password,
	// but DecodeTrustStore only with an empty one.
	decodePassword := password
	if !outline.hasMAC {
		decodePassword = ""
	}
	certs, err := pkcs12.DecodeTrustStore(data, decodePassword)
	if err != nil {
		return nil, pkcs12Error(err, password, outline)
	}
	store := &KeyStore{Format: FormatPKCS12, Trusted: certs, IntegrityChecked: outline.hasMAC}
	return store, nil
}

// reasonPKCS12Password is the KeyStoreError.Reason of a PKCS#12 store whose
// MAC does not verify, or whose parts do not decrypt, with the password.
const reasonPKCS12Password = "MAC check or decryption failed"

// pkcs12Error turns a DecodeTrustStore error into a *KeyStoreError with the
// next step.
func pkcs12Error(err error, password string, outline pkcs12Outline) *KeyStoreError {
	ksErr := &KeyStoreError{Format: FormatPKCS12, Offset: -1, Reason: "cannot decode the trust store", Err: err}
	var notImplemented pkcs12.NotImplementedError
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption):
		ksErr.Reason = reasonPKCS12Password
		ksErr.Err = fmt.Errorf("%w (%v)", ErrIncorrectKeyStorePassword, err)
		if !outline.hasMAC {
			ksErr.Reason = "store has no MAC but encrypted parts, which no password can open"
			ksErr.Hint = "make the store again with keytool"
		} else if password == "" {
			ksErr.Hint = "the store is password-protected: give its password (the JDK's cacerts uses changeit)"
		} else {
			ksErr.Hint = "give the store's password (the JDK's cacerts uses changeit)"
		}
	case errors.As(err, &notImplemented):
		ksErr.Reason = "store uses a PKCS#12 feature that go-pkcs12 does not read"
		ksErr.Hint = "convert it with keytool -importkeystore -deststoretype JKS and give the .jks file"
	default:
		ksErr.Hint = "check the file with keytool -list, or make it again with keytool"
	}
	return ksErr
}

// readPKCS12Outline walks the unencrypted layers of a PFX (RFC 7292,
// section 4):
//
//	PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
//	ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
//	authSafe content: OCTET STRING of SEQUENCE OF ContentInfo
func readPKCS12Outline(data []byte, maxIterations int64) (pkcs12Outline, error) {
	var outline pkcs12Outline
	// Every string below is a subslice of data that extends to its end, so
	// the capacities give its start. cryptobyte may consume an element and
	// then reject its tag, so each check keeps the string from before the
	// read, and the offset points at the element that failed.
	fail := func(at cryptobyte.String, reason string) (pkcs12Outline, error) {
		return outline, &KeyStoreError{Offset: cap(data) - cap(at),
			Reason: fmt.Sprintf("not a Java key store: first bytes %s: DER, but not a PKCS#12 file: %s", describeFirstBytes(data), reason),
			Hint:   "give the JDK's lib/security/cacerts or a file made with keytool; a DER certificate goes in with keytool -importcert"}
	}

	input := cryptobyte.String(data)
	var pfx cryptobyte.String
	if !input.ReadASN1(&pfx, asn1.SEQUENCE) {
		return fail(cryptobyte.String(data), "no DER SEQUENCE that spans the file")
	}
	if !input.Empty() {
		return fail(input, fmt.Sprintf("%d bytes after the PFX", len(input)))
	}

	at := pfx
	var version int64
	if !pfx.ReadASN1Integer(&version) || version != 3 {
		return fail(at, "no version 3 INTEGER at the start of the PFX")
	}

	at = pfx
	var authSafe, content, inner cryptobyte.String
	var contentType encoding_asn1.ObjectIdentifier
	if !pfx.ReadASN1(&authSafe, asn1.SEQUENCE) ||
		!authSafe.ReadASN1ObjectIdentifier(&contentType) {
		return fail(at, "authSafe is not a ContentInfo")
	}
	if !contentType.Equal(oidPKCS7Data) {
		return fail(at, fmt.Sprintf("authSafe content type %s (want data, %s): public-key integrity mode is not used by keytool", contentType, oidPKCS7Data))
	}
	at = authSafe
	if !authSafe.ReadASN1(&content, asn1.Tag(0).Constructed().ContextSpecific()) ||
		!content.ReadASN1(&inner, asn1.OCTET_STRING) {
		return fail(at, "authSafe content is not an [0] OCTET STRING")
	}

	outline.hasMAC = pfx.PeekASN1Tag(asn1.SEQUENCE)
	if outline.hasMAC {
		at = pfx
		var macData cryptobyte.String
		if !pfx.ReadASN1(&macData, asn1.SEQUENCE) {
			return fail(at, "macData is not a SEQUENCE")
		}
		if reason := checkMACIterations(macData, maxIterations); reason != "" {
			return fail(at, reason)
		}
	}

	var parts cryptobyte.String
	if !inner.ReadASN1(&parts, asn1.SEQUENCE) {
		return fail(inner, "authenticated safe is not a SEQUENCE")
	}
	for !parts.Empty() {
		at = parts
		var part, partContent, partInner cryptobyte.String
		var partType encoding_asn1.ObjectIdentifier
		if !parts.ReadASN1(&part, asn1.SEQUENCE) || !part.ReadASN1ObjectIdentifier(&partType) {
			return fail(at, fmt.Sprintf("part %d of the authenticated safe is not a ContentInfo", outline.parts+1))
		}
		outline.parts++
		if partType.Equal(oidPKCS7EncryptedData) {
			if reason := checkEncryptedDataIterations(part, maxIterations); reason != "" {
				return fail(at, fmt.Sprintf("part %d of the authenticated safe: %s", outline.parts, reason))
			}
			continue
		}
		if !partType.Equal(oidPKCS7Data) {
			continue
		}
		if !part.ReadASN1(&partContent, asn1.Tag(0).Constructed().ContextSpecific()) ||
			!partContent.ReadASN1(&partInner, asn1.OCTET_STRING) {
			return fail(at, fmt.Sprintf("part %d of the authenticated safe: data content is not an [0] OCTET STRING", outline.parts))
		}
		keyBags, ok := countKeyBags(partInner)
		if !ok {
			return fail(at, fmt.Sprintf("part %d of the authenticated safe is not a SEQUENCE of SafeBags", outline.parts))
		}
		outline.keyBags += keyBags
	}
	return outline, nil
}

// countKeyBags counts keyBag and pkcs8ShroudedKeyBag entries in a DER
// SafeContents. It returns false when the bytes are not a SEQUENCE of
// SafeBags.
func countKeyBags(safeContents cryptobyte.String) (int, bool) {
	var bags cryptobyte.String
	if !safeContents.ReadASN1(&bags, asn1.SEQUENCE) {
		return 0, false
	}
	n := 0
	for !bags.Empty() {
		var bag cryptobyte.String
		var bagType encoding_asn1.ObjectIdentifier
		if !bags.ReadASN1(&bag, asn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&bagType) {
			return 0, false
		}
		if bagType.Equal(oidKeyBag) || bagType.Equal(oidShroudedKeyBag) {
			n++
		}
	}
	return n, true
}

// checkMACIterations reads MacData (RFC 7292, section 4) and returns why its
// iteration count is rejected, or "" when it is within maxIterations:
//
//	MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
//	DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
//
// PBMAC1 (RFC 9579) keeps its count in the PBKDF2 parameters of the
// algorithm instead.
func checkMACIterations(macData cryptobyte.String, maxIterations int64) string {
	var digestInfo, algorithm cryptobyte.String
	var algorithmOID encoding_asn1.ObjectIdentifier
	if !macData.ReadASN1(&digestInfo, asn1.SEQUENCE) ||
		!digestInfo.ReadASN1(&algorithm, asn1.SEQUENCE) ||
		!algorithm.ReadASN1ObjectIdentifier(&algorithmOID) ||
		!digestInfo.SkipASN1(asn1.OCTET_STRING) ||
		!macData.SkipASN1(asn1.OCTET_STRING) {
		return "macData is not a DigestInfo and a salt"
	}
	if algorithmOID.Equal(oidPBMAC1) {
		return checkPBKDF2Iterations(algorithm, "PBMAC1", maxIterations)
	}
	var iterations int64 = 1
	if macData.PeekASN1Tag(asn1.INTEGER) && !macData.ReadASN1Integer(&iterations) {
		return "MAC iteration count is not an INTEGER that fits 63 bits"
	}
	return checkIterations(iterations, "MAC", maxIterations)
}

// checkEncryptedDataIterations reads the ContentInfo content of an
// encryptedData part (PKCS#7) and returns why the iteration count of its
// algorithm is rejected, or "" when it is accepted or the algorithm is one
// that go-pkcs12 rejects before deriving a key:
//
//	[0] EXPLICIT EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo SEQUENCE {
//	    contentType OID, contentEncryptionAlgorithm AlgorithmIdentifier, encryptedContent [0] IMPLICIT OPTIONAL } }
func checkEncryptedDataIterations(part cryptobyte.String, maxIterations int64) string {
	var content, encryptedData, contentInfo, algorithm cryptobyte.String
	var algorithmOID encoding_asn1.ObjectIdentifier
	var version int64
	if !part.ReadASN1(&content, asn1.Tag(0).Constructed().ContextSpecific()) ||
		!content.ReadASN1(&encryptedData, asn1.SEQUENCE) ||
		!encryptedData.ReadASN1Integer(&version) ||
		!encryptedData.ReadASN1(&contentInfo, asn1.SEQUENCE) ||
		!contentInfo.SkipASN1(asn1.OBJECT_IDENTIFIER) ||
		!contentInfo.ReadASN1(&algorithm, asn1.SEQUENCE) ||
		!algorithm.ReadASN1ObjectIdentifier(&algorithmOID) {
		return "encryptedData has no content-encryption AlgorithmIdentifier"
	}

	switch {
	case algorithmOID.Equal(oidPBES2):
		return checkPBKDF2Iterations(algorithm, "PBES2", maxIterations)
	case len(algorithmOID) == len(oidPKCS12PBEPrefix)+1 && algorithmOID[:len(oidPKCS12PBEPrefix)].Equal(oidPKCS12PBEPrefix):
		var params cryptobyte.String
		var iterations int64
		if !algorithm.ReadASN1(&params, asn1.SEQUENCE) ||
			!params.SkipASN1(asn1.OCTET_STRING) ||
			!params.ReadASN1Integer(&iterations) {
			return fmt.Sprintf("%s parameters are not a salt and an iteration count", algorithmOID)
		}
		return checkIterations(iterations, algorithmOID.String(), maxIterations)
	}
	return ""
}

// checkPBKDF2Iterations reads the parameters of a PBES2 or PBMAC1
// algorithm (RFC 8018), whose first element is the key-derivation
// AlgorithmIdentifier, and checks the PBKDF2 iteration count:
//
//	SEQUENCE { keyDerivationFunc AlgorithmIdentifier { PBKDF2, PBKDF2-params }, ... }
//	PBKDF2-params ::= SEQUENCE { salt ANY, iterationCount INTEGER, ... }
func checkPBKDF2Iterations(algorithmParams cryptobyte.String, name string, maxIterations int64) string {
	var params, kdf, kdfParams, salt cryptobyte.String
	var saltTag asn1.Tag
	var iterations int64
	if !algorithmParams.ReadASN1(&params, asn1.SEQUENCE) ||
		!params.ReadASN1(&kdf, asn1.SEQUENCE) ||
		!kdf.SkipASN1(asn1.OBJECT_IDENTIFIER) ||
		!kdf.ReadASN1(&kdfParams, asn1.SEQUENCE) ||
		!kdfParams.ReadAnyASN1Element(&salt, &saltTag) ||
		!kdfParams.ReadASN1Integer(&iterations) {
		return name + " parameters have no PBKDF2 iteration count"
	}
	return checkIterations(iterations, name, maxIterations)
}

// checkIterations returns why an iteration count is rejected, or "".
func checkIterations(iterations int64, algorithm string, maxIterations int64) string {
	if iterations < 1 || iterations > maxIterations {
		return fmt.Sprintf("%s iteration count %d is outside 1 to %d", algorithm, iterations, maxIterations)
	}
	return ""
}
