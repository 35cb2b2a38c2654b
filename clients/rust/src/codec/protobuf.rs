//! Protobuf: prost messages, with the message indexes that name the
//! message within its schema.

use std::marker::PhantomData;

use super::{CodecError, Deserializer, Serializer, ensure_known};
use crate::registry::RegistryClient;
use crate::wire;

/// Serializes and deserializes the prost message `M`.
pub struct ProtobufCodec<M> {
    schema_id: u32,
    message_indexes: Vec<i32>,
    registry: Option<RegistryClient>,
    message: PhantomData<fn() -> M>,
}

impl<M> ProtobufCodec<M> {
    /// A codec for schema `schema_id`, whose message `message_indexes`
    /// names (`[0]` for the first top-level message).
    pub fn new(schema_id: u32, message_indexes: Vec<i32>) -> Self {
        ProtobufCodec {
            schema_id,
            message_indexes,
            registry: None,
            message: PhantomData,
        }
    }

    /// The same codec, refusing payloads whose schema id `registry` does not know.
    pub fn with_registry(mut self, registry: RegistryClient) -> Self {
        self.registry = Some(registry);
        self
    }
}

impl<M: prost::Message> Serializer<M> for ProtobufCodec<M> {
    fn schema_id(&self) -> u32 {
        self.schema_id
    }

    fn content_type(&self) -> &'static str {
        "application/x-protobuf"
    }

    fn serialize(&self, value: &M) -> Result<Vec<u8>, CodecError> {
        Ok(wire::encode(
            self.schema_id,
            Some(&self.message_indexes),
            &value.encode_to_vec(),
        ))
    }
}

impl<M: prost::Message + Default> Deserializer<M> for ProtobufCodec<M> {
    async fn deserialize(&self, bytes: &[u8]) -> Result<M, CodecError> {
        let framed = wire::decode(bytes, true)?;
        ensure_known(self.registry.as_ref(), framed.schema_id).await?;
        M::decode(framed.payload).map_err(|e| CodecError::Data(e.to_string()))
    }
}
