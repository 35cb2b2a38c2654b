//! Schema tags written into a schema's text (Confluent's `confluent:tags`
//! on an Avro record or field, or on a JSON Schema object or property),
//! added and removed as Confluent's `POST /subjects/{s}/versions/{v}/tags`
//! does: the entity is found by its dotted path, its tags are a set kept in
//! the order they were added, and an empty set removes the attribute.

use serde_json::Value;

use crate::limits::parse_json;
use crate::{ParseLimits, SchemaError, SchemaType};

/// The attribute holding an entity's tags.
pub const TAGS: &str = "confluent:tags";

/// What a tag names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// A record (`sr_record`): an Avro record, a JSON Schema object.
    Record,
    /// A field (`sr_field`): an Avro record field, a JSON Schema property.
    Field,
}

/// Tags for one entity, e.g. `com.acme.Order.email` (a field of Avro
/// record `com.acme.Order`) or `object.address.object.zip` (JSON Schema).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityTags {
    /// The dotted path, as Confluent names it.
    pub path: String,
    /// Record or field.
    pub kind: EntityKind,
    /// The tags.
    pub tags: Vec<String>,
}

impl EntityTags {
    /// The path with one leading `.` dropped, by which entities are equal.
    fn normalized(&self) -> &str {
        self.path.strip_prefix('.').unwrap_or(&self.path)
    }
}

