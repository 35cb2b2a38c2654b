-- Confluent's contract defaults and overrides per scope, as compact JSON:
-- merged into every registration's metadata and rule set there.
ALTER TABLE config ADD COLUMN default_metadata TEXT;
ALTER TABLE config ADD COLUMN override_metadata TEXT;
ALTER TABLE config ADD COLUMN default_rule_set TEXT;
ALTER TABLE config ADD COLUMN override_rule_set TEXT;
