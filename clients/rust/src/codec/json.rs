//! JSON Schema: serde values as JSON, validated against the schema when asked.

use std::marker::PhantomData;
use std::sync::Arc;

use herald_core::json::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CodecError, Deserializer, Serializer, ensure_known};
use crate::registry::RegistryClient;
use crate::wire;

/// Serializes and deserializes `T` as JSON under one JSON Schema.
pub struct JsonCodec<T> {
    schema: Arc<JsonSchema>,
    schema_id: u32,
    validate: bool,
    registry: Option<RegistryClient>,
    value: PhantomData<fn() -> T>,
}

impl<T> JsonCodec<T> {
    /// A codec for `schema`, registered as `schema_id`; values are
    /// validated against it before they are written.
    pub fn new(schema: Arc<JsonSchema>, schema_id: u32) -> Self {
        JsonCodec {
            schema,
            schema_id,
            validate: true,
            registry: None,
            value: PhantomData,
        }
    }

    /// The same codec, validating (or not) written and read values.
    pub fn validating(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// The same codec, refusing payloads whose schema id `registry` does not know.
    pub fn with_registry(mut self, registry: RegistryClient) -> Self {
        self.registry = Some(registry);
        self
    }

    fn check(&self, value: &serde_json::Value) -> Result<(), CodecError> {
        if !self.validate {
            return Ok(());
        }
        self.schema
            .validate(value)
            .map_err(|e| CodecError::Data(format!("not valid against the schema: {e}")))
    }
}

impl<T: Serialize> Serializer<T> for JsonCodec<T> {
    fn schema_id(&self) -> u32 {
        self.schema_id
    }

    fn content_type(&self) -> &'static str {
        "application/json"
    }

    fn serialize(&self, value: &T) -> Result<Vec<u8>, CodecError> {
        let data = |e: serde_json::Error| CodecError::Data(e.to_string());
        let mut out = wire::encode(self.schema_id, None, &[]);
        if self.validate {
            // Validation needs the value as JSON; write that same value.
            let json = serde_json::to_value(value).map_err(data)?;
            self.check(&json)?;
            serde_json::to_writer(&mut out, &json).map_err(data)?;
        } else {
            serde_json::to_writer(&mut out, value).map_err(data)?;
        }
        Ok(out)
    }
}

impl<T: DeserializeOwned> Deserializer<T> for JsonCodec<T> {
    async fn deserialize(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let framed = wire::decode(bytes, false)?;
        ensure_known(self.registry.as_ref(), framed.schema_id).await?;
        let json: serde_json::Value =
            serde_json::from_slice(framed.payload).map_err(|e| CodecError::Data(e.to_string()))?;
        self.check(&json)?;
        serde_json::from_value(json).map_err(|e| CodecError::Data(e.to_string()))
    }
}
