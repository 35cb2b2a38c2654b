//! What the typed path costs: codec serialisation against plain
//! apache-avro / prost / serde_json encoding of the same value; publishing
//! through a typed `Producer` against each broker's raw client publishing
//! the same bytes (JetStream, Kafka on a Tansu broker, Redis Streams,
//! RabbitMQ); and consumer throughput with 1 and 16 events in flight. Run
//! with `cargo bench -p herald-client --bench typed` (the machine's
//! brokers, `HERALD_TANSU` naming Tansu); figures go to docs/benchmarks.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apache_avro::writer::datum::GenericDatumWriter;
use herald_client::codec::Serializer;
use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::codec::json::JsonCodec;
use herald_client::codec::protobuf::ProtobufCodec;
use herald_client::consumer::{Consumer, ConsumerConfig, Event};
use herald_client::core::ParseLimits;
use herald_client::core::json::JsonSchema;
use herald_client::producer::Producer;
use herald_client::transport::Transport;
use herald_client::transport::kafka::KafkaTransport;
use herald_client::transport::memory::MemoryTransport;
use herald_client::transport::nats::JetStreamTransport;
use herald_client::transport::rabbitmq::RabbitTransport;
use herald_client::transport::redis::RedisTransport;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

const ORDER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"customer","type":"string"},{"name":"cents","type":"long"},{"name":"note","type":["null","string"],"default":null},{"name":"skus","type":{"type":"array","items":"string"}}]}"#;
const ORDER_JSON: &str = r#"{"type":"object","properties":{"id":{"type":"string"},"customer":{"type":"string"},"cents":{"type":"integer","minimum":0},"note":{"type":["string","null"]},"skus":{"type":"array","items":{"type":"string"}}},"required":["id","customer","cents","skus"]}"#;

/// The order as the consumer reads it.
#[derive(Deserialize)]
struct OrderValue {
    #[allow(dead_code)]
    id: String,
}

