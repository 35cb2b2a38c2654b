-- Confluent's subject alias: reads and writes addressed to a subject whose
-- configuration names an alias reach the aliased subject instead.
ALTER TABLE config ADD COLUMN alias TEXT;
