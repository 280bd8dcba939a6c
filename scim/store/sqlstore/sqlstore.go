// Package sqlstore implements store.Store on SQLite (modernc.org/sqlite,
// no cgo) and on PostgreSQL (github.com/jackc/pgx/v5 through database/sql).
//
// Open takes the value of serve's --db flag: a postgres:// or
// postgresql:// URL opens PostgreSQL, anything else is the path of an SQLite
// file. Both run the same SQL and differ only in a small dialect: the
// placeholder syntax, row locks, the migration lock, substring functions and
// the mapping of constraint errors.
//
// SQLite runs in WAL mode with foreign keys on and a busy timeout. All
// writes go through one connection whose transactions start with BEGIN
// IMMEDIATE, so writers of this process queue in Go and writers of other
// processes wait on the file lock. Reads use a pool of read-only
// connections and see a snapshot per transaction.
//
// PostgreSQL lets several serve processes share one database. The store
// reaches it through pgx's database/sql adapter rather than pgxpool, so
// both databases run one implementation of every method. Writes lock
// the rows they change (SELECT ... FOR UPDATE for a read-modify-write), and
// the unique index on the folded userName makes exactly one of two
// concurrent creates of one name succeed. A write that PostgreSQL aborts
// with a deadlock or serialization failure is retried a few times.
//
// Both open the database, apply the missing migrations in one transaction
// and fail with a clear error when the database is newer than the binary.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// maxWriteAttempts bounds the retries of a write transaction that PostgreSQL
// aborted with a deadlock or a serialization failure.
const maxWriteAttempts = 5

// Store is a store.Store on SQLite or PostgreSQL.
type Store struct {
	dialect dialect
	// write runs every write transaction; read runs reads. They are the same
	// pool for PostgreSQL.
	write *sql.DB
	read  *sql.DB
	// stmts holds the prepared statements of hot queries on both pools.
	stmts stmtCache
}

var _ store.Store = (*Store)(nil)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	// name is the folder of the dialect's migrations.
	name() string
	// numberedPlaceholders reports whether queries use $1, $2 ... instead of ?.
	numberedPlaceholders() bool
	// readTxOptions are the options of a read transaction.
	readTxOptions() *sql.TxOptions
	// forUpdate is the clause that locks the selected row until commit.
	forUpdate() string
	// lockMigrations serializes concurrent migrations of one database.
	lockMigrations(ctx context.Context, tx *sql.Tx) error
	// contains returns SQL that is true when col contains the value of the
	// next placeholder. endsWith does the same for a suffix of runes
	// characters.
	contains(col string) string
	endsWith(col string, runes int) string
	// limit returns the LIMIT/OFFSET clause; count < 0 means no limit.
	limit(count, offset int) string
	// isUserNameConflict reports whether err is a violation of the unique
	// index on (tenant, user_name_fold).
	isUserNameConflict(err error) bool
	// isRetryable reports whether a transaction failed only because of a
	// concurrent one, so running it again can succeed.
	isRetryable(err error) bool
}

// Open opens the store that the --db value names: a postgres:// or
// postgresql:// URL for PostgreSQL, otherwise the path of an SQLite file,
// which is created when missing.
func Open(ctx context.Context, db string) (*Store, error) {
	switch {
	case db == "":
		return nil, errors.New("sqlstore: empty --db value; give the path of an SQLite file, such as scimdoctor.db, or a postgres:// URL")
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return OpenPostgres(ctx, db)
	}
	if scheme, _, ok := strings.Cut(db, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return nil, fmt.Errorf("sqlstore: unsupported --db scheme %q; use postgres:// for PostgreSQL or a file path for SQLite", scheme+"://")
	}
	if strings.HasPrefix(db, "host=") || strings.Contains(db, "dbname=") {
		return nil, errors.New("sqlstore: the --db value looks like a PostgreSQL key=value connection string; give it as a URL, postgres://user:password@host:port/database")
	}
	return OpenSQLite(ctx, db)
}

// Close closes the database connections.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// rebind rewrites the ? placeholders of query into $1, $2 ... for
// PostgreSQL. The store's SQL has no ? inside string literals.
func (s *Store) rebind(query string) string {
	if !s.dialect.numberedPlaceholders() || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inTx runs fn in a write transaction and commits it. A transaction that
// the database aborted because of a concurrent one is run again, so fn may
// run more than once.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxWriteAttempts; attempt++ {
		err = s.runTx(ctx, fn)
		if err == nil || !s.dialect.isRetryable(err) || ctx.Err() != nil {
			return err
		}
		slog.Warn("sqlstore: retrying a write transaction that the database aborted because of a concurrent one",
			"attempt", attempt, "max_attempts", maxWriteAttempts, "error", err)
	}
	return err
}

func (s *Store) runTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: starting a write transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: committing: %w", err)
	}
	return nil
}

// inReadTx runs fn in a read-only transaction, so the queries of one List
// see one snapshot.
func (s *Store) inReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, s.dialect.readTxOptions())
	if err != nil {
		return fmt.Errorf("sqlstore: starting a read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// checkTenant rejects an empty tenant, which is always a bug of the caller.
func checkTenant(tenant string) error {
	if tenant == "" {
		return store.Invalidf("empty tenant; pass the tenant id of the request, or a fixed name such as \"default\" for a single-tenant server")
	}
	return nil
}

// checkType rejects a resource type the store does not keep.
func checkType(typ store.ResourceType) error {
	if typ != store.User && typ != store.Group {
		return store.Invalidf("resource type %q; use store.User or store.Group", string(typ))
	}
	return nil
}
