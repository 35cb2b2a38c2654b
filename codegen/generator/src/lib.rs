//! Schema text in, Rust source out: the Rust types of an Avro, Protobuf or
//! JSON Schema, and the module herald-codegen writes for a subject (types,
//! constants, codec, typed producer and consumer). No I/O, no network
//! client, no async runtime: herald-codegen fetches and locks the schemas
//! in `build.rs` and hands them here; the registry's web UI previews code
//! with [`preview`].
//!
//! Not for: fetching schemas or the lock file (that is `herald-codegen`).

pub mod avro;
pub mod json;
mod module;
mod naming;
pub mod protobuf;

use serde::{Deserialize, Serialize};

pub use module::{Roles, module_name, subject_module};

/// A schema cannot be turned into Rust; the message says why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GenerateError(String);

/// A schema as fetched: text, type and references (subject, version).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedSchema {
    /// Subject.
    pub subject: String,
    /// Version.
    pub version: i32,
    /// Schema id.
    pub id: u32,
    /// `AVRO`, `PROTOBUF` or `JSON`.
    pub schema_type: String,
    /// The schema text.
    pub schema: String,
    /// References: name, subject, version.
    #[serde(default)]
    pub references: Vec<LockedReference>,
}

/// A reference, pinned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedReference {
    /// The name the schema uses.
    pub name: String,
    /// The referenced subject.
    pub subject: String,
    /// Its version.
    pub version: i32,
}

/// The Rust types generated for a schema of `schema_type` (`AVRO`,
/// `PROTOBUF`, `JSON`) named after `subject`, with `references` (the names
/// the schema uses and their texts, dependencies first) — for previews such
/// as the registry's web UI.
pub fn preview(
    schema_type: &str,
    subject: &str,
    text: &str,
    references: &[(String, String)],
) -> Result<String, GenerateError> {
    match schema_type {
        "PROTOBUF" => Ok(protobuf::generate(text, references)?.source),
        "JSON" => {
            let bundled = json::bundle(text, references)?;
            Ok(json::generate(&bundled, &naming::type_name(subject))?.source)
        }
        _ => {
            let texts: Vec<String> = references.iter().map(|(_, text)| text.clone()).collect();
            Ok(avro::generate(text, &texts)?.source)
        }
    }
}
