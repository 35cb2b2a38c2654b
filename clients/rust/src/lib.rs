//! Herald's Rust client.
//!
//! - [`registry`]: the registry's REST API (or Herald's gRPC API): register,
//!   read, look up, list, judge compatibility (with structured findings),
//!   configure; with caches and retries.
//! - [`wire`]: Confluent's wire format (magic byte, schema id, message indexes).
//! - [`codec`]: Avro, Protobuf and JSON serializers and deserializers.
//! - [`envelope`]: the CloudEvents-aligned event envelope and its headers.
//! - [`transport`], [`producer`], [`consumer`]: typed producers and
//!   consumers over Kafka, NATS JetStream, Redis Streams, RabbitMQ or an
//!   in-memory broker; [`request`]: request-reply over the same transports.
//!
//! Cargo features: `nats` (on by default) adds the NATS JetStream
//! transport; `kafka`, `redis` and `rabbitmq` the Kafka, Redis Streams and
//! RabbitMQ transports; `otel` carries OpenTelemetry trace context from
//! producers to consumers (W3C `traceparent`/`tracestate`); `grpc` adds Herald's gRPC API as a second way to
//! reach the registry. With `default-features = false` the crate has the registry
//! client, codecs and the in-memory transport, and links no broker client.
//!
//! Not for: running a registry (`herald-server`) or generating code
//! (`herald-codegen`); the schema model itself is `herald-core`, re-exported
//! as [`core`].

pub mod codec;
pub mod consumer;
mod counts;
pub mod envelope;
pub mod producer;
pub mod registry;
pub mod request;
mod trace;
pub mod transport;
pub mod types;
pub mod wire;

/// apache-avro, for generated code (decimals, serde helpers).
pub use apache_avro as avro;
/// herald-core, for generated code (JSON Schema validation).
pub use herald_core as core;
/// prost, for generated Protobuf messages.
pub use prost;
/// prost-types, for the well-known types in generated Protobuf messages.
pub use prost_types;
/// serde_json, for generated JSON Schema types.
pub use serde_json;
