package code

import (
	"crypto/tls"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	goscanner "go/scanner"
	gotoken "go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// goVersionConsts are the crypto/tls version constants by version index.
var goVersionConsts = [...]string{"VersionSSL30", "VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13"}

// goDefaultVersions describes the range crypto/tls allows when MinVersion
// and MaxVersion are unset: TLS 1.2 and 1.3 for clients since Go 1.18 and
// for servers since Go 1.22 (supportedVersions in crypto/tls/common.go).
const goDefaultVersions = "default of Go 1.22 and later: TLS 1.2 to TLS 1.3 (MinVersion and MaxVersion unset)"

// goSetting is one field of a tls.Config that the scan evaluated.
type goSetting struct {
	expr ast.Expr
	line int
	// version is the version index of MinVersion or MaxVersion, or -1 for
	// 0, which means the default.
	version int
	// suites are the IANA names of a CipherSuites list.
	suites []string
}

// goConfig collects the TLS settings of one tls.Config literal, or of the
// assignments to the fields of one receiver in one function.
type goConfig struct {
	construct          string
	side               string
	line               int
	min, max, suites   *goSetting
	insecureSkipVerify int
	notes              []string
	// variable is the name the config is stored in, and function the
	// position of the function around it (0 at package level), to find
	// the side from where the variable is used.
	variable string
	function gotoken.Pos
}

// goUse is a place where a variable configures a client or a server, such
// as http.Server{TLSConfig: cfg} or tls.Dial(network, addr, cfg).
type goUse struct {
	function gotoken.Pos
	side     string
}

// goScan is the state of one Go file's scan.
type goScan struct {
	fset    *gotoken.FileSet
	src     string
	tlsName string
	configs []*goConfig
	// assigned indexes the configs built from assignments by function and
	// receiver.
	assigned map[string]*goConfig
	// uses lists by variable name the places that tell its side.
	uses map[string][]goUse
}

// scanGo parses src with go/parser and returns the tls.Config settings
// that pin versions or suites or turn off certificate verification.
func scanGo(path, src string) ([]finding, error) {
	if !strings.Contains(src, `"crypto/tls"`) {
		return nil, nil // no tls.Config without the import, so no need to parse
	}
	fset := gotoken.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		var list goscanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, fmt.Errorf("%s:%d: Go syntax error: %s; the file was not scanned: fix the syntax (go vet shows it)", path, list[0].Pos.Line, list[0].Msg)
		}
		return nil, fmt.Errorf("%s: Go syntax error: %v; the file was not scanned: fix the syntax (go vet shows it)", path, err)
	}
	g := &goScan{fset: fset, src: src, tlsName: goImportName(file, "crypto/tls"), assigned: map[string]*goConfig{}, uses: map[string][]goUse{}}
	if g.tlsName == "" {
		return nil, nil
	}
	g.walk(file)
	g.sidesFromUses()

	var out []finding
	for _, c := range g.configs {
		if f, ok := g.finding(c); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// goImportName returns the name under which file imports the package
// path: its last element, the rename, "." for a dot import, or "" when
// the file does not import it or imports it for side effects only.
func goImportName(file *ast.File, path string) string {
	for _, imp := range file.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != path {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" {
				return ""
			}
			return imp.Name.Name
		}
		return path[strings.LastIndexByte(path, '/')+1:]
	}
	return ""
}

func (g *goScan) line(n ast.Node) int { return g.fset.Position(n.Pos()).Line }

func (g *goScan) offset(p gotoken.Pos) int { return g.fset.Position(p).Offset }

// isTLS reports whether e is the crypto/tls identifier name, as
// tls.name or, after a dot import, name.
func (g *goScan) isTLS(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == g.tlsName && e.Sel.Name == name
	case *ast.Ident:
		return g.tlsName == "." && e.Name == name
	}
	return false
}

// qualified returns name as the file refers to it, such as tls.VersionTLS12.
func (g *goScan) qualified(name string) string {
	if g.tlsName == "." {
		return name
	}
	return g.tlsName + "." + name
}

// walk visits the file with a stack of the enclosing nodes.
func (g *goScan) walk(file *ast.File) {
	var stack []ast.Node
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		switch n := n.(type) {
		case *ast.CompositeLit:
			if g.isTLS(n.Type, "Config") {
				g.literal(n, stack)
			}
		case *ast.AssignStmt:
			g.assignment(n, stack)
		}
		g.recordUse(n, stack)
		stack = append(stack, n)
		return true
	})
}

