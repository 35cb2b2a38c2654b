//! Schema tags written into a schema's text (Confluent's `confluent:tags`
//! on an Avro record or field, or on a JSON Schema object or property; the
//! `tags` of `(confluent.message_meta)`/`(confluent.field_meta)` options in
//! a `.proto` file),
//! added and removed as Confluent's `POST /subjects/{s}/versions/{v}/tags`
//! does: the entity is found by its dotted path, its tags are a set kept in
//! the order they were added, and an empty set removes the attribute.

use serde_json::Value;

use crate::limits::parse_json;
use crate::{ParseLimits, ReferencedSchema, SchemaError, SchemaType};

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
    pub(crate) fn normalized(&self) -> &str {
        self.path.strip_prefix('.').unwrap_or(&self.path)
    }
}

/// One entity's change: the entity (as first named) and the tags to add
/// and to remove, merged over every request entry naming it.
pub(crate) struct Change<'a> {
    /// The entity.
    pub entity: &'a EntityTags,
    /// Tags to add.
    pub add: Vec<&'a str>,
    /// Tags to remove (after adding).
    pub remove: Vec<&'a str>,
}

impl Change<'_> {
    /// `existing` tags with this change applied: added ones appended when
    /// new, then removed ones dropped.
    pub(crate) fn apply(&self, mut existing: Vec<String>) -> Vec<String> {
        for tag in &self.add {
            if !existing.iter().any(|t| t == tag) {
                existing.push((*tag).to_owned());
            }
        }
        existing.retain(|tag| !self.remove.contains(&tag.as_str()));
        existing
    }
}

/// The changes `add` and `remove` ask, one per entity, in the order
/// entities are first named (adds first), as Confluent groups them.
fn changes<'a>(add: &'a [EntityTags], remove: &'a [EntityTags]) -> Vec<Change<'a>> {
    let mut changes: Vec<Change<'a>> = Vec::new();
    let requested = add.iter().map(|c| (c, true));
    for (asked, adding) in requested.chain(remove.iter().map(|c| (c, false))) {
        let index = match changes.iter().position(|c| {
            c.entity.kind == asked.kind && c.entity.normalized() == asked.normalized()
        }) {
            Some(index) => index,
            None => {
                changes.push(Change {
                    entity: asked,
                    add: Vec::new(),
                    remove: Vec::new(),
                });
                changes.len() - 1
            }
        };
        let list = if adding {
            &mut changes[index].add
        } else {
            &mut changes[index].remove
        };
        list.extend(asked.tags.iter().map(String::as_str));
    }
    changes
}

/// `text` with `add` added to and then `remove` removed from each named
/// entity's tags; `references` are the schemas it imports (Protobuf). An
/// entity that is not in the schema is refused with Confluent's "No
/// matching ..." message.
pub fn retag(
    schema_type: SchemaType,
    text: &str,
    references: &[ReferencedSchema],
    add: &[EntityTags],
    remove: &[EntityTags],
    limits: ParseLimits,
) -> Result<String, SchemaError> {
    let changes = changes(add, remove);
    if schema_type == SchemaType::Protobuf {
        return crate::protobuf::retag(text, references, &changes, limits);
    }
    let mut schema = parse_json(text, limits)?;
    for change in changes {
        let entity = change.entity;
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
        let existing: Vec<String> = match node.get(TAGS) {
            Some(Value::Array(existing)) => existing
                .iter()
                .map(|tag| tag.as_str().map_or_else(|| tag.to_string(), str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let tags = change.apply(existing);
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
/// `anyof`/`allof`/`oneof` take the next part as an index into the members
/// sorted as Confluent sorts them (see `json_order`). A property name
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
                // The index counts the members in Confluent's order.
                let asked: usize = parts.pop_front()?.parse().ok()?;
                let index = *json_order::sorted(members.as_array()?).get(asked)?;
                node = members.get(index)?;
                pointer = format!("{pointer}/{key}/{index}");
            }
            _ => return None,
        }
    }
}

mod json_order;

#[cfg(test)]
mod tests;
