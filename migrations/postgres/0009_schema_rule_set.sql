-- Confluent data-contract rules ({"domainRules", "migrationRules",
-- "encodingRules"}) as compact JSON, NULL when a schema has none. Part of a
-- schema's identity, as its metadata is.
ALTER TABLE schemas ADD COLUMN rule_set TEXT;
