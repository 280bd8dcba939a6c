-- Resources, memberships and email addresses. Times are microseconds since
-- the Unix epoch, UTC. The *_fold columns hold store.FoldCase of the value,
-- computed by the store, so comparisons use the BINARY collation.
CREATE TABLE resources (
    pk INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('User', 'Group')),
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created INTEGER NOT NULL,
    last_modified INTEGER NOT NULL,
    user_name TEXT,
    user_name_fold TEXT,
    external_id TEXT,
    display_name TEXT,
    display_name_fold TEXT,
    doc TEXT NOT NULL,
    UNIQUE (tenant, id)
);
CREATE UNIQUE INDEX resources_user_name ON resources (tenant, user_name_fold);
CREATE INDEX resources_type ON resources (tenant, type, pk);
CREATE INDEX resources_external_id ON resources (tenant, type, external_id);
CREATE INDEX resources_display_name ON resources (tenant, type, display_name_fold);
CREATE INDEX resources_created ON resources (tenant, type, created);
CREATE INDEX resources_last_modified ON resources (tenant, type, last_modified);

CREATE TABLE members (
    group_pk INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    member_pk INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    PRIMARY KEY (group_pk, member_pk)
) WITHOUT ROWID;
CREATE INDEX members_member ON members (member_pk);

CREATE TABLE emails (
    resource_pk INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    tenant TEXT NOT NULL,
    value_fold TEXT NOT NULL,
    PRIMARY KEY (resource_pk, value_fold)
) WITHOUT ROWID;
CREATE INDEX emails_value ON emails (tenant, value_fold);
