// Package server is the SCIM 2.0 service provider behind "scimdoctor
// serve": the HTTP handlers of RFC 7644 for /Users, /Groups, /Bulk, the
// discovery endpoints, authentication and the operational endpoints.
//
// Use [New] with a [Config] that names a store.Store and a
// store.CredentialStore (scim/store/sqlstore implements both), then
// [Server.Serve] on a net.Listener. The caller owns the listener, so it
// can wrap it in TLS or in a connection recorder first. [Config.Wrap]
// wraps the whole HTTP handler, for a request recorder,
// [Config.ConnContext] links requests to their connections, and
// [Config.Mounts] adds handlers, such as an admin page, outside SCIM
// authentication.
//
// Routes, under the base path /scim/v2 and under /tenants/{tenant}/scim/v2:
//
//	GET, POST            /Users, /Groups
//	POST                 /Users/.search, /Groups/.search
//	GET, PUT, PATCH, DELETE /Users/{id}, /Groups/{id}
//	POST                 /Bulk
//	GET                  /ServiceProviderConfig, /Schemas[/{id}], /ResourceTypes[/{id}]
//	any                  /Me (501: the server has no user of its own)
//
// and without authentication GET /healthz, GET /metrics and POST
// /oauth/token. Every credential belongs to one tenant. Under /scim/v2 a
// request works on the tenant of its credential, and under
// /tenants/{tenant}/scim/v2 the tenant in the path must be that tenant.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// Defaults of the Config fields left zero.
const (
	// DefaultMaxBodyBytes bounds a request body. Okta batches up to about
	// 1,000 members in one PATCH, roughly 100 KB.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxResults is the largest page a list returns, published as
	// filter.maxResults in /ServiceProviderConfig.
	DefaultMaxResults = 1000
	// DefaultBulkMaxOperations is the most operations one /Bulk request
	// may carry.
	DefaultBulkMaxOperations = 1000
	// DefaultAccessTokenTTL is how long a token from /oauth/token lasts.
	DefaultAccessTokenTTL = time.Hour
	// DefaultShutdownTimeout is how long Serve waits for requests in flight
	// after its context ends.
	DefaultShutdownTimeout = 30 * time.Second
)

// Pinger is implemented by stores that can check their database, for
// /healthz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config configures a Server. Store and Credentials are required.
type Config struct {
	Store       store.Store
	Credentials store.CredentialStore
	// Registry is the schema registry; nil uses schema.Default().
	Registry *schema.Registry
	// Logger receives one line per request and every error the server
	// handles; nil uses slog.Default().
	Logger *slog.Logger

	// MaxBodyBytes bounds every request body (413 above it).
	MaxBodyBytes int64
	// MaxResults caps the count of a list (filter.maxResults).
	MaxResults int
	// BulkMaxOperations caps the operations of one /Bulk request. The
	// payload of /Bulk is bounded by MaxBodyBytes.
	BulkMaxOperations int
	// RatePerSecond is the sustained number of requests per second that one
	// credential may send; 0 turns rate limiting off. RateBurst is how many
	// it may send at once; 0 means max(1, 2*RatePerSecond), so a burst of a
	// conformance run or an initial import is not cut off at its start.
	RatePerSecond float64
	RateBurst     int
	// AccessTokenTTL is the lifetime of tokens issued by /oauth/token.
	AccessTokenTTL time.Duration
	// ShutdownTimeout bounds the wait for requests in flight in Serve.
	ShutdownTimeout time.Duration
	// Abort, when closed while Serve waits for requests in flight, makes
	// Serve close every connection at once, such as at a second SIGTERM.
	Abort <-chan struct{}

	// Strict turns off the leniencies for identity providers that RFC 7643
	// does not allow: string booleans ("True") in request bodies.
	Strict bool

	// Wrap, when set, wraps the whole handler (every route), for a request
	// recorder. It runs outside the server's logging and metrics.
	Wrap func(http.Handler) http.Handler

	// ConnContext, when set, becomes the http.Server's ConnContext: it
	// derives the context of each accepted connection, such as
	// inspector.ConnContext, which links requests to their TLS handshakes.
	ConnContext func(ctx context.Context, c net.Conn) context.Context

	// Mounts are extra handlers served outside SCIM authentication and the
	// rate limit, behind the request id, body limit, logging and metrics of
	// every route. New returns an error for a pattern that is invalid or
	// conflicts with a SCIM route.
	Mounts []Mount

	// Metrics, when set, writes extra series in the Prometheus text format
	// at the end of /metrics. It must write complete HELP, TYPE and sample
	// lines and must not block.
	Metrics func(w io.Writer)

	// Now returns the current time; nil uses time.Now. Tests set it to
	// drive token expiry and the rate limiter.
	Now func() time.Time
}

