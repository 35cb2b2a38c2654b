//! herald-client against the real server over both of its transports, REST
//! and gRPC: the same calls give the same answers and the same errors.

use herald_client::registry::{RegisteredSchema, RegistryClient as HeraldClient, RegistryError};

use crate::support::TestServer;

fn avro(text: &str) -> RegisteredSchema {
    RegisteredSchema {
        schema: text.to_owned(),
        schema_type: "AVRO".to_owned(),
        references: Vec::new(),
    }
}

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const BREAKING: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}"#;

/// Drives one client through every call under `subject`; returns what the
/// caller compares across transports.
async fn exercise(client: &HeraldClient, subject: &str) -> (u32, u32, Vec<String>) {
    let first = client.register(subject, &avro(V1)).await.expect("v1");
    let second = client.register(subject, &avro(V2)).await.expect("v2");
    assert_ne!(first, second);
    assert_eq!(
        client.register(subject, &avro(V1)).await.expect("again"),
        first,
        "an identical schema keeps its id"
    );
    // A fresh client so the answer comes from the server, not the cache.
    let by_id = client
        .clone()
        .with_retries(0)
        .schema_by_id(first)
        .await
        .expect("by id");
    assert_eq!(by_id.schema, V1);
    assert_eq!(by_id.schema_type, "AVRO");
    let version = client.version(subject, 1).await.expect("version 1");
    assert_eq!((version.version, version.id), (1, first));
    let latest = client.latest(subject).await.expect("latest");
    assert_eq!(
        (latest.version, latest.id, latest.schema.schema.as_str()),
        (2, second, V2)
    );
    let found = client.lookup(subject, &avro(V2)).await.expect("lookup");
    assert_eq!((found.subject.as_str(), found.version), (subject, 2));

    let (compatible, messages) = client
        .compatibility(subject, &avro(BREAKING))
        .await
        .expect("judged");
    assert!(!compatible);
    assert!(messages.iter().any(|m| m.contains("email")), "{messages:?}");
    let (compatible, messages) = client
        .compatibility(subject, &avro(V2))
        .await
        .expect("judged");
    assert!(compatible, "{messages:?}");

    assert_eq!(
        client
            .compatibility_level(Some(subject))
            .await
            .expect("level"),
        "BACKWARD"
    );
    client
        .set_compatibility_level(subject, "FULL")
        .await
        .expect("set");
    assert_eq!(
        client
            .compatibility_level(Some(subject))
            .await
            .expect("level"),
        "FULL"
    );
    assert_eq!(
        client.compatibility_level(None).await.expect("global"),
        "BACKWARD"
    );

    let missing = client
        .version("no-such-subject", 1)
        .await
        .expect_err("unknown subject");
    let RegistryError::Api {
        status, error_code, ..
    } = missing
    else {
        panic!("an API error, got {missing:?}");
    };
    assert_eq!((status, error_code), (404, 40401));
    let refused = client
        .register(subject, &avro(BREAKING))
        .await
        .expect_err("incompatible");
    let RegistryError::Api { error_code, .. } = refused else {
        panic!("an API error, got {refused:?}");
    };
    let invalid = client
        .register(subject, &avro("{not json"))
        .await
        .expect_err("invalid");
    let RegistryError::Api {
        error_code: invalid_code,
        ..
    } = invalid
    else {
        panic!("an API error, got {invalid:?}");
    };
    (
        first,
        second,
        vec![error_code.to_string(), invalid_code.to_string()],
    )
}

#[tokio::test]
async fn grpc_and_rest_transports_agree() {
    let server = TestServer::start().await;
    let rest = HeraldClient::new(&server.base);
    let grpc = HeraldClient::grpc(&server.grpc_base).expect("a URI");
    let over_rest = exercise(&rest, "rest-orders").await;
    let over_grpc = exercise(&grpc, "grpc-orders").await;
    assert_eq!(over_rest.2, ["40901", "42201"]);
    assert_eq!(over_grpc.2, over_rest.2);
    // One registry: the same schemas got the same ids whichever way they came.
    assert_eq!((over_grpc.0, over_grpc.1), (over_rest.0, over_rest.1));
    server.stop().await;
}

#[tokio::test]
async fn grpc_transport_on_its_own_port() {
    let server = TestServer::start_with_grpc_port().await;
    let grpc = HeraldClient::grpc(&server.grpc_base).expect("a URI");
    let id = grpc
        .register("orders", &avro(V1))
        .await
        .expect("registered");
    let rest = HeraldClient::new(&server.base);
    assert_eq!(rest.schema_by_id(id).await.expect("by id").schema, V1);
    server.stop().await;
}

#[tokio::test]
async fn grpc_transport_reports_an_unreachable_registry() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let grpc = HeraldClient::grpc(&format!("http://{address}"))
        .expect("a URI")
        .with_retries(1);
    let error = grpc.schema_by_id(1).await.expect_err("nothing listens");
    assert!(matches!(error, RegistryError::Unreachable(_)), "{error:?}");
    assert!(HeraldClient::grpc("not a uri at all").is_err());
}
