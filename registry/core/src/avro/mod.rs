//! Apache Avro: parsing (with apache-avro), references, canonical form and
//! the specification's schema-resolution rules as compatibility checks.

mod canonical;
mod compat;
mod defaults;
mod java_names;
mod names;
pub mod rules;

use std::collections::HashMap;

use apache_avro::Schema;
use apache_avro::schema::Name;
use serde_json::Value;

use crate::json_position;
use crate::limits::parse_json;
use crate::{
    Direction, Finding, ParseLimits, ReferencedSchema, SchemaError, SchemaType, Validation,
};

/// A parsed Avro schema with every named type it can see (its own and those
/// of its references), and its canonical text.
#[derive(Debug)]
pub struct AvroSchema {
    root: Schema,
    names: HashMap<String, Schema>,
    canonical: String,
    formatted: String,
    /// The text as given, for locating findings.
    text: String,
    /// What is risky but accepted (see [`crate::ParsedSchema::warnings`]).
    warnings: Vec<String>,
}

impl AvroSchema {
    /// Parses `text` as a new schema; `references` are the named types it
    /// may use (every transitive dependency, each a record, enum or fixed).
    pub fn parse(
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
    ) -> Result<Self, SchemaError> {
        AvroSchema::parse_as(text, references, limits, Validation::New)
    }

    /// Parses `text` judged as `validation` says: a stored schema may have
    /// field defaults that do not match their type (kept, and warned about).
    pub fn parse_as(
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
        validation: Validation,
    ) -> Result<Self, SchemaError> {
        let value = parse_json(text, limits)?;
        names::refuse_what_java_refuses(&value)?;
        if validation == Validation::New {
            java_names::refuse_invalid(&value)?;
        }
        let mut dependencies = Vec::with_capacity(references.len());
        for reference in references {
            reference.require_type(SchemaType::Avro)?;
            dependencies.push(parse_json(&reference.text, limits)?);
        }
        let (root, dependencies, warnings) = match parse_tree(&value, &dependencies) {
            Ok((root, dependencies)) => (root, dependencies, Vec::new()),
            Err(error) if validation == Validation::Stored => {
                with_loose_defaults(&value, &dependencies).ok_or(error)?
            }
            Err(error) => return Err(error),
        };
        let mut names = HashMap::new();
        for schema in dependencies.iter().chain(std::iter::once(&root)) {
            names::collect(schema, &mut names);
        }
        let canonical = canonical::canonical_form(&value, &names);
        let formatted = value.to_string();
        Ok(AvroSchema {
            root,
            names,
            canonical,
            formatted,
            text: text.to_owned(),
            warnings,
        })
    }

    /// What is risky but accepted: field defaults that do not match their
    /// type, in a schema parsed as stored.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The canonical text (see [`crate::ParsedSchema::canonical`]).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The schema as written, without insignificant whitespace.
    pub fn formatted(&self) -> &str {
        &self.formatted
    }

    /// Findings that stop `self` (new) and `old` from reading each other's
    /// data in `direction`.
    pub fn compatibility_findings(&self, old: &AvroSchema, direction: Direction) -> Vec<Finding> {
        match direction {
            Direction::Backward => {
                // The new schema is the reader: finding paths point into its text.
                let mut findings = compat::Checker::new(self, old, ("new", "old")).run();
                for finding in &mut findings {
                    let segments: Vec<&str> =
                        finding.path.split('/').filter(|s| !s.is_empty()).collect();
                    finding.location = json_position::locate(&self.text, &segments);
                }
                findings
            }
            Direction::Forward => compat::Checker::new(old, self, ("old", "new")).run(),
        }
    }
}

/// `value` parsed with its `dependencies` (their JSON): the root and the
/// dependencies' schemas.
fn parse_tree(value: &Value, dependencies: &[Value]) -> Result<(Schema, Vec<Schema>), SchemaError> {
    java_names::accept_every_name();
    if dependencies.is_empty() {
        return Ok((Schema::parse(value).map_err(invalid)?, Vec::new()));
    }
    let texts: Vec<String> = dependencies.iter().map(Value::to_string).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    Schema::parse_str_with_list(&value.to_string(), texts).map_err(invalid)
}

/// `value` parsed as Java Avro parses a stored schema, without validating
/// field defaults: parsed without them, then given them back, with a
/// warning for each that does not fit. None when it fails for another reason.
fn with_loose_defaults(
    value: &Value,
    dependencies: &[Value],
) -> Option<(Schema, Vec<Schema>, Vec<String>)> {
    let mut taken = defaults::Taken::new();
    let mut strip = |schema: &Value| {
        let mut stripped = schema.clone();
        defaults::take(&mut stripped, "", &mut taken);
        stripped
    };
    let root = strip(value);
    let dependencies: Vec<Value> = dependencies.iter().map(&mut strip).collect();
    let (mut root, mut dependencies) = parse_tree(&root, &dependencies).ok()?;
    let mut names = HashMap::new();
    for schema in dependencies.iter().chain(std::iter::once(&root)) {
        names::collect(schema, &mut names);
    }
    let named: defaults::Named<'_> = names
        .iter()
        .filter_map(|(full, schema)| Some((Name::new(full).ok()?, schema)))
        .collect();
    let mut warnings = Vec::new();
    for schema in dependencies.iter_mut().chain(std::iter::once(&mut root)) {
        warnings.extend(defaults::restore(schema, &mut taken, &named));
    }
    Some((root, dependencies, warnings))
}

fn invalid(error: apache_avro::Error) -> SchemaError {
    SchemaError::Invalid(error.to_string())
}

#[cfg(test)]
mod compat_tests;
