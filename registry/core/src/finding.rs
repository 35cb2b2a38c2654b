//! One reason why two schemas are not compatible.

use std::fmt;

use serde::Serialize;

/// A position in a schema's text, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

/// A single incompatibility, named by its rule and located by its path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The rule that was broken, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`.
    pub rule: &'static str,
    /// Where in the schema, e.g. `/fields/3` for Avro.
    pub path: String,
    /// A sentence a person can act on.
    pub message: String,
    /// The short subject of the finding (a field name, the missing symbols).
    pub detail: String,
    /// Position in the new schema's text, where the format tracks one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl fmt::Display for Finding {
    /// Renders as Confluent's compatibility message does:
    /// `{errorType:'RULE', description:'...', additionalInfo:'...'}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{errorType:'{}', description:'{}', additionalInfo:'{}'}}",
            self.rule, self.message, self.detail
        )
    }
}
