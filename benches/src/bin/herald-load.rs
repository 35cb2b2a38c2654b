//! The load benchmark: the real registry (SQLite, durable) driven over
//! loopback with a fixed request count and concurrency, each request type
//! next to the ceiling — a bare axum handler answering a same-sized byte
//! string, started the same way, measured in the same run.
//!
//! `cargo run --release -p herald-benches --bin herald-load -- [REQUESTS] [CONCURRENCY] [FILTER]`
//! (defaults 20,000 and 64; FILTER keeps the rows whose label contains it);
//! `scripts/bench` runs it. Prints a Markdown table.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use herald_benches::drive::{Outcome, RawRequest, drive};
use herald_benches::schemas::{avro_record, proto_file};
use herald_benches::servers;
use herald_server::access::{Grant, UsersFile};
use herald_server::config::{AccessConfig, ServerConfig, Storage};
use serde_json::json;

/// One row of the table.
struct Row {
    label: String,
    requests: usize,
    concurrency: usize,
    herald: Outcome,
    ceiling: Option<Outcome>,
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1e3)
}

fn print(rows: &[Row]) {
    println!(
        "| request | n | conns | Herald req/s | p50 ms | p99 ms | ceiling req/s | p50 ms | p99 ms | ratio |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for row in rows {
        let (ceiling, ratio) = match &row.ceiling {
            Some(c) => (
                format!(
                    "{:.0} | {} | {}",
                    c.throughput(),
                    ms(c.percentile(0.5)),
                    ms(c.percentile(0.99))
                ),
                format!("{:.2}x", row.herald.throughput() / c.throughput()),
            ),
            None => ("— | — | —".to_owned(), "—".to_owned()),
        };
        println!(
            "| {} | {} | {} | {:.0} | {} | {} | {ceiling} | {ratio} |",
            row.label,
            row.requests,
            row.concurrency,
            row.herald.throughput(),
            ms(row.herald.percentile(0.5)),
            ms(row.herald.percentile(0.99)),
        );
        if row.herald.failed > 0 {
            println!(
                "|   ↳ {} requests failed | | | | | | | | | |",
                row.herald.failed
            );
        }
    }
}

/// Sends `requests` to Herald, then the same count to a ceiling answering
/// with as many bytes as Herald did.
async fn compare(
    label: &str,
    herald: SocketAddr,
    requests: Vec<RawRequest>,
    concurrency: usize,
    expect: u16,
) -> Option<Row> {
    if !wanted(label) {
        return None;
    }
    let requests = Arc::new(requests);
    let count = requests.len();
    let measured = drive(herald, requests.clone(), concurrency, expect).await;
    let ceiling = servers::ceiling(vec![b'x'; measured.body_bytes]);
    let bare = drive(ceiling.address, requests, concurrency, 200).await;
    ceiling.stop();
    Some(Row {
        label: label.to_owned(),
        requests: count,
        concurrency,
        herald: measured,
        ceiling: Some(bare),
    })
}

/// Whether the row labelled `label` passes the command line's filter.
fn wanted(label: &str) -> bool {
    std::env::args()
        .nth(3)
        .is_none_or(|filter| label.contains(&filter))
}

/// The read by id again, next to a stricter ceiling: a bare tower service
/// with no router (Herald answers cached ids in front of its router).
async fn bare_by_id(herald: SocketAddr, requests: usize, concurrency: usize) -> Option<Row> {
    let label = "GET /schemas/ids/1, ceiling without a router";
    if !wanted(label) {
        return None;
    }
    let requests = Arc::new(vec![RawRequest::get("/schemas/ids/1"); requests]);
    let measured = drive(herald, requests.clone(), concurrency, 200).await;
    let bare = servers::bare_service(vec![b'x'; measured.body_bytes]);
    let ceiling = drive(bare.address, requests.clone(), concurrency, 200).await;
    bare.stop();
    Some(Row {
        label: label.to_owned(),
        requests: requests.len(),
        concurrency,
        herald: measured,
        ceiling: Some(ceiling),
    })
}

