-- The change feed (gRPC WatchSubjects): every registration, deletion, config
-- and mode change, written in the same transaction as the change itself, in
-- the order committed. `scope` is the subject, a context (":.ctx:") or
-- "__GLOBAL" for config and mode changes.
CREATE TABLE changes (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    version    INTEGER,
    schema_id  INTEGER,
    at         INTEGER NOT NULL
);
