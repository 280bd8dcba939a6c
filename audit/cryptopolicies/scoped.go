package cryptopolicies

import (
	"slices"
	"strconv"
)

// Scoped is a Composite for one back end: the result of the directives
// whose scope selects the back end, applied in order.
type Scoped struct {
	// Enabled lists the allowed algorithms per property, in preference
	// order.
	Enabled  map[string][]string
	Integers map[string]int
	Enums    map[string]string
	// Source is the last directive that changed each property.
	Source map[string]Directive
	// BuiltIn reports whether Source[property] came from a built-in file.
	BuiltIn map[string]bool
}

// For applies c's directives for back end b.
func (c *Composite) For(b Backend) *Scoped {
	s := &Scoped{
		Enabled:  map[string][]string{},
		Integers: map[string]int{},
		Enums:    map[string]string{},
		Source:   map[string]Directive{},
		BuiltIn:  map[string]bool{},
	}
	for k, v := range integerProperties {
		s.Integers[k] = v
	}
	for k, v := range enumProperties {
		s.Enums[k] = v[0]
	}
	requested := backendScopes[b]
	for _, f := range c.Files {
		for _, d := range f.Directives {
			if !scopeMatches(d.Scope, requested) {
				continue
			}
			list := s.Enabled[d.Property]
			switch d.Op {
			case OpReset:
				list = nil
			case OpAppend:
				if !slices.Contains(list, d.Value) {
					list = append(list, d.Value)
				}
			case OpPrepend:
				list = slices.DeleteFunc(list, func(v string) bool { return v == d.Value })
				list = slices.Insert(list, 0, d.Value)
			case OpOmit:
				list = slices.DeleteFunc(list, func(v string) bool { return v == d.Value })
			case OpSetInt:
				n, _ := strconv.Atoi(d.Value)
				s.Integers[d.Property] = n
			case OpSetEnum:
				s.Enums[d.Property] = d.Value
			}
			if d.Op != OpSetInt && d.Op != OpSetEnum {
				s.Enabled[d.Property] = list
			}
			s.Source[d.Property] = d
			s.BuiltIn[d.Property] = c.BuiltIn[f]
		}
	}
	return s
}

// Has reports whether property allows name.
func (s *Scoped) Has(property, name string) bool {
	return slices.Contains(s.Enabled[property], name)
}

// disabled returns the algorithms of property that s does not allow, in
// list order.
func (s *Scoped) disabled(property string) []string {
	var out []string
	for _, name := range algorithms[property] {
		if !s.Has(property, name) {
			out = append(out, name)
		}
	}
	return out
}

// minTLS and maxTLS return the lowest and highest TLS version enabled, or
// "" when none is.
func (s *Scoped) minTLS() string {
	for i := len(tlsProtocols) - 1; i >= 0; i-- {
		if s.Has("protocol", tlsProtocols[i]) {
			return tlsProtocols[i]
		}
	}
	return ""
}

func (s *Scoped) maxTLS() string {
	for _, v := range tlsProtocols {
		if s.Has("protocol", v) {
			return v
		}
	}
	return ""
}
