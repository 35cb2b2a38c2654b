//! Protobuf schemas over HTTP: registration, dedup, lookup, compatibility,
//! references, well-known imports, and the `serialized` format.

use serde_json::json;

use crate::support::{TestServer, record};

const ORDER: &str = r#"syntax = "proto3";
package shop;

message Order {
  string id = 1;
  int64 cents = 2;
}
"#;

const ORDER_RESPELLED: &str =
    "syntax=\"proto3\"; package shop; message Order { int64 cents = 2; string id = 1; }";

#[tokio::test]
async fn protobuf_registers_dedups_and_looks_up() {
    let server = TestServer::start().await;
    let reply = server
        .register_typed("orders", "PROTOBUF", ORDER, json!([]))
        .await;
    assert_eq!((reply.status, reply.id()), (200, 1), "{reply:?}");
    assert_eq!(reply.body["schemaType"], "PROTOBUF");
    let by_id = server.get("/schemas/ids/1").await;
    assert_eq!(by_id.body["schemaType"], "PROTOBUF");
    assert_eq!(by_id.body["schema"], ORDER);
    // Written differently: the same id under another subject, and lookup finds it.
    assert_eq!(
        server
            .register_typed("orders-copy", "PROTOBUF", ORDER_RESPELLED, json!([]))
            .await
            .id(),
        1
    );
    let found = server
        .post(
            "/subjects/orders",
            json!({"schemaType": "PROTOBUF", "schema": ORDER_RESPELLED}),
        )
        .await;
    assert_eq!(
        (found.status, found.body["version"].as_i64()),
        (200, Some(1)),
        "{found:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn protobuf_compatibility_uses_confluents_diff() {
    let server = TestServer::start().await;
    server
        .register_typed("orders", "PROTOBUF", ORDER, json!([]))
        .await;
    let retyped = ORDER.replace("int64 cents = 2;", "string cents = 2;");
    let reply = server
        .register_typed("orders", "PROTOBUF", &retyped, json!([]))
        .await;
    reply.assert_error(40901);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("FIELD_SCALAR_KIND_CHANGED #/Order/2"),
        "{message}"
    );
    let verbose = server
        .post(
            "/compatibility/subjects/orders/versions/latest?verbose=true",
            json!({"schemaType": "PROTOBUF", "schema": retyped}),
        )
        .await;
    assert_eq!(verbose.body["is_compatible"], false);
    assert!(
        verbose.body["messages"][0]
            .as_str()
            .unwrap_or_default()
            .contains("FIELD_SCALAR_KIND_CHANGED")
    );
    // Adding a field and widening int64 to uint64 are compatible.
    let evolved = ORDER.replace("int64 cents = 2;", "uint64 cents = 2;\n  string note = 3;");
    let reply = server
        .register_typed("orders", "PROTOBUF", &evolved, json!([]))
        .await;
    assert_eq!(
        (reply.status, reply.body["version"].as_i64()),
        (200, Some(2)),
        "{reply:?}"
    );
    // A subject's type cannot change.
    server
        .register_ok(
            "mixed",
            &record("Order", r#"{"name":"id","type":"string"}"#),
        )
        .await;
    server
        .register_typed("mixed", "PROTOBUF", ORDER, json!([]))
        .await
        .assert_error(40901);
    server.stop().await;
}

#[tokio::test]
async fn protobuf_references_and_well_known_imports() {
    let server = TestServer::start().await;
    let money = "syntax = \"proto3\";\npackage money;\nmessage Money { int64 cents = 1; string currency = 2; }\n";
    assert_eq!(
        server
            .register_typed("money", "PROTOBUF", money, json!([]))
            .await
            .id(),
        1
    );
    let order = r#"syntax = "proto3";
package shop;
import "money/money.proto";
import "google/protobuf/timestamp.proto";
import "confluent/meta.proto";
import "confluent/type/decimal.proto";
message Order {
  money.Money total = 1 [(confluent.field_meta).doc = "what the customer pays"];
  google.protobuf.Timestamp placed_at = 2;
  confluent.type.Decimal tax = 3;
}
"#;
    let references = json!([{"name": "money/money.proto", "subject": "money", "version": 1}]);
    let reply = server
        .register_typed("orders", "PROTOBUF", order, references.clone())
        .await;
    assert_eq!((reply.status, reply.id()), (200, 2), "{reply:?}");
    server.assert_references_protect(2, &references).await;
    // Without the reference the import cannot be resolved.
    let missing = server
        .register_typed("orders2", "PROTOBUF", order, json!([]))
        .await;
    missing.assert_error(42201);
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("money/money.proto"),
        "{missing:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn serialized_and_ignore_extensions_formats() {
    let server = TestServer::start().await;
    let with_extension = r#"syntax = "proto3";
package ext;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions { string note = 50001; }
message M { int32 a = 1 [(note) = "x"]; }
"#;
    assert_eq!(
        server
            .register_typed("ext", "PROTOBUF", with_extension, json!([]))
            .await
            .id(),
        1
    );
    let serialized = server.get("/schemas/ids/1?format=serialized").await.body["schema"].clone();
    let serialized = serialized.as_str().unwrap_or_default().to_owned();
    assert!(
        !serialized.is_empty() && !serialized.contains(' ') && !serialized.contains(';'),
        "{serialized}"
    );
    let by_version = server
        .get("/subjects/ext/versions/1?format=serialized")
        .await;
    assert_eq!(by_version.body["schema"], serialized.as_str());
    // Registering the serialized form is the same content: the same id.
    assert_eq!(
        server
            .register_typed("ext-copy", "PROTOBUF", &serialized, json!([]))
            .await
            .id(),
        1
    );
    let stripped = server
        .get("/schemas/ids/1?format=ignore_extensions")
        .await
        .body["schema"]
        .clone();
    let stripped = stripped.as_str().unwrap_or_default();
    assert!(
        !stripped.contains("extend") && !stripped.contains("(.ext.note)"),
        "{stripped}"
    );
    assert!(stripped.contains("int32 a = 1;"), "{stripped}");
    // Avro ignores formats.
    server
        .register_ok("avro", &record("A", r#"{"name":"a","type":"int"}"#))
        .await;
    assert_eq!(
        server.get("/schemas/ids/2?format=serialized").await.body["schema"],
        record("A", r#"{"name":"a","type":"int"}"#)
    );
    server.stop().await;
}

#[tokio::test]
async fn invalid_protobuf_is_42201_with_the_position() {
    let server = TestServer::start().await;
    let reply = server
        .register_typed(
            "bad",
            "PROTOBUF",
            "syntax = \"proto3\";\nmessage M {\n  int32 a = ;\n}\n",
            json!([]),
        )
        .await;
    reply.assert_error(42201);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("schema.proto:3:"),
        "{reply:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn buf_rule_sets_replace_confluents_diff_on_request() {
    let server = TestServer::start().await;
    server
        .register_typed("orders", "PROTOBUF", ORDER, json!([]))
        .await;
    let renamed = ORDER.replace("int64 cents = 2;", "int64 amount = 2;");
    // Confluent's diff accepts a rename.
    let verdict = server
        .post(
            "/compatibility/subjects/orders/versions/latest",
            json!({"schemaType": "PROTOBUF", "schema": renamed}),
        )
        .await;
    assert_eq!(verdict.body["is_compatible"], true);
    // buf's FILE category does not, and says where.
    let set = server
        .put(
            "/config/orders",
            json!({"compatibility": "BACKWARD", "protobufRules": "file"}),
        )
        .await;
    assert_eq!(
        set.body,
        json!({"compatibility": "BACKWARD", "protobufRules": "FILE"})
    );
    assert_eq!(
        server.get("/config/orders").await.body["protobufRules"],
        "FILE"
    );
    let reply = server
        .register_typed("orders", "PROTOBUF", &renamed, json!([]))
        .await;
    reply.assert_error(40901);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("FIELD_SAME_NAME schema.proto:6:9"),
        "{message}"
    );
    assert!(
        message.contains("FIELD_SAME_JSON_NAME schema.proto:6:3"),
        "{message}"
    );
    // WIRE only cares about the wire format: the rename is fine.
    server
        .put("/config/orders", json!({"protobufRules": "WIRE"}))
        .await;
    assert_eq!(
        server.get("/config/orders").await.body["compatibilityLevel"],
        "BACKWARD"
    );
    assert_eq!(
        server
            .register_typed("orders", "PROTOBUF", &renamed, json!([]))
            .await
            .status,
        200
    );
    // ... but not a type change across wire groups.
    let retyped = renamed.replace("int64 amount", "string amount");
    let reply = server
        .register_typed("orders", "PROTOBUF", &retyped, json!([]))
        .await;
    reply.assert_error(40901);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("FIELD_WIRE_COMPATIBLE_TYPE"),
        "{reply:?}"
    );
    // Settings inherit, and bad values are 42203.
    server
        .put("/config", json!({"protobufRules": "WIRE_JSON"}))
        .await;
    assert_eq!(
        server.get("/config/other?defaultToGlobal=true").await.body["protobufRules"],
        "WIRE_JSON"
    );
    server
        .put("/config/orders", json!({"protobufRules": "LOOSE"}))
        .await
        .assert_error(42203);
    server.stop().await;
}
