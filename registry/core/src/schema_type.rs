//! The schema formats a registry can hold.

use std::fmt;
use std::str::FromStr;

use crate::SchemaError;

/// A schema format, spelled as the Confluent API spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaType {
    /// Apache Avro (the default when a request names no type).
    Avro,
    /// Protocol Buffers.
    Protobuf,
    /// JSON Schema.
    Json,
}

impl SchemaType {
    /// Every format, in the order `GET /schemas/types` lists them.
    pub const ALL: &'static [SchemaType] =
        &[SchemaType::Json, SchemaType::Protobuf, SchemaType::Avro];

    /// The API spelling: `AVRO`, `PROTOBUF` or `JSON`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Protobuf => "PROTOBUF",
            SchemaType::Json => "JSON",
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SchemaType {
    type Err = SchemaError;

    /// Parses the API spelling, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "AVRO" => Ok(SchemaType::Avro),
            "PROTOBUF" => Ok(SchemaType::Protobuf),
            "JSON" => Ok(SchemaType::Json),
            _ => Err(SchemaError::UnknownType(s.to_owned())),
        }
    }
}
