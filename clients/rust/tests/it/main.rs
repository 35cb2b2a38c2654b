//! Tests of herald-client: codecs against hand-built bytes and a real
//! registry, and producers and consumers over every transport (the
//! conformance suite: memory, NATS JetStream, Redis Streams, Kafka through
//! Tansu, RabbitMQ), request-reply, and trace context carried from
//! producer to consumer.

mod codec;
mod conformance;
mod counts;
mod registry;
mod trace_context;
