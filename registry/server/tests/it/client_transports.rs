//! herald-client against the real server over both of its transports, REST
//! and gRPC: the same calls give the same answers and the same errors.

use herald_client::registry::{
    CompatibilityOptions, RegisteredSchema, Registration, RegistryClient as HeraldClient,
    RegistryError,
};

use crate::support::TestServer;

fn avro(text: &str) -> RegisteredSchema {
    typed("AVRO", text)
}

fn typed(schema_type: &str, text: &str) -> RegisteredSchema {
    RegisteredSchema {
        schema: text.to_owned(),
        schema_type: schema_type.to_owned(),
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

    let verdict = client
        .compatibility(subject, &avro(BREAKING))
        .await
        .expect("judged");
    assert!(!verdict.compatible);
    let messages = &verdict.messages;
    assert!(messages.iter().any(|m| m.contains("email")), "{messages:?}");
    let [finding] = verdict.findings.as_slice() else {
        panic!("one structured finding: {verdict:?}");
    };
    assert_eq!(
        (finding.rule.as_str(), finding.path.as_str()),
        ("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1")
    );
    assert_eq!(finding.old_schema_version, Some(2));
    let verdict = client
        .compatibility(subject, &avro(V2))
        .await
        .expect("judged");
    assert!(verdict.compatible, "{verdict:?}");
    assert!(verdict.findings.is_empty() && verdict.messages.is_empty());
    let against_first = CompatibilityOptions {
        version: Some(1),
        ..CompatibilityOptions::default()
    };
    let verdict = client
        .check_compatibility(subject, &avro(BREAKING), &against_first)
        .await
        .expect("judged against version 1");
    assert_eq!(verdict.findings[0].old_schema_version, Some(1));
    // As Confluent: nothing to judge against is compatible, but a version
    // of an unknown subject is not found.
    let verdict = client
        .compatibility("no-such-subject", &avro(V1))
        .await
        .expect("judged");
    assert!(verdict.compatible, "{verdict:?}");
    let unknown = client
        .check_compatibility("no-such-subject", &avro(V1), &against_first)
        .await
        .expect_err("no version to judge against");
    assert!(unknown.is_unknown_subject(), "{unknown:?}");

    assert_eq!(
        client
            .register_version(subject, &avro(V2))
            .await
            .expect("again, with its version"),
        Registration {
            id: second,
            version: 2
        }
    );
    let subjects = client.subjects().await.expect("subjects");
    assert!(subjects.iter().any(|s| s == subject), "{subjects:?}");
    assert!(client.subject_exists(subject).await.expect("exists"));
    assert!(
        !client
            .subject_exists("no-such-subject")
            .await
            .expect("does not exist")
    );

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

/// Judges changes that the subject's own rules and the overriding ones
/// disagree on; returns each verdict, for the caller to compare.
async fn exercise_rule_overrides(client: &HeraldClient, prefix: &str) -> Vec<bool> {
    let proto = format!("{prefix}-proto");
    let renamed_field = "syntax = \"proto3\";\nmessage M { string b = 1; }\n";
    client
        .register(
            &proto,
            &typed(
                "PROTOBUF",
                "syntax = \"proto3\";\nmessage M { string a = 1; }\n",
            ),
        )
        .await
        .expect("proto v1");
    let json = format!("{prefix}-json");
    client
        .register(
            &json,
            &typed(
                "JSON",
                r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
            ),
        )
        .await
        .expect("json v1");
    let optional_added =
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}"#;
    let wire_json = CompatibilityOptions {
        protobuf_rules: Some("WIRE_JSON".to_owned()),
        ..CompatibilityOptions::default()
    };
    let lenient = CompatibilityOptions {
        compatibility_policy: Some("LENIENT".to_owned()),
        ..CompatibilityOptions::default()
    };
    let questions = [
        (
            &proto,
            "PROTOBUF",
            renamed_field,
            CompatibilityOptions::default(),
        ),
        (&proto, "PROTOBUF", renamed_field, wire_json),
        (
            &json,
            "JSON",
            optional_added,
            CompatibilityOptions::default(),
        ),
        (&json, "JSON", optional_added, lenient),
    ];
    let mut verdicts = Vec::new();
    for (subject, schema_type, text, options) in questions {
        let verdict = client
            .check_compatibility(subject, &typed(schema_type, text), &options)
            .await
            .expect("judged");
        verdicts.push(verdict.compatible);
    }
    verdicts
}

#[tokio::test]
async fn rule_overrides_reach_the_registry_over_both_transports() {
    let server = TestServer::start().await;
    let rest = HeraldClient::new(&server.base);
    let grpc = HeraldClient::grpc(&server.grpc_base).expect("a URI");
    // Confluent's Protobuf diff accepts a renamed field, buf's WIRE_JSON
    // does not; STRICT refuses an optional property added to an open
    // object, LENIENT accepts it.
    let expected = [true, false, false, true];
    assert_eq!(exercise_rule_overrides(&rest, "rest").await, expected);
    assert_eq!(exercise_rule_overrides(&grpc, "grpc").await, expected);
    server.stop().await;
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
