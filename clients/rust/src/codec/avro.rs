//! Avro: serde values written with apache-avro; payloads written with
//! another registered version of the schema are resolved from the writer's
//! schema to the reader's (Avro schema evolution).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

use apache_avro::Schema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CodecError, Deserializer, Serializer, ensure_known};
use crate::registry::{RegisteredSchema, RegistryClient};
use crate::wire;

/// An Avro schema with the named types it references.
#[derive(Debug)]
pub struct AvroSchemaSet {
    schema: Schema,
    dependencies: Vec<Schema>,
}

impl AvroSchemaSet {
    /// Parses `text`; `dependencies` are the texts of the schemas it
    /// references (named types), in any order.
    pub fn parse(text: &str, dependencies: &[String]) -> Result<AvroSchemaSet, CodecError> {
        let (schema, dependencies) = Schema::parse_str_with_list(text, dependencies)
            .map_err(|e| CodecError::Data(format!("not an Avro schema: {e}")))?;
        Ok(AvroSchemaSet {
            schema,
            dependencies,
        })
    }

    /// The schema itself.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema and its dependencies, for resolving names.
    fn all(&self) -> Vec<&Schema> {
        std::iter::once(&self.schema)
            .chain(&self.dependencies)
            .collect()
    }
}

/// Serializes and deserializes `T` in one Avro schema (the reader's).
pub struct AvroCodec<T> {
    reader: Arc<AvroSchemaSet>,
    schema_id: u32,
    registry: Option<RegistryClient>,
    writers: Mutex<HashMap<u32, Arc<AvroSchemaSet>>>,
    value: PhantomData<fn() -> T>,
}

impl<T> AvroCodec<T> {
    /// A codec for `schema`, registered as `schema_id`. Without a registry
    /// only payloads written with `schema_id` can be read.
    pub fn new(schema: Arc<AvroSchemaSet>, schema_id: u32) -> Self {
        AvroCodec {
            reader: schema,
            schema_id,
            registry: None,
            writers: Mutex::default(),
            value: PhantomData,
        }
    }

    /// The same codec, reading payloads written with `schema` as `id`
    /// without asking a registry (e.g. versions pinned at build time).
    pub fn with_writer(self, id: u32, schema: Arc<AvroSchemaSet>) -> Self {
        self.lock_writers().insert(id, schema);
        self
    }

    /// The same codec, fetching writers' schemas from `registry`.
    pub fn with_registry(mut self, registry: RegistryClient) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The schema a payload with `id` was written with.
    async fn writer(&self, id: u32) -> Result<Arc<AvroSchemaSet>, CodecError> {
        if id == self.schema_id {
            return Ok(self.reader.clone());
        }
        if let Some(found) = self.lock_writers().get(&id) {
            return Ok(found.clone());
        }
        let Some(registry) = &self.registry else {
            return Err(CodecError::UnknownSchemaId(id));
        };
        ensure_known(Some(registry), id).await?;
        let schema = registry
            .schema_by_id(id)
            .await
            .map_err(CodecError::Registry)?;
        let dependencies = dependency_texts(registry, &schema).await?;
        let parsed = Arc::new(AvroSchemaSet::parse(&schema.schema, &dependencies)?);
        self.lock_writers().insert(id, parsed.clone());
        Ok(parsed)
    }

    fn lock_writers(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<AvroSchemaSet>>> {
        self.writers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The texts of every schema `schema` references, transitively.
async fn dependency_texts(
    registry: &RegistryClient,
    schema: &RegisteredSchema,
) -> Result<Vec<String>, CodecError> {
    let mut texts = Vec::new();
    let mut pending = schema.references.clone();
    let mut seen = Vec::new();
    while let Some(reference) = pending.pop() {
        if seen.contains(&(reference.subject.clone(), reference.version)) {
            continue;
        }
        seen.push((reference.subject.clone(), reference.version));
        let found = registry
            .version(&reference.subject, reference.version)
            .await
            .map_err(CodecError::Registry)?;
        pending.extend(found.schema.references.iter().cloned());
        texts.push(found.schema.schema);
    }
    Ok(texts)
}

fn avro_error(error: apache_avro::Error) -> CodecError {
    CodecError::Data(error.to_string())
}

impl<T: Serialize> Serializer<T> for AvroCodec<T> {
    fn schema_id(&self) -> u32 {
        self.schema_id
    }

    fn content_type(&self) -> &'static str {
        "application/avro"
    }

    fn serialize(&self, value: &T) -> Result<Vec<u8>, CodecError> {
        let datum = GenericDatumWriter::builder(&self.reader.schema)
            .schemata(self.reader.all())
            .map_err(avro_error)?
            .build()
            .map_err(avro_error)?
            .write_ser_to_vec(value)
            .map_err(avro_error)?;
        Ok(wire::encode(self.schema_id, None, &datum))
    }
}

impl<T: DeserializeOwned> Deserializer<T> for AvroCodec<T> {
    async fn deserialize(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let framed = wire::decode(bytes, false)?;
        if framed.schema_id == self.schema_id {
            ensure_known(self.registry.as_ref(), framed.schema_id).await?;
        }
        let writer = self.writer(framed.schema_id).await?;
        let reader = GenericDatumReader::builder(&writer.schema)
            .writer_schemata(writer.all())
            .map_err(avro_error)?
            .reader_schema(&self.reader.schema)
            .reader_schemata(self.reader.all())
            .map_err(avro_error)?
            .build()
            .map_err(avro_error)?;
        let mut rest = framed.payload;
        let value = reader.read_value(&mut rest).map_err(avro_error)?;
        if !rest.is_empty() {
            return Err(CodecError::Data(format!(
                "{} bytes left after the Avro value: not written with schema {}",
                rest.len(),
                framed.schema_id
            )));
        }
        apache_avro::from_value(&value).map_err(avro_error)
    }
}
