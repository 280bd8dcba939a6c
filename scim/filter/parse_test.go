package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
)

// parseCases are filters from RFC 7644 Section 3.4.2.2, the lookups Okta
// and Entra send, and edge cases. A case with want expects that canonical
// tree; a case with err expects that *scim.SyntaxError at offset.
var parseCases = []struct {
	name   string
	in     string
	want   string
	offset int
	err    string
}{
	{name: "rfc userName eq", in: "userName eq \"bjensen\"", want: "userName eq \"bjensen\""},
	{name: "rfc familyName co", in: "name.familyName co \"O'Malley\"", want: "name.familyName co \"O'Malley\""},
	{name: "rfc userName sw", in: "userName sw \"J\"", want: "userName sw \"J\""},
	{name: "rfc URN-qualified userName", in: "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"", want: "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\""},
	{name: "rfc title pr", in: "title pr", want: "title pr"},
	{name: "rfc lastModified gt", in: "meta.lastModified gt \"2011-05-13T04:42:34Z\"", want: "meta.lastModified gt \"2011-05-13T04:42:34Z\""},
	{name: "rfc lastModified ge", in: "meta.lastModified ge \"2011-05-13T04:42:34Z\"", want: "meta.lastModified ge \"2011-05-13T04:42:34Z\""},
	{name: "rfc lastModified lt", in: "meta.lastModified lt \"2011-05-13T04:42:34Z\"", want: "meta.lastModified lt \"2011-05-13T04:42:34Z\""},
	{name: "rfc lastModified le", in: "meta.lastModified le \"2011-05-13T04:42:34Z\"", want: "meta.lastModified le \"2011-05-13T04:42:34Z\""},
	{name: "rfc pr and eq", in: "title pr and userType eq \"Employee\"", want: "(title pr and userType eq \"Employee\")"},
	{name: "rfc pr or eq", in: "title pr or userType eq \"Intern\"", want: "(title pr or userType eq \"Intern\")"},
	{name: "rfc schemas eq extension", in: "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"", want: "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\""},
	{name: "rfc and with group", in: "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")", want: "(userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\"))"},
	{name: "rfc ne and not group", in: "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")", want: "(userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\"))"},
	{name: "rfc and with one-term group", in: "userType eq \"Employee\" and (emails.type eq \"work\")", want: "(userType eq \"Employee\" and emails.type eq \"work\")"},
	{name: "rfc and value filter", in: "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]", want: "(userType eq \"Employee\" and emails[(type eq \"work\" and value co \"@example.com\")])"},
	{name: "rfc value filters or", in: "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]", want: "(emails[(type eq \"work\" and value co \"@example.com\")] or ims[(type eq \"xmpp\" and value co \"@foo.com\")])"},
	{name: "rfc ne", in: "userName ne \"bjensen\"", want: "userName ne \"bjensen\""},
	{name: "rfc ew", in: "userName ew \"jensen\"", want: "userName ew \"jensen\""},
	{name: "rfc members value filter", in: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]", want: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"},
	{name: "okta userName lookup", in: "userName eq \"isaac.brock@example.com\"", want: "userName eq \"isaac.brock@example.com\""},
	{name: "okta group lookup", in: "displayName eq \"Engineering\"", want: "displayName eq \"Engineering\""},
	{name: "okta spec test caps", in: "userName eq \"ISAAC.BROCK@EXAMPLE.COM\"", want: "userName eq \"ISAAC.BROCK@EXAMPLE.COM\""},
	{name: "okta externalId", in: "externalId eq \"00u1abcdEFGHijkl0h7\"", want: "externalId eq \"00u1abcdEFGHijkl0h7\""},
	{name: "entra random guid", in: "userName eq \"3b0a6f9e-8c1d-4f7a-9e2b-5d6c7a8b9c0d\"", want: "userName eq \"3b0a6f9e-8c1d-4f7a-9e2b-5d6c7a8b9c0d\""},
	{name: "entra externalId", in: "externalId eq \"f4c1e3a2-1b2c-4d5e-8f90-123456789abc\"", want: "externalId eq \"f4c1e3a2-1b2c-4d5e-8f90-123456789abc\""},
	{name: "entra work email sub-attribute", in: "emails[type eq \"work\"].value eq \"bjensen@example.com\"", want: "emails[(type eq \"work\" and value eq \"bjensen@example.com\")]"},
	{name: "entra group displayName", in: "displayName eq \"Group\"", want: "displayName eq \"Group\""},
	{name: "entra id lookup", in: "id eq \"2441309d85324e7793ae\"", want: "id eq \"2441309d85324e7793ae\""},
	{name: "entra manager legacy", in: "id eq \"2441309d85324e7793ae\" and manager eq \"1234\"", want: "(id eq \"2441309d85324e7793ae\" and manager eq \"1234\")"},
	{name: "entra enterprise employeeId", in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\""},
	{name: "entra ref null in value filter", in: "members[value eq \"a1\" and $ref eq null]", want: "members[(value eq \"a1\" and $ref eq null)]"},
	{name: "enterprise manager value", in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\""},
	{name: "custom extension urn", in: "urn:ietf:params:scim:schemas:extension:acme:1.0:User:badge-id eq \"A-1\"", want: "urn:ietf:params:scim:schemas:extension:acme:1.0:User:badge-id eq \"A-1\""},
	{name: "precedence and over or", in: "a pr or b pr and c pr", want: "(a pr or (b pr and c pr))"},
	{name: "precedence and over or left", in: "a pr and b pr or c pr", want: "((a pr and b pr) or c pr)"},
	{name: "precedence not over and", in: "not (a pr) and b pr", want: "(not (a pr) and b pr)"},
	{name: "group overrides precedence", in: "(a pr or b pr) and c pr", want: "((a pr or b pr) and c pr)"},
	{name: "or chain flattens", in: "a pr or b pr or c pr or d pr", want: "(a pr or b pr or c pr or d pr)"},
	{name: "and chain flattens", in: "a pr and b pr and c pr", want: "(a pr and b pr and c pr)"},
	{name: "group of same op flattens", in: "a pr and (b pr and c pr)", want: "(a pr and b pr and c pr)"},
	{name: "left group flattens", in: "(a pr or b pr) or c pr", want: "(a pr or b pr or c pr)"},
	{name: "redundant parentheses", in: "((((a pr))))", want: "a pr"},
	{name: "not of group with or", in: "not (a pr or b pr)", want: "not (a pr or b pr)"},
	{name: "not of not", in: "not (not (a pr))", want: "not (not (a pr))"},
	{name: "mixed chain", in: "a pr or b pr and c pr or d pr", want: "(a pr or (b pr and c pr) or d pr)"},
	{name: "and of ors", in: "(a pr or b pr) and (c pr or d pr)", want: "((a pr or b pr) and (c pr or d pr))"},
	{name: "value filter with or and group", in: "emails[type eq \"work\" or (type eq \"home\" and primary eq true)]", want: "emails[(type eq \"work\" or (type eq \"home\" and primary eq true))]"},
	{name: "value filter with group", in: "emails[(type eq \"work\")]", want: "emails[type eq \"work\"]"},
	{name: "value filter with not", in: "emails[not (type eq \"work\")]", want: "emails[not (type eq \"work\")]"},
	{name: "value filter sub-attr pr", in: "emails[type eq \"work\"].value pr", want: "emails[(type eq \"work\" and value pr)]"},
	{name: "value filter sub-attr with and inside", in: "emails[type eq \"work\" and primary eq true].value sw \"b\"", want: "emails[(type eq \"work\" and primary eq true and value sw \"b\")]"},
	{name: "keywords upper case", in: "USERNAME EQ \"x\" AND TITLE PR OR NOT (A Pr)", want: "((USERNAME eq \"x\" and TITLE pr) or not (A pr))"},
	{name: "operator mixed case", in: "userName Eq \"x\"", want: "userName eq \"x\""},
	{name: "literals upper case", in: "active EQ TRUE", want: "active eq true"},
	{name: "null upper case", in: "title eq NULL", want: "title eq null"},
	{name: "false literal", in: "active eq false", want: "active eq false"},
	{name: "null literal", in: "title eq null", want: "title eq null"},
	{name: "integer", in: "age gt 30", want: "age gt 30"},
	{name: "negative integer", in: "delta lt -5", want: "delta lt -5"},
	{name: "decimal", in: "score ge 4.5", want: "score ge 4.5"},
	{name: "exponent", in: "big eq 1e3", want: "big eq 1e3"},
	{name: "negative exponent", in: "small le 2.5E-3", want: "small le 2.5E-3"},
	{name: "zero", in: "count eq 0", want: "count eq 0"},
	{name: "escaped quote", in: "displayName eq \"Group \\\"q\\\" name\"", want: "displayName eq \"Group \\\"q\\\" name\""},
	{name: "escaped backslash", in: "path eq \"C:\\\\dir\"", want: "path eq \"C:\\\\dir\""},
	{name: "escaped slash", in: "url sw \"http:\\/\\/x\"", want: "url sw \"http://x\""},
	{name: "control escapes", in: "note eq \"a\\nb\\tc\\r\\b\\f\"", want: "note eq \"a\\nb\\tc\\r\\u0008\\u000c\""},
	{name: "unicode escape lower hex", in: "x eq \"\\u00e9\"", want: "x eq \"é\""},
	{name: "unicode escape upper hex", in: "x eq \"\\u00E9\"", want: "x eq \"é\""},
	{name: "surrogate pair", in: "x eq \"\\ud83d\\ude00\"", want: "x eq \"😀\""},
	{name: "raw utf-8", in: "displayName eq \"Zoë Ñandú 日本\"", want: "displayName eq \"Zoë Ñandú 日本\""},
	{name: "empty string", in: "nickName eq \"\"", want: "nickName eq \"\""},
	{name: "string with and keyword", in: "title eq \"R and D\"", want: "title eq \"R and D\""},
	{name: "string with brackets", in: "title co \"[x] (y)\"", want: "title co \"[x] (y)\""},
	{name: "leading and trailing blanks", in: "   userName eq \"x\"   ", want: "userName eq \"x\""},
	{name: "tabs and newlines", in: "userName\teq\t\"x\"", want: "userName eq \"x\""},
	{name: "many spaces", in: "a   pr    and    b  pr", want: "(a pr and b pr)"},
	{name: "no space before paren", in: "not(a pr)", want: "not (a pr)"},
	{name: "no space around parens", in: "(a pr)and(b pr)", want: "(a pr and b pr)"},
	{name: "no space before value", in: "userName eq\"x\"", want: "userName eq \"x\""},
	{name: "dollar ref", in: "members.$ref eq \"https://example.com/v2/Users/1\"", want: "members.$ref eq \"https://example.com/v2/Users/1\""},
	{name: "attribute named not", in: "not eq \"x\"", want: "not eq \"x\""},
	{name: "attribute with hyphen and underscore", in: "x-attr_1 pr", want: "x-attr_1 pr"},
	{name: "meta version", in: "meta.version eq \"W/\\\"3694e05e9dff590\\\"\"", want: "meta.version eq \"W/\\\"3694e05e9dff590\\\"\""},
	{name: "empty", in: "", offset: 0, err: "empty filter at 0: write a filter such as userName eq \"bjensen\""},
	{name: "blank only", in: "   ", offset: 0, err: "empty filter at 0: write a filter such as userName eq \"bjensen\""},
	{name: "missing operator", in: "userName", offset: 8, err: "unexpected end of input at 8: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"},
	{name: "missing value", in: "userName eq", offset: 11, err: "unexpected end of input at 11: expected a value: a string in double quotes, a number, true, false or null"},
	{name: "unknown operator", in: "userName is \"x\"", offset: 9, err: "unexpected \"is\" at 9: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"},
	{name: "unquoted value", in: "userName eq bjensen", offset: 12, err: "unexpected \"bjensen\" at 12: expected a value: a string in double quotes, a number, true, false or null"},
	{name: "single quotes", in: "userName eq 'bjensen'", offset: 12, err: "unexpected \"'\" at 12: strings go in double quotes, as in userName eq \"bjensen\""},
	{name: "unterminated string", in: "userName eq \"bjensen", offset: 20, err: "unterminated string at 20: the string starting at 12 has no closing double quote"},
	{name: "unterminated after backslash", in: "userName eq \"abc\\", offset: 17, err: "unterminated string at 17: the input ends inside an escape sequence"},
	{name: "unbalanced open paren", in: "(userName eq \"x\"", offset: 16, err: "unexpected end of input at 16: expected \"and\", \"or\" or \")\""},
	{name: "unbalanced close paren", in: "userName eq \"x\")", offset: 15, err: "unexpected \")\" at 15: expected \"and\", \"or\" or the end of the filter"},
	{name: "empty parens", in: "()", offset: 1, err: "unexpected \")\" at 1: expected an attribute path, \"not\" or \"(\""},
	{name: "unclosed bracket", in: "emails[type eq \"work\"", offset: 21, err: "unexpected end of input at 21: expected \"and\", \"or\" or \"]\""},
	{name: "bracket closed by paren", in: "emails[type eq \"work\")", offset: 21, err: "unexpected \")\" at 21: expected \"and\", \"or\" or \"]\""},
	{name: "nested brackets", in: "emails[type eq \"work\" and x[y eq 1]]", offset: 27, err: "unexpected \"[\" at 27: value filters cannot nest: join the conditions with and/or inside one [ ]"},
	{name: "bracket after sub-attribute", in: "name.givenName[x eq 1]", offset: 14, err: "unexpected \"[\" at 14: a value filter follows a multi-valued attribute, not a sub-attribute: write name[...].givenName"},
	{name: "missing and operand", in: "userName eq \"x\" and", offset: 19, err: "unexpected end of input at 19: expected an attribute path, \"not\" or \"(\""},
	{name: "missing or operand", in: "userName eq \"x\" or", offset: 18, err: "unexpected end of input at 18: expected an attribute path, \"not\" or \"(\""},
	{name: "double and", in: "a pr and and b pr", offset: 13, err: "unexpected \"b\" at 13: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"},
	{name: "leading and", in: "and a pr", offset: 4, err: "unexpected \"a\" at 4: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"},
	{name: "not without parens", in: "not userName eq \"x\"", offset: 4, err: "unexpected \"userName\" at 4: expected \"(\" after \"not\", as in not (title pr)"},
	{name: "not at end", in: "not", offset: 3, err: "unexpected end of input at 3: expected \"(\" after \"not\", as in not (title pr)"},
	{name: "dangling value", in: "userName eq \"x\" \"y\"", offset: 16, err: "unexpected \"\\\"y\\\"\" at 16: expected \"and\", \"or\" or the end of the filter"},
	{name: "operator as value", in: "userName eq eq", offset: 12, err: "unexpected \"eq\" at 12: expected a value: a string in double quotes, a number, true, false or null"},
	{name: "two sub-attributes", in: "name.givenName.first eq \"x\"", offset: 14, err: "unexpected \".\" at 14: a path names at most one sub-attribute, as in name.givenName"},
	{name: "attribute starts with digit", in: "1abc eq \"x\"", offset: 1, err: "invalid number \"1abc\" at 1: expected a blank, ) or ] after the number; attribute names start with a letter (numbers follow JSON, as in 42, -1.5 or 1e3)"},
	{name: "empty urn", in: ":userName eq \"x\"", offset: 0, err: "unexpected \":\" at 0: expected an attribute path, an operator, a value, or one of ( ) [ ]"},
	{name: "urn without name", in: "urn:ietf:params:scim:schemas:core:2.0:User: eq \"x\"", offset: 43, err: "missing attribute name after schema URI \"urn:ietf:params:scim:schemas:core:2.0:User\" at 43"},
	{name: "invalid escape", in: "x eq \"\\q\"", offset: 6, err: "invalid escape \"\\\\q\" at 6: JSON strings allow \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"},
	{name: "short unicode escape", in: "x eq \"\\u12\"", offset: 6, err: "invalid escape \"\\\\u12\\\"\" at 6: \\u takes four hex digits, as in \\u00e9"},
	{name: "bad hex in unicode escape", in: "x eq \"\\u12g4\"", offset: 6, err: "invalid escape \"\\\\u12g4\" at 6: \\u takes four hex digits, as in \\u00e9"},
	{name: "lone high surrogate", in: "x eq \"\\ud800\"", offset: 6, err: "unpaired UTF-16 surrogate \\ud800 at 6: a \\ud800-\\udbff escape must be followed by a \\udc00-\\udfff escape"},
	{name: "lone low surrogate", in: "x eq \"\\udc00\"", offset: 6, err: "unpaired UTF-16 surrogate \\udc00 at 6: a \\ud800-\\udbff escape must be followed by a \\udc00-\\udfff escape"},
	{name: "high surrogate then non-surrogate", in: "x eq \"\\ud800\\u0041\"", offset: 6, err: "unpaired UTF-16 surrogate \\ud800 at 6: a \\ud800-\\udbff escape must be followed by a \\udc00-\\udfff escape"},
	{name: "nul escape", in: "x eq \"\\u0000\"", offset: 6, err: "NUL character \\u0000 in string at 6: remove it: stored values never contain NUL"},
	{name: "leading zero number", in: "x eq 012", offset: 6, err: "invalid number \"012\" at 6: expected no leading zero (numbers follow JSON, as in 42, -1.5 or 1e3)"},
	{name: "number without digits", in: "x eq -", offset: 6, err: "invalid number \"-\" at 6: expected a digit (numbers follow JSON, as in 42, -1.5 or 1e3)"},
	{name: "number trailing dot", in: "x eq 1.", offset: 7, err: "invalid number \"1.\" at 7: expected a digit after the decimal point (numbers follow JSON, as in 42, -1.5 or 1e3)"},
	{name: "number with letters", in: "x eq 12abc", offset: 7, err: "invalid number \"12abc\" at 7: expected a blank, ) or ] after the number; attribute names start with a letter (numbers follow JSON, as in 42, -1.5 or 1e3)"},
	{name: "number out of range", in: "x eq 1e999", offset: 5, err: "number \"1e999\" is out of range at 5: use a number within the range of a 64-bit float"},
	{name: "dot after value filter without name", in: "emails[type eq \"work\"]. eq \"x\"", offset: 24, err: "unexpected \"eq\" at 24: expected a sub-attribute name directly after \"].\", as in emails[type eq \"work\"].value"},
	{name: "value filter sub-attr without operator", in: "emails[type eq \"work\"].value", offset: 28, err: "unexpected end of input at 28: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr"},
	{name: "stray bracket", in: "]", offset: 0, err: "unexpected \"]\" at 0: expected an attribute path, \"not\" or \"(\""},
	{name: "stray dot", in: ".value pr", offset: 0, err: "unexpected \".\" at 0: expected an attribute path, \"not\" or \"(\""},
	{name: "comma", in: "a pr, b pr", offset: 4, err: "unexpected \",\" at 4: expected an attribute path, an operator, a value, or one of ( ) [ ]"},
}

