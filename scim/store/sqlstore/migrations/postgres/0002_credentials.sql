-- Credentials of the SCIM server: bearer tokens, HTTP Basic users and OAuth
-- clients. Only SHA-256 hashes of secrets are stored, as lowercase hex. For
-- a bearer token the lookup key is the hash of the token. Times are
-- microseconds since the Unix epoch; expires is 0 for no expiry.
CREATE TABLE credentials (
    kind text NOT NULL CHECK (kind IN ('bearer', 'basic', 'client')),
    lookup_key text COLLATE "C" NOT NULL,
    secret_hash text NOT NULL,
    tenant text COLLATE "C" NOT NULL,
    name text NOT NULL,
    created bigint NOT NULL,
    expires bigint NOT NULL,
    PRIMARY KEY (kind, lookup_key)
);
CREATE INDEX credentials_expires ON credentials (expires) WHERE expires > 0;
