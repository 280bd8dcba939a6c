package clients

import "testing"

func TestLoadEmbedded(t *testing.T) {
	profiles, err := Load(embeddedProfiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		t.Logf("%s %s %v suites=%d", p.Name, p.Confidence, p.versions, len(p.hello.CipherSuites))
	}
}
