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

#[tokio::test]
async fn malformed_bodies_are_400_and_wrong_shapes_422() {
    let server = TestServer::start().await;
    let send = |bytes: Vec<u8>| {
        server.raw(
            reqwest::Method::POST,
            "/subjects/s/versions",
            Some((MEDIA_TYPE, bytes)),
        )
    };
    send(b"{\"schema\": ".to_vec()).await.assert_error(400);
    send(b"".to_vec()).await.assert_error(400);
    send(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'])
        .await
        .assert_error(400);
    send(br#"{"schema": 42}"#.to_vec()).await.assert_error(422);
    send(br#"["schema"]"#.to_vec()).await.assert_error(422);
    server
        .put("/config", json!({"compatibility": 3}))
        .await
        .assert_error(422);
    server.put("/mode", json!({})).await.assert_error(422);
    // Nothing was written and the server still works.
    assert_eq!(server.get("/subjects").await.body, json!([]));
    assert_eq!(
        server.get("/config").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    assert_eq!(server.register("s", &evolving("S", 0)).await.status, 200);
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
    for bad in ["0", "-1", "abc", "99999999999999999999"] {
        server
            .get(&format!("/schemas/ids/{bad}"))
            .await
            .assert_error(40403);
    }
    server.get("/subjects?offset=ten").await.assert_error(400);
    server.stop().await;
}
