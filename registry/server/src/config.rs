//! Server configuration: where to listen, where the data lives, and limits.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Limits on what a request may make the server do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Deepest nesting a schema may have (deeper: 42201).
    pub max_schema_depth: usize,
    /// Longest chain of references a schema may have (longer: 42201).
    pub max_reference_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_schema_depth: 64,
            max_reference_depth: 32,
        }
    }
}

/// Where the registry keeps its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// A directory holding the SQLite file `herald.db` (created if missing).
    DataDir(PathBuf),
    /// A database URL (`sqlite:...`).
    Url(String),
}

/// Everything `herald serve` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Where to serve gRPC on its own; `None` serves it on `listen`
    /// next to REST and the UI.
    pub grpc_listen: Option<SocketAddr>,
    /// Where the data lives.
    pub storage: Storage,
    /// Request limits.
    pub limits: Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            grpc_listen: None,
            storage: Storage::DataDir(PathBuf::from("herald-data")),
            limits: Limits::default(),
        }
    }
}
