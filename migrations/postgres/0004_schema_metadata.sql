-- Confluent schema metadata ({"tags", "properties", "sensitive"}) as compact
-- JSON with sorted keys, NULL when a schema has none. Part of a schema's
-- identity: the same text with other metadata is another schema.
ALTER TABLE schemas ADD COLUMN metadata TEXT;
