-- Per-scope rule set for Protobuf compatibility checks: NULL or CONFLUENT
-- (Confluent's diff), or one of buf's categories FILE, PACKAGE, WIRE_JSON, WIRE.
ALTER TABLE config ADD COLUMN protobuf_rules TEXT;