#[derive(Serialize)]
struct Order {
    id: String,
    customer: String,
    cents: i64,
    note: Option<String>,
    skus: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct OrderMessage {
    #[prost(string, tag = "1")]
    id: String,
    #[prost(string, tag = "2")]
    customer: String,
    #[prost(int64, tag = "3")]
    cents: i64,
    #[prost(string, optional, tag = "4")]
    note: Option<String>,
    #[prost(string, repeated, tag = "5")]
    skus: Vec<String>,
}

fn order() -> Order {
    Order {
        id: "o-123456".to_owned(),
        customer: "c-42".to_owned(),
        cents: 129_900,
        note: Some("leave at the door".to_owned()),
        skus: vec!["sku-1".to_owned(), "sku-2".to_owned(), "sku-3".to_owned()],
    }
}

/// Nanoseconds per call of `f`, over `runs` calls after a warm-up.
fn per_call(runs: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..runs / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(runs)
}

fn report(name: &str, typed: f64, plain: f64) {
    println!(
        "{name:<10} typed {typed:>8.0} ns/value   plain {plain:>8.0} ns/value   {:.2}x",
        typed / plain
    );
}

fn codecs() {
    const RUNS: u32 = 200_000;
    let value = order();
    let schema = Arc::new(AvroSchemaSet::parse(ORDER, &[]).expect("schema"));
    let avro: AvroCodec<Order> = AvroCodec::new(schema.clone(), 1);
    let typed = per_call(RUNS, || {
        black_box(avro.serialize(black_box(&value)).expect("serialized"));
    });
    let plain = per_call(RUNS, || {
        let writer = GenericDatumWriter::builder(schema.schema())
            .build()
            .expect("writer");
        black_box(writer.write_ser_to_vec(black_box(&value)).expect("written"));
    });
    report("avro", typed, plain);

    let message = OrderMessage {
        id: value.id.clone(),
        customer: value.customer.clone(),
        cents: value.cents,
        note: value.note.clone(),
        skus: value.skus.clone(),
    };
    let protobuf: ProtobufCodec<OrderMessage> = ProtobufCodec::new(2, vec![0]);
    let typed = per_call(RUNS, || {
        black_box(protobuf.serialize(black_box(&message)).expect("serialized"));
    });
    let plain = per_call(RUNS, || {
        black_box(prost::Message::encode_to_vec(black_box(&message)));
    });
    report("protobuf", typed, plain);

    let json_schema = JsonSchema::parse(ORDER_JSON, &[], ParseLimits::default()).expect("schema");
    let json: JsonCodec<Order> = JsonCodec::new(Arc::new(json_schema), 3);
    let typed = per_call(RUNS, || {
        black_box(json.serialize(black_box(&value)).expect("serialized"));
    });
    let unvalidated: JsonCodec<Order> = JsonCodec::new(
        Arc::new(JsonSchema::parse(ORDER_JSON, &[], ParseLimits::default()).expect("schema")),
        3,
    )
    .validating(false);
    let typed_unvalidated = per_call(RUNS, || {
        black_box(
            unvalidated
                .serialize(black_box(&value))
                .expect("serialized"),
        );
    });
    let plain = per_call(RUNS, || {
        black_box(serde_json::to_vec(black_box(&value)).expect("serialized"));
    });
    report("json", typed, plain);
    report("json (no validation)", typed_unvalidated, plain);
}

const EVENTS: u32 = 5_000;

fn rate(elapsed: Duration) -> f64 {
    f64::from(EVENTS) / elapsed.as_secs_f64()
}

fn report_publishing(broker: &str, typed: Duration, raw: Duration) {
    println!(
        "{broker:<10} typed {:>8.0} events/s   raw {:>8.0} events/s   {:.2}x  ({EVENTS} sequential publishes, each awaiting the broker's acknowledgement)",
        rate(typed),
        rate(raw),
        rate(typed) / rate(raw)
    );
}

/// How long `EVENTS` sequential typed publishes of the order take.
async fn typed_publishing<Tr: Transport>(
    transport: &Tr,
    subject: &str,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let producer = Producer::new(
        transport.clone(),
        AvroCodec::<Order>::new(Arc::new(AvroSchemaSet::parse(ORDER, &[])?), 1),
        subject,
        "/bench",
        "orders-value",
    );
    let value = order();
    let start = Instant::now();
    for _ in 0..EVENTS {
        producer.send(&value, "c-42").await?;
    }
    Ok(start.elapsed())
}

/// The order's payload bytes, as the raw clients send them.
fn payload() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let schema = Arc::new(AvroSchemaSet::parse(ORDER, &[])?);
    Ok(AvroCodec::<Order>::new(schema, 1).serialize(&order())?)
}

async fn nats_publishing() -> Result<(), Box<dyn std::error::Error>> {
    let unique = format!("{}", std::process::id());
    let (stream, subject) = (
        format!("HERALD_BENCH_{unique}"),
        format!("herald-bench-{unique}.orders"),
    );
    let transport =
        JetStreamTransport::connect("nats://127.0.0.1:4222", &stream, &[&subject]).await?;
    let typed = typed_publishing(&transport, &subject).await?;
    let client = async_nats::connect("nats://127.0.0.1:4222").await?;
    let jetstream = async_nats::jetstream::new(client);
    let payload = payload()?;
    let start = Instant::now();
    for _ in 0..EVENTS {
        jetstream
            .publish(subject.clone(), payload.clone().into())
            .await?
            .await?;
    }
    report_publishing("jetstream", typed, start.elapsed());
    transport.delete_stream().await?;
    Ok(())
}

async fn kafka_publishing() -> Result<(), Box<dyn std::error::Error>> {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let broker = herald_testing::tansu::Tansu::start().await;
    let transport = KafkaTransport::connect(&broker.bootstrap())?;
    let typed = typed_publishing(&transport, "orders").await?;
    let raw: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "1")
        .create()?;
    let payload = payload()?;
    let start = Instant::now();
    for _ in 0..EVENTS {
        raw.send(
            FutureRecord::<str, [u8]>::to("orders")
                .key("c-42")
                .payload(&payload),
            Duration::from_secs(30),
        )
        .await
        .map_err(|(error, _)| error)?;
    }
    report_publishing("kafka", typed, start.elapsed());
    Ok(())
}

