package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func sampleReport() *Report {
	return &Report{
		Tool:    "scimdoctor test",
		Command: "check",
		Target:  Target{URL: "https://scim.example.com/scim/v2", Host: "scim.example.com", Port: 443, Address: "192.0.2.10:443"},
		Layers: []Layer{
			{Name: "tls", Status: StatusFail, Summary: "accepts TLS 1.0", Details: []string{"TLS 1.2  no   fatal alert protocol_version (70)"}},
		},
		Verdicts: []Verdict{
			{
				Client: "okta", Display: "Okta", Class: "alert", Alert: "protocol_version", Layer: "tls",
				LogLine:  "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
				Message:  "Received fatal alert: protocol_version",
				Evidence: []string{"the server responded to the hello with fatal alert protocol_version (70)"},
				Cause:    &Cause{Summary: "the server offers only TLS 1.0", Component: "the box at 192.0.2.10:443", Software: "nginx", Fix: []string{"ssl_protocols TLSv1.2 TLSv1.3;\nthen reload"}},
			},
			{Client: "entra", Display: "Microsoft Entra ID", Connects: true, Class: "ok", Version: "TLS 1.2", Suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		},
		ExitCode: ExitFindings,
	}
}

func TestWriteJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleReport(), FormatJSON, Options{}); err != nil {
		t.Fatalf("Write failed: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	if decoded["schema"] != Schema {
		t.Errorf("schema = %v, want %q", decoded["schema"], Schema)
	}
	verdicts, ok := decoded["verdicts"].([]any)
	if !ok || len(verdicts) != 2 {
		t.Fatalf("verdicts = %v, want two entries", decoded["verdicts"])
	}
	first := verdicts[0].(map[string]any)
	if first["log_line"] != "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version" {
		t.Errorf("log_line = %v", first["log_line"])
	}
	if first["cause"].(map[string]any)["software"] != "nginx" {
		t.Errorf("cause.software = %v, want nginx", first["cause"])
	}
	if decoded["exit_code"] != float64(ExitFindings) {
		t.Errorf("exit_code = %v, want %d", decoded["exit_code"], ExitFindings)
	}
}

func TestWriteTextVerdictFirst(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleReport(), FormatText, Options{}); err != nil {
		t.Fatalf("Write failed: %v", err)
	}
	out := buf.String()
	verdict := strings.Index(out, "Verdict")
	layers := strings.Index(out, "Layers")
	if verdict < 0 || layers < 0 || verdict > layers {
		t.Errorf("want the Verdict section before the Layers section:\n%s", out)
	}
	for _, want := range []string{
		"FAIL  Okta would fail at the tls layer",
		"it would log:  javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
		"it would show: Received fatal alert: protocol_version",
		"          - ssl_protocols TLSv1.2 TLSv1.3;\n            then reload",
		"OK    Microsoft Entra ID would connect (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("text output has ANSI colour codes without Options.Color")
	}
}

func TestWriteTextColor(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleReport(), FormatText, Options{Color: true}); err != nil {
		t.Fatalf("Write failed: %v", err)
	}
	if !strings.Contains(buf.String(), ansiRed+"FAIL"+ansiReset) {
		t.Error("Options.Color set, but FAIL is not red")
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"text", "json", "JSON"} {
		if _, err := ParseFormat(ok); err != nil {
			t.Errorf("ParseFormat(%q) failed: %v", ok, err)
		}
	}
	_, err := ParseFormat("yaml")
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Errorf("ParseFormat(yaml) error = %v, want it to name the value", err)
	}
}