// literal records the settings of a tls.Config composite literal.
func (g *goScan) literal(lit *ast.CompositeLit, stack []ast.Node) {
	c := &goConfig{construct: g.qualified("Config") + "{...}", side: g.side(stack), line: g.line(lit), function: g.enclosingFunc(stack)}
	c.variable = storedIn(stack)
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if key, ok := kv.Key.(*ast.Ident); ok {
			g.field(c, key.Name, kv.Value)
		}
	}
	g.configs = append(g.configs, c)
}

// assignment records assignments to the TLS fields of a receiver, such
// as cfg.MinVersion = tls.VersionTLS10, grouped by receiver and function.
func (g *goScan) assignment(as *ast.AssignStmt, stack []ast.Node) {
	if as.Tok != gotoken.ASSIGN || len(as.Lhs) != len(as.Rhs) {
		return
	}
	for i, lhs := range as.Lhs {
		sel, ok := lhs.(*ast.SelectorExpr)
		if !ok {
			continue
		}
		switch sel.Sel.Name {
		case "MinVersion", "MaxVersion":
			if _, ok := g.version(as.Rhs[i]); !ok {
				continue
			}
		case "CipherSuites", "InsecureSkipVerify":
		default:
			continue
		}
		receiver := types.ExprString(sel.X)
		key := fmt.Sprintf("%d/%s", g.enclosingFunc(stack), receiver)
		c := g.assigned[key]
		if c == nil {
			side := ""
			switch {
			case strings.HasSuffix(receiver, "TLSClientConfig"):
				side = "client"
			case strings.HasSuffix(receiver, "TLSConfig"):
				side = "server"
			}
			c = &goConfig{construct: receiver + " field assignments", side: side, line: g.line(as), function: g.enclosingFunc(stack)}
			if id, ok := sel.X.(*ast.Ident); ok {
				c.variable = id.Name
			}
			g.assigned[key] = c
			g.configs = append(g.configs, c)
		}
		g.field(c, sel.Sel.Name, as.Rhs[i])
	}
}

// storedIn returns the variable that the tls.Config literal, whose
// enclosing nodes are stack, is assigned to, as in cfg := &tls.Config{...}
// or var cfg = &tls.Config{...}, or "" for another place.
func storedIn(stack []ast.Node) string {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.UnaryExpr, *ast.ParenExpr:
			continue
		case *ast.AssignStmt:
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					return id.Name
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == 1 && len(n.Values) == 1 {
				return n.Names[0].Name
			}
		}
		return ""
	}
	return ""
}

// recordUse records n when it passes a variable as a client or a server
// configuration: http.Server{TLSConfig: cfg}, srv.TLSConfig = cfg,
// tls.Listen(network, addr, cfg), and their client forms.
func (g *goScan) recordUse(n ast.Node, stack []ast.Node) {
	add := func(e ast.Expr, side string) {
		if id, ok := e.(*ast.Ident); ok {
			g.uses[id.Name] = append(g.uses[id.Name], goUse{function: g.enclosingFunc(stack), side: side})
		}
	}
	sideOfField := map[string]string{"TLSConfig": "server", "TLSClientConfig": "client"}
	switch n := n.(type) {
	case *ast.KeyValueExpr:
		if key, ok := n.Key.(*ast.Ident); ok && sideOfField[key.Name] != "" {
			add(n.Value, sideOfField[key.Name])
		}
	case *ast.AssignStmt:
		for i, lhs := range n.Lhs {
			if sel, ok := lhs.(*ast.SelectorExpr); ok && sideOfField[sel.Sel.Name] != "" && i < len(n.Rhs) {
				add(n.Rhs[i], sideOfField[sel.Sel.Name])
			}
		}
	case *ast.CallExpr:
		side := g.callSide(n)
		if side == "" {
			return
		}
		for _, arg := range n.Args {
			add(arg, side)
		}
	}
}

