//! Between the gRPC messages and the service's types, and from service
//! errors to gRPC status codes.

use herald_core::{SchemaReference, SchemaType};
use tonic::{Code, Status};

use super::pb;
use crate::model::Schema;
use crate::service::{NewSchema, ServiceError, SubjectVersion, VersionFinding};

/// The gRPC code for a service error: NOT_FOUND for 404xx, FAILED_PRECONDITION
/// for incompatible schemas (409xx), read-only modes and protected
/// references, ALREADY_EXISTS for an id held by other content, INVALID_ARGUMENT
/// for the other 422xx, UNAVAILABLE for the store, RESOURCE_EXHAUSTED when
/// the schema work's time budget ran out, INTERNAL otherwise.
pub fn status(error: &ServiceError) -> Status {
    let code = error.code();
    let grpc = match code / 100 {
        _ if matches!(error, ServiceError::IdConflict(_)) => Code::AlreadyExists,
        404 => Code::NotFound,
        409 => Code::FailedPrecondition,
        422 => match code {
            42205 | 42206 => Code::FailedPrecondition,
            _ => Code::InvalidArgument,
        },
        400 | 413 | 415 => Code::InvalidArgument,
        500 if code == 50001 => Code::Unavailable,
        503 => Code::ResourceExhausted,
        _ => Code::Internal,
    };
    Status::new(grpc, format!("{code}: {}", error.public_message()))
}

/// The schema type a request names (unspecified is AVRO).
pub fn schema_type(value: i32) -> Result<SchemaType, Status> {
    match pb::SchemaType::try_from(value) {
        Ok(pb::SchemaType::Unspecified | pb::SchemaType::Avro) => Ok(SchemaType::Avro),
        Ok(pb::SchemaType::Protobuf) => Ok(SchemaType::Protobuf),
        Ok(pb::SchemaType::Json) => Ok(SchemaType::Json),
        Err(_) => Err(Status::invalid_argument(format!(
            "unknown schema type {value}"
        ))),
    }
}

fn schema_type_of(schema_type: SchemaType) -> pb::SchemaType {
    match schema_type {
        SchemaType::Protobuf => pb::SchemaType::Protobuf,
        SchemaType::Json => pb::SchemaType::Json,
        SchemaType::Avro => pb::SchemaType::Avro,
    }
}

/// A request's schema as the service takes it.
pub fn new_schema(
    schema_type: i32,
    schema: String,
    references: Vec<pb::SchemaReference>,
) -> Result<NewSchema, Status> {
    Ok(NewSchema {
        schema,
        schema_type: self::schema_type(schema_type)?,
        references: references
            .into_iter()
            .map(|r| SchemaReference {
                name: r.name,
                subject: r.subject,
                version: r.version,
            })
            .collect(),
        id: None,
        version: None,
        metadata: None,
        rule_set: None,
    })
}

/// A stored schema as a message.
pub fn schema(row: &Schema) -> pb::Schema {
    pb::Schema {
        id: u32::try_from(row.id).unwrap_or_default(),
        schema_type: schema_type_of(row.schema_type).into(),
        schema: row.text.clone(),
        references: row
            .references
            .iter()
            .map(|r| pb::SchemaReference {
                name: r.name.clone(),
                subject: r.subject.clone(),
                version: r.version,
            })
            .collect(),
        guid: row.guid.clone(),
    }
}

/// A subject's version as a message.
pub fn subject_version(found: &SubjectVersion) -> pb::SubjectVersion {
    pb::SubjectVersion {
        subject: found.subject.clone(),
        version: found.version,
        deleted: found.deleted,
        schema: Some(schema(&found.schema)),
    }
}

/// A finding as a message.
pub fn finding(found: &VersionFinding) -> pb::Finding {
    pb::Finding {
        rule: found.finding.rule.to_owned(),
        path: found.finding.path.clone(),
        message: found.finding.message.clone(),
        location: found.finding.location.map(|l| pb::Location {
            line: l.line,
            column: l.column,
        }),
        old_version: found.old_schema_version,
    }
}
