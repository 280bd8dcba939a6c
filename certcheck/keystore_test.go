package certcheck

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

var updateKeyStores = flag.Bool("update-keystores", false, "copy the key stores made with keytool into testdata/keystore as fuzz seeds")

// keystoreSeedDir contains small key stores made by keytool, committed as
// fuzz seeds and refreshed by -update-keystores.
const keystoreSeedDir = "testdata/keystore"

// keytoolStores are key stores made once per test binary with the real
// keytool, because each keytool call starts a JVM.
type keytoolStores struct {
	dir          string
	rootA, rootB *x509.Certificate
	// rootAKey signs leaves that chain to rootA.
	rootAKey *ecdsa.PrivateKey

	jks         string // JKS, rootA and rootB, password changeit
	jceks       string // JCEKS, same entries
	p12         string // PKCS#12 with JDK 17 defaults: PBES2 AES-256, HmacPBESHA256
	nopassP12   string // PKCS#12 without encryption or MAC, as JDK 18+ cacerts
	legacyP12   string // PKCS#12 with RC2-40 certificates and a SHA-1 MAC
	mixedJKS    string // JKS with a private-key entry besides rootA and rootB
	mixedP12    string // PKCS#12 with a private-key entry besides rootA and rootB
	secretJCEKS string // JCEKS with a secret-key entry besides rootA and rootB
}

var (
	keytoolOnce   sync.Once
	keytoolResult *keytoolStores
	keytoolErr    error
	keytoolDir    string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if keytoolDir != "" {
		os.RemoveAll(keytoolDir)
	}
	os.Exit(code)
}

// keytoolFixture returns the stores made by keytool, and skips the test
// when keytool is not installed.
func keytoolFixture(t *testing.T) *keytoolStores {
	t.Helper()
	if _, err := exec.LookPath("keytool"); err != nil {
		t.Skip("keytool not found on PATH: install the Debian package openjdk-17-jdk-headless")
	}
	keytoolOnce.Do(func() {
		keytoolResult, keytoolErr = makeKeytoolStores()
	})
	if keytoolErr != nil {
		t.Fatalf("make key stores with keytool: %v", keytoolErr)
	}
	return keytoolResult
}

func makeKeytoolStores() (*keytoolStores, error) {
	dir, err := os.MkdirTemp("", "certcheck-keystore-")
	if err != nil {
		return nil, err
	}
	keytoolDir = dir
	s := &keytoolStores{dir: dir}
	path := func(name string) string { return filepath.Join(dir, name) }

	if s.rootA, s.rootAKey, err = makeRoot("keystore test root A"); err != nil {
		return nil, err
	}
	if s.rootB, _, err = makeRoot("keystore test root B"); err != nil {
		return nil, err
	}
	for name, cert := range map[string]*x509.Certificate{"rootA.pem": s.rootA, "rootB.pem": s.rootB} {
		if err := os.WriteFile(path(name), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
			return nil, err
		}
	}

	s.p12, s.jks, s.jceks = path("trusted.p12"), path("trusted.jks"), path("trusted.jceks")
	s.nopassP12, s.legacyP12 = path("nopass.p12"), path("legacy.p12")
	s.mixedJKS, s.mixedP12, s.secretJCEKS = path("mixed.jks"), path("mixed.p12"), path("secret.jceks")
	pass := []string{"-storepass", DefaultKeyStorePassword}
	convert := func(dest, storeType string, options ...string) []string {
		args := append([]string{"-importkeystore", "-srckeystore", s.p12, "-srcstorepass", DefaultKeyStorePassword,
			"-destkeystore", dest, "-deststoretype", storeType, "-deststorepass", DefaultKeyStorePassword}, options...)
		return args
	}
	steps := [][]string{
		append([]string{"-importcert", "-noprompt", "-alias", "roota", "-file", path("rootA.pem"), "-keystore", s.p12, "-storetype", "PKCS12"}, pass...),
		append([]string{"-importcert", "-noprompt", "-alias", "rootb", "-file", path("rootB.pem"), "-keystore", s.p12, "-storetype", "PKCS12"}, pass...),
		convert(s.jks, "JKS"),
		convert(s.jceks, "JCEKS"),
		convert(s.nopassP12, "PKCS12", "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE"),
		convert(s.legacyP12, "PKCS12", "-J-Dkeystore.pkcs12.legacy"),
	}
	if err := runKeytool(steps); err != nil {
		return nil, err
	}

	// The stores with keys start as copies of the trusted-only ones.
	for dest, src := range map[string]string{s.mixedJKS: s.jks, s.mixedP12: s.p12, s.secretJCEKS: s.jceks} {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(dest, data, 0o600); err != nil {
			return nil, err
		}
	}
	steps = [][]string{
		append([]string{"-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server", "-keystore", s.mixedJKS, "-keypass", DefaultKeyStorePassword}, pass...),
		append([]string{"-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server", "-keystore", s.mixedP12}, pass...),
		append([]string{"-genseckey", "-alias", "secret", "-keyalg", "AES", "-keysize", "128", "-keystore", s.secretJCEKS, "-storetype", "JCEKS", "-keypass", DefaultKeyStorePassword}, pass...),
	}
	if err := runKeytool(steps); err != nil {
		return nil, err
	}
	return s, nil
}

