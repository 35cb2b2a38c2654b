//! The typed model the compatibility diff walks.
//!
//! Every subschema is classified the way everit-json-schema (the library
//! behind Confluent's checker) classifies it, so that the diff sees the same
//! shapes Confluent's does: `{"type":"string"}` is a string schema,
//! `{"type":["string","null"]}` an `anyOf` of a string and a null schema, a
//! schema that mixes keyword groups (say `type` and `anyOf`) a synthetic
//! `allOf` of one schema per group, and `$ref` a reference to the node of
//! its target. Nodes live in one arena, so recursive schemas are graphs with
//! cycles, not infinite trees.

use std::collections::{HashMap, HashSet};

use crate::SchemaError;

use serde_json::{Map, Value};

use super::Draft;

/// Index of a node in a [`Model`].
pub(crate) type NodeId = usize;

/// A schema as a graph of typed nodes.
#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
}

/// One subschema: the annotations every schema has, and its kind.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) id: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<Value>,
    /// Kafka Connect's `connect.type` annotation.
    pub(crate) connect_type: Option<String>,
    pub(crate) kind: Kind,
}

/// What a subschema constrains.
#[derive(Debug, Default)]
pub(crate) enum Kind {
    /// `true`, `{}` or a schema of annotations only: accepts everything.
    #[default]
    Empty,
    /// `false`: accepts nothing.
    False,
    Boolean,
    Null,
    String(StringRules),
    Number(NumberRules),
    Enum(Vec<Value>),
    Const(Value),
    Object(Box<ObjectRules>),
    Array(Box<ArrayRules>),
    Combined(Criterion, Vec<NodeId>),
    Not(NodeId),
    /// A `$ref` and the node it points at.
    Reference(NodeId),
    /// A `$ref` this model cannot follow (an anchor or URI it does not
    /// know); compared by its text.
    Unresolved(String),
}

/// `allOf`, `anyOf` or `oneOf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Criterion {
    All,
    Any,
    One,
}

impl Criterion {
    /// The keyword, as it appears in difference paths.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            Criterion::All => "allOf",
            Criterion::Any => "anyOf",
            Criterion::One => "oneOf",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct StringRules {
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) pattern: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct NumberRules {
    pub(crate) requires_integer: bool,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) exclusive_minimum: Option<f64>,
    pub(crate) exclusive_maximum: Option<f64>,
    pub(crate) multiple_of: Option<f64>,
}

/// `additionalProperties` / `additionalItems`: whether extra members are
/// permitted (`false` is the only way to forbid them), and the schema they
/// must match when one is given.
pub(crate) type Additional = (bool, Option<NodeId>);

#[derive(Debug, Default)]
pub(crate) struct ObjectRules {
    pub(crate) properties: Vec<(String, NodeId)>,
    /// `properties` by name, so that wide objects compare in linear time.
    property_index: HashMap<String, NodeId>,
    pub(crate) required: Vec<String>,
    /// `required` as a set, for the same reason.
    required_set: HashSet<String>,
    pub(crate) pattern_properties: Vec<(String, NodeId)>,
    pub(crate) additional: Additional,
    pub(crate) unevaluated: Option<NodeId>,
    /// `dependencies` with an array value, or `dependentRequired`.
    pub(crate) property_dependencies: Vec<(String, Vec<String>)>,
    /// `dependencies` with a schema value, or `dependentSchemas`.
    pub(crate) schema_dependencies: Vec<(String, NodeId)>,
    pub(crate) min_properties: Option<u64>,
    pub(crate) max_properties: Option<u64>,
}

impl ObjectRules {
    pub(crate) fn property(&self, name: &str) -> Option<NodeId> {
        self.property_index.get(name).copied()
    }

    /// Whether `name` is required.
    pub(crate) fn is_required(&self, name: &str) -> bool {
        self.required_set.contains(name)
    }
}

