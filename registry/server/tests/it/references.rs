//! Schemas that reference types registered under other subjects.

use serde_json::{Value, json};

use crate::support::{TestServer, record};

const MONEY: &str = r#"{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"cents","type":"long"},{"name":"currency","type":"string"}]}"#;

fn order(extra: &str) -> String {
    format!(
        r#"{{"type":"record","name":"Order","namespace":"com.acme","fields":[{{"name":"total","type":"com.acme.Money"}}{extra}]}}"#
    )
}

fn money_ref(version: i64) -> Value {
    json!([{"name": "com.acme.Money", "subject": "money", "version": version}])
}

async fn register_order(
    server: &TestServer,
    subject: &str,
    schema: &str,
    version: i64,
) -> crate::support::Reply {
    server
        .post(
            &format!("/subjects/{subject}/versions"),
            json!({"schema": schema, "references": money_ref(version)}),
        )
        .await
}

#[tokio::test]
async fn references_resolve_and_are_returned() {
    let server = TestServer::start().await;
    assert_eq!(server.register_ok("money", MONEY).await, 1);
    let reply = register_order(&server, "orders", &order(""), 1).await;
    assert_eq!((reply.status, reply.id()), (200, 2), "{reply:?}");
    assert_eq!(reply.body["references"], money_ref(1));
    assert_eq!(
        server.get("/schemas/ids/2").await.body["references"],
        money_ref(1)
    );
    assert_eq!(
        server.get("/subjects/orders/versions/1").await.body["references"],
        money_ref(1)
    );
    assert_eq!(
        server
            .get("/subjects/money/versions/1/referencedby")
            .await
            .body,
        json!([2])
    );
    // The same text without the reference cannot parse.
    server
        .register("orders", &order(""))
        .await
        .assert_error(42201);
    // Version -1 means the latest, stored as the concrete version.
    let latest = register_order(&server, "orders2", &order(""), -1).await;
    assert_eq!(
        (latest.id(), latest.body["references"].clone()),
        (2, money_ref(1))
    );
    // Evolution with references is checked like any other.
    let evolved = order(r#",{"name":"note","type":["null","string"],"default":null}"#);
    assert_eq!(
        register_order(&server, "orders", &evolved, 1).await.status,
        200
    );
    let breaking = order(r#",{"name":"note","type":"string"}"#);
    register_order(&server, "orders", &breaking, 1)
        .await
        .assert_error(40901);
    server.stop().await;
}

#[tokio::test]
async fn missing_references_are_invalid() {
    let server = TestServer::start().await;
    register_order(&server, "orders", &order(""), 1)
        .await
        .assert_error(42201);
    server.register_ok("money", MONEY).await;
    let reply = register_order(&server, "orders", &order(""), 9).await;
    reply.assert_error(42201);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("does not exist"),
        "{reply:?}"
    );
    let bad_shape = server
        .post(
            "/subjects/o/versions",
            json!({"schema": order(""), "references": "money"}),
        )
        .await;
    bad_shape.assert_error(400);
    server.stop().await;
}

#[tokio::test]
async fn referenced_versions_cannot_be_deleted() {
    let server = TestServer::start().await;
    server.register_ok("money", MONEY).await;
    assert_eq!(
        register_order(&server, "orders", &order(""), 1)
            .await
            .status,
        200
    );
    server
        .delete("/subjects/money/versions/1")
        .await
        .assert_error(42206);
    server.delete("/subjects/money").await.assert_error(42206);
    // Once the referencing version is soft-deleted, a soft delete is allowed...
    server.delete("/subjects/orders/versions/1").await;
    assert_eq!(
        server
            .get("/subjects/money/versions/1/referencedby")
            .await
            .body,
        json!([])
    );
    assert_eq!(
        server.delete("/subjects/money/versions/1").await.status,
        200
    );
    // ...and so is a permanent one, as Confluent allows: only live
    // referrers keep a version.
    assert_eq!(
        server
            .delete("/subjects/money/versions/1?permanent=true")
            .await
            .status,
        200
    );
    // The soft-deleted referrer keeps its reference.
    assert_eq!(
        server
            .get("/subjects/orders/versions/1?deleted=true")
            .await
            .body["references"],
        money_ref(1)
    );
    server.stop().await;
}

/// `referencedby` answers for a soft-deleted version and subject (`[]`
/// once the referrers are gone), lists soft-deleted referrers with
/// `deleted=true`, and pages with `offset` and `limit`.
#[tokio::test]
async fn referenced_by_answers_for_deleted_versions_and_pages() {
    let server = TestServer::start().await;
    server.register_ok("money", MONEY).await;
    for (subject, extra) in [
        ("orders", ""),
        ("refunds", r#",{"name":"reason","type":"string"}"#),
        ("invoices", r#",{"name":"number","type":"long"}"#),
    ] {
        let reply = register_order(&server, subject, &order(extra), 1).await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let all = server
        .get("/subjects/money/versions/1/referencedby")
        .await
        .body;
    assert_eq!(all, json!([2, 3, 4]));
    assert_eq!(
        server
            .get("/subjects/money/versions/latest/referencedby?offset=1&limit=1")
            .await
            .body,
        json!([3])
    );
    server.delete("/subjects/refunds").await;
    assert_eq!(
        server
            .get("/subjects/money/versions/1/referencedby")
            .await
            .body,
        json!([2, 4])
    );
    assert_eq!(
        server
            .get("/subjects/money/versions/1/referencedby?deleted=true")
            .await
            .body,
        json!([2, 3, 4])
    );
    for subject in ["orders", "invoices"] {
        server.delete(&format!("/subjects/{subject}")).await;
    }
    server.delete("/subjects/money").await;
    assert_eq!(
        server
            .get("/subjects/money/versions/1/referencedby")
            .await
            .body,
        json!([])
    );
    server
        .get("/subjects/nothing/versions/1/referencedby")
        .await
        .assert_error(40401);
    server.stop().await;
}

#[tokio::test]
async fn references_of_non_named_types_are_invalid() {
    let server = TestServer::start().await;
    server.register_ok("plain", r#""string""#).await;
    let reply = server
        .post(
            "/subjects/r/versions",
            json!({"schema": record("R", r#"{"name":"a","type":"int"}"#), "references": [{"name":"x","subject":"plain","version":1}]}),
        )
        .await;
    reply.assert_error(42201);
    server.stop().await;
}

#[tokio::test]
async fn transitive_references_resolve_within_the_depth_limit() {
    let limits = herald_server::config::Limits {
        max_reference_depth: 2,
        ..Default::default()
    };
    let server = TestServer::start_with_limits(limits).await;
    server.register_ok("money", MONEY).await;
    let price = r#"{"type":"record","name":"Price","namespace":"com.acme","fields":[{"name":"amount","type":"com.acme.Money"}]}"#;
    let price_ref = json!([{"name": "com.acme.Money", "subject": "money", "version": 1}]);
    let reply = server
        .post(
            "/subjects/price/versions",
            json!({"schema": price, "references": price_ref}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // Order names only Price; Money comes in through Price's own reference.
    let order = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"price","type":"com.acme.Price"}]}"#;
    let order_ref = json!([{"name": "com.acme.Price", "subject": "price", "version": 1}]);
    let reply = server
        .post(
            "/subjects/order/versions",
            json!({"schema": order, "references": order_ref.clone()}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // One level more than the limit allows is refused.
    let invoice = r#"{"type":"record","name":"Invoice","namespace":"com.acme","fields":[{"name":"order","type":"com.acme.Order"}]}"#;
    let invoice_ref = json!([{"name": "com.acme.Order", "subject": "order", "version": 1}]);
    let reply = server
        .post(
            "/subjects/invoice/versions",
            json!({"schema": invoice, "references": invoice_ref}),
        )
        .await;
    reply.assert_error(42201);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deeper than the limit"),
        "{reply:?}"
    );
    server.stop().await;
}
