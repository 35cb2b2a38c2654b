//! What the typed path costs: codec serialisation against plain
//! apache-avro / prost / serde_json encoding of the same value; publishing
//! through a typed `Producer` against each broker's raw client publishing
//! the same bytes (JetStream, Kafka on a Tansu broker, Redis Streams,
//! RabbitMQ); and consumer throughput with 1 and 16 events in flight. Run
//! with `cargo bench -p herald-client --bench typed` (the machine's
//! brokers, `HERALD_TANSU` naming Tansu; arguments pick parts: `codecs`,
//! `producer`, `jetstream`, `kafka`, `redis`, `rabbitmq`, `consumer`);
//! figures go to docs/benchmarks.md.

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

/// Sequential publishes per broker and path, split into alternating rounds.
const EVENTS: u32 = 12_000;
/// Rounds per path: typed first in even rounds, raw first in odd ones, so
/// a machine getting busier or quieter during a run favours neither.
const ROUNDS: u32 = 12;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn rate(elapsed: Duration) -> f64 {
    f64::from(EVENTS) / elapsed.as_secs_f64()
}

/// Times `EVENTS` calls of `typed` and of `raw` in alternating rounds and
/// prints both rates and their ratio.
async fn compare(
    path: &str,
    mut typed: impl AsyncFnMut() -> BenchResult<()>,
    mut raw: impl AsyncFnMut() -> BenchResult<()>,
) -> BenchResult<()> {
    let (mut typed_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
    for round in 0..ROUNDS {
        for typed_turn in [round % 2 == 0, round % 2 == 1] {
            let start = Instant::now();
            for _ in 0..EVENTS / ROUNDS {
                if typed_turn {
                    typed().await?;
                } else {
                    raw().await?;
                }
            }
            *if typed_turn {
                &mut typed_time
            } else {
                &mut raw_time
            } += start.elapsed();
        }
    }
    println!(
        "{path:<20} typed {:>8.0} events/s   raw {:>8.0} events/s   {:.2}x  ({EVENTS} sequential publishes each, {ROUNDS} alternating rounds)",
        rate(typed_time),
        rate(raw_time),
        rate(typed_time) / rate(raw_time)
    );
    Ok(())
}

/// A typed producer of the order on `transport`.
fn typed_producer<Tr: Transport>(
    transport: &Tr,
    subject: &str,
) -> BenchResult<Producer<Order, AvroCodec<Order>, Tr>> {
    Ok(Producer::new(
        transport.clone(),
        AvroCodec::<Order>::new(Arc::new(AvroSchemaSet::parse(ORDER, &[])?), 1),
        subject,
        "/bench",
        "orders-value",
    ))
}

/// The order's payload bytes, as the raw clients send them.
fn payload() -> BenchResult<Vec<u8>> {
    let schema = Arc::new(AvroSchemaSet::parse(ORDER, &[])?);
    Ok(AvroCodec::<Order>::new(schema, 1).serialize(&order())?)
}

/// What the typed producer itself costs per event: publishing to the
/// in-memory broker (envelope, serialisation, headers), no network.
async fn producer_cost() -> BenchResult<()> {
    let transport = MemoryTransport::new();
    let producer = typed_producer(&transport, "orders")?;
    let value = order();
    let start = Instant::now();
    for _ in 0..EVENTS {
        producer.send(&value, "c-42").await?;
    }
    println!(
        "{:<20} {:>8.0} ns/event  (typed producer to the in-memory broker: envelope, serialisation, headers)",
        "producer cost",
        start.elapsed().as_nanos() as f64 / f64::from(EVENTS)
    );
    Ok(())
}

/// JetStream: the raw client publishing the payload alone, and the same
/// message the typed producer sends (the payload with the envelope's
/// headers, made once up front).
async fn nats_publishing() -> BenchResult<()> {
    let unique = format!("{}", std::process::id());
    let (stream, subject) = (
        format!("HERALD_BENCH_{unique}"),
        format!("herald-bench-{unique}.orders"),
    );
    let transport =
        JetStreamTransport::connect("nats://127.0.0.1:4222", &stream, &[&subject]).await?;
    let producer = typed_producer(&transport, &subject)?;
    let jetstream = async_nats::jetstream::new(async_nats::connect("nats://127.0.0.1:4222").await?);
    let (value, payload) = (order(), payload()?);
    let mut headers = async_nats::HeaderMap::new();
    for (name, value) in sample_envelope(&producer).headers() {
        headers.insert(name.as_str(), value.as_str());
    }
    let typed = async || Ok(producer.send(&value, "c-42").await.map(drop)?);
    let raw = async |headers: Option<&async_nats::HeaderMap>| -> BenchResult<()> {
        let published = match headers {
            Some(headers) => {
                jetstream
                    .publish_with_headers(subject.clone(), headers.clone(), payload.clone().into())
                    .await?
            }
            None => {
                jetstream
                    .publish(subject.clone(), payload.clone().into())
                    .await?
            }
        };
        published.await?;
        Ok(())
    };
    let result = match compare("jetstream", typed, async || raw(None).await).await {
        Ok(()) => {
            compare("jetstream (same message)", typed, async || {
                raw(Some(&headers)).await
            })
            .await
        }
        error => error,
    };
    transport.delete_stream().await?;
    result
}

/// The envelope the typed producer sends the order in.
fn sample_envelope<Tr: Transport>(
    producer: &Producer<Order, AvroCodec<Order>, Tr>,
) -> herald_client::envelope::Envelope {
    let mut envelope = producer.envelope();
    envelope.subject = "c-42".to_owned();
    envelope.schema_id = 1;
    envelope.content_type = "application/avro".to_owned();
    envelope
}

async fn kafka_publishing() -> BenchResult<()> {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let broker = herald_testing::tansu::Tansu::start().await;
    let transport = KafkaTransport::connect(&broker.bootstrap())?;
    let producer = typed_producer(&transport, "orders")?;
    let raw: FutureProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "1")
        .create()?;
    let (value, payload) = (order(), payload()?);
    compare(
        "kafka",
        async || Ok(producer.send(&value, "c-42").await.map(drop)?),
        async || {
            raw.send(
                FutureRecord::<str, [u8]>::to("orders")
                    .key("c-42")
                    .payload(&payload),
                Duration::from_secs(30),
            )
            .await
            .map_err(|(error, _)| error)?;
            Ok(())
        },
    )
    .await
}

