//! `/config` and `/mode`: shapes, inheritance and what modes refuse.

use serde_json::json;

use crate::support::{TestServer, evolving, record};

#[tokio::test]
async fn global_config_defaults_to_backward_and_can_change() {
    let server = TestServer::start().await;
    assert_eq!(
        server.get("/config").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    let put = server
        .put("/config", json!({"compatibility": "full"}))
        .await;
    assert_eq!(
        (put.status, put.body.clone()),
        (200, json!({"compatibility": "FULL"}))
    );
    assert_eq!(
        server.get("/config").await.body,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        server.delete("/config").await.body,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        server.get("/config").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    server
        .put("/config", json!({"compatibility": "SIDEWAYS"}))
        .await
        .assert_error(42203);
    server.stop().await;
}

#[tokio::test]
async fn subject_config_inherits_from_context_then_global() {
    let server = TestServer::start().await;
    server.get("/config/s").await.assert_error(40408);
    assert_eq!(
        server.get("/config/s?defaultToGlobal=true").await.body,
        json!({"compatibilityLevel": "BACKWARD"})
    );
    server
        .put("/config", json!({"compatibility": "FORWARD"}))
        .await;
    assert_eq!(
        server.get("/config/s?defaultToGlobal=true").await.body["compatibilityLevel"],
        "FORWARD"
    );
    server
        .put("/config/:.ctx:", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(
        server
            .get("/config/:.ctx:s?defaultToGlobal=true")
            .await
            .body["compatibilityLevel"],
        "NONE"
    );
    let set = server
        .put(
            "/config/s",
            json!({"compatibility": "FULL_TRANSITIVE", "normalize": true}),
        )
        .await;
    assert_eq!(
        set.body,
        json!({"compatibility": "FULL_TRANSITIVE", "normalize": true})
    );
    assert_eq!(
        server.get("/config/s").await.body,
        json!({"compatibilityLevel": "FULL_TRANSITIVE", "normalize": true})
    );
    assert_eq!(
        server.delete("/config/s").await.body["compatibilityLevel"],
        "FULL_TRANSITIVE"
    );
    server.get("/config/s").await.assert_error(40408);
    server
        .put("/config/s", json!({"compatibility": "nope"}))
        .await
        .assert_error(42203);
    server.stop().await;
}

#[tokio::test]
async fn the_level_in_force_is_applied_to_registrations() {
    let server = TestServer::start().await;
    server
        .put("/config", json!({"compatibility": "NONE"}))
        .await;
    server
        .register_ok("s", &record("R", r#"{"name":"a","type":"int"}"#))
        .await;
    server
        .register_ok("s", &record("R", r#"{"name":"a","type":"string"}"#))
        .await;
    server
        .put("/config/s", json!({"compatibility": "BACKWARD"}))
        .await;
    server
        .register("s", &record("R", r#"{"name":"a","type":"boolean"}"#))
        .await
        .assert_error(40901);
    server.stop().await;
}

#[tokio::test]
async fn modes_are_set_read_and_inherited() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/mode").await.body, json!({"mode": "READWRITE"}));
    server.get("/mode/s").await.assert_error(40409);
    assert_eq!(
        server.get("/mode/s?defaultToGlobal=true").await.body,
        json!({"mode": "READWRITE"})
    );
    assert_eq!(
        server
            .put("/mode/s", json!({"mode": "READONLY"}))
            .await
            .body,
        json!({"mode": "READONLY"})
    );
    assert_eq!(
        server.get("/mode/s").await.body,
        json!({"mode": "READONLY"})
    );
    server
        .put("/mode", json!({"mode": "WRITEONLY"}))
        .await
        .assert_error(42204);
    assert_eq!(
        server.delete("/mode/s").await.body,
        json!({"mode": "READONLY"})
    );
    server.get("/mode/s").await.assert_error(40409);
    server.stop().await;
}

#[tokio::test]
async fn read_only_refuses_writes_but_serves_reads() {
    let server = TestServer::start().await;
    server.register_ok("s", &evolving("R", 0)).await;
    server.put("/mode/s", json!({"mode": "READONLY"})).await;
    server
        .register("s", &evolving("R", 1))
        .await
        .assert_error(42205);
    server
        .delete("/subjects/s/versions/1")
        .await
        .assert_error(42205);
    server.delete("/subjects/s").await.assert_error(42205);
    assert_eq!(server.get("/subjects/s/versions/1").await.status, 200);
    // Other subjects are unaffected.
    server.register_ok("t", &evolving("R", 1)).await;
    server.stop().await;
}

/// As Confluent: a configuration change under a read-only mode is 42205
/// and changes nothing; the mode itself can still change.
#[tokio::test]
async fn read_only_refuses_config_changes_but_not_mode_changes() {
    let server = TestServer::start().await;
    server
        .put("/config/s", json!({"compatibility": "FULL"}))
        .await;
    server.put("/mode/s", json!({"mode": "READONLY"})).await;
    server
        .put("/config/s", json!({"compatibility": "NONE"}))
        .await
        .assert_error(42205);
    server.delete("/config/s").await.assert_error(42205);
    assert_eq!(
        server.get("/config/s").await.body,
        json!({"compatibilityLevel": "FULL"})
    );
    // Other subjects are unaffected; the global scope is not read-only.
    assert_eq!(
        server
            .put("/config/t", json!({"compatibility": "NONE"}))
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .put("/config", json!({"compatibility": "FULL"}))
            .await
            .status,
        200
    );

    server.put("/mode", json!({"mode": "READONLY"})).await;
    server
        .put("/config", json!({"compatibility": "NONE"}))
        .await
        .assert_error(42205);
    server.delete("/config").await.assert_error(42205);
    server
        .put("/config/t", json!({"compatibility": "FULL"}))
        .await
        .assert_error(42205);
    assert_eq!(
        server.get("/config").await.body["compatibilityLevel"],
        json!("FULL")
    );
    assert_eq!(
        server
            .put("/mode", json!({"mode": "READWRITE"}))
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .put("/mode/s", json!({"mode": "READWRITE"}))
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .put("/config/s", json!({"compatibility": "NONE"}))
            .await
            .status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn readonly_override_above_wins_over_the_subject() {
    let server = TestServer::start().await;
    server.put("/mode/s", json!({"mode": "READWRITE"})).await;
    server.put("/mode", json!({"mode": "READONLY"})).await;
    // A plain READONLY above yields to the subject's own mode.
    server.register_ok("s", &evolving("R", 0)).await;
    server
        .put("/mode", json!({"mode": "READONLY_OVERRIDE"}))
        .await;
    server
        .register("s", &evolving("R", 1))
        .await
        .assert_error(42205);
    // The subject's own mode is still there; the mode in force is reported.
    assert_eq!(
        server.get("/mode/s").await.body,
        json!({"mode": "READWRITE"})
    );
    assert_eq!(
        server.get("/mode/s?defaultToGlobal=true").await.body,
        json!({"mode": "READONLY_OVERRIDE"})
    );
    server.stop().await;
}

/// As Confluent scopes them: the top-level mode and config are the
/// default context's; another context has its own, and `:.__GLOBAL:`
/// applies to every context.
#[tokio::test]
async fn global_settings_are_the_default_contexts_and_global_context_is_everyones() {
    let server = TestServer::start().await;
    server.register_ok(":.t:s", &evolving("T", 0)).await;
    server.put("/mode", json!({"mode": "READONLY"})).await;
    server
        .put("/config", json!({"compatibility": "NONE"}))
        .await;
    // The default context is frozen; the other context is not.
    server
        .register("d", &evolving("D", 0))
        .await
        .assert_error(42205);
    server.register_ok(":.t:s", &evolving("T", 1)).await;
    assert_eq!(
        server.get("/mode/:.t:s?defaultToGlobal=true").await.body,
        json!({"mode": "READWRITE"})
    );
    assert_eq!(
        server.get("/config/:.t:s?defaultToGlobal=true").await.body["compatibilityLevel"],
        json!("BACKWARD")
    );
    server.put("/mode", json!({"mode": "READWRITE"})).await;
    // `:.__GLOBAL:` reaches every context, the default one included.
    server
        .put("/config/:.__GLOBAL:", json!({"compatibility": "FULL"}))
        .await;
    assert_eq!(
        server.get("/config/:.t:s?defaultToGlobal=true").await.body["compatibilityLevel"],
        json!("FULL")
    );
    server
        .put("/mode/:.__GLOBAL:", json!({"mode": "READONLY"}))
        .await;
    server
        .register(":.t:s", &evolving("T", 2))
        .await
        .assert_error(42205);
    // The default context's own (top-level) READWRITE comes first.
    server.register_ok("d", &evolving("D", 0)).await;
    // A context's own setting comes before `:.__GLOBAL:`.
    server.put("/mode/:.t:", json!({"mode": "READWRITE"})).await;
    server.register_ok(":.t:s", &evolving("T", 2)).await;
    // No subject lives in the global context.
    server
        .register(":.__GLOBAL:x", &evolving("X", 0))
        .await
        .assert_error(42208);
    server.stop().await;
}

#[tokio::test]
async fn import_mode_takes_explicit_ids_and_skips_checks() {
    let server = TestServer::start().await;
    // An explicit id outside IMPORT is refused.
    let with_id = json!({"schema": evolving("I", 0), "id": 100});
    server
        .post("/subjects/i/versions", with_id.clone())
        .await
        .assert_error(42205);
    assert_eq!(
        server.put("/mode", json!({"mode": "IMPORT"})).await.body,
        json!({"mode": "IMPORT"})
    );
    // IMPORT needs the id.
    server
        .register("i", &evolving("I", 0))
        .await
        .assert_error(42205);
    let imported = server.post("/subjects/i/versions", with_id).await;
    assert_eq!(
        (imported.id(), imported.body["version"].as_i64()),
        (100, Some(1))
    );
    // No compatibility check, explicit versions, and id clashes are refused.
    let breaking =
        json!({"schema": record("I", r#"{"name":"x","type":"boolean"}"#), "id": 7, "version": 5});
    let second = server.post("/subjects/i/versions", breaking).await;
    assert_eq!((second.id(), second.body["version"].as_i64()), (7, Some(5)));
    let clash = json!({"schema": evolving("I", 3), "id": 100});
    let refused = server.post("/subjects/j/versions", clash).await;
    refused.assert_error(42205);
    assert_eq!(
        refused.body["message"],
        "Overwrite new schema with id 100 in context  is not permitted."
    );
    // Back to READWRITE: new ids continue above the highest imported one.
    server.put("/mode", json!({"mode": "READWRITE"})).await;
    assert_eq!(server.register_ok("k", &evolving("K", 0)).await, 101);
    assert_eq!(server.get("/subjects/i/versions").await.body, json!([1, 5]));
    server.stop().await;
}

#[tokio::test]
async fn import_mode_registers_the_same_schema_under_a_second_id() {
    let server = TestServer::start().await;
    server.put("/mode", json!({"mode": "IMPORT"})).await;
    let schema = evolving("Twice", 0);
    let first = json!({"schema": schema, "id": 100, "version": 1});
    assert_eq!(server.post("/subjects/s/versions", first).await.id(), 100);
    // Equal content, another id: a new version of the same subject, as
    // Confluent's testImportModeWithSameSchemaDifferentId.
    let second = json!({"schema": schema, "id": 200, "version": 2});
    assert_eq!(server.post("/subjects/s/versions", second).await.id(), 200);
    // And under a third id in another subject.
    let third = json!({"schema": schema, "id": 300});
    assert_eq!(server.post("/subjects/t/versions", third).await.id(), 300);
    // Sending an id again with its own content is idempotent.
    let again = json!({"schema": schema, "id": 200});
    assert_eq!(server.post("/subjects/s/versions", again).await.id(), 200);
    assert_eq!(server.get("/subjects/s/versions").await.body, json!([1, 2]));
    for (id, subjects) in [
        (100, json!(["s"])),
        (200, json!(["s"])),
        (300, json!(["t"])),
    ] {
        let read = server.get(&format!("/schemas/ids/{id}")).await;
        assert_eq!(read.body["schema"], json!(schema), "id {id}");
        let holders = server.get(&format!("/schemas/ids/{id}/subjects")).await;
        assert_eq!(holders.body, subjects, "id {id}");
    }
    assert_eq!(
        server.get("/subjects/s/versions/2").await.body["id"],
        json!(200)
    );
    // A lookup finds the content in the subject; a registration outside
    // IMPORT answers with the id registered last, as Confluent's lookup
    // cache keeps it.
    server.put("/mode", json!({"mode": "READWRITE"})).await;
    let found = server.post("/subjects/s", json!({"schema": schema})).await;
    assert_eq!(found.status, 200);
    assert!([100, 200].contains(&found.id()), "{:?}", found.body);
    assert_eq!(server.register_ok("u", &schema).await, 300);
    server.stop().await;
}

#[tokio::test]
async fn import_mode_is_refused_while_subjects_exist_unless_forced() {
    let server = TestServer::start().await;
    server.register_ok("s", &evolving("R", 0)).await;
    server
        .put("/mode", json!({"mode": "IMPORT"}))
        .await
        .assert_error(42205);
    server
        .put("/mode/s", json!({"mode": "IMPORT"}))
        .await
        .assert_error(42205);
    assert_eq!(
        server
            .put("/mode/other", json!({"mode": "IMPORT"}))
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .put("/mode?force=true", json!({"mode": "IMPORT"}))
            .await
            .body,
        json!({"mode": "IMPORT"})
    );
    server.stop().await;
}

/// IMPORT as a migration tool needs it, as Confluent: entering IMPORT
/// removes soft-deleted versions for good; an explicit version that exists
/// is replaced; id 0 is an id and version 0 means the next version.
#[tokio::test]
async fn import_replaces_versions_and_entering_it_clears_deleted_ones() {
    let server = TestServer::start().await;
    server.register_ok("old", &evolving("O", 0)).await;
    server.delete("/subjects/old").await;
    assert_eq!(
        server.get("/subjects?deleted=true").await.body,
        json!(["old"])
    );
    assert_eq!(
        server.put("/mode", json!({"mode": "IMPORT"})).await.status,
        200
    );
    // Entering IMPORT removed the soft-deleted subject for good.
    assert_eq!(server.get("/subjects?deleted=true").await.body, json!([]));
    server.get("/schemas/ids/1").await.assert_error(40403);
    // Already in IMPORT: setting it again is allowed with live subjects.
    let zero = server
        .post(
            "/subjects/i/versions",
            json!({"schema": evolving("I", 0), "id": 0, "version": 0}),
        )
        .await;
    assert_eq!(
        (zero.id(), zero.body["version"].as_i64()),
        (0, Some(1)),
        "{zero:?}"
    );
    assert_eq!(
        server.get("/schemas/ids/0").await.body["schema"],
        json!(evolving("I", 0))
    );
    assert_eq!(
        server.put("/mode", json!({"mode": "IMPORT"})).await.status,
        200
    );
    // Version 1 again, with other content and id: replaced.
    let replaced = server
        .post(
            "/subjects/i/versions",
            json!({"schema": evolving("J", 0), "id": 9, "version": 1}),
        )
        .await;
    assert_eq!(
        (replaced.id(), replaced.body["version"].as_i64()),
        (9, Some(1)),
        "{replaced:?}"
    );
    assert_eq!(
        server.get("/subjects/i/versions/1").await.body["schema"],
        json!(evolving("J", 0))
    );
    assert_eq!(server.get("/subjects/i/versions").await.body, json!([1]));
    // The schema no version uses any more is gone.
    server.get("/schemas/ids/0").await.assert_error(40403);
    server.stop().await;
}

/// An explicit version outside IMPORT must be the next one (else 42201,
/// as Confluent), and registers a new version even when the content is
/// already live in the subject.
#[tokio::test]
async fn an_explicit_version_must_be_the_next_one() {
    let server = TestServer::start().await;
    server.register_ok("s", &evolving("S", 0)).await;
    let skipped = server
        .post(
            "/subjects/s/versions",
            json!({"schema": evolving("S", 1), "version": 5}),
        )
        .await;
    skipped.assert_error(42201);
    assert_eq!(
        skipped.body["message"],
        json!("Version is not one more than previous version")
    );
    let again = server
        .post(
            "/subjects/s/versions",
            json!({"schema": evolving("S", 0), "version": 2}),
        )
        .await;
    // The version's number goes into its `confluent:version` property (as
    // Confluent does), which makes it other content: a new id.
    assert_eq!(
        (again.id(), again.body["version"].as_i64()),
        (2, Some(2)),
        "{again:?}"
    );
    assert_eq!(
        again.body["metadata"],
        json!({"properties": {"confluent:version": "2"}})
    );
    // Without a version (or with 0) the live twin answers.
    let twin = server
        .post(
            "/subjects/s/versions",
            json!({"schema": evolving("S", 0), "version": 0}),
        )
        .await;
    assert_eq!(twin.body["version"], json!(2));
    assert_eq!(server.get("/subjects/s/versions").await.body, json!([1, 2]));
    server.stop().await;
}

/// `compatibilityGroup`: a version is checked only against earlier
/// versions whose metadata property of that name has the same value, as
/// Confluent does (a new major version starts a new line).
#[tokio::test]
async fn compatibility_groups_split_the_checks() {
    let server = TestServer::start().await;
    let with_major = |schema: &str, major: &str| json!({"schema": schema, "metadata": {"properties": {"major": major}}});
    let long_id = record("G", r#"{"name":"id","type":"long"}"#);
    let text_id = record("G", r#"{"name":"id","type":"string"}"#);
    let flag_id = record("G", r#"{"name":"id","type":"boolean"}"#);
    let first = server
        .post("/subjects/g/versions", with_major(&long_id, "1"))
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    // Without a group, an incompatible change is refused.
    server
        .post("/subjects/g/versions", with_major(&text_id, "2"))
        .await
        .assert_error(40901);
    server
        .put("/config/g", json!({"compatibilityGroup": "major"}))
        .await;
    // Another group: nothing earlier to be compatible with.
    let second = server
        .post("/subjects/g/versions", with_major(&text_id, "2"))
        .await;
    assert_eq!(second.body["version"], json!(2), "{second:?}");
    // The same group as version 1: checked against it (not against 2).
    server
        .post("/subjects/g/versions", with_major(&flag_id, "1"))
        .await
        .assert_error(40901);
    let verdict = server
        .post(
            "/compatibility/subjects/g/versions?verbose=true",
            with_major(&record("G", r#"{"name":"id","type":"string"},{"name":"x","type":["null","long"],"default":null}"#), "2"),
        )
        .await;
    assert_eq!(verdict.body["is_compatible"], json!(true), "{verdict:?}");
    server.stop().await;
}
