//! The release `herald serve` as a process of its own, for the runs that
//! measure what the operating system sees: start-up time and memory.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::drive::{RawRequest, drive};

/// Resident memory of process `pid` (current, peak), in MiB.
pub fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts `herald serve` on `dir` and port `port`.
pub fn start(binary: &Path, dir: &Path, port: u16) -> Child {
    Command::new(binary)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
}

/// Whether the registry at `address` answered `/readyz` with 200 within
/// a minute of `started`; polls every 2 ms.
pub async fn became_ready(address: SocketAddr, started: Instant) -> bool {
    while started.elapsed() < Duration::from_secs(60) {
        let probe = std::sync::Arc::new(vec![RawRequest::get("/readyz")]);
        if drive(address, probe, 1, 200).await.ok == 1 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    false
}
