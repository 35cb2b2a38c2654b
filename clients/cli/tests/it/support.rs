//! Running the `herald` binary in tests.

use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

pub fn herald() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command.stdout(Stdio::null()).stderr(Stdio::null());
    for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("HERALD_")) {
        command.env_remove(key);
    }
    command
}

/// Waits until the registry on `port` answers `/healthz` (or the process exits).
pub async fn wait_until_up(child: &mut Child, port: u16) -> reqwest::Client {
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

/// Sends SIGTERM and waits for the process to exit.
pub async fn terminate(mut child: Child) -> ExitStatus {
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

/// `herald serve --listen 127.0.0.1:{port}`, ready for more arguments.
pub fn serve_on(port: u16) -> Command {
    let mut command = herald();
    command.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    command
}
