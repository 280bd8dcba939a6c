package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema of each database as numbered steps,
// migrations/<dialect>/NNNN_name.sql. A step is never edited after release;
// a change of schema is a new step with the next number.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the steps of one dialect, checking that they are
// numbered 1, 2, 3 ... without gaps.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading the embedded %s migrations: %w", dialect, err)
	}
	var steps []migration
	for _, e := range entries {
		name := e.Name()
		number, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: embedded migration %q is not named NNNN_name.sql", name)
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: reading migration %q: %w", name, err)
		}
		steps = append(steps, migration{version: version, name: name, sql: string(text)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].version < steps[j].version })
	for i, m := range steps {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: embedded %s migration %q has number %d where %d was expected", dialect, m.name, m.version, i+1)
		}
	}
	return steps, nil
}

// migrate brings the schema up to date in one transaction: it creates the
// schema_migrations table on first use, applies the steps the database lacks
// and records each of them. Concurrent opens of one database serialize on
// the dialect's lock, so each step runs once. A database whose schema is
// newer than this binary's steps is rejected, because this binary would
// misread it.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := loadMigrations(s.dialect.name())
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.dialect.lockMigrations(ctx, tx); err != nil {
			return fmt.Errorf("sqlstore: locking the schema for migration: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at bigint NOT NULL
)`); err != nil {
			return fmt.Errorf("sqlstore: creating the schema_migrations table: %w", err)
		}

		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("sqlstore: reading the schema version: %w", err)
		}
		if current > len(steps) {
			return fmt.Errorf("sqlstore: the database schema is at version %d, newer than this scimdoctor, which knows versions up to %d; run a newer scimdoctor or point --db at another database", current, len(steps))
		}

		for _, m := range steps[current:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlstore: applying migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.version, m.name, time.Now().UnixMicro()); err != nil {
				return fmt.Errorf("sqlstore: recording migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the number of the last migration applied to the
// database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	return v, nil
}
