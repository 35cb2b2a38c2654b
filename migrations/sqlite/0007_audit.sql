-- The audit log: every write and every refused write. A kept change is
-- written in the same transaction as the change; a refusal on its own.
-- `action` is the change kind (REGISTERED, CONFIG_CHANGED, ...) or, for a
-- refusal, the request (`POST /subjects/{subject}/versions`, a gRPC method).
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    principal  TEXT    NOT NULL,
    address    TEXT,
    action     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    version    INTEGER,
    schema_id  INTEGER,
    status     INTEGER NOT NULL,
    error_code INTEGER
);
CREATE INDEX audit_at ON audit (at);
