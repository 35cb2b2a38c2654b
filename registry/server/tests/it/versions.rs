//! Versions: reading, `latest`, numbering across soft deletes, raw schemas.

use serde_json::json;

use crate::support::{MEDIA_TYPE, TestServer, evolving};

#[tokio::test]
async fn versions_are_listed_and_read() {
    let server = TestServer::start().await;
    for step in 0..3 {
        server.register_ok("v", &evolving("V", step)).await;
    }
    assert_eq!(
        server.get("/subjects/v/versions").await.body,
        json!([1, 2, 3])
    );
    let two = server.get("/subjects/v/versions/2").await;
    assert_eq!(two.body["subject"], "v");
    assert_eq!(two.body["version"], 2);
    assert_eq!(two.body["id"], 2);
    assert_eq!(two.body["schema"], evolving("V", 1));
    assert!(
        two.body.get("schemaType").is_none(),
        "AVRO is implied: {two:?}"
    );
    assert!(
        two.body.get("references").is_none(),
        "empty lists are omitted"
    );
    for latest in ["latest", "-1"] {
        assert_eq!(
            server
                .get(&format!("/subjects/v/versions/{latest}"))
                .await
                .body["version"],
            3
        );
    }
    let raw = server.get("/subjects/v/versions/1/schema").await;
    assert_eq!((raw.status, raw.text.clone()), (200, evolving("V", 0)));
    assert_eq!(raw.content_type, MEDIA_TYPE);
    server.stop().await;
}

#[tokio::test]
async fn bad_versions_and_unknown_subjects() {
    let server = TestServer::start().await;
    server.register_ok("v", &evolving("V", 0)).await;
    for bad in ["0", "-2", "abc", "2147483648", "1.5"] {
        server
            .get(&format!("/subjects/v/versions/{bad}"))
            .await
            .assert_error(42202);
    }
    server
        .get("/subjects/v/versions/2147483647")
        .await
        .assert_error(40402);
    server
        .get("/subjects/v/versions/7")
        .await
        .assert_error(40402);
    server
        .get("/subjects/nope/versions")
        .await
        .assert_error(40401);
    server
        .get("/subjects/nope/versions/1")
        .await
        .assert_error(40401);
    server
        .get("/subjects/nope/versions/latest/schema")
        .await
        .assert_error(40401);
    server.stop().await;
}

#[tokio::test]
async fn soft_deleted_versions_keep_their_numbers() {
    let server = TestServer::start().await;
    server.register_ok("v", &evolving("V", 0)).await;
    server.register_ok("v", &evolving("V", 1)).await;
    assert_eq!(server.delete("/subjects/v/versions/2").await.body, json!(2));
    // latest skips the deleted version; the list hides it unless asked.
    assert_eq!(
        server.get("/subjects/v/versions/latest").await.body["version"],
        1
    );
    assert_eq!(server.get("/subjects/v/versions").await.body, json!([1]));
    assert_eq!(
        server.get("/subjects/v/versions?deleted=true").await.body,
        json!([1, 2])
    );
    server
        .get("/subjects/v/versions/2")
        .await
        .assert_error(40402);
    assert_eq!(
        server.get("/subjects/v/versions/2?deleted=true").await.body["version"],
        2
    );
    // The schema stays readable by id.
    assert_eq!(
        server.get("/schemas/ids/2").await.body["schema"],
        evolving("V", 1)
    );
    // A new registration gets version 3, never 2 again.
    let third = server.register("v", &evolving("V", 2)).await;
    assert_eq!(third.body["version"], 3);
    // Registering the soft-deleted schema again makes a new version, and
    // the soft-deleted version that held it is removed, as Confluent does.
    let again = server.register("v", &evolving("V", 1)).await;
    assert_eq!((again.id(), again.body["version"].as_i64()), (2, Some(4)));
    assert_eq!(
        server.get("/subjects/v/versions?deleted=true").await.body,
        json!([1, 3, 4])
    );
    server
        .get("/subjects/v/versions/2?deleted=true")
        .await
        .assert_error(40402);
    server.stop().await;
}

/// The version listings and `latest` as Confluent answers them:
/// `deletedOnly`, `deletedAsNegative`, paging, `latest` in any case, and
/// `latest` meaning the newest live version even with `deleted=true`.
#[tokio::test]
async fn version_listings_and_latest_as_confluent() {
    let server = TestServer::start().await;
    for n in 0..3 {
        server.register_ok("v", &evolving("V", n)).await;
    }
    server.delete("/subjects/v/versions/3").await;
    server.delete("/subjects/v/versions/1").await;
    let list = |query: &'static str| {
        let server = &server;
        async move {
            server
                .get(&format!("/subjects/v/versions{query}"))
                .await
                .body
        }
    };
    assert_eq!(list("").await, json!([2]));
    assert_eq!(list("?deletedOnly=true").await, json!([1, 3]));
    assert_eq!(list("?deleted=true&deletedOnly=true").await, json!([1, 3]));
    assert_eq!(list("?deletedAsNegative=true").await, json!([-1, 2, -3]));
    assert_eq!(list("?deleted=true&offset=1&limit=1").await, json!([2]));
    for latest in ["latest", "LATEST", "Latest", "-1"] {
        assert_eq!(
            server
                .get(&format!("/subjects/v/versions/{latest}?deleted=true"))
                .await
                .body["version"],
            2,
            "{latest}"
        );
    }
    server.delete("/subjects/v/versions/2").await;
    // Every version deleted: the subject is gone for plain reads, and with
    // `deleted=true` there is no latest live version.
    server
        .get("/subjects/v/versions/latest")
        .await
        .assert_error(40401);
    server
        .get("/subjects/v/versions/latest?deleted=true")
        .await
        .assert_error(40402);
    assert_eq!(list("?deletedOnly=true").await, json!([1, 2, 3]));
    server.get("/subjects/v/versions").await.assert_error(40401);
    server.stop().await;
}
