-- The same content may hold more than one id in a context: Confluent's
-- IMPORT mode registers an equal schema under a second id (a migration
-- keeps every id its source handed out). The fingerprint stays indexed for
-- lookups, no longer unique.
ALTER TABLE schemas DROP CONSTRAINT schemas_context_fingerprint_key;
CREATE INDEX schemas_fingerprint ON schemas(context, fingerprint);
