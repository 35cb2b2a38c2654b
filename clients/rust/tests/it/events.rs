//! Typed producers and consumers, over the in-memory broker and a real
//! NATS JetStream (127.0.0.1:4222): round trip, retry with backoff, dead
//! letters with the reason, poison messages, duplicates handled once, order
//! kept, and durable consumers resuming where they stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::consumer::{Consumer, ConsumerConfig, DELIVERIES_HEADER, ERROR_HEADER, Event};
use herald_client::producer::Producer;
use herald_client::transport::memory::MemoryTransport;
use herald_client::transport::nats::JetStreamTransport;
use herald_client::transport::redis::RedisTransport;
use herald_client::transport::{Delivery, Message, Transport};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

const ORDER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"cents","type":"long"}]}"#;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
    cents: i64,
}

fn order(id: &str) -> Order {
    Order {
        id: id.to_owned(),
        cents: 100,
    }
}

fn codec() -> AvroCodec<Order> {
    AvroCodec::new(
        Arc::new(AvroSchemaSet::parse(ORDER, &[]).expect("schema")),
        1,
    )
}

fn config(durable: &str, subject: &str) -> ConsumerConfig {
    ConsumerConfig {
        max_deliveries: 3,
        backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..ConsumerConfig::new(durable, subject)
    }
}

/// Runs a consumer until the event `stop` is handled; returns the ids in
/// the order the handler was called.
async fn consume_until<Tr: Transport>(
    transport: &Tr,
    subject: &str,
    durable: &str,
    stop: &str,
) -> Vec<String> {
    let consumer = Consumer::new(
        transport.clone(),
        codec(),
        subject,
        config(durable, subject),
    );
    let done = Arc::new(Notify::new());
    let flaky_failures = AtomicU32::new(0);
    let mut calls = Vec::new();
    let finished = done.clone();
    let handler = async |event: &Event<Order>| -> Result<(), String> {
        calls.push(event.value.id.clone());
        match event.value.id.as_str() {
            "flaky" if flaky_failures.fetch_add(1, Ordering::SeqCst) < 2 => {
                Err("not yet".to_owned())
            }
            "broken" => Err("the handler always fails".to_owned()),
            id if id == stop => {
                finished.notify_one();
                Ok(())
            }
            _ => Ok(()),
        }
    };
    tokio::time::timeout(
        Duration::from_secs(20),
        consumer.run(handler, done.notified()),
    )
    .await
    .expect("the consumer finishes")
    .expect("the consumer runs");
    calls
}

/// The whole behaviour on one transport; `dead_letters` reads what was
/// dead-lettered.
async fn exercise<Tr: Transport, F: Future<Output = Vec<Message>>>(
    transport: Tr,
    subject: &str,
    dead_letters: impl Fn() -> F,
) {
    let producer = Producer::new(
        transport.clone(),
        codec(),
        subject,
        "/orders-service",
        "orders-value",
    );
    let first = producer
        .send(&order("first"), "customer-1")
        .await
        .expect("sent");
    assert_eq!(
        (first.schema_id, first.content_type.as_str()),
        (1, "application/avro")
    );
    producer
        .send(&order("flaky"), "customer-1")
        .await
        .expect("sent");
    let broken = producer
        .send(&order("broken"), "customer-1")
        .await
        .expect("sent");
    // The same event again (same id): handled once.
    producer
        .send_with(&order("first"), first.clone())
        .await
        .expect("sent");
    // A message that is not an event of this schema.
    let mut poison_headers = producer.envelope().headers();
    poison_headers.retain(|(name, _)| name != "ce_schemaid");
    transport
        .publish(Message {
            subject: subject.to_owned(),
            headers: poison_headers,
            payload: vec![9, 9, 9],
        })
        .await
        .expect("published");
    producer
        .send(&order("last"), "customer-1")
        .await
        .expect("sent");

    let calls = consume_until(&transport, subject, "billing", "last").await;
    assert_eq!(
        calls,
        [
            "first", "flaky", "flaky", "flaky", "broken", "broken", "broken", "last"
        ],
        "retries in place, order kept, the duplicate skipped"
    );
    let dead = dead_letters().await;
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert_eq!(
        dead[0].header(ERROR_HEADER),
        Some("the handler always fails")
    );
    assert_eq!(dead[0].header(DELIVERIES_HEADER), Some("3"));
    assert_eq!(dead[0].header("ce_id"), Some(broken.id.as_str()));
    assert!(
        dead[1]
            .header(ERROR_HEADER)
            .is_some_and(|e| e.starts_with("undecodable: ")),
        "{:?}",
        dead[1]
    );
    assert_eq!(dead[1].payload, vec![9, 9, 9]);

    // A durable consumer resumes after what it acknowledged.
    producer
        .send(&order("later"), "customer-2")
        .await
        .expect("sent");
    let resumed = consume_until(&transport, subject, "billing", "later").await;
    assert_eq!(resumed, ["later"]);
    // Another durable consumer starts from the beginning.
    let fresh = consume_until(&transport, subject, "audit", "later").await;
    assert_eq!(fresh.first().map(String::as_str), Some("first"));
}

