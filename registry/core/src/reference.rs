//! References from one schema to schemas registered under other subjects.

use serde::{Deserialize, Serialize};

use crate::SchemaType;

/// A reference as written in a registration: `name` is how the referencing
/// schema names the dependency (an Avro full name, a `.proto` import path,
/// a JSON Schema `$ref` URL); `subject` and `version` say where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
