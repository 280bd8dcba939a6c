package certcheck

import (
	"context"
	"net"
)

// DialFunc opens a connection, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

type dialKey struct{}

// WithDial returns a context under which Fetch, Handshake and the probes
// built on them (ProbeSNI, ProbeClientAuth) open their connections with
// dial, such as through a proxy's CONNECT tunnel. Without it they dial
// directly.
func WithDial(ctx context.Context, dial DialFunc) context.Context {
	return context.WithValue(ctx, dialKey{}, dial)
}

// dialContext opens a connection with the DialFunc of ctx, or directly.
func dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if dial, ok := ctx.Value(dialKey{}).(DialFunc); ok && dial != nil {
		return dial(ctx, network, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}
