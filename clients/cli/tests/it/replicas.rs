//! Several `herald serve` processes on one PostgreSQL database: concurrent
//! registrations stay consistent, a replica killed mid-write loses nothing
//! acknowledged (on SQLite too, across a restart), and a database outage
//! gives 50001 errors (never a wrong answer) until the replicas recover by
//! themselves.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use herald_testing::TestDatabase;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{free_port, herald, wait_until_up};

/// `herald serve` on a free port and `database_url`.
pub(crate) struct Replica {
    pub(crate) child: Child,
    url: String,
    http: reqwest::Client,
}

impl Replica {
    fn spawn(database_url: &str) -> (Child, u16) {
        let port = free_port();
        let child = herald()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            .spawn()
            .expect("herald serve starts");
        (child, port)
    }

    async fn ready(mut child: Child, port: u16) -> Replica {
        let http = wait_until_up(&mut child, port).await;
        Replica {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http,
        }
    }

    /// Replicas started together (their migrations race).
    pub(crate) async fn start_together(database_url: &str, count: usize) -> Vec<Replica> {
        let spawned: Vec<_> = (0..count).map(|_| Replica::spawn(database_url)).collect();
        let mut replicas = Vec::new();
        for (child, port) in spawned {
            replicas.push(Replica::ready(child, port).await);
        }
        replicas
    }

    pub(crate) async fn register(&self, subject: &str, schema: &str) -> (u16, Value) {
        self.send(
            self.http
                .post(format!("{}/subjects/{subject}/versions", self.url))
                .json(&json!({ "schema": schema })),
        )
        .await
    }

    /// `method` on `path` with a JSON `body`.
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        self.send(
            self.http
                .request(method, format!("{}{path}", self.url))
                .json(&body),
        )
        .await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}{path}", self.url)))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            Err(error) => (0, json!({ "transport": error.to_string() })),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const BASE: &str = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"}]}"#;

/// A version after BASE that any earlier version can be read as
/// (BACKWARD): one optional field.
fn compatible(field: &str) -> String {
    format!(
        r#"{{"type":"record","name":"Event","fields":[{{"name":"id","type":"long"}},{{"name":"{field}","type":"string","default":""}}]}}"#
    )
}

/// A version no earlier one can be read as: a field without a default.
fn incompatible(field: &str) -> String {
    format!(
        r#"{{"type":"record","name":"Event","fields":[{{"name":"id","type":"long"}},{{"name":"{field}","type":"string"}}]}}"#
    )
}

const SUBJECTS: usize = 50;
const REGISTRATIONS: usize = 2_000;
const CLIENTS: usize = 16;

/// Registration `n`: its subject, schema, and whether it must be accepted.
/// Half are incompatible; each compatible schema goes to two subjects.
fn registration(n: usize) -> (String, String, bool) {
    let subject = format!("s{}", n % SUBJECTS);
    if n % 4 < 2 {
        (subject, compatible(&format!("f{}", n / 4)), true)
    } else {
        (subject, incompatible(&format!("g{n}")), false)
    }
}

