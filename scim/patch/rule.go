package patch

// Rule is a named compatibility rule: a way in which the engine reads a
// request that RFC 7644 does not define, or defines differently, because
// Okta or Entra ID sends it. Every rule that changed the outcome of a
// request is listed in Result.Fired, so the server can log it.
type Rule struct {
	// Name is a short stable identifier, such as "op-case".
	Name string
	// Description is one line on what the rule accepts and what it does.
	Description string
	// Strict is true when the rule applies under Options.Strict too, because
	// the input it handles is valid by RFC 7643 or RFC 7644 and the rule only
	// records that it was seen. Rules with Strict false are IdP dialects:
	// under Options.Strict their input gets the RFC error instead.
	Strict bool
}

// The rules of the engine. Their names are part of the log format.
var (
	RuleSchemasMissing = Rule{Name: "patchop-schemas-missing", Description: `PatchOp body without "schemas" accepted because "Operations" is present`}
	RuleOpCase         = Rule{Name: "op-case", Description: `"op" matched case-insensitively, as Entra ID sends "Add", "Replace" and "Remove"`}
	RuleStringBoolean  = Rule{Name: "string-boolean", Description: `the strings "true" and "false" in any case converted to JSON booleans for boolean attributes`}

	RulePathlessDottedKey = Rule{Name: "pathless-dotted-key", Description: `a key such as "name.givenName" in a path-less value applied as the sub-attribute it names`}
	RulePathlessURNKey    = Rule{Name: "pathless-urn-key", Description: `a key prefixed with a schema URN in a path-less value applied to the attribute it names`}
	RuleReadOnlyKey       = Rule{Name: "readonly-key-ignored", Description: `a readOnly attribute (such as Okta's "id") in a path-less value ignored`}
	RuleUnknownAttribute  = Rule{Name: "unknown-attribute-ignored", Description: `an attribute that no schema defines (such as an Entra ID custom extension attribute) ignored, in a POST or PUT body, a path-less PATCH value or a PATCH path`}

	RuleFilterCreates    = Rule{Name: "filter-creates-element", Description: `add or replace at a value filter that matches nothing creates the element from the filter's eq terms`}
	RuleRemoveNoMatch    = Rule{Name: "remove-no-match", Description: `remove at a value filter that matches nothing changes nothing instead of failing with noTarget`}
	RuleRemoveValueList  = Rule{Name: "remove-value-list", Description: `remove with a path and a "value" list removes only the listed values of the multi-valued attribute`}
	RuleSingleForMulti   = Rule{Name: "single-value-for-multi-valued", Description: `a single value for a multi-valued attribute treated as a list of one`}
	RulePrimaryExclusive = Rule{Name: "primary-exclusive", Description: `setting "primary": true on one value sets it to false on the others`, Strict: true}
	RuleEmptyClears      = Rule{Name: "empty-clears", Description: `a null or "" value in add or replace removes the attribute instead of storing an empty value`, Strict: true}
	RuleManagerString    = Rule{Name: "manager-string", Description: `a string given for a singular complex attribute with a "value" sub-attribute (Entra's manager) stored as {"value": ...}`}

	RuleMemberTypeMissing = Rule{Name: "member-type-missing", Description: `a group member without "type" accepted; the store takes the type from the member's resource`, Strict: true}
	RuleMemberRefNull     = Rule{Name: "member-ref-null", Description: `a group member with "$ref": null accepted as a member without $ref`, Strict: true}
	RuleMemberRemoveList  = Rule{Name: "member-remove-value-list", Description: `remove with path "members" and a "value" list removes only the listed members, as Entra ID sends it`}

	RulePutReadOnly = Rule{Name: "put-readonly-ignored", Description: `readOnly attributes (id, meta, groups) in a PUT body ignored`, Strict: true}
)

// Rules returns every rule of the engine, for documentation and for tests.
func Rules() []Rule {
	return []Rule{
		RuleSchemasMissing, RuleOpCase, RuleStringBoolean,
		RulePathlessDottedKey, RulePathlessURNKey, RuleReadOnlyKey, RuleUnknownAttribute,
		RuleFilterCreates, RuleRemoveNoMatch, RuleRemoveValueList, RuleSingleForMulti,
		RulePrimaryExclusive, RuleEmptyClears, RuleManagerString,
		RuleMemberTypeMissing, RuleMemberRefNull, RuleMemberRemoveList,
		RulePutReadOnly,
	}
}

// fired collects the rules that fired, each once, in order of first firing.
type fired struct {
	rules []Rule
	seen  map[string]bool
}

func (f *fired) add(r Rule) {
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[r.Name] {
		return
	}
	f.seen[r.Name] = true
	f.rules = append(f.rules, r)
}