/// `text` with `add` added to and then `remove` removed from each named
/// entity's tags. An entity that is not in the schema is 42201 "No matching
/// path", as in Confluent; Protobuf (options in the `.proto` text) is not
/// supported.
pub fn retag(
    schema_type: SchemaType,
    text: &str,
    add: &[EntityTags],
    remove: &[EntityTags],
    limits: ParseLimits,
) -> Result<String, SchemaError> {
    if schema_type == SchemaType::Protobuf {
        return Err(SchemaError::Invalid(
            "schema tags in PROTOBUF schemas are not supported by Herald; tag the fields with (confluent.field_meta) options and register a new version".to_owned(),
        ));
    }
    let mut schema = parse_json(text, limits)?;
    let mut entities: Vec<(&EntityTags, Vec<&str>, Vec<&str>)> = Vec::new();
    for (change, adding) in add
        .iter()
        .map(|c| (c, true))
        .chain(remove.iter().map(|c| (c, false)))
    {
        let position = entities
            .iter()
            .position(|(e, ..)| e.kind == change.kind && e.normalized() == change.normalized());
        let index = position.unwrap_or_else(|| {
            entities.push((change, Vec::new(), Vec::new()));
            entities.len() - 1
        });
        let (_, added, removed) = &mut entities[index];
        let list = if adding { added } else { removed };
        list.extend(change.tags.iter().map(String::as_str));
    }
    for (entity, added, removed) in entities {
        let pointer = match schema_type {
            SchemaType::Avro => avro_entity(&schema, entity),
            _ => json_entity(&schema, entity),
        }
        .ok_or_else(|| {
            SchemaError::Invalid(format!(
                "No matching path '{}' found in the schema",
                entity.path
            ))
        })?;
        let Some(Value::Object(node)) = schema.pointer_mut(&pointer) else {
            return Err(SchemaError::Invalid(format!(
                "the path '{}' does not name an object in the schema",
                entity.path
            )));
        };
        let mut tags: Vec<String> = match node.get(TAGS) {
            Some(Value::Array(existing)) => existing
                .iter()
                .map(|tag| tag.as_str().map_or_else(|| tag.to_string(), str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        for tag in added {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        tags.retain(|tag| !removed.contains(&tag.as_str()));
        if tags.is_empty() {
            node.shift_remove(TAGS);
        } else {
            node.insert(TAGS.to_owned(), Value::from(tags));
        }
    }
    Ok(schema.to_string())
}

/// Escapes one JSON Pointer segment.
fn segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The pointer to the Avro record or field `entity` names, searched
/// breadth first as Confluent's `AvroSchemaUtils.findMatchingEntity`: the
/// path's last part (a field's last two) are the names, the rest a
/// namespace compared with the root's (empty matches any).
fn avro_entity(root: &Value, entity: &EntityTags) -> Option<String> {
    let parts: Vec<&str> = entity.path.split('.').collect();
    let names = match entity.kind {
        EntityKind::Record => 1,
        EntityKind::Field => 2,
    };
    let split = parts.len().checked_sub(names)?;
    let namespace = parts[..split].join(".");
    let record = parts[split];
    let field = parts.get(split + 1).copied();
    let root_namespace = root.get("namespace").and_then(Value::as_str);
    let mut pending = std::collections::VecDeque::from([(String::new(), root)]);
    while let Some((pointer, node)) = pending.pop_front() {
        let Some(kind) = node.get("type") else {
            // A union (or anything else without a type): its members.
            let members: Vec<(String, &Value)> = match node {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (format!("{pointer}/{i}"), item))
                    .collect(),
                Value::Object(object) => object
                    .iter()
                    .map(|(key, value)| (format!("{pointer}/{}", segment(key)), value))
                    .collect(),
                _ => Vec::new(),
            };
            pending.extend(members);
            continue;
        };
        let fields = || {
            node.get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
        };
        match kind.as_str().unwrap_or("") {
            "record" => {
                let same_space = namespace.is_empty() || Some(namespace.as_str()) == root_namespace;
                let name = node.get("name").and_then(Value::as_str).unwrap_or("");
                if same_space && name == record {
                    let Some(field) = field else {
                        return Some(pointer);
                    };
                    let found = fields()
                        .find(|(_, f)| f.get("name").and_then(Value::as_str) == Some(field));
                    if let Some((index, _)) = found {
                        return Some(format!("{pointer}/fields/{index}"));
                    }
                } else {
                    pending.extend(fields().map(|(i, f)| (format!("{pointer}/fields/{i}"), f)));
                }
            }
            "array" => pending.extend(
                node.get("items")
                    .map(|items| (format!("{pointer}/items"), items)),
            ),
            "map" => pending.extend(
                node.get("values")
                    .map(|values| (format!("{pointer}/values"), values)),
            ),
            _ => pending.push_back((format!("{pointer}/type"), kind)),
        }
    }
    None
}

/// The pointer to the JSON Schema object or property `entity` names, as
/// Confluent's `JsonSchemaUtils.findMatchingEntity` walks a path such as
/// `object.address.object.zip`: `object` steps into `properties` (or
/// `definitions`/`$defs`), `array` into `items`, `not` into `not`, and
/// `anyof`/`allof`/`oneof` take the next part as an index. A property name
/// holding dots is matched by joining parts until one exists.
fn json_entity(root: &Value, entity: &EntityTags) -> Option<String> {
    let mut parts: std::collections::VecDeque<&str> = entity.path.split('.').collect();
    let mut pointer = String::new();
    let mut node = root;
    loop {
        let step = parts.pop_front()?;
        match step {
            "object" => {
                if entity.kind == EntityKind::Record && parts.is_empty() {
                    return Some(pointer);
                }
                let container = match parts.front().copied()? {
                    key @ ("definitions" | "$defs") => {
                        parts.pop_front();
                        key
                    }
                    _ => "properties",
                };
                let children = node.get(container)?;
                let mut name = parts.pop_front()?.to_owned();
                while children.get(&name).is_none() {
                    name = format!("{name}.{}", parts.pop_front()?);
                }
                pointer = format!("{pointer}/{container}/{}", segment(&name));
                node = children.get(&name)?;
                if parts.is_empty() {
                    return Some(pointer);
                }
            }
            "array" | "not" => {
                let key = if step == "array" { "items" } else { "not" };
                node = node.get(key)?;
                pointer = format!("{pointer}/{key}");
            }
            "anyof" | "allof" | "oneof" => {
                let key = match step {
                    "anyof" => "anyOf",
                    "allof" => "allOf",
                    _ => "oneOf",
                };
                let Some(members) = node.get(key) else {
                    // A `"type": [...]` union names no member; an
                    // `allof.N.conditional.if|then|else` path steps into it.
                    parts.pop_front();
                    if step == "allof" && parts.front() == Some(&"conditional") {
                        parts.pop_front();
                        let branch = parts.pop_front()?;
                        node = node.get(branch)?;
                        pointer = format!("{pointer}/{}", segment(branch));
                    }
                    continue;
                };
                let index: usize = parts.pop_front()?.parse().ok()?;
                node = members.get(index)?;
                pointer = format!("{pointer}/{key}/{index}");
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests;
