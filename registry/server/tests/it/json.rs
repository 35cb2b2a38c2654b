//! JSON Schema over HTTP: registration, dedup with and without
//! normalization, lookup, STRICT and LENIENT compatibility, references.

use serde_json::json;

use crate::support::TestServer;

const ORDER: &str = r#"{"type":"object","properties":{"id":{"type":"string"},"cents":{"type":"integer"}},"required":["id"]}"#;

/// The same schema with other whitespace.
const ORDER_SPACED: &str = r#"{ "type": "object",
  "properties": { "id": {"type": "string"}, "cents": {"type": "integer"} },
  "required": ["id"] }"#;

/// The same schema with its keys in another order.
const ORDER_REORDERED: &str = r#"{"required":["id"],"properties":{"cents":{"type":"integer"},"id":{"type":"string"}},"type":"object"}"#;

#[tokio::test]
async fn json_registers_dedups_and_looks_up() {
    let server = TestServer::start().await;
    let reply = server
        .register_typed("orders", "JSON", ORDER_SPACED, json!([]))
        .await;
    assert_eq!((reply.status, reply.id()), (200, 1), "{reply:?}");
    let by_id = server.get("/schemas/ids/1").await;
    assert_eq!(by_id.body["schemaType"], "JSON");
    assert_eq!(
        by_id.body["schema"], ORDER,
        "stored compact, keys in input order"
    );
    assert_eq!(
        server
            .register_typed("orders-copy", "JSON", ORDER, json!([]))
            .await
            .id(),
        1
    );
    // Another key order is another schema unless normalized.
    assert_eq!(
        server
            .register_typed("reordered", "JSON", ORDER_REORDERED, json!([]))
            .await
            .id(),
        2
    );
    let normalized = |schema: &'static str, subject: &'static str| {
        let server = &server;
        async move {
            server
                .post(
                    &format!("/subjects/{subject}/versions?normalize=true"),
                    json!({"schemaType": "JSON", "schema": schema}),
                )
                .await
                .id()
        }
    };
    let first = normalized(ORDER, "normalized-a").await;
    assert_eq!(first, 3);
    assert_eq!(normalized(ORDER_REORDERED, "normalized-b").await, first);
    let found = server
        .post(
            "/subjects/orders",
            json!({"schemaType": "JSON", "schema": ORDER_SPACED}),
        )
        .await;
    assert_eq!(
        (found.status, found.body["version"].as_i64()),
        (200, Some(1)),
        "{found:?}"
    );
    let missing = server
        .post(
            "/subjects/orders",
            json!({"schemaType": "JSON", "schema": r#"{"type":"string"}"#}),
        )
        .await;
    missing.assert_error(40403);
    server.stop().await;
}

#[tokio::test]
async fn invalid_json_schemas_are_refused_with_42201() {
    let server = TestServer::start().await;
    for bad in [
        r#"{"type": 5}"#,
        r#"{"type":"object""#,
        r#""just a string""#,
        r#"{"minLength": -1}"#,
    ] {
        let reply = server.register_typed("bad", "JSON", bad, json!([])).await;
        reply.assert_error(42201);
    }
    assert_eq!(server.get("/subjects").await.body, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn json_compatibility_is_strict_by_default_and_lenient_on_request() {
    let server = TestServer::start().await;
    assert_eq!(
        server
            .register_typed("orders", "JSON", ORDER, json!([]))
            .await
            .status,
        200
    );
    // An optional property added to an open object: old data may carry it
    // with any value, so STRICT refuses it.
    let with_note = ORDER.replace(
        r#""cents":{"type":"integer"}"#,
        r#""cents":{"type":"integer"},"note":{"type":"string"}"#,
    );
    let refused = server
        .register_typed("orders", "JSON", &with_note, json!([]))
        .await;
    refused.assert_error(40901);
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/note"),
        "{message}"
    );
    let verbose = server
        .post(
            "/compatibility/subjects/orders/versions/latest?verbose=true",
            json!({"schemaType": "JSON", "schema": with_note}),
        )
        .await;
    assert_eq!(verbose.body["is_compatible"], false, "{verbose:?}");
    // Herald's structured form of the same findings.
    let finding = &verbose.body["findings"][0];
    assert_eq!(
        finding["rule"],
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    );
    assert_eq!(finding["path"], "#/properties/note");
    assert_eq!(finding["oldSchemaVersion"], 1);
    let column = with_note.find(r#""note":"#).unwrap_or_default() + r#""note":"#.len() + 1;
    assert_eq!(finding["location"], json!({"line": 1, "column": column}));
    assert!(
        verbose.body["messages"][0]
            .as_str()
            .unwrap_or_default()
            .contains("has an open content model"),
        "{verbose:?}"
    );
    // LENIENT on the subject admits it; the type change stays refused.
    let set = server
        .put("/config/orders", json!({"compatibilityPolicy": "lenient"}))
        .await;
    assert_eq!(set.body["compatibilityPolicy"], "LENIENT", "{set:?}");
    assert_eq!(
        server.get("/config/orders").await.body["compatibilityPolicy"],
        "LENIENT"
    );
    let admitted = server
        .register_typed("orders", "JSON", &with_note, json!([]))
        .await;
    assert_eq!(admitted.body["version"].as_i64(), Some(2), "{admitted:?}");
    let retyped = with_note.replace(
        r#""cents":{"type":"integer"}"#,
        r#""cents":{"type":"string"}"#,
    );
    let still_refused = server
        .register_typed("orders", "JSON", &retyped, json!([]))
        .await;
    still_refused.assert_error(40901);
    assert!(
        still_refused.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("TYPE_CHANGED #/properties/cents")
    );
    // Widening integer to number is compatible under either policy.
    let widened = with_note.replace(
        r#""cents":{"type":"integer"}"#,
        r#""cents":{"type":"number"}"#,
    );
    assert_eq!(
        server
            .register_typed("orders", "JSON", &widened, json!([]))
            .await
            .body["version"],
        3
    );
    server
        .put("/config", json!({"compatibilityPolicy": "SIDEWAYS"}))
        .await
        .assert_error(42203);
    server.stop().await;
}

#[tokio::test]
async fn json_policy_is_inherited_from_the_global_config() {
    let server = TestServer::start().await;
    let open = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;
    let closed =
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    server
        .register_typed("events", "JSON", open, json!([]))
        .await;
    server
        .register_typed("events", "JSON", closed, json!([]))
        .await
        .assert_error(40901);
    server
        .put("/config", json!({"compatibilityPolicy": "LENIENT"}))
        .await;
    assert_eq!(
        server.get("/config/events?defaultToGlobal=true").await.body["compatibilityPolicy"],
        "LENIENT"
    );
    let reply = server
        .register_typed("events", "JSON", closed, json!([]))
        .await;
    assert_eq!(reply.body["version"].as_i64(), Some(2), "{reply:?}");
    server.stop().await;
}

#[tokio::test]
async fn json_references_resolve_and_protect_their_targets() {
    let server = TestServer::start().await;
    let money = r#"{"type":"object","properties":{"cents":{"type":"integer"},"currency":{"type":"string"}},"required":["cents"]}"#;
    assert_eq!(
        server
            .register_typed("money", "JSON", money, json!([]))
            .await
            .id(),
        1
    );
    let order = r#"{"type":"object","properties":{"total":{"$ref":"money.json"}}}"#;
    let references = json!([{"name": "money.json", "subject": "money", "version": 1}]);
    let reply = server
        .register_typed("orders", "JSON", order, references.clone())
        .await;
    assert_eq!((reply.status, reply.id()), (200, 2), "{reply:?}");
    server.assert_references_protect(2, &references).await;
    // The referenced schema takes part in the check: a v2 of money that
    // makes `currency` required is refused for orders pinned to it...
    let stricter = money.replace(
        r#""required":["cents"]"#,
        r#""required":["cents","currency"]"#,
    );
    assert_eq!(
        server
            .register_typed("money", "JSON", &stricter, json!([]))
            .await
            .status,
        409
    );
    // ...and an order v2 pointing at a money whose cents became strings is refused.
    let loose_money = money.replace(
        r#""cents":{"type":"integer"}"#,
        r#""cents":{"type":"string"}"#,
    );
    assert_eq!(
        server
            .register_typed("money-text", "JSON", &loose_money, json!([]))
            .await
            .id(),
        3
    );
    let repointed = json!([{"name": "money.json", "subject": "money-text", "version": 1}]);
    let refused = server
        .register_typed("orders", "JSON", order, repointed)
        .await;
    refused.assert_error(40901);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("TYPE_CHANGED #/properties/total/properties/cents"),
        "{refused:?}"
    );
    // Without the reference the `$ref` cannot be resolved.
    server
        .register_typed("orders-2", "JSON", order, json!([]))
        .await
        .assert_error(42201);
    // Deleting the referrer frees the target.
    server.delete("/subjects/orders").await;
    server.delete("/subjects/orders?permanent=true").await;
    assert_eq!(
        server.delete("/subjects/money/versions/1").await.status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn reserved_properties_in_metadata_are_enforced() {
    let server = TestServer::start().await;
    let with_metadata = |schema: &str, reserved: &str| {
        json!({
            "schemaType": "JSON",
            "schema": schema,
            "metadata": {"properties": {"confluent:reserved": reserved, "owner": "payments"}}
        })
    };
    let v1 = server
        .post(
            "/subjects/users/versions",
            with_metadata(ORDER, "ssn, email"),
        )
        .await;
    assert_eq!((v1.status, v1.id()), (200, 1), "{v1:?}");
    let fetched = server.get("/subjects/users/versions/1").await;
    assert_eq!(
        fetched.body["metadata"],
        json!({"properties": {"confluent:reserved": "ssn, email", "owner": "payments"}})
    );
    assert_eq!(
        server.get("/schemas/ids/1").await.body["metadata"],
        fetched.body["metadata"]
    );
    // The same text without metadata is another schema.
    assert_eq!(
        server
            .register_typed("plain", "JSON", ORDER, json!([]))
            .await
            .id(),
        2
    );
    // Dropping a reservation is refused...
    let dropped = server
        .post("/subjects/users/versions", with_metadata(ORDER, "ssn"))
        .await;
    dropped.assert_error(40901);
    let message = dropped.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("RESERVED_PROPERTY_REMOVED #/email"),
        "{message}"
    );
    // ...and so is declaring a reserved name, even under LENIENT.
    server
        .put("/config/users", json!({"compatibilityPolicy": "LENIENT"}))
        .await;
    let uses = ORDER.replace(
        r#""cents":{"type":"integer"}"#,
        r#""cents":{"type":"integer"},"ssn":{"type":"string"}"#,
    );
    let conflict = server
        .post(
            "/subjects/users/versions",
            with_metadata(&uses, "ssn, email"),
        )
        .await;
    conflict.assert_error(40901);
    assert!(
        conflict.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY #/properties/ssn"),
        "{conflict:?}"
    );
    // Keeping the reservations (and adding one) is fine.
    let kept = server
        .post(
            "/subjects/users/versions",
            with_metadata(ORDER, "email,ssn,phone"),
        )
        .await;
    assert_eq!(kept.body["version"].as_i64(), Some(2), "{kept:?}");
    server.stop().await;
}
