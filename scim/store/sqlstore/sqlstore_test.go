package sqlstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/scim/store"
	"github.com/scimdoctor/scimdoctor/scim/store/storetest"
)

// sqliteDatabase is a storetest.NewDatabase for a new SQLite file.
func sqliteDatabase(t testing.TB) func(testing.TB) store.Store {
	path := filepath.Join(t.TempDir(), "scimdoctor.db")
	return func(t testing.TB) store.Store {
		s, err := OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatalf("OpenSQLite(%q): %v", path, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// postgresDatabase returns a storetest.NewDatabase that creates each
// database on the server at dsn.
func postgresDatabase(dsn string) storetest.NewDatabase {
	return func(t testing.TB) func(testing.TB) store.Store {
		db := testservers.CreatePostgresDatabase(t, dsn)
		return func(t testing.TB) store.Store {
			s, err := OpenPostgres(context.Background(), db)
			if err != nil {
				t.Fatalf("OpenPostgres: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
}

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, sqliteDatabase)
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, postgresDatabase(testservers.StartPostgres(t)))
}

func BenchmarkSQLiteAddMember(b *testing.B) {
	storetest.BenchmarkAddMember(b, sqliteDatabase)
}

func BenchmarkPostgresAddMember(b *testing.B) {
	storetest.BenchmarkAddMember(b, postgresDatabase(testservers.StartPostgres(b)))
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not an SQLite database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		db   string
		want string
	}{
		{"empty", "", "empty --db value"},
		{"unknown scheme", "mysql://localhost/db", `unsupported --db scheme "mysql://"`},
		{"missing folder", filepath.Join(dir, "no", "such", "x.db"), "does not exist"},
		{"folder", dir, "is a folder"},
		{"memory name", ":memory:", "in-memory"},
		{"postgres key=value string", "host=127.0.0.1 dbname=scim user=u", "key=value connection string"},
		{"file URI", "file:x.db", "URI"},
		{"not a database", notDB, "check that it is an SQLite database"},
		{"bad postgres URL", "postgres://user:secret@127.0.0.1:notaport/db", "invalid PostgreSQL --db URL"},
		{"postgres not running", "postgres://user@127.0.0.1:1/db?connect_timeout=5", "connecting to PostgreSQL at 127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.db)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error containing %q", tt.db, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %q, want it to contain %q", tt.db, err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("Open(%q) = %q, which shows the password", tt.db, err)
			}
		})
	}
}

func TestOpenSQLiteSpecialPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir %41 ?x#y é", "scim.db")
	if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	defer s.Close()
	if _, err := s.Create(context.Background(), "t", store.User, []byte(`{"userName":"u"}`), nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %q: %v", path, err)
	}
}

// TestNewerSchema checks that a binary refuses a database that a newer
// binary migrated, for both databases.
func TestNewerSchema(t *testing.T) {
	dsn := testservers.StartPostgres(t)
	tests := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "new.db") }},
		{"postgres", func(t *testing.T) string { return testservers.CreatePostgresDatabase(t, dsn) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := tt.db(t)
			s, err := Open(ctx, db)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if _, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				999, "0999_future.sql", 0); err != nil {
				t.Fatalf("recording a future migration: %v", err)
			}
			s.Close()

			_, err = Open(ctx, db)
			if err == nil || !strings.Contains(err.Error(), "schema is at version 999, newer than this scimdoctor") {
				t.Errorf("Open of a newer database: %v, want a version error", err)
			}
		})
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := testservers.StartPostgres(t)
	tests := []struct {
		name string
		db   string
	}{
		{"sqlite", filepath.Join(t.TempDir(), "race.db")},
		{"postgres", dsn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const opens = 4
			errs := make(chan error, opens)
			stores := make(chan *Store, opens)
			for range opens {
				go func() {
					s, err := Open(context.Background(), tt.db)
					errs <- err
					stores <- s
				}()
			}
			for range opens {
				if err := <-errs; err != nil {
					t.Errorf("concurrent Open: %v", err)
				}
				if s := <-stores; s != nil {
					defer s.Close()
				}
			}
		})
	}
}

func TestPrefixUpperBound(t *testing.T) {
	tests := []struct {
		prefix  string
		want    string
		bounded bool
	}{
		{"", "", false},
		{"AB", "AC", true},
		{"A\u007f", "A\u0080", true},
		{"É", "Ê", true},
		{"A\ud7ff", "A\ue000", true},
		{"A\U0010FFFF", "B", true},
		{"\U0010FFFF\U0010FFFF", "", false},
	}
	for _, tt := range tests {
		got, bounded := prefixUpperBound(tt.prefix)
		if got != tt.want || bounded != tt.bounded {
			t.Errorf("prefixUpperBound(%q) = %q, %v; want %q, %v", tt.prefix, got, bounded, tt.want, tt.bounded)
		}
	}
}

func TestMigrationsNumbered(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		steps, err := loadMigrations(dialect)
		if err != nil {
			t.Fatalf("loadMigrations(%q): %v", dialect, err)
		}
		if len(steps) == 0 {
			t.Errorf("loadMigrations(%q) found no steps", dialect)
		}
	}
	// Both databases have the same number of steps, so a version number
	// means the same schema in both.
	sqlite, _ := loadMigrations("sqlite")
	postgres, _ := loadMigrations("postgres")
	if len(sqlite) != len(postgres) {
		t.Errorf("%d SQLite migrations but %d PostgreSQL migrations", len(sqlite), len(postgres))
	}
}

func TestWriteErrorHidesNothingElse(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Create(context.Background(), "t", store.User, []byte(`{"userName":"a"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(context.Background(), "t", store.User, []byte(`{"userName":"A"}`), nil)
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("second Create: %v, want *ConflictError", err)
	}
	if !strings.Contains(err.Error(), `userName "A" is already taken`) {
		t.Errorf("conflict message %q does not name the value", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "1"},
		{"cache_size", "-65536"},
	}
	for _, tt := range tests {
		var got string
		if err := s.write.QueryRowContext(context.Background(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s on the write connection = %q, want %q", tt.pragma, got, tt.want)
		}
	}
	if _, err := s.read.ExecContext(context.Background(), `DELETE FROM resources`); err == nil {
		t.Errorf("a write through the read pool succeeded, want it rejected by query_only")
	}
}