/// The read by id on a registry with access control on, as a user signed
/// in with HTTP Basic (its login remembered after the first request).
async fn signed_in_by_id(requests: usize, concurrency: usize) -> Option<Row> {
    use base64::Engine as _;
    let label = "GET /schemas/ids/1, signed in (Basic, access control on)";
    if !wanted(label) {
        return None;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let users = dir.path().join("users.toml");
    let mut file = UsersFile::default();
    let admin: Grant = "admin".parse().expect("a grant");
    file.set_user("bench", "bench-pw", &[admin])
        .expect("a user");
    file.save(&users).expect("saved");
    let secured = servers::herald_configured(ServerConfig {
        storage: Storage::DataDir(dir.path().join("data")),
        access: AccessConfig {
            enabled: true,
            users: Some(users),
            ..AccessConfig::default()
        },
        ..ServerConfig::default()
    });
    let authorization = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("bench:bench-pw")
    );
    let schema = json!({"schema": avro_record(30, None)}).to_string();
    let mut first = RawRequest::post_json("/subjects/bench-avro/versions", &schema);
    first.authorize(&authorization);
    setup(secured.address, first, 200).await;
    let mut read = RawRequest::get("/schemas/ids/1");
    read.authorize(&authorization);
    let row = compare(
        label,
        secured.address,
        vec![read; requests],
        concurrency,
        200,
    )
    .await;
    secured.stop();
    row
}

/// Sends one request and insists on `expect`.
async fn setup(herald: SocketAddr, request: RawRequest, expect: u16) {
    let outcome = drive(herald, Arc::new(vec![request]), 1, expect).await;
    assert_eq!(outcome.ok, 1, "set-up request refused");
}

fn register(subject: &str, body: &serde_json::Value) -> RawRequest {
    RawRequest::post_json(&format!("/subjects/{subject}/versions"), &body.to_string())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let driver = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let registry = servers::herald(Storage::DataDir(dir.path().to_path_buf()));
    let herald = registry.address;
    let rows = driver.block_on(async move {
        let avro = avro_record(30, None);
        let proto = proto_file(20, 0);
        setup(herald, register("bench-avro", &json!({"schema": avro})), 200).await;
        setup(
            herald,
            register("bench-proto", &json!({"schemaType": "PROTOBUF", "schema": proto})),
            200,
        )
        .await;
        let mut rows = Vec::new();
        let repeat = |request: RawRequest, n: usize| vec![request; n];

        rows.extend(
            compare(
                "GET /schemas/ids/1 (30-field Avro)",
                herald,
                repeat(RawRequest::get("/schemas/ids/1"), requests),
                concurrency,
                200,
            )
            .await,
        );
        rows.extend(bare_by_id(herald, requests, concurrency).await);
        rows.extend(signed_in_by_id(requests, concurrency).await);
        rows.extend(
            compare(
                "GET /subjects/bench-avro/versions/latest",
                herald,
                repeat(
                    RawRequest::get("/subjects/bench-avro/versions/latest"),
                    requests,
                ),
                concurrency,
                200,
            )
            .await,
        );
        rows.extend(
            compare(
                "POST /subjects/bench-avro (lookup)",
                herald,
                repeat(
                    RawRequest::post_json(
                        "/subjects/bench-avro",
                        &json!({"schema": avro}).to_string(),
                    ),
                    requests,
                ),
                concurrency,
                200,
            )
            .await,
        );
        rows.extend(
            compare(
                "POST /subjects/bench-avro/versions (re-registration, unchanged)",
                herald,
                repeat(register("bench-avro", &json!({"schema": avro})), requests),
                concurrency,
                200,
            )
            .await,
        );
        let next_avro = json!({"schema": avro_record(30, Some("note"))}).to_string();
        rows.extend(
            compare(
                "POST /compatibility BACKWARD, 30-field Avro",
                herald,
                repeat(
                    RawRequest::post_json(
                        "/compatibility/subjects/bench-avro/versions/latest",
                        &next_avro,
                    ),
                    requests / 4,
                ),
                concurrency,
                200,
            )
            .await,
        );
        let next_proto =
            json!({"schemaType": "PROTOBUF", "schema": proto_file(20, 1)}).to_string();
        rows.extend(
            compare(
                "POST /compatibility BACKWARD, 20-message .proto",
                herald,
                repeat(
                    RawRequest::post_json(
                        "/compatibility/subjects/bench-proto/versions/latest",
                        &next_proto,
                    ),
                    requests / 10,
                ),
                concurrency,
                200,
            )
            .await,
        );
        let fresh: Vec<RawRequest> = (0..requests / 4)
            .map(|i| {
                register(
                    &format!("fresh-{i}"),
                    &json!({"schema": format!(
                        r#"{{"type":"record","name":"Fresh{i}","fields":[{{"name":"id","type":"long"}},{{"name":"at","type":"string"}}]}}"#
                    )}),
                )
            })
            .collect();
        rows.extend(
            compare(
                "POST register, new schema (SQLite, durable)",
                herald,
                fresh,
                concurrency,
                200,
            )
            .await,
        );
        if wanted("one ") {
            rows.extend(large_checks(herald).await);
        }
        rows
    });
    registry.stop();
    print(&rows);
    print_ratios(&rows, "GET /schemas/ids/1 (30-field Avro)", "");
    let replicas = driver.block_on(postgres_replicas(requests, concurrency));
    if !replicas.is_empty() {
        println!();
        print(&replicas);
        print_ratios(
            &replicas,
            "PostgreSQL replica: GET /schemas/ids/1",
            "PostgreSQL replica: ",
        );
    }
}