// runKeytool runs keytool once per step. The JVM options shorten the start
// of a JVM that runs for well under a second.
func runKeytool(steps [][]string) error {
	for _, args := range steps {
		args = append([]string{"-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"}, args...)
		out, err := exec.Command("keytool", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("keytool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// makeRoot creates a self-signed ECDSA P-256 CA certificate.
func makeRoot(commonName string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"certcheck test"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// subjects returns the sorted common names of certs.
func subjects(certs []*x509.Certificate) []string {
	var names []string
	for _, cert := range certs {
		names = append(names, cert.Subject.CommonName)
	}
	slices.Sort(names)
	return names
}

func TestLoadKeyStoreKeytoolFormats(t *testing.T) {
	stores := keytoolFixture(t)
	tests := []struct {
		name          string
		path          string
		password      string
		wantFormat    KeyStoreFormat
		wantIntegrity bool
		wantAliases   bool
	}{
		{"JKS with password", stores.jks, DefaultKeyStorePassword, FormatJKS, true, true},
		{"JKS without password", stores.jks, "", FormatJKS, false, true},
		{"JCEKS with password", stores.jceks, DefaultKeyStorePassword, FormatJCEKS, true, true},
		{"PKCS12 AES with password", stores.p12, DefaultKeyStorePassword, FormatPKCS12, true, false},
		{"PKCS12 password-less, empty password", stores.nopassP12, "", FormatPKCS12, false, false},
		{"PKCS12 password-less, changeit", stores.nopassP12, DefaultKeyStorePassword, FormatPKCS12, false, false},
		{"PKCS12 legacy RC2-40", stores.legacyP12, DefaultKeyStorePassword, FormatPKCS12, true, false},
		{"JKS with private-key entry", stores.mixedJKS, DefaultKeyStorePassword, FormatJKS, true, true},
	}
	want := []string{"keystore test root A", "keystore test root B"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := LoadKeyStore(tt.path, tt.password)
			if err != nil {
				t.Fatalf("LoadKeyStore: %v", err)
			}
			if got := subjects(certs); !slices.Equal(got, want) {
				t.Errorf("trusted subjects = %q, want %q", got, want)
			}

			store, err := loadKeyStoreFile(tt.path, tt.password)
			if err != nil {
				t.Fatalf("loadKeyStoreFile: %v", err)
			}
			if store.Format != tt.wantFormat {
				t.Errorf("Format = %s, want %s", store.Format, tt.wantFormat)
			}
			if store.IntegrityChecked != tt.wantIntegrity {
				t.Errorf("IntegrityChecked = %v, want %v", store.IntegrityChecked, tt.wantIntegrity)
			}
			if tt.wantAliases && !slices.Equal(slices.Sorted(slices.Values(store.Aliases)), []string{"roota", "rootb"}) {
				t.Errorf("Aliases = %q, want roota and rootb", store.Aliases)
			}
		})
	}
}

func TestLoadKeyStoreSkipsKeyEntry(t *testing.T) {
	stores := keytoolFixture(t)
	store, err := loadKeyStoreFile(stores.mixedJKS, DefaultKeyStorePassword)
	if err != nil {
		t.Fatal(err)
	}
	if store.KeyEntries != 1 {
		t.Errorf("KeyEntries = %d, want 1", store.KeyEntries)
	}
	for _, cert := range store.Trusted {
		if cert.Subject.CommonName == "server" {
			t.Errorf("the certificate of the private-key entry %q is among the trusted certificates", cert.Subject)
		}
	}
}

func TestLoadKeyStoreErrors(t *testing.T) {
	stores := keytoolFixture(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	jks, p12 := read(stores.jks), read(stores.p12)

	tests := []struct {
		name          string
		path          string
		password      string
		wantPassword  bool // errors.Is ErrIncorrectKeyStorePassword
		wantFormat    KeyStoreFormat
		wantSubstring []string
	}{
		{"JKS wrong password", stores.jks, "wrong", true, FormatJKS,
			[]string{stores.jks, "(JKS)", "integrity check failed", "changeit"}},
		{"JCEKS wrong password", stores.jceks, "wrong", true, FormatJCEKS,
			[]string{"(JCEKS)", "integrity check failed"}},
		{"PKCS12 wrong password", stores.p12, "wrong", true, FormatPKCS12,
			[]string{"(PKCS12)", "MAC check or decryption failed", "give the store's password"}},
		{"PKCS12 empty password on protected store", stores.p12, "", true, FormatPKCS12,
			[]string{"password-protected"}},
		{"PKCS12 with private-key entry", stores.mixedP12, DefaultKeyStorePassword, false, FormatPKCS12,
			[]string{"private-key entry", "-deststoretype JKS"}},
		{"JCEKS with secret-key entry", stores.secretJCEKS, DefaultKeyStorePassword, false, FormatJCEKS,
			[]string{"is a secret key", "-deststoretype PKCS12"}},
		{"JKS truncated", write("truncated.jks", jks[:len(jks)/2]), DefaultKeyStorePassword, false, FormatJKS,
			[]string{"runs past the end", "truncated"}},
		{"PKCS12 truncated", write("truncated.p12", p12[:len(p12)/2]), DefaultKeyStorePassword, false, "",
			[]string{"not a PKCS#12 file", "no DER SEQUENCE"}},
		{"empty file", write("empty", nil), DefaultKeyStorePassword, false, "",
			[]string{"file is empty (0 bytes)", "lib/security/cacerts"}},
		{"PEM file", write("roots.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: stores.rootA.Raw})), DefaultKeyStorePassword, false, "",
			[]string{"PEM text, not a Java key store", "--cacert"}},
		{"DER certificate", write("root.der", stores.rootA.Raw), DefaultKeyStorePassword, false, "",
			[]string{"at byte 4: not a Java key store: first bytes 30 82", "no version 3 INTEGER", "keytool -importcert"}},
		{"text file", write("notes.txt", []byte("hello")), DefaultKeyStorePassword, false, "",
			[]string{"not a Java key store: first bytes 68 65 6c 6c 6f"}},
		{"missing file", filepath.Join(dir, "absent"), DefaultKeyStorePassword, false, "",
			[]string{"cannot open the file", "absent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := LoadKeyStore(tt.path, tt.password)
			if err == nil {
				t.Fatalf("LoadKeyStore returned %d certificates and no error", len(certs))
			}
			var ksErr *KeyStoreError
			if !errors.As(err, &ksErr) {
				t.Fatalf("error %v is %T, want *KeyStoreError", err, err)
			}
			if ksErr.Path != tt.path {
				t.Errorf("Path = %q, want %q", ksErr.Path, tt.path)
			}
			if ksErr.Format != tt.wantFormat {
				t.Errorf("Format = %q, want %q", ksErr.Format, tt.wantFormat)
			}
			if got := errors.Is(err, ErrIncorrectKeyStorePassword); got != tt.wantPassword {
				t.Errorf("errors.Is(err, ErrIncorrectKeyStorePassword) = %v, want %v", got, tt.wantPassword)
			}
			for _, want := range tt.wantSubstring {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadKeyStoreTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file takes no disk space.
	if err := f.Truncate(maxKeyStoreBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, err = LoadKeyStore(path, "")
	if err == nil || !strings.Contains(err.Error(), "larger than the 16777216-byte limit") {
		t.Errorf("error = %v, want the size limit", err)
	}
}

// testJKSEntry is one entry for buildJKS.
type testJKSEntry struct {
	tag   uint32
	alias string
	key   []byte   // tag 1 only
	certs [][]byte // DER; tag 2 takes the first
	// certType defaults to X.509.
	certType string
}

// buildJKS writes a JKS or JCEKS file in keytool's layout, with the
// integrity digest for password. It makes inputs that keytool does not
// write.
func buildJKS(magic []byte, version uint32, count int, entries []testJKSEntry, password string) []byte {
	var b cryptobyte.Builder
	b.AddBytes(magic)
	b.AddUint32(version)
	b.AddUint32(uint32(count))
	addCert := func(e testJKSEntry, der []byte) {
		if version == 2 {
			certType := e.certType
			if certType == "" {
				certType = "X.509"
			}
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(certType)) })
		}
		b.AddUint32(uint32(len(der)))
		b.AddBytes(der)
	}
	for _, e := range entries {
		b.AddUint32(e.tag)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(e.alias)) })
		b.AddUint64(uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()))
		switch e.tag {
		case jksTagPrivateKey:
			b.AddUint32(uint32(len(e.key)))
			b.AddBytes(e.key)
			b.AddUint32(uint32(len(e.certs)))
			for _, der := range e.certs {
				addCert(e, der)
			}
		default:
			addCert(e, e.certs[0])
		}
	}
	body := b.BytesOrPanic()

	h := sha1.New()
	for _, r := range password {
		h.Write([]byte{byte(r >> 8), byte(r)})
	}
	h.Write([]byte(jksDigestSalt))
	h.Write(body)
	return h.Sum(body)
}

func TestParseJKSHostileInputs(t *testing.T) {
	root, _, err := makeRoot("hostile test root")
	if err != nil {
		t.Fatal(err)
	}
	trusted := testJKSEntry{tag: jksTagTrustedCert, alias: "root", certs: [][]byte{root.Raw}}
	valid := buildJKS(jksMagic, 2, 1, []testJKSEntry{trusted}, DefaultKeyStorePassword)

	// A private-key entry whose chain count claims 2^31-1 certificates. The
	// count sits after tag, alias "k", timestamp, key length and 3 key bytes.
	hugeChain := buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: jksTagPrivateKey, alias: "k", key: []byte{1, 2, 3}}}, "")
	chainCountAt := 12 + 4 + 2 + 1 + 8 + 4 + 3
	copy(hugeChain[chainCountAt:], []byte{0x7f, 0xff, 0xff, 0xff})

	tests := []struct {
		name       string
		data       []byte
		wantOffset int
		wantReason string
	}{
		{"shorter than empty store", jksMagic, 0, "shorter than the 32 bytes of an empty store"},
		{"version 3", buildJKS(jksMagic, 3, 0, nil, ""), 4, "unknown version 3"},
		{"count beyond file size", buildJKS(jksMagic, 2, 1000, []testJKSEntry{trusted}, ""), 8, "declares 1000 entries"},
		{"count above entries", buildJKS(jksMagic, 2, 2, []testJKSEntry{trusted}, ""), -2, "entry 2: tag runs past the end"},
		{"trailing bytes after entries", buildJKS(jksMagic, 2, 0, []testJKSEntry{trusted}, ""), 12, "after the last of 0 entries"},
		{"unknown tag", buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: 7, alias: "odd", certs: [][]byte{root.Raw}}}, ""), 12 + 4 + 2 + 3 + 8, `entry 1 ("odd"): unknown tag 7`},
		{"secret key tag in JKS", buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: 3, alias: "s", certs: [][]byte{root.Raw}}}, ""), 12 + 4 + 2 + 1 + 8, "unknown tag 3"},
		{"certificate type not X.509", buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: 2, alias: "r", certs: [][]byte{root.Raw}, certType: "PGP"}}, ""), -1, `certificate type "PGP" (want X.509)`},
		{"certificate does not parse", buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: 2, alias: "junk", certs: [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}}}}, ""), -1, `entry 1 ("junk"): certificate does not parse`},
		{"chain count beyond file", hugeChain, chainCountAt + 4, "chain of 2147483647 certificates does not fit"},
		{"alias past end", append(append([]byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff}, make([]byte, 14)...), make([]byte, 20)...), 16, "entry 1: alias runs past the end"},
		{"digest of other password", buildJKS(jksMagic, 2, 1, []testJKSEntry{trusted}, "other"), len(valid) - 20, "integrity check failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, err := ParseKeyStore(tt.data, DefaultKeyStorePassword)
			if err == nil {
				t.Fatalf("ParseKeyStore returned %d certificates and no error", len(store.Trusted))
			}
			var ksErr *KeyStoreError
			if !errors.As(err, &ksErr) {
				t.Fatalf("error %v is %T, want *KeyStoreError", err, err)
			}
			if !strings.Contains(ksErr.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", ksErr.Reason, tt.wantReason)
			}
			switch {
			case tt.wantOffset == -2:
				if ksErr.Offset != len(tt.data)-jksDigestLen {
					t.Errorf("Offset = %d, want the end of the entries (%d)", ksErr.Offset, len(tt.data)-jksDigestLen)
				}
			case tt.wantOffset >= 0 && ksErr.Offset != tt.wantOffset:
				t.Errorf("Offset = %d, want %d", ksErr.Offset, tt.wantOffset)
			}
			if ksErr.Hint == "" {
				t.Errorf("error %q has no hint", err)
			}
		})
	}

	t.Run("valid built file", func(t *testing.T) {
		store, err := ParseKeyStore(valid, DefaultKeyStorePassword)
		if err != nil {
			t.Fatal(err)
		}
		if len(store.Trusted) != 1 || !store.Trusted[0].Equal(root) {
			t.Errorf("Trusted = %v, want the one root", subjects(store.Trusted))
		}
	})
}

