package certcheck

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Trust stores that Roots loads.
const (
	// StoreMozilla is the Mozilla NSS root set as bundled in
	// golang.org/x/crypto/x509roots/fallback, with its distrust-after dates.
	// It is the same on every machine, so a report made with it can be
	// reproduced elsewhere.
	StoreMozilla = "mozilla"
	// StoreSystem is the operating system's store (x509.SystemCertPool).
	StoreSystem = "system"
	// StoreNone is an empty store, for chains that only extra CA files
	// anchor.
	StoreNone = "none"
	// StoreJava is the cacerts of the JDK installed on this machine, as
	// FindJavaCACerts finds it. Java clients trust it, not the Mozilla set.
	StoreJava = "java"
)

// mozillaRoots parses the bundled roots once. Roots hands out clones, so a
// caller's additions never reach other callers.
var mozillaRoots = sync.OnceValues(func() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for root := range bundle.Roots() {
		cert, err := x509.ParseCertificate(root.Certificate)
		if err != nil {
			return nil, fmt.Errorf("parse bundled Mozilla root: %w", err)
		}
		if root.Constraint == nil {
			pool.AddCert(cert)
		} else {
			pool.AddCertWithConstraint(cert, root.Constraint)
		}
	}
	return pool, nil
})

// Roots returns a new pool with the roots of store (StoreMozilla, StoreSystem,
// StoreJava or StoreNone) and the certificates of every extra PEM file, which act as
// trust anchors as curl's --cacert files do. A file that cannot be read, holds
// a CERTIFICATE block that does not parse, or holds no CERTIFICATE block at
// all is an error that names the file.
func Roots(store string, extraPEMFiles ...string) (*x509.CertPool, error) {
	var pool *x509.CertPool
	switch store {
	case StoreMozilla:
		base, err := mozillaRoots()
		if err != nil {
			return nil, err
		}
		pool = base.Clone()
	case StoreSystem:
		base, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("load the system trust store: %w; use the %s store instead", err, StoreMozilla)
		}
		pool = base
	case StoreJava:
		base, _, err := JavaRoots("")
		if err != nil {
			return nil, err
		}
		pool = base
	case StoreNone:
		pool = x509.NewCertPool()
	default:
		return nil, fmt.Errorf("unknown trust store %q: use %s, %s, %s or %s", store, StoreMozilla, StoreSystem, StoreJava, StoreNone)
	}

	for _, name := range extraPEMFiles {
		certs, err := ReadPEMCertificates(name)
		if err != nil {
			return nil, err
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
	}
	return pool, nil
}

// ReadPEMCertificates parses every CERTIFICATE block of a PEM file and skips
// other blocks, such as private keys.
func ReadPEMCertificates(name string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	var certs []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: certificate %d does not parse: %w", name, len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("CA file %s contains no PEM certificate: expected a block that starts with -----BEGIN CERTIFICATE-----", name)
	}
	return certs, nil
}

// ErrNoJavaCACerts is wrapped by the error of JavaRoots("") when
// FindJavaCACerts finds no file.
var ErrNoJavaCACerts = errors.New("no JDK cacerts found")

// javaRootsResult is the cached outcome of reading the default cacerts.
type javaRootsResult struct {
	pool   *x509.CertPool
	source string
	err    error
}

// defaultJavaRoots finds and parses the installed JDK's cacerts once.
// JavaRoots hands out clones, so a caller's additions never reach other
// callers.
var defaultJavaRoots = sync.OnceValue(func() javaRootsResult {
	return loadDefaultJavaRoots(FindJavaCACerts)
})

// loadDefaultJavaRoots parses the trust store that find returns.
func loadDefaultJavaRoots(find func() (string, bool)) javaRootsResult {
	path, ok := find()
	if !ok {
		err := fmt.Errorf("%w: looked in $JAVA_HOME/lib/security, the JDK of java on PATH, %s and %s; give one with --java-cacerts FILE",
			ErrNoJavaCACerts, debianJavaCACerts, jvmCACertsGlob)
		return javaRootsResult{source: "no JDK cacerts found", err: err}
	}
	pool, source, err := readJavaRoots(path)
	return javaRootsResult{pool: pool, source: source, err: err}
}

// JavaRoots returns a new pool with the trusted certificates of a Java trust
// store and a description of the file used, for reports. An empty path means
// the cacerts of the installed JDK (FindJavaCACerts), parsed once per
// process. When none is found, the error wraps ErrNoJavaCACerts and source
// is "no JDK cacerts found".
//
// The store is read with DefaultKeyStorePassword. A JKS or JCEKS store with
// another password is read without the integrity check, and source then
// ends in "integrity not checked". The JVM does the same: JDK 17 and 25 load a JKS trust store with
// any password unless javax.net.ssl.trustStorePassword is set.
func JavaRoots(path string) (pool *x509.CertPool, source string, err error) {
	if path == "" {
		result := defaultJavaRoots()
		if result.err != nil {
			return nil, result.source, result.err
		}
		return result.pool.Clone(), result.source, nil
	}
	return readJavaRoots(path)
}

