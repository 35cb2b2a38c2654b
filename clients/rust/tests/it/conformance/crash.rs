//! A consumer process killed (SIGKILL) while it handles an event: the
//! broker delivers the event again and the next consumer of the group
//! handles it, once. The test runs itself as the process it kills: with
//! `HERALD_CRASH_CHILD` set, a crash test is that consumer instead.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_client::consumer::{Consumer, Event};
use herald_client::transport::Transport;
use herald_client::transport::kafka::KafkaTransport;
use tokio::sync::Notify;

use super::scenarios::{self, Order};
use herald_testing::tansu::Tansu;

use super::{nats, rabbitmq, redis, unique};

/// What the child prints once it is handling the event.
const HANDLING: &str = "handling the victim";

/// In the child: consume `subject` and hang in the handler, forever.
async fn hang<Tr: Transport>(transport: Tr, subject: &str) {
    let consumer = Consumer::new(
        transport,
        scenarios::codec(),
        subject,
        scenarios::config("crash"),
    );
    let handler = async |_: &Event<Order>| -> Result<(), String> {
        println!("{HANDLING}");
        std::future::pending::<()>().await;
        Ok(())
    };
    let _ = consumer.run(handler, std::future::pending()).await;
}

/// In the parent: publish the victim, run the child (told `setting`, the
/// value its transport is made from) until it handles it, kill it, then
/// consume in this process: the victim is handled once, and so is the
/// event sent after it.
async fn crash_and_recover<Tr: Transport>(
    transport: &Tr,
    subject: &str,
    test: &str,
    setting: &str,
) {
    transport.declare(subject, "crash").await.expect("declared");
    let producer = scenarios::producer(transport, subject);
    producer
        .send(&scenarios::order("victim"), "k")
        .await
        .expect("sent");

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_SUBJECT, subject)
        .env(CHILD_SETTING, setting)
        .stdout(Stdio::piped())
        .spawn()
        .expect("child consumer starts");
    let stdout = child.stdout.take().expect("stdout");
    let handling = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.ends_with(HANDLING))
    });
    let handling = tokio::time::timeout(Duration::from_secs(60), handling)
        .await
        .expect("the child handles the victim in time")
        .expect("joined");
    child.kill().expect("killed");
    child.wait().expect("reaped");
    assert!(handling, "the child reached the handler");

    producer
        .send(&scenarios::order("next"), "k")
        .await
        .expect("sent");
    let consumer = Consumer::new(
        transport.clone(),
        scenarios::codec(),
        subject,
        scenarios::config("crash"),
    );
    let calls = Mutex::new(Vec::new());
    let done = Arc::new(Notify::new());
    let handler = async |event: &Event<Order>| -> Result<(), String> {
        let mut calls = calls.lock().expect("calls");
        calls.push(event.value.id.clone());
        if calls.contains(&"victim".to_owned()) && calls.contains(&"next".to_owned()) {
            done.notify_one();
        }
        Ok(())
    };
    tokio::time::timeout(
        Duration::from_secs(90),
        consumer.run(handler, done.notified()),
    )
    .await
    .expect("the survivor finishes in time")
    .expect("the consumer runs");
    // A redelivery may come after later events (NATS, Redis): order
    // after a crash is not promised, handling once is.
    let mut calls = calls.into_inner().expect("calls");
    calls.sort();
    assert_eq!(calls, ["next", "victim"]);
    producer
        .send(&scenarios::order("marker"), "k")
        .await
        .expect("sent");
    let after = scenarios::consume_until(transport, subject, "crash", "marker").await;
    assert_eq!(after, ["marker"], "nothing was left to handle again");
}

/// Names the subject the child consumes (set only in the child).
const CHILD_SUBJECT: &str = "HERALD_CRASH_CHILD";
/// Names the value the child makes its transport from (a key prefix, a
/// bootstrap address).
const CHILD_SETTING: &str = "HERALD_CRASH_SETTING";

/// When this process is the child: hangs in the handler on the transport
/// `connect` makes from the parent's setting (never returns). Otherwise
/// returns, and the test goes on as the parent.
async fn be_the_child<Tr: Transport>(connect: impl AsyncFnOnce(&str) -> Tr) {
    if let Ok(subject) = std::env::var(CHILD_SUBJECT) {
        let setting = std::env::var(CHILD_SETTING).expect("setting");
        hang(connect(&setting).await, &subject).await;
        unreachable!("the child hangs until it is killed");
    }
}

#[tokio::test]
async fn nats_consumer_killed_mid_handling() {
    let connect = async |prefix: &str| nats(prefix).await.with_ack_wait(Duration::from_secs(1));
    be_the_child(connect).await;
    let prefix = format!("herald-test-{}", unique());
    let transport = connect(&prefix).await;
    let test = "conformance::crash::nats_consumer_killed_mid_handling";
    crash_and_recover(&transport, &format!("{prefix}.crash"), test, &prefix).await;
    transport.delete_stream().await.expect("stream deleted");
}

#[tokio::test]
async fn redis_consumer_killed_mid_handling() {
    let claim_after = Duration::from_millis(500);
    let connect = async |prefix: &str| redis(prefix).await.with_claim_after(claim_after);
    be_the_child(connect).await;
    let prefix = format!("herald-test-{}", unique());
    let transport = connect(&prefix).await;
    let test = "conformance::crash::redis_consumer_killed_mid_handling";
    crash_and_recover(&transport, "orders", test, &prefix).await;
    transport.delete(&["orders"]).await.expect("deleted");
}

#[tokio::test]
async fn rabbitmq_consumer_killed_mid_handling() {
    be_the_child(rabbitmq).await;
    let prefix = format!("herald-test-{}", unique());
    let transport = rabbitmq(&prefix).await;
    let test = "conformance::crash::rabbitmq_consumer_killed_mid_handling";
    crash_and_recover(&transport, "orders", test, &prefix).await;
    transport.delete().await.expect("deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn kafka_consumer_killed_mid_handling() {
    let connect = async |bootstrap: &str| {
        KafkaTransport::connect(bootstrap)
            .expect("Kafka client")
            .with_session_timeout(Duration::from_secs(6))
    };
    be_the_child(connect).await;
    let broker = Tansu::start().await;
    let bootstrap = broker.bootstrap();
    let transport = connect(&bootstrap).await;
    let test = "conformance::crash::kafka_consumer_killed_mid_handling";
    crash_and_recover(&transport, "orders", test, &bootstrap).await;
}