/// Redis Streams: the raw client adding an entry of the payload alone, and
/// one of the same two fields the typed producer writes (the payload and
/// the envelope's headers, encoded once up front).
async fn redis_publishing() -> BenchResult<()> {
    let prefix = format!("herald-bench-{}:", std::process::id());
    let transport = RedisTransport::connect("redis://127.0.0.1:6379", &prefix).await?;
    let producer = typed_producer(&transport, "orders")?;
    let client = redis::Client::open("redis://127.0.0.1:6379")?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let (value, payload, key) = (order(), payload()?, format!("{prefix}raw"));
    let headers = serde_json::to_vec(&sample_envelope(&producer).headers())?;
    let mut xadd = async |fields: &[(&str, &[u8])]| -> BenchResult<()> {
        let _: String = redis::cmd("XADD")
            .arg(&key)
            .arg("*")
            .arg(fields)
            .query_async(&mut connection)
            .await?;
        Ok(())
    };
    let typed = async || Ok(producer.send(&value, "c-42").await.map(drop)?);
    let result = match compare("redis", typed, async || {
        xadd(&[("payload", &payload)]).await
    })
    .await
    {
        Ok(()) => {
            compare("redis (same entry)", typed, async || {
                xadd(&[("payload", &payload), ("headers", &headers)]).await
            })
            .await
        }
        error => error,
    };
    transport.delete(&["orders", "raw"]).await?;
    result
}

async fn rabbitmq_publishing() -> BenchResult<()> {
    use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
    const URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
    let exchange = format!("herald-bench-{}", std::process::id());
    let transport = RabbitTransport::connect(URL, &exchange).await?;
    transport.declare("orders", "bench").await?;
    let producer = typed_producer(&transport, "orders")?;
    let properties = lapin::ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio::current());
    let connection = lapin::Connection::connect(URL, properties).await?;
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let (value, payload) = (order(), payload()?);
    let result = compare(
        "rabbitmq",
        async || Ok(producer.send(&value, "c-42").await.map(drop)?),
        async || {
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
            Ok(())
        },
    )
    .await;
    transport.delete().await?;
    result
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

/// Whether the part `name` runs: every part without arguments, else the
/// parts named (`cargo bench -p herald-client --bench typed -- redis`).
fn selected(name: &str) -> bool {
    let names: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    names.is_empty() || names.iter().any(|n| n == name)
}

fn main() {
    if selected("codecs") {
        codecs();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        if selected("producer") {
            report_failure("producer", producer_cost().await);
        }
        if selected("jetstream") {
            report_failure("jetstream", nats_publishing().await);
        }
        if selected("kafka") {
            report_failure(
                "kafka",
                match std::env::var_os("HERALD_TANSU") {
                    Some(_) => kafka_publishing().await,
                    None => Err("HERALD_TANSU is not set".into()),
                },
            );
        }
        if selected("redis") {
            report_failure("redis", redis_publishing().await);
        }
        if selected("rabbitmq") {
            report_failure("rabbitmq", rabbitmq_publishing().await);
        }
        if selected("consumer") {
            consumer_concurrency().await;
        }
    });
}

fn report_failure(part: &str, result: BenchResult<()>) {
    if let Err(error) = result {
        println!("{part:<10} failed: {error}");
    }
}
