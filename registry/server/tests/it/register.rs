//! Registration: response shape, ids, idempotency, normalization, errors.

use serde_json::json;

use crate::support::{TestServer, evolving, record, record_of};

#[tokio::test]
async fn register_returns_id_version_type_schema_and_guid() {
    let server = TestServer::start().await;
    let schema = record("Order", r#"{"name":"id","type":"long"}"#);
    let reply = server.register("orders-value", &schema).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["id"], 1);
    assert_eq!(reply.body["version"], 1);
    assert_eq!(reply.body["schemaType"], "AVRO");
    assert_eq!(reply.body["schema"], schema);
    let guid = reply.body["guid"].as_str().unwrap_or_default();
    assert_eq!(guid.len(), 36, "{guid}");
    let keys: Vec<&String> = reply
        .body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["id", "version", "guid", "schemaType", "schema"],
        "no null or empty fields"
    );
    server.stop().await;
}

#[tokio::test]
async fn reregistering_is_idempotent_and_ids_are_shared_across_subjects() {
    let server = TestServer::start().await;
    let first = evolving("E", 0);
    let second = evolving("E", 1);
    assert_eq!(server.register_ok("a", &first).await, 1);
    assert_eq!(server.register_ok("a", &second).await, 2);
    // Same schema again in the same subject: same id and version, no new version.
    let again = server.register("a", &first).await;
    assert_eq!((again.id(), again.body["version"].as_i64()), (1, Some(1)));
    assert_eq!(server.get("/subjects/a/versions").await.body, json!([1, 2]));
    // Same schema under another subject: same id, that subject's own version.
    let other = server.register("b", &second).await;
    assert_eq!((other.id(), other.body["version"].as_i64()), (2, Some(1)));
    // Written differently (whitespace, key order, namespace style): same content, same id.
    let respelled =
        r#"{ "fields": [ {"type": "long", "name": "id"} ], "name": "E", "type": "record" }"#;
    assert_eq!(server.register_ok("c", respelled).await, 1);
    server.stop().await;
}

