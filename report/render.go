package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of a report.
type Format string

const (
	FormatText Format = "text"
	FormatJSON Format = "json"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(s)) {
	case FormatText:
		return FormatText, nil
	case FormatJSON:
		return FormatJSON, nil
	}
	return "", fmt.Errorf("invalid --format %q (use text or json)", s)
}

// Options tune the text renderer.
type Options struct {
	// Color adds ANSI colours; set it only when the output is a terminal.
	Color bool
}

// Write renders r in format f.
func Write(w io.Writer, r *Report, f Format, opts Options) error {
	switch f {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatText:
		return WriteText(w, r, opts)
	}
	return fmt.Errorf("invalid format %q (use text or json)", f)
}

// WriteJSON writes r as indented JSON with the schema name filled in.
func WriteJSON(w io.Writer, r *Report) error {
	if r.Schema == "" {
		r.Schema = Schema
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
