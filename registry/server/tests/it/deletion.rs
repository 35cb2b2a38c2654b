//! Soft and permanent deletion of subjects and versions.

use serde_json::json;

use crate::support::{TestServer, evolving};

#[tokio::test]
async fn subject_deletion_is_soft_then_permanent() {
    let server = TestServer::start().await;
    server.register_ok("d", &evolving("D", 0)).await;
    server.register_ok("d", &evolving("D", 1)).await;
    // Permanent first is refused.
    server
        .delete("/subjects/d?permanent=true")
        .await
        .assert_error(40405);
    assert_eq!(server.delete("/subjects/d").await.body, json!([1, 2]));
    server.delete("/subjects/d").await.assert_error(40404);
    server.get("/subjects/d/versions").await.assert_error(40401);
    assert_eq!(server.get("/subjects").await.body, json!([]));
    assert_eq!(
        server.get("/subjects?deleted=true").await.body,
        json!(["d"])
    );
    // Ids stay readable after a soft delete.
    assert_eq!(server.get("/schemas/ids/1").await.status, 200);
    assert_eq!(
        server.delete("/subjects/d?permanent=true").await.body,
        json!([1, 2])
    );
    assert_eq!(server.get("/subjects?deleted=true").await.body, json!([]));
    server.get("/schemas/ids/1").await.assert_error(40403);
    server.delete("/subjects/d").await.assert_error(40401);
    // A new subject of the same name starts again at version 1.
    assert_eq!(
        server.register("d", &evolving("D", 5)).await.body["version"],
        1
    );
    server.stop().await;
}

#[tokio::test]
async fn version_deletion_is_soft_then_permanent() {
    let server = TestServer::start().await;
    server.register_ok("d", &evolving("D", 0)).await;
    server.register_ok("d", &evolving("D", 1)).await;
    server
        .delete("/subjects/d/versions/1?permanent=true")
        .await
        .assert_error(40407);
    assert_eq!(server.delete("/subjects/d/versions/1").await.body, json!(1));
    server
        .delete("/subjects/d/versions/1")
        .await
        .assert_error(40406);
    assert_eq!(
        server
            .delete("/subjects/d/versions/1?permanent=true")
            .await
            .body,
        json!(1)
    );
    server
        .delete("/subjects/d/versions/1?permanent=true")
        .await
        .assert_error(40402);
    assert_eq!(
        server.get("/subjects/d/versions?deleted=true").await.body,
        json!([2])
    );
    server
        .delete("/subjects/d/versions/9")
        .await
        .assert_error(40402);
    server
        .delete("/subjects/d/versions/zero")
        .await
        .assert_error(42202);
    server
        .delete("/subjects/nobody/versions/1")
        .await
        .assert_error(40401);
    // `latest` deletes the newest live version.
    assert_eq!(
        server.delete("/subjects/d/versions/latest").await.body,
        json!(2)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_schema_used_elsewhere_survives_permanent_deletion() {
    let server = TestServer::start().await;
    let shared = evolving("S", 0);
    server.register_ok("one", &shared).await;
    server.register_ok("two", &shared).await;
    server.delete("/subjects/one").await;
    server.delete("/subjects/one?permanent=true").await;
    assert_eq!(server.get("/schemas/ids/1").await.status, 200);
    assert_eq!(
        server.get("/schemas/ids/1/subjects").await.body,
        json!(["two"])
    );
    server.stop().await;
}
