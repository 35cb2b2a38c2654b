//! Why a schema was refused.

/// A schema that cannot be accepted. Every variant maps to Confluent's
/// 42201 "invalid schema" at the HTTP edge; the text says what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SchemaError {
    /// The `schemaType` is not one of AVRO, PROTOBUF, JSON.
    #[error("unknown schema type '{0}'; expected AVRO, PROTOBUF or JSON")]
    UnknownType(String),
    /// The text is not a valid schema of its format.
    #[error("Invalid schema: {0}")]
    Invalid(String),
    /// The schema nests deeper than the configured limit.
    #[error("Invalid schema: nesting depth exceeds the limit of {limit}")]
    TooDeep {
        /// The configured maximum depth.
        limit: usize,
    },
}
