package sqlstore

import (
	"bytes"
	"database/sql"
	"encoding/json"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// columns are the values that the store extracts from a document into
// indexed columns.
type columns struct {
	userName        sql.NullString
	userNameFold    sql.NullString
	externalID      sql.NullString
	displayName     sql.NullString
	displayNameFold sql.NullString
	// emails are the folded emails[].value of a User, without duplicates.
	emails []string
}

// extractColumns checks that doc is a JSON object fit for typ and returns
// its indexed values. An empty string counts as absent, as RFC 7643 Section
// 2.5 treats it as unassigned.
func extractColumns(typ store.ResourceType, doc json.RawMessage) (columns, error) {
	var c columns
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil || top == nil {
		return c, store.Invalidf("the %s document is not a JSON object; pass the resource body as encoded JSON", typ)
	}

	var err error
	if c.externalID, err = stringKey(typ, top, "externalId"); err != nil {
		return c, err
	}
	if c.displayName, err = stringKey(typ, top, "displayName"); err != nil {
		return c, err
	}
	if c.displayName.Valid {
		c.displayNameFold = sql.NullString{String: store.FoldCase(c.displayName.String), Valid: true}
	}

	switch typ {
	case store.User:
		if c.userName, err = stringKey(typ, top, "userName"); err != nil {
			return c, err
		}
		if !c.userName.Valid {
			return c, store.Invalidf("the User document has no userName; userName is required (RFC 7643 Section 4.1)")
		}
		c.userNameFold = sql.NullString{String: store.FoldCase(c.userName.String), Valid: true}
		if c.emails, err = emailValues(top["emails"]); err != nil {
			return c, err
		}
	case store.Group:
		if _, ok := top["members"]; ok {
			return c, store.Invalidf("the Group document contains \"members\"; remove the key and pass the member ids to Create, or edit them with the member methods")
		}
	}
	return c, nil
}

// stringKey returns the string value of key, invalid when the key is
// absent, null or "".
func stringKey(typ store.ResourceType, top map[string]json.RawMessage, key string) (sql.NullString, error) {
	raw, ok := top[key]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return sql.NullString{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return sql.NullString{}, store.Invalidf("%s %s is %s, not a string", typ, key, truncate(string(raw)))
	}
	return sql.NullString{String: s, Valid: s != ""}, nil
}

// emailValues returns the folded, distinct emails[].value strings. Elements
// that are not objects with a string value are skipped, because validating
// the document is the schema's job and they cannot match a filter on
// emails.value anyway.
func emailValues(raw json.RawMessage) ([]string, error) {
	if raw == nil || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var elements []json.RawMessage
	if err := json.Unmarshal(raw, &elements); err != nil {
		return nil, store.Invalidf("User emails is %s, not an array", truncate(string(raw)))
	}
	var values []string
	seen := map[string]bool{}
	for _, e := range elements {
		var email struct {
			Value *string `json:"value"`
		}
		if json.Unmarshal(e, &email) != nil || email.Value == nil || *email.Value == "" {
			continue
		}
		folded := store.FoldCase(*email.Value)
		if !seen[folded] {
			seen[folded] = true
			values = append(values, folded)
		}
	}
	return values, nil
}

// truncate cuts s for an error message.
func truncate(s string) string {
	const maxLen = 64
	if len(s) <= maxLen {
		return s
	}
	return s[:maxLen] + "..."
}
