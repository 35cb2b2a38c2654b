//! The codecs write the wire format byte for byte, read it back, refuse
//! bad frames, and resolve Avro schema evolution.

use std::sync::Arc;

use herald_client::codec::avro::{AvroCodec, AvroSchemaSet};
use herald_client::codec::json::JsonCodec;
use herald_client::codec::protobuf::ProtobufCodec;
use herald_client::codec::{CodecError, Deserializer, Serializer};
use herald_client::wire::WireError;
use herald_core::ParseLimits;
use herald_core::json::JsonSchema;
use serde::{Deserialize, Serialize};

const ORDER_V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null},{"name":"currency","type":"string","default":"EUR"}]}"#;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct OrderV1 {
    id: i64,
    note: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct OrderV2 {
    id: i64,
    note: Option<String>,
    currency: String,
}

fn avro(text: &str) -> Arc<AvroSchemaSet> {
    Arc::new(AvroSchemaSet::parse(text, &[]).expect("Avro schema parses"))
}

#[tokio::test]
async fn avro_writes_the_wire_format_and_reads_it_back() {
    let codec: AvroCodec<OrderV1> = AvroCodec::new(avro(ORDER_V1), 7);
    let order = OrderV1 {
        id: 3,
        note: Some("hi".to_owned()),
    };
    let bytes = codec.serialize(&order).expect("serializes");
    // Magic byte, id 7, then the Avro datum: zig-zag 3, union branch 1, "hi".
    assert_eq!(bytes, vec![0, 0, 0, 0, 7, 6, 2, 4, b'h', b'i']);
    assert_eq!(codec.deserialize(&bytes).await, Ok(order));
    assert_eq!(codec.content_type(), "application/avro");
}

#[tokio::test]
async fn avro_resolves_an_old_writer_to_a_new_reader() {
    let old: AvroCodec<OrderV1> = AvroCodec::new(avro(ORDER_V1), 1);
    let written = old
        .serialize(&OrderV1 { id: 9, note: None })
        .expect("serializes");
    let new: AvroCodec<OrderV2> = AvroCodec::new(avro(ORDER_V2), 2).with_writer(1, avro(ORDER_V1));
    assert_eq!(
        new.deserialize(&written).await,
        Ok(OrderV2 {
            id: 9,
            note: None,
            currency: "EUR".to_owned()
        })
    );
    // Without the writer's schema the id is unknown.
    let blind: AvroCodec<OrderV2> = AvroCodec::new(avro(ORDER_V2), 2);
    assert_eq!(
        blind.deserialize(&written).await,
        Err(CodecError::UnknownSchemaId(1))
    );
}

#[tokio::test]
async fn bad_frames_are_refused_with_typed_errors() {
    let codec: AvroCodec<OrderV1> = AvroCodec::new(avro(ORDER_V1), 7);
    assert_eq!(
        codec.deserialize(&[1, 0, 0, 0, 7, 6, 0]).await,
        Err(CodecError::Wire(WireError::WrongMagicByte(1)))
    );
    assert_eq!(
        codec.deserialize(&[0, 0, 0]).await,
        Err(CodecError::Wire(WireError::TooShort(3)))
    );
    let empty = codec.deserialize(&[0, 0, 0, 0, 7]).await;
    assert!(matches!(empty, Err(CodecError::Data(_))), "{empty:?}");
    let trailing = codec.deserialize(&[0, 0, 0, 0, 7, 6, 0, 9, 9]).await;
    assert!(
        matches!(&trailing, Err(CodecError::Data(m)) if m.contains("2 bytes left")),
        "{trailing:?}"
    );
}

/// A prost message, as prost-build would generate it.
#[derive(Clone, PartialEq, prost::Message)]
struct Shipped {
    #[prost(string, tag = "1")]
    id: String,
    #[prost(int64, tag = "2")]
    at: i64,
}

#[tokio::test]
async fn protobuf_frames_carry_the_message_indexes() {
    let first: ProtobufCodec<Shipped> = ProtobufCodec::new(5, vec![0]);
    let shipped = Shipped {
        id: "o".to_owned(),
        at: 1,
    };
    let bytes = first.serialize(&shipped).expect("serializes");
    assert_eq!(bytes, vec![0, 0, 0, 0, 5, 0, 0x0A, 1, b'o', 0x10, 1]);
    assert_eq!(first.deserialize(&bytes).await, Ok(shipped.clone()));
    let nested: ProtobufCodec<Shipped> = ProtobufCodec::new(5, vec![1, 0]);
    let bytes = nested.serialize(&shipped).expect("serializes");
    assert_eq!(&bytes[5..8], &[4, 2, 0], "count 2, then 1 and 0, zig-zag");
    assert_eq!(nested.deserialize(&bytes).await, Ok(shipped));
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Payment {
    id: String,
    cents: i64,
}

#[tokio::test]
async fn json_validates_before_writing() {
    let schema = JsonSchema::parse(
        r#"{"type":"object","properties":{"id":{"type":"string"},"cents":{"type":"integer","minimum":0}},"required":["id","cents"]}"#,
        &[],
        ParseLimits::default(),
    )
    .expect("schema parses");
    let codec: JsonCodec<Payment> = JsonCodec::new(Arc::new(schema), 11);
    let payment = Payment {
        id: "p".to_owned(),
        cents: 5,
    };
    let bytes = codec.serialize(&payment).expect("serializes");
    assert_eq!(&bytes[..5], &[0, 0, 0, 0, 11]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&bytes[5..]).ok(),
        Some(serde_json::json!({"id": "p", "cents": 5}))
    );
    assert_eq!(codec.deserialize(&bytes).await, Ok(payment));
    let negative = Payment {
        id: "p".to_owned(),
        cents: -1,
    };
    let refused = codec.serialize(&negative);
    assert!(
        matches!(&refused, Err(CodecError::Data(message)) if message.contains("/cents")),
        "{refused:?}"
    );
}
