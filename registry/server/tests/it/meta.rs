//! Root, types, metadata, health, unknown routes and content types.

use serde_json::json;

use crate::support::{MEDIA_TYPE, TestServer, record};

#[tokio::test]
async fn root_types_and_metadata() {
    let server = TestServer::start().await;
    let root = server.get("/").await;
    assert_eq!((root.status, root.body.clone()), (200, json!({})));
    assert_eq!(root.content_type, MEDIA_TYPE);
    assert_eq!(
        server.get("/schemas/types").await.body,
        json!(["JSON", "PROTOBUF", "AVRO"])
    );
    let id = server.get("/v1/metadata/id").await;
    assert_eq!(id.status, 200);
    assert!(
        id.body["scope"]["clusters"]["schema-registry-cluster"].is_string(),
        "{id:?}"
    );
    let version = server.get("/v1/metadata/version").await;
    assert_eq!(version.body["version"], env!("CARGO_PKG_VERSION"));
    server.stop().await;
}

#[tokio::test]
async fn health_probes_report_live_and_ready() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/healthz").await.status, 200);
    let ready = server.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (200, Some("ok"))
    );
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_description_is_served() {
    let server = TestServer::start().await;
    let description = server.get("/openapi.json").await;
    assert_eq!(description.status, 200);
    assert_eq!(description.content_type, "application/json");
    assert_eq!(description.body["openapi"], "3.1.0");
    let register = &description.body["paths"]["/subjects/{subject}/versions"]["post"];
    assert_eq!(
        register["requestBody"]["content"][MEDIA_TYPE]["schema"]["$ref"],
        "#/components/schemas/SchemaRequest"
    );
    assert!(register["responses"]["409"].is_object(), "{register:#}");
    server.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let server = TestServer::start().await;
    server.get("/no/such/thing").await.assert_error(404);
    server
        .raw(reqwest::Method::PATCH, "/config", None)
        .await
        .assert_error(405);
    server.stop().await;
}

#[tokio::test]
async fn every_accepted_content_type_parses_as_json() {
    let server = TestServer::start().await;
    let body = json!({ "schema": record("A", r#"{"name":"a","type":"int"}"#) }).to_string();
    for content_type in [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ] {
        let reply = server
            .raw(
                reqwest::Method::POST,
                "/subjects/ct/versions",
                Some((content_type, body.clone().into_bytes())),
            )
            .await;
        assert_eq!(
            (reply.status, reply.id()),
            (200, 1),
            "{content_type}: {reply:?}"
        );
        assert_eq!(reply.content_type, MEDIA_TYPE);
    }
    let refused = server
        .raw(
            reqwest::Method::POST,
            "/subjects/ct/versions",
            Some(("text/plain", body.clone().into_bytes())),
        )
        .await;
    refused.assert_error(415);
    // No content type: refused too (a web page could send it cross-origin).
    let bare = server
        .raw(
            reqwest::Method::POST,
            "/subjects/ct/versions",
            Some(("", body.into_bytes())),
        )
        .await;
    bare.assert_error(415);
    server.stop().await;
}
