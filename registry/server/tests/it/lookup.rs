//! `POST /subjects/{subject}`: is this schema registered under the subject?

use serde_json::json;

use crate::support::{TestServer, evolving};

#[tokio::test]
async fn lookup_finds_the_version_holding_the_schema() {
    let server = TestServer::start().await;
    server.register_ok("l", &evolving("L", 0)).await;
    server.register_ok("l", &evolving("L", 1)).await;
    let found = server
        .post("/subjects/l", json!({"schema": evolving("L", 0)}))
        .await;
    assert_eq!(found.status, 200, "{found:?}");
    assert_eq!(found.body["subject"], "l");
    assert_eq!(found.body["version"], 1);
    assert_eq!(found.body["id"], 1);
    assert_eq!(found.body["schema"], evolving("L", 0));
    // Written differently, still found.
    let respelled =
        r#"{"name":"L","type":"record","fields":[{"type":{"type":"long"},"name":"id"}]}"#;
    assert_eq!(
        server
            .post("/subjects/l", json!({"schema": respelled}))
            .await
            .body["version"],
        1
    );
    server.stop().await;
}

#[tokio::test]
async fn lookup_errors() {
    let server = TestServer::start().await;
    server.register_ok("l", &evolving("L", 0)).await;
    server
        .post("/subjects/none", json!({"schema": evolving("L", 0)}))
        .await
        .assert_error(40401);
    server
        .post("/subjects/l", json!({"schema": evolving("L", 3)}))
        .await
        .assert_error(40403);
    server
        .post("/subjects/l", json!({"schema": "{"}))
        .await
        .assert_error(42201);
    server.stop().await;
}

#[tokio::test]
async fn lookup_sees_soft_deleted_versions_only_when_asked() {
    let server = TestServer::start().await;
    server.register_ok("l", &evolving("L", 0)).await;
    server.register_ok("l", &evolving("L", 1)).await;
    server.delete("/subjects/l/versions/1").await;
    server
        .post("/subjects/l", json!({"schema": evolving("L", 0)}))
        .await
        .assert_error(40403);
    let found = server
        .post(
            "/subjects/l?deleted=true",
            json!({"schema": evolving("L", 0)}),
        )
        .await;
    assert_eq!(found.body["version"], 1);
    server.stop().await;
}
