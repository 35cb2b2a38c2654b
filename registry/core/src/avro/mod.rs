//! Apache Avro: parsing (with apache-avro), references, canonical form and
//! the specification's schema-resolution rules as compatibility checks.

mod canonical;
mod compat;
mod names;
pub mod rules;

use std::collections::HashMap;

use apache_avro::Schema;

use crate::json_position;
use crate::limits::parse_json;
use crate::{Direction, Finding, ParseLimits, ReferencedSchema, SchemaError, SchemaType};

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
}

impl AvroSchema {
    /// Parses `text`; `references` are the named types it may use (every
    /// transitive dependency, each a record, enum or fixed).
    pub fn parse(
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
    ) -> Result<Self, SchemaError> {
        let value = parse_json(text, limits)?;
        names::refuse_what_java_refuses(&value)?;
        let mut dependencies = Vec::with_capacity(references.len());
        for reference in references {
            reference.require_type(SchemaType::Avro)?;
            parse_json(&reference.text, limits)?;
            dependencies.push(reference.text.as_str());
        }
        let (root, dependencies) = if dependencies.is_empty() {
            (Schema::parse(&value).map_err(invalid)?, Vec::new())
        } else {
            Schema::parse_str_with_list(text, dependencies).map_err(invalid)?
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
        })
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

fn invalid(error: apache_avro::Error) -> SchemaError {
    SchemaError::Invalid(error.to_string())
}

#[cfg(test)]
mod compat_tests;
