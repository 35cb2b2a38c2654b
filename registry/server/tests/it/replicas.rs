//! Two registries (replicas) in one process on one PostgreSQL database:
//! what one writes it reads at once; the other reads it within its change
//! feed's delay (by id at once; the latest version, lookups,
//! re-registrations and aliases, which it remembers, once its feed brings
//! the change); nothing stale is served after a deletion, a config or a
//! mode change; the other's change feed carries the changes.

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
    // A read by id on the other replica sees it at once, the latest version
    // within the feed's delay.
    let by_id = second.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(by_id.body["schema"], evolving("O", 0));
    let latest = eventually(&second, "/subjects/orders/versions/latest", |r| {
        r.body["version"] == 1
    })
    .await;
    assert_eq!(latest.id(), id);
    let newer = first.register_ok("orders", &evolving("O", 1)).await;
    // The writer reads its own write at once, though it remembered v1.
    assert_eq!(
        first.get("/subjects/orders/versions/latest").await.body["version"],
        2
    );
    let latest = eventually(&second, "/subjects/orders/versions/latest", |r| {
        r.body["version"] == 2
    })
    .await;
    assert_eq!(latest.id(), newer);
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

/// Asks `path` of `server` until `done` holds of the answer (the other
/// replica's feed delay: a notification, or its once-a-second catch-up).
async fn eventually(
    server: &TestServer,
    path: &str,
    done: impl Fn(&crate::support::Reply) -> bool,
) -> crate::support::Reply {
    let mut reply = server.get(path).await;
    for _ in 0..100 {
        if done(&reply) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        reply = server.get(path).await;
    }
    panic!("{path} never became what was expected: {reply:?}");
}

/// Registers `schema` under `subject` on `server` until `done` holds of
/// the answer.
async fn registers_eventually(
    server: &TestServer,
    subject: &str,
    schema: &str,
    done: impl Fn(&crate::support::Reply) -> bool,
) -> crate::support::Reply {
    let mut reply = server.register(subject, schema).await;
    for _ in 0..100 {
        if done(&reply) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        reply = server.register(subject, schema).await;
    }
    panic!("registering under {subject} never answered as expected: {reply:?}");
}

/// `POST /subjects/payments` with `schema`.
async fn lookup(server: &TestServer, schema: &str) -> crate::support::Reply {
    server
        .post("/subjects/payments", json!({ "schema": schema }))
        .await
}

#[tokio::test]
async fn remembered_reads_never_outlive_a_deletion_a_config_or_a_mode_change() {
    let database = TestDatabase::postgres().await;
    let first = TestServer::start_on(&database, Limits::default()).await;
    let second = TestServer::start_on(&database, Limits::default()).await;
    let schema = evolving("P", 0);
    let id = first.register_ok("payments", &schema).await;
    // Both replicas come to remember the latest version, the lookup and the
    // re-registration.
    eventually(&second, "/subjects/payments/versions/latest", |r| {
        r.status == 200
    })
    .await;
    for server in [&first, &second] {
        assert_eq!(lookup(server, &schema).await.id(), id);
        assert_eq!(server.register_ok("payments", &schema).await, id);
        assert_eq!(server.register_ok("payments", &schema).await, id);
    }

    // A deletion: the writer answers from the store at once, the other
    // replica once its feed brings it.
    first.delete("/subjects/payments").await;
    for server in [&first, &second] {
        eventually(server, "/subjects/payments/versions/latest", |r| {
            r.status == 404
        })
        .await;
    }
    assert_eq!(lookup(&first, &schema).await.status, 404);
    let mut status = lookup(&second, &schema).await.status;
    for _ in 0..100 {
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = lookup(&second, &schema).await.status;
    }
    assert_eq!(status, 404, "no lookup answered from before the deletion");
    // Registering again after the deletion makes a new version: the
    // remembered registration (version 1) is not answered.
    let again = second.register("payments", &schema).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(
        second.get("/subjects/payments/versions/latest").await.body["version"],
        2
    );
    eventually(&first, "/subjects/payments/versions/latest", |r| {
        r.body["version"] == 2
    })
    .await;

    // A mode change: re-registrations remembered under READWRITE are refused
    // under READONLY.
    assert_eq!(second.register_ok("payments", &schema).await, id);
    first
        .put("/mode/payments", json!({"mode": "READONLY"}))
        .await;
    first
        .register("payments", &schema)
        .await
        .assert_error(42205);
    registers_eventually(&second, "payments", &schema, |r| r.code() == 42205).await;
    first
        .put("/mode/payments", json!({"mode": "READWRITE"}))
        .await;

    // A config change: an alias set on one replica is followed on the other.
    first.register_ok("target", &evolving("T", 0)).await;
    eventually(&second, "/subjects/alias/versions/latest", |r| {
        r.status == 404
    })
    .await;
    first.put("/config/alias", json!({"alias": "target"})).await;
    let aliased = first.get("/subjects/alias/versions/latest").await;
    assert_eq!(aliased.body["subject"], "target", "{aliased:?}");
    eventually(&second, "/subjects/alias/versions/latest", |r| {
        r.body["subject"] == "target"
    })
    .await;

    second.stop().await;
    first.stop().await;
}
