//! The gRPC API against the real server (same port as HTTP): every call,
//! the error mapping, incompatible registrations with findings in the status
//! details, REST and gRPC sharing one registry, health and reflection.

use herald_server::grpc::pb::registry_client::RegistryClient;
use herald_server::grpc::pb::{self, SchemaType};
use serde_json::json;
use tonic::Code;
use tonic::transport::Channel;

use crate::support::TestServer;

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}"#;

async fn client(server: &TestServer) -> RegistryClient<Channel> {
    RegistryClient::connect(server.base.clone())
        .await
        .expect("gRPC connects to the HTTP port")
}

fn register(subject: &str, schema: &str) -> pb::RegisterRequest {
    pb::RegisterRequest {
        subject: subject.to_owned(),
        schema_type: SchemaType::Avro.into(),
        schema: schema.to_owned(),
        references: Vec::new(),
        normalize: false,
    }
}

#[tokio::test]
async fn every_call_over_grpc() {
    let server = TestServer::start().await;
    let mut grpc = client(&server).await;
    let first = grpc
        .register(register("orders", V1))
        .await
        .expect("registered")
        .into_inner();
    assert_eq!((first.id, first.version), (1, 1));
    let second = grpc
        .register(register("orders", V2))
        .await
        .expect("registered")
        .into_inner();
    assert_eq!((second.id, second.version), (2, 2));
    // Shared with REST.
    assert_eq!(
        server.get("/subjects/orders/versions").await.body,
        json!([1, 2])
    );
    let by_id = grpc
        .get_schema(pb::GetSchemaRequest { id: 1 })
        .await
        .expect("found")
        .into_inner();
    assert_eq!(
        (by_id.schema.as_str(), by_id.schema_type),
        (V1, i32::from(SchemaType::Avro))
    );
    let latest = grpc
        .get_version(pb::GetVersionRequest {
            subject: "orders".to_owned(),
            version: 0,
            include_deleted: false,
        })
        .await
        .expect("found")
        .into_inner();
    assert_eq!((latest.version, latest.schema.map(|s| s.id)), (2, Some(2)));
    let found = grpc
        .lookup(pb::LookupRequest {
            subject: "orders".to_owned(),
            schema_type: SchemaType::Avro.into(),
            schema: V1.to_owned(),
            references: Vec::new(),
        })
        .await
        .expect("found")
        .into_inner();
    assert_eq!(found.version, 1);
    let verdict = grpc
        .check_compatibility(pb::CheckCompatibilityRequest {
            subject: "orders".to_owned(),
            schema_type: SchemaType::Avro.into(),
            schema: BREAKING.to_owned(),
            references: Vec::new(),
            version: 0,
            ..pb::CheckCompatibilityRequest::default()
        })
        .await
        .expect("judged")
        .into_inner();
    assert!(!verdict.compatible);
    assert_eq!(
        verdict.findings[0].rule,
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );
    assert_eq!(verdict.findings[0].old_version, 2);
    assert!(verdict.findings[0].location.is_some());

    for name in ["payments", "shipments"] {
        grpc.register(register(name, V1)).await.expect("registered");
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = grpc
            .list_subjects(pb::ListSubjectsRequest {
                prefix: String::new(),
                page_size: 2,
                page_token: token,
                include_deleted: false,
            })
            .await
            .expect("listed")
            .into_inner();
        seen.extend(page.subjects);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, ["orders", "payments", "shipments"]);
    let versions = grpc
        .list_versions(pb::ListVersionsRequest {
            subject: "orders".to_owned(),
            include_deleted: false,
        })
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(versions.versions, [1, 2]);

    let config = grpc
        .set_config(pb::SetConfigRequest {
            subject: "orders".to_owned(),
            config: Some(pb::Config {
                compatibility: "full".to_owned(),
                ..pb::Config::default()
            }),
        })
        .await
        .expect("set")
        .into_inner();
    assert_eq!(config.compatibility, "FULL");
    let config = grpc
        .get_config(pb::GetConfigRequest {
            subject: "orders".to_owned(),
            default_to_global: false,
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(config.compatibility, "FULL");
    let mode = grpc
        .set_mode(pb::SetModeRequest {
            subject: "payments".to_owned(),
            mode: "READONLY".to_owned(),
            force: false,
        })
        .await
        .expect("set")
        .into_inner();
    assert_eq!(mode.mode, "READONLY");
    let mode = grpc
        .get_mode(pb::GetModeRequest {
            subject: "payments".to_owned(),
            default_to_global: false,
        })
        .await
        .expect("read")
        .into_inner();
    assert_eq!(mode.mode, "READONLY");

    let deleted = grpc
        .delete_version(pb::DeleteVersionRequest {
            subject: "orders".to_owned(),
            version: 1,
            permanent: false,
        })
        .await
        .expect("deleted")
        .into_inner();
    assert_eq!(deleted.version, 1);
    let gone = grpc
        .delete_subject(pb::DeleteSubjectRequest {
            subject: "shipments".to_owned(),
            permanent: false,
        })
        .await
        .expect("deleted")
        .into_inner();
    assert_eq!(gone.versions, [1]);
    assert_eq!(
        server.get("/subjects").await.body,
        json!(["orders", "payments"])
    );
    server.stop().await;
}

#[tokio::test]
async fn errors_map_to_grpc_codes() {
    let server = TestServer::start().await;
    let mut grpc = client(&server).await;
    grpc.register(register("orders", V1))
        .await
        .expect("registered");

    let missing = grpc
        .get_version(pb::GetVersionRequest {
            subject: "nope".to_owned(),
            version: 0,
            include_deleted: false,
        })
        .await
        .expect_err("unknown subject");
    assert_eq!(missing.code(), Code::NotFound);
    assert!(missing.message().starts_with("40401"), "{missing:?}");
    assert_eq!(
        grpc.get_schema(pb::GetSchemaRequest { id: 99 })
            .await
            .expect_err("unknown id")
            .code(),
        Code::NotFound
    );

    let invalid = grpc
        .register(register("orders", "{not avro"))
        .await
        .expect_err("invalid");
    assert_eq!(invalid.code(), Code::InvalidArgument);
    assert!(invalid.message().starts_with("42201"), "{invalid:?}");

    let incompatible = grpc
        .register(register("orders", BREAKING))
        .await
        .expect_err("incompatible");
    assert_eq!(incompatible.code(), Code::FailedPrecondition);
    let details: pb::CheckCompatibilityResponse =
        prost::Message::decode(incompatible.details()).expect("findings in the details");
    assert_eq!(
        details.findings[0].rule,
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );

    let level = grpc
        .set_config(pb::SetConfigRequest {
            subject: "orders".to_owned(),
            config: Some(pb::Config {
                compatibility: "SIDEWAYS".to_owned(),
                ..pb::Config::default()
            }),
        })
        .await
        .expect_err("bad level");
    assert_eq!(level.code(), Code::InvalidArgument);

    grpc.set_mode(pb::SetModeRequest {
        subject: "orders".to_owned(),
        mode: "READONLY".to_owned(),
        force: false,
    })
    .await
    .expect("read-only");
    let refused = grpc
        .register(register("orders", V2))
        .await
        .expect_err("read-only");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().starts_with("42205"), "{refused:?}");

    let bad_type = grpc
        .register(pb::RegisterRequest {
            schema_type: 42,
            ..register("orders", V1)
        })
        .await
        .expect_err("unknown type");
    assert_eq!(bad_type.code(), Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test]
async fn health_and_reflection_are_served() {
    use tonic_health::pb::health_client::HealthClient;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let server = TestServer::start().await;
    let channel = Channel::from_shared(server.base.clone())
        .expect("uri")
        .connect()
        .await
        .expect("connected");
    let mut health = HealthClient::new(channel.clone());
    let mut serving = None;
    for _ in 0..50 {
        let reply = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "herald.registry.v1.Registry".to_owned(),
            })
            .await;
        if let Ok(reply) = reply {
            serving = Some(reply.into_inner().status);
            if serving
                == Some(tonic_health::pb::health_check_response::ServingStatus::Serving.into())
            {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        serving,
        Some(tonic_health::pb::health_check_response::ServingStatus::Serving.into())
    );

    let mut reflection = ServerReflectionClient::new(channel);
    let request = tonic_reflection::pb::v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies = reflection
        .server_reflection_info(futures_stream(request))
        .await
        .expect("reflection answers")
        .into_inner();
    let reply = replies
        .message()
        .await
        .expect("a reply")
        .expect("a message");
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        panic!("unexpected reflection reply");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"herald.registry.v1.Registry".to_owned()),
        "{names:?}"
    );
    server.stop().await;
}

