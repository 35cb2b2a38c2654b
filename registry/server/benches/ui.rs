//! The web UI's subjects page at 20,000 subjects of 5 versions each,
//! next to `GET /subjects` (the REST listing of the same subjects) as the
//! ceiling, same server, same run. Run with
//! `cargo bench -p herald-server --bench ui`; figures go to docs/benchmarks.md.

use std::time::{Duration, Instant};

use herald_server::Server;
use herald_server::config::{ServerConfig, Storage};
use sqlx::Connection;

const SUBJECTS: i64 = 20_000;
const VERSIONS: i64 = 5;

/// Fills the registry's SQLite file directly: one schema per version, the
/// subjects spread over the three formats.
async fn fill(database: &std::path::Path) -> Result<(), sqlx::Error> {
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display())).await?;
    let mut tx = conn.begin().await?;
    let types = ["AVRO", "PROTOBUF", "JSON"];
    for subject in 0..SUBJECTS {
        let schema_type = types[usize::try_from(subject % 3).unwrap_or(0)];
        let name = format!("team-{:02}.service-{subject:05}-value", subject % 40);
        sqlx::query("INSERT INTO subjects (id, context, local_name, name, created_at) VALUES (?, '.', ?, ?, 0)")
            .bind(subject + 1)
            .bind(&name)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        for version in 1..=VERSIONS {
            let id = subject * VERSIONS + version;
            sqlx::query(
                "INSERT INTO schemas (context, id, schema_type, schema_text, canonical, fingerprint, guid, created_at)
                 VALUES ('.', ?, ?, '\"string\"', '\"string\"', ?, ?, 0)",
            )
            .bind(id)
            .bind(schema_type)
            .bind(format!("fp-{id}"))
            .bind(format!("guid-{id}"))
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO versions (subject_id, version, schema_id, deleted, created_at) VALUES (?, ?, ?, 0, ?)")
                .bind(subject + 1)
                .bind(version)
                .bind(id)
                .bind(1_795_000_000_000_i64 + id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

/// Average and worst time of `runs` GETs of `path`.
async fn time(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    runs: u32,
) -> (Duration, Duration, usize) {
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let mut size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let body = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("answered")
            .bytes()
            .await
            .expect("body");
        let took = start.elapsed();
        total += took;
        worst = worst.max(took);
        size = body.len();
    }
    (total / runs, worst, size)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        storage: Storage::DataDir(dir.path().to_path_buf()),
        ..ServerConfig::default()
    };
    // Create the database (migrations), fill it, then serve it afresh.
    drop(Server::bind(&config).await.expect("server"));
    let start = Instant::now();
    fill(&dir.path().join("herald.db")).await.expect("filled");
    println!(
        "loaded {SUBJECTS} subjects x {VERSIONS} versions in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let server = Server::bind(&config).await.expect("server");
    let base = format!("http://{}", server.local_addr().expect("address"));
    tokio::spawn(server.run(std::future::pending()));
    let client = reqwest::Client::new();
    for (label, path) in [
        ("REST GET /subjects (ceiling: all names)", "/subjects"),
        ("UI subjects page 1", "/ui/"),
        ("UI subjects page 200", "/ui/?page=200"),
        ("UI search 'service-1999'", "/ui/?q=service-1999"),
        ("UI type filter JSON, page 50", "/ui/?type=JSON&page=50"),
        (
            "UI subject page (5 versions)",
            "/ui/subjects/team-07.service-00007-value",
        ),
    ] {
        time(&client, &base, path, 3).await;
        let (average, worst, size) = time(&client, &base, path, 20).await;
        println!(
            "{label:<42} avg {:>7.2} ms  worst {:>7.2} ms  {size:>8} bytes",
            average.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    }
}
