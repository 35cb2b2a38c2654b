//! What the typed path costs: codec serialisation against plain
//! apache-avro / prost / serde_json encoding of the same value, and
//! JetStream publishing through a typed `Producer` against raw async-nats
//! publishing of the same bytes. Run with
//! `cargo bench -p herald-client --bench typed` (NATS on 127.0.0.1:4222);
//! figures go to docs/benchmarks.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apache_avro::writer::datum::GenericDatumWriter;
use herald_client::codec::Serializer;
use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::codec::json::JsonCodec;
use herald_client::codec::protobuf::ProtobufCodec;
use herald_client::core::ParseLimits;
use herald_client::core::json::JsonSchema;
use herald_client::producer::Producer;
use herald_client::transport::nats::JetStreamTransport;
use serde::Serialize;

const ORDER: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"customer","type":"string"},{"name":"cents","type":"long"},{"name":"note","type":["null","string"],"default":null},{"name":"skus","type":{"type":"array","items":"string"}}]}"#;
const ORDER_JSON: &str = r#"{"type":"object","properties":{"id":{"type":"string"},"customer":{"type":"string"},"cents":{"type":"integer","minimum":0},"note":{"type":["string","null"]},"skus":{"type":"array","items":{"type":"string"}}},"required":["id","customer","cents","skus"]}"#;

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

async fn publishing() -> Result<(), Box<dyn std::error::Error>> {
    const EVENTS: u32 = 5_000;
    let unique = format!("{}", std::process::id());
    let (stream, subject) = (
        format!("HERALD_BENCH_{unique}"),
        format!("herald-bench-{unique}.orders"),
    );
    let transport =
        JetStreamTransport::connect("nats://127.0.0.1:4222", &stream, &[&subject]).await?;
    let schema = Arc::new(AvroSchemaSet::parse(ORDER, &[])?);
    let producer = Producer::new(
        transport.clone(),
        AvroCodec::<Order>::new(schema.clone(), 1),
        &subject,
        "/bench",
        "orders-value",
    );
    let value = order();
    let start = Instant::now();
    for _ in 0..EVENTS {
        producer.send(&value, "c-42").await?;
    }
    let typed = start.elapsed();

    let client = async_nats::connect("nats://127.0.0.1:4222").await?;
    let jetstream = async_nats::jetstream::new(client);
    let payload = AvroCodec::<Order>::new(schema, 1).serialize(&value)?;
    let start = Instant::now();
    for _ in 0..EVENTS {
        jetstream
            .publish(subject.clone(), payload.clone().into())
            .await?
            .await?;
    }
    let raw = start.elapsed();
    let rate = |elapsed: Duration| f64::from(EVENTS) / elapsed.as_secs_f64();
    println!(
        "jetstream  typed {:>8.0} events/s   raw {:>8.0} events/s   {:.2}x  ({EVENTS} sequential publishes, each awaiting its ack)",
        rate(typed),
        rate(raw),
        rate(typed) / rate(raw)
    );
    transport.delete_stream().await?;
    Ok(())
}

fn main() {
    codecs();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(error) = runtime.block_on(publishing()) {
        println!("jetstream  skipped: {error}");
    }
}
