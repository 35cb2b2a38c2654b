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
    let _ = rustls::crypto::ring::default_provider().install_default();
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

/// What a finished `herald` run printed, and how it exited.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON (`--format json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// Runs `herald args...` in `dir` to completion.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> Run {
    let output = herald()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("herald runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Writes `files` (path, content) below `dir`, creating directories.
pub fn write_files(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("directory created");
        }
        std::fs::write(&path, content).expect("file written");
    }
}

/// A registry started with `herald serve` on a free port and a temporary
/// data directory, for tests that need one.
pub struct Registry {
    /// The running server.
    pub child: Child,
    /// A client that saw it come up.
    pub http: reqwest::Client,
    /// Its base URL.
    pub url: String,
    _data: tempfile::TempDir,
}

impl Registry {
    /// Starts one and waits until it answers.
    pub async fn start() -> Registry {
        let data = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let mut child = serve_on(port)
            .args(["--data-dir", &data.path().to_string_lossy()])
            .spawn()
            .expect("herald serve starts");
        let http = wait_until_up(&mut child, port).await;
        Registry {
            child,
            http,
            url: format!("http://127.0.0.1:{port}"),
            _data: data,
        }
    }

    /// Stops it with SIGTERM (asserting a clean exit) and hands over its
    /// data directory.
    pub async fn stop_keeping_data(self) -> tempfile::TempDir {
        assert!(terminate(self.child).await.success());
        self._data
    }

    /// Stops it with SIGTERM; asserts a clean exit.
    pub async fn stop(self) {
        assert!(terminate(self.child).await.success());
    }
}
