package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteWriteCacheKiB and sqliteReadCacheKiB are the page cache sizes of the
// write connection and of each read connection (SQLite's default is 2 MiB).
// With 2 MiB, adding a member to a group of 100,000 took 4 times as long
// as to a group of 10, because the index pages no longer stayed in memory.
// The cache grows only as pages are read.
const (
	sqliteWriteCacheKiB = 64 << 10
	sqliteReadCacheKiB  = 16 << 10
)

// sqliteBusyTimeoutMillis is how long an SQLite connection waits for a lock
// that another process holds before it fails with SQLITE_BUSY.
const sqliteBusyTimeoutMillis = 10000

// OpenSQLite opens or creates the SQLite database file at path and applies
// the missing migrations. The folder must exist. The file may be shared with
// other processes, which then take turns for writes.
//
// NOTE: synchronous=NORMAL, the usual setting in WAL mode, keeps the
// database consistent after a crash but may lose the last commits on a power
// failure.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlstore: empty SQLite path; give a file path such as scimdoctor.db")
	}
	if strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlstore: SQLite path %q is a URI or an in-memory name; give a plain file path such as scimdoctor.db", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: SQLite path %q: %w", path, err)
	}
	if info, err := os.Stat(filepath.Dir(abs)); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("sqlstore: the folder of SQLite path %q does not exist; create it or choose another --db path", path)
	}
	if info, err := os.Stat(abs); err == nil && info.IsDir() {
		return nil, fmt.Errorf("sqlstore: SQLite path %q is a folder; give the path of a file in it, such as %s", path, filepath.Join(path, "scimdoctor.db"))
	}

	// SQLite decodes %XX escapes in a file: URI, and the driver splits the
	// parameters off at the first '?'.
	escaped := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(abs)
	base := "file:" + escaped + fmt.Sprintf("?_busy_timeout=%d", sqliteBusyTimeoutMillis)

	write, err := sql.Open("sqlite", base+fmt.Sprintf("&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&_pragma=cache_size(-%d)", sqliteWriteCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening SQLite file %q: %w", path, err)
	}
	// One connection: writers of this process queue here instead of
	// spinning on SQLITE_BUSY.
	write.SetMaxOpenConns(1)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: opening SQLite file %q: %w; check that it is an SQLite database and that this user may write it and its folder", path, err)
	}

	read, err := sql.Open("sqlite", base+fmt.Sprintf("&_query_only=1&_pragma=cache_size(-%d)", sqliteReadCacheKiB))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: opening SQLite file %q for reading: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))

	s := &Store{dialect: sqliteDialect{}, write: write, read: read}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w (SQLite file %q)", err, path)
	}
	return s, nil
}

type sqliteDialect struct{}

func (sqliteDialect) name() string               { return "sqlite" }
func (sqliteDialect) numberedPlaceholders() bool { return false }
func (sqliteDialect) forUpdate() string          { return "" }

// readTxOptions leaves the read-only flag off: the reader connections are
// query_only already, and the driver would reject ReadOnly.
func (sqliteDialect) readTxOptions() *sql.TxOptions { return nil }

// lockMigrations has nothing to do: the write transaction began with BEGIN
// IMMEDIATE, which holds the database's write lock.
func (sqliteDialect) lockMigrations(context.Context, *sql.Tx) error { return nil }

func (sqliteDialect) contains(col string) string { return "instr(" + col + ", ?) > 0" }

// endsWith compares the last runes characters; substr counts characters of
// a TEXT value.
func (sqliteDialect) endsWith(col string, runes int) string {
	return fmt.Sprintf("substr(%s, -%d) = ?", col, runes)
}

func (sqliteDialect) limit(count, offset int) string {
	if count < 0 {
		return fmt.Sprintf(" LIMIT -1 OFFSET %d", offset)
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", count, offset)
}

// isUserNameConflict matches SQLITE_CONSTRAINT_UNIQUE on the folded userName.
// The message names the index's columns ("UNIQUE constraint failed:
// resources.tenant, resources.user_name_fold"), not the index.
func (sqliteDialect) isUserNameConflict(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE && strings.Contains(e.Error(), "user_name_fold")
}

// isRetryable is false: one connection writes, and the busy timeout covers
// writers in other processes.
func (sqliteDialect) isRetryable(error) bool { return false }