// Mount is a handler that Config.Mounts adds to the routes.
type Mount struct {
	// Pattern is an http.ServeMux pattern, such as "/_inspector/".
	Pattern string
	// Name is the resource label of its requests in logs and metrics.
	Name    string
	Handler http.Handler
}

// Server is the SCIM service provider. Its methods are safe for concurrent
// use.
type Server struct {
	cfg      Config
	log      *slog.Logger
	registry *schema.Registry
	users    *schema.ResourceType
	groups   *schema.ResourceType
	handler  http.Handler
	metrics  *metrics
	limiter  *rateLimiter
}

// New checks cfg, fills in the defaults and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Credentials == nil {
		return nil, errors.New("server: Config.Store and Config.Credentials are required")
	}
	if cfg.Registry == nil {
		cfg.Registry = schema.Default()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxResults <= 0 {
		cfg.MaxResults = DefaultMaxResults
	}
	if cfg.BulkMaxOperations <= 0 {
		cfg.BulkMaxOperations = DefaultBulkMaxOperations
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.RatePerSecond < 0 || math.IsNaN(cfg.RatePerSecond) || math.IsInf(cfg.RatePerSecond, 0) {
		return nil, fmt.Errorf("server: invalid rate %g; give a positive, finite number of requests per second, or 0 to turn rate limiting off", cfg.RatePerSecond)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		registry: cfg.Registry,
		users:    cfg.Registry.ResourceType("User"),
		groups:   cfg.Registry.ResourceType("Group"),
		metrics:  newMetrics(),
	}
	if s.users == nil || s.groups == nil {
		return nil, errors.New("server: the schema registry must define the resource types User and Group")
	}
	if cfg.RatePerSecond > 0 {
		burst := cfg.RateBurst
		if burst <= 0 {
			burst = max(1, int(2*cfg.RatePerSecond))
		}
		s.limiter = newRateLimiter(cfg.RatePerSecond, burst, cfg.Now)
	}

	mux, err := s.routes()
	if err != nil {
		return nil, err
	}
	var h http.Handler = s.cleanPath(mux)
	h = s.observe(h)
	if cfg.Wrap != nil {
		h = cfg.Wrap(h)
	}
	s.handler = h
	return s, nil
}

// Handler returns the server's HTTP handler with every route and the
// Config.Wrap middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves HTTP requests on ln until ctx ends, then stops accepting
// connections, lets the requests in flight finish for at most
// Config.ShutdownTimeout (or until Config.Abort is closed) and closes the
// remaining connections. It closes ln. It returns nil after a shutdown
// that ctx started and that no request outlived, and an error otherwise.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext:       s.cfg.ConnContext,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("server: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	s.log.Info("shutting down: waiting for requests in flight", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- hs.Shutdown(shutdownCtx) }()
	var err error
	select {
	case err = <-shutdown:
	case <-s.cfg.Abort:
		s.log.Warn("shutdown aborted: closing every connection; requests in flight were cut off")
		hs.Close()
		<-shutdown
		<-errc
		s.log.Info("stopped")
		return errors.New("server: the shutdown was aborted; requests in flight were cut off")
	}
	if err != nil {
		s.log.Warn("shutdown timed out; closing the remaining connections", "error", err)
		hs.Close()
	}
	<-errc
	s.log.Info("stopped")
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("server: requests still running after the shutdown timeout of %s were cut off", s.cfg.ShutdownTimeout)
	}
	return nil
}
