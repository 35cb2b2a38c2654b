//! Tests of herald-client: codecs against hand-built bytes and a real
//! registry, and producers and consumers over memory and NATS JetStream.

mod codec;
mod events;
mod registry;