#[tokio::test]
async fn events_over_the_memory_transport() {
    let transport = MemoryTransport::new();
    let reader = transport.clone();
    exercise(transport, "orders.created", || {
        let reader = reader.clone();
        async move { reader.published("dead-letter.orders.created") }
    })
    .await;
}

/// A name no other test run uses.
fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}

/// The first `count` messages on `subject`, read by a durable consumer of
/// its own (and acknowledged).
async fn read_messages<Tr: Transport>(transport: &Tr, subject: &str, count: usize) -> Vec<Message> {
    let mut deliveries = transport
        .subscribe(subject, "dead-letter-reader")
        .await
        .expect("subscribed");
    let mut found = Vec::new();
    while found.len() < count {
        let next = tokio::time::timeout(Duration::from_secs(10), deliveries.next())
            .await
            .expect("dead letters arrive")
            .expect("stream open")
            .expect("delivery");
        found.push(next.message().clone());
        next.ack().await.expect("acked");
    }
    found
}

#[tokio::test]
async fn events_over_nats_jetstream() {
    let unique = unique();
    let (stream, subject) = (
        format!("HERALD_TEST_{unique}"),
        format!("herald-test-{unique}.orders"),
    );
    let dead_letter = format!("dead-letter.{subject}");
    let transport =
        JetStreamTransport::connect("nats://127.0.0.1:4222", &stream, &[&subject, &dead_letter])
            .await
            .expect("NATS JetStream on 127.0.0.1:4222");
    let reader = transport.clone();
    exercise(transport.clone(), &subject, || {
        let (reader, dead_letter) = (reader.clone(), dead_letter.clone());
        async move { read_messages(&reader, &dead_letter, 2).await }
    })
    .await;
    transport.delete_stream().await.expect("stream deleted");
}

#[tokio::test]
async fn events_over_redis_streams() {
    let subject = "orders.created";
    let dead_letter = format!("dead-letter.{subject}");
    let transport = RedisTransport::connect(
        "redis://127.0.0.1:6379",
        &format!("herald-test-{}:", unique()),
    )
    .await
    .expect("Redis on 127.0.0.1:6379");
    let reader = transport.clone();
    exercise(transport.clone(), subject, || {
        let (reader, dead_letter) = (reader.clone(), dead_letter.clone());
        async move { read_messages(&reader, &dead_letter, 2).await }
    })
    .await;
    transport
        .delete(&[subject, &dead_letter])
        .await
        .expect("streams deleted");
}

#[tokio::test]
async fn redis_entries_a_crashed_consumer_left_pending_are_claimed_with_their_count() {
    let subject = "orders.created";
    let transport = RedisTransport::connect(
        "redis://127.0.0.1:6379",
        &format!("herald-test-{}:", unique()),
    )
    .await
    .expect("Redis on 127.0.0.1:6379")
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
