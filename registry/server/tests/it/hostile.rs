//! Hostile input: schemas built to exhaust a parser or checker (nesting,
//! reference chains, redefinitions, sizes), NUL bytes and invalid UTF-8,
//! odd subject names, garbage versions, framing abuse and slow clients,
//! and requests a web page on another origin could make. Each batch
//! asserts the status and error code of every answer, then that the
//! server is still healthy.

use std::time::Duration;

use herald_server::config::Limits;
use herald_server::grpc::pb;
use herald_server::grpc::pb::registry_client::RegistryClient;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{MEDIA_TYPE, TestServer, record_of};

/// A JSON Schema whose `$ref`s form a flat chain `links` long.
fn json_ref_chain(links: usize) -> String {
    let mut definitions = serde_json::Map::new();
    for i in 0..links {
        definitions.insert(
            format!("d{i}"),
            json!({ "$ref": format!("#/definitions/d{}", i + 1) }),
        );
    }
    definitions.insert(format!("d{links}"), json!({ "type": "string" }));
    json!({ "$ref": "#/definitions/d0", "definitions": definitions }).to_string()
}

/// A JSON Schema of `levels` objects nested through `properties` (each
/// level a definition, so the JSON itself stays flat).
fn json_nested_objects(levels: usize) -> String {
    let mut definitions = serde_json::Map::new();
    for i in 0..levels {
        definitions.insert(
            format!("d{i}"),
            json!({
                "type": "object",
                "properties": { "a": { "$ref": format!("#/definitions/d{}", i + 1) } }
            }),
        );
    }
    definitions.insert(format!("d{levels}"), json!({ "type": "string" }));
    json!({ "$ref": "#/definitions/d0", "definitions": definitions }).to_string()
}

/// A `.proto` whose aggregate option value nests `depth` messages deep.
fn proto_nested_option(depth: usize) -> String {
    format!(
        "syntax = \"proto3\"; import \"google/protobuf/descriptor.proto\"; \
         message X {{ X a = 1; int32 b = 2; }} \
         extend google.protobuf.FileOptions {{ X x = 50001; }} \
         option (x) = {}b: 1{}; message M {{ int32 f = 1; }}",
        "{ a: ".repeat(depth),
        " }".repeat(depth)
    )
}

/// A union defining the record `P` twice (apache-avro panicked on it).
const AVRO_TWICE: &str = r#"["null","int",{"type":"record","name":"P","fields":[{"name":"x","type":"double","default":1.5}]},{"type":"record","name":"P","fields":[{"name":"x","type":{"type":"record","name":"P","fields":[{"name":"x","type":"double","default":1.5}]},"default":1.5}]}]"#;

/// Sends `schema` of `schema_type` to register, look up and both
/// compatibility endpoints of `subject` (which exists), expecting `code`
/// from each.
async fn everywhere(
    server: &TestServer,
    subject: &str,
    schema_type: &str,
    schema: &str,
    code: i64,
) {
    let body = json!({ "schemaType": schema_type, "schema": schema });
    for path in [
        format!("/subjects/{subject}/versions"),
        format!("/subjects/{subject}"),
        format!("/compatibility/subjects/{subject}/versions"),
        format!("/compatibility/subjects/{subject}/versions/latest"),
    ] {
        let reply = server.post(&path, body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (u16::try_from(code / 100).unwrap_or_default(), code),
            "{path}: {}",
            reply.text.chars().take(300).collect::<String>()
        );
    }
}

