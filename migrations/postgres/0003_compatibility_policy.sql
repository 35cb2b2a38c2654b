-- Per-scope policy for JSON Schema compatibility checks: NULL or STRICT
-- (Confluent's verdicts), or LENIENT.
ALTER TABLE config ADD COLUMN compatibility_policy TEXT;
