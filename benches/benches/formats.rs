//! Criterion micro-benchmarks: for each format, parse (which builds the
//! canonical form), normalise, fingerprint, and a BACKWARD check of a large
//! schema against its previous version; and Confluent's wire format with
//! each codec. `cargo bench -p herald-benches --bench formats`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use herald_benches::schemas::{avro_record, json_object, proto_file};
use herald_client::codec::Serializer;
use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::codec::json::JsonCodec;
use herald_client::codec::protobuf::ProtobufCodec;
use herald_client::wire;
use herald_core::json::JsonSchema;
use herald_core::parsed::fingerprint;
use herald_core::protobuf::buf::Category;
use herald_core::{
    CheckRules, CompatibilityLevel, ParseLimits, ParsedSchema, ProtobufRules, SchemaType,
};

fn parse(schema_type: SchemaType, text: &str) -> ParsedSchema {
    ParsedSchema::parse(schema_type, text, &[], ParseLimits::default())
        .unwrap_or_else(|e| panic!("benchmark schema must parse: {e}"))
}

/// Parse, normalise, fingerprint and BACKWARD-check `old` -> `new`.
fn format(c: &mut Criterion, name: &str, schema_type: SchemaType, old: &str, new: &str) {
    let mut group = c.benchmark_group(name);
    group.bench_function("parse + canonicalise", |b| {
        b.iter(|| parse(schema_type, black_box(new)))
    });
    let (old, new) = (parse(schema_type, old), parse(schema_type, new));
    group.bench_function("normalise", |b| {
        b.iter(|| black_box(&new).normalized().len())
    });
    group.bench_function("fingerprint", |b| {
        b.iter(|| fingerprint(schema_type, black_box(new.canonical()), &[]))
    });
    group.bench_function("BACKWARD check", |b| {
        b.iter(|| {
            CompatibilityLevel::Backward.check_pair(
                black_box(&new),
                black_box(&old),
                CheckRules::default(),
            )
        })
    });
    if schema_type == SchemaType::Protobuf {
        let file_rules = CheckRules {
            protobuf: ProtobufRules::Buf(Category::File),
            ..CheckRules::default()
        };
        group.bench_function("BACKWARD check, buf FILE rules", |b| {
            b.iter(|| CompatibilityLevel::Backward.check_pair(&new, &old, file_rules))
        });
    }
    group.finish();
}

fn formats(c: &mut Criterion) {
    format(
        c,
        "avro, 200-field record",
        SchemaType::Avro,
        &avro_record(200, None),
        &avro_record(200, Some("note")),
    );
    format(
        c,
        "protobuf, 200 messages",
        SchemaType::Protobuf,
        &proto_file(200, 0),
        &proto_file(200, 1),
    );
    format(
        c,
        "json, 200 properties",
        SchemaType::Json,
        &json_object(200, None),
        &json_object(200, Some("note")),
    );
}

/// An order, as the codecs carry it.
#[derive(Clone, PartialEq, serde::Serialize, prost::Message)]
struct Order {
    #[prost(string, tag = "1")]
    id: String,
    #[prost(string, tag = "2")]
    customer: String,
    #[prost(int64, tag = "3")]
    cents: i64,
    #[prost(string, repeated, tag = "4")]
    skus: Vec<String>,
}

const ORDER_AVRO: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"customer","type":"string"},{"name":"cents","type":"long"},{"name":"skus","type":{"type":"array","items":"string"}}]}"#;
const ORDER_JSON: &str = r#"{"type":"object","properties":{"id":{"type":"string"},"customer":{"type":"string"},"cents":{"type":"integer"},"skus":{"type":"array","items":{"type":"string"}}},"required":["id","customer","cents","skus"]}"#;

fn wire_format(c: &mut Criterion) {
    let order = Order {
        id: "o-123456".to_owned(),
        customer: "c-42".to_owned(),
        cents: 129_900,
        skus: vec!["sku-1".to_owned(), "sku-2".to_owned()],
    };
    let mut group = c.benchmark_group("wire format");
    let payload = [7_u8; 64];
    group.bench_function("frame 64 bytes (magic byte, id, indexes)", |b| {
        b.iter(|| wire::encode(black_box(42), Some(&[0]), black_box(&payload)))
    });
    let framed = wire::encode(42, Some(&[1, 0]), &payload);
    group.bench_function("unframe", |b| {
        b.iter(|| wire::decode(black_box(&framed), true).map(|f| f.payload.len()))
    });
    let avro: AvroCodec<Order> = AvroCodec::new(
        Arc::new(AvroSchemaSet::parse(ORDER_AVRO, &[]).expect("schema")),
        1,
    );
    group.bench_function("avro serializer", |b| {
        b.iter(|| avro.serialize(black_box(&order)))
    });
    let protobuf: ProtobufCodec<Order> = ProtobufCodec::new(2, vec![0]);
    group.bench_function("protobuf serializer", |b| {
        b.iter(|| protobuf.serialize(black_box(&order)))
    });
    let schema = JsonSchema::parse(ORDER_JSON, &[], ParseLimits::default()).expect("schema");
    let json: JsonCodec<Order> = JsonCodec::new(Arc::new(schema), 3);
    group.bench_function("json serializer (validating)", |b| {
        b.iter(|| json.serialize(black_box(&order)))
    });
    group.finish();
}

/// What a compatibility request costs as its schema grows from about 1 KB
/// to the 1 MiB default limit: parsing the new schema plus a BACKWARD
/// check against the (already parsed) previous version. Near-linear growth
/// is what keeps the size limit a bound on work.
fn cost_by_size(c: &mut Criterion) {
    type Make = fn(usize, bool) -> String;
    let formats: [(&str, SchemaType, Make, [usize; 4]); 3] = [
        (
            "avro",
            SchemaType::Avro,
            |n, next| avro_record(n, next.then_some("note")),
            [20, 200, 2_000, 20_000],
        ),
        (
            "protobuf",
            SchemaType::Protobuf,
            |n, next| proto_file(n, usize::from(next)),
            [5, 50, 500, 4_500],
        ),
        (
            "json",
            SchemaType::Json,
            |n, next| json_object(n, next.then_some("note")),
            [20, 200, 2_000, 18_000],
        ),
    ];
    for (name, schema_type, make, sizes) in formats {
        let mut group = c.benchmark_group(format!("cost by size, {name}"));
        group.sample_size(10);
        for size in sizes {
            let (old, new) = (make(size, false), make(size, true));
            let parsed_old = parse(schema_type, &old);
            group.bench_function(
                format!("{} bytes: parse + BACKWARD check", new.len()),
                |b| {
                    b.iter(|| {
                        let parsed_new = parse(schema_type, black_box(&new));
                        CompatibilityLevel::Backward.check_pair(
                            &parsed_new,
                            &parsed_old,
                            CheckRules::default(),
                        )
                    })
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, formats, wire_format, cost_by_size);
criterion_main!(benches);