async fn redis_publishing() -> Result<(), Box<dyn std::error::Error>> {
    let prefix = format!("herald-bench-{}:", std::process::id());
    let transport = RedisTransport::connect("redis://127.0.0.1:6379", &prefix).await?;
    let typed = typed_publishing(&transport, "orders").await?;
    let client = redis::Client::open("redis://127.0.0.1:6379")?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let (payload, key) = (payload()?, format!("{prefix}raw"));
    let start = Instant::now();
    for _ in 0..EVENTS {
        let _: String = redis::cmd("XADD")
            .arg(&key)
            .arg("*")
            .arg("payload")
            .arg(&payload)
            .query_async(&mut connection)
            .await?;
    }
    report_publishing("redis", typed, start.elapsed());
    transport.delete(&["orders", "raw"]).await?;
    Ok(())
}

async fn rabbitmq_publishing() -> Result<(), Box<dyn std::error::Error>> {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    const URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
    let exchange = format!("herald-bench-{}", std::process::id());
    let transport = RabbitTransport::connect(URL, &exchange).await?;
    transport.declare("orders", "bench").await?;
    let typed = typed_publishing(&transport, "orders").await?;
    let properties = lapin::ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio::current());
    let connection = lapin::Connection::connect(URL, properties).await?;
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let payload = payload()?;
    let start = Instant::now();
    for _ in 0..EVENTS {
        channel
            .basic_publish(
                &exchange,
                "orders",
                BasicPublishOptions::default(),
                &payload,
                lapin::BasicProperties::default().with_delivery_mode(2),
            )
            .await?
            .await?;
    }
    report_publishing("rabbitmq", typed, start.elapsed());
    transport.delete().await?;
    Ok(())
}

/// Consumer throughput with a 1 ms handler, 1 and 16 events in flight,
/// over 16 partition keys (the in-memory broker: the consumer's own cost).
async fn consumer_concurrency() {
    const HANDLED: usize = 2_000;
    for concurrency in [1, 16] {
        let transport = MemoryTransport::new();
        let producer = Producer::new(
            transport.clone(),
            AvroCodec::<Order>::new(
                Arc::new(AvroSchemaSet::parse(ORDER, &[]).expect("schema")),
                1,
            ),
            "orders",
            "/bench",
            "orders-value",
        );
        for n in 0..HANDLED {
            producer
                .send(&order(), &format!("key-{}", n % 16))
                .await
                .expect("sent");
        }
        let consumer = Consumer::new(
            transport,
            AvroCodec::<OrderValue>::new(
                Arc::new(AvroSchemaSet::parse(ORDER, &[]).expect("schema")),
                1,
            ),
            "orders",
            ConsumerConfig {
                concurrency,
                ..ConsumerConfig::new("bench")
            },
        );
        let handled = AtomicUsize::new(0);
        let done = Notify::new();
        let handler = async |_: &Event<OrderValue>| -> Result<(), String> {
            tokio::time::sleep(Duration::from_millis(1)).await;
            if handled.fetch_add(1, Ordering::Relaxed) + 1 == HANDLED {
                done.notify_one();
            }
            Ok(())
        };
        let start = Instant::now();
        consumer
            .run(handler, done.notified())
            .await
            .expect("consumed");
        let elapsed = start.elapsed();
        println!(
            "consumer   concurrency {concurrency:>2}: {:>7.0} events/s ({HANDLED} events, 16 keys, 1 ms handler)",
            HANDLED as f64 / elapsed.as_secs_f64()
        );
    }
}

fn main() {
    codecs();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (broker, result) in [
            ("jetstream", nats_publishing().await),
            ("kafka", kafka_publishing().await),
            ("redis", redis_publishing().await),
            ("rabbitmq", rabbitmq_publishing().await),
        ] {
            if let Err(error) = result {
                println!("{broker:<10} failed: {error}");
            }
        }
        consumer_concurrency().await;
    });
}
