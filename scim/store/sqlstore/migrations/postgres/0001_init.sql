-- Resources, memberships and email addresses. Times are microseconds since
-- the Unix epoch, UTC. The *_fold columns hold store.FoldCase of the value,
-- computed by the store. Text that is compared or sorted uses the "C"
-- collation, so order and ranges are by code point, as in SQLite, whatever
-- the database's locale.
CREATE TABLE resources (
    pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant text COLLATE "C" NOT NULL,
    type text NOT NULL CHECK (type IN ('User', 'Group')),
    id text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    created bigint NOT NULL,
    last_modified bigint NOT NULL,
    user_name text,
    user_name_fold text COLLATE "C",
    external_id text COLLATE "C",
    display_name text,
    display_name_fold text COLLATE "C",
    doc text NOT NULL,
    UNIQUE (tenant, id)
);
CREATE UNIQUE INDEX resources_user_name ON resources (tenant, user_name_fold);
CREATE INDEX resources_type ON resources (tenant, type, pk);
CREATE INDEX resources_external_id ON resources (tenant, type, external_id);
CREATE INDEX resources_display_name ON resources (tenant, type, display_name_fold);
CREATE INDEX resources_created ON resources (tenant, type, created);
CREATE INDEX resources_last_modified ON resources (tenant, type, last_modified);

CREATE TABLE members (
    group_pk bigint NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    member_pk bigint NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    PRIMARY KEY (group_pk, member_pk)
);
CREATE INDEX members_member ON members (member_pk);

CREATE TABLE emails (
    resource_pk bigint NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    tenant text COLLATE "C" NOT NULL,
    value_fold text COLLATE "C" NOT NULL,
    PRIMARY KEY (resource_pk, value_fold)
);
CREATE INDEX emails_value ON emails (tenant, value_fold);
