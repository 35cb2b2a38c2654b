//! `GET /subjects`, `GET /schemas` and the by-id listings with their parameters.

use serde_json::{Value, json};

use crate::support::{TestServer, evolving};

fn field(list: &Value, key: &str) -> Vec<Value> {
    list.as_array()
        .map(|items| items.iter().map(|i| i[key].clone()).collect())
        .unwrap_or_default()
}

async fn three_subjects(server: &TestServer) {
    server.register_ok("alpha", &evolving("A", 0)).await;
    server.register_ok("alpha", &evolving("A", 1)).await;
    server.register_ok("beta", &evolving("B", 0)).await;
    server.register_ok("gamma", &evolving("A", 0)).await;
    server.delete("/subjects/gamma").await;
}

#[tokio::test]
async fn subjects_listing_parameters() {
    let server = TestServer::start().await;
    three_subjects(&server).await;
    assert_eq!(server.get("/subjects").await.body, json!(["alpha", "beta"]));
    assert_eq!(
        server.get("/subjects?deleted=true").await.body,
        json!(["alpha", "beta", "gamma"])
    );
    assert_eq!(
        server.get("/subjects?deletedOnly=true").await.body,
        json!(["gamma"])
    );
    assert_eq!(
        server.get("/subjects?subjectPrefix=al").await.body,
        json!(["alpha"])
    );
    assert_eq!(server.get("/subjects?offset=1").await.body, json!(["beta"]));
    assert_eq!(server.get("/subjects?limit=1").await.body, json!(["alpha"]));
    assert_eq!(
        server
            .get("/subjects?deleted=true&offset=1&limit=1")
            .await
            .body,
        json!(["beta"])
    );
    server.stop().await;
}

#[tokio::test]
async fn schemas_listing_parameters() {
    let server = TestServer::start().await;
    three_subjects(&server).await;
    let all = server.get("/schemas").await.body;
    assert_eq!(
        field(&all, "subject"),
        vec![json!("alpha"), json!("alpha"), json!("beta")]
    );
    assert_eq!(field(&all, "version"), vec![json!(1), json!(2), json!(1)]);
    assert_eq!(field(&all, "id"), vec![json!(1), json!(2), json!(3)]);
    assert_eq!(all[0]["schema"], evolving("A", 0));
    let latest = server.get("/schemas?latestOnly=true").await.body;
    assert_eq!(field(&latest, "version"), vec![json!(2), json!(1)]);
    let with_deleted = server
        .get("/schemas?deleted=true&subjectPrefix=gam")
        .await
        .body;
    assert_eq!(field(&with_deleted, "subject"), vec![json!("gamma")]);
    let page = server.get("/schemas?offset=1&limit=1").await.body;
    assert_eq!(field(&page, "id"), vec![json!(2)]);
    server.stop().await;
}

/// The subjects and versions of an id come in the order Confluent lists
/// them: its Java map's, not by name or by registration (recorded with
/// OpenJDK's ConcurrentHashMap for these names).
#[tokio::test]
async fn ids_list_their_subjects_in_confluents_order() {
    let server = TestServer::start().await;
    for subject in ["orders-value", "payments-value", "a", "b"] {
        server.register_ok(subject, &evolving("S", 0)).await;
    }
    let java_order = json!(["payments-value", "a", "b", "orders-value"]);
    assert_eq!(server.get("/schemas/ids/1/subjects").await.body, java_order);
    let versions = server.get("/schemas/ids/1/versions").await.body;
    let subjects: Vec<_> = versions
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v["subject"].clone())
        .collect();
    assert_eq!(json!(subjects), java_order);
    server.stop().await;
}

#[tokio::test]
async fn by_id_listings_and_parameters() {
    let server = TestServer::start().await;
    three_subjects(&server).await;
    assert_eq!(
        server.get("/schemas/ids/1/subjects").await.body,
        json!(["alpha"])
    );
    assert_eq!(
        server
            .get("/schemas/ids/1/subjects?deleted=true")
            .await
            .body,
        json!(["alpha", "gamma"])
    );
    assert_eq!(
        server.get("/schemas/ids/1/versions").await.body,
        json!([{"subject": "alpha", "version": 1}])
    );
    assert_eq!(
        server
            .get("/schemas/ids/1/versions?deleted=true")
            .await
            .body,
        json!([{"subject": "alpha", "version": 1}, {"subject": "gamma", "version": 1}])
    );
    server
        .get("/schemas/ids/42/subjects")
        .await
        .assert_error(40403);
    server
        .get("/schemas/ids/42/versions")
        .await
        .assert_error(40403);
    let with_max = server.get("/schemas/ids/1?fetchMaxId=true").await;
    assert_eq!(with_max.body["maxId"], 3);
    assert!(
        server
            .get("/schemas/ids/1")
            .await
            .body
            .get("maxId")
            .is_none()
    );
    assert_eq!(
        server.get("/schemas/ids/1?format=resolved").await.body["schema"],
        evolving("A", 0)
    );
    let raw = server.get("/schemas/ids/3/schema").await;
    assert_eq!((raw.status, raw.text.clone()), (200, evolving("B", 0)));
    server
        .get("/schemas/ids/42/schema")
        .await
        .assert_error(40403);
    server.stop().await;
}
