-- The same content may hold more than one id in a context: Confluent's
-- IMPORT mode registers an equal schema under a second id (a migration
-- keeps every id its source handed out). The fingerprint stays indexed for
-- lookups, no longer unique. SQLite cannot drop a constraint, so the table
-- is rebuilt; dropping the old one cascades to schema_references, whose
-- rows are kept aside and put back.
CREATE TABLE schemas_rebuilt (
    context      TEXT    NOT NULL REFERENCES contexts(name),
    id           INTEGER NOT NULL,
    schema_type  TEXT    NOT NULL,
    schema_text  TEXT    NOT NULL,
    canonical    TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    guid         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    metadata     TEXT,
    rule_set     TEXT,
    PRIMARY KEY (context, id)
);
INSERT INTO schemas_rebuilt (context, id, schema_type, schema_text, canonical, fingerprint, guid,
        created_at, metadata, rule_set)
    SELECT context, id, schema_type, schema_text, canonical, fingerprint, guid, created_at,
        metadata, rule_set FROM schemas;
CREATE TEMP TABLE references_kept AS SELECT * FROM schema_references;
DROP TABLE schemas;
ALTER TABLE schemas_rebuilt RENAME TO schemas;
INSERT INTO schema_references SELECT * FROM references_kept;
DROP TABLE references_kept;
CREATE INDEX schemas_guid ON schemas(guid);
CREATE INDEX schemas_fingerprint ON schemas(context, fingerprint);
