//! Where events travel: a [`Transport`] publishes messages and hands out
//! deliveries to durable consumers, which acknowledge them once handled.
//!
//! [`memory::MemoryTransport`] is an in-process broker (always there);
//! `nats::JetStreamTransport` is NATS JetStream (cargo feature `nats`, on
//! by default); `redis::RedisTransport` is Redis Streams (cargo feature
//! `redis`); `kafka::KafkaTransport` is Apache Kafka (cargo feature
//! `kafka`); `rabbitmq::RabbitTransport` is RabbitMQ (cargo feature
//! `rabbitmq`).

#[cfg(feature = "kafka")]
pub mod kafka;
pub mod memory;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "rabbitmq")]
pub mod rabbitmq;
#[cfg(feature = "redis")]
pub mod redis;

use std::future::Future;

use futures_util::stream::BoxStream;

use crate::envelope::Headers;

/// A message as brokers carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The broker subject (topic).
    pub subject: String,
    /// Headers, in order.
    pub headers: Headers,
    /// The body: Confluent wire format.
    pub payload: Vec<u8>,
}

impl Message {
    /// The first header called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A broker operation that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// A stream of deliveries to one durable consumer.
pub type Deliveries<D> = BoxStream<'static, Result<D, TransportError>>;

/// A broker.
pub trait Transport: Clone + Send + Sync + 'static {
    /// One delivery of a message to a consumer.
    type Delivery: Delivery;

    /// Publishes `message`; returns once the broker has stored it.
    fn publish(&self, message: Message) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// The messages on `subject` not yet acknowledged by the durable
    /// consumer `durable`, then every new one, in order.
    fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> impl Future<Output = Result<Deliveries<Self::Delivery>, TransportError>> + Send;

    /// Makes sure the durable consumer `durable` of `subject` exists, so
    /// that it receives what is published from now on even before it
    /// first subscribes. Brokers that keep a replayable log (all but
    /// RabbitMQ) need nothing.
    fn declare(
        &self,
        subject: &str,
        durable: &str,
    ) -> impl Future<Output = Result<(), TransportError>> + Send {
        let _ = (subject, durable);
        std::future::ready(Ok(()))
    }

    /// Where dead letters of `subject` go by default:
    /// `dead-letter.<subject>` (Kafka: `<subject>.dlq`).
    fn dead_letter_subject(&self, subject: &str) -> String {
        format!("dead-letter.{subject}")
    }
}

/// One delivery of a message.
pub trait Delivery: Send + 'static {
    /// The message.
    fn message(&self) -> &Message;

    /// How many times the broker has delivered it (1 the first time).
    fn delivery_count(&self) -> u64;

    /// Marks it handled: it will not be delivered to this consumer again.
    fn ack(self) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Tells the broker work is still going on (delays redelivery).
    fn in_progress(&self) -> impl Future<Output = Result<(), TransportError>> + Send;
}

/// Whether NATS-style `pattern` (tokens separated by `.`, `*` for one
/// token, `>` for the rest) matches `subject`.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut tokens = subject.split('.');
    for part in pattern.split('.') {
        match (part, tokens.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (expected, Some(token)) if expected == token => {}
            _ => return false,
        }
    }
    tokens.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::subject_matches;

    #[test]
    fn nats_wildcards() {
        assert!(subject_matches("orders.created", "orders.created"));
        assert!(subject_matches("orders.*", "orders.created"));
        assert!(subject_matches("orders.>", "orders.created.eu"));
        assert!(!subject_matches("orders.*", "orders.created.eu"));
        assert!(!subject_matches("orders.>", "orders"));
        assert!(!subject_matches("orders.created", "orders.created.eu"));
        assert!(!subject_matches("orders.created", "payments.created"));
    }
}