/// A one-message request stream.
fn futures_stream<T: Send + 'static>(item: T) -> impl tokio_stream::Stream<Item = T> {
    tokio_stream::iter([item])
}

/// The next change on a watch stream (within 10 seconds).
pub async fn next_change(stream: &mut tonic::Streaming<pb::Change>) -> pb::Change {
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.message())
        .await
        .expect("a change arrives")
        .expect("the stream is healthy")
        .expect("the stream is open")
}

#[tokio::test]
async fn watchers_see_every_change_once_and_resume() {
    let server = TestServer::start().await;
    let mut grpc = client(&server).await;
    let watch = |after: i64| pb::WatchSubjectsRequest {
        after_sequence: after,
        subject_prefix: "orders".to_owned(),
    };
    let mut stream = grpc
        .watch_subjects(watch(0))
        .await
        .expect("watching")
        .into_inner();
    // Changes made over REST reach the gRPC watcher; other subjects are filtered out.
    server.register_ok("payments", V1).await;
    server.register_ok("orders", V1).await;
    server
        .put("/config/orders", json!({"compatibility": "FULL"}))
        .await;
    server.delete("/subjects/orders/versions/1").await;
    let seen = [
        next_change(&mut stream).await,
        next_change(&mut stream).await,
        next_change(&mut stream).await,
    ];
    let kinds: Vec<pb::ChangeKind> = seen.iter().map(|c| c.kind()).collect();
    assert_eq!(
        kinds,
        [
            pb::ChangeKind::Registered,
            pb::ChangeKind::ConfigChanged,
            pb::ChangeKind::VersionDeleted
        ]
    );
    assert_eq!(
        (seen[0].subject.as_str(), seen[0].version, seen[0].schema_id),
        ("orders", 1, 1)
    );
    assert!(
        seen.windows(2).all(|w| w[0].sequence < w[1].sequence),
        "{seen:?}"
    );
    // Disconnect; changes happen meanwhile; resume from the last sequence seen.
    drop(stream);
    server.register_ok("orders", V2).await;
    server
        .put("/mode/orders", json!({"mode": "READONLY"}))
        .await;
    let last = seen[2].sequence;
    let mut resumed = grpc
        .watch_subjects(watch(last))
        .await
        .expect("watching")
        .into_inner();
    let again = [
        next_change(&mut resumed).await,
        next_change(&mut resumed).await,
    ];
    assert_eq!(again[0].kind(), pb::ChangeKind::Registered);
    assert_eq!(again[0].version, 2);
    assert_eq!(
        again[0].sequence,
        last + 1,
        "nothing missed, nothing repeated"
    );
    assert_eq!(again[1].kind(), pb::ChangeKind::ModeChanged);
    server.stop().await;
}

#[tokio::test]
async fn grpc_on_its_own_port() {
    let server = TestServer::start_with_grpc_port().await;
    assert_ne!(server.grpc_base, server.base);
    let mut grpc = RegistryClient::connect(server.grpc_base.clone())
        .await
        .expect("gRPC connects to its own port");
    let registered = grpc
        .register(register("orders", V1))
        .await
        .expect("registered")
        .into_inner();
    assert_eq!((registered.id, registered.version), (1, 1));
    // REST on the HTTP port sees it; gRPC is no longer served there.
    assert_eq!(server.get("/subjects").await.body, json!(["orders"]));
    let mut on_http_port = client(&server).await;
    let refused = on_http_port
        .get_schema(pb::GetSchemaRequest { id: 1 })
        .await
        .expect_err("no gRPC on the HTTP port");
    assert_ne!(refused.code(), Code::Ok);
    server.stop().await;
}