async fn assert_healthy(server: &TestServer) {
    let reply = server.get("/healthz").await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[tokio::test]
async fn schemas_built_to_exhaust_parsers_are_42201() {
    let server = TestServer::start().await;
    server
        .register_typed("json", "JSON", r#"{"type":"string"}"#, json!([]))
        .await;
    server
        .register_typed(
            "proto",
            "PROTOBUF",
            "syntax = \"proto3\"; message M { int32 f = 1; }",
            json!([]),
        )
        .await;
    server.register_ok("avro", r#"["null","int"]"#).await;
    everywhere(&server, "json", "JSON", &json_ref_chain(2_000), 42201).await;
    everywhere(&server, "json", "JSON", &json_nested_objects(500), 42201).await;
    everywhere(
        &server,
        "proto",
        "PROTOBUF",
        &proto_nested_option(5_000),
        42201,
    )
    .await;
    everywhere(
        &server,
        "proto",
        "PROTOBUF",
        &proto_nested_option(100),
        42201,
    )
    .await;
    everywhere(&server, "avro", "AVRO", AVRO_TWICE, 42201).await;
    // Nesting far beyond any limit in plain JSON.
    let deep = format!("{}\"int\"{}", "[".repeat(100_000), "]".repeat(100_000));
    everywhere(&server, "avro", "AVRO", &deep, 42201).await;
    assert_healthy(&server).await;
    // Nothing was stored.
    assert_eq!(server.get("/subjects/json/versions").await.body, json!([1]));
    assert_eq!(server.get("/subjects/avro/versions").await.body, json!([1]));
    server.stop().await;
}

#[tokio::test]
async fn schemas_over_the_size_limit_are_42201() {
    let server = TestServer::start_with_limits(Limits {
        max_schema_bytes: 2_000,
        ..Limits::default()
    })
    .await;
    let big = record_of("R", 200, |i| format!(r#"{{"name":"f{i}","type":"int"}}"#));
    let reply = server.register("big", &big).await;
    reply.assert_error(42201);
    assert!(reply.text.contains("limit of 2000 bytes"), "{reply:?}");
    assert_eq!(server.register("small", r#""int""#).await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn work_over_the_time_budget_is_503() {
    let server = TestServer::start_with_limits(Limits {
        schema_work_budget: Duration::ZERO,
        ..Limits::default()
    })
    .await;
    let slow = record_of("R", 2_000, |i| {
        format!(r#"{{"name":"f{i}","type":"string","default":""}}"#)
    });
    let reply = server.register("slow", &slow).await;
    reply.assert_error(50301);
    assert!(reply.text.contains("time budget"), "{reply:?}");
    assert_healthy(&server).await;
    assert_eq!(server.get("/subjects").await.body, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn nul_bytes_and_invalid_utf8_get_the_same_answer_on_every_backend() {
    let server = TestServer::start().await;
    server.register_ok("s", r#""int""#).await;
    server
        .get("/subjects/a%00b/versions")
        .await
        .assert_error(42208);
    // What SQLite answers, PostgreSQL (which cannot compare a NUL) too.
    server.get("/schemas/guids/a%00b").await.assert_error(40403);
    let search = server.get("/ui/?q=%00").await;
    assert_eq!(search.status, 200, "{search:?}");
    assert!(!search.text.contains(">s</a>"), "nothing matches a NUL");
    assert!(server.get("/ui/?q=s").await.text.contains(">s</a>"));
    server
        .get("/subjects?subjectPrefix=%00")
        .await
        .assert_error(42208);
    let body = server
        .post(
            "/subjects/s/versions",
            json!({ "schema": "{\"type\":\"string\",\"doc\":\"a\u{0}b\"}" }),
        )
        .await;
    assert_eq!(body.status, 400, "{body:?}");
    let reference = server
        .post(
            "/subjects/s/versions",
            json!({ "schema": "\"int\"", "references": [{"name": "a\u{0}", "subject": "s", "version": 1}] }),
        )
        .await;
    assert_eq!(reference.status, 400, "{reference:?}");
    let utf8 = server
        .raw(
            reqwest::Method::POST,
            "/subjects/s/versions",
            Some((MEDIA_TYPE, b"{\"schema\":\"\xff\xfe\"}".to_vec())),
        )
        .await;
    assert_eq!(utf8.status, 400, "{utf8:?}");
    assert_healthy(&server).await;
    assert_eq!(server.get("/subjects").await.body, json!(["s"]));
    server.stop().await;
}

#[tokio::test]
async fn odd_subject_names_and_garbage_versions() {
    let server = TestServer::start().await;
    server.register_ok("s", r#""int""#).await;
    let long = "n".repeat(2_000);
    server.register(&long, r#""int""#).await.assert_error(42208);
    for version in ["abc", "-5", "0", "99999999999", "1.5", "latest1"] {
        let reply = server.get(&format!("/subjects/s/versions/{version}")).await;
        reply.assert_error(42202);
    }
    // Blanks around a version are trimmed, as Confluent's VersionId does.
    for version in ["latest%20", "%201"] {
        let reply = server.get(&format!("/subjects/s/versions/{version}")).await;
        assert_eq!(reply.body["version"], 1, "{version}: {reply:?}");
    }
    // The same limit over gRPC: a 1 MB subject name is refused.
    let mut grpc = RegistryClient::connect(server.base.clone())
        .await
        .expect("gRPC connects");
    let refused = grpc
        .register(pb::RegisterRequest {
            subject: "x".repeat(1 << 20),
            schema_type: pb::SchemaType::Avro.into(),
            schema: "\"int\"".to_owned(),
            references: Vec::new(),
            normalize: false,
        })
        .await
        .err();
    assert!(
        refused
            .as_ref()
            .is_some_and(|status| status.code() == tonic::Code::InvalidArgument
                && status.message().starts_with("42208")),
        "{refused:?}"
    );
    // A NUL in a prefix: the same refusal on SQLite and PostgreSQL.
    let listing = grpc
        .list_subjects(pb::ListSubjectsRequest {
            prefix: "a\0".to_owned(),
            ..Default::default()
        })
        .await
        .err();
    assert_eq!(
        listing.map(|s| s.code()),
        Some(tonic::Code::InvalidArgument)
    );
    let watch = grpc
        .watch_subjects(pb::WatchSubjectsRequest {
            after_sequence: 0,
            subject_prefix: "a\0".to_owned(),
        })
        .await;
    let first = match watch {
        Ok(stream) => stream.into_inner().message().await.err(),
        Err(status) => Some(status),
    };
    assert_eq!(first.map(|s| s.code()), Some(tonic::Code::InvalidArgument));
    assert_healthy(&server).await;
    server.stop().await;
}

/// A raw connection to `server`.
async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .expect("connects")
}

/// Reads until the server closes `stream`; returns what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server never closed the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn slow_and_short_requests_are_cut_off_and_do_not_starve_others() {
    let server = TestServer::start_with_limits(Limits {
        request_read_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    // A body shorter than its Content-Length: 408, connection closed.
    let mut short = connect(&server).await;
    short
        .write_all(
            format!(
                "POST /subjects/s/versions HTTP/1.1\r\nHost: localhost\r\nContent-Type: {MEDIA_TYPE}\r\nContent-Length: 100\r\n\r\n{{\"schema\""
            )
            .as_bytes(),
        )
        .await
        .expect("writes");
    let answer = read_to_close(&mut short).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // Many half-sent requests at once: the registry still answers.
    let mut slow = Vec::new();
    for _ in 0..1_200 {
        let mut stream = connect(&server).await;
        stream
            .write_all(b"POST /subjects/s/versions HTTP/1.1\r\nHost: loc")
            .await
            .expect("writes");
        slow.push(stream);
    }
    assert_healthy(&server).await;
    // And frees them once their time is up.
    let answer = read_to_close(&mut slow[0]).await;
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    drop(slow);
    assert_healthy(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn web_pages_on_other_origins_cannot_write() {
    let server = TestServer::start_configured(|config| {
        config.browsers.cors_origins = vec!["https://ui.example".to_owned()];
    })
    .await;
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let client = reqwest::Client::new();
    let post = |host: &str, origin: Option<&str>, content_type: Option<&str>| {
        let mut request = client
            .post(format!("{}/subjects/s/versions", server.base))
            .header("host", host)
            .body(json!({ "schema": "\"int\"" }).to_string());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send()
    };
    let status = |response: reqwest::Result<reqwest::Response>| {
        response.expect("answered").status().as_u16()
    };
    let own = format!("localhost:{port}");
    // DNS rebinding: a foreign name for the loopback address.
    assert_eq!(
        status(post(&format!("evil.example:{port}"), None, Some(MEDIA_TYPE)).await),
        403
    );
    // A no-cors fetch from another origin: no content type, then a form's.
    assert_eq!(
        status(post(&own, Some("https://evil.example"), None).await),
        403
    );
    assert_eq!(
        status(post(&own, Some("https://evil.example"), Some("text/plain")).await),
        403
    );
    // No origin but no JSON content type either: 415.
    assert_eq!(status(post(&own, None, None).await), 415);
    assert_eq!(status(post(&own, None, Some("text/plain")).await), 415);
    assert_eq!(server.get("/subjects").await.body, json!([]));
    // The registry's own origin, and a configured one, may write.
    assert_eq!(
        status(post(&own, Some(&format!("http://{own}")), Some(MEDIA_TYPE)).await),
        200
    );
    let allowed = post(&own, Some("https://ui.example"), Some(MEDIA_TYPE))
        .await
        .expect("answered");
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://ui.example")
    );
    // Preflights: answered for the configured origin only.
    let preflight = |origin: &str| {
        client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/subjects/s/versions", server.base),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let ok = preflight("https://ui.example").await.expect("answered");
    assert_eq!(ok.status().as_u16(), 204);
    assert!(ok.headers().contains_key("access-control-allow-methods"));
    let refused = preflight("https://evil.example").await.expect("answered");
    assert_eq!(refused.status().as_u16(), 403);
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
    let versions: Value = server.get("/subjects/s/versions").await.body;
    assert_eq!(versions, json!([1]));
    server.stop().await;
}