func TestParseTable(t *testing.T) {
	if len(parseCases) < 100 {
		t.Fatalf("table has %d cases, want at least 100", len(parseCases))
	}
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if tc.err != "" {
				checkSyntaxError(t, err, scim.InvalidFilter, tc.offset, tc.err)
				if e != nil {
					t.Errorf("Parse(%q) returned tree %v with the error", tc.in, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got := e.String(); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("reparse of %q: %v", e.String(), err)
			}
			if again.String() != e.String() {
				t.Errorf("round trip changed the tree: %s became %s", e, again)
			}
		})
	}
}

func checkSyntaxError(t *testing.T, err error, scimType string, offset int, msg string) {
	t.Helper()
	var se *scim.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want *scim.SyntaxError", err, err)
	}
	if se.Offset != offset {
		t.Errorf("offset = %d, want %d (%v)", se.Offset, offset, se)
	}
	if msg != "" && se.Error() != msg {
		t.Errorf("message\n got %s\nwant %s", se.Error(), msg)
	}
	if se.ScimType != scimType {
		t.Errorf("scimType = %q, want %q", se.ScimType, scimType)
	}
	var scimErr *scim.Error
	if !errors.As(err, &scimErr) {
		t.Fatalf("error does not unwrap to *scim.Error")
	}
	if scimErr.Status != 400 || scimErr.ScimType != scimType || scimErr.Detail != se.Error() {
		t.Errorf("scim.Error = %+v, want status 400, %s and the message as detail", scimErr, scimType)
	}
}