#[derive(Debug, Default)]
pub(crate) struct ArrayRules {
    /// `items` as one schema for every item.
    pub(crate) all_items: Option<NodeId>,
    /// `items` as an array (tuples), or 2020-12 `prefixItems`.
    pub(crate) item_schemas: Vec<NodeId>,
    /// `additionalItems`, or 2020-12 `items` after `prefixItems`.
    pub(crate) additional: Additional,
    pub(crate) unevaluated: Option<NodeId>,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) unique_items: bool,
    pub(crate) min_contains: Option<u64>,
    pub(crate) max_contains: Option<u64>,
}

/// The value under `name` in a list of named entries.
pub(crate) fn lookup<T: Copy>(entries: &[(String, T)], name: &str) -> Option<T> {
    entries
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| *value)
}

const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "propertyNames",
    "unevaluatedProperties",
];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "prefixItems",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];

impl Model {
    /// Builds the model of `root`; `references` are the documents its
    /// `$ref`s may name, by reference name.
    /// Subschemas nested (through keywords and `$ref`s) deeper than
    /// `max_depth` are refused: the building recursion is bounded.
    pub(crate) fn build(
        root: &Value,
        draft: Draft,
        references: &[(String, Value)],
        max_depth: usize,
    ) -> Result<Model, SchemaError> {
        let mut documents = vec![Document {
            name: root_id(root).unwrap_or_default().to_owned(),
            value: root,
        }];
        documents.extend(references.iter().map(|(name, value)| Document {
            name: name.clone(),
            value,
        }));
        let mut builder = Builder {
            documents,
            draft,
            nodes: Vec::new(),
            by_location: HashMap::new(),
            depth: 0,
            max_depth,
            too_deep: false,
        };
        let root = builder.node_at(0, String::new());
        if builder.too_deep {
            return Err(SchemaError::Invalid(format!(
                "subschemas and $refs nest deeper than the limit of {max_depth}"
            )));
        }
        Ok(Model {
            nodes: builder.nodes,
            root,
        })
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// `id`, or the node a chain of references starting there ends at.
    pub(crate) fn resolve(&self, mut id: NodeId) -> NodeId {
        // A chain longer than the arena would be a cycle of references only.
        for _ in 0..self.nodes.len() {
            match self.nodes[id].kind {
                Kind::Reference(target) => id = target,
                _ => return id,
            }
        }
        id
    }
}

fn root_id(value: &Value) -> Option<&str> {
    value
        .get("$id")
        .or_else(|| value.get("id"))
        .and_then(Value::as_str)
}

struct Document<'a> {
    name: String,
    value: &'a Value,
}

struct Builder<'a> {
    documents: Vec<Document<'a>>,
    draft: Draft,
    nodes: Vec<Node>,
    by_location: HashMap<(usize, String), NodeId>,
    /// Nodes being built: the recursion's depth.
    depth: usize,
    max_depth: usize,
    /// A node lay deeper than `max_depth` (it was left unresolved).
    too_deep: bool,
}

