//! `herald serve`: flags, environment, config file, and the server's life.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use herald_server::Server;
use herald_server::config::{Limits, ServerConfig, Storage};
use serde::Deserialize;

/// Flags of `herald serve`; each falls back to an environment variable,
/// then to the `--config` file, then to the default.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald serve
  herald serve --listen 0.0.0.0:8081 --data-dir /var/lib/herald
  herald serve --grpc-listen 127.0.0.1:9091      gRPC on its own port
  HERALD_LISTEN=127.0.0.1:9000 herald serve --config herald-server.toml

The registry speaks Confluent's Schema Registry REST API; see docs/operations.md.")]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8081]
    #[arg(long, env = "HERALD_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve gRPC on this address instead of next to REST on --listen
    #[arg(long, env = "HERALD_GRPC_LISTEN")]
    grpc_listen: Option<SocketAddr>,
    /// Directory for the SQLite database [default: ./herald-data]
    #[arg(long, env = "HERALD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite:///var/lib/herald/herald.db, or postgres://user@host/db for replicas; overrides --data-dir
    #[arg(long, env = "HERALD_DATABASE_URL")]
    database_url: Option<String>,
    /// TOML file with the same keys (listen, data_dir, database_url, max_body_bytes, ...)
    #[arg(long = "config", env = "HERALD_CONFIG")]
    config_file: Option<PathBuf>,
    /// Largest request body in bytes [default: 4194304]
    #[arg(long, env = "HERALD_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// Deepest nesting a schema may have [default: 64]
    #[arg(long, env = "HERALD_MAX_SCHEMA_DEPTH")]
    max_schema_depth: Option<usize>,
    /// Longest chain of schema references [default: 32]
    #[arg(long, env = "HERALD_MAX_REFERENCE_DEPTH")]
    max_reference_depth: Option<usize>,
}

/// The `--config` file: the same keys as the flags, in snake_case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    grpc_listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    max_body_bytes: Option<usize>,
    max_schema_depth: Option<usize>,
    max_reference_depth: Option<usize>,
}

fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

impl ServeArgs {
    /// Merges flags and environment over the file over the defaults.
    fn into_config(self) -> Result<ServerConfig, String> {
        let file = match &self.config_file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let defaults = ServerConfig::default();
        let storage = match self.database_url.or(file.database_url) {
            Some(url) => Storage::Url(url),
            None => match self.data_dir.or(file.data_dir) {
                Some(dir) => Storage::DataDir(dir),
                None => defaults.storage,
            },
        };
        let limits = Limits {
            max_body_bytes: self
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(defaults.limits.max_body_bytes),
            max_schema_depth: self
                .max_schema_depth
                .or(file.max_schema_depth)
                .unwrap_or(defaults.limits.max_schema_depth),
            max_reference_depth: self
                .max_reference_depth
                .or(file.max_reference_depth)
                .unwrap_or(defaults.limits.max_reference_depth),
        };
        Ok(ServerConfig {
            listen: self.listen.or(file.listen).unwrap_or(defaults.listen),
            grpc_listen: self.grpc_listen.or(file.grpc_listen),
            storage,
            limits,
        })
    }
}

/// Runs the registry until SIGTERM or SIGINT.
pub fn run(args: ServeArgs) -> Result<(), String> {
    let config = args.into_config()?;
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async {
        let server = Server::bind(&config).await.map_err(|e| e.to_string())?;
        let address = server.local_addr().map_err(|e| e.to_string())?;
        let grpc = server.grpc_addr().map_err(|e| e.to_string())?;
        tracing::info!(%address, %grpc, storage = %config.storage.describe(), "herald registry listening");
        server
            .run(shutdown_signal())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("herald registry stopped");
        Ok(())
    })
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