// readJavaRoots parses the trust store at path into a new pool.
func readJavaRoots(path string) (*x509.CertPool, string, error) {
	store, err := loadKeyStoreFile(path, DefaultKeyStorePassword)
	var ksErr *KeyStoreError
	if errors.Is(err, ErrIncorrectKeyStorePassword) && errors.As(err, &ksErr) && ksErr.Format != FormatPKCS12 {
		store, err = loadKeyStoreFile(path, "")
	}
	if errors.As(err, &ksErr) && ksErr.Format == FormatPKCS12 && ksErr.Reason == reasonPKCS12Password {
		// No flag takes a trust store password, so the next step is a copy
		// of the store under the password this function uses.
		withHint := *ksErr
		withHint.Hint = fmt.Sprintf("the store's password is not %s, the only one tried: copy the store with keytool -importkeystore -srckeystore %s -destkeystore new-cacerts -deststorepass %s, type the store's password when keytool asks for the source password, and give new-cacerts instead",
			DefaultKeyStorePassword, shellQuote(path), DefaultKeyStorePassword)
		err = &withHint
	}
	if err != nil {
		return nil, path, err
	}
	if len(store.Trusted) == 0 {
		return nil, path, fmt.Errorf("key store %s (%s) has no trusted-certificate entry: give the JDK's lib/security/cacerts or a trust store made with keytool -importcert", path, store.Format)
	}

	pool := x509.NewCertPool()
	for _, cert := range store.Trusted {
		pool.AddCert(cert)
	}
	source := fmt.Sprintf("%s (%s, %d trusted certificates)", path, store.Format, len(store.Trusted))
	if !store.IntegrityChecked {
		source = fmt.Sprintf("%s (%s, %d trusted certificates, integrity not checked)", path, store.Format, len(store.Trusted))
	}
	return pool, source, nil
}

// shellQuote returns s as one POSIX shell word, in single quotes unless it
// contains only characters that need none.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Places where FindJavaCACerts looks after $JAVA_HOME and the java on PATH.
const (
	// debianJavaCACerts is written by Debian's ca-certificates-java and
	// linked from each Debian JDK's lib/security/cacerts.
	debianJavaCACerts = "/etc/ssl/certs/java/cacerts"
	// jvmCACertsGlob matches the JDKs installed under /usr/lib/jvm by
	// Debian, Ubuntu, RHEL and the Temurin packages.
	jvmCACertsGlob = "/usr/lib/jvm/*/lib/security/cacerts"
)

// FindJavaCACerts returns the path of the cacerts of an installed JDK. It
// checks, in order, and returns the first regular file found:
//
//  1. $JAVA_HOME/lib/security/cacerts, then $JAVA_HOME/jre/lib/security/cacerts (JDK 8)
//  2. the same two files under the home of the java found on PATH, after
//     symbolic links to the binary are resolved (/usr/bin/java ->
//     /usr/lib/jvm/NAME/bin/java gives /usr/lib/jvm/NAME)
//  3. /etc/ssl/certs/java/cacerts
//  4. /usr/lib/jvm/*/lib/security/cacerts, in lexical order
//
// ok is false when none exists.
func FindJavaCACerts() (path string, ok bool) {
	return findJavaCACerts(os.Getenv("JAVA_HOME"), lookPathJavaHome, []string{debianJavaCACerts}, jvmCACertsGlob)
}

// findJavaCACerts is FindJavaCACerts with its inputs as parameters, for
// tests.
func findJavaCACerts(javaHome string, pathJavaHome func() (string, bool), fixed []string, glob string) (string, bool) {
	var candidates []string
	if javaHome != "" {
		candidates = append(candidates, jdkCACerts(javaHome)...)
	}
	if home, ok := pathJavaHome(); ok {
		candidates = append(candidates, jdkCACerts(home)...)
	}
	candidates = append(candidates, fixed...)
	matches, _ := filepath.Glob(glob) // the only error is a bad pattern, and glob is a constant
	sort.Strings(matches)
	candidates = append(candidates, matches...)

	for _, candidate := range candidates {
		if info, err := os.Stat(candidate); err == nil && info.Mode().IsRegular() {
			return candidate, true
		}
	}
	return "", false
}

// jdkCACerts lists where a JDK home keeps cacerts: lib/security in JDK 9
// and later, jre/lib/security in a JDK 8.
func jdkCACerts(home string) []string {
	return []string{
		filepath.Join(home, "lib", "security", "cacerts"),
		filepath.Join(home, "jre", "lib", "security", "cacerts"),
	}
}

// lookPathJavaHome returns the JDK home of the java binary on PATH: the
// parent of the bin directory that holds the binary once symbolic links
// are resolved.
func lookPathJavaHome() (string, bool) {
	java, err := exec.LookPath("java")
	if err != nil {
		return "", false
	}
	resolved, err := filepath.EvalSymlinks(java)
	if err != nil {
		return "", false
	}
	bin := filepath.Dir(resolved)
	if filepath.Base(bin) != "bin" {
		return "", false
	}
	return filepath.Dir(bin), true
}
