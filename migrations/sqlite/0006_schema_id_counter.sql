-- Schema ids are handed out from a counter per context, never reused: a
-- schema deleted for good leaves its id behind, so no cache (in this
-- process or another replica) can confuse it with a later schema.
ALTER TABLE contexts ADD COLUMN last_schema_id INTEGER NOT NULL DEFAULT 0;
UPDATE contexts SET last_schema_id =
    (SELECT COALESCE(MAX(id), 0) FROM schemas WHERE schemas.context = contexts.name);