// callSide returns "server" for calls of tls.Listen, tls.NewListener and
// tls.Server, "client" for tls.Dial, tls.DialWithDialer and tls.Client,
// and "" for other calls.
func (g *goScan) callSide(call *ast.CallExpr) string {
	for _, name := range []string{"Listen", "NewListener", "Server"} {
		if g.isTLS(call.Fun, name) {
			return "server"
		}
	}
	for _, name := range []string{"Dial", "DialWithDialer", "Client"} {
		if g.isTLS(call.Fun, name) {
			return "client"
		}
	}
	return ""
}

// sidesFromUses sets the side of each config stored in a variable that a
// client or server use in the same function takes, or any use when the
// variable is at package level. A variable used on both sides keeps no
// side.
func (g *goScan) sidesFromUses() {
	for _, c := range g.configs {
		if c.side != "" || c.variable == "" {
			continue
		}
		side := ""
		for _, u := range g.uses[c.variable] {
			if c.function != 0 && u.function != c.function {
				continue
			}
			if side != "" && side != u.side {
				side = ""
				break
			}
			side = u.side
		}
		c.side = side
	}
}

// enclosingFunc returns the position of the innermost function around the
// top of stack, or 0 at package level.
func (g *goScan) enclosingFunc(stack []ast.Node) gotoken.Pos {
	for i := len(stack) - 1; i >= 0; i-- {
		switch f := stack[i].(type) {
		case *ast.FuncDecl:
			return f.Pos()
		case *ast.FuncLit:
			return f.Pos()
		}
	}
	return 0
}

// field records one field of c set to value.
func (g *goScan) field(c *goConfig, name string, value ast.Expr) {
	line := g.line(value)
	switch name {
	case "MinVersion", "MaxVersion":
		v, ok := g.version(value)
		if !ok {
			c.notes = append(c.notes, fmt.Sprintf("%s is set from %s at line %d, which this scan cannot evaluate", name, types.ExprString(value), line))
			return
		}
		s := &goSetting{expr: value, line: line, version: v}
		if name == "MinVersion" {
			c.min = s
		} else {
			c.max = s
		}
	case "CipherSuites":
		suites, ok := g.suiteList(value)
		if !ok {
			c.notes = append(c.notes, fmt.Sprintf("CipherSuites is set from %s at line %d, which this scan cannot evaluate", types.ExprString(value), line))
			return
		}
		c.suites = &goSetting{expr: value, line: line, suites: suites}
	case "InsecureSkipVerify":
		if id, ok := value.(*ast.Ident); ok && id.Name == "true" {
			c.insecureSkipVerify = line
		}
	}
}

// version evaluates a MinVersion or MaxVersion value: a crypto/tls
// constant or an integer literal such as 0x0301. It returns -1 for 0.
func (g *goScan) version(e ast.Expr) (int, bool) {
	for i, name := range goVersionConsts {
		if g.isTLS(e, name) {
			return i, true
		}
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != gotoken.INT {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.ReplaceAll(lit.Value, "_", ""), 0, 16)
	switch {
	case err != nil:
		return 0, false
	case n == 0:
		return -1, true
	case n >= 0x0300 && n <= 0x0304:
		return int(n - 0x0300), true
	}
	return 0, false
}

// goSuiteIDs maps the crypto/tls suite constant names to their ids.
var goSuiteIDs = sync.OnceValue(func() map[string]uint16 {
	ids := map[string]uint16{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids[s.Name] = s.ID
	}
	// Go keeps these older names as aliases of the _SHA256 suites.
	ids["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"] = tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	ids["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"] = tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
	return ids
})

// suiteList evaluates a []uint16{tls.TLS_...} literal to IANA names.
func (g *goScan) suiteList(e ast.Expr) ([]string, bool) {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	suites := []string{}
	for _, elt := range lit.Elts {
		var name string
		switch elt := elt.(type) {
		case *ast.SelectorExpr:
			if x, ok := elt.X.(*ast.Ident); !ok || x.Name != g.tlsName {
				return nil, false
			}
			name = elt.Sel.Name
		case *ast.Ident:
			if g.tlsName != "." {
				return nil, false
			}
			name = elt.Name
		default:
			return nil, false
		}
		id, ok := goSuiteIDs()[name]
		if !ok {
			return nil, false
		}
		suites = append(suites, registry.SuiteName(id))
	}
	return suites, true
}

// side returns "client" or "server" when the nodes around a tls.Config
// literal show which it configures, and "" otherwise.
func (g *goScan) side(stack []ast.Node) string {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.UnaryExpr, *ast.ParenExpr:
			continue
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.Ident); ok {
				switch key.Name {
				case "TLSClientConfig":
					return "client"
				case "TLSConfig":
					return "server"
				case "Config":
					if i > 0 {
						if lit, ok := stack[i-1].(*ast.CompositeLit); ok && g.isTLS(lit.Type, "Dialer") {
							return "client"
						}
					}
				}
			}
		case *ast.CallExpr:
			return g.callSide(n)
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok {
					switch sel.Sel.Name {
					case "TLSClientConfig":
						return "client"
					case "TLSConfig":
						return "server"
					}
				}
			}
		}
		return ""
	}
	return ""
}

