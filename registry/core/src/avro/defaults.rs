//! Field defaults that do not match their field's type. Java Avro refuses
//! them when it parses a new schema (Confluent's `validateAsNew`) and keeps
//! them in a schema it reads back or imports; Herald does the same. A
//! stored schema with such a default parses, the default is kept (the field
//! still counts as having one, as in Java's compatibility checks), and each
//! is reported as a warning.

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::{Name, UnionSchema};
use apache_avro::types::Value as AvroValue;
use serde_json::Value;

use super::names::full_name;

/// The defaults taken out of a schema's JSON, by record full name and
/// field name.
pub(super) type Taken = HashMap<(String, String), Value>;

/// The named types a schema can see, as apache-avro resolves values by.
pub(super) type Named<'a> = HashMap<Name, &'a Schema>;

/// Removes every record field's default from `schema` (a schema's JSON),
/// adding them to `taken`; `namespace` is the enclosing one.
pub(super) fn take(schema: &mut Value, namespace: &str, taken: &mut Taken) {
    match schema {
        Value::Array(union) => {
            for branch in union {
                take(branch, namespace, taken);
            }
        }
        Value::Object(object) => {
            let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
            let record = matches!(kind, "record" | "error");
            let full = full_name(object, namespace).filter(|_| record);
            let inner = match &full {
                Some(full) => full.rsplit_once('.').map_or("", |(space, _)| space),
                None => namespace,
            }
            .to_owned();
            if let (Some(full), Some(Value::Array(fields))) = (&full, object.get_mut("fields")) {
                for field in fields.iter_mut().filter_map(Value::as_object_mut) {
                    let name = field.get("name").and_then(Value::as_str).map(str::to_owned);
                    if let (Some(name), Some(default)) = (name, field.remove("default")) {
                        taken.insert((full.clone(), name), default);
                    }
                    if let Some(child) = field.get_mut("type") {
                        take(child, &inner, taken);
                    }
                }
            }
            for key in ["items", "values"] {
                if let Some(child) = object.get_mut(key) {
                    take(child, &inner, taken);
                }
            }
        }
        _ => {}
    }
}

/// Puts the defaults `taken` back into the parsed `schema`, returning a
/// warning for each that does not fit its field's type; `named` are the
/// named types the schema can see.
pub(super) fn restore(schema: &mut Schema, taken: &mut Taken, named: &Named<'_>) -> Vec<String> {
    let mut warnings = Vec::new();
    restore_into(schema, taken, named, &mut warnings);
    warnings
}

fn restore_into(
    schema: &mut Schema,
    taken: &mut Taken,
    named: &Named<'_>,
    warnings: &mut Vec<String>,
) {
    match schema {
        Schema::Record(record) => {
            let full = record.name.fullname(None);
            for field in &mut record.fields {
                restore_into(&mut field.schema, taken, named, warnings);
                let Some(default) = taken.remove(&(full.clone(), field.name.clone())) else {
                    continue;
                };
                if !fits(&default, &field.schema, named) {
                    warnings.push(format!(
                        "the default {default} of field '{}' in record '{full}' does not match its type: stored as Confluent stores it, but Java Avro's parser refuses it unless default validation is off",
                        field.name
                    ));
                }
                field.default = Some(default);
            }
        }
        Schema::Array(array) => restore_into(&mut array.items, taken, named, warnings),
        Schema::Map(map) => restore_into(&mut map.types, taken, named, warnings),
        Schema::Union(union) => {
            let mut variants = union.variants().to_vec();
            for variant in &mut variants {
                restore_into(variant, taken, named, warnings);
            }
            if let Ok(rebuilt) = UnionSchema::new(variants) {
                *union = rebuilt;
            }
        }
        _ => {}
    }
}

/// Whether `default` is a value of `schema` (of any branch of a union),
/// judged as apache-avro judges a new schema's defaults.
fn fits(default: &Value, schema: &Schema, named: &Named<'_>) -> bool {
    let Ok(value) = AvroValue::try_from(default.clone()) else {
        return false;
    };
    let resolves = |schema: &Schema| value.clone().resolve_with_names(schema, named).is_ok();
    match schema {
        Schema::Union(union) => union.variants().iter().any(resolves),
        other => resolves(other),
    }
}
