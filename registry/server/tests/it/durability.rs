//! Restarts lose nothing; concurrent registrations stay consistent.

use std::collections::HashSet;
use std::sync::Arc;

use herald_server::config::Limits;
use serde_json::json;

use crate::support::{TestServer, evolving, record};
use herald_testing::TestDatabase;

#[tokio::test]
async fn a_restart_keeps_everything() {
    let database = TestDatabase::create().await;
    let server = TestServer::start_on(&database, Limits::default()).await;
    for step in 0..3 {
        server.register_ok("kept", &evolving("K", step)).await;
    }
    server
        .put("/config/kept", json!({"compatibility": "FULL"}))
        .await;
    server
        .put("/mode/frozen", json!({"mode": "READONLY"}))
        .await;
    server.delete("/subjects/kept/versions/3").await;
    server.stop().await;

    let server = TestServer::start_on(&database, Limits::default()).await;
    assert_eq!(
        server.get("/subjects/kept/versions").await.body,
        json!([1, 2])
    );
    assert_eq!(
        server
            .get("/subjects/kept/versions?deleted=true")
            .await
            .body,
        json!([1, 2, 3])
    );
    assert_eq!(
        server.get("/schemas/ids/2").await.body["schema"],
        evolving("K", 1)
    );
    assert_eq!(
        server.get("/config/kept").await.body["compatibilityLevel"],
        "FULL"
    );
    assert_eq!(server.get("/mode/frozen").await.body["mode"], "READONLY");
    // Numbering continues: the next id is 4 and the next version 4.
    let next = server.register("kept", &evolving("K", 3)).await;
    assert_eq!((next.id(), next.body["version"].as_i64()), (4, Some(4)));
    server.stop().await;
}

#[tokio::test]
async fn concurrent_registrations_get_distinct_consecutive_versions() {
    let server = Arc::new(TestServer::start().await);
    server
        .register_ok("busy", &record("Busy", r#"{"name":"id","type":"long"}"#))
        .await;
    let mut tasks = Vec::new();
    for task in 0..16 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            // Even tasks add an optional field (compatible); odd tasks change
            // the type of `id` (incompatible with every version).
            let schema = if task % 2 == 0 {
                record("Busy", &format!(r#"{{"name":"id","type":"long"}},{{"name":"t{task}","type":["null","int"],"default":null}}"#))
            } else {
                record("Busy", &format!(r#"{{"name":"id","type":"boolean"}},{{"name":"t{task}","type":"int","default":0}}"#))
            };
            (task, server.register("busy", &schema).await)
        }));
    }
    let mut versions = Vec::new();
    let mut ids = HashSet::new();
    for task in tasks {
        let (task, reply) = task.await.expect("task completes");
        if task % 2 == 0 {
            assert_eq!(reply.status, 200, "{reply:?}");
            versions.push(reply.body["version"].as_i64().unwrap_or_default());
            assert!(ids.insert(reply.id()), "ids are distinct");
        } else {
            reply.assert_error(40901);
        }
    }
    versions.sort_unstable();
    assert_eq!(versions, (2..=9).collect::<Vec<i64>>());
    let listed = server.get("/subjects/busy/versions").await.body;
    assert_eq!(listed, json!((1..=9).collect::<Vec<i64>>()));
    for version in 1..=9 {
        let schema = server
            .get(&format!("/subjects/busy/versions/{version}"))
            .await
            .body["schema"]
            .clone();
        assert!(
            !schema.as_str().unwrap_or_default().contains("boolean"),
            "incompatible schema admitted: {schema}"
        );
    }
    match Arc::try_unwrap(server) {
        Ok(server) => server.stop().await,
        Err(_) => panic!("all tasks have finished"),
    }
}
