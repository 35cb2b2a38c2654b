//! Serializers and deserializers for the three formats, writing and reading
//! Confluent's wire format: [`avro`], [`protobuf`], [`json`].
//!
//! A serializer is fixed to one schema and its registry id. A deserializer
//! reads the id in front of the payload, refuses ids the registry does not
//! know, and (for Avro) resolves the writer's schema against the reader's.

pub mod avro;
pub mod json;
pub mod protobuf;

use std::future::Future;

use crate::registry::{RegistryClient, RegistryError};
use crate::wire::WireError;

/// Why a value could not be written or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not Confluent wire format.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The payload names a schema id the registry does not know.
    #[error("unknown schema id {0}")]
    UnknownSchemaId(u32),
    /// The registry could not answer.
    #[error(transparent)]
    Registry(RegistryError),
    /// The value does not fit the schema, or the payload is not a value of it.
    #[error("{0}")]
    Data(String),
}

/// Writes values of `T` in one schema.
pub trait Serializer<T>: Send + Sync {
    /// The registry id of the schema written with.
    fn schema_id(&self) -> u32;
    /// The payload's media type, e.g. `application/avro`.
    fn content_type(&self) -> &'static str;
    /// `value` framed in Confluent's wire format.
    fn serialize(&self, value: &T) -> Result<Vec<u8>, CodecError>;
}

/// Reads values of `T` from Confluent's wire format.
pub trait Deserializer<T>: Send + Sync {
    /// The value in `bytes`.
    fn deserialize(&self, bytes: &[u8]) -> impl Future<Output = Result<T, CodecError>> + Send;
}

/// Checks that the registry knows `id`, when there is a registry.
pub(crate) async fn ensure_known(
    registry: Option<&RegistryClient>,
    id: u32,
) -> Result<(), CodecError> {
    let Some(registry) = registry else {
        return Ok(());
    };
    match registry.schema_by_id(id).await {
        Ok(_) => Ok(()),
        Err(RegistryError::Api {
            error_code: 40403, ..
        }) => Err(CodecError::UnknownSchemaId(id)),
        Err(other) => Err(CodecError::Registry(other)),
    }
}