impl<'a> Builder<'a> {
    /// The node of the subschema at JSON `pointer` in document `document`,
    /// built once: a second visit (recursion) gets the same id.
    fn node_at(&mut self, document: usize, pointer: String) -> NodeId {
        if let Some(id) = self.by_location.get(&(document, pointer.clone())) {
            return *id;
        }
        let id = self.push(Node::default());
        self.by_location.insert((document, pointer.clone()), id);
        if self.depth >= self.max_depth {
            self.too_deep = true;
            return id;
        }
        self.depth += 1;
        let root: &'a Value = self.documents[document].value;
        let node = match root.pointer(&pointer) {
            Some(value) => self.classify(document, &pointer, value),
            None => Node {
                kind: Kind::Unresolved(format!("#{pointer}")),
                ..Node::default()
            },
        };
        self.depth -= 1;
        self.nodes[id] = node;
        id
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn child(&mut self, document: usize, pointer: &str, segments: &[&str]) -> NodeId {
        let mut path = pointer.to_owned();
        for segment in segments {
            path.push('/');
            path.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        self.node_at(document, path)
    }

    fn classify(&mut self, document: usize, pointer: &str, value: &'a Value) -> Node {
        let object = match value {
            Value::Bool(true) => return Node::default(),
            Value::Bool(false) => {
                return Node {
                    kind: Kind::False,
                    ..Node::default()
                };
            }
            Value::Object(object) => object,
            _ => return Node::default(),
        };
        let mut node = Node {
            id: object
                .get(if self.draft == Draft::Draft4 {
                    "id"
                } else {
                    "$id"
                })
                .and_then(Value::as_str)
                .map(str::to_owned),
            title: string(object, "title"),
            description: string(object, "description"),
            default: object.get("default").cloned(),
            connect_type: string(object, "connect.type"),
            kind: Kind::Empty,
        };
        if let Some(Value::String(reference)) = object.get("$ref") {
            let target = self.reference(document, reference);
            if self.draft < Draft::Draft201909 {
                // Before 2019-09 `$ref` overrides its siblings.
                node.kind = target;
                return node;
            }
            let mut parts = self.parts(document, pointer, object);
            parts.push(Node {
                kind: target,
                ..Node::default()
            });
            node.kind = self.combine(parts);
            return node;
        }
        let parts = self.parts(document, pointer, object);
        node.kind = self.combine(parts);
        node
    }

    /// One node per keyword group, in everit's order: enum, the combiners,
    /// not, const, then the typed schema (from `type`, or sniffed from the
    /// keywords present).
    fn parts(
        &mut self,
        document: usize,
        pointer: &str,
        object: &'a Map<String, Value>,
    ) -> Vec<Node> {
        let mut parts = Vec::new();
        if let Some(Value::Array(values)) = object.get("enum") {
            parts.push(kind(Kind::Enum(values.clone())));
        }
        for criterion in [Criterion::All, Criterion::Any, Criterion::One] {
            if let Some(Value::Array(subschemas)) = object.get(criterion.keyword()) {
                let mut ids: Vec<NodeId> = Vec::new();
                let mut seen: Vec<&Value> = Vec::new();
                for (index, subschema) in subschemas.iter().enumerate() {
                    // Identical subschemas collapse into one, as in Confluent.
                    if seen.contains(&subschema) {
                        continue;
                    }
                    seen.push(subschema);
                    ids.push(self.child(
                        document,
                        pointer,
                        &[criterion.keyword(), &index.to_string()],
                    ));
                }
                parts.push(kind(Kind::Combined(criterion, ids)));
            }
        }
        if object.contains_key("not") {
            let id = self.child(document, pointer, &["not"]);
            parts.push(kind(Kind::Not(id)));
        }
        if let Some(value) = object.get("const") {
            parts.push(kind(Kind::Const(value.clone())));
        }
        match object.get("type") {
            Some(Value::String(name)) => {
                if let Some(typed) = self.typed(document, pointer, object, name) {
                    parts.push(kind(typed));
                }
            }
            Some(Value::Array(names)) => {
                let typed: Vec<Kind> = names
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|name| self.typed(document, pointer, object, name))
                    .collect();
                match typed.len() {
                    0 => {}
                    1 => parts.extend(typed.into_iter().map(kind)),
                    _ => {
                        let ids = typed.into_iter().map(|k| self.push(kind(k))).collect();
                        parts.push(kind(Kind::Combined(Criterion::Any, ids)));
                    }
                }
            }
            _ => {
                let has = |keywords: &[&str]| keywords.iter().any(|k| object.contains_key(*k));
                if has(ARRAY_KEYWORDS) {
                    parts.push(kind(self.array(document, pointer, object)));
                }
                if has(OBJECT_KEYWORDS) {
                    parts.push(kind(self.object(document, pointer, object)));
                }
                if has(NUMBER_KEYWORDS) {
                    parts.push(kind(Kind::Number(self.number(object, false))));
                }
                if has(STRING_KEYWORDS) {
                    parts.push(kind(Kind::String(string_rules(object))));
                }
            }
        }
        parts
    }

    /// One part is the schema itself; several are a synthetic `allOf`.
    fn combine(&mut self, mut parts: Vec<Node>) -> Kind {
        match parts.len() {
            0 => Kind::Empty,
            1 => parts.pop().map(|node| node.kind).unwrap_or_default(),
            _ => {
                let ids = parts.into_iter().map(|part| self.push(part)).collect();
                Kind::Combined(Criterion::All, ids)
            }
        }
    }

    fn typed(
        &mut self,
        document: usize,
        pointer: &str,
        object: &'a Map<String, Value>,
        name: &str,
    ) -> Option<Kind> {
        Some(match name {
            "string" => Kind::String(string_rules(object)),
            "number" => Kind::Number(self.number(object, false)),
            "integer" => Kind::Number(self.number(object, true)),
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            "object" => self.object(document, pointer, object),
            "array" => self.array(document, pointer, object),
            _ => return None,
        })
    }

    fn number(&self, object: &Map<String, Value>, requires_integer: bool) -> NumberRules {
        // Draft 4 spells exclusive bounds as booleans beside minimum/maximum.
        let limit = |key: &str| object.get(key).and_then(Value::as_f64);
        NumberRules {
            requires_integer,
            minimum: limit("minimum"),
            maximum: limit("maximum"),
            exclusive_minimum: limit("exclusiveMinimum"),
            exclusive_maximum: limit("exclusiveMaximum"),
            multiple_of: limit("multipleOf"),
        }
    }

    fn object(&mut self, document: usize, pointer: &str, object: &'a Map<String, Value>) -> Kind {
        let mut rules = ObjectRules {
            required: object
                .get("required")
                .and_then(Value::as_array)
                .map(|names| strings(names))
                .unwrap_or_default(),
            min_properties: count(object, "minProperties"),
            max_properties: count(object, "maxProperties"),
            ..ObjectRules::default()
        };
        rules.properties = self.named_children(document, pointer, object, "properties");
        // The first of duplicate names wins, as a linear search found it.
        for (name, id) in rules.properties.iter().rev() {
            rules.property_index.insert(name.clone(), *id);
        }
        rules.required_set = rules.required.iter().cloned().collect();
        rules.pattern_properties =
            self.named_children(document, pointer, object, "patternProperties");
        rules.additional = self.additional(document, pointer, object, "additionalProperties");
        if object.contains_key("unevaluatedProperties") {
            rules.unevaluated = Some(self.child(document, pointer, &["unevaluatedProperties"]));
        }
        for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
            let Some(Value::Object(entries)) = object.get(keyword) else {
                continue;
            };
            for (name, dependency) in entries {
                match dependency {
                    Value::Array(names) => rules
                        .property_dependencies
                        .push((name.clone(), strings(names))),
                    _ => {
                        let id = self.child(document, pointer, &[keyword, name]);
                        rules.schema_dependencies.push((name.clone(), id));
                    }
                }
            }
        }
        Kind::Object(Box::new(rules))
    }