// finding converts c, when it sets anything, into a finding with the
// range crypto/tls derives from MinVersion and MaxVersion.
func (g *goScan) finding(c *goConfig) (finding, bool) {
	if c.min == nil && c.max == nil && c.suites == nil && c.insecureSkipVerify == 0 {
		return finding{}, false
	}
	f := finding{
		construct:       c.construct,
		side:            c.side,
		line:            c.line,
		versionsDefault: goDefaultVersions,
		notes:           c.notes,
		languageFix:     "set MinVersion: " + g.qualified("VersionTLS12") + " and leave MaxVersion unset",
	}

	// crypto/tls implements TLS 1.0 to 1.3 only, so VersionSSL30 acts as
	// TLS 1.0; 0 means the default.
	lo, hi := tls12, tls13
	if c.min != nil && c.min.version >= 0 {
		lo = max(c.min.version, tls10)
	}
	if c.max != nil && c.max.version >= 0 {
		hi = c.max.version
	}
	f.versions = span(lo, hi)
	switch {
	case c.max != nil && c.max.version >= 0 && c.max.version < tls13:
		f.versionsLine = c.max.line
	case c.min != nil:
		f.versionsLine = c.min.line
	case c.max != nil:
		f.versionsLine = c.max.line
	}
	if c.min != nil {
		f.versionFix = append(f.versionFix, g.versionEdit(c.min.expr, true))
	}
	if c.max != nil {
		f.versionFix = append(f.versionFix, g.versionEdit(c.max.expr, false))
	}

	if c.suites != nil {
		f.suites = c.suites.suites
		f.suitesLine = c.suites.line
		f.suitesFix = []edit{{start: g.offset(c.suites.expr.Pos()), end: g.offset(c.suites.expr.End()), replace: g.suitesText}}
		if f.versions.has(tls13) {
			f.notes = append(f.notes, "crypto/tls ignores CipherSuites for TLS 1.3, whose suites are fixed")
		}
	}
	if f.versions == 0 {
		f.notes = append(f.notes, "MaxVersion is below the lowest version this configuration allows, so crypto/tls fails every handshake with no supported versions")
	}
	if c.insecureSkipVerify > 0 {
		f.notes = append(f.notes, fmt.Sprintf("InsecureSkipVerify: true at line %d turns off certificate and host name verification, which lets anyone in the network path read the traffic; this is no version problem, but remove it and trust the server's CA through RootCAs", c.insecureSkipVerify))
	}
	return f, true
}

// versionEdit returns the edit that sets a MinVersion (low) or MaxVersion
// value to the wanted range's end.
func (g *goScan) versionEdit(e ast.Expr, low bool) edit {
	return edit{start: g.offset(e.Pos()), end: g.offset(e.End()), replace: func(want []string) string {
		lo, hi := wantedRange(want)
		if low {
			return g.qualified(goVersionConsts[lo])
		}
		return g.qualified(goVersionConsts[hi])
	}}
}

// suitesText writes a []uint16 literal of the crypto/tls constants for the
// TLS 1.2 suites among suites (IANA names) that Go implements.
func (g *goScan) suitesText(suites []string) string {
	var names []string
	for _, s := range suites {
		info, ok := registry.SuiteByName(s)
		if !ok || info.TLS13 {
			continue
		}
		name := tls.CipherSuiteName(info.ID)
		if _, known := goSuiteIDs()[name]; known && !strings.HasPrefix(name, "0x") {
			q := g.qualified(name)
			if !slices.Contains(names, q) {
				names = append(names, q)
			}
		}
	}
	return "[]uint16{" + strings.Join(names, ", ") + "}"
}