func TestParseJKSPasswordOutsideBMP(t *testing.T) {
	root, _, err := makeRoot("surrogate test root")
	if err != nil {
		t.Fatal(err)
	}
	// Java hashes U+1F511 as the UTF-16 surrogate pair D83D DD11.
	var b cryptobyte.Builder
	b.AddBytes(jksMagic)
	b.AddUint32(2)
	b.AddUint32(1)
	b.AddUint32(jksTagTrustedCert)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("root")) })
	b.AddUint64(0)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("X.509")) })
	b.AddUint32(uint32(len(root.Raw)))
	b.AddBytes(root.Raw)
	body := b.BytesOrPanic()
	h := sha1.New()
	h.Write([]byte{0x00, 'k', 0xd8, 0x3d, 0xdd, 0x11})
	h.Write([]byte(jksDigestSalt))
	h.Write(body)
	data := h.Sum(body)

	store, err := ParseKeyStore(data, "k\U0001F511")
	if err != nil {
		t.Fatalf("ParseKeyStore: %v", err)
	}
	if !store.IntegrityChecked {
		t.Error("IntegrityChecked = false, want true")
	}
}

// TestParsePKCS12IterationLimit patches the iteration counts of stores
// made by go-pkcs12 and checks that each count past maxPKCS12Iterations is
// rejected before any key derivation runs.
func TestParsePKCS12IterationLimit(t *testing.T) {
	root, _, err := makeRoot("iteration test root")
	if err != nil {
		t.Fatal(err)
	}
	// 54321 encodes as INTEGER 02 03 00 d4 31, which the patch replaces by
	// 8388607 (02 03 7f ff ff), a value of the same length.
	marker := []byte{0x02, 0x03, 0x00, 0xd4, 0x31}
	huge := []byte{0x02, 0x03, 0x7f, 0xff, 0xff}
	encode := func(t *testing.T, enc *pkcs12.Encoder) []byte {
		t.Helper()
		data, err := enc.WithIterations(54321).EncodeTrustStore([]*x509.Certificate{root}, DefaultKeyStorePassword)
		if err != nil {
			t.Fatal(err)
		}
		// One count in the encryptedData part, then one in MacData.
		if n := bytes.Count(data, marker); n != 2 {
			t.Fatalf("encoded store contains the iteration count %d times, want 2", n)
		}
		return data
	}
	patch := func(data []byte, occurrence int) []byte {
		out := bytes.Clone(data)
		at := bytes.Index(out, marker)
		if occurrence == 2 {
			at = bytes.LastIndex(out, marker)
		}
		copy(out[at:], huge)
		return out
	}
	modern := encode(t, pkcs12.Modern)
	legacy := encode(t, pkcs12.LegacyRC2)

	t.Run("unpatched stores decode", func(t *testing.T) {
		for _, data := range [][]byte{modern, legacy} {
			store, err := ParseKeyStore(data, DefaultKeyStorePassword)
			if err != nil {
				t.Fatalf("ParseKeyStore: %v", err)
			}
			if len(store.Trusted) != 1 || !store.Trusted[0].Equal(root) {
				t.Errorf("Trusted = %q, want the one root", subjects(store.Trusted))
			}
		}
	})

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"PBES2 count", patch(modern, 1), "part 1 of the authenticated safe: PBES2 iteration count 8388607 is outside 1 to 1000000"},
		{"MAC count", patch(modern, 2), "MAC iteration count 8388607 is outside 1 to 1000000"},
		{"RC2-40 PBE count", patch(legacy, 1), "1.2.840.113549.1.12.1.6 iteration count 8388607"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyStore(tt.data, DefaultKeyStorePassword)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestParseKeyStorePrefixes checks that no strict prefix of a real store
// parses, and that none panics.
func TestParseKeyStorePrefixes(t *testing.T) {
	stores := keytoolFixture(t)
	for _, path := range []string{stores.jks, stores.jceks, stores.p12, stores.nopassP12, stores.mixedJKS} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(data) {
			if store, err := ParseKeyStore(data[:n], ""); err == nil {
				t.Errorf("%s: prefix of %d of %d bytes parsed to %d certificates", filepath.Base(path), n, len(data), len(store.Trusted))
			}
		}
	}
}

