-- Credentials of the SCIM server: bearer tokens, HTTP Basic users and OAuth
-- clients. Only SHA-256 hashes of secrets are stored, as lowercase hex. For
-- a bearer token the lookup key is the hash of the token. Times are
-- microseconds since the Unix epoch; expires is 0 for no expiry.
CREATE TABLE credentials (
    kind TEXT NOT NULL CHECK (kind IN ('bearer', 'basic', 'client')),
    lookup_key TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (kind, lookup_key)
);
CREATE INDEX credentials_expires ON credentials (expires) WHERE expires > 0;
