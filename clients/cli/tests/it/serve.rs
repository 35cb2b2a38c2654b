//! `herald serve`: settings from flags, environment and file; clean stop on SIGTERM.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use serde_json::json;

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn herald() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command.stdout(Stdio::null()).stderr(Stdio::null());
    for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("HERALD_")) {
        command.env_remove(key);
    }
    command
}

/// Waits until the registry on `port` answers `/healthz` (or the process exits).
async fn wait_until_up(child: &mut Child, port: u16) -> reqwest::Client {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && response.status().is_success()
        {
            return client;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("herald exited early with {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("herald did not come up on port {port}");
}

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

/// Sends SIGTERM and waits for the process to exit.
async fn terminate(mut child: Child) -> ExitStatus {
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    tokio::task::spawn_blocking(move || child.wait().expect("child exits"))
        .await
        .expect("wait completes")
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
    let mut command = herald();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path());
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
    let mut command = herald();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--config",
        ])
        .arg(&file);
    assert!(run_and_register(command, port).await.success());
    assert_database_in(&data, "herald.db");
}

#[tokio::test]
async fn the_database_url_overrides_the_data_dir() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let url = format!("sqlite://{}/custom.db", dir.path().display());
    let mut command = herald();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
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
