//! Herald's Rust client.
//!
//! - [`registry`]: the registry's REST API, with caches and retries.
//! - [`wire`]: Confluent's wire format (magic byte, schema id, message indexes).
//! - [`codec`]: Avro, Protobuf and JSON serializers and deserializers.
//! - [`envelope`]: the CloudEvents-aligned event envelope and its headers.
//! - [`transport`], [`producer`], [`consumer`]: typed producers and
//!   consumers over NATS JetStream or an in-memory broker.

pub mod codec;
pub mod consumer;
pub mod envelope;
pub mod producer;
pub mod registry;
pub mod transport;
pub mod wire;