    fn array(&mut self, document: usize, pointer: &str, object: &'a Map<String, Value>) -> Kind {
        let mut rules = ArrayRules {
            min_items: count(object, "minItems"),
            max_items: count(object, "maxItems"),
            unique_items: object.get("uniqueItems") == Some(&Value::Bool(true)),
            min_contains: count(object, "minContains"),
            max_contains: count(object, "maxContains"),
            ..ArrayRules::default()
        };
        let tuple_keyword = if object.contains_key("prefixItems") {
            "prefixItems"
        } else {
            "items"
        };
        match object.get(tuple_keyword) {
            Some(Value::Array(items)) => {
                rules.item_schemas = (0..items.len())
                    .map(|index| {
                        self.child(document, pointer, &[tuple_keyword, &index.to_string()])
                    })
                    .collect();
            }
            // A boolean `items` (no tuple) says whether any item may be
            // there at all, as Confluent reads it: additional items.
            Some(Value::Bool(_))
                if tuple_keyword == "items" && !object.contains_key("additionalItems") => {}
            Some(_) if tuple_keyword == "items" => {
                rules.all_items = Some(self.child(document, pointer, &["items"]));
            }
            _ => {}
        }
        // 2020-12: `items` beside `prefixItems` is what `additionalItems` was.
        let additional_keyword = if tuple_keyword == "prefixItems" {
            "items"
        } else {
            "additionalItems"
        };
        rules.additional = match (object.get("items"), tuple_keyword) {
            (Some(Value::Bool(permitted)), "items") if !object.contains_key("additionalItems") => {
                (*permitted, None)
            }
            _ => self.additional(document, pointer, object, additional_keyword),
        };
        if object.contains_key("unevaluatedItems") {
            rules.unevaluated = Some(self.child(document, pointer, &["unevaluatedItems"]));
        }
        Kind::Array(Box::new(rules))
    }

