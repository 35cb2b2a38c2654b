//! `POST /compatibility/subjects/{subject}/versions[/{version}]`.

use serde_json::json;

use crate::support::{TestServer, record};

fn v(fields: &str) -> String {
    record("C", fields)
}

#[tokio::test]
async fn compatible_and_incompatible_verdicts() {
    let server = TestServer::start().await;
    server
        .register_ok("c", &v(r#"{"name":"a","type":"int"}"#))
        .await;
    let widened = json!({"schema": v(r#"{"name":"a","type":"long"}"#)});
    let narrowed = json!({"schema": v(r#"{"name":"a","type":"string"}"#)});
    for path in [
        "/compatibility/subjects/c/versions/latest",
        "/compatibility/subjects/c/versions",
        "/compatibility/subjects/c/versions/1",
    ] {
        let ok = server.post(path, widened.clone()).await;
        assert_eq!(
            (ok.status, ok.body.clone()),
            (200, json!({"is_compatible": true})),
            "{path}"
        );
        let bad = server.post(path, narrowed.clone()).await;
        assert_eq!(
            bad.body,
            json!({"is_compatible": false}),
            "{path}: messages only with verbose"
        );
    }
    // Nothing was registered.
    assert_eq!(server.get("/subjects/c/versions").await.body, json!([1]));
    server.stop().await;
}

#[tokio::test]
async fn verbose_lists_findings_old_version_schema_and_level() {
    let server = TestServer::start().await;
    server
        .register_ok("c", &v(r#"{"name":"a","type":"int"}"#))
        .await;
    let reply = server
        .post(
            "/compatibility/subjects/c/versions/latest?verbose=true",
            json!({"schema": v(r#"{"name":"a","type":"boolean"}"#)}),
        )
        .await;
    assert_eq!(reply.body["is_compatible"], false);
    let messages: Vec<&str> = reply.body["messages"]
        .as_array()
        .map(|m| m.iter().filter_map(|s| s.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        messages[0].starts_with("{errorType:'TYPE_MISMATCH'"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("/fields/0/type"), "{}", messages[0]);
    assert_eq!(messages[1], "{oldSchemaVersion: 1}");
    assert!(messages[2].starts_with("{oldSchema: '"), "{}", messages[2]);
    assert_eq!(messages[3], "{compatibility: 'BACKWARD'}");
    let compatible = server
        .post(
            "/compatibility/subjects/c/versions/latest?verbose=true",
            json!({"schema": v(r#"{"name":"a","type":"long"}"#)}),
        )
        .await;
    assert_eq!(compatible.body, json!({"is_compatible": true}));
    server.stop().await;
}

#[tokio::test]
async fn a_specific_version_is_judged_alone() {
    let server = TestServer::start().await;
    server
        .put("/config/c", json!({"compatibility": "NONE"}))
        .await;
    server
        .register_ok("c", &v(r#"{"name":"a","type":"string"}"#))
        .await;
    server
        .register_ok("c", &v(r#"{"name":"a","type":"int"}"#))
        .await;
    server
        .put("/config/c", json!({"compatibility": "BACKWARD"}))
        .await;
    let long = json!({"schema": v(r#"{"name":"a","type":"long"}"#)});
    assert_eq!(
        server
            .post("/compatibility/subjects/c/versions/2", long.clone())
            .await
            .body["is_compatible"],
        true
    );
    assert_eq!(
        server
            .post("/compatibility/subjects/c/versions/1", long)
            .await
            .body["is_compatible"],
        false
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_subjects_versions_and_bad_input() {
    let server = TestServer::start().await;
    let schema = json!({"schema": v(r#"{"name":"a","type":"int"}"#)});
    // latest (or the level's check) on an unknown subject: nothing to break.
    assert_eq!(
        server
            .post(
                "/compatibility/subjects/new/versions/latest",
                schema.clone()
            )
            .await
            .body["is_compatible"],
        true
    );
    assert_eq!(
        server
            .post("/compatibility/subjects/new/versions", schema.clone())
            .await
            .body["is_compatible"],
        true
    );
    server
        .post("/compatibility/subjects/new/versions/1", schema.clone())
        .await
        .assert_error(40401);
    server
        .register_ok("c", &v(r#"{"name":"a","type":"int"}"#))
        .await;
    server
        .post("/compatibility/subjects/c/versions/5", schema.clone())
        .await
        .assert_error(40402);
    server
        .post("/compatibility/subjects/c/versions/0", schema)
        .await
        .assert_error(42202);
    server
        .post(
            "/compatibility/subjects/c/versions/latest",
            json!({"schema": "{nope"}),
        )
        .await
        .assert_error(42201);
    server.stop().await;
}
