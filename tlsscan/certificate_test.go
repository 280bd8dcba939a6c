package tlsscan

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

// issueTestCert creates a certificate for name, signed by parent (self-signed
// when parent is nil).
func issueTestCert(t *testing.T, name string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  isCA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestChainOrder(t *testing.T) {
	root, rootKey := issueTestCert(t, "root", true, nil, nil)
	intermediate, intermediateKey := issueTestCert(t, "intermediate", true, root, rootKey)
	leaf, _ := issueTestCert(t, "leaf", false, intermediate, intermediateKey)
	unrelated, _ := issueTestCert(t, "unrelated", true, nil, nil)

	tests := []struct {
		name  string
		chain []*x509.Certificate
		want  []string // substrings, one per expected entry
	}{
		{"leaf alone", []*x509.Certificate{leaf}, nil},
		{"leaf and intermediate", []*x509.Certificate{leaf, intermediate}, nil},
		{"full chain with root", []*x509.Certificate{leaf, intermediate, root}, nil},
		{"root before intermediate", []*x509.Certificate{leaf, root, intermediate}, []string{"certificate 0 (CN=leaf) is issued by certificate 2"}},
		{"unrelated certificate after the leaf", []*x509.Certificate{leaf, unrelated}, []string{"certificate 0 (CN=leaf) is not issued by the next certificate (CN=unrelated)"}},
		{"intermediate sent twice", []*x509.Certificate{leaf, intermediate, intermediate}, []string{"certificate 2 repeats certificate 1", "certificate 1 (CN=intermediate) is not issued by the next certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chainOrder(tt.chain)
			if len(got) != len(tt.want) {
				t.Fatalf("chainOrder = %q, want %d entries like %q", got, len(tt.want), tt.want)
			}
			for i, want := range tt.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("entry %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}
