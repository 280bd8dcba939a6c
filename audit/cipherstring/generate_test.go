package cipherstring

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/openssl30.json from the local openssl binary")

// measuredAliases are the aliases that the OpenSSL 3.0 openssl-ciphers(1)
// manual page documents, plus TLSv1, FIPS and the SRP aliases, which 3.0
// accepts without documenting them. The SUITEB aliases are left out because
// they replace the whole string (see Evaluate). TestGenerate records each one's members.
var measuredAliases = []string{
	"ALL", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT", "HIGH", "MEDIUM", "LOW",
	"eNULL", "NULL", "aNULL", "kRSA", "aRSA", "RSA", "kDHr", "kDHd", "kDH",
	"kDHE", "kEDH", "DH", "DHE", "EDH", "ADH", "kEECDH", "kECDHE", "ECDH",
	"ECDHE", "EECDH", "AECDH", "aDSS", "DSS", "aDH", "aECDSA", "ECDSA",
	"TLSv1.2", "TLSv1.0", "TLSv1", "SSLv3", "AES128", "AES256", "AES",
	"AESGCM", "AESCCM", "AESCCM8", "ARIA128", "ARIA256", "ARIA", "ARIAGCM",
	"CAMELLIA128", "CAMELLIA256", "CAMELLIA", "CHACHA20", "3DES", "DES",
	"RC4", "RC2", "IDEA", "SEED", "MD5", "SHA1", "SHA", "SHA256", "SHA384",
	"aGOST", "aGOST01", "kGOST", "GOST94", "GOST89MAC", "PSK", "kPSK",
	"kECDHEPSK", "kDHEPSK", "kRSAPSK", "aPSK", "SRP", "kSRP", "aSRP",
	"CBC", "FIPS",
}

// TestGenerate rewrites testdata/openssl30.json from `openssl ciphers -V`
// when run as `go test ./audit/cipherstring -run TestGenerate -update` on a machine whose openssl
// is the OpenSSL 3.0 of Debian 12. The suite order is OpenSSL's starting
// order. No single alias shows it, but each alias lists its members in that
// order, so the generator merges the alias lists and breaks ties by the order
// of "ALL:COMPLEMENTOFALL".
func TestGenerate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/openssl30.json")
	}
	version, err := exec.Command("openssl", "version").Output()
	if err != nil {
		t.Fatalf("openssl version: %v", err)
	}
	if !strings.HasPrefix(string(version), "OpenSSL 3.0.") {
		t.Fatalf("openssl is %q: the table describes OpenSSL 3.0, run on Debian 12", strings.TrimSpace(string(version)))
	}

	rows, err := opensslCiphers(t, "ALL:COMPLEMENTOFALL")
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for i, r := range rows {
		index[r.Name] = i
	}

	var empty []string
	var lists [][]int
	for _, alias := range measuredAliases {
		members, err := opensslCiphers(t, alias)
		if err != nil {
			empty = append(empty, alias)
			continue
		}
		var list []int
		for _, m := range members {
			i, ok := index[m.Name]
			if !ok {
				t.Fatalf("alias %s lists %s, which ALL:COMPLEMENTOFALL does not", alias, m.Name)
			}
			rows[i].Aliases = append(rows[i].Aliases, alias)
			list = append(list, i)
		}
		lists = append(lists, list)
	}
	order, err := mergeOrders(len(rows), lists)
	if err != nil {
		t.Fatal(err)
	}
	sorted := make([]tableSuite, len(rows))
	for k, i := range order {
		sorted[k] = rows[i]
	}
	rows = sorted

	data := tableFile{
		Source:       strings.TrimSpace(string(version)) + ", `openssl ciphers -V`, Debian 12",
		Regenerate:   "go test ./audit/cipherstring -run TestGenerate -update",
		Suites:       rows,
		EmptyAliases: empty,
	}
	out, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/openssl30.json", append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// opensslCiphers runs `openssl ciphers -V` on s and returns its TLS 1.2 and
// older suites. An error means openssl rejected s (for an alias: it has no
// TLS 1.2 member).
func opensslCiphers(t testing.TB, s string, extra ...string) ([]tableSuite, error) {
	t.Helper()
	args := append([]string{"ciphers", "-V"}, extra...)
	// A leading "-" would be read as an option, and a leading separator
	// changes nothing only when s does not start with DEFAULT.
	if strings.HasPrefix(s, "-") {
		s = ":" + s
	}
	args = append(args, s)
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("openssl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	var rows []tableSuite
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 8 || f[1] != "-" {
			return nil, fmt.Errorf("unexpected openssl ciphers line %q", sc.Text())
		}
		if f[3] == "TLSv1.3" {
			continue
		}
		r, err := parseCiphersLine(f)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// parseCiphersLine reads the fields of one `openssl ciphers -V` line:
// "0xC0,0x2C - NAME TLSv1.2 Kx=ECDH Au=ECDSA Enc=AESGCM(256) Mac=AEAD".
func parseCiphersLine(f []string) (tableSuite, error) {
	var r tableSuite
	hi, lo, ok := strings.Cut(f[0], ",")
	if !ok {
		return r, fmt.Errorf("invalid suite id %q", f[0])
	}
	h, err1 := strconv.ParseUint(strings.TrimPrefix(hi, "0x"), 16, 8)
	l, err2 := strconv.ParseUint(strings.TrimPrefix(lo, "0x"), 16, 8)
	if err1 != nil || err2 != nil {
		return r, fmt.Errorf("invalid suite id %q", f[0])
	}
	r.ID = uint16(h)<<8 | uint16(l)
	r.Name = f[2]
	r.Protocol = f[3]
	r.KeyExchange = strings.TrimPrefix(f[4], "Kx=")
	r.Authentication = strings.TrimPrefix(f[5], "Au=")
	enc := strings.TrimPrefix(f[6], "Enc=")
	if name, bits, ok := strings.Cut(enc, "("); ok {
		n, err := strconv.Atoi(strings.TrimSuffix(bits, ")"))
		if err != nil {
			return r, fmt.Errorf("invalid cipher bits in %q", f[6])
		}
		enc, r.Bits = name, n
	}
	r.Cipher = enc
	r.MAC = strings.TrimPrefix(f[7], "Mac=")
	return r, nil
}

// mergeOrders returns the order of n items that keeps the order of every
// list, taking the lowest index first where the lists leave a choice.
func mergeOrders(n int, lists [][]int) ([]int, error) {
	after := make([][]int, n)
	indegree := make([]int, n)
	for _, list := range lists {
		for k := 1; k < len(list); k++ {
			after[list[k-1]] = append(after[list[k-1]], list[k])
			indegree[list[k]]++
		}
	}
	done := make([]bool, n)
	var order []int
	for len(order) < n {
		next := -1
		for i := 0; i < n; i++ {
			if !done[i] && indegree[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, fmt.Errorf("alias lists disagree on the order of %d suites", n-len(order))
		}
		done[next] = true
		order = append(order, next)
		for _, j := range after[next] {
			indegree[j]--
		}
	}
	return order, nil
}
