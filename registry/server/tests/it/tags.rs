//! `POST /subjects/{s}/versions/{v}/tags`, as Confluent's `modifySchemaTags`:
//! a new version whose schema text carries `confluent:tags` on the named
//! records and fields, with `confluent:version` in its metadata.

use serde_json::{Value, json};

use crate::support::TestServer;

const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}"#;

fn field(path: &str, tags: &[&str]) -> Value {
    json!({"schemaEntity": {"entityPath": path, "entityType": "sr_field"}, "tags": tags})
}

fn schema_of(version: &Value) -> Value {
    serde_json::from_str(version["schema"].as_str().unwrap_or("null")).unwrap_or(Value::Null)
}

#[tokio::test]
async fn tags_make_a_new_version_with_the_tags_in_the_schema() {
    let server = TestServer::start().await;
    let first = json!({"schema": ORDER, "metadata": {"properties": {"owner": "shop"}}});
    assert_eq!(
        server.post("/subjects/orders/versions", first).await.status,
        200
    );
    let tagged = server
        .post(
            "/subjects/orders/versions/1/tags",
            json!({"newVersion": 2, "tagsToAdd": [field("shop.Order.email", &["PII"]),
                json!({"schemaEntity": {"entityPath": "shop.Order", "entityType": "sr_record"}, "tags": ["ORDER"]})]}),
        )
        .await;
    assert_eq!(
        (tagged.status, tagged.body["version"].clone()),
        (200, json!(2)),
        "{tagged:?}"
    );
    let second = server.get("/subjects/orders/versions/2").await.body;
    let schema = schema_of(&second);
    assert_eq!(schema["confluent:tags"], json!(["ORDER"]));
    assert_eq!(schema["fields"][1]["confluent:tags"], json!(["PII"]));
    assert_eq!(
        second["metadata"]["properties"],
        json!({"confluent:version": "2", "owner": "shop"}),
        "{second}"
    );
    // Without newVersion: the next version, confluent:version stamped with it.
    let untagged = server
        .post(
            "/subjects/orders/versions/latest/tags",
            json!({"tagsToRemove": [field("shop.Order.email", &["PII"])]}),
        )
        .await;
    assert_eq!(untagged.body["version"], json!(3), "{untagged:?}");
    let third = server.get("/subjects/orders/versions/3").await.body;
    assert_eq!(schema_of(&third)["fields"][1].get("confluent:tags"), None);
    assert_eq!(
        third["metadata"]["properties"]["confluent:version"],
        json!("3")
    );
    // A version that is not the next one, a path the schema lacks.
    let skipped = server
        .post(
            "/subjects/orders/versions/3/tags",
            json!({"newVersion": 9, "tagsToAdd": [field("shop.Order.id", &["KEY"])]}),
        )
        .await;
    skipped.assert_error(42201);
    let missing = server
        .post(
            "/subjects/orders/versions/3/tags",
            json!({"tagsToAdd": [field("shop.Order.nope", &["X"])]}),
        )
        .await;
    missing.assert_error(42201);
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap_or("")
            .contains("No matching path 'shop.Order.nope' found in the schema"),
        "{missing:?}"
    );
    server
        .post("/subjects/nobody/versions/1/tags", json!({}))
        .await
        .assert_error(40401);
    server
        .post("/subjects/orders/versions/8/tags", json!({}))
        .await
        .assert_error(40402);
    assert_eq!(
        server.get("/subjects/orders/versions").await.body,
        json!([1, 2, 3])
    );
    server.stop().await;
}

