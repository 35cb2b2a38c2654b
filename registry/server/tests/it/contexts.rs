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
        "__GLOBAL",
        "__EMPTY",
        ":.t:__GLOBAL",
        ":*:s",
    ] {
        server
            .register(bad, &evolving("B", 0))
            .await
            .assert_error(42208);
    }
    server.stop().await;
}

/// Confluent's reading of unusual names: one that does not start with
/// `:.` is a plain name of the default context (`::`, `:abc:x`), and
/// `:.ctx` (no closing colon) is the context alone, as `:.ctx:` is.
#[tokio::test]
async fn unusual_qualified_names_as_confluent_reads_them() {
    let server = TestServer::start().await;
    for plain in ["::", ":abc:x"] {
        let reply = server.register(plain, &evolving("P", 0)).await;
        assert_eq!(reply.status, 200, "{plain}: {reply:?}");
    }
    assert_eq!(
        server.get("/subjects?subjectPrefix=:").await.body,
        json!(["::", ":abc:x"])
    );
    assert_eq!(server.get("/subjects/::/versions").await.body, json!([1]));
    // The context alone, with or without its closing colon: its config.
    server
        .put("/config/:.ctx", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(
        server.get("/config/:.ctx:").await.body["compatibilityLevel"],
        json!("NONE")
    );
    // No subject in it: registering there is refused.
    server
        .register(":.ctx:", &evolving("C", 0))
        .await
        .assert_error(42208);
    server.stop().await;
}

/// The `/contexts/{ctx}/...` URL forms reach the same routes with the
/// context in the subject, as Confluent's context filter rewrites them.
#[tokio::test]
async fn context_urls_address_the_context() {
    let server = TestServer::start().await;
    server.register_ok("orders", &evolving("D", 0)).await;
    let registered = server
        .post(
            "/contexts/.tenant/subjects/orders/versions",
            json!({"schema": evolving("O", 0)}),
        )
        .await;
    assert_eq!((registered.status, registered.id()), (200, 1));
    assert_eq!(
        server.get("/subjects/:.tenant:orders/versions").await.body,
        json!([1])
    );
    assert_eq!(
        server.get("/contexts/.tenant/subjects").await.body,
        json!([":.tenant:orders"])
    );
    assert_eq!(
        server
            .get("/contexts/.tenant/subjects/orders/versions/latest")
            .await
            .body["schema"],
        evolving("O", 0)
    );
    // Ids are the context's own.
    assert_eq!(
        server.get("/contexts/.tenant/schemas/ids/1").await.body["schema"],
        evolving("O", 0)
    );
    assert_eq!(
        server.get("/schemas/ids/1").await.body["schema"],
        evolving("D", 0)
    );
    assert_eq!(
        server
            .get("/contexts/.tenant/schemas/ids/1/subjects")
            .await
            .body,
        json!([":.tenant:orders"])
    );
    let listed = server.get("/contexts/.tenant/schemas").await.body;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    // Config and mode of the context, and of a subject in it.
    let put = server
        .put("/contexts/.tenant/config", json!({"compatibility": "NONE"}))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    assert_eq!(
        server.get("/config/:.tenant:").await.body["compatibilityLevel"],
        json!("NONE")
    );
    server
        .put(
            "/contexts/.tenant/config/orders",
            json!({"compatibility": "FULL"}),
        )
        .await;
    assert_eq!(
        server.get("/config/:.tenant:orders").await.body["compatibilityLevel"],
        json!("FULL")
    );
    server
        .put("/contexts/.tenant/mode", json!({"mode": "READONLY"}))
        .await;
    assert_eq!(
        server.get("/mode/:.tenant:").await.body,
        json!({"mode": "READONLY"})
    );
    server
        .register(":.tenant:orders", &evolving("O", 1))
        .await
        .assert_error(42205);
    server
        .put("/mode/:.tenant:", json!({"mode": "READWRITE"}))
        .await;
    let compatible = server
        .post(
            "/contexts/.tenant/compatibility/subjects/orders/versions/latest",
            json!({"schema": evolving("O", 1)}),
        )
        .await;
    assert_eq!(
        compatible.body["is_compatible"],
        json!(true),
        "{compatible:?}"
    );
    // The default context is no prefix; a colon inside a context is 400.
    assert_eq!(
        server
            .get("/contexts/:.:/subjects/orders/versions")
            .await
            .body,
        json!([1])
    );
    server
        .get("/contexts/.a:b/subjects")
        .await
        .assert_error(400);
    server.stop().await;
}

/// Unqualified subjects fall back across contexts as Confluent's
/// `getUsingContexts` and `getSchemaKeyUsingContexts` do.
#[tokio::test]
async fn unqualified_lookups_fall_back_across_contexts() {
    let server = TestServer::start().await;
    server.register_ok("payments", &evolving("P", 0)).await;
    server.register_ok(":.b:orders", &evolving("B", 0)).await;
    server.register_ok(":.a:orders", &evolving("A", 0)).await;
    // A version of a subject the default context lacks: the first context
    // (by name) that has it.
    let found = server.get("/subjects/orders/versions/1").await;
    assert_eq!(
        (found.body["subject"].clone(), found.body["schema"].clone()),
        (json!(":.a:orders"), json!(evolving("A", 0)))
    );
    server
        .get("/subjects/nobody/versions/1")
        .await
        .assert_error(40401);
    let by_id = |query: &'static str| {
        let server = &server;
        async move { server.get(&format!("/schemas/ids/1{query}")).await.body["schema"].clone() }
    };
    assert_eq!(by_id("?subject=payments").await, json!(evolving("P", 0)));
    assert_eq!(by_id("?subject=orders").await, json!(evolving("A", 0)));
    assert_eq!(by_id("?subject=nobody").await, json!(evolving("P", 0)));
    assert_eq!(by_id("?subject=:.b:orders").await, json!(evolving("B", 0)));
    assert_eq!(by_id("?subject=:.b:").await, json!(evolving("B", 0)));
    // A qualified subject must hold the id in its context.
    server
        .get("/schemas/ids/1?subject=:.b:other")
        .await
        .assert_error(40403);
    server.stop().await;
}
