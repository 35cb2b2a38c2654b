//! What a compatibility question asks and what the registry answers.

use serde::Deserialize;

/// How a compatibility check is asked. The default judges the schema as a
/// registration would be (against the versions the subject's level names),
/// under the subject's own rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompatibilityOptions {
    /// Judge against this version only (`None`: as a registration would be).
    pub version: Option<i32>,
    /// A Protobuf rule set used instead of the subject's: `CONFLUENT` or a
    /// buf category such as `WIRE_JSON` (Herald only).
    pub protobuf_rules: Option<String>,
    /// A JSON Schema policy used instead of the subject's: `STRICT` or
    /// `LENIENT` (Herald only).
    pub compatibility_policy: Option<String>,
}

/// The registry's verdict on a schema.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompatibilityVerdict {
    /// Whether the schema may be registered.
    pub compatible: bool,
    /// Why not, structured (Herald's extension; empty from other registries).
    pub findings: Vec<CompatibilityFinding>,
    /// Why not, as Confluent's verbose messages (over gRPC, one
    /// `RULE at PATH: message` line per finding).
    pub messages: Vec<String>,
    /// What is risky but accepted, in the new schema or (`version N: ...`)
    /// in the versions it was judged against (Herald only).
    pub warnings: Vec<String>,
}

/// One reason a schema is incompatible.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompatibilityFinding {
    /// The rule broken, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`.
    pub rule: String,
    /// Where in the schema, e.g. `/fields/1`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Where in the new schema's text, when the format tracks it.
    #[serde(default)]
    pub location: Option<FindingLocation>,
    /// The earlier version it was judged against.
    #[serde(default)]
    pub old_schema_version: Option<i32>,
}

/// A 1-based position in a schema's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct FindingLocation {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

/// A registration's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The schema id.
    pub id: u32,
    /// The subject's version that holds the schema.
    pub version: i32,
}
