//! A schema parsed and canonicalised, in any supported format.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::avro::AvroSchema;
use crate::compatibility::ProtobufRules;
use crate::json::JsonSchema;
use crate::protobuf::ProtobufSchema;
use crate::{
    CheckRules, Direction, Finding, ParseLimits, ReferencedSchema, SchemaError, SchemaReference,
    SchemaType,
};

/// A schema that parsed, with its references resolved.
#[derive(Debug)]
pub enum ParsedSchema {
    /// An Avro schema.
    Avro(AvroSchema),
    /// A Protobuf schema.
    Protobuf(ProtobufSchema),
    /// A JSON Schema.
    Json(JsonSchema),
}

/// How strictly a schema is judged, as Confluent's `validateAsNew`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    /// A schema about to be registered (or checked): everything validated.
    New,
    /// A schema already stored, looked up, or imported with its id: what
    /// Confluent stores without checking is accepted — an Avro field
    /// default that does not match its type (reported by
    /// [`ParsedSchema::warnings`]) and Avro names Java's strict validator
    /// refuses (Confluent reads those with `NO_VALIDATION`).
    Stored,
}

impl ParsedSchema {
    /// Parses `text` as `schema_type`, as a new schema. `references` holds
    /// every schema the text depends on, directly or not, already fetched
    /// by the caller.
    pub fn parse(
        schema_type: SchemaType,
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
    ) -> Result<Self, SchemaError> {
        ParsedSchema::parse_as(schema_type, text, references, limits, Validation::New)
    }

    /// Parses `text` as `schema_type`, judged as `validation` says.
    pub fn parse_as(
        schema_type: SchemaType,
        text: &str,
        references: &[ReferencedSchema],
        limits: ParseLimits,
        validation: Validation,
    ) -> Result<Self, SchemaError> {
        match schema_type {
            SchemaType::Avro => {
                AvroSchema::parse_as(text, references, limits, validation).map(ParsedSchema::Avro)
            }
            SchemaType::Protobuf => {
                ProtobufSchema::parse(text, references, limits).map(ParsedSchema::Protobuf)
            }
            SchemaType::Json => JsonSchema::parse(text, references, limits).map(ParsedSchema::Json),
        }
    }

    /// What is risky but accepted, one sentence each: an Avro field default
    /// that does not match its type (a stored schema), a JSON Schema that
    /// accepts every value or none.
    pub fn warnings(&self) -> Vec<String> {
        match self {
            ParsedSchema::Avro(schema) => schema.warnings().to_vec(),
            ParsedSchema::Protobuf(_) => Vec::new(),
            ParsedSchema::Json(schema) => schema.warnings(),
        }
    }

    /// The schema with the property names its metadata reserves (see
    /// [`JsonSchema::with_reserved_properties`]); only JSON Schema uses them.
    pub fn with_reserved_properties(self, reserved: &str) -> Self {
        match self {
            ParsedSchema::Json(schema) => {
                ParsedSchema::Json(schema.with_reserved_properties(reserved))
            }
            other => other,
        }
    }

    /// The schema's format.
    pub fn schema_type(&self) -> SchemaType {
        match self {
            ParsedSchema::Avro(_) => SchemaType::Avro,
            ParsedSchema::Protobuf(_) => SchemaType::Protobuf,
            ParsedSchema::Json(_) => SchemaType::Json,
        }
    }

    /// The canonical text: the same schema written differently gives the
    /// same canonical text, and different schemas never share one.
    pub fn canonical(&self) -> &str {
        match self {
            ParsedSchema::Avro(schema) => schema.canonical(),
            ParsedSchema::Protobuf(schema) => schema.canonical(),
            ParsedSchema::Json(schema) => schema.canonical(),
        }
    }