func TestLoadKeyStoreSystemCACerts(t *testing.T) {
	const path = "/etc/ssl/certs/java/cacerts"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not found: install the Debian package ca-certificates-java", path)
	}
	certs, err := LoadKeyStore(path, DefaultKeyStorePassword)
	if err != nil {
		t.Fatalf("LoadKeyStore: %v", err)
	}
	if len(certs) <= 100 {
		t.Errorf("%s has %d trusted certificates, want more than 100", path, len(certs))
	}
	// ISRG Root X1 is Let's Encrypt's root. Debian's ca-certificates has it,
	// and ca-certificates-java builds this file from that set.
	found := false
	for _, cert := range certs {
		if cert.Subject.CommonName == "ISRG Root X1" {
			found = true
		}
	}
	if !found {
		t.Errorf("%s does not contain ISRG Root X1", path)
	}
}

func TestFindJavaCACerts(t *testing.T) {
	dir := t.TempDir()
	touch := func(parts ...string) string {
		p := filepath.Join(append([]string{dir}, parts...)...)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte{0xfe, 0xed, 0xfe, 0xed}, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	homeCACerts := touch("home", "lib", "security", "cacerts")
	jdk8CACerts := touch("jdk8", "jre", "lib", "security", "cacerts")
	pathCACerts := touch("pathjdk", "lib", "security", "cacerts")
	fixed := touch("etc", "cacerts")
	globbed := touch("jvm", "b", "lib", "security", "cacerts")
	touch("jvm", "c", "lib", "security", "cacerts")
	if err := os.MkdirAll(filepath.Join(dir, "dirhome", "lib", "security", "cacerts"), 0o755); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "jvm", "*", "lib", "security", "cacerts")
	noJava := func() (string, bool) { return "", false }
	pathJava := func() (string, bool) { return filepath.Join(dir, "pathjdk"), true }

	tests := []struct {
		name     string
		javaHome string
		pathJava func() (string, bool)
		fixed    []string
		glob     string
		want     string
	}{
		{"JAVA_HOME first", filepath.Join(dir, "home"), pathJava, []string{fixed}, glob, homeCACerts},
		{"JAVA_HOME of JDK 8", filepath.Join(dir, "jdk8"), pathJava, []string{fixed}, glob, jdk8CACerts},
		{"JAVA_HOME without cacerts", filepath.Join(dir, "absent"), pathJava, []string{fixed}, glob, pathCACerts},
		{"directory named cacerts", filepath.Join(dir, "dirhome"), noJava, []string{fixed}, glob, fixed},
		{"java on PATH", "", pathJava, []string{fixed}, glob, pathCACerts},
		{"fixed path", "", noJava, []string{filepath.Join(dir, "absent"), fixed}, glob, fixed},
		{"first glob match", "", noJava, nil, glob, globbed},
		{"nothing found", "", noJava, nil, filepath.Join(dir, "none", "*"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := findJavaCACerts(tt.javaHome, tt.pathJava, tt.fixed, tt.glob)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("findJavaCACerts = %q, %v, want %q, %v", got, ok, tt.want, tt.want != "")
			}
		})
	}
}

