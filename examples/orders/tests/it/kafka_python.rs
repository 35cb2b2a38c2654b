//! The Kafka ecosystem reads Herald's events and Herald reads its: through
//! a Tansu broker and a Herald registry, Confluent's Python client
//! (`interop/confluent-python/kafka_interop.py`) decodes what the generated
//! producers wrote with its AvroDeserializer and ProtobufDeserializer, and
//! writes an order with its AvroSerializer that the generated consumer
//! handles. `scripts/test` installs the client and sets `HERALD_TEST_PYTHON`.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use herald_client::consumer::{ConsumerConfig, Event};
use herald_client::registry::RegistryClient;
use herald_client::transport::kafka::KafkaTransport;
use herald_example_orders::orders_value::{
    Order, OrderPriority, OrdersValueConsumer, OrdersValueProducer, State,
};
use herald_example_orders::services::{sample_order, sample_shipment};
use herald_example_orders::shipments_value::ShipmentsValueProducer;
use herald_testing::tansu::Tansu;
use tokio::sync::Notify;

use super::{register, start_registry};

#[tokio::test(flavor = "multi_thread")]
async fn confluent_python_and_herald_exchange_events_through_kafka() {
    let python = std::env::var("HERALD_TEST_PYTHON").expect(
        "HERALD_TEST_PYTHON names a Python with confluent-kafka (scripts/test installs it)",
    );
    let data = tempfile::tempdir().expect("temporary directory");
    let registry_url = start_registry(data.path()).await;
    let registry = RegistryClient::new(&registry_url);
    register(&registry, "orders-value", "AVRO", "orders.avsc").await;
    register(&registry, "shipments-value", "PROTOBUF", "shipments.proto").await;
    register(&registry, "payments-value", "JSON", "payments.json").await;
    let broker = Tansu::start().await;
    let transport = KafkaTransport::connect(&broker.bootstrap()).expect("Kafka client");

    let order = sample_order("o-1");
    OrdersValueProducer::new(transport.clone(), "orders", "/order-service")
        .send(&order, "c-7")
        .await
        .expect("order sent");
    let shipment = sample_shipment();
    ShipmentsValueProducer::new(transport.clone(), "shipments", "/warehouse")
        .send(&shipment, "c-7")
        .await
        .expect("shipment sent");

    // The consumer subscribes first, which creates its topic.
    let consumer = OrdersValueConsumer::new(
        transport.clone(),
        "orders-from-python",
        ConsumerConfig::new("billing"),
    );
    let handled = Mutex::new(Vec::new());
    let done = Notify::new();
    let handler = async |event: &Event<Order>| -> Result<(), String> {
        handled.lock().expect("handled").push(event.clone());
        done.notify_one();
        Ok(())
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../interop/confluent-python/kafka_interop.py");
    let python_side = async {
        // Give the consumer a moment to create the topic.
        tokio::time::sleep(Duration::from_secs(1)).await;
        tokio::process::Command::new(&python)
            .arg(&script)
            .arg(broker.bootstrap())
            .arg(&registry_url)
            .output()
            .await
            .expect("python runs")
    };
    let (consumed, output) = tokio::join!(
        tokio::time::timeout(
            Duration::from_secs(120),
            consumer.run(handler, done.notified())
        ),
        python_side
    );
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{report}");
    assert!(report.contains("3 passed, 0 failed"), "{report}");
    consumed
        .expect("the order from Python arrives in time")
        .expect("the consumer runs");
    let handled = handled.into_inner().expect("handled");
    let event = &handled[0];
    assert_eq!(event.value.id, "o-py");
    assert_eq!(event.value.customer_id, "c-py");
    assert_eq!(event.value.state, State::Paid);
    assert_eq!(event.value.note.as_deref(), Some("from python"));
    assert_eq!(
        event.value.priority,
        OrderPriority::String("gold".to_owned())
    );
    assert_eq!(event.envelope.source, "/python-checkout");
    assert_eq!(event.envelope.subject, "c-py");
}
