package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// maxCachedStatements bounds the prepared statements that one Store keeps.
// The store's fixed queries and the shapes of common filters take a few
// dozen. A statement that arrives after the cache is full runs unprepared.
const maxCachedStatements = 256

// stmtCache keeps prepared statements by database and SQL text, so a hot
// query is parsed once per connection instead of once per call. With
// modernc.org/sqlite, parsing SQL was the largest single cost in a CPU
// profile of a filtered userName lookup. The zero value is ready for use.
// The statements close with their database.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[stmtKey]*sql.Stmt
	// pending marks the statements that a background goroutine prepares.
	pending map[stmtKey]bool
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// cached returns the statement of query on db, or nil when it is not
// prepared yet.
func (c *stmtCache) cached(db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[stmtKey{db, query}]
}

// prepared returns the cached statement of query on db, preparing it on
// first use. It returns nil without an error when the cache is full.
// db.PrepareContext takes a connection from the pool, so the caller must
// not hold one of db's connections in a transaction: with every
// connection held that way, the call would wait forever.
func (c *stmtCache) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st := c.cached(db, query); st != nil {
		return st, nil
	}
	if c.full() {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.add(db, query, st), nil
}

func (c *stmtCache) full() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)+len(c.pending) >= maxCachedStatements
}

// add stores st unless another goroutine stored the same query meanwhile,
// and returns the stored statement.
func (c *stmtCache) add(db *sql.DB, query string, st *sql.Stmt) *sql.Stmt {
	key := stmtKey{db, query}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[key]; ok {
		st.Close()
		return old
	}
	if c.stmts == nil {
		c.stmts = map[stmtKey]*sql.Stmt{}
	}
	c.stmts[key] = st
	return st
}

// prepareLater prepares query on db in a goroutine, for a caller inside a
// transaction, which may not wait for a second connection.
func (c *stmtCache) prepareLater(db *sql.DB, query string) {
	key := stmtKey{db, query}
	c.mu.Lock()
	if c.pending[key] || c.stmts[key] != nil || len(c.stmts)+len(c.pending) >= maxCachedStatements {
		c.mu.Unlock()
		return
	}
	if c.pending == nil {
		c.pending = map[stmtKey]bool{}
	}
	c.pending[key] = true
	c.mu.Unlock()

	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
		defer cancel()
		// A failure leaves the query unprepared; the query itself reports
		// the error to its caller.
		if st, err := db.PrepareContext(ctx, query); err == nil {
			c.add(db, query, st)
		}
		c.mu.Lock()
		delete(c.pending, key)
		c.mu.Unlock()
	}()
}

// prepareTimeout bounds the wait of a background prepare for a free
// connection.
const prepareTimeout = 30 * time.Second

// txQuery runs query in tx, a transaction of db, with the cached prepared
// statement of query. The first call runs the query unprepared and has it
// prepared in the background. query is already rebound.
func (s *Store) txQuery(ctx context.Context, db *sql.DB, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	st := s.stmts.cached(db, query)
	if st == nil {
		s.stmts.prepareLater(db, query)
		return tx.QueryContext(ctx, query, args...)
	}
	// The transaction's copy of the statement reuses the one prepared on
	// the transaction's connection, prepares it there on first use, and
	// closes with the transaction.
	return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// txQueryRow is txQuery for one row. Like QueryRowContext, it defers
// errors to Scan.
func (s *Store) txQueryRow(ctx context.Context, db *sql.DB, tx *sql.Tx, query string, args ...any) *sql.Row {
	st := s.stmts.cached(db, query)
	if st == nil {
		s.stmts.prepareLater(db, query)
		return tx.QueryRowContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// dbQueryRow runs a one-row query on db outside a transaction, with a
// cached prepared statement when there is room for one.
func (s *Store) dbQueryRow(ctx context.Context, db *sql.DB, query string, args ...any) *sql.Row {
	st, err := s.stmts.prepared(ctx, db, query)
	if err != nil || st == nil {
		return db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
