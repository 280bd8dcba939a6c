// Package clients models the HTTPS clients of identity providers (Okta,
// Entra ID) and of the runtimes behind them (JDKs, .NET on SChannel,
// OpenSSL, Go, curl) and predicts, for one server, whether each would
// connect and the exact line it would log if not.
//
// A client profile is a JSON file in profiles/, embedded in the binary and
// checked when the package loads: the ClientHello the client sends, the
// policy it applies to the server's certificate, and the text it logs for
// each failure class. Every profile and every text carries its provenance:
// "measured" (checked here against the real client), "documented" (read in a
// vendor document or a published capture) or "inferred".
//
// Use Lookup or All to get profiles, Profile.ClientHello to build the hello
// a client would send, and Simulate to predict what the client would see
// from a server.
package clients
