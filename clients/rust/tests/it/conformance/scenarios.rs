//! The behaviour every transport must show, written once: retries in
//! place, dead letters with reason and count, poison messages, duplicates
//! handled once, order kept, durable resume, a second consumer group from
//! the start, order per key under concurrency, graceful shutdown.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::consumer::{Consumer, ConsumerConfig, DELIVERIES_HEADER, ERROR_HEADER, Event};
use herald_client::producer::Producer;
use herald_client::request::{RequestError, Requester, Responder};
use herald_client::transport::{Delivery, Message, Transport};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

const ORDER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"cents","type":"long"}]}"#;

/// The event the scenarios send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// What the handlers look at.
    pub id: String,
    /// A second field.
    pub cents: i64,
}

/// An order called `id`.
pub fn order(id: &str) -> Order {
    Order {
        id: id.to_owned(),
        cents: 100,
    }
}

/// The codec of [`Order`] (schema id 1).
pub fn codec() -> AvroCodec<Order> {
    AvroCodec::new(
        Arc::new(AvroSchemaSet::parse(ORDER, &[]).expect("schema")),
        1,
    )
}

/// A producer of orders on `subject`.
pub fn producer<Tr: Transport>(
    transport: &Tr,
    subject: &str,
) -> Producer<Order, AvroCodec<Order>, Tr> {
    Producer::new(
        transport.clone(),
        codec(),
        subject,
        "/orders-service",
        "orders-value",
    )
}

/// Quick retries, three attempts.
pub fn config(durable: &str) -> ConsumerConfig {
    ConsumerConfig {
        max_deliveries: 3,
        backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..ConsumerConfig::new(durable)
    }
}

/// Runs a consumer until the event `stop` is handled; returns the ids in
/// the order the handler was called.
pub async fn consume_until<Tr: Transport>(
    transport: &Tr,
    subject: &str,
    durable: &str,
    stop: &str,
) -> Vec<String> {
    let consumer = Consumer::new(transport.clone(), codec(), subject, config(durable));
    let done = Arc::new(Notify::new());
    let flaky_failures = AtomicU32::new(0);
    let calls = Mutex::new(Vec::new());
    let finished = done.clone();
    let handler = async |event: &Event<Order>| -> Result<(), String> {
        calls.lock().expect("calls").push(event.value.id.clone());
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
        Duration::from_secs(60),
        consumer.run(handler, done.notified()),
    )
    .await
    .expect("the consumer finishes")
    .expect("the consumer runs");
    calls.into_inner().expect("calls")
}

/// The first `count` messages on `subject`, read by durable consumer
/// `durable` (and acknowledged).
pub async fn read_messages<Tr: Transport>(
    transport: &Tr,
    subject: &str,
    durable: &str,
    count: usize,
) -> Vec<Message> {
    let mut deliveries = transport
        .subscribe(subject, durable)
        .await
        .expect("subscribed");
    let mut found = Vec::new();
    while found.len() < count {
        let next = tokio::time::timeout(Duration::from_secs(30), deliveries.next())
            .await
            .expect("messages arrive")
            .expect("stream open")
            .expect("delivery");
        found.push(next.message().clone());
        next.ack().await.expect("acked");
    }
    found
}

/// Every scenario, each on its own subject under `prefix`.
pub async fn all<Tr: Transport>(transport: &Tr, prefix: &str) {
    events_are_retried_dead_lettered_deduplicated_and_resumed(
        transport,
        &format!("{prefix}.orders"),
    )
    .await;
    order_is_kept_per_key_under_concurrency(transport, &format!("{prefix}.keyed")).await;
    shutdown_lets_in_flight_work_finish(transport, &format!("{prefix}.shutdown")).await;
    requests_get_their_own_replies(transport, prefix).await;
}

/// Retries, dead letters, poison, duplicates, order, durable resume, a
/// second consumer group reading from the start.
pub async fn events_are_retried_dead_lettered_deduplicated_and_resumed<Tr: Transport>(
    transport: &Tr,
    subject: &str,
) {
    let dead_letter = transport.dead_letter_subject(subject);
    for (on, durable) in [
        (subject, "billing"),
        (subject, "audit"),
        (dead_letter.as_str(), "dead-letter-reader"),
    ] {
        transport.declare(on, durable).await.expect("declared");
    }
    let producer = producer(transport, subject);
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
    poison_headers.push(("ce_subject".to_owned(), "customer-1".to_owned()));
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

    let calls = consume_until(transport, subject, "billing", "last").await;
    assert_eq!(
        calls,
        [
            "first", "flaky", "flaky", "flaky", "broken", "broken", "broken", "last"
        ],
        "retries in place, order kept, the duplicate skipped"
    );
    let dead = read_messages(transport, &dead_letter, "dead-letter-reader", 2).await;
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
    let resumed = consume_until(transport, subject, "billing", "later").await;
    assert_eq!(resumed, ["later"]);
    // Another durable consumer starts from the beginning.
    let fresh = consume_until(transport, subject, "audit", "later").await;
    assert_eq!(fresh.first().map(String::as_str), Some("first"));
}

