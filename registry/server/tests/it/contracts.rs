//! Data contracts: `metadata` and `ruleSet` with a schema, as Confluent
//! stores, inherits and finds them.

use serde_json::{Value, json};

use crate::support::{TestServer, evolving};

fn cel(name: &str, expr: &str) -> Value {
    json!({"domainRules": [{"name": name, "kind": "CONDITION", "mode": "WRITE",
        "type": "CEL", "expr": expr, "onFailure": "ERROR", "disabled": false}]})
}

#[tokio::test]
async fn rule_sets_are_stored_returned_and_part_of_identity() {
    let server = TestServer::start().await;
    let rules = cel("positive", "message.id > 0");
    let registered = server
        .post(
            "/subjects/orders/versions",
            json!({"schema": evolving("O", 0), "ruleSet": rules,
                   "metadata": {"properties": {"owner": "shop"}}}),
        )
        .await;
    assert_eq!(registered.body["ruleSet"], rules, "{registered:?}");
    let id = registered.id();
    for path in [
        format!("/schemas/ids/{id}"),
        "/subjects/orders/versions/1".to_owned(),
    ] {
        assert_eq!(server.get(&path).await.body["ruleSet"], rules, "{path}");
    }
    let found = server
        .post(
            "/subjects/orders",
            json!({"schema": evolving("O", 0), "ruleSet": rules,
                   "metadata": {"properties": {"owner": "shop"}}}),
        )
        .await;
    assert_eq!(found.body["ruleSet"], rules, "{found:?}");
    // Other rules make other content: a new version and id.
    let other = server
        .post(
            "/subjects/orders/versions",
            json!({"schema": evolving("O", 0), "ruleSet": cel("small", "message.id < 10")}),
        )
        .await;
    assert_eq!(
        (other.body["version"].clone(), other.id() != id),
        (json!(2), true),
        "{other:?}"
    );
    // `ruleType` filters `GET /schemas`.
    let cel_schemas = server.get("/schemas?ruleType=CEL").await.body;
    assert_eq!(cel_schemas.as_array().map(Vec::len), Some(2));
    assert_eq!(
        server.get("/schemas?ruleType=JSONATA").await.body,
        json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn registrations_inherit_the_latest_contract() {
    let server = TestServer::start().await;
    let rules = cel("positive", "message.id > 0");
    let metadata = json!({"properties": {"owner": "shop"}});
    server
        .post(
            "/subjects/orders/versions",
            json!({"schema": evolving("O", 0), "ruleSet": rules, "metadata": metadata}),
        )
        .await;
    // No metadata and no rules: the latest version's.
    let second = server.register("orders", &evolving("O", 1)).await;
    assert_eq!(
        (
            second.body["metadata"].clone(),
            second.body["ruleSet"].clone()
        ),
        (metadata.clone(), rules.clone()),
        "{second:?}"
    );
    // The same text again, without a contract: the same version.
    assert_eq!(
        server.register("orders", &evolving("O", 1)).await.body["version"],
        json!(2)
    );
    // `{}` is not none: it takes nothing.
    let bare = server
        .post(
            "/subjects/orders/versions",
            json!({"schema": evolving("O", 2), "metadata": {}, "ruleSet": {}}),
        )
        .await;
    assert_eq!(
        (bare.body.get("metadata"), bare.body.get("ruleSet")),
        (None, None),
        "{bare:?}"
    );
    // No schema at all: the latest text with the new contract.
    let contract_only = server
        .post(
            "/subjects/orders/versions",
            json!({"ruleSet": cel("tiny", "message.id < 3")}),
        )
        .await;
    assert_eq!(contract_only.body["version"], json!(4), "{contract_only:?}");
    assert_eq!(contract_only.body["schema"], json!(evolving("O", 2)));
    server.stop().await;
}

#[tokio::test]
async fn the_latest_version_with_metadata_is_found() {
    let server = TestServer::start().await;
    for (step, owner, tier) in [
        (0, "shop", "gold"),
        (1, "shop", "silver"),
        (2, "billing", "gold"),
    ] {
        server
            .post(
                "/subjects/orders/versions",
                json!({"schema": evolving("O", step),
                       "metadata": {"properties": {"owner": owner, "tier": tier}}}),
            )
            .await;
    }
    let version_of = |query: &'static str| {
        let server = &server;
        async move {
            server
                .get(&format!("/subjects/orders/metadata?{query}"))
                .await
                .body["version"]
                .clone()
        }
    };
    assert_eq!(version_of("key=owner&value=shop").await, json!(2));
    assert_eq!(
        version_of("key=owner&value=shop&key=tier&value=gold").await,
        json!(1)
    );
    assert_eq!(version_of("key=tier&value=gold").await, json!(3));
    assert_eq!(version_of("").await, json!(3));
    server
        .get("/subjects/orders/metadata?key=owner&value=nobody")
        .await
        .assert_error(40403);
    server
        .get("/subjects/unknown/metadata?key=owner&value=shop")
        .await
        .assert_error(40401);
    // Soft-deleted versions with `deleted=true`.
    server.delete("/subjects/orders/versions/3").await;
    assert_eq!(version_of("key=owner&value=billing").await, Value::Null);
    assert_eq!(
        version_of("key=owner&value=billing&deleted=true").await,
        json!(3)
    );
    server.stop().await;
}

/// `defaultMetadata`/`defaultRuleSet` go under a registration's own,
/// `overrideMetadata`/`overrideRuleSet` over it, as Confluent merges them
/// (properties and tags of the upper one win; rules replace same-named
/// ones and follow the others).
#[tokio::test]
async fn config_defaults_and_overrides_merge_into_registrations() {
    let server = TestServer::start().await;
    let config = json!({
        "defaultMetadata": {"properties": {"owner": "platform", "tier": "bronze"}},
        "overrideMetadata": {"properties": {"tier": "gold"}},
        "defaultRuleSet": cel("positive", "message.id > 0"),
        "overrideRuleSet": cel("audited", "true"),
    });
    let set = server.put("/config/orders", config.clone()).await;
    assert_eq!(set.status, 200, "{set:?}");
    let read = server.get("/config/orders").await.body;
    assert_eq!(read["overrideRuleSet"], config["overrideRuleSet"], "{read}");
    let registered = server
        .post(
            "/subjects/orders/versions",
            json!({"schema": evolving("O", 0),
                   "metadata": {"properties": {"owner": "shop", "tier": "silver"}},
                   "ruleSet": cel("positive", "message.id > 1")}),
        )
        .await;
    assert_eq!(
        registered.body["metadata"],
        json!({"properties": {"owner": "shop", "tier": "gold"}}),
        "{registered:?}"
    );
    let names: Vec<_> = registered.body["ruleSet"]["domainRules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| (rule["name"].clone(), rule["expr"].clone()))
        .collect();
    assert_eq!(
        names,
        [
            (json!("positive"), json!("message.id > 1")),
            (json!("audited"), json!("true"))
        ]
    );
    // A registration without a contract gets the defaults and overrides.
    let bare = server.register("payments", &evolving("P", 0)).await;
    assert_eq!(bare.body.get("metadata"), None, "{bare:?}");
    server.stop().await;
}

/// `validateFields`: stored and returned, and with it a JSON Schema's
/// top-level property names may not start with `$$`, as Confluent's strict
/// validation refuses them.
#[tokio::test]
async fn validate_fields_refuses_reserved_json_field_names() {
    let server = TestServer::start().await;
    let dollars = r#"{"type":"object","properties":{"$$id":{"type":"string"}}}"#;
    let register = |subject: &'static str| {
        let server = &server;
        async move {
            server
                .post(
                    &format!("/subjects/{subject}/versions"),
                    json!({"schema": dollars, "schemaType": "JSON"}),
                )
                .await
        }
    };
    assert_eq!(register("loose").await.status, 200);
    let set = server
        .put("/config/strict", json!({"validateFields": true}))
        .await;
    assert_eq!(set.body, json!({"validateFields": true}), "{set:?}");
    assert_eq!(
        server.get("/config/strict").await.body,
        json!({"validateFields": true})
    );
    let refused = register("strict").await;
    refused.assert_error(42201);
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("$$ prefix")),
        "{refused:?}"
    );
    server.stop().await;
}
