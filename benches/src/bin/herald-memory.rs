//! The memory run: 20,000 distinct realistic Avro schemas of 5–10 KB
//! registered through the API into the release `herald serve` (its own
//! process, SQLite), then every one read by id, then the server restarted
//! on the same data and every one read by id again; the resident memory
//! after each step, next to the limits of issue 22 (150 MB, and within
//! 1.5x after the restart).
//!
//! `cargo run --release -p herald-benches --bin herald-memory -- [HERALD_BINARY] [SCHEMAS]`
//! (defaults `target/release/herald`, 20,000); `scripts/bench` runs it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use herald_benches::drive::{RawRequest, drive};
use herald_benches::process::{became_ready, memory, start};
use herald_benches::schemas::avro_record;
use serde_json::json;

/// Requests in flight at once.
const CONCURRENCY: usize = 16;

/// Schema `i`: a record of 95 to 184 fields (5 to 10 KB) in a namespace
/// of its own.
fn schema(i: usize) -> String {
    avro_record(95 + i % 90, None).replace("bench.v1", &format!("bench.s{i}"))
}

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts `herald serve` on `dir` and waits until it is ready.
async fn serve(binary: &Path, dir: &Path) -> (std::process::Child, SocketAddr) {
    let port = free_port();
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let mut server = start(binary, dir, port);
    if !became_ready(address, Instant::now()).await {
        let _ = server.kill();
        panic!("herald serve never became ready");
    }
    (server, address)
}

/// Sends `requests`, `CONCURRENCY` at a time; asserts they all succeeded;
/// returns the seconds it took.
async fn all_ok(address: SocketAddr, requests: Vec<RawRequest>) -> f64 {
    let count = requests.len();
    let outcome = drive(address, Arc::new(requests), CONCURRENCY, 200).await;
    assert_eq!(outcome.ok, count, "{} requests failed", outcome.failed);
    outcome.elapsed.as_secs_f64()
}

/// A read of every id from 1 to `count`.
fn reads(count: usize) -> Vec<RawRequest> {
    (1..=count)
        .map(|id| RawRequest::get(&format!("/schemas/ids/{id}")))
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .map_or_else(|| PathBuf::from("target/release/herald"), PathBuf::from);
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let bytes: usize = (0..count).map(|i| schema(i).len()).sum();
    println!(
        "{count} schemas, {:.1} KB on average ({:.0} MB of text)\n",
        bytes as f64 / count as f64 / 1024.0,
        bytes as f64 / 1e6
    );
    println!("| step | seconds | resident MiB | peak MiB |");
    println!("| --- | --- | --- | --- |");
    let (mut server, address) = serve(&binary, dir.path()).await;
    let (ready, _) = memory(server.id());
    println!("| ready, empty | | {ready:.1} | |");
    let registrations: Vec<RawRequest> = (0..count)
        .map(|i| {
            let body = json!({ "schema": schema(i) }).to_string();
            RawRequest::post_json(&format!("/subjects/memory-{i}-value/versions"), &body)
        })
        .collect();
    let took = all_ok(address, registrations).await;
    let (registered, peak) = memory(server.id());
    println!("| {count} registrations through the API | {took:.1} | {registered:.1} | {peak:.1} |");
    let took = all_ok(address, reads(count)).await;
    let (read, peak) = memory(server.id());
    println!("| every schema read by id | {took:.1} | {read:.1} | {peak:.1} |");
    let _ = server.kill();
    let _ = server.wait();

    let (mut server, address) = serve(&binary, dir.path()).await;
    let took = all_ok(address, reads(count)).await;
    let (reloaded, peak) = memory(server.id());
    println!("| restarted, every schema read by id | {took:.1} | {reloaded:.1} | {peak:.1} |");
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "\nafter the restart: {:.2}x the memory after the reads before it",
        reloaded / read
    );
}
