//! Subject aliases (`PUT /config/{s}` with `alias`): reads and writes
//! addressed to the alias reach the target subject, as Confluent's alias
//! filter makes them; the alias's own config stays addressable.

use serde_json::json;

use crate::support::{TestServer, evolving};

#[tokio::test]
async fn reads_and_writes_to_an_alias_reach_its_target() {
    let server = TestServer::start().await;
    server.register_ok("orders-value", &evolving("O", 0)).await;
    let set = server
        .put("/config/orders", json!({"alias": "orders-value"}))
        .await;
    assert_eq!(set.body, json!({"alias": "orders-value"}), "{set:?}");
    assert_eq!(
        server.get("/config/orders").await.body,
        json!({"alias": "orders-value"})
    );
    assert_eq!(
        server.get("/subjects/orders/versions").await.body,
        json!([1])
    );
    assert_eq!(
        server.get("/subjects/orders/versions/latest").await.body["subject"],
        json!("orders-value")
    );
    // A registration through the alias is a version of the target.
    let registered = server.register("orders", &evolving("O", 1)).await;
    assert_eq!(registered.body["version"], json!(2), "{registered:?}");
    assert_eq!(
        server.get("/subjects/orders-value/versions").await.body,
        json!([1, 2])
    );
    let found = server
        .post("/subjects/orders", json!({"schema": evolving("O", 0)}))
        .await;
    assert_eq!(
        (found.body["subject"].clone(), found.body["version"].clone()),
        (json!("orders-value"), json!(1))
    );
    let verdict = server
        .post(
            "/compatibility/subjects/orders/versions/latest",
            json!({"schema": evolving("O", 2)}),
        )
        .await;
    assert_eq!(verdict.body["is_compatible"], json!(true), "{verdict:?}");
    // Only the target exists as a subject.
    assert_eq!(server.get("/subjects").await.body, json!(["orders-value"]));
    // A soft delete through the alias deletes the target's version.
    assert_eq!(
        server.delete("/subjects/orders/versions/2").await.body,
        json!(2)
    );
    assert_eq!(
        server.get("/subjects/orders-value/versions").await.body,
        json!([1])
    );
    // Removing the alias makes `orders` a subject of its own (none yet).
    server.put("/config/orders", json!({"alias": ""})).await;
    server
        .get("/subjects/orders/versions")
        .await
        .assert_error(40401);
    server.stop().await;
}

#[tokio::test]
async fn an_alias_in_a_context_targets_that_context() {
    let server = TestServer::start().await;
    server.register_ok(":.t:payments", &evolving("P", 0)).await;
    server
        .put("/config/:.t:pay", json!({"alias": "payments"}))
        .await;
    assert_eq!(
        server.get("/subjects/:.t:pay/versions/1").await.body["subject"],
        json!(":.t:payments")
    );
    // Through the context URL form as well.
    assert_eq!(
        server.get("/contexts/.t/subjects/pay/versions").await.body,
        json!([1])
    );
    // An alias in the default context does not leak into another one.
    server
        .get("/subjects/pay/versions")
        .await
        .assert_error(40401);
    server.stop().await;
}
