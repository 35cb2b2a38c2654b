//! Bad input: oversized, deeply nested, malformed, wrongly shaped or not
//! UTF-8. Each gets a clear error and leaves nothing behind.

use herald_server::config::Limits;
use serde_json::json;

use crate::support::{MEDIA_TYPE, TestServer, evolving};

fn nested_arrays(depth: usize) -> String {
    let mut schema = "\"int\"".to_owned();
    for _ in 0..depth {
        schema = format!(r#"{{"type":"array","items":{schema}}}"#);
    }
    schema
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let server = TestServer::start_with_limits(Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    })
    .await;
    let big = evolving("Big", 40);
    assert!(big.len() > 1024);
    server.register("s", &big).await.assert_error(413);
    assert_eq!(
        server.register("s", &evolving("Small", 0)).await.status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn deeply_nested_schemas_are_42201() {
    let server = TestServer::start_with_limits(Limits {
        max_schema_depth: 10,
        ..Limits::default()
    })
    .await;
    assert_eq!(server.register("ok", &nested_arrays(4)).await.status, 200);
    let reply = server.register("deep", &nested_arrays(20)).await;
    reply.assert_error(42201);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nesting depth"),
        "{reply:?}"
    );
    // Far beyond any limit: still an error, not a crash.
    server
        .register("deeper", &nested_arrays(5000))
        .await
        .assert_error(42201);
    assert_eq!(server.get("/subjects").await.body, json!(["ok"]));
    server.stop().await;
}

/// As Confluent's Jackson mappers answer: malformed JSON and wrongly
/// typed fields are 400 (`error_code` 400), no body at all is 422
/// (`error_code` 422); scalars are coerced where Jackson coerces them.
#[tokio::test]
async fn malformed_bodies_are_400_and_missing_ones_422() {
    let server = TestServer::start().await;
    let send = |bytes: Vec<u8>| {
        server.raw(
            reqwest::Method::POST,
            "/subjects/s/versions",
            Some((MEDIA_TYPE, bytes)),
        )
    };
    send(b"{\"schema\": ".to_vec()).await.assert_error(400);
    send(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'])
        .await
        .assert_error(400);
    send(br#"["schema"]"#.to_vec()).await.assert_error(400);
    send(br#"{"schema": {"type": "int"}}"#.to_vec())
        .await
        .assert_error(400);
    send(br#"{"schema": "\"int\"", "version": "one"}"#.to_vec())
        .await
        .assert_error(400);
    send(b"".to_vec()).await.assert_error(422);
    send(b" null ".to_vec()).await.assert_error(422);
    // A number where text is expected is its text: "42" is no schema.
    send(br#"{"schema": 42}"#.to_vec())
        .await
        .assert_error(42201);
    let empty = send(br#"{"schema": ""}"#.to_vec()).await;
    empty.assert_error(42201);
    assert_eq!(empty.body["message"], json!("Empty schema"));
    server
        .put("/config", json!({"compatibility": 3}))
        .await
        .assert_error(42203);
    server.put("/mode", json!({})).await.assert_error(400);
    server
        .put("/config", json!({"normalize": "maybe"}))
        .await
        .assert_error(400);
    // Nothing was written and the server still works.
    assert_eq!(server.get("/subjects").await.body, json!([]));
    assert_eq!(
        server.get("/config").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    assert_eq!(server.register("s", &evolving("S", 0)).await.status, 200);
    server.stop().await;
}

/// Bodies Confluent accepts are accepted: `null` for a list or an optional
/// field, unknown fields, numbers sent as text, booleans as text.
#[tokio::test]
async fn bodies_confluent_accepts_are_accepted() {
    let server = TestServer::start().await;
    let registered = server
        .post(
            "/subjects/s/versions",
            json!({"schema": "\"int\"", "schemaType": null, "references": null,
                   "metadata": null, "somethingNew": {"x": [1, 2]}}),
        )
        .await;
    assert_eq!(registered.status, 200, "{registered:?}");
    assert_eq!(registered.id(), 1);
    // IMPORT with the id and version as text, as Jackson coerces them.
    server
        .put("/mode/imported", json!({"mode": "IMPORT"}))
        .await;
    let imported = server
        .post(
            "/subjects/imported/versions",
            json!({"schema": "\"long\"", "id": "7", "version": "3"}),
        )
        .await;
    assert_eq!(imported.status, 200, "{imported:?}");
    assert_eq!(imported.id(), 7);
    assert_eq!(
        server.get("/subjects/imported/versions").await.body,
        json!([3])
    );
    let config = server
        .put(
            "/config/s",
            json!({"compatibility": "FULL", "normalize": "true"}),
        )
        .await;
    assert_eq!(
        config.body,
        json!({"compatibility": "FULL", "normalize": true})
    );
    server.stop().await;
}

/// `POST /` answers `{}`, a path with a trailing slash is the path without
/// it, a path parameter of the wrong type matches no route (404), and
/// `DELETE /mode` is not a method of `/mode` (405) — each as Confluent.
#[tokio::test]
async fn routes_are_matched_as_confluents_jersey_matches_them() {
    let server = TestServer::start().await;
    let root = server.post("/", json!({"a": "b"})).await;
    assert_eq!((root.status, root.body.clone()), (200, json!({})));
    server.register_ok("s", &evolving("S", 0)).await;
    assert_eq!(server.get("/subjects/").await.body, json!(["s"]));
    assert_eq!(server.get("/subjects/s/versions/").await.body, json!([1]));
    assert_eq!(
        server.get("/subjects/?deleted=true").await.body,
        json!(["s"])
    );
    server.get("/schemas/ids/abc").await.assert_error(404);
    server
        .get("/schemas/ids/abc/versions")
        .await
        .assert_error(404);
    server.delete("/mode").await.assert_error(405);
    assert_eq!(server.get("/mode").await.body, json!({"mode": "READWRITE"}));
    server.stop().await;
}

#[tokio::test]
async fn a_million_levels_of_nesting_in_an_unknown_field_are_skipped_safely() {
    let server = TestServer::start().await;
    let depth = 1_000_000;
    let body = format!(
        r#"{{"schema":"\"int\"","extra":{}1{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let reply = server
        .raw(
            reqwest::Method::POST,
            "/subjects/s/versions",
            Some((MEDIA_TYPE, body.into_bytes())),
        )
        .await;
    assert_eq!((reply.status, reply.id()), (200, 1), "{reply:?}");
    server.stop().await;
}

#[tokio::test]
async fn bad_ids_and_query_parameters() {
    let server = TestServer::start().await;
    for unknown in ["0", "-1", "2147483647"] {
        server
            .get(&format!("/schemas/ids/{unknown}"))
            .await
            .assert_error(40403);
    }
    // Not a Java int: no route matches, as in Confluent.
    for bad in ["abc", "2147483648", "99999999999999999999"] {
        server
            .get(&format!("/schemas/ids/{bad}"))
            .await
            .assert_error(404);
    }
    server.get("/subjects?offset=ten").await.assert_error(400);
    server.stop().await;
}

/// `schemaType` is matched as Confluent matches it: exactly `AVRO`,
/// `PROTOBUF` or `JSON` (absent or `null`: AVRO); `avro` or `""` is an
/// unknown type, 42201.
#[tokio::test]
async fn schema_types_are_matched_exactly() {
    let server = TestServer::start().await;
    for (schema_type, expected) in [
        (json!("AVRO"), 200),
        (json!(null), 200),
        (json!("avro"), 422),
        (json!("Json"), 422),
        (json!(""), 422),
    ] {
        let reply = server
            .post(
                "/subjects/typed/versions",
                json!({"schema": "\"int\"", "schemaType": schema_type}),
            )
            .await;
        assert_eq!(reply.status, expected, "{schema_type}: {reply:?}");
        if expected == 422 {
            reply.assert_error(42201);
        }
    }
    server.stop().await;
}