#[tokio::test]
async fn three_replicas_sixteen_clients_stay_consistent() {
    let database = TestDatabase::postgres().await;
    let replicas = Arc::new(Replica::start_together(&database.url(), 3).await);
    for subject in 0..SUBJECTS {
        let (status, body) = replicas[subject % 3]
            .register(&format!("s{subject}"), BASE)
            .await;
        assert_eq!((status, &body["id"]), (200, &json!(1)), "{body}");
    }

    let next = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (replicas, next) = (replicas.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= REGISTRATIONS {
                    return outcomes;
                }
                let (subject, schema, _) = registration(n);
                outcomes.push((n, replicas[n % 3].register(&subject, &schema).await));
            }
        }));
    }
    let mut acknowledged = Vec::new();
    let mut unexpected = Vec::new();
    for client in clients {
        for (n, (status, body)) in client.await.expect("client ran") {
            let (subject, schema, accept) = registration(n);
            match (accept, status) {
                (true, 200) => acknowledged.push((subject, schema, body)),
                (false, 409) if body["error_code"] == 40901 => {}
                _ => unexpected.push((n, status, body)),
            }
        }
    }
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert_eq!(acknowledged.len(), REGISTRATIONS / 2);

    // One id per schema text, one text per id, across replicas.
    let mut id_of: HashMap<String, i64> = HashMap::from([(BASE.to_owned(), 1)]);
    for (_, schema, body) in &acknowledged {
        let id = body["id"].as_i64().expect("an id");
        assert_eq!(*id_of.entry(schema.clone()).or_insert(id), id, "{schema}");
    }
    let ids: BTreeSet<i64> = id_of.values().copied().collect();
    assert_eq!(ids.len(), id_of.len(), "distinct schemas, distinct ids");
    // 500 compatible schemas and the base: ids 1..=501, no gaps.
    assert_eq!(ids, (1..=501).collect::<BTreeSet<_>>());

    // Versions consecutive; every acknowledged registration present; no
    // incompatible schema admitted.
    let mut versions_of: BTreeMap<String, BTreeMap<i64, i64>> = BTreeMap::new();
    for subject in 0..SUBJECTS {
        let subject = format!("s{subject}");
        let (status, listed) = replicas[0]
            .get(&format!("/subjects/{subject}/versions"))
            .await;
        assert_eq!(status, 200);
        let listed: Vec<i64> = serde_json::from_value(listed).expect("versions");
        assert_eq!(listed, (1..=listed.len() as i64).collect::<Vec<_>>());
        for version in listed {
            let (_, found) = replicas[usize::try_from(version).unwrap_or(0) % 3]
                .get(&format!("/subjects/{subject}/versions/{version}"))
                .await;
            let text = found["schema"].as_str().expect("schema text");
            assert!(
                !text.contains("\"g"),
                "incompatible schema admitted: {text}"
            );
            versions_of
                .entry(subject.clone())
                .or_default()
                .insert(version, found["id"].as_i64().expect("id"));
        }
    }
    for (subject, schema, body) in &acknowledged {
        let id = body["id"].as_i64().expect("id");
        assert!(
            versions_of[subject].values().any(|held| *held == id),
            "{subject} lost {schema}"
        );
    }

    // Every replica answers every id with its schema.
    let text_of: HashMap<i64, &String> = id_of.iter().map(|(text, id)| (*id, text)).collect();
    for replica in replicas.iter() {
        for id in &ids {
            let (status, found) = replica.get(&format!("/schemas/ids/{id}")).await;
            assert_eq!(status, 200, "{found}");
            assert_eq!(found["schema"].as_str(), Some(text_of[id].as_str()));
        }
    }
}

/// Four writers register on `victim` until it is killed with SIGKILL
/// (after 200 acknowledgements); returns what was acknowledged.
async fn write_until_killed(victim: Replica) -> Vec<(String, Value)> {
    let victim_pid = victim.child.id().to_string();
    let victim = Arc::new(victim);
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (victim, acknowledged) = (victim.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for step in 0.. {
                let subject = format!("w{writer}");
                match victim
                    .register(&subject, &compatible(&format!("f{step}")))
                    .await
                {
                    (200, body) => {
                        acked.push((subject, body["id"].clone()));
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                    // Killed: the writer stops at the first failure.
                    _ => return acked,
                }
            }
            acked
        }));
    }
    while acknowledged.load(Ordering::SeqCst) < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &victim_pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut acked = Vec::new();
    for writer in writers {
        acked.extend(writer.await.expect("writer ran"));
    }
    assert!(acked.len() >= 200);
    acked
}

/// Asserts that `reader` holds every acknowledged (subject, id).
async fn assert_all_held(reader: &Replica, acked: &[(String, Value)]) {
    for (subject, id) in acked {
        let (status, versions) = reader.get(&format!("/subjects/{subject}/versions")).await;
        assert_eq!(status, 200);
        let mut held = Vec::new();
        for version in versions.as_array().expect("versions") {
            held.push(
                reader
                    .get(&format!("/subjects/{subject}/versions/{version}"))
                    .await
                    .1["id"]
                    .clone(),
            );
        }
        assert!(held.contains(id), "{subject}: acknowledged id {id} lost");
    }
}

#[tokio::test]
async fn a_replica_killed_mid_write_loses_nothing_acknowledged() {
    let database = TestDatabase::postgres().await;
    let mut replicas = Replica::start_together(&database.url(), 2).await;
    let survivor = replicas.pop().expect("two replicas");
    let victim = replicas.pop().expect("two replicas");
    let acked = write_until_killed(victim).await;
    assert_all_held(&survivor, &acked).await;
    // The killed replica's lock and connections are gone: writes go on.
    let (status, body) = survivor.register("after-kill", BASE).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn sqlite_killed_mid_write_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}/herald.db", dir.path().display());
    let victim = Replica::start_together(&url, 1).await.pop().expect("one");
    let acked = write_until_killed(victim).await;
    // Group commit acknowledges only after the log is on disk: a restart
    // after SIGKILL finds every acknowledged registration.
    let restarted = Replica::start_together(&url, 1).await.pop().expect("one");
    assert_all_held(&restarted, &acked).await;
}

