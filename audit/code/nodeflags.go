package code

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// nodeFlag matches the Node.js options that set the TLS range of the
// whole process: --tls-min-v1.0 to --tls-min-v1.3, and --tls-max-v1.2
// and --tls-max-v1.3, the only maximums Node.js accepts.
var nodeFlag = regexp.MustCompile(`--tls-(min-)v1\.([0-3])\b|--tls-(max-)v1\.([23])\b`)

// nodeFlagPins adds to g the flags in src[from:to], one group per key
// starting at line, and returns whether there was one.
func nodeFlagPins(g *groups, key, construct string, line int, src string, from, to int) bool {
	found := false
	for _, m := range nodeFlag.FindAllStringSubmatchIndex(src[from:to], -1) {
		start, end := from+m[0], from+m[1]
		low := m[2] >= 0
		digit := m[4]
		if !low {
			digit = m[8]
		}
		n := tls10 + int(src[from+digit]-'0')
		flagLine := strings.Count(src[:start], "\n") + 1
		p := g.get(key, line)
		p.languageFix = "remove the --tls-min and --tls-max options so that Node.js's default applies (TLS 1.2 to TLS 1.3)"
		q := &pin{version: n, line: flagLine, text: construct}
		q.fix = edit{start: start, end: end, replace: func(want []string) string {
			lo, hi := wantedRange(want)
			if low {
				return fmt.Sprintf("--tls-min-v1.%d", lo-tls10)
			}
			return fmt.Sprintf("--tls-max-v1.%d", hi-tls10)
		}}
		if low {
			p.min = q
		} else {
			p.max = q
		}
		found = true
	}
	return found
}

// scanPackageJSON returns the Node.js TLS options in the scripts of a
// package.json file, one group per script.
func scanPackageJSON(path, src string) ([]finding, error) {
	var g groups
	dec := json.NewDecoder(strings.NewReader(src))
	// frame is one open object or array; key is the object's current key.
	type frame struct {
		object, expectKey bool
		key               string
	}
	var stack []frame
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := strings.Count(src[:min(int(dec.InputOffset()), len(src))], "\n") + 1
			return nil, fmt.Errorf("%s:%d: invalid JSON: %v; fix package.json (npm reports the same error)", path, line, err)
		}
		after := int(dec.InputOffset())
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, frame{object: d == '{', expectKey: d == '{'})
			case '}', ']':
				stack = stack[:top]
				if top > 0 && stack[top-1].object {
					stack[top-1].expectKey = true
				}
			}
			continue
		}
		if top < 0 {
			continue
		}
		if stack[top].object && stack[top].expectKey {
			stack[top].key, _ = tok.(string)
			stack[top].expectKey = false
			continue
		}
		if v, ok := tok.(string); ok && top == 1 && stack[0].key == "scripts" && stack[1].object {
			key := stack[1].key
			line := strings.Count(src[:after], "\n") + 1
			nodeFlagPins(&g, "script "+key, fmt.Sprintf("npm script %q: %s", key, v), line, src, before, after)
		}
		if stack[top].object {
			stack[top].expectKey = true
		}
	}
	return g.findings(tls12, tls13, nodeDefaults), nil
}

// scanDockerfile returns the Node.js TLS options in a Dockerfile: in ENV
// NODE_OPTIONS and in the node command lines of RUN, CMD and ENTRYPOINT.
// Comment lines are skipped; a line ending in a backslash continues.
func scanDockerfile(path, src string) ([]finding, error) {
	var g groups
	offset := 0
	lines := strings.SplitAfter(src, "\n")
	for i := 0; i < len(lines); i++ {
		from := offset
		text := lines[i]
		offset += len(text)
		if strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		// Join continuation lines into one instruction.
		for strings.HasSuffix(strings.TrimRight(text, " \t\r\n"), "\\") && i+1 < len(lines) {
			i++
			text += lines[i]
			offset += len(lines[i])
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		instruction := strings.ToUpper(fields[0])
		switch instruction {
		case "ENV", "ARG", "RUN", "CMD", "ENTRYPOINT":
		default:
			continue
		}
		if instruction != "RUN" && instruction != "CMD" && instruction != "ENTRYPOINT" && !strings.Contains(text, "NODE_OPTIONS") {
			continue
		}
		construct := strings.Join(fields, " ")
		if len(construct) > 80 {
			construct = construct[:77] + "..."
		}
		line := strings.Count(src[:from], "\n") + 1
		nodeFlagPins(&g, fmt.Sprintf("instruction %d", from), construct, line, src, from, offset)
	}
	return g.findings(tls12, tls13, nodeDefaults), nil
}
