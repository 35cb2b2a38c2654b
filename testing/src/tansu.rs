//! A Kafka-compatible broker for one test: Tansu (from crates.io, which
//! `scripts/test` installs and names in `HERALD_TANSU`), in memory, on a
//! free port; stopped when dropped.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running Tansu broker.
pub struct Tansu {
    process: Child,
    address: SocketAddr,
}

impl Tansu {
    /// Starts a broker and waits until it accepts connections.
    pub async fn start() -> Tansu {
        let binary = std::env::var("HERALD_TANSU")
            .expect("HERALD_TANSU names the Tansu binary (scripts/test installs it)");
        let address = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port");
        let url = format!("tcp://{address}");
        let process = Command::new(binary)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Tansu starts");
        let broker = Tansu { process, address };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(address).await.is_ok() {
                return broker;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("Tansu did not listen on {address}");
    }

    /// The bootstrap servers to give a Kafka client.
    pub fn bootstrap(&self) -> String {
        self.address.to_string()
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
