//! The scale run: 20,000 subjects of 5 versions each written into a SQLite
//! registry, then the release `herald serve` started on it as its own
//! process: time from start to ready, resident memory, and the listing
//! requests that grow with the registry (`GET /subjects`, the UI's
//! subjects page, deep pages, search), 20 requests each after 3 warm-ups.
//!
//! `cargo run --release -p herald-benches --bin herald-scale -- [HERALD_BINARY]`
//! (default `target/release/herald`); `scripts/bench` builds and runs it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use herald_benches::drive::{RawRequest, drive};
use herald_benches::process::{became_ready, memory, start};
use herald_server::Server;
use herald_server::config::{ServerConfig, Storage};
use sqlx::Connection;

const SUBJECTS: i64 = 20_000;
const VERSIONS: i64 = 5;

/// Writes the subjects straight into the registry's SQLite file: one schema
/// per version, the subjects spread over the three formats.
async fn fill(database: &Path) -> Result<(), sqlx::Error> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display())).await?;
    let mut tx = conn.begin().await?;
    let types = ["AVRO", "PROTOBUF", "JSON"];
    for subject in 0..SUBJECTS {
        let schema_type = types[usize::try_from(subject % 3).unwrap_or(0)];
        let name = format!("team-{:02}.service-{subject:05}-value", subject % 40);
        sqlx::query("INSERT INTO subjects (id, context, local_name, name, created_at) VALUES ($1, '.', $2, $2, 0)")
            .bind(subject + 1)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        for version in 1..=VERSIONS {
            let id = subject * VERSIONS + version;
            sqlx::query(
                "INSERT INTO schemas (context, id, schema_type, schema_text, canonical, fingerprint, guid, created_at)
                 VALUES ('.', $1, $2, '\"string\"', '\"string\"', $3, $4, 0)",
            )
            .bind(id)
            .bind(schema_type)
            .bind(format!("fp-{id}"))
            .bind(format!("guid-{id}"))
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO versions (subject_id, version, schema_id, deleted, created_at) VALUES ($1, $2, $3, 0, $4)")
                .bind(subject + 1)
                .bind(version)
                .bind(id)
                .bind(1_795_000_000_000_i64 + id)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query("UPDATE contexts SET last_schema_id = $1 WHERE name = '.'")
        .bind(SUBJECTS * VERSIONS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let binary = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/release/herald"), PathBuf::from);
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        storage: Storage::DataDir(dir.path().to_path_buf()),
        ..ServerConfig::default()
    };
    // Create the database (migrations), then fill it.
    drop(Server::bind(&config).await.expect("migrated"));
    let loading = Instant::now();
    fill(&dir.path().join("herald.db")).await.expect("filled");
    println!(
        "loaded {SUBJECTS} subjects x {VERSIONS} versions in {:.1} s\n",
        loading.elapsed().as_secs_f64()
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let started = Instant::now();
    let mut server = start(&binary, dir.path(), port);
    let ready = became_ready(address, started).await;
    let ready_after = started.elapsed();
    if !ready {
        let _ = server.kill();
        let _ = server.wait();
        panic!("herald serve never became ready");
    }
    let (rss_ready, _) = memory(server.id());
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| start-up to ready (`/readyz` 200) | {:.0} ms |",
        ready_after.as_secs_f64() * 1e3
    );
    println!("| resident memory when ready | {rss_ready:.1} MiB |");
    println!("\n| request | avg ms | p99 ms | bytes |");
    println!("| --- | --- | --- | --- |");
    for (label, path) in [
        ("GET /subjects (all 20,000 names)", "/subjects"),
        (
            "GET /subjects/{s}/versions/latest",
            "/subjects/team-07.service-00007-value/versions/latest",
        ),
        ("UI subjects page 1", "/ui/"),
        ("UI subjects page 200", "/ui/?page=200"),
        ("UI search 'service-1999'", "/ui/?q=service-1999"),
        ("UI type filter JSON, page 50", "/ui/?type=JSON&page=50"),
        (
            "UI subject page (5 versions)",
            "/ui/subjects/team-07.service-00007-value",
        ),
    ] {
        let request = RawRequest::get(path);
        drive(
            address,
            std::sync::Arc::new(vec![request.clone(); 3]),
            1,
            200,
        )
        .await;
        let measured = drive(address, std::sync::Arc::new(vec![request; 20]), 1, 200).await;
        if measured.ok != 20 {
            println!("| {label} | failed: {} of 20 | | |", measured.failed);
            continue;
        }
        let average = measured.elapsed.as_secs_f64() * 1e3 / 20.0;
        println!(
            "| {label} | {average:.2} | {:.2} | {} |",
            measured.percentile(0.99).as_secs_f64() * 1e3,
            measured.body_bytes
        );
    }
    let (rss_after, peak) = memory(server.id());
    println!("\n| resident memory after the requests | {rss_after:.1} MiB (peak {peak:.1} MiB) |");
    let _ = server.kill();
    let _ = server.wait();
}