/// The hot reads' rates as parts of the read by id's (labelled `by_id`),
/// for the rows labelled `prefix` and the read.
fn print_ratios(rows: &[Row], by_id: &str, prefix: &str) {
    let rate = |label: &str| {
        rows.iter()
            .find(|row| row.label == label)
            .map(|row| row.herald.throughput())
    };
    let Some(by_id_rate) = rate(by_id) else {
        return;
    };
    println!();
    println!("| {prefix}request | req/s | ratio to GET by id |");
    println!("| --- | --- | --- |");
    for read in [
        "GET /subjects/bench-avro/versions/latest",
        "POST /subjects/bench-avro (lookup)",
        "POST /subjects/bench-avro/versions (re-registration, unchanged)",
    ] {
        if let Some(read_rate) = rate(&format!("{prefix}{read}")) {
            println!(
                "| {read} | {read_rate:.0} | {:.2}x |",
                read_rate / by_id_rate
            );
        }
    }
}

/// The hot reads on the second of two replicas sharing a PostgreSQL
/// database (`HERALD_BENCH_POSTGRES`, default the machine's server), the
/// schema registered on the first. Empty when the server does not answer.
async fn postgres_replicas(requests: usize, concurrency: usize) -> Vec<Row> {
    use sqlx::Connection;
    if !wanted("PostgreSQL") {
        return Vec::new();
    }
    let server = std::env::var("HERALD_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("herald_bench_{}", std::process::id());
    let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{server}/postgres")).await else {
        eprintln!("no PostgreSQL at {server}: the replica rows are left out");
        return Vec::new();
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("database created");
    let url = format!("{server}/{name}");
    let writer = servers::herald(Storage::Url(url.clone()));
    let reader = servers::herald(Storage::Url(url));
    let avro = avro_record(30, None);
    setup(
        writer.address,
        register("bench-avro", &json!({"schema": avro})),
        200,
    )
    .await;
    // The second replica follows the first's change feed within a second.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut rows = Vec::new();
    let repeat = |request: RawRequest| vec![request; requests];
    for (label, request) in [
        ("GET /schemas/ids/1", RawRequest::get("/schemas/ids/1")),
        (
            "GET /subjects/bench-avro/versions/latest",
            RawRequest::get("/subjects/bench-avro/versions/latest"),
        ),
        (
            "POST /subjects/bench-avro (lookup)",
            RawRequest::post_json("/subjects/bench-avro", &json!({"schema": avro}).to_string()),
        ),
        (
            "POST /subjects/bench-avro/versions (re-registration, unchanged)",
            register("bench-avro", &json!({"schema": avro})),
        ),
    ] {
        let label = format!("PostgreSQL replica: {label}");
        rows.extend(compare(&label, reader.address, repeat(request), concurrency, 200).await);
    }
    follow_delay(writer.address, reader.address).await;
    reader.stop();
    writer.stop();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
    rows
}

/// Times `POST path` with `body`, one request at a time, 30 times.
async fn one_at_a_time(herald: SocketAddr, label: &str, path: &str, body: &str) -> Row {
    const RUNS: usize = 30;
    let requests = Arc::new(vec![RawRequest::post_json(path, body); RUNS]);
    Row {
        label: label.to_owned(),
        requests: RUNS,
        concurrency: 1,
        herald: drive(herald, requests, 1, 200).await,
        ceiling: None,
    }
}

/// Sets `subject`'s compatibility level.
async fn set_level(herald: SocketAddr, subject: &str, level: &str) {
    let body = json!({"compatibility": level}).to_string();
    setup(
        herald,
        RawRequest::post_json(&format!("/config/{subject}"), &body).as_put(),
        200,
    )
    .await;
}

/// Latency of single checks that must stay fast: a 200-field Avro record
/// and a 200-message `.proto` against their previous versions (parse of the
/// new schema included), and BACKWARD_TRANSITIVE over 1,000 versions.
async fn large_checks(herald: SocketAddr) -> Vec<Row> {
    let mut rows = Vec::new();
    setup(
        herald,
        register("big-avro", &json!({"schema": avro_record(200, None)})),
        200,
    )
    .await;
    rows.push(
        one_at_a_time(
            herald,
            "one BACKWARD check, 200-field Avro (parse included)",
            "/compatibility/subjects/big-avro/versions/latest",
            &json!({"schema": avro_record(200, Some("note"))}).to_string(),
        )
        .await,
    );
    setup(
        herald,
        register(
            "big-proto",
            &json!({"schemaType": "PROTOBUF", "schema": proto_file(200, 0)}),
        ),
        200,
    )
    .await;
    rows.push(
        one_at_a_time(
            herald,
            "one BACKWARD check, 200-message .proto (parse included)",
            "/compatibility/subjects/big-proto/versions/latest",
            &json!({"schemaType": "PROTOBUF", "schema": proto_file(200, 1)}).to_string(),
        )
        .await,
    );
    set_level(herald, "history", "NONE").await;
    for version in 0..1_000 {
        let schema = avro_record(20, Some(&format!("extra_{version}")));
        setup(herald, register("history", &json!({"schema": schema})), 200).await;
    }
    set_level(herald, "history", "BACKWARD_TRANSITIVE").await;
    rows.push(
        one_at_a_time(
            herald,
            "one BACKWARD_TRANSITIVE check over 1,000 versions (20-field Avro)",
            "/compatibility/subjects/history/versions",
            &json!({"schema": avro_record(20, Some("extra_next"))}).to_string(),
        )
        .await,
    );
    rows
}

/// How long the second replica serves a remembered latest version after
/// the first deleted the subject: 50 times, a subject registered on the
/// first, read (and remembered) on the second, deleted on the first, then
/// read on the second every 100 µs until it answers 404. Prints the
/// median and the worst.
async fn follow_delay(writer: SocketAddr, reader: SocketAddr) {
    const ROUNDS: usize = 50;
    let mut delays = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let subject = format!("delay-{round}");
        let schema = json!({"schema": avro_record(5, None)});
        setup(writer, register(&subject, &schema), 200).await;
        let latest = RawRequest::get(&format!("/subjects/{subject}/versions/latest"));
        while drive(reader, Arc::new(vec![latest.clone()]), 1, 200)
            .await
            .ok
            == 0
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let delete = RawRequest::get(&format!("/subjects/{subject}")).as_delete();
        setup(writer, delete, 200).await;
        let started = std::time::Instant::now();
        while drive(reader, Arc::new(vec![latest.clone()]), 1, 404)
            .await
            .ok
            == 0
        {
            tokio::time::sleep(Duration::from_micros(100)).await;
        }
        delays.push(started.elapsed());
    }
    delays.sort();
    println!(
        "\nfollow delay (delete acknowledged on one replica, to no stale latest on the other), {ROUNDS} rounds: median {} ms, worst {} ms",
        ms(delays[ROUNDS / 2]),
        ms(delays[ROUNDS - 1])
    );
}
