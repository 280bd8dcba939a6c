package server

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scimdoctor/scimdoctor/scim"
)

// storeRetryAfterSeconds is the Retry-After of a 503 for an unreachable
// database: long enough for a PostgreSQL restart, short enough that an
// IdP retrying on it loses little time.
const storeRetryAfterSeconds = "10"

// isStoreUnavailable reports whether err means that the database could
// not be reached or dropped the connection, as opposed to rejecting the
// request: a refused or failed connection, a connection closed during a
// query, or a PostgreSQL connection exception (SQLSTATE class 08) or
// shutdown (57P01 to 57P03).
func isStoreUnavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	var opErr *net.OpError
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &connectErr), errors.As(err, &opErr):
		return true
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.Is(err, io.ErrUnexpectedEOF):
		// pgx reports a connection that the server closed mid-reply so.
		return true
	}
	return false
}

// storeUnavailable is the response to a request that failed because the
// database is unreachable: 503 with Retry-After, so an IdP retries the
// request instead of recording it as failed for good.
func storeUnavailable() *scim.Error {
	return scim.Errorf(http.StatusServiceUnavailable, "", "the database is unavailable; retry after %s seconds (the server log has the cause)", storeRetryAfterSeconds)
}