    /// The form `normalize=true` stores and deduplicates by: the canonical
    /// text, except for JSON Schema, whose canonical text keeps the input's
    /// key order and whose normalized text sorts the keys.
    pub fn normalized(&self) -> Cow<'_, str> {
        match self {
            ParsedSchema::Json(schema) => Cow::Owned(schema.normalized()),
            other => Cow::Borrowed(other.canonical()),
        }
    }

    /// The schema as written, in a compact form (what a registration stores
    /// when it does not normalize).
    pub fn formatted(&self) -> &str {
        match self {
            ParsedSchema::Avro(schema) => schema.formatted(),
            ParsedSchema::Protobuf(schema) => schema.formatted(),
            ParsedSchema::Json(schema) => schema.canonical(),
        }
    }

    /// The schema in a named output format: `serialized` (base64
    /// `FileDescriptorProto`) or `ignore_extensions` for Protobuf. `None`
    /// when the format does not apply, and the stored text is served.
    pub fn render(&self, format: &str) -> Option<String> {
        match (self, format) {
            (ParsedSchema::Protobuf(schema), "serialized") => Some(schema.serialized()),
            (ParsedSchema::Protobuf(schema), "ignore_extensions") => {
                Some(schema.without_extensions())
            }
            _ => None,
        }
    }

    /// Findings that stop `self` (the new schema) and `old` from reading each
    /// other's data in `direction`; empty when compatible.
    /// Protobuf schemas are judged by `rules.protobuf`, JSON Schemas by
    /// `rules.json`; Avro has no options.
    pub fn compatibility_findings(
        &self,
        old: &ParsedSchema,
        direction: Direction,
        rules: CheckRules,
    ) -> Vec<Finding> {
        match (self, old) {
            (ParsedSchema::Avro(new), ParsedSchema::Avro(old)) => {
                new.compatibility_findings(old, direction)
            }
            (ParsedSchema::Protobuf(new), ParsedSchema::Protobuf(old)) => match rules.protobuf {
                ProtobufRules::Confluent => new.compatibility_findings(old, direction),
                ProtobufRules::Buf(category) => new.buf_findings(old, direction, category),
            },
            (ParsedSchema::Json(new), ParsedSchema::Json(old)) => {
                new.compatibility_findings(old, direction, rules.json)
            }
            (new, old) => vec![type_changed(old.schema_type(), new.schema_type())],
        }
    }
}

/// The finding for a schema whose format changed: always incompatible.
fn type_changed(old: SchemaType, new: SchemaType) -> Finding {
    Finding {
        rule: "SCHEMA_TYPE_CHANGED",
        path: "/".to_owned(),
        message: format!(
            "Incompatible because of different schema type: the old schema is {old}, the new one {new}"
        ),
        detail: format!("{old} -> {new}"),
        location: None,
    }
}

/// A content fingerprint: SHA-256 (hex) over format, canonical text and the
/// references, so that the same content gets the same schema id.
pub fn fingerprint(
    schema_type: SchemaType,
    canonical: &str,
    references: &[SchemaReference],
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(schema_type.as_str());
    hasher.update([0]);
    hasher.update(canonical);
    for reference in references {
        hasher.update([0]);
        hasher.update(&reference.name);
        hasher.update([0]);
        hasher.update(&reference.subject);
        hasher.update([0]);
        hasher.update(reference.version.to_be_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A stable, UUID-shaped identifier derived from a [`fingerprint`].
pub fn guid(fingerprint: &str) -> String {
    let hex: String = fingerprint.chars().take(32).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_type_text_and_references() {
        let reference = SchemaReference {
            name: "a.B".into(),
            subject: "b".into(),
            version: 1,
        };
        let plain = fingerprint(SchemaType::Avro, "\"int\"", &[]);
        assert_eq!(plain, fingerprint(SchemaType::Avro, "\"int\"", &[]));
        assert_ne!(plain, fingerprint(SchemaType::Json, "\"int\"", &[]));
        assert_ne!(plain, fingerprint(SchemaType::Avro, "\"long\"", &[]));
        assert_ne!(
            plain,
            fingerprint(SchemaType::Avro, "\"int\"", &[reference])
        );
    }

    #[test]
    fn guid_is_uuid_shaped() {
        let id = guid(&fingerprint(SchemaType::Avro, "\"int\"", &[]));
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, vec![8, 4, 4, 4, 12]);
    }

    #[test]
    fn a_different_schema_type_is_always_incompatible() {
        let parse = |schema_type, text| {
            ParsedSchema::parse(schema_type, text, &[], ParseLimits::default())
                .unwrap_or_else(|e| panic!("{text}: {e}"))
        };
        let avro = parse(
            SchemaType::Avro,
            r#"{"type":"record","name":"M","fields":[]}"#,
        );
        let proto = parse(SchemaType::Protobuf, "syntax = \"proto3\"; message M {}");
        for direction in [Direction::Backward, Direction::Forward] {
            let findings = proto.compatibility_findings(&avro, direction, CheckRules::default());
            let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
            assert_eq!(rules, vec!["SCHEMA_TYPE_CHANGED"]);
        }
    }
}
