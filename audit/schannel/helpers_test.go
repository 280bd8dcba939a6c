package schannel

import (
	"fmt"
	"testing"
)

// machineFrom parses each text as an export named test-N.reg and applies
// them in order.
func machineFrom(t *testing.T, texts ...string) *Machine {
	t.Helper()
	m := NewMachine()
	for i, text := range texts {
		exp, err := Parse(fmt.Sprintf("test-%d.reg", i+1), []byte(text))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		m.Apply(exp)
	}
	return m
}
