//! JSON Schema: drafts 4, 6, 7, 2019-09 and 2020-12, references to other
//! subjects, the canonical and normalized forms, and validating documents.
//!
//! Validation uses the `jsonschema` crate with no network or file access:
//! every `$ref` resolves within the schema or to a reference given with it.

pub mod diff;
mod draft;
mod model;

use std::collections::HashMap;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use crate::limits::parse_json;
use crate::{
    Direction, Finding, ParseLimits, ReferencedSchema, SchemaError, SchemaType, json_position,
};

pub use diff::{
    CompatibilityPolicy, Difference, DifferenceType, InvalidPolicy, MAX_DIFF_DEPTH,
    RESERVED_PROPERTIES, TooDeepToCompare,
};
pub use draft::Draft;
use model::Model;

/// A parsed JSON Schema, checked against its draft's meta-schema, with
/// every reference resolved.
pub struct JsonSchema {
    text: String,
    value: Value,
    draft: Draft,
    canonical: String,
    validator: Validator,
    model: Model,
    reserved: String,
}

impl std::fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonSchema")
            .field("draft", &self.draft)
            .field("canonical", &self.canonical)
            .finish()
    }
}

/// Why a document does not match a schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {instance_path})")]
pub struct DocumentError {
    /// JSON pointer to the offending part of the document (`""` for the root).
    pub instance_path: String,
    /// What is wrong there.
    pub message: String,
}

/// Serves referenced schemas to the validator by the name a `$ref` uses:
/// the full URI, or its last path segments as a relative name.
struct References(HashMap<String, Value>);

impl Retrieve for References {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let found = self.0.get(uri).or_else(|| {
            self.0
                .iter()
                .find(|(name, _)| {
                    uri.trim_end_matches('#')
                        .ends_with(&format!("/{}", name.trim_start_matches("./")))
                })
                .map(|(_, value)| value)
        });
        found
            .cloned()
            .ok_or_else(|| format!("no reference named '{uri}' was given with the schema").into())
    }
}

impl JsonSchema {
    /// Parses `text`; `references` are the documents its `$ref`s name
    /// (every transitive dependency).
    pub fn parse(
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
    ) -> Result<Self, SchemaError> {
        let value = parse_json(text, limits)?;
        if !value.is_object() && !value.is_boolean() {
            return Err(SchemaError::Invalid(
                "a JSON Schema is an object or a boolean".to_owned(),
            ));
        }
        let draft = Draft::of(&value)?;
        draft.check_meta_schema(&value)?;
        let mut documents = Vec::with_capacity(references.len());
        for reference in references {
            reference.require_type(SchemaType::Json)?;
            documents.push((reference.name.clone(), parse_json(&reference.text, limits)?));
        }
        let model = Model::build(&value, draft, &documents, limits.max_depth)?;
        let validator = jsonschema::options()
            .with_draft(draft.as_jsonschema())
            .with_retriever(References(documents.into_iter().collect()))
            .build(&value)
            .map_err(|e| SchemaError::Invalid(e.to_string()))?;
        Ok(JsonSchema {
            text: text.to_owned(),
            canonical: value.to_string(),
            value,
            draft,
            validator,
            model,
            reserved: String::new(),
        })
    }

    /// What is risky but accepted: a root that accepts every value (`true`,
    /// `{}`) or none (`false`).
    pub fn warnings(&self) -> Vec<String> {
        let accepts_all = self.value == serde_json::Value::Bool(true)
            || self
                .value
                .as_object()
                .is_some_and(serde_json::Map::is_empty);
        if accepts_all {
            vec!["the schema accepts every JSON value: it describes no event shape, and every later change narrows it".to_owned()]
        } else if self.value == serde_json::Value::Bool(false) {
            vec![
                "the schema accepts no JSON value: nothing written with it can be valid".to_owned(),
            ]
        } else {
            Vec::new()
        }
    }

    /// The form deduplication compares: compact JSON, keys in the input's order.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The normalized form (`normalize=true`): compact JSON, keys sorted.
    pub fn normalized(&self) -> String {
        sorted(&self.value).to_string()
    }

    /// The draft the schema is written in.
    pub fn draft(&self) -> Draft {
        self.draft
    }

    /// The schema as JSON.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The schema with the property names its metadata reserves (the
    /// comma-separated `confluent:reserved` metadata property): a later
    /// version may neither drop a reservation nor declare such a property.
    pub fn with_reserved_properties(mut self, reserved: &str) -> Self {
        self.reserved = reserved.to_owned();
        self
    }

    /// Every difference from `old` to `self` (the update), compatible or not,
    /// with `policy` deciding which nested alternatives count as matching.
    /// Fails when the schemas nest too deeply to be compared.
    pub fn differences(
        &self,
        old: &JsonSchema,
        policy: CompatibilityPolicy,
    ) -> Result<Vec<Difference>, TooDeepToCompare> {
        diff::differences(&old.model, &self.model, policy)
    }

    /// Findings that stop `self` (the new schema) and `old` from reading
    /// each other's data in `direction` under `policy`; empty when compatible.
    pub fn compatibility_findings(
        &self,
        old: &JsonSchema,
        direction: Direction,
        policy: CompatibilityPolicy,
    ) -> Vec<Finding> {
        let (original, update, words) = match direction {
            Direction::Backward => (old, self, ("new", "old")),
            Direction::Forward => (self, old, ("old", "new")),
        };
        let Ok(mut differences) = update.differences(original, policy) else {
            return vec![Finding {
                rule: "MAX_DEPTH_EXCEEDED",
                path: "#/".to_owned(),
                message: format!(
                    "The schemas nest (through subschemas and $refs) deeper than {MAX_DIFF_DEPTH} levels and cannot be compared"
                ),
                detail: "MAX_DEPTH_EXCEEDED #/".to_owned(),
                location: None,
            }];
        };
        differences.extend(diff::reserved_differences(
            &original.reserved,
            &update.reserved,
            &update.model,
        ));
        let (update, original) = words;
        differences
            .into_iter()
            .filter(|difference| !policy.accepts(difference.kind))
            .map(|difference| {
                let path = difference.json_path();
                Finding {
                    rule: difference.kind.as_str(),
                    message: difference.kind.describe(&path, update, original),
                    detail: difference.to_string(),
                    location: json_position::locate(&self.text, &difference.segments()),
                    path,
                }
            })
            .collect()
    }

    /// Checks `document` against the schema; the error names where it broke.
    pub fn validate(&self, document: &Value) -> Result<(), DocumentError> {
        self.validator
            .validate(document)
            .map_err(|error| DocumentError {
                instance_path: error.instance_path().to_string(),
                message: error.to_string(),
            })
    }
}

/// `value` with every object's keys sorted.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests;
