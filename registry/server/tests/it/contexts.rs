//! Contexts: `:.ctx:subject` lives in its own id space.

use serde_json::json;

use crate::support::{TestServer, evolving};

#[tokio::test]
async fn contexts_have_their_own_ids_and_subjects() {
    let server = TestServer::start().await;
    assert_eq!(server.get("/contexts").await.body, json!(["."]));
    assert_eq!(server.register_ok("orders", &evolving("O", 0)).await, 1);
    assert_eq!(server.register_ok("payments", &evolving("P", 0)).await, 2);
    // The same content in another context gets that context's first id.
    let tenant = server.register(":.tenant:orders", &evolving("O", 0)).await;
    assert_eq!((tenant.id(), tenant.body["version"].as_i64()), (1, Some(1)));
    assert_eq!(
        server
            .register_ok(":.tenant:other", &evolving("X", 0))
            .await,
        2
    );
    assert_eq!(server.get("/contexts").await.body, json!([".", ".tenant"]));
    // Ids resolve in the context of the given subject.
    assert_eq!(
        server.get("/schemas/ids/2").await.body["schema"],
        evolving("P", 0)
    );
    assert_eq!(
        server
            .get("/schemas/ids/2?subject=:.tenant:other")
            .await
            .body["schema"],
        evolving("X", 0)
    );
    // Listings.
    assert_eq!(
        server.get("/subjects").await.body,
        json!([":.tenant:orders", ":.tenant:other", "orders", "payments"])
    );
    assert_eq!(
        server.get("/subjects?subjectPrefix=:.tenant:").await.body,
        json!([":.tenant:orders", ":.tenant:other"])
    );
    assert_eq!(
        server
            .get("/subjects?subjectPrefix=:.tenant:oth")
            .await
            .body,
        json!([":.tenant:other"])
    );
    assert_eq!(
        server.get("/subjects?subjectPrefix=pay").await.body,
        json!(["payments"])
    );
    assert_eq!(
        server.get("/subjects?subjectPrefix=:*:o").await.body,
        json!([":.tenant:orders", ":.tenant:other", "orders"])
    );
    assert_eq!(
        server
            .get("/subjects/:.tenant:orders/versions/1")
            .await
            .body["subject"],
        ":.tenant:orders"
    );
    // `:.:name` is the default context.
    assert_eq!(
        server.get("/subjects/:.:orders/versions/1").await.body["subject"],
        "orders"
    );
    server.stop().await;
}

#[tokio::test]
async fn invalid_subject_names_are_42208() {
    let server = TestServer::start().await;
    for bad in [
        "%00bad",
        "tab%09bad",
        ":.bad%20ctx:s",
        ":nodot:s",
        "__GLOBAL",
    ] {
        server
            .register(bad, &evolving("B", 0))
            .await
            .assert_error(42208);
    }
    server.stop().await;
}
