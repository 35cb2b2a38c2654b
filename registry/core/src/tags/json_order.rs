//! The order Confluent gives the members of a JSON Schema `anyOf`, `allOf`
//! or `oneOf` before it indexes them in a tag path (its Java
//! `JsonSchemaComparator` over the schemas the everit library loads): by
//! kind (alphabetically: array, boolean, combined, conditional, const,
//! empty, enum, false, not, null, number, object, reference, string,
//! true), then title, description and default, then what each kind holds.
//! The sort is stable, so members that compare equal keep their order.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// The member indexes of `members` in Confluent's order.
pub(super) fn sorted(members: &[Value]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|a, b| compare(&members[*a], &members[*b], 0));
    order
}

/// Deepest nesting compared; deeper members compare equal.
const MAX_DEPTH: usize = 32;

/// The kinds, in the comparator's (alphabetical) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Array,
    Boolean,
    Combined,
    Conditional,
    Const,
    Empty,
    Enum,
    False,
    Not,
    Null,
    Number,
    Object,
    Reference,
    String,
    True,
}

const COMBINATORS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// The kind everit loads `schema` as, for the common shapes.
fn kind(schema: &Value) -> Kind {
    let object = match schema {
        Value::Bool(true) => return Kind::True,
        Value::Bool(false) => return Kind::False,
        Value::Object(object) => object,
        _ => return Kind::Empty,
    };
    let has = |key: &str| object.contains_key(key);
    if has("$ref") {
        return Kind::Reference;
    }
    if COMBINATORS.iter().any(|c| has(c)) || object.get("type").is_some_and(Value::is_array) {
        return Kind::Combined;
    }
    if has("if") {
        return Kind::Conditional;
    }
    if has("const") {
        return Kind::Const;
    }
    if has("enum") {
        return Kind::Enum;
    }
    if has("not") {
        return Kind::Not;
    }
    match object.get("type").and_then(Value::as_str) {
        Some("string") => Kind::String,
        Some("number" | "integer") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("null") => Kind::Null,
        Some("object") => Kind::Object,
        Some("array") => Kind::Array,
        _ if has("properties") || has("required") || has("additionalProperties") => Kind::Object,
        _ if has("items") => Kind::Array,
        _ => Kind::Empty,
    }
}

/// Java's `toString` of a value: strings bare, the rest as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Compares two optional texts, absent first.
fn optional(a: Option<String>, b: Option<String>) -> Ordering {
    a.cmp(&b)
}

fn field(schema: &Value, key: &str) -> Option<String> {
    schema.get(key).map(text)
}

fn compare(a: &Value, b: &Value, depth: usize) -> Ordering {
    if depth > MAX_DEPTH {
        return Ordering::Equal;
    }
    let (kind_a, kind_b) = (kind(a), kind(b));
    kind_a
        .cmp(&kind_b)
        .then_with(|| optional(field(a, "title"), field(b, "title")))
        .then_with(|| optional(field(a, "description"), field(b, "description")))
        .then_with(|| optional(field(a, "default"), field(b, "default")))
        .then_with(|| compare_content(kind_a, a, b, depth))
}

fn compare_content(kind: Kind, a: &Value, b: &Value, depth: usize) -> Ordering {
    let empty = Map::new();
    let (object_a, object_b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    match kind {
        Kind::Const => optional(field(a, "const"), field(b, "const")),
        Kind::Enum => collections(&list(object_a.get("enum")), &list(object_b.get("enum"))),
        Kind::Combined => {
            let (criterion_a, members_a) = combined(object_a);
            let (criterion_b, members_b) = combined(object_b);
            criterion_a
                .cmp(criterion_b)
                .then_with(|| members_a.len().cmp(&members_b.len()))
                .then_with(|| {
                    let sorted_a = sorted(&members_a);
                    let sorted_b = sorted(&members_b);
                    sorted_a
                        .iter()
                        .zip(&sorted_b)
                        .map(|(i, j)| compare(&members_a[*i], &members_b[*j], depth + 1))
                        .find(|ordering| ordering.is_ne())
                        .unwrap_or(Ordering::Equal)
                })
        }
        Kind::Not => compare(
            object_a.get("not").unwrap_or(&Value::Null),
            object_b.get("not").unwrap_or(&Value::Null),
            depth + 1,
        ),
        Kind::Conditional => ["if", "then", "else"]
            .iter()
            .map(|key| {
                let empty = Value::Object(Map::new());
                compare(
                    object_a.get(*key).unwrap_or(&empty),
                    object_b.get(*key).unwrap_or(&empty),
                    depth + 1,
                )
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal),
        Kind::Object => {
            let keys = |object: &Map<String, Value>| -> Vec<String> {
                object
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|properties| properties.keys().cloned().collect())
                    .unwrap_or_default()
            };
            collections(&keys(object_a), &keys(object_b)).then_with(|| {
                collections(
                    &list(object_a.get("required")),
                    &list(object_b.get("required")),
                )
            })
        }
        Kind::Array => compare(
            object_a.get("items").unwrap_or(&Value::Null),
            object_b.get("items").unwrap_or(&Value::Null),
            depth + 1,
        ),
        _ => Ordering::Equal,
    }
}

/// The criterion and members of a combined schema: a combinator's, or a
/// `"type": [...]` list read as `anyOf` single-type schemas.
fn combined(object: &Map<String, Value>) -> (&'static str, Vec<Value>) {
    for (key, criterion) in COMBINATORS.iter().zip(["allof", "anyof", "oneof"]) {
        if let Some(Value::Array(members)) = object.get(*key) {
            return (criterion, members.clone());
        }
    }
    let types = object
        .get("type")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let members = types
        .into_iter()
        .map(|t| Value::Object(Map::from_iter([("type".to_owned(), t)])))
        .collect();
    ("anyof", members)
}

/// A JSON list's items as texts.
fn list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().map(text).collect())
        .unwrap_or_default()
}

/// Java's `compareCollections`: by size, then the sorted texts in turn.
fn collections(a: &[String], b: &[String]) -> Ordering {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}
