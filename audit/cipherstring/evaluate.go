package cipherstring

import (
	"fmt"
	"slices"
	"strings"
)

// Evaluate builds the ordered TLS 1.2 and older suite list that OpenSSL line
// v builds from cipher string s, following the parsing rules measured on
// OpenSSL 3.0:
//
//   - Terms are separated by ':', ',', ';' or ' '. A term is an optional
//     operator ('+', '-', '!' or '@') and one or more names joined by '+'; the
//     names of a joined term intersect (ECDHE+AESGCM).
//   - Names are case-sensitive suite names or aliases. A term with an
//     unknown name is skipped up to the next separator and reported in
//     Result.Warnings. DEFAULT is expanded only at the very start of s;
//     anywhere else it is an unknown name.
//   - A known term ends where its names end, so "AES128-SHA!AES128-SHA" is
//     two terms, and a character that cannot start a name there (such as
//     '_' or '#') makes the whole string invalid.
//   - A string that starts with SUITEB128ONLY, SUITEB128 or SUITEB192 is
//     replaced by that Suite B list (the rest is ignored, with a warning);
//     elsewhere these names are unknown. OpenSSL's Suite B mode also limits
//     curves and signature algorithms, which this package does not model.
//   - @STRENGTH sorts the list by strength, stable, and @SECLEVEL=n (0 to
//     5) sets the security level; the rest of an @ term up to the next
//     separator is ignored. Any other @ command is invalid.
//
// Evaluate returns an *Error when OpenSSL would reject the whole string: a
// syntax error, an invalid @ command, a string longer than MaxInputLength, or
// a string that selects no TLS 1.2 or older suite ("no cipher match").
func Evaluate(s string, v Version, opts Options) (*Result, error) {
	table, ok := tables[v]
	if !ok {
		return nil, fmt.Errorf("cipherstring: unknown OpenSSL version %d: use OpenSSL30, OpenSSL111 or OpenSSL102", int(v))
	}
	if opts.SecurityLevel < 0 || opts.SecurityLevel > 5 {
		return nil, fmt.Errorf("cipherstring: security level %d is out of range: use 0 to 5", opts.SecurityLevel)
	}
	if v == OpenSSL102 && opts.SecurityLevel != 0 {
		return nil, fmt.Errorf("cipherstring: security level %d given for OpenSSL 1.0.2, which has no security levels: use 0", opts.SecurityLevel)
	}
	if len(s) > MaxInputLength {
		return nil, &Error{Input: s[:40], Offset: MaxInputLength, Term: "", Reason: fmt.Sprintf("cipher string of %d bytes exceeds the %d-byte limit", len(s), MaxInputLength)}
	}

	e := &evaluator{
		table:  table,
		input:  s,
		active: make([]bool, len(table.suites)),
		result: &Result{Version: v, SecurityLevel: opts.SecurityLevel},
	}
	for i := range table.suites {
		e.order = append(e.order, i)
	}

	// A string that starts with SUITEB128ONLY, SUITEB128 or SUITEB192 is
	// replaced by the Suite B list of RFC 6460, whatever follows.
	for _, b := range suiteB {
		if strings.HasPrefix(s, b.prefix) {
			s = b.rule
			e.result.Warnings = append(e.result.Warnings, fmt.Sprintf("%s selects Suite B mode (RFC 6460): the rest of the string is ignored", b.prefix))
			break
		}
	}

	// OpenSSL expands DEFAULT only as the first seven bytes of the string,
	// and then skips one ':' after it.
	pos := 0
	if strings.HasPrefix(s, "DEFAULT") {
		before := slices.Clone(e.active)
		if err := e.run(table.defaultRule, 0, false); err != nil {
			return nil, fmt.Errorf("cipherstring: built-in DEFAULT rule %q: %w", table.defaultRule, err) // unreachable
		}
		var changed []string
		for _, i := range e.order {
			if e.active[i] && !before[i] {
				changed = append(changed, table.suites[i].Name)
			}
		}
		e.result.Terms = append(e.result.Terms, Term{Text: "DEFAULT", Offset: 0, Op: OpAdd, Changed: changed})
		pos = len("DEFAULT")
		if pos < len(s) && s[pos] == ':' {
			pos++
		}
	}
	if err := e.run(s, pos, true); err != nil {
		return nil, err
	}

	for _, i := range e.order {
		if e.active[i] {
			e.result.Suites = append(e.result.Suites, table.suites[i])
		}
	}
	if len(e.result.Suites) == 0 {
		return nil, &Error{Input: s, Offset: -1, Reason: fmt.Sprintf("no cipher match: %q selects no TLS 1.2 or older suite in %v, and OpenSSL rejects such a list", s, v)}
	}
	return e.result, nil
}

// suiteB lists the Suite B prefixes, longest first.
var suiteB = []struct{ prefix, rule string }{
	{"SUITEB128ONLY", "ECDHE-ECDSA-AES128-GCM-SHA256"},
	{"SUITEB128", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"},
	{"SUITEB192", "ECDHE-ECDSA-AES256-GCM-SHA384"},
}

// evaluator holds OpenSSL's working list: every suite not killed, in order,
// each active (in the result) or not.
type evaluator struct {
	table  *cipherTable
	input  string
	order  []int
	active []bool
	result *Result
}

func isSeparator(c byte) bool { return c == ':' || c == ',' || c == ';' || c == ' ' }

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '='
}

