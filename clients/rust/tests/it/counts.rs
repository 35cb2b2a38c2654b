//! Producers and consumers count through the `metrics` facade: a recorder
//! installed by the test sees events sent, handled (ok, duplicate, dead
//! lettered), retried and dead-lettered, and every handler call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use herald_client::transport::memory::MemoryTransport;
use herald_client::transport::{Message, Transport};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

use crate::conformance::scenarios;

/// A count that is a counter's value, or a histogram's number of samples.
#[derive(Debug, Default)]
struct Count(AtomicU64);

impl metrics::CounterFn for Count {
    fn increment(&self, value: u64) {
        self.0.fetch_add(value, Ordering::SeqCst);
    }
    fn absolute(&self, value: u64) {
        self.0.store(value, Ordering::SeqCst);
    }
}

impl metrics::HistogramFn for Count {
    fn record(&self, _value: f64) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Every series recorded, by `name{label=value,...}` (labels sorted).
#[derive(Debug, Default)]
struct Recorded(Mutex<HashMap<String, Arc<Count>>>);

impl Recorded {
    fn count(&self, key: &Key) -> Arc<Count> {
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        let series = format!("{}{{{}}}", key.name(), labels.join(","));
        let mut all = self.0.lock().expect("series");
        all.entry(series).or_default().clone()
    }

    fn value(&self, series: &str) -> u64 {
        let all = self.0.lock().expect("series");
        all.get(series)
            .map_or(0, |count| count.0.load(Ordering::SeqCst))
    }
}

impl Recorder for &'static Recorded {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.count(key))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.count(key))
    }
}

/// The process's recorder, installed once.
fn recorded() -> &'static Recorded {
    static RECORDED: OnceLock<&'static Recorded> = OnceLock::new();
    RECORDED.get_or_init(|| {
        let recorded: &'static Recorded = Box::leak(Box::default());
        metrics::set_global_recorder(recorded).expect("the only recorder");
        recorded
    })
}

#[tokio::test]
async fn producers_and_consumers_count_what_they_do() {
    let recorded = recorded();
    let transport = MemoryTransport::new();
    let subject = format!("counted-{}", uuid::Uuid::new_v4().simple());
    let dead_letter = transport.dead_letter_subject(&subject);
    for (on, durable) in [(subject.as_str(), "billing"), (dead_letter.as_str(), "dlq")] {
        transport.declare(on, durable).await.expect("declared");
    }
    let producer = scenarios::producer(&transport, &subject);
    let first = producer
        .send(&scenarios::order("first"), "k")
        .await
        .expect("sent");
    for id in ["flaky", "broken"] {
        producer
            .send(&scenarios::order(id), "k")
            .await
            .expect("sent");
    }
    producer
        .send_with(&scenarios::order("first"), first)
        .await
        .expect("sent");
    let mut poison = producer.envelope().headers();
    poison.retain(|(name, _)| name != "ce_schemaid");
    let garbage = Message {
        subject: subject.clone(),
        headers: poison,
        payload: vec![9],
    };
    transport.publish(garbage).await.expect("published");
    producer
        .send(&scenarios::order("last"), "k")
        .await
        .expect("sent");
    scenarios::consume_until(&transport, &subject, "billing", "last").await;

    let value = |series: &str| recorded.value(&series.replace("S", &subject));
    assert_eq!(value("herald_client_events_sent_total{subject=S}"), 5);
    let handled = |outcome: &str| {
        value(&format!(
            "herald_client_events_handled_total{{outcome={outcome},subject=S}}"
        ))
    };
    assert_eq!(
        (
            handled("ok"),
            handled("duplicate"),
            handled("dead_lettered")
        ),
        (3, 1, 1)
    );
    assert_eq!(value("herald_client_events_retried_total{subject=S}"), 4);
    let dead = |reason: &str| {
        value(&format!(
            "herald_client_events_dead_lettered_total{{reason={reason},subject=S}}"
        ))
    };
    assert_eq!((dead("handler"), dead("undecodable")), (1, 1));
    // first, flaky three times, broken three times, last.
    assert_eq!(
        value("herald_client_handler_duration_seconds{subject=S}"),
        8
    );
}
