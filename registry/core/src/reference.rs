//! References from one schema to schemas registered under other subjects.

use serde::{Deserialize, Serialize};

use crate::{SchemaError, SchemaType};

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

impl ReferencedSchema {
    /// Refuses a dependency of another format than `expected`: schemas
    /// reference schemas of their own format only.
    pub(crate) fn require_type(&self, expected: SchemaType) -> Result<(), SchemaError> {
        if self.schema_type == expected {
            return Ok(());
        }
        Err(SchemaError::Invalid(format!(
            "reference '{}' is a {} schema, but {expected} schemas can only reference {expected} schemas",
            self.name, self.schema_type
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseLimits, ParsedSchema};

    #[test]
    fn schemas_reference_their_own_format_only() {
        let proto = ReferencedSchema {
            name: "money.proto".into(),
            schema_type: SchemaType::Protobuf,
            text: "syntax = \"proto3\";".into(),
        };
        let error = ParsedSchema::parse(
            SchemaType::Avro,
            "\"string\"",
            &[proto],
            ParseLimits::default(),
        )
        .err();
        let Some(SchemaError::Invalid(message)) = error else {
            panic!("expected an invalid schema, got {error:?}")
        };
        assert_eq!(
            message,
            "reference 'money.proto' is a PROTOBUF schema, but AVRO schemas can only reference AVRO schemas"
        );
    }
}
