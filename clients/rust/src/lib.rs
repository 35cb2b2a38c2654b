//! Herald's Rust client.
//!
//! - [`registry`]: the registry's REST API, with caches and retries.
//! - [`wire`]: Confluent's wire format (magic byte, schema id, message indexes).
//! - [`codec`]: Avro, Protobuf and JSON serializers and deserializers.
//! - [`envelope`]: the CloudEvents-aligned event envelope and its headers.
//! - [`transport`], [`producer`], [`consumer`]: typed producers and
//!   consumers over NATS JetStream or an in-memory broker.

pub mod codec;
pub mod envelope;
pub mod registry;
pub mod wire;