#[tokio::test]
async fn the_guid_is_stable_for_the_same_content() {
    let server = TestServer::start().await;
    let a = server.register("a", &evolving("G", 0)).await;
    let b = server.register("b", &evolving("G", 0)).await;
    assert_eq!(a.body["guid"], b.body["guid"]);
    let c = server.register("c", &evolving("H", 0)).await;
    assert_ne!(a.body["guid"], c.body["guid"]);
    let by_guid = server
        .get(&format!(
            "/schemas/guids/{}",
            a.body["guid"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(by_guid.body["schema"], a.body["schema"]);
    server
        .get("/schemas/guids/00000000-0000-0000-0000-000000000000")
        .await
        .assert_error(40403);
    server.stop().await;
}

#[tokio::test]
async fn normalize_stores_the_canonical_form() {
    let server = TestServer::start().await;
    let spelled = r#"{"type":"record","namespace":"com.acme","name":"N","fields":[{"type":{"type":"int"},"name":"n"}]}"#;
    let normalized = server
        .post(
            "/subjects/norm/versions?normalize=true",
            json!({ "schema": spelled }),
        )
        .await;
    assert_eq!(
        normalized.body["schema"],
        r#"{"name":"com.acme.N","type":"record","fields":[{"name":"n","type":"int"}]}"#
    );
    // Without normalize the text is kept as written (compacted).
    let other = r#"{"type":"record", "namespace":"com.acme", "name":"P", "fields":[{"type":{"type":"int"}, "name":"p"}]}"#;
    let plain = server.register("plain", other).await;
    assert_eq!(
        plain.body["schema"],
        r#"{"type":"record","namespace":"com.acme","name":"P","fields":[{"type":{"type":"int"},"name":"p"}]}"#
    );
    // The same content registered without normalize finds the existing id and text.
    let again = server.register("plain2", spelled).await;
    assert_eq!(
        (again.id(), again.body["schema"].clone()),
        (normalized.id(), normalized.body["schema"].clone())
    );
    // normalize set in the subject's config applies by default.
    server.put("/config/cfg", json!({"normalize": true})).await;
    let from_config = server
        .register(
            "cfg",
            r#"{"type":"record","name":"M","fields":[{"name":"m","type":{"type":"long"}}]}"#,
        )
        .await;
    assert_eq!(
        from_config.body["schema"],
        r#"{"name":"M","type":"record","fields":[{"name":"m","type":"long"}]}"#
    );
    server.stop().await;
}

#[tokio::test]
async fn invalid_schemas_are_42201_with_the_reason() {
    let server = TestServer::start().await;
    let cases = [
        ("not json", "not valid JSON"),
        (r#"{"type":"record","name":"R"}"#, ""),
        (r#"{"type":"recrod","name":"R","fields":[]}"#, ""),
        (r#"{"type":"enum","name":"E","symbols":["A","A"]}"#, ""),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#,
            "",
        ),
        ("", "Empty schema"),
    ];
    for (schema, reason) in cases {
        let reply = server.register("bad", schema).await;
        reply.assert_error(42201);
        assert!(
            reply.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{schema}: {reply:?}"
        );
    }
    let missing = server.post("/subjects/bad/versions", json!({})).await;
    missing.assert_error(42201);
    // Nothing was stored.
    server
        .get("/subjects/bad/versions")
        .await
        .assert_error(40401);
    server.stop().await;
}

#[tokio::test]
async fn incompatible_registrations_are_409_with_findings() {
    let server = TestServer::start().await;
    server
        .register_ok("s", &record("R", r#"{"name":"a","type":"int"}"#))
        .await;
    let breaking = record(
        "R",
        r#"{"name":"a","type":"int"},{"name":"email","type":"string"}"#,
    );
    let reply = server.register("s", &breaking).await;
    reply.assert_error(40901);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("/fields/1"), "{message}");
    assert!(message.contains("{oldSchemaVersion: 1}"), "{message}");
    assert_eq!(server.get("/subjects/s/versions").await.body, json!([1]));
    server.stop().await;
}

#[tokio::test]
async fn levels_decide_what_is_checked() {
    let server = TestServer::start().await;
    let v1 = record("R", r#"{"name":"a","type":"int"}"#);
    let v2 = record(
        "R",
        r#"{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"#,
    );
    // v3 drops `a` and adds `c` with a default: reads v2 (backward) only via defaults.
    let v3 = record(
        "R",
        r#"{"name":"b","type":"int","default":0},{"name":"c","type":"int","default":0}"#,
    );
    // FORWARD: old schemas must read v3; v1 needs `a` with no default.
    server
        .put("/config/fw", json!({"compatibility": "FORWARD"}))
        .await;
    server.register_ok("fw", &v1).await;
    server.register_ok("fw", &v2).await;
    server.register("fw", &v3).await.assert_error(40901);
    // NONE: anything goes.
    server
        .put("/config/none", json!({"compatibility": "NONE"}))
        .await;
    server.register_ok("none", &v1).await;
    server
        .register_ok("none", &record("R", r#"{"name":"z","type":"string"}"#))
        .await;
    // FULL_TRANSITIVE checks every version in both directions.
    server
        .put("/config/ft", json!({"compatibility": "FULL_TRANSITIVE"}))
        .await;
    server.register_ok("ft", &v1).await;
    server.register_ok("ft", &v2).await;
    server.register("ft", &v3).await.assert_error(40901);
    server.stop().await;
}

#[tokio::test]
async fn transitive_levels_check_every_live_version() {
    let server = TestServer::start().await;
    let v1 = record("R", r#"{"name":"a","type":"string"}"#);
    let v2 = record("R", r#"{"name":"a","type":"string","default":"x"}"#);
    let v3 = record("R", r#"{"name":"b","type":"int","default":0}"#);
    let v4 = record("R", r#"{"name":"a","type":"int","default":0}"#);
    server
        .put("/config/t", json!({"compatibility": "BACKWARD_TRANSITIVE"}))
        .await;
    server
        .put("/config/n", json!({"compatibility": "BACKWARD"}))
        .await;
    for subject in ["t", "n"] {
        server.register_ok(subject, &v1).await;
        server.register_ok(subject, &v2).await;
        server.register_ok(subject, &v3).await;
    }
    // v4 reads v3 (no `a` there: default used) but not v1/v2 (`a` is a string there).
    assert_eq!(server.register("n", &v4).await.status, 200);
    server.register("t", &v4).await.assert_error(40901);
    server.stop().await;
}

#[tokio::test]
async fn schema_by_id_answers_the_same_from_memory() {
    let server = TestServer::start().await;
    let id = server
        .register_ok(
            "cached",
            &record("Cached", r#"{"name":"id","type":"long"}"#),
        )
        .await;
    let path = format!("/schemas/ids/{id}");
    // The first read renders and keeps the answer; later ones are served
    // from memory in front of the router: byte for byte the same.
    let first = server.get(&path).await;
    let again = server.get(&path).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        (again.status, &again.content_type, &again.text),
        (200, &first.content_type, &first.text)
    );
    // Anything with a query still goes through the router.
    let with_max = server.get(&format!("{path}?fetchMaxId=true")).await;
    assert_eq!(with_max.body["maxId"], id);
    assert_eq!(with_max.body["schema"], first.body["schema"]);
    // Ids that are not plain numbers are not taken for cached ones.
    server.get(&format!("{path}x")).await.assert_error(404);
    server.get("/schemas/ids/999").await.assert_error(40403);
    server.stop().await;
}

/// A record of `fields` optional fields (each version adds one more).
fn wide(fields: usize) -> String {
    record_of("Wide", fields, |i| {
        format!(r#"{{"name":"f{i}","type":["null","string"],"default":null}}"#)
    })
}

#[tokio::test]
async fn a_slow_check_does_not_hold_up_other_writes() {
    let server = TestServer::start().await;
    let level = |level: &'static str| server.put("/config/wide", json!({ "compatibility": level }));
    assert_eq!(level("NONE").await.status, 200);
    for version in 0..30 {
        server.register_ok("wide", &wide(2_000 + version)).await;
    }
    assert_eq!(level("FULL_TRANSITIVE").await.status, 200);
    // The slow one: judged against 30 wide versions in both directions.
    let newest = wide(2_030);
    {
        let slow = server.register("wide", &newest);
        tokio::pin!(slow);
        // Under way first (its request sent and being judged)...
        tokio::select! {
            reply = &mut slow => panic!("the slow registration was not slow: {}", reply.status),
            () = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
        }
        // ...then a trivial registration, and an invalid one, elsewhere.
        let quick = async {
            let trivial = server.register("other", r#""int""#).await;
            let invalid = server.register("other", "{not a schema").await;
            (trivial, invalid)
        };
        let (trivial, invalid) = tokio::select! {
            biased;
            answers = quick => answers,
            reply = &mut slow => panic!("the slow registration finished first: {}", reply.status),
        };
        assert_eq!(trivial.status, 200, "{trivial:?}");
        invalid.assert_error(42201);
        assert_eq!(slow.await.status, 200);
    }
    server.stop().await;
}

/// Avro schemas Java's parser refuses are refused (so no consumer meets a
/// schema it cannot parse), with the reason; what Java accepts stays
/// accepted.
#[tokio::test]
async fn avro_schemas_java_refuses_are_42201() {
    let server = TestServer::start().await;
    let refused = [
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"sideways"}]}"#,
            "field order",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":1}]}"#,
            "field order",
        ),
        (
            r#"{"type":"record","name":"int","fields":[{"name":"a","type":"int"}]}"#,
            "named after primitives",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"com.x.string","size":2}}]}"#,
            "named after primitives",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":{"type":"int"}}}]}"#,
            "No type",
        ),
        (r#"{"type":["null","int"]}"#, "No type"),
    ];
    for (schema, reason) in refused {
        let reply = server.register("java", schema).await;
        reply.assert_error(42201);
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| m.contains(reason)),
            "{schema}: {reply:?}"
        );
    }
    for accepted in [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"DESCENDING","aliases":["b-c"]}]}"#,
        r#"{"type":"record","name":"S","fields":[{"name":"a","type":{"type":"int"}}]}"#,
    ] {
        let reply = server
            .register(&format!("ok{}", accepted.len()), accepted)
            .await;
        assert_eq!(reply.status, 200, "{accepted}: {reply:?}");
    }
    server.stop().await;
}
