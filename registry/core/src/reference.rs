//! References from one schema to schemas registered under other subjects.

use serde::{Deserialize, Serialize};

use crate::{SchemaError, SchemaType};

/// A reference as written in a registration: `name` is how the referencing
/// schema names the dependency (an Avro full name, a `.proto` import path,
/// a JSON Schema `$ref` URL); `subject` and `version` say where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaReference {
    /// The name the referencing schema uses for the dependency.
    pub name: String,
    /// The subject holding the dependency.
    pub subject: String,
    /// The version of that subject.
    pub version: i32,
}

/// A dependency already fetched from its subject: the text to parse with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferencedSchema {
    /// The reference name (see [`SchemaReference::name`]).
    pub name: String,
    /// The dependency's format.
    pub schema_type: SchemaType,
    /// The dependency's schema text.
    pub text: String,
}

impl ReferencedSchema {
    /// Refuses a dependency of another format than `expected`: schemas
    /// reference schemas of their own format only.
    pub(crate) fn require_type(&self, expected: SchemaType) -> Result<(), SchemaError> {
        if self.schema_type == expected {
            return Ok(());
        }
        Err(SchemaError::Invalid(format!(
            "reference '{}' is a {} schema, but {expected} schemas can only reference {expected} schemas",
            self.name, self.schema_type
        )))
    }
}

/// The names by which `text` (a schema of `schema_type`) refers to schemas
/// outside itself, in the order they first appear: a `.proto` file's
/// imports, the documents of a JSON Schema's `$ref`s (not URLs, not
/// fragments of itself), and the Avro named types it uses without defining
/// them. What a registration lists as references, or a tool resolves to
/// files; text that does not parse names nothing.
pub fn names_referenced(schema_type: SchemaType, text: &str) -> Vec<String> {
    let mut names = Vec::new();
    match schema_type {
        SchemaType::Protobuf => names = crate::project::imports(text),
        SchemaType::Json => {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                walk(&value, |object| {
                    if let Some(serde_json::Value::String(reference)) = object.get("$ref") {
                        let document = reference.split('#').next().unwrap_or_default();
                        if !document.is_empty() && !document.contains("://") {
                            names.push(document.to_owned());
                        }
                    }
                });
            }
        }
        SchemaType::Avro => {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                names = avro_names_used(&value);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    names
}

/// Calls `visit` on every object in `value`, without recursion (serde_json
/// already bounds the depth of what it parses; this walk holds no stack of
/// its own beyond a list).
fn walk<'a>(
    value: &'a serde_json::Value,
    mut visit: impl FnMut(&'a serde_json::Map<String, serde_json::Value>),
) {
    let mut pending = vec![value];
    while let Some(current) = pending.pop() {
        match current {
            serde_json::Value::Object(object) => {
                visit(object);
                pending.extend(object.values().rev());
            }
            serde_json::Value::Array(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
}

/// Type names that name no schema of their own: primitives, and the
/// `type` of a complex schema.
const AVRO_BUILT_IN: [&str; 14] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "error",
    "enum", "fixed", "array", "map",
];

/// The full names of the Avro named types `value` uses but does not define.
fn avro_names_used(value: &serde_json::Value) -> Vec<String> {
    let (defined, mut used) = avro_names(value);
    used.retain(|name| !defined.contains(name));
    used
}

/// The full names of the named types (records, enums, fixed) an Avro
/// schema `text` defines; none for other formats or unreadable text.
pub fn names_defined(schema_type: SchemaType, text: &str) -> Vec<String> {
    match (schema_type, serde_json::from_str::<serde_json::Value>(text)) {
        (SchemaType::Avro, Ok(value)) => avro_names(&value).0,
        _ => Vec::new(),
    }
}

/// The full names an Avro schema defines, and those it uses.
fn avro_names(value: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let (mut defined, mut used) = (Vec::new(), Vec::new());
    // (schema, enclosing namespace)
    let mut pending = vec![(value, String::new())];
    while let Some((schema, namespace)) = pending.pop() {
        match schema {
            serde_json::Value::String(name) if !AVRO_BUILT_IN.contains(&name.as_str()) => {
                used.push(full_name(name, &namespace));
            }
            serde_json::Value::Array(branches) => {
                pending.extend(branches.iter().rev().map(|b| (b, namespace.clone())));
            }
            serde_json::Value::Object(object) => {
                let mut inner = namespace.clone();
                if let Some(serde_json::Value::String(name)) = object.get("name")
                    && matches!(
                        object.get("type").and_then(serde_json::Value::as_str),
                        Some("record" | "error" | "enum" | "fixed")
                    )
                {
                    let explicit = object.get("namespace").and_then(serde_json::Value::as_str);
                    let full = full_name(name, explicit.unwrap_or(&namespace));
                    inner = full
                        .rsplit_once('.')
                        .map(|(ns, _)| ns.to_owned())
                        .unwrap_or_default();
                    defined.push(full);
                }
                for key in ["type", "items", "values"] {
                    if let Some(child) = object.get(key) {
                        pending.push((child, inner.clone()));
                    }
                }
                if let Some(serde_json::Value::Array(fields)) = object.get("fields") {
                    pending.extend(fields.iter().rev().map(|f| (f, inner.clone())));
                }
            }
            _ => {}
        }
    }
    (defined, used)
}

/// `name` in `namespace`, unless it is already a full name.
fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseLimits, ParsedSchema};

    #[test]
    fn schemas_reference_their_own_format_only() {
        let proto = ReferencedSchema {
            name: "money.proto".into(),
            schema_type: SchemaType::Protobuf,
            text: "syntax = \"proto3\";".into(),
        };
        let error = ParsedSchema::parse(
            SchemaType::Avro,
            "\"string\"",
            &[proto],
            ParseLimits::default(),
        )
        .err();
        let Some(SchemaError::Invalid(message)) = error else {
            panic!("expected an invalid schema, got {error:?}")
        };
        assert_eq!(
            message,
            "reference 'money.proto' is a PROTOBUF schema, but AVRO schemas can only reference AVRO schemas"
        );
    }

    #[test]
    fn each_format_names_what_it_refers_to() {
        let proto = "syntax = \"proto3\";\nimport \"shop/money.proto\";\nimport \"google/protobuf/timestamp.proto\";\nmessage A {}";
        assert_eq!(
            names_referenced(SchemaType::Protobuf, proto),
            ["shop/money.proto", "google/protobuf/timestamp.proto"]
        );
        let json = r##"{"properties":{"a":{"$ref":"address.json"},"b":{"$ref":"address.json#/x"},
            "c":{"$ref":"#/definitions/d"},"d":{"$ref":"https://example.com/x.json"},
            "e":{"items":[{"$ref":"money.json"}]}}}"##;
        assert_eq!(
            names_referenced(SchemaType::Json, json),
            ["address.json", "money.json"]
        );
        let avro = r#"{"type":"record","name":"Order","namespace":"shop","fields":[
            {"name":"total","type":"Money"},
            {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
                {"name":"sku","type":"string"},{"name":"price","type":"com.acme.Price"}]}}},
            {"name":"next","type":["null","Line","Order"]}]}"#;
        assert_eq!(
            names_referenced(SchemaType::Avro, avro),
            ["shop.Money", "com.acme.Price"]
        );
        assert!(names_referenced(SchemaType::Avro, "{not json").is_empty());
    }
}
