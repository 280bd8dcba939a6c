package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scimdoctor/scimdoctor/scim/store"
	"github.com/scimdoctor/scimdoctor/scim/store/sqlstore"
)

// Example opens an SQLite store as serve --db does, creates a User and a
// Group, and runs the case-insensitive userName filter that Entra ID sends
// to find an existing account.
func Example() {
	dir, err := os.MkdirTemp("", "sqlstore-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlstore.Open(ctx, filepath.Join(dir, "scimdoctor.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	user, err := s.Create(ctx, "default", store.User, json.RawMessage(`{"userName":"Ana.Lima@example.com","active":true}`), nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Create(ctx, "default", store.Group, json.RawMessage(`{"displayName":"Engineering"}`), []string{user.ID}); err != nil {
		log.Fatal(err)
	}

	page, err := s.List(ctx, "default", store.Query{
		Type:  store.User,
		Where: &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: "ana.lima@EXAMPLE.com"},
		Count: 100,
	})
	if err != nil {
		log.Fatal(err)
	}
	groups, err := s.GroupsOf(ctx, "default", user.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("totalResults %d, version %d, document %s, groups %d (%s)\n",
		page.Total, page.Resources[0].Version, page.Resources[0].Doc, len(groups), groups[0].DisplayName)

	_, err = s.Create(ctx, "default", store.User, json.RawMessage(`{"userName":"ANA.LIMA@example.com"}`), nil)
	fmt.Println(err)
	// Output:
	// totalResults 1, version 1, document {"userName":"Ana.Lima@example.com","active":true}, groups 1 (Engineering)
	// store: userName "ANA.LIMA@example.com" is already taken in this tenant (names that differ only in case are the same); choose another value or update the existing resource
}
