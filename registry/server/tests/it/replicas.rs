//! Two registries (replicas) in one process on one PostgreSQL database:
//! what one writes, the other reads at once (by id and latest); a
//! permanent deletion on one reaches the other's cache; the other's change
//! feed carries it.

use std::time::Duration;

use herald_server::config::Limits;
use herald_server::grpc::pb;
use herald_testing::TestDatabase;
use serde_json::json;

use crate::grpc::next_change;
use crate::support::{TestServer, evolving};

#[tokio::test]
async fn replicas_on_one_database_see_each_others_writes() {
    let database = TestDatabase::postgres().await;
    let first = TestServer::start_on(&database, Limits::default()).await;
    let second = TestServer::start_on(&database, Limits::default()).await;

    let mut feed = pb::registry_client::RegistryClient::connect(second.grpc_base.clone())
        .await
        .expect("gRPC connects")
        .watch_subjects(pb::WatchSubjectsRequest {
            after_sequence: 0,
            subject_prefix: String::new(),
        })
        .await
        .expect("watching")
        .into_inner();

    let id = first.register_ok("orders", &evolving("O", 0)).await;
    // Reads by id and latest on the other replica see it at once.
    let by_id = second.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id.body["schema"], evolving("O", 0));
    assert_eq!(
        second.get("/subjects/orders/versions/latest").await.body["version"],
        1
    );
    let newer = first.register_ok("orders", &evolving("O", 1)).await;
    let latest = second.get("/subjects/orders/versions/latest").await;
    assert_eq!(
        (latest.body["version"].clone(), latest.id()),
        (json!(2), newer)
    );
    // Versions and ids continue across replicas.
    let third = second.register_ok("orders", &evolving("O", 2)).await;
    assert_eq!(third, newer + 1);

    // The other replica's feed carries the first replica's changes.
    let change = next_change(&mut feed).await;
    assert_eq!(
        (change.kind(), change.subject.as_str(), change.version),
        (pb::ChangeKind::Registered, "orders", 1)
    );

    // A schema deleted for good on one replica stops being served by the
    // other, whose cache held it (within its follow delay).
    let scratch = first.register_ok("scratch", r#""bytes""#).await;
    assert_eq!(
        second.get(&format!("/schemas/ids/{scratch}")).await.status,
        200
    );
    first.delete("/subjects/scratch").await;
    first.delete("/subjects/scratch?permanent=true").await;
    let mut status = 200;
    for _ in 0..100 {
        status = second.get(&format!("/schemas/ids/{scratch}")).await.status;
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 404, "the other replica forgot the deleted schema");

    second.stop().await;
    first.stop().await;
}