/// A TCP proxy in front of PostgreSQL that can be cut (every connection
/// dropped, new ones closed at once) and restored: the database going away
/// and coming back, as the replicas see it.
struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: &'static str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let port = listener.local_addr().expect("address").port();
        let (up, _) = watch::channel(true);
        let state = up.subscribe();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut state = state.clone();
                if !*state.borrow() {
                    continue; // dropped: the connection closes at once
                }
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = state.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy { port, up }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

#[tokio::test]
async fn a_database_outage_gives_50001_and_the_replica_recovers() {
    let database = TestDatabase::postgres().await;
    let name = database.postgres_name().expect("PostgreSQL").to_owned();
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let through_proxy = format!("postgres://postgres@127.0.0.1:{}/{name}", proxy.port);
    let replica = Replica::start_together(&through_proxy, 1)
        .await
        .pop()
        .expect("one replica");
    let (status, first) = replica.register("orders", BASE).await;
    assert_eq!(status, 200, "{first}");

    proxy.set_up(false);
    for _ in 0..3 {
        let (status, body) = replica.register("orders", &compatible("note")).await;
        assert_eq!(
            (status, &body["error_code"]),
            (500, &json!(50001)),
            "{body}"
        );
        let (status, body) = replica.get("/subjects/orders/versions/latest").await;
        assert_eq!(
            (status, &body["error_code"]),
            (500, &json!(50001)),
            "{body}"
        );
    }
    assert_eq!(replica.get("/readyz").await.0, 503);
    // What it can answer from memory is still right.
    let (status, cached) = replica.get("/schemas/ids/1").await;
    assert!(
        status == 200 && cached["schema"] == BASE || status == 500,
        "{cached}"
    );

    proxy.set_up(true);
    let mut recovered = None;
    for _ in 0..100 {
        match replica.register("orders", &compatible("note")).await {
            (200, body) => {
                recovered = Some(body);
                break;
            }
            (500, body) => assert_eq!(body["error_code"], 50001, "{body}"),
            other => panic!("unexpected answer while recovering: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = recovered.expect("the replica recovers by itself");
    assert_eq!(recovered["id"], 2);
    let (_, versions) = replica.get("/subjects/orders/versions").await;
    assert_eq!(
        versions,
        json!([1, 2]),
        "nothing half-written during the outage"
    );
}

#[tokio::test]
async fn a_database_restart_is_survived() {
    let database = TestDatabase::postgres().await;
    let name = database.postgres_name().expect("PostgreSQL").to_owned();
    let replica = Replica::start_together(&database.url(), 1)
        .await
        .pop()
        .expect("one replica");
    assert_eq!(replica.register("orders", BASE).await.0, 200);
    // Every server process of the database ends, as in a restart.
    let mut admin =
        sqlx::postgres::PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres")
            .await
            .expect("admin connection");
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .expect("backends terminated");
    let mut answers = Vec::new();
    for step in 0..20 {
        let answer = replica
            .register("orders", &compatible(&format!("f{step}")))
            .await;
        answers.push(answer.0);
        if answer.0 == 500 {
            assert_eq!(answer.1["error_code"], 50001, "{}", answer.1);
        }
    }
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 500),
        "{answers:?}"
    );
    assert_eq!(answers.last(), Some(&200), "recovered: {answers:?}");
    let (_, versions) = replica.get("/subjects/orders/versions").await;
    let ok = answers.iter().filter(|s| **s == 200).count();
    assert_eq!(versions.as_array().map(Vec::len), Some(ok + 1));
}

#[tokio::test]
async fn writers_under_load_through_an_outage_lose_nothing_acknowledged() {
    let database = TestDatabase::postgres().await;
    let name = database.postgres_name().expect("PostgreSQL").to_owned();
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let through_proxy = format!("postgres://postgres@127.0.0.1:{}/{name}", proxy.port);
    let replica = Arc::new(
        Replica::start_together(&through_proxy, 1)
            .await
            .pop()
            .expect("one replica"),
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let (replica, stop, acknowledged) = (replica.clone(), stop.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let subject = format!("load{writer}");
            let mut answers = Vec::new();
            for step in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let answer = replica
                    .register(&subject, &compatible(&format!("f{step}")))
                    .await;
                if answer.0 == 200 {
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                answers.push(answer);
            }
            (subject, answers)
        }));
    }
    let wait_for = |count: usize| {
        let acknowledged = acknowledged.clone();
        async move {
            for _ in 0..3_000 {
                if acknowledged.load(Ordering::SeqCst) >= count {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            false
        }
    };
    assert!(wait_for(100).await, "writes before the outage");
    proxy.set_up(false);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let during = acknowledged.load(Ordering::SeqCst);
    proxy.set_up(true);
    assert!(
        wait_for(during + 100).await,
        "the replica recovers by itself"
    );
    stop.store(true, Ordering::SeqCst);

    let mut outage_errors = 0;
    for writer in writers {
        let (subject, answers) = writer.await.expect("writer ran");
        let (status, listed) = replica.get(&format!("/subjects/{subject}/versions")).await;
        assert_eq!(status, 200, "{listed}");
        let listed: Vec<i64> = serde_json::from_value(listed).expect("versions");
        assert_eq!(listed, (1..=listed.len() as i64).collect::<Vec<_>>());
        for (status, body) in answers {
            match status {
                200 => {
                    let version = &body["version"];
                    let (_, held) = replica
                        .get(&format!("/subjects/{subject}/versions/{version}"))
                        .await;
                    assert_eq!(held["id"], body["id"], "{subject} v{version} lost");
                }
                500 => {
                    assert_eq!(body["error_code"], 50001, "{body}");
                    outage_errors += 1;
                }
                _ => panic!("a wrong answer during the outage: {status} {body}"),
            }
        }
    }
    assert!(outage_errors > 0, "the outage was felt");
}

/// Repeats `ask` until `done` holds of its answer (the other replica's
/// change-feed delay); returns that answer.
async fn until<F: std::future::Future<Output = (u16, Value)>>(
    mut ask: impl FnMut() -> F,
    done: impl Fn(&(u16, Value)) -> bool,
) -> (u16, Value) {
    let mut answer = ask().await;
    for _ in 0..200 {
        if done(&answer) {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        answer = ask().await;
    }
    panic!("never answered as expected: {answer:?}");
}

/// Two `herald serve` processes on one database: each remembers the
/// latest version, lookups, re-registrations and aliases; what one changes
/// (a registration, a deletion, a mode, a config), the other stops serving
/// from memory once its change feed brings the change.
#[tokio::test]
async fn replicas_as_processes_serve_nothing_stale_after_a_change() {
    let database = TestDatabase::postgres().await;
    let replicas = Replica::start_together(&database.url(), 2).await;
    let (writer, reader) = (&replicas[0], &replicas[1]);
    let latest = "/subjects/fresh/versions/latest";
    assert_eq!(writer.register("fresh", BASE).await.0, 200);
    until(|| reader.get(latest), |(_, body)| body["version"] == 1).await;
    // Remembered on the reader: then a new version on the writer.
    assert_eq!(reader.register("fresh", BASE).await.1["version"], 1);
    assert_eq!(writer.register("fresh", &compatible("note")).await.0, 200);
    assert_eq!(writer.get(latest).await.1["version"], 2);
    until(|| reader.get(latest), |(_, body)| body["version"] == 2).await;
    // A deletion: no remembered latest version or lookup survives it.
    let lookup = || {
        reader.call(
            reqwest::Method::POST,
            "/subjects/fresh",
            json!({ "schema": BASE }),
        )
    };
    assert_eq!(lookup().await.0, 200);
    let (status, _) = writer
        .call(reqwest::Method::DELETE, "/subjects/fresh", Value::Null)
        .await;
    assert_eq!(status, 200);
    until(|| reader.get(latest), |(status, _)| *status == 404).await;
    until(lookup, |(status, _)| *status == 404).await;
    // A mode change: a remembered re-registration is refused under READONLY.
    assert_eq!(writer.register("held", BASE).await.0, 200);
    until(
        || reader.register("held", BASE),
        |(status, _)| *status == 200,
    )
    .await;
    let (status, _) = writer
        .call(
            reqwest::Method::PUT,
            "/mode/held",
            json!({"mode": "READONLY"}),
        )
        .await;
    assert_eq!(status, 200);
    until(
        || reader.register("held", BASE),
        |(_, body)| body["error_code"] == 42205,
    )
    .await;
    // A config change: an alias set on the writer is followed by the reader.
    assert_eq!(writer.register("target", BASE).await.0, 200);
    let aliased = "/subjects/alias/versions/latest";
    until(|| reader.get(aliased), |(status, _)| *status == 404).await;
    let (status, _) = writer
        .call(
            reqwest::Method::PUT,
            "/config/alias",
            json!({"alias": "target"}),
        )
        .await;
    assert_eq!(status, 200);
    until(
        || reader.get(aliased),
        |(_, body)| body["subject"] == "target",
    )
    .await;
}