// run applies the terms of s from byte pos on. Offsets in errors refer to s;
// report is false while the built-in DEFAULT rule runs.
func (e *evaluator) run(s string, pos int, report bool) error {
	for pos < len(s) {
		if isSeparator(s[pos]) {
			pos++
			continue
		}
		start := pos
		op := OpAdd
		switch s[pos] {
		case '+', '-', '!', '@':
			op = Op(s[pos])
			pos++
		}

		if op == OpCommand {
			end := pos
			for end < len(s) && isNameByte(s[end]) {
				end++
			}
			if err := e.command(s, start, s[pos:end]); err != nil {
				return err
			}
			pos = skipToSeparator(s, end)
			continue
		}

		var set map[int]bool
		unknown := ""
		for {
			end := pos
			for end < len(s) && isNameByte(s[end]) {
				end++
			}
			if end == pos {
				return newError(s, pos, "invalid cipher string: expected a suite name or alias")
			}
			name := s[pos:end]
			pos = end
			members, ok := e.table.lookup(name)
			if !ok {
				unknown = name
				break
			}
			set = intersect(set, members)
			if pos < len(s) && s[pos] == '+' {
				pos++
				continue
			}
			break
		}

		if unknown != "" {
			pos = skipToSeparator(s, pos)
			if report {
				e.result.Terms = append(e.result.Terms, Term{Text: s[start:pos], Offset: start, Op: op, Unknown: true})
				e.result.Warnings = append(e.result.Warnings, unknownWarning(unknown, start, e.result.Version))
			}
			continue
		}
		changed := e.apply(op, set)
		if report {
			e.result.Terms = append(e.result.Terms, Term{Text: s[start:pos], Offset: start, Op: op, Changed: changed})
		}
	}
	return nil
}

func unknownWarning(name string, offset int, v Version) string {
	if name == "DEFAULT" {
		return fmt.Sprintf("DEFAULT at byte %d is ignored: %v expands DEFAULT only at the start of the string", offset, v)
	}
	return fmt.Sprintf("unknown cipher or alias %q at byte %d is ignored by %v: check its spelling and case", name, offset, v)
}

func skipToSeparator(s string, pos int) int {
	for pos < len(s) && !isSeparator(s[pos]) {
		pos++
	}
	return pos
}

func intersect(set, members map[int]bool) map[int]bool {
	if set == nil {
		return members
	}
	out := map[int]bool{}
	for i := range set {
		if members[i] {
			out[i] = true
		}
	}
	return out
}

// command runs @STRENGTH or @SECLEVEL=n; start is the offset of the '@'.
func (e *evaluator) command(s string, start int, name string) error {
	if name == "STRENGTH" {
		changed := e.sortByStrength()
		e.result.Terms = append(e.result.Terms, Term{Text: s[start : start+1+len(name)], Offset: start, Op: OpCommand, Changed: changed})
		return nil
	}
	level, ok := strings.CutPrefix(name, "SECLEVEL=")
	if !ok {
		return newError(s, start, "invalid command: only @STRENGTH and @SECLEVEL=n exist")
	}
	if e.result.Version == OpenSSL102 {
		return newError(s, start, "invalid command: OpenSSL 1.0.2 has no @SECLEVEL")
	}
	if len(level) != 1 || level[0] < '0' || level[0] > '5' {
		return newError(s, start, fmt.Sprintf("invalid security level %q: use one digit from 0 to 5", level))
	}
	e.result.SecurityLevel = int(level[0] - '0')
	e.result.Terms = append(e.result.Terms, Term{Text: s[start : start+1+len(name)], Offset: start, Op: OpCommand})
	return nil
}

// apply runs one operator on the suites in set and returns the names of the
// suites it changed.
func (e *evaluator) apply(op Op, set map[int]bool) []string {
	var hit, rest []int
	for _, i := range e.order {
		match := set[i]
		switch op {
		case OpAdd:
			match = match && !e.active[i]
		case OpMove, OpRemove:
			match = match && e.active[i]
		}
		if match {
			hit = append(hit, i)
		} else {
			rest = append(rest, i)
		}
	}

	switch op {
	case OpAdd, OpMove:
		// Added and moved suites go to the end, in list order.
		for _, i := range hit {
			e.active[i] = true
		}
		e.order = append(rest, hit...)
	case OpRemove:
		// Removed suites go to the front, in list order, so a later term
		// that adds them again adds them in their old relative order.
		for _, i := range hit {
			e.active[i] = false
		}
		e.order = append(hit, rest...)
	case OpKill:
		e.order = rest
	}

	names := make([]string, len(hit))
	for k, i := range hit {
		names[k] = e.table.suites[i].Name
	}
	return names
}

// sortByStrength moves the active suites to the end of the list, sorted by
// strength from high to low and stable within one strength.
func (e *evaluator) sortByStrength() []string {
	var inactive, active []int
	for _, i := range e.order {
		if e.active[i] {
			active = append(active, i)
		} else {
			inactive = append(inactive, i)
		}
	}
	before := slices.Clone(active)
	slices.SortStableFunc(active, func(a, b int) int {
		return e.table.suites[b].StrengthBits - e.table.suites[a].StrengthBits
	})
	var changed []string
	for k, i := range active {
		if before[k] != i {
			changed = append(changed, e.table.suites[i].Name)
		}
	}
	e.order = append(inactive, active...)
	return changed
}
