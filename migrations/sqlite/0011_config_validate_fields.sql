-- Confluent's validateFields per scope: stricter checks of field names.
ALTER TABLE config ADD COLUMN validate_fields INTEGER;