    fn additional(
        &mut self,
        document: usize,
        pointer: &str,
        object: &Map<String, Value>,
        keyword: &str,
    ) -> Additional {
        match object.get(keyword) {
            None | Some(Value::Bool(true)) => (true, None),
            Some(Value::Bool(false)) => (false, None),
            Some(_) => (true, Some(self.child(document, pointer, &[keyword]))),
        }
    }

    fn named_children(
        &mut self,
        document: usize,
        pointer: &str,
        object: &Map<String, Value>,
        keyword: &str,
    ) -> Vec<(String, NodeId)> {
        let Some(Value::Object(entries)) = object.get(keyword) else {
            return Vec::new();
        };
        entries
            .keys()
            .map(|name| {
                (
                    name.clone(),
                    self.child(document, pointer, &[keyword, name]),
                )
            })
            .collect()
    }

    /// The node a `$ref` names: a pointer or anchor in this document, or in
    /// a referenced one named by (the end of) its URI.
    fn reference(&mut self, document: usize, reference: &str) -> Kind {
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if base.is_empty() {
            Some(document)
        } else {
            self.documents.iter().position(|candidate| {
                let name = candidate.name.trim_start_matches("./");
                !name.is_empty()
                    && (base == name
                        || base.ends_with(&format!("/{name}"))
                        || name.ends_with(&format!("/{base}"))
                        || root_id(candidate.value) == Some(base))
            })
        };
        let Some(target) = target else {
            return Kind::Unresolved(reference.to_owned());
        };
        let pointer = if fragment.is_empty() || fragment.starts_with('/') {
            Some(percent_decoded(fragment))
        } else {
            anchor(self.documents[target].value, fragment, String::new())
        };
        match pointer {
            Some(pointer) => Kind::Reference(self.node_at(target, pointer)),
            None => Kind::Unresolved(reference.to_owned()),
        }
    }
}

fn kind(kind: Kind) -> Node {
    Node {
        kind,
        ..Node::default()
    }
}

fn string(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// A non-negative integer keyword (`5` and `5.0` alike).
fn count(object: &Map<String, Value>, key: &str) -> Option<u64> {
    let value = object.get(key)?;
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    })
}

fn string_rules(object: &Map<String, Value>) -> StringRules {
    StringRules {
        min_length: count(object, "minLength"),
        max_length: count(object, "maxLength"),
        pattern: string(object, "pattern"),
    }
}

/// The JSON pointer of the subschema declaring anchor `name` (`$anchor`,
/// or `$id: "#name"` before 2019-09).
fn anchor(value: &Value, name: &str, pointer: String) -> Option<String> {
    match value {
        Value::Object(object) => {
            let declares = object.get("$anchor").and_then(Value::as_str) == Some(name)
                || object.get("$id").and_then(Value::as_str) == Some(&format!("#{name}"));
            if declares {
                return Some(pointer);
            }
            object.iter().find_map(|(key, child)| {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                anchor(child, name, format!("{pointer}/{escaped}"))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, child)| anchor(child, name, format!("{pointer}/{index}"))),
        _ => None,
    }
}

/// `%XX` escapes in a URI fragment decoded.
fn percent_decoded(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}
