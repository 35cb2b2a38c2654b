//! Reading a record's key with a plain librdkafka consumer, to check what
//! the Kafka transport wrote.

use std::time::Duration;

use rdkafka::Message as _;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer as _, StreamConsumer};

/// The key of the first record of `topic` on the brokers `bootstrap`.
pub async fn record_key(bootstrap: &str, topic: &str) -> Option<String> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "herald-test-key-reader")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    consumer.subscribe(&[topic]).expect("subscribed");
    let record = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
        .await
        .expect("a record in time")
        .expect("a record");
    record
        .key()
        .map(|key| String::from_utf8_lossy(key).into_owned())
}