func TestLookPathJavaHomeResolvesSymlink(t *testing.T) {
	dir := t.TempDir()
	java := filepath.Join(dir, "jdk-test", "bin", "java")
	if err := os.MkdirAll(filepath.Dir(java), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(java, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	pathDir := filepath.Join(dir, "usr-bin")
	if err := os.Mkdir(pathDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// /usr/bin/java -> /etc/alternatives/java -> JDK/bin/java, as on Debian.
	alternative := filepath.Join(dir, "alternatives-java")
	if err := os.Symlink(java, alternative); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(alternative, filepath.Join(pathDir, "java")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", pathDir)

	home, ok := lookPathJavaHome()
	want, err := filepath.EvalSymlinks(filepath.Join(dir, "jdk-test"))
	if err != nil {
		t.Fatal(err)
	}
	if !ok || home != want {
		t.Errorf("lookPathJavaHome = %q, %v, want %q, true", home, ok, want)
	}
}

func TestJavaRootsFromFile(t *testing.T) {
	stores := keytoolFixture(t)
	leaf := issueCert(t, &testCert{cert: stores.rootA, key: stores.rootAKey}, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})

	tests := []struct {
		name       string
		path       string
		wantSource string
	}{
		{"JKS", stores.jks, stores.jks + " (JKS, 2 trusted certificates)"},
		{"PKCS12", stores.p12, stores.p12 + " (PKCS12, 2 trusted certificates)"},
		{"PKCS12 password-less", stores.nopassP12, stores.nopassP12 + " (PKCS12, 2 trusted certificates, integrity not checked)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, source, err := JavaRoots(tt.path)
			if err != nil {
				t.Fatalf("JavaRoots: %v", err)
			}
			if source != tt.wantSource {
				t.Errorf("source = %q, want %q", source, tt.wantSource)
			}
			if _, err := leaf.cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
				t.Errorf("leaf under root A does not verify against the store: %v", err)
			}
		})
	}
}

func TestJavaRootsOtherJKSPassword(t *testing.T) {
	root, _, err := makeRoot("other password root")
	if err != nil {
		t.Fatal(err)
	}
	data := buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: jksTagTrustedCert, alias: "root", certs: [][]byte{root.Raw}}}, "secret")
	path := filepath.Join(t.TempDir(), "other.jks")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	pool, source, err := JavaRoots(path)
	if err != nil {
		t.Fatalf("JavaRoots: %v", err)
	}
	if want := path + " (JKS, 1 trusted certificates, integrity not checked)"; source != want {
		t.Errorf("source = %q, want %q", source, want)
	}
	if !pool.Equal(func() *x509.CertPool { p := x509.NewCertPool(); p.AddCert(root); return p }()) {
		t.Error("pool does not contain exactly the store's root")
	}
}

