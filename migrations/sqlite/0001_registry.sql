-- Herald registry model. Every table is keyed so that the same model maps
-- onto PostgreSQL: contexts partition schema ids and subjects.

-- A context: its own id space and its own subjects. "." is the default.
CREATE TABLE contexts (
    name        TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL
);
INSERT INTO contexts (name, created_at) VALUES ('.', 0);

-- Schemas, immutable once written. The same content (type, canonical text,
-- references) in one context has one id: the fingerprint is unique.
CREATE TABLE schemas (
    context      TEXT    NOT NULL REFERENCES contexts(name),
    id           INTEGER NOT NULL,
    schema_type  TEXT    NOT NULL,
    schema_text  TEXT    NOT NULL,
    canonical    TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    guid         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (context, id),
    UNIQUE (context, fingerprint)
);
CREATE INDEX schemas_guid ON schemas(guid);

-- The references of a schema, in the order they were given.
CREATE TABLE schema_references (
    context    TEXT    NOT NULL,
    schema_id  INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (context, schema_id, position),
    FOREIGN KEY (context, schema_id) REFERENCES schemas(context, id) ON DELETE CASCADE
);
CREATE INDEX schema_references_target ON schema_references(subject, version);

-- Subjects: `name` is the qualified name the API shows (":.ctx:local", or
-- just "local" in the default context "."), `local_name` the part after
-- the context.
CREATE TABLE subjects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    context     TEXT    NOT NULL REFERENCES contexts(name),
    local_name  TEXT    NOT NULL,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX subjects_context ON subjects(context, local_name);

-- Versions of a subject. A soft-deleted version keeps its number.
CREATE TABLE versions (
    subject_id  INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    schema_id   INTEGER NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (subject_id, version)
);
CREATE INDEX versions_schema ON versions(schema_id);

-- Compatibility configuration per scope: "__GLOBAL", a context (":.ctx:")
-- or a qualified subject name.
CREATE TABLE config (
    scope                TEXT PRIMARY KEY,
    compatibility        TEXT,
    normalize            INTEGER,
    compatibility_group  TEXT
);

-- Mode per scope (same scopes as config).
CREATE TABLE modes (
    scope  TEXT PRIMARY KEY,
    mode   TEXT NOT NULL
);
