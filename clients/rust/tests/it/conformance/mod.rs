//! The conformance suite run on every transport: the scenarios
//! (`scenarios.rs`) on the in-memory broker, the machine's NATS JetStream
//! (127.0.0.1:4222), Redis (127.0.0.1:6379) and RabbitMQ (127.0.0.1:5672),
//! and Kafka served by a Tansu broker each test starts (`herald_testing::tansu`); plus
//! the crash test on each real broker (`crash.rs`), and what is particular
//! to one broker.

mod crash;
mod kafka_key;
pub mod scenarios;

use std::time::Duration;

use futures_util::StreamExt;
use herald_client::transport::kafka::KafkaTransport;
use herald_client::transport::memory::MemoryTransport;
use herald_client::transport::nats::JetStreamTransport;
use herald_client::transport::rabbitmq::RabbitTransport;
use herald_client::transport::redis::RedisTransport;
use herald_client::transport::{Delivery, Message, Transport};
use herald_testing::tansu::Tansu;

/// NATS on the machine.
pub const NATS_URL: &str = "nats://127.0.0.1:4222";
/// Redis on the machine.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
/// RabbitMQ on the machine.
pub const RABBITMQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// A name no other test run uses.
pub fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}

/// A JetStream stream of its own holding `prefix.>` and its dead letters.
pub async fn nats(prefix: &str) -> JetStreamTransport {
    let (events, dead_letters) = (format!("{prefix}.>"), format!("dead-letter.{prefix}.>"));
    JetStreamTransport::connect(
        NATS_URL,
        &prefix.replace(['.', '-'], "_"),
        &[&events, &dead_letters],
    )
    .await
    .expect("NATS JetStream on 127.0.0.1:4222")
}

/// Redis, with keys of its own.
pub async fn redis(prefix: &str) -> RedisTransport {
    RedisTransport::connect(REDIS_URL, &format!("{prefix}:"))
        .await
        .expect("Redis on 127.0.0.1:6379")
}

/// RabbitMQ, with an exchange of its own.
pub async fn rabbitmq(prefix: &str) -> RabbitTransport {
    RabbitTransport::connect(RABBITMQ_URL, prefix)
        .await
        .expect("RabbitMQ on 127.0.0.1:5672")
}

#[tokio::test]
async fn conformance_on_the_memory_transport() {
    scenarios::all(&MemoryTransport::new(), "herald-test").await;
}

#[tokio::test]
async fn conformance_on_nats_jetstream() {
    let prefix = format!("herald-test-{}", unique());
    let transport = nats(&prefix).await;
    scenarios::all(&transport, &prefix).await;
    transport.delete_stream().await.expect("stream deleted");
}

#[tokio::test]
async fn conformance_on_redis_streams() {
    let prefix = format!("herald-test-{}", unique());
    let transport = redis(&prefix).await;
    scenarios::all(&transport, "herald").await;
    let replies = [
        format!("herald.replies.{}", std::process::id()),
        format!("herald.replies.nobody.{}", std::process::id()),
    ];
    transport
        .delete(&[
            "herald.orders",
            "dead-letter.herald.orders",
            "herald.keyed",
            "herald.shutdown",
            "herald.quotes",
            "herald.nobody",
            &replies[0],
            &replies[1],
        ])
        .await
        .expect("streams deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn conformance_on_kafka() {
    let broker = Tansu::start().await;
    let transport = KafkaTransport::connect(&broker.bootstrap()).expect("Kafka client");
    scenarios::all(&transport, "herald").await;
}

#[tokio::test]
async fn conformance_on_rabbitmq() {
    let prefix = format!("herald-test-{}", unique());
    let transport = rabbitmq(&prefix).await;
    scenarios::all(&transport, "herald").await;
    transport.delete().await.expect("queues deleted");
}

#[tokio::test]
async fn redis_entries_a_crashed_consumer_left_pending_are_claimed_with_their_count() {
    let subject = "orders.created";
    let transport = redis(&format!("herald-test-{}", unique()))
        .await
        .with_claim_after(Duration::from_millis(50))
        .with_max_len(1000);
    transport
        .publish(Message {
            subject: subject.to_owned(),
            headers: vec![("ce_id".to_owned(), "e-1".to_owned())],
            payload: vec![1, 2, 3],
        })
        .await
        .expect("published");
    // A consumer takes the entry and dies without acknowledging it.
    {
        let mut crashed = transport
            .subscribe(subject, "billing")
            .await
            .expect("subscribed");
        let taken = crashed.next().await.expect("open").expect("delivered");
        assert_eq!(taken.delivery_count(), 1);
        assert_eq!(taken.message().header("ce_id"), Some("e-1"));
    }
    // Another member of the group claims it once it has been idle long enough.
    let mut survivor = transport
        .subscribe(subject, "billing")
        .await
        .expect("subscribed");
    let claimed = tokio::time::timeout(Duration::from_secs(10), survivor.next())
        .await
        .expect("claimed in time")
        .expect("open")
        .expect("delivered");
    assert_eq!(claimed.message().payload, vec![1, 2, 3]);
    assert_eq!(claimed.delivery_count(), 2, "delivered twice now");
    claimed.ack().await.expect("acked");
    transport.delete(&[subject]).await.expect("deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn kafka_records_carry_the_key_headers_and_confluent_framing() {
    let broker = Tansu::start().await;
    let transport = KafkaTransport::connect(&broker.bootstrap()).expect("Kafka client");
    let producer = scenarios::producer(&transport, "orders");
    let sent = producer
        .send(&scenarios::order("o-1"), "customer-9")
        .await
        .expect("sent");
    let read = scenarios::read_messages(&transport, "orders", "raw-reader", 1).await;
    assert_eq!(read[0].header("ce_id"), Some(sent.id.as_str()));
    assert_eq!(read[0].header("ce_subject"), Some("customer-9"));
    assert_eq!(read[0].payload[0], 0, "Confluent magic byte");
    assert_eq!(read[0].payload[1..5], [0, 0, 0, 1], "schema id 1");
    assert_eq!(
        kafka_key::record_key(&broker.bootstrap(), "orders").await,
        Some("customer-9".to_owned())
    );
}
