//! Names as Java Avro judges them. A new schema's names (of named types,
//! their namespaces and aliases, fields and enum symbols) must pass Java's
//! `NameValidator.STRICT_VALIDATOR`: a letter or `_`, then letters, digits
//! or `_` — Unicode letters included, which apache-avro's ASCII pattern
//! refuses. A stored or imported schema's names are not validated, as
//! Confluent parses those with `NameValidator.NO_VALIDATION`. So
//! apache-avro is given validators that accept every name (once per
//! process, before its first parse), and [`refuse_invalid`] applies Java's
//! rule to new schemas.

use std::sync::Once;

use apache_avro::AvroResult;
use apache_avro::validator::{
    EnumSymbolNameValidator, RecordFieldNameValidator, SchemaNameValidator,
    SchemaNamespaceValidator, set_enum_symbol_name_validator, set_record_field_name_validator,
    set_schema_name_validator, set_schema_namespace_validator,
};
use serde_json::Value;

use crate::SchemaError;

/// apache-avro's validators, accepting every name.
struct AnyName;

impl SchemaNameValidator for AnyName {
    fn validate(&self, name: &str) -> AvroResult<usize> {
        Ok(name.rfind('.').map_or(0, |dot| dot + 1))
    }
}

impl SchemaNamespaceValidator for AnyName {
    fn validate(&self, _namespace: &str) -> AvroResult<()> {
        Ok(())
    }
}

impl EnumSymbolNameValidator for AnyName {
    fn validate(&self, _symbol: &str) -> AvroResult<()> {
        Ok(())
    }
}

impl RecordFieldNameValidator for AnyName {
    fn validate(&self, _field_name: &str) -> AvroResult<()> {
        Ok(())
    }
}

/// Gives apache-avro the validators accepting every name; a no-op after
/// the first call. Had something in the process parsed an Avro schema
/// before, apache-avro keeps its own (stricter) pattern.
pub(super) fn accept_every_name() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // Each fails only when that validator was already fixed.
        let _ = set_schema_name_validator(Box::new(AnyName));
        let _ = set_schema_namespace_validator(Box::new(AnyName));
        let _ = set_enum_symbol_name_validator(Box::new(AnyName));
        let _ = set_record_field_name_validator(Box::new(AnyName));
    });
}

/// Java's `STRICT_VALIDATOR` verdict on one name, worded as Java words it.
fn check(name: &str) -> Result<(), SchemaError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(SchemaError::Invalid("Empty name".to_owned()));
    };
    if !(first.is_alphabetic() || first == '_') {
        return Err(SchemaError::Invalid(format!(
            "Illegal initial character: {name}"
        )));
    }
    if !chars.all(|c| c.is_alphanumeric() || c == '_') {
        return Err(SchemaError::Invalid(format!(
            "Illegal character in: {name}"
        )));
    }
    Ok(())
}

/// A full or simple name with its namespace: every dotted part checked.
fn check_dotted(name: &str) -> Result<(), SchemaError> {
    name.split('.').try_for_each(check)
}

/// Refuses a new schema whose names Java's strict validator refuses.
pub(super) fn refuse_invalid(schema: &Value) -> Result<(), SchemaError> {
    let mut pending = vec![schema];
    while let Some(value) = pending.pop() {
        let object = match value {
            Value::Array(union) => {
                pending.extend(union);
                continue;
            }
            Value::Object(object) => object,
            _ => continue,
        };
        let kind = object.get("type").and_then(Value::as_str);
        if matches!(kind, Some("record" | "error" | "enum" | "fixed")) {
            if let Some(name) = object.get("name").and_then(Value::as_str) {
                check_dotted(name)?;
            }
            let namespace = object.get("namespace").and_then(Value::as_str);
            if let Some(space) = namespace.filter(|space| !space.is_empty()) {
                check_dotted(space)?;
            }
            let aliases = object.get("aliases").and_then(Value::as_array);
            for alias in aliases.into_iter().flatten().filter_map(Value::as_str) {
                check_dotted(alias)?;
            }
        }
        if kind == Some("enum") {
            let symbols = object.get("symbols").and_then(Value::as_array);
            for symbol in symbols.into_iter().flatten().filter_map(Value::as_str) {
                check(symbol)?;
            }
        }
        let fields = object.get("fields").and_then(Value::as_array);
        for field in fields.into_iter().flatten() {
            if let Some(name) = field.get("name").and_then(Value::as_str) {
                check(name)?;
            }
            pending.extend(field.get("type"));
        }
        for key in ["items", "values"] {
            pending.extend(object.get(key));
        }
        if kind.is_none() {
            pending.extend(object.get("type"));
        }
    }
    Ok(())
}
