//! Avro's canonical form for deduplication and `normalize=true`.
//!
//! It follows the Parsing Canonical Form's transformations (full names,
//! no `namespace`, primitives as plain strings, fixed attribute order, no
//! whitespace) but keeps every other attribute (defaults, aliases, order,
//! logical types, docs, custom properties), so that schemas that read data
//! differently never share a canonical form.

use std::collections::HashMap;

use apache_avro::Schema;
use serde_json::{Map, Value};

const PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
const NAMED: &[&str] = &["record", "error", "enum", "fixed"];
/// Attributes in the order the Parsing Canonical Form writes them; every
/// other attribute follows in alphabetical order.
const LEADING: &[&str] = &[
    "name", "type", "fields", "symbols", "items", "values", "size",
];

/// The canonical text of a schema given as JSON. `defined` holds the named
/// types visible to it, used to qualify names written without namespace.
pub(super) fn canonical_form(schema: &Value, defined: &HashMap<String, Schema>) -> String {
    let canonical = Canonicalizer { defined }.schema(schema, "");
    canonical.to_string()
}

struct Canonicalizer<'a> {
    defined: &'a HashMap<String, Schema>,
}

impl Canonicalizer<'_> {
    /// A schema in any position: a name, a union or an object.
    fn schema(&self, schema: &Value, namespace: &str) -> Value {
        match schema {
            Value::String(name) => Value::String(self.reference(name, namespace)),
            Value::Array(branches) => {
                Value::Array(branches.iter().map(|b| self.schema(b, namespace)).collect())
            }
            Value::Object(attributes) => self.object(attributes, namespace),
            other => other.clone(),
        }
    }

    fn object(&self, attributes: &Map<String, Value>, namespace: &str) -> Value {
        let type_name = attributes
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if PRIMITIVES.contains(&type_name) && attributes.len() == 1 {
            return Value::String(type_name.to_owned());
        }
        let mut out = Map::new();
        let mut inner_namespace = namespace.to_owned();
        if NAMED.contains(&type_name) {
            let full = full_name(attributes, namespace);
            inner_namespace = full
                .rsplit_once('.')
                .map(|(ns, _)| ns.to_owned())
                .unwrap_or_default();
            out.insert("name".into(), Value::String(full));
        }
        for (key, value) in attributes {
            let canonical = match key.as_str() {
                "name" | "namespace" if NAMED.contains(&type_name) => continue,
                "type"
                    if NAMED.contains(&type_name) || type_name == "array" || type_name == "map" =>
                {
                    value.clone()
                }
                "type" | "items" | "values" => self.schema(value, &inner_namespace),
                "fields" => self.fields(value, &inner_namespace),
                "aliases" if NAMED.contains(&type_name) => qualify_all(value, &inner_namespace),
                _ => value.clone(),
            };
            out.insert(key.clone(), canonical);
        }
        Value::Object(ordered(out))
    }

    fn fields(&self, fields: &Value, namespace: &str) -> Value {
        let Value::Array(fields) = fields else {
            return fields.clone();
        };
        let fields = fields.iter().map(|field| match field {
            Value::Object(attributes) => {
                let mut out = attributes.clone();
                if let Some(field_type) = attributes.get("type") {
                    out.insert("type".into(), self.schema(field_type, namespace));
                }
                Value::Object(ordered(out))
            }
            other => other.clone(),
        });
        Value::Array(fields.collect())
    }

    /// A type named by a string: primitives stay, other names become full
    /// names, resolved in the enclosing namespace first as Avro does.
    fn reference(&self, name: &str, namespace: &str) -> String {
        if PRIMITIVES.contains(&name) || name.contains('.') || namespace.is_empty() {
            return name.to_owned();
        }
        let qualified = format!("{namespace}.{name}");
        if self.defined.contains_key(&qualified) {
            qualified
        } else {
            name.to_owned()
        }
    }
}

fn full_name(attributes: &Map<String, Value>, enclosing: &str) -> String {
    let name = attributes
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = attributes
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(enclosing);
    qualify(name, namespace)
}

fn qualify(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn qualify_all(aliases: &Value, namespace: &str) -> Value {
    match aliases {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|alias| match alias {
                    Value::String(alias) => Value::String(qualify(alias, namespace)),
                    other => other.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Reorders attributes: [`LEADING`] first, then the rest alphabetically.
fn ordered(mut attributes: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for key in LEADING {
        if let Some(value) = attributes.remove(*key) {
            out.insert((*key).to_owned(), value);
        }
    }
    let mut rest: Vec<(String, Value)> = attributes.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use crate::{ParseLimits, ReferencedSchema, SchemaType};

    use super::super::AvroSchema;

    fn canonical(text: &str) -> String {
        canonical_with(text, &[])
    }

    fn canonical_with(text: &str, references: &[ReferencedSchema]) -> String {
        AvroSchema::parse(text, references, ParseLimits::default())
            .map(|schema| schema.canonical().to_owned())
            .unwrap_or_else(|e| panic!("schema must parse: {e}"))
    }

    #[test]
    fn spelling_differences_share_one_form() {
        let a = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":{"type":"long"}}]}"#;
        let b = r#"{ "fields": [ {"type": "long", "name": "id"} ],
                     "name": "com.acme.Order", "type": "record" }"#;
        assert_eq!(canonical(a), canonical(b));
        assert_eq!(
            canonical(a),
            r#"{"name":"com.acme.Order","type":"record","fields":[{"name":"id","type":"long"}]}"#
        );
    }

    #[test]
    fn semantic_differences_never_collide() {
        let base = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
        let variants = [
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["b"]}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int","logicalType":"date"}}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"descending"}]}"#,
            r#"{"type":"record","name":"R","aliases":["Q"],"fields":[{"name":"a","type":"int"}]}"#,
            r#"{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":"int"}]}"#,
        ];
        for variant in variants {
            assert_ne!(canonical(base), canonical(variant), "{variant}");
        }
    }

    #[test]
    fn names_are_qualified_in_the_enclosing_namespace() {
        let text = r#"{"type":"record","name":"Outer","namespace":"a.b","fields":[
            {"name":"inner","type":{"type":"enum","name":"Kind","symbols":["X"],"aliases":["Old"]}},
            {"name":"again","type":"Kind"}]}"#;
        assert_eq!(
            canonical(text),
            r#"{"name":"a.b.Outer","type":"record","fields":[{"name":"inner","type":{"name":"a.b.Kind","type":"enum","symbols":["X"],"aliases":["a.b.Old"]}},{"name":"again","type":"a.b.Kind"}]}"#
        );
    }

    #[test]
    fn names_from_references_are_qualified_too() {
        let money = ReferencedSchema {
            name: "Money".into(),
            schema_type: SchemaType::Avro,
            text: r#"{"type":"fixed","name":"Money","namespace":"com.acme","size":8}"#.into(),
        };
        let text = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"total","type":"Money"}]}"#;
        assert!(canonical_with(text, &[money]).contains(r#""type":"com.acme.Money""#));
    }
}