#[tokio::test]
async fn tags_requests_merge_and_remove_rules() {
    let server = TestServer::start().await;
    let rule = |name: &str| json!({"name": name, "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"});
    let first = json!({"schema": ORDER, "ruleSet": {"domainRules": [rule("a")]}});
    assert_eq!(
        server.post("/subjects/orders/versions", first).await.status,
        200
    );
    // ruleSet and rulesToMerge together are refused (Confluent's 42210).
    server
        .post(
            "/subjects/orders/versions/1/tags",
            json!({"ruleSet": {"domainRules": [rule("b")]}, "rulesToMerge": {"domainRules": [rule("b")]}}),
        )
        .await
        .assert_error(42210);
    let merged = server
        .post(
            "/subjects/orders/versions/1/tags",
            json!({"tagsToAdd": [field("shop.Order.id", &["KEY"])], "rulesToMerge": {"domainRules": [rule("b")]}}),
        )
        .await;
    assert_eq!(merged.status, 200, "{merged:?}");
    let names = |version: &Value| -> Vec<Value> {
        version["ruleSet"]["domainRules"]
            .as_array()
            .map(|rules| rules.iter().map(|r| r["name"].clone()).collect())
            .unwrap_or_default()
    };
    let second = server.get("/subjects/orders/versions/2").await.body;
    assert_eq!(names(&second), [json!("a"), json!("b")], "{second}");
    let removed = server
        .post(
            "/subjects/orders/versions/2/tags",
            json!({"rulesToRemove": ["a"]}),
        )
        .await;
    assert_eq!(removed.body["version"], json!(3), "{removed:?}");
    let third = server.get("/subjects/orders/versions/3").await.body;
    assert_eq!(names(&third), [json!("b")], "{third}");
    // The tags stay on the text of the versions that follow.
    assert_eq!(
        schema_of(&third)["fields"][0]["confluent:tags"],
        json!(["KEY"])
    );
    server.stop().await;
}

#[tokio::test]
async fn json_schema_properties_take_tags() {
    let server = TestServer::start().await;
    let schema = r#"{"type":"object","properties":{"email":{"type":"string"}}}"#;
    server
        .register_typed("people", "JSON", schema, json!([]))
        .await;
    let tagged = server
        .post(
            "/subjects/people/versions/1/tags",
            json!({"tagsToAdd": [field("object.email", &["PII"])]}),
        )
        .await;
    assert_eq!(tagged.status, 200, "{tagged:?}");
    let second = server.get("/subjects/people/versions/2").await.body;
    assert_eq!(
        schema_of(&second)["properties"]["email"]["confluent:tags"],
        json!(["PII"])
    );
    server.stop().await;
}

#[tokio::test]
async fn protobuf_fields_and_messages_take_meta_options() {
    let server = TestServer::start().await;
    let money = "syntax = \"proto3\";\npackage shop;\nmessage Money { int64 cents = 1; }\n";
    server
        .register_typed("money", "PROTOBUF", money, json!([]))
        .await;
    let order = "syntax = \"proto3\";\npackage shop;\nimport \"money.proto\";\nmessage Order {\n  string email = 1;\n  shop.Money total = 2;\n}\n";
    let references = json!([{"name": "money.proto", "subject": "money", "version": 1}]);
    let first = server
        .register_typed("orders", "PROTOBUF", order, references.clone())
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    let tagged = server
        .post(
            "/subjects/orders/versions/1/tags",
            json!({"tagsToAdd": [field("Order.email", &["PII"]),
                json!({"schemaEntity": {"entityPath": "Order", "entityType": "sr_record"}, "tags": ["ORDER"]})]}),
        )
        .await;
    assert_eq!(
        (tagged.status, tagged.body["version"].clone()),
        (200, json!(2)),
        "{tagged:?}"
    );
    let second = server.get("/subjects/orders/versions/2").await.body;
    let text = second["schema"].as_str().unwrap_or("");
    assert!(
        text.contains("string email = 1 [(confluent.field_meta) = { tags:[\"PII\"] }];"),
        "{text}"
    );
    assert!(
        text.contains("option (confluent.message_meta) = { tags:[\"ORDER\"] };"),
        "{text}"
    );
    assert_eq!(second["references"], references, "{second}");
    let missing = server
        .post(
            "/subjects/orders/versions/2/tags",
            json!({"tagsToAdd": [field("Order.nope", &["X"])]}),
        )
        .await;
    missing.assert_error(42201);
    assert_eq!(
        missing.body["message"],
        json!("Invalid schema: No matching Field with name 'nope' found in the schema"),
        "{missing:?}"
    );
    server.stop().await;
}
