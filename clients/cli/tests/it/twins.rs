//! The worst moment to die: two clients register the same new schema into
//! one subject at once while other writes keep the group commit busy, and
//! the process is killed (SIGKILL) the moment the first of the two is
//! answered. Whatever was acknowledged must be there after the restart
//! (SQLite) or on the surviving replica (PostgreSQL), and no later
//! registration may take its version or id.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use herald_testing::TestDatabase;
use serde_json::Value;

use crate::replicas::Replica;

/// Kill rounds per test: each round kills at a twin's first answer.
const ROUNDS: usize = 8;

/// A schema of its own for `tag`; any two are compatible either way.
fn schema(tag: &str) -> String {
    format!(
        r#"{{"type":"record","name":"T","fields":[{{"name":"id","type":"long"}},{{"name":"f{tag}","type":"string","default":""}}]}}"#
    )
}

/// What one round saw acknowledged: (subject, version, id).
type Acked = Vec<(String, Value, Value)>;

/// Keeps `victim` busy with distinct registrations and sends pairs of
/// identical registrations until the first twin answer; then kills it.
async fn kill_at_first_twin_answer(victim: Replica, round: usize) -> Acked {
    let pid = victim.child.id().to_string();
    let victim = Arc::new(victim);
    let stop = Arc::new(AtomicBool::new(false));
    let mut busy = Vec::new();
    for writer in 0..4 {
        let (victim, stop) = (victim.clone(), stop.clone());
        busy.push(tokio::spawn(async move {
            let mut acked = Acked::new();
            for step in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let subject = format!("busy-{round}-{writer}-{step}");
                match victim
                    .register(&subject, &schema(&format!("b{round}x{writer}x{step}")))
                    .await
                {
                    (200, body) => acked.push((subject, Value::from(1), body["id"].clone())),
                    _ => break,
                }
            }
            acked
        }));
    }
    let mut acked = Acked::new();
    for pair in 0.. {
        let subject = format!("twin-{round}-{pair}");
        let text = schema(&format!("t{round}x{pair}"));
        let first = victim.register(&subject, &text);
        let second = victim.register(&subject, &text);
        tokio::pin!(first, second);
        let (answer, other) = tokio::select! {
            answer = &mut first => (answer, true),
            answer = &mut second => (answer, false),
        };
        if answer.0 != 200 {
            break;
        }
        if pair >= 20 {
            // The worst moment: one twin answered, the other maybe not.
            let killed = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status()
                .expect("kill runs");
            assert!(killed.success());
            stop.store(true, Ordering::SeqCst);
            acked.push((
                subject.clone(),
                answer.1["version"].clone(),
                answer.1["id"].clone(),
            ));
            let rest = if other { second.await } else { first.await };
            if rest.0 == 200 {
                acked.push((
                    subject.clone(),
                    rest.1["version"].clone(),
                    rest.1["id"].clone(),
                ));
            }
            break;
        }
        let rest = if other { second.await } else { first.await };
        acked.push((
            subject.clone(),
            answer.1["version"].clone(),
            answer.1["id"].clone(),
        ));
        if rest.0 == 200 {
            acked.push((
                subject.clone(),
                rest.1["version"].clone(),
                rest.1["id"].clone(),
            ));
        }
    }
    stop.store(true, Ordering::SeqCst);
    for writer in busy {
        acked.extend(writer.await.expect("writer ran"));
    }
    acked
}

/// Asserts that every acknowledged (subject, version, id) is held by
/// `reader`, and that a new registration takes neither a held id nor,
/// in an acknowledged subject, an acknowledged version.
async fn assert_held(reader: &Replica, acked: &Acked) {
    for (subject, version, id) in acked {
        let (status, body) = reader
            .get(&format!("/subjects/{subject}/versions/{version}"))
            .await;
        assert_eq!(
            (status, &body["id"]),
            (200, id),
            "{subject} version {version} (id {id}) was acknowledged: {body}"
        );
    }
    let Some((subject, version, id)) = acked.iter().find(|(s, _, _)| s.starts_with("twin")) else {
        panic!("no twin was acknowledged");
    };
    let (status, body) = reader.register(subject, &schema("later")).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(&body["version"], version, "version reused: {body}");
    assert_ne!(&body["id"], id, "id reused: {body}");
}

#[tokio::test]
async fn sqlite_identical_registrations_killed_at_the_first_answer_lose_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}/herald.db", dir.path().display());
    for round in 0..ROUNDS {
        let victim = Replica::start_together(&url, 1).await.pop().expect("one");
        let acked = kill_at_first_twin_answer(victim, round).await;
        let restarted = Replica::start_together(&url, 1).await.pop().expect("one");
        assert_held(&restarted, &acked).await;
    }
}

#[tokio::test]
async fn postgres_identical_registrations_killed_at_the_first_answer_lose_nothing() {
    let database = TestDatabase::postgres().await;
    let survivor = Replica::start_together(&database.url(), 1)
        .await
        .pop()
        .expect("one");
    for round in 0..ROUNDS {
        let victim = Replica::start_together(&database.url(), 1)
            .await
            .pop()
            .expect("one");
        let acked = kill_at_first_twin_answer(victim, round).await;
        assert_held(&survivor, &acked).await;
    }
}
