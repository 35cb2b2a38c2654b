//! Memory under hostile load: the release `herald serve` as its own
//! process takes rounds of hostile requests (parser-exhausting schemas,
//! schemas just under the size limit, NUL bytes, odd names), then 1,000
//! change-feed watchers that read the feed from sequence 0 and go away;
//! resident memory is printed after each step, and the server must still
//! answer `/healthz`.
//!
//! `cargo run --release -p herald-benches --bin herald-hostile -- [HERALD_BINARY]`
//! (default `target/release/herald`); `scripts/bench` builds and runs it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_benches::drive::{RawRequest, drive};
use herald_benches::process::{became_ready, memory, start};
use herald_benches::schemas::avro_record;
use herald_server::grpc::pb;
use herald_server::grpc::pb::registry_client::RegistryClient;
use serde_json::json;

const ROUNDS: usize = 20;
const WATCHERS: usize = 1_000;
const SUBJECTS: usize = 200;

/// One round of hostile requests, every one answered with a 4xx.
fn hostile_round(round: usize) -> Vec<RawRequest> {
    let mut definitions = serde_json::Map::new();
    for i in 0..2_000 {
        definitions.insert(
            format!("d{i}"),
            json!({ "$ref": format!("#/definitions/d{}", i + 1) }),
        );
    }
    let chain = json!({ "$ref": "#/definitions/d0", "definitions": definitions }).to_string();
    let option = format!(
        "syntax = \"proto3\"; message M {{ int32 f = 1 [(x) = {}1{}]; }}",
        "{ a: ".repeat(50_000),
        " }".repeat(50_000)
    );
    let near_limit = avro_record(15_000, None);
    let register = |subject: &str, schema_type: &str, schema: &str| {
        RawRequest::post_json(
            &format!("/subjects/{subject}/versions"),
            &json!({ "schemaType": schema_type, "schema": schema }).to_string(),
        )
    };
    vec![
        register("hostile", "JSON", &chain),
        register("hostile", "PROTOBUF", &option),
        // Just under the 1 MiB schema limit: parsed and judged.
        RawRequest::post_json(
            &format!("/compatibility/subjects/big-{round}/versions"),
            &json!({ "schema": near_limit }).to_string(),
        ),
        register(
            "hostile",
            "AVRO",
            &format!("{}\"int\"{}", "[".repeat(200_000), "]".repeat(200_000)),
        ),
        register(&"n".repeat(4_000), "AVRO", "\"int\""),
        RawRequest::post_json("/subjects/hostile/versions", r#"{"schema":"\"a\u0000\""}"#),
        RawRequest::get("/subjects/a%00b/versions"),
        RawRequest::get("/subjects/hostile/versions/99999999999"),
    ]
}

/// `count` watchers that each read the whole change feed from sequence 0,
/// then go away.
async fn watchers(address: SocketAddr, count: usize, changes: usize) {
    let mut tasks = Vec::new();
    for _ in 0..count {
        tasks.push(tokio::spawn(async move {
            let Ok(mut client) = RegistryClient::connect(format!("http://{address}")).await else {
                return 0;
            };
            let request = pb::WatchSubjectsRequest {
                after_sequence: 0,
                subject_prefix: String::new(),
            };
            let Ok(stream) = client.watch_subjects(request).await else {
                return 0;
            };
            let mut stream = stream.into_inner();
            let mut seen = 0;
            while seen < changes {
                match stream.message().await {
                    Ok(Some(_)) => seen += 1,
                    _ => break,
                }
            }
            seen
        }));
    }
    let mut complete = 0;
    for task in tasks {
        if task.await.unwrap_or(0) >= changes {
            complete += 1;
        }
    }
    println!("  watchers that read all {changes} changes: {complete} of {count}");
}

#[tokio::main]
async fn main() {
    let binary = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/release/herald"), PathBuf::from);
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut server = start(&binary, dir.path(), port);
    assert!(
        became_ready(address, Instant::now()).await,
        "herald did not start"
    );
    let report = |step: &str, pid: u32| {
        let (rss, peak) = memory(pid);
        println!("{step:<58} RSS {rss:7.1} MiB   peak {peak:7.1} MiB");
    };
    report("ready", server.id());

    let mut refused = 0;
    for round in 0..ROUNDS {
        // 422 is the answer to most; the rest are 400 (NUL) or 200 (the
        // schema under the limit, judged compatible with nothing).
        refused += drive(address, Arc::new(hostile_round(round)), 4, 422)
            .await
            .ok;
    }
    println!(
        "  answered 422: {refused} of {} hostile requests",
        ROUNDS * 8
    );
    report(
        &format!("after {ROUNDS} rounds of hostile requests"),
        server.id(),
    );

    let registrations: Vec<RawRequest> = (0..SUBJECTS)
        .map(|i| {
            RawRequest::post_json(
                &format!("/subjects/feed-{i}/versions"),
                &json!({ "schema": avro_record(20, None) }).to_string(),
            )
        })
        .collect();
    let outcome = drive(address, Arc::new(registrations), 4, 200).await;
    assert_eq!(outcome.ok, SUBJECTS);
    report(&format!("after {SUBJECTS} registrations"), server.id());
    watchers(address, WATCHERS, SUBJECTS).await;
    report(
        &format!("after {WATCHERS} watchers from sequence 0 came and went"),
        server.id(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    report("2 s later", server.id());
    let healthy = drive(address, Arc::new(vec![RawRequest::get("/healthz")]), 1, 200).await;
    assert_eq!(healthy.ok, 1, "the registry still answers");
    let _ = server.kill();
    let _ = server.wait();
}
