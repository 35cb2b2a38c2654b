//! What Confluent stores without checking is accepted where Confluent
//! accepts it (a schema imported with its id, read back, looked up) and
//! reported as a warning in the verbose compatibility answer and the UI;
//! a new registration or a check still refuses it, as Confluent's
//! `validateAsNew` does.

use serde_json::json;

use crate::support::{TestServer, record};

/// A record whose field default does not match the field's type.
fn with_bad_default() -> String {
    record("Legacy", r#"{"name":"n","type":"int","default":"zero"}"#)
}

#[tokio::test]
async fn an_imported_avro_default_that_does_not_match_is_kept_and_warned_about() {
    let server = TestServer::start().await;
    let schema = with_bad_default();
    // New, it is refused: by a registration and by a check.
    server.register("legacy", &schema).await.assert_error(42201);
    server
        .post(
            "/compatibility/subjects/legacy/versions?verbose=true",
            json!({"schema": schema}),
        )
        .await
        .assert_error(42201);
    // Imported with its id, it is stored as Confluent stored it.
    server.put("/mode", json!({"mode": "IMPORT"})).await;
    let imported = server
        .post(
            "/subjects/legacy/versions",
            json!({"schema": schema, "id": 7}),
        )
        .await;
    assert_eq!((imported.status, imported.id()), (200, 7), "{imported:?}");
    server.put("/mode", json!({"mode": "READWRITE"})).await;
    let read = server.get("/schemas/ids/7").await;
    assert!(
        read.body["schema"]
            .as_str()
            .unwrap_or("")
            .contains(r#""default":"zero""#),
        "{read:?}"
    );
    // A lookup finds it (Confluent parses lookups as stored schemas).
    let found = server
        .post("/subjects/legacy", json!({"schema": schema}))
        .await;
    assert_eq!((found.status, found.id()), (200, 7), "{found:?}");
    // A later version is judged against it, and the answer warns about it.
    let next = record(
        "Legacy",
        r#"{"name":"n","type":"int","default":"zero"},{"name":"m","type":"long","default":0}"#,
    );
    let fixed = record(
        "Legacy",
        r#"{"name":"n","type":"int","default":0},{"name":"m","type":"long","default":0}"#,
    );
    let verdict = server
        .post(
            "/compatibility/subjects/legacy/versions?verbose=true",
            json!({"schema": fixed}),
        )
        .await;
    assert_eq!(verdict.body["is_compatible"], json!(true), "{verdict:?}");
    let warnings = verdict.body["warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(warnings.len(), 1, "{verdict:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap_or("")
            .starts_with("version 1: the default \"zero\" of field 'n' in record 'Legacy'"),
        "{warnings:?}"
    );
    // Without verbose, the answer is Confluent's own.
    let quiet = server
        .post(
            "/compatibility/subjects/legacy/versions",
            json!({"schema": fixed}),
        )
        .await;
    assert_eq!(quiet.body, json!({"is_compatible": true}));
    // A new version keeping the bad default is refused as new.
    server.register("legacy", &next).await.assert_error(42201);
    // The UI shows the warning on the version's page.
    let page = server.get("/ui/subjects/legacy/versions/1").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Warnings"), "{}", page.text);
    assert!(
        page.text
            .contains("of field &#39;n&#39; in record &#39;Legacy&#39;")
            || page.text.contains("of field 'n' in record 'Legacy'"),
        "{}",
        page.text
    );
    server.stop().await;
}

#[tokio::test]
async fn a_json_schema_accepting_everything_is_accepted_with_a_warning() {
    let server = TestServer::start().await;
    for (subject, schema) in [("anything", "true"), ("empty", "{}")] {
        let registered = server
            .register_typed(subject, "JSON", schema, json!([]))
            .await;
        assert_eq!(registered.status, 200, "{registered:?}");
        let verdict = server
            .post(
                &format!("/compatibility/subjects/{subject}/versions?verbose=true"),
                json!({"schema": schema, "schemaType": "JSON"}),
            )
            .await;
        assert_eq!(verdict.body["is_compatible"], json!(true), "{verdict:?}");
        let warnings = verdict.body["warnings"].to_string();
        assert!(warnings.contains("accepts every JSON value"), "{verdict:?}");
        // Once for the new schema, once for version 1.
        assert_eq!(verdict.body["warnings"].as_array().map(Vec::len), Some(2));
    }
    let nothing = server
        .register_typed("nothing", "JSON", "false", json!([]))
        .await;
    assert_eq!(nothing.status, 200, "{nothing:?}");
    let page = server.get("/ui/subjects/nothing/versions/1").await;
    assert!(page.text.contains("accepts no JSON value"), "{}", page.text);
    // A schema with a shape has nothing to warn about.
    let object = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;
    server
        .register_typed("shaped", "JSON", object, json!([]))
        .await;
    let verdict = server
        .post(
            "/compatibility/subjects/shaped/versions?verbose=true",
            json!({"schema": object, "schemaType": "JSON"}),
        )
        .await;
    assert_eq!(verdict.body.get("warnings"), None, "{verdict:?}");
    server.stop().await;
}

#[tokio::test]
async fn names_java_refuses_are_refused_new_and_imported_as_stored() {
    let server = TestServer::start().await;
    let dashed = r#"{"type":"record","name":"my-record","fields":[{"name":"n","type":"int"}]}"#;
    let refused = server.register("dashed", dashed).await;
    refused.assert_error(42201);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap_or("")
            .contains("Illegal character in: my-record"),
        "{refused:?}"
    );
    // Java's strict rule takes Unicode letters.
    let unicode = r#"{"type":"record","name":"Prüfung","fields":[{"name":"größe","type":"int"}]}"#;
    assert_eq!(server.register("unicode", unicode).await.status, 200);
    // Imported with its id, as Confluent reads stored schemas.
    let import = server
        .put("/mode?force=true", json!({"mode": "IMPORT"}))
        .await;
    assert_eq!(import.status, 200, "{import:?}");
    let imported = server
        .post(
            "/subjects/dashed/versions",
            json!({"schema": dashed, "id": 9}),
        )
        .await;
    assert_eq!((imported.status, imported.id()), (200, 9), "{imported:?}");
    server.put("/mode", json!({"mode": "READWRITE"})).await;
    let found = server
        .post("/subjects/dashed", json!({"schema": dashed}))
        .await;
    assert_eq!(found.id(), 9, "{found:?}");
    server.stop().await;
}
