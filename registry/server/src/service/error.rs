//! Registry errors, each with its Confluent error code.

use herald_core::SchemaError;
use herald_core::compatibility::{InvalidLevel, InvalidRules};
use herald_core::json::InvalidPolicy;

use super::compatibility::VersionFinding;
use crate::store::StoreError;

/// Why a schema was refused as incompatible.
#[derive(Debug)]
pub struct Incompatibility {
    /// Confluent's message: every finding, the old version, its schema and
    /// the level.
    pub message: String,
    /// The findings, each with the version it was judged against.
    pub findings: Vec<VersionFinding>,
}

/// Why a registry operation was refused or failed. [`ServiceError::code`]
/// gives the Confluent `error_code`; its first three digits are the HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 40401.
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// 40402.
    #[error("Version {0} not found.")]
    VersionNotFound(i32),
    /// 40403, by id.
    #[error("Schema {0} not found")]
    SchemaIdNotFound(String),
    /// 40403, by content (lookup).
    #[error("Schema not found")]
    SchemaNotFound,
    /// 40404.
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 40405.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 40406.
    #[error("Subject '{0}' Version {1} was soft deleted.Set permanent=true to delete permanently")]
    VersionSoftDeleted(String, i32),
    /// 40407.
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, i32),
    /// 40408.
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectConfigNotFound(String),
    /// 40409.
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotFound(String),
    /// 40901: the message lists the findings, which come along structured.
    #[error("{}", .0.message)]
    Incompatible(Box<Incompatibility>),
    /// 42201.
    #[error("{0}")]
    InvalidSchema(String),
    /// 42202.
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    /// 42203.
    #[error("{0}")]
    InvalidLevel(#[from] InvalidLevel),
    /// 42203, for `protobufRules`.
    #[error("{0}")]
    InvalidRules(#[from] InvalidRules),
    /// 42203, for `compatibilityPolicy`.
    #[error("{0}")]
    InvalidPolicy(#[from] InvalidPolicy),
    /// 42204.
    #[error(
        "Invalid mode '{0}'. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT"
    )]
    InvalidMode(String),
    /// 42205.
    #[error("{0}")]
    NotPermitted(String),
    /// 42206.
    #[error("One or more references exist to the schema {{subject={0},version={1}}}")]
    ReferenceExists(String, i32),
    /// 42205 as Confluent answers it; its own variant so that gRPC can
    /// say ALREADY_EXISTS: an IMPORT id already held by other content.
    #[error("{0}")]
    IdConflict(String),
    /// 42210: a rule set that cannot be applied as asked.
    #[error("{0}")]
    InvalidRuleSet(String),
    /// 42208.
    #[error("Invalid subject {0}")]
    InvalidSubject(String),
    /// 50001. The store's own error text is logged, never shown.
    #[error("Error in the backend data store")]
    Store(#[from] StoreError),
    /// 50301: parsing or checking did not finish within its time budget.
    #[error("{0}")]
    Busy(String),
}

impl ServiceError {
    /// The Confluent error code.
    pub fn code(&self) -> u32 {
        match self {
            ServiceError::SubjectNotFound(_) => 40401,
            ServiceError::VersionNotFound(_) => 40402,
            ServiceError::SchemaIdNotFound(_) | ServiceError::SchemaNotFound => 40403,
            ServiceError::SubjectSoftDeleted(_) => 40404,
            ServiceError::SubjectNotSoftDeleted(_) => 40405,
            ServiceError::VersionSoftDeleted(..) => 40406,
            ServiceError::VersionNotSoftDeleted(..) => 40407,
            ServiceError::SubjectConfigNotFound(_) => 40408,
            ServiceError::SubjectModeNotFound(_) => 40409,
            ServiceError::Incompatible(_) => 40901,
            ServiceError::InvalidSchema(_) => 42201,
            ServiceError::InvalidVersion(_) => 42202,
            ServiceError::InvalidLevel(_)
            | ServiceError::InvalidRules(_)
            | ServiceError::InvalidPolicy(_) => 42203,
            ServiceError::InvalidMode(_) => 42204,
            ServiceError::NotPermitted(_) | ServiceError::IdConflict(_) => 42205,
            ServiceError::ReferenceExists(..) => 42206,
            ServiceError::InvalidSubject(_) => 42208,
            ServiceError::InvalidRuleSet(_) => 42210,
            ServiceError::Store(_) => 50001,
            ServiceError::Busy(_) => 50301,
        }
    }

    /// The message a client is shown; a store error's details go to the
    /// log instead (they may quote the request's data or the database).
    pub fn public_message(&self) -> String {
        if let ServiceError::Store(error) = self {
            tracing::error!(%error, "store error");
        }
        self.to_string()
    }
}

impl From<SchemaError> for ServiceError {
    fn from(error: SchemaError) -> Self {
        ServiceError::InvalidSchema(error.to_string())
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        ServiceError::Store(StoreError::from(error))
    }
}