func TestJavaRootsErrors(t *testing.T) {
	stores := keytoolFixture(t)
	dir := t.TempDir()
	keyOnly := filepath.Join(dir, "keyonly.jks")
	data := buildJKS(jksMagic, 2, 1, []testJKSEntry{{tag: jksTagPrivateKey, alias: "k", key: []byte{1}, certs: [][]byte{stores.rootA.Raw}}}, DefaultKeyStorePassword)
	if err := os.WriteFile(keyOnly, data, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
		want string
	}{
		{"PKCS12 with other password", stores.p12 + ".copy", "MAC check or decryption failed"},
		{"no trusted entry", keyOnly, "has no trusted-certificate entry"},
	}
	copyP12, err := os.ReadFile(stores.p12)
	if err != nil {
		t.Fatal(err)
	}
	// A changed MAC byte fails like a wrong password, without another
	// keytool run to change the password.
	copyP12[len(copyP12)-1] ^= 0xff
	if err := os.WriteFile(tests[0].path, copyP12, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, source, err := JavaRoots(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if source != tt.path {
				t.Errorf("source = %q, want %q", source, tt.path)
			}
		})
	}
}

func TestDefaultJavaRootsNotFound(t *testing.T) {
	result := loadDefaultJavaRoots(func() (string, bool) { return "", false })
	if !errors.Is(result.err, ErrNoJavaCACerts) {
		t.Errorf("error = %v, want ErrNoJavaCACerts", result.err)
	}
	if result.err == nil || !strings.Contains(result.err.Error(), "--java-cacerts FILE") {
		t.Errorf("error = %v, want the --java-cacerts hint", result.err)
	}
	if result.source != "no JDK cacerts found" {
		t.Errorf("source = %q, want %q", result.source, "no JDK cacerts found")
	}
}

