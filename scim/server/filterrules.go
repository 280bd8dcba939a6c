package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/patch"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// convertStringBooleans rewrites, in place, each comparison of a boolean
// attribute with the string "true" or "false" (any case) into a
// comparison with the JSON boolean, as patch.RuleStringBoolean does for
// request bodies. Entra ID sends "True" and "False" in bodies, so a filter
// such as active eq "True" finds what such a body stored. It reports
// whether it converted anything, and leaves paths that do not resolve for
// the compiler to reject.
func convertStringBooleans(rt *schema.ResourceType, e filter.Expr) bool {
	converted := false
	convert := func(target *schema.Attribute, c *filter.Compare) {
		if target == nil || target.Type != schema.Boolean || c.Value.Kind != filter.StringValue {
			return
		}
		switch {
		case strings.EqualFold(c.Value.Text, "true"):
			c.Value = filter.Value{Kind: filter.BoolValue, Bool: true}
		case strings.EqualFold(c.Value.Text, "false"):
			c.Value = filter.Value{Kind: filter.BoolValue, Bool: false}
		default:
			return
		}
		converted = true
	}
	filter.Walk(e, func(node filter.Expr) bool {
		switch n := node.(type) {
		case *filter.Compare:
			if p, err := rt.Resolve(n.Path, scim.InvalidFilter); err == nil {
				convert(p.Target(), n)
			}
		case *filter.ValuePath:
			parent, err := rt.Resolve(n.Path, scim.InvalidFilter)
			if err != nil {
				return false
			}
			filter.Walk(n.Filter, func(inner filter.Expr) bool {
				if c, ok := inner.(*filter.Compare); ok {
					if sub, err := rt.ResolveSub(parent, c.Path, scim.InvalidFilter); err == nil {
						convert(sub, c)
					}
				}
				return true
			})
			return false
		}
		return true
	})
	return converted
}

// applyFilterRules applies the IdP dialect rules of a query's filter
// outside strict mode and logs the ones that fired.
func (s *Server) applyFilterRules(ctx context.Context, rt *schema.ResourceType, e filter.Expr) {
	if e == nil || s.cfg.Strict {
		return
	}
	if convertStringBooleans(rt, e) {
		s.logRules(ctx, "query", rt, "", []patch.Rule{patch.RuleStringBoolean}, nil)
	}
}

// checkSortOrder rejects a sortOrder other than "ascending" or
// "descending" (in any case), the two values of RFC 7644 Section
// 3.4.2.3, even without sortBy: a client that sends another value
// expects an order the server would not apply.
func checkSortOrder(sortOrder string) error {
	if sortOrder == "" || strings.EqualFold(sortOrder, "ascending") || strings.EqualFold(sortOrder, "descending") {
		return nil
	}
	return scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "invalid sortOrder %s: use ascending or descending", scim.Quote(sortOrder))
}
