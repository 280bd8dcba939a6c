// Package inspector records what TLS clients offer and what HTTP clients
// send to scimdoctor serve, and shows it on an admin page.
//
// Listen wraps the server's TCP listener. It parses every ClientHello
// itself (ParseClientHello), runs the handshake with crypto/tls, and
// records the outcome in a Recorder. A record holds the offered versions,
// suites, groups, signature algorithms, SNI, ALPN and JA4 fingerprint, the
// negotiated parameters, and for a failure a reason that names the
// mismatch.
// Recorder.Middleware records requests with secrets redacted, and
// Recorder.Handler serves the page and its JSON API behind an admin token.
// ProfileFromHello and Recorder.SaveProfile turn a recorded hello into a
// client profile file for scimdoctor check --client-file.
//
// Wiring into an http.Server:
//
//	rec := inspector.NewRecorder(inspector.Options{})
//	mux.Handle("/_inspector", rec.Handler(inspector.HashToken(adminToken)))
//	mux.Handle("/_inspector/", rec.Handler(inspector.HashToken(adminToken)))
//	srv := &http.Server{Handler: rec.Middleware(mux), ConnContext: inspector.ConnContext}
//	srv.Serve(inspector.Listen(tcpListener, tlsConfig, rec))
package inspector