func TestRootsJavaStore(t *testing.T) {
	path, ok := FindJavaCACerts()
	if !ok {
		t.Skip("no JDK cacerts on this machine: install the Debian package openjdk-17-jdk-headless")
	}
	pool, err := Roots(StoreJava)
	if err != nil {
		t.Fatalf("Roots(%q) with %s: %v", StoreJava, path, err)
	}
	_, source, err := JavaRoots("")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(source, path+" (") {
		t.Errorf("source = %q, want it to start with %q", source, path)
	}

	// Roots hands out clones: an addition must not reach the next caller.
	extra, _, err := makeRoot("added to one clone")
	if err != nil {
		t.Fatal(err)
	}
	pool.AddCert(extra)
	again, err := Roots(StoreJava)
	if err != nil {
		t.Fatal(err)
	}
	if again.Equal(pool) {
		t.Error("a certificate added to one Roots(java) pool shows up in the next")
	}
}

// TestWriteKeyStoreSeeds refreshes the committed fuzz seeds from keytool
// when run with -update-keystores. The PKCS#12 seeds are written with one
// KDF iteration, so that the fuzzer spends its time on parsing rather than
// on key derivation.
func TestWriteKeyStoreSeeds(t *testing.T) {
	if !*updateKeyStores {
		t.Skip("run with -update-keystores to refresh " + keystoreSeedDir)
	}
	stores := keytoolFixture(t)
	if err := os.RemoveAll(keystoreSeedDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(keystoreSeedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{stores.jks, stores.jceks, stores.nopassP12, stores.mixedJKS, stores.secretJCEKS} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(keystoreSeedDir, filepath.Base(path)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var steps [][]string
	for _, path := range []string{stores.p12, stores.mixedP12} {
		dest, err := filepath.Abs(filepath.Join(keystoreSeedDir, filepath.Base(path)))
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, []string{"-importkeystore", "-srckeystore", path, "-srcstorepass", DefaultKeyStorePassword,
			"-destkeystore", dest, "-deststoretype", "PKCS12", "-deststorepass", DefaultKeyStorePassword,
			"-J-Dkeystore.pkcs12.certPbeIterationCount=1", "-J-Dkeystore.pkcs12.keyPbeIterationCount=1", "-J-Dkeystore.pkcs12.macIterationCount=1"})
	}
	if err := runKeytool(steps); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseKeyStore checks that no input panics, and that a result comes
// with either a store or a *KeyStoreError, never both.
func FuzzParseKeyStore(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join(keystoreSeedDir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	if len(seeds) == 0 {
		f.Fatalf("no seeds in %s: run go test -run TestWriteKeyStoreSeeds -update-keystores", keystoreSeedDir)
	}
	for _, seed := range seeds {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, DefaultKeyStorePassword)
		f.Add(data, "")
	}
	// keytool ignores the iteration properties for -J-Dkeystore.pkcs12.legacy,
	// so the RC2-40 and 3DES seeds come from go-pkcs12 with one iteration.
	root, _, err := makeRoot("fuzz seed root")
	if err != nil {
		f.Fatal(err)
	}
	for _, enc := range []*pkcs12.Encoder{pkcs12.LegacyRC2, pkcs12.LegacyDES} {
		data, err := enc.WithIterations(1).EncodeTrustStore([]*x509.Certificate{root}, DefaultKeyStorePassword)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, DefaultKeyStorePassword)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n"), "")
	f.Add(bytes.Repeat([]byte{0xfe, 0xed, 0xfe, 0xed}, 8), "")

	f.Fuzz(func(t *testing.T, data []byte, password string) {
		// The seeds use one iteration, and a limit of 16 keeps the fuzzer
		// from spending seconds on counts it raised up to the real limit.
		store, err := parseKeyStore(data, password, 16)
		if err != nil {
			var ksErr *KeyStoreError
			if !errors.As(err, &ksErr) {
				t.Fatalf("error %v is %T, want *KeyStoreError", err, err)
			}
			if store != nil {
				t.Fatalf("store with %d certificates returned with error %v", len(store.Trusted), err)
			}
			return
		}
		if store == nil || store.Format == "" {
			t.Fatalf("no error but store = %+v", store)
		}
	})
}
