package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresMaxConns bounds the connections one process opens to PostgreSQL,
// whose default server limit is 100 for all clients together.
const postgresMaxConns = 16

// postgresMigrationLock is the key of the transaction-level advisory lock
// that serializes migrations of one database by several processes. The
// value is arbitrary; it only has to differ from other applications' keys
// in the same database.
const postgresMigrationLock = 0x5c1d0c7a

// OpenPostgres connects to the PostgreSQL database that the URL dsn names
// (postgres://user:password@host:port/database?sslmode=...), pings it, and
// applies the missing migrations. Several processes may open
// one database at the same time.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgconn replaces the password with xxxxx in its message.
		return nil, fmt.Errorf("sqlstore: invalid PostgreSQL --db URL: %w; use postgres://user:password@host:port/database", err)
	}
	where := fmt.Sprintf("%s:%d database %q as user %q", config.Host, config.Port, config.Database, config.User)

	db := stdlib.OpenDB(*config)
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connecting to PostgreSQL at %s: %w; check that the server runs, the database exists and the user may log in", where, err)
	}

	s := &Store{dialect: postgresDialect{}, write: db, read: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (PostgreSQL at %s)", err, where)
	}
	return s, nil
}

type postgresDialect struct{}

func (postgresDialect) name() string               { return "postgres" }
func (postgresDialect) numberedPlaceholders() bool { return true }
func (postgresDialect) forUpdate() string          { return " FOR UPDATE" }

// readTxOptions gives the queries of one List one snapshot.
func (postgresDialect) readTxOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}

func (postgresDialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", postgresMigrationLock))
	return err
}

func (postgresDialect) contains(col string) string { return "strpos(" + col + ", ?) > 0" }

// endsWith compares the last runes characters; right counts characters.
func (postgresDialect) endsWith(col string, runes int) string {
	return fmt.Sprintf("right(%s, %d) = ?", col, runes)
}

func (postgresDialect) limit(count, offset int) string {
	if count < 0 {
		return fmt.Sprintf(" OFFSET %d", offset)
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", count, offset)
}

// isUserNameConflict matches unique_violation (SQLSTATE 23505) on the index
// resources_user_name.
func (postgresDialect) isUserNameConflict(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" && e.ConstraintName == "resources_user_name"
}

// isRetryable matches serialization_failure (40001) and deadlock_detected
// (40P01). A Delete of a User locks the User's row and then its Groups'
// rows, while an AddMembers locks the Group and then checks the User's key,
// so the two can deadlock and one of them is retried.
//
// NOTE: no test forces such a deadlock, so the retry has not run in tests.
func (postgresDialect) isRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}
