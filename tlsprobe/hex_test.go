package tlsprobe

import (
	"encoding/hex"
	"os/exec"
	"strings"
)

// mustHex decodes hex with spaces and newlines ignored, and panics on bad
// input: it is for literals in tests.
func mustHex(s string) []byte {
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("mustHex: " + err.Error())
	}
	return b
}

// execOutput runs a command and returns its standard output.
func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
