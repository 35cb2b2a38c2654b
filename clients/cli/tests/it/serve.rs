//! `herald serve`: settings from flags, environment and file; clean stop on SIGTERM.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use serde_json::json;

use crate::support::{free_port, herald, serve_on, terminate, wait_until_up};

/// Registers a schema, proving the server works end to end.
async fn register(client: &reqwest::Client, port: u16) -> serde_json::Value {
    client
        .post(format!(
            "http://127.0.0.1:{port}/subjects/cli-test/versions"
        ))
        .json(&json!({"schema": "\"string\""}))
        .send()
        .await
        .expect("register answered")
        .json()
        .await
        .expect("JSON body")
}

async fn run_and_register(mut command: Command, port: u16) -> ExitStatus {
    let mut child = command.spawn().expect("herald starts");
    let client = wait_until_up(&mut child, port).await;
    let reply = register(&client, port).await;
    assert_eq!(reply["id"], 1, "{reply}");
    terminate(child).await
}

fn assert_database_in(dir: &Path, file: &str) {
    assert!(dir.join(file).is_file(), "{} holds {file}", dir.display());
}

#[tokio::test]
async fn flags_choose_address_and_data_dir_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut command = serve_on(port);
    command.arg("--data-dir").arg(dir.path());
    let status = run_and_register(command, port).await;
    assert!(status.success(), "graceful shutdown exits 0: {status}");
    assert_database_in(dir.path(), "herald.db");
}

#[tokio::test]
async fn environment_variables_are_fallbacks() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut command = herald();
    command
        .arg("serve")
        .env("HERALD_LISTEN", format!("127.0.0.1:{port}"))
        .env("HERALD_DATA_DIR", dir.path());
    assert!(run_and_register(command, port).await.success());
    assert_database_in(dir.path(), "herald.db");
}

#[tokio::test]
async fn the_config_file_is_read_and_flags_override_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let file = dir.path().join("herald.toml");
    let data = dir.path().join("from-file");
    let toml = format!(
        "listen = \"127.0.0.1:1\"\ndata_dir = {:?}\nmax_body_bytes = 65536\n",
        data.display().to_string()
    );
    std::fs::write(&file, toml).expect("config written");
    let mut command = serve_on(port);
    command.arg("--config").arg(&file);
    assert!(run_and_register(command, port).await.success());
    assert_database_in(&data, "herald.db");
}

#[tokio::test]
async fn the_database_url_overrides_the_data_dir() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let url = format!("sqlite://{}/custom.db", dir.path().display());
    let mut command = serve_on(port);
    command
        .arg("--data-dir")
        .arg(dir.path().join("unused"))
        .env("HERALD_DATABASE_URL", url);
    assert!(run_and_register(command, port).await.success());
    assert_database_in(dir.path(), "custom.db");
    assert!(!dir.path().join("unused").exists());
}

#[tokio::test]
async fn a_bad_config_file_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("herald.toml");
    std::fs::write(&file, "listen = 5\nunknown_key = true\n").expect("config written");
    let output = herald()
        .args(["serve", "--config"])
        .arg(&file)
        .stderr(Stdio::piped())
        .output()
        .expect("herald runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("herald.toml"), "{stderr}");
}

#[tokio::test]
async fn grpc_listen_serves_grpc_on_its_own_port() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (port, grpc_port) = (free_port(), free_port());
    let mut command = serve_on(port);
    command
        .arg("--data-dir")
        .arg(dir.path())
        .env("HERALD_GRPC_LISTEN", format!("127.0.0.1:{grpc_port}"));
    let mut child = command.spawn().expect("herald starts");
    let client = wait_until_up(&mut child, port).await;
    let id = register(&client, port).await["id"].as_u64();
    let grpc =
        herald_client::registry::RegistryClient::grpc(&format!("http://127.0.0.1:{grpc_port}"))
            .expect("a URI");
    let schema = grpc
        .schema_by_id(u32::try_from(id.expect("an id")).expect("small"))
        .await
        .expect("gRPC answers on its own port");
    assert_eq!(schema.schema, "\"string\"");
    assert!(terminate(child).await.success());
}

/// The UI's code preview of a JSON Schema runs typify, which logs every
/// schema it reads at info: the default log leaves that out.
#[tokio::test]
async fn a_json_code_preview_does_not_log_the_schema() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut command = serve_on(port);
    command
        .arg("--data-dir")
        .arg(dir.path())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("herald starts");
    let client = wait_until_up(&mut child, port).await;
    let schema = r#"{"title":"Payment","type":"object","properties":{"secretCentsField":{"type":"integer"}}}"#;
    let registered = client
        .post(format!(
            "http://127.0.0.1:{port}/subjects/payments/versions"
        ))
        .json(&json!({"schemaType": "JSON", "schema": schema}))
        .send()
        .await
        .expect("register answered");
    assert!(registered.status().is_success());
    let preview = client
        .get(format!(
            "http://127.0.0.1:{port}/ui/subjects/payments/versions/1/code"
        ))
        .send()
        .await
        .expect("preview answered")
        .text()
        .await
        .expect("preview body");
    assert!(preview.contains("secret_cents_field"), "{preview}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("wait completes")
        .expect("herald exits");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("listening"), "the log was captured: {log}");
    assert!(
        !log.contains("secretCentsField"),
        "the schema was logged: {log}"
    );
}

#[tokio::test]
async fn json_logs_carry_the_request_id_on_every_line_of_a_request() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut child = serve_on(port)
        .args([
            "--data-dir",
            &dir.path().to_string_lossy(),
            "--log-format",
            "json",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("herald starts");
    let client = wait_until_up(&mut child, port).await;
    let answer = client
        .get(format!("http://127.0.0.1:{port}/subjects"))
        .header("x-request-id", "json-log-1")
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.headers()["x-request-id"], "json-log-1");
    let mut stderr = child.stderr.take().expect("stderr");
    assert!(terminate(child).await.success());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut text).expect("logs read");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let ours: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["span"]["request_id"] == "json-log-1")
        .collect();
    assert_eq!(ours.len(), 1, "{text}");
    let line = ours[0];
    assert_eq!(
        (
            line["target"].clone(),
            line["route"].clone(),
            line["status"].clone()
        ),
        (json!("herald::request"), json!("/subjects"), json!(200)),
        "{line}"
    );
    assert!(
        line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{line}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "herald registry listening")
    );
}

#[tokio::test]
async fn metrics_are_also_served_alone_on_their_own_listener() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let scrape_port = free_port();
    let mut child = serve_on(port)
        .args(["--data-dir", &dir.path().to_string_lossy()])
        .args(["--metrics-listen", &format!("127.0.0.1:{scrape_port}")])
        .spawn()
        .expect("herald starts");
    let client = wait_until_up(&mut child, port).await;
    let listed = client
        .get(format!("http://127.0.0.1:{port}/subjects"))
        .send()
        .await
        .expect("answered");
    assert_eq!(listed.status(), 200);
    let scraped = client
        .get(format!("http://127.0.0.1:{scrape_port}/metrics"))
        .send()
        .await
        .expect("scraped");
    assert_eq!(scraped.status(), 200);
    let text = scraped.text().await.expect("text");
    assert!(
        text.contains(
            r#"herald_http_requests_total{route="/subjects",method="GET",status="200"} 1"#
        ),
        "{text}"
    );
    // Nothing else is served there.
    let other = client
        .get(format!("http://127.0.0.1:{scrape_port}/subjects"))
        .send()
        .await
        .expect("answered");
    assert_eq!(other.status(), 404);
    assert!(terminate(child).await.success());
}
