package sqlstore

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

func TestExtractColumns(t *testing.T) {
	tests := []struct {
		name         string
		typ          store.ResourceType
		doc          string
		wantUserName string
		wantExternal string
		wantDisplay  string
		wantEmails   []string
	}{
		{"user", store.User, `{"userName":"Bob","externalId":"X1","displayName":"Bob B"}`, "BOB", "X1", "BOB B", nil},
		{"empty externalId is absent", store.User, `{"userName":"a","externalId":""}`, "A", "", "", nil},
		{"null displayName is absent", store.User, `{"userName":"a","displayName":null}`, "A", "", "", nil},
		{"emails folded and distinct", store.User, `{"userName":"a","emails":[{"value":"X@y"},{"value":"x@Y"},{"type":"work"},"junk",{"value":7},{"value":""}]}`, "A", "", "", []string{"X@Y"}},
		{"emails null", store.User, `{"userName":"a","emails":null}`, "A", "", "", nil},
		{"group", store.Group, `{"displayName":"Admins"}`, "", "", "ADMINS", nil},
		{"group without displayName", store.Group, `{}`, "", "", "", nil},
		{"keys are case-sensitive", store.User, `{"userName":"a","EXTERNALID":"x"}`, "A", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := extractColumns(tt.typ, json.RawMessage(tt.doc))
			if err != nil {
				t.Fatalf("extractColumns: %v", err)
			}
			if c.userNameFold.String != tt.wantUserName || c.externalID.String != tt.wantExternal || c.displayNameFold.String != tt.wantDisplay {
				t.Errorf("got userName %q externalId %q displayName %q; want %q %q %q",
					c.userNameFold.String, c.externalID.String, c.displayNameFold.String, tt.wantUserName, tt.wantExternal, tt.wantDisplay)
			}
			if len(c.emails) != len(tt.wantEmails) || (len(c.emails) > 0 && c.emails[0] != tt.wantEmails[0]) {
				t.Errorf("got emails %q, want %q", c.emails, tt.wantEmails)
			}
		})
	}
}

// FuzzExtractColumns feeds arbitrary bytes as a document: extractColumns
// returns columns or an ErrInvalid error and never panics.
func FuzzExtractColumns(f *testing.F) {
	f.Add([]byte(`{"userName":"bob","emails":[{"value":"a@b"}],"externalId":"x"}`), true)
	f.Add([]byte(`{"displayName":"g","members":[]}`), false)
	f.Add([]byte(`{"userName":1}`), true)
	f.Add([]byte(`[`), false)
	f.Fuzz(func(t *testing.T, doc []byte, user bool) {
		typ := store.Group
		if user {
			typ = store.User
		}
		c, err := extractColumns(typ, doc)
		if err != nil && !errors.Is(err, store.ErrInvalid) {
			t.Errorf("extractColumns(%q) = %v, want ErrInvalid or success", doc, err)
		}
		if err == nil && user && c.userNameFold.String == "" {
			t.Errorf("extractColumns(%q) accepted a User without userName", doc)
		}
	})
}