/// With 8 events handled at once, each key's events are handled in the
/// order they were sent, and different keys did overlap.
pub async fn order_is_kept_per_key_under_concurrency<Tr: Transport>(transport: &Tr, subject: &str) {
    const KEYS: usize = 6;
    const PER_KEY: usize = 15;
    transport.declare(subject, "keyed").await.expect("declared");
    let producer = producer(transport, subject);
    for n in 0..PER_KEY {
        for key in 0..KEYS {
            producer
                .send(&order(&format!("{key}/{n}")), &format!("key-{key}"))
                .await
                .expect("sent");
        }
    }
    let consumer = Consumer::new(
        transport.clone(),
        codec(),
        subject,
        ConsumerConfig {
            concurrency: 8,
            ..config("keyed")
        },
    );
    let seen: Mutex<HashMap<String, Vec<usize>>> = Mutex::default();
    let (in_flight, most_in_flight, handled) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let done = Notify::new();
    let handler = async |event: &Event<Order>| -> Result<(), String> {
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        most_in_flight.fetch_max(now, Ordering::SeqCst);
        let (key, n) = event.value.id.split_once('/').expect("key/n");
        let n: usize = n.parse().expect("n");
        // Later events of a key finish sooner: overtaking would show.
        tokio::time::sleep(Duration::from_millis(
            u64::try_from(PER_KEY - n).unwrap_or(1),
        ))
        .await;
        seen.lock()
            .expect("seen")
            .entry(key.to_owned())
            .or_default()
            .push(n);
        in_flight.fetch_sub(1, Ordering::SeqCst);
        if handled.fetch_add(1, Ordering::SeqCst) + 1 == KEYS * PER_KEY {
            done.notify_one();
        }
        Ok(())
    };
    tokio::time::timeout(
        Duration::from_secs(60),
        consumer.run(handler, done.notified()),
    )
    .await
    .expect("every event handled in time")
    .expect("the consumer runs");
    let seen = seen.into_inner().expect("seen");
    assert_eq!(seen.len(), KEYS);
    for (key, order) in &seen {
        assert_eq!(*order, (0..PER_KEY).collect::<Vec<_>>(), "key {key}");
    }
    assert!(
        most_in_flight.load(Ordering::SeqCst) > 1,
        "different keys were handled in parallel"
    );
}

/// Shutdown while an event is being handled: the handler finishes, the
/// event is acknowledged, and the next run does not see it again.
pub async fn shutdown_lets_in_flight_work_finish<Tr: Transport>(transport: &Tr, subject: &str) {
    transport.declare(subject, "slow").await.expect("declared");
    let producer = producer(transport, subject);
    producer.send(&order("slow"), "k").await.expect("sent");
    let consumer = Consumer::new(transport.clone(), codec(), subject, config("slow"));
    let started = Notify::new();
    let finished = AtomicU32::new(0);
    let handler = async |_: &Event<Order>| -> Result<(), String> {
        started.notify_one();
        tokio::time::sleep(Duration::from_millis(300)).await;
        finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    };
    tokio::time::timeout(
        Duration::from_secs(60),
        consumer.run(handler, started.notified()),
    )
    .await
    .expect("stopped in time")
    .expect("the consumer runs");
    assert_eq!(finished.load(Ordering::SeqCst), 1, "the handler finished");
    producer.send(&order("next"), "k").await.expect("sent");
    let calls = consume_until(transport, subject, "slow", "next").await;
    assert_eq!(calls, ["next"], "the finished event was acknowledged");
}

/// Request-reply: a reply to each request, a timeout for a slow responder
/// whose late reply is then dropped (not taken for the next request's), and
/// a timeout with no responder at all.
pub async fn requests_get_their_own_replies<Tr: Transport>(transport: &Tr, prefix: &str) {
    let (subject, nobody) = (format!("{prefix}.quotes"), format!("{prefix}.nobody"));
    transport
        .declare(&subject, "quoter")
        .await
        .expect("declared");
    transport
        .declare(&nobody, "absent")
        .await
        .expect("declared");
    let requester = Requester::start(
        producer(transport, &subject),
        codec(),
        &format!("{prefix}.replies.{}", std::process::id()),
    )
    .await
    .expect("requester reads replies");
    let responder = Responder::new(
        Consumer::new(transport.clone(), codec(), &subject, config("quoter")),
        producer(transport, ""),
    );
    let stop = Notify::new();
    let answer = async |request: &Event<Order>| -> Result<Order, String> {
        if request.value.id == "slow" {
            tokio::time::sleep(Duration::from_millis(2500)).await;
        }
        Ok(Order {
            id: format!("quote for {}", request.value.id),
            cents: request.value.cents * 2,
        })
    };
    let requests = async {
        let wait = Duration::from_secs(30);
        let first = requester.request(&order("first"), wait).await;
        let slow = requester
            .request(&order("slow"), Duration::from_millis(500))
            .await;
        let fast = requester.request(&order("fast"), wait).await;
        stop.notify_one();
        (first, slow, fast)
    };
    let (served, (first, slow, fast)) =
        tokio::join!(responder.run(answer, stop.notified()), requests);
    served.expect("the responder runs");
    assert_eq!(first.expect("a reply").id, "quote for first");
    assert_eq!(slow, Err(RequestError::Timeout(Duration::from_millis(500))));
    let fast = fast.expect("a reply");
    assert_eq!((fast.id.as_str(), fast.cents), ("quote for fast", 200));
    assert_eq!(
        requester.late_replies(),
        1,
        "the slow reply came late and was dropped"
    );

    let unanswered = Requester::start(
        producer(transport, &nobody),
        codec(),
        &format!("{prefix}.replies.nobody.{}", std::process::id()),
    )
    .await
    .expect("requester reads replies");
    assert_eq!(
        unanswered
            .request(&order("anyone?"), Duration::from_millis(300))
            .await,
        Err(RequestError::Timeout(Duration::from_millis(300)))
    );
}