// hostileCases are inputs an attacker or a broken client may send: raw
// control and invalid bytes, limits and their edges.
func TestParseHostile(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("(", n) + "a pr" + strings.Repeat(")", n) }
	deepNot := func(n int) string { return strings.Repeat("not (", n) + "a pr" + strings.Repeat(")", n) }
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("a%d pr", i)
		}
		return strings.Join(parts, " or ")
	}
	tooManyOffset := len(terms(MaxTerms)) + len(" or ")
	cases := []struct {
		name   string
		in     string
		ok     bool
		offset int
		err    string
	}{
		{name: "NUL byte after filter", in: "userName eq \"x\"\x00", offset: 15, err: `unexpected "\x00" at 15: expected an attribute path, an operator, a value, or one of ( ) [ ]`},
		{name: "NUL byte in string", in: "userName eq \"a\x00b\"", offset: 14, err: `control character 0x00 in string at 14: escape it, as in \n or \u001f`},
		{name: "raw newline in string", in: "userName eq \"a\nb\"", offset: 14, err: `control character 0x0a in string at 14: escape it, as in \n or \u001f`},
		{name: "invalid UTF-8 in attribute", in: "user\xffName eq \"x\"", offset: 4, err: "invalid UTF-8 byte 0xff at 4: send the request as UTF-8"},
		{name: "invalid UTF-8 in string", in: "userName eq \"\xff\"", offset: 13, err: "invalid UTF-8 byte 0xff in string at 13: send the request as UTF-8"},
		{name: "overlong UTF-8 in string", in: "userName eq \"\xc0\xaf\"", offset: 13, err: "invalid UTF-8 byte 0xc0 in string at 13: send the request as UTF-8"},
		{name: "encoded surrogate in raw UTF-8", in: "userName eq \"\xed\xa0\x80\"", offset: 13, err: "invalid UTF-8 byte 0xed in string at 13: send the request as UTF-8"},
		{name: "non-ASCII outside string", in: "usér pr", offset: 2, err: `unexpected "é" at 2: expected an attribute path, an operator, a value, or one of ( ) [ ]`},
		{name: "nesting at the limit", in: deep(MaxDepth), ok: true},
		{name: "nesting over the limit", in: deep(MaxDepth + 1), offset: MaxDepth, err: "nesting deeper than 32 levels at 32: remove redundant parentheses"},
		{name: "not nesting over the limit", in: deepNot(MaxDepth + 1), offset: 5*MaxDepth + 4, err: "nesting deeper than 32 levels at 164: remove redundant parentheses"},
		{name: "thousand open parentheses", in: strings.Repeat("(", 1000), offset: MaxDepth, err: "nesting deeper than 32 levels at 32: remove redundant parentheses"},
		{name: "terms at the limit", in: terms(MaxTerms), ok: true},
		{name: "terms over the limit", in: terms(MaxTerms + 1), offset: tooManyOffset, err: fmt.Sprintf("more than 256 comparisons at %d: split the query into several requests", tooManyOffset)},
		{name: "length at the limit", in: "userName eq \"" + strings.Repeat("x", MaxBytes-14) + "\"", ok: true},
		{name: "length over the limit", in: "userName eq \"" + strings.Repeat("x", MaxBytes-13) + "\"", offset: MaxBytes, err: "filter of 4097 bytes exceeds the limit of 4096 bytes at 4096: split the query into several requests"},
		{name: "one megabyte", in: strings.Repeat("a", 1<<20), offset: MaxBytes, err: "filter of 1048576 bytes exceeds the limit of 4096 bytes at 4096: split the query into several requests"},
		{name: "long token quoted short", in: "userName eq " + strings.Repeat("z", 100), offset: 12, err: `unexpected "` + strings.Repeat("z", 80) + `"... at 12: expected a value: a string in double quotes, a number, true, false or null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.in)
			if tc.ok {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			checkSyntaxError(t, err, scim.InvalidFilter, tc.offset, tc.err)
			if e != nil {
				t.Errorf("tree %v returned with the error", e)
			}
		})
	}
}

func TestParseWithLimitsCustom(t *testing.T) {
	limits := Limits{MaxBytes: 10, MaxDepth: 1, MaxTerms: 1}
	if _, err := ParseWithLimits("a pr", limits); err != nil {
		t.Fatalf("within limits: %v", err)
	}
	_, err := ParseWithLimits("a pr or b pr", limits)
	checkSyntaxError(t, err, scim.InvalidFilter, 10, "filter of 12 bytes exceeds the limit of 10 bytes at 10: split the query into several requests")
	_, err = ParseWithLimits("((a pr))", limits)
	checkSyntaxError(t, err, scim.InvalidFilter, 1, "nesting deeper than 1 levels at 1: remove redundant parentheses")
	_, err = ParseWithLimits("a pr or b pr", Limits{MaxTerms: 1})
	checkSyntaxError(t, err, scim.InvalidFilter, 8, "more than 1 comparisons at 8: split the query into several requests")
}

func TestParseTreeFields(t *testing.T) {
	e, err := Parse(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1" and emails[type eq "work"] and not (age gt 2.5)`)
	if err != nil {
		t.Fatal(err)
	}
	and, ok := e.(*Logical)
	if !ok || and.Op != And || len(and.Terms) != 3 {
		t.Fatalf("top node = %#v, want an and of three terms", e)
	}
	cmp, ok := and.Terms[0].(*Compare)
	if !ok {
		t.Fatalf("term 0 = %T, want *Compare", and.Terms[0])
	}
	wantPath := scim.AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}
	if cmp.Path != wantPath {
		t.Errorf("path = %#v, want %#v", cmp.Path, wantPath)
	}
	if cmp.Op != Eq || cmp.Value.Kind != StringValue || cmp.Value.Text != "m1" || cmp.Offset != 0 {
		t.Errorf("compare = %+v", cmp)
	}
	vp, ok := and.Terms[1].(*ValuePath)
	if !ok || vp.Path.Name != "emails" || vp.Offset != 85 {
		t.Fatalf("term 1 = %#v, want a value path on emails at 85", and.Terms[1])
	}
	if inner, ok := vp.Filter.(*Compare); !ok || inner.Path.Name != "type" || inner.Value.Text != "work" {
		t.Errorf("value filter = %#v", vp.Filter)
	}
	not, ok := and.Terms[2].(*Not)
	if !ok {
		t.Fatalf("term 2 = %T, want *Not", and.Terms[2])
	}
	num, ok := not.X.(*Compare)
	if !ok || num.Value.Kind != NumberValue || num.Value.Number != "2.5" || num.Op != Gt {
		t.Errorf("not operand = %#v", not.X)
	}

	var kinds []string
	Walk(e, func(n Expr) bool {
		kinds = append(kinds, fmt.Sprintf("%T", n))
		return true
	})
	want := "*filter.Logical *filter.Compare *filter.ValuePath *filter.Compare *filter.Not *filter.Compare"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("Walk order = %s, want %s", got, want)
	}
}

func TestValueAny(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{`a eq "s"`, "s"},
		{`a eq true`, true},
		{`a eq false`, false},
		{`a eq null`, nil},
	}
	for _, tc := range cases {
		e, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.(*Compare).Value.Any(); got != tc.want {
			t.Errorf("%s: Any() = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestQuoteJSONControlCharacters(t *testing.T) {
	e, err := Parse(`a eq "\u0001\u001f\u007f\"\\"`)
	if err != nil {
		t.Fatal(err)
	}
	want := `a eq "\u0001\u001f\u007f\"\\"`
	if got := e.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
