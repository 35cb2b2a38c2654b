//! `herald serve`: flags, environment, config file, and the server's life.

use crate::logging::LogFormat;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use herald_server::Server;
use herald_server::config::{
    AuditRetention, BrowserPolicy, Limits, ServerConfig, Storage, TlsConfig,
};
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
    /// Also serve GET /metrics on this address (plain HTTP, no credentials)
    #[arg(long, env = "HERALD_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
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
    /// Largest schema text in bytes [default: 1048576]
    #[arg(long, env = "HERALD_MAX_SCHEMA_BYTES")]
    max_schema_bytes: Option<usize>,
    /// Threads that parse and check schemas, at most this many at once [default: 4]
    #[arg(long, env = "HERALD_SCHEMA_THREADS")]
    schema_threads: Option<usize>,
    /// Memory the caches may hold in all, in MiB [default: 64]
    #[arg(long, env = "HERALD_CACHE_MB")]
    cache_mb: Option<u64>,
    /// Time budget of a request's parsing and checking, in ms (then 503) [default: 10000]
    #[arg(long, env = "HERALD_SCHEMA_WORK_BUDGET_MS")]
    schema_work_budget_ms: Option<u64>,
    /// Time a client has to send its headers, and then its body, in ms [default: 15000]
    #[arg(long, env = "HERALD_REQUEST_READ_TIMEOUT_MS")]
    request_read_timeout_ms: Option<u64>,
    /// Connections served at once [default: 4096]
    #[arg(long, env = "HERALD_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Host names (or host:port) requests may name in `Host`, comma-separated
    /// [default: the listener's address, and localhost when on loopback]
    #[arg(long, env = "HERALD_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Option<Vec<String>>,
    /// Origins whose web pages may call the API (CORS), comma-separated [default: none]
    #[arg(long, env = "HERALD_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Option<Vec<String>>,
    /// Turns access control on with this file (`users`, `anonymous`; see
    /// docs/security.md) [default: off: everyone may do everything]
    #[arg(long, env = "HERALD_AUTH", value_name = "FILE")]
    auth: Option<PathBuf>,
    /// Audit log entries older than this many days are removed [default: kept]
    #[arg(long, env = "HERALD_AUDIT_MAX_AGE_DAYS", value_name = "DAYS")]
    audit_max_age_days: Option<u64>,
    /// The audit log keeps at most this many entries, the newest [default: all]
    #[arg(long, env = "HERALD_AUDIT_MAX_ENTRIES", value_name = "N")]
    audit_max_entries: Option<u64>,
    /// Serve HTTPS (REST, the UI and gRPC) with this PEM certificate chain (needs --tls-key)
    #[arg(
        long,
        env = "HERALD_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert
    #[arg(
        long,
        env = "HERALD_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// Accept client certificates signed by this PEM CA; a certificate's common name names a user of the --auth users file
    #[arg(long, env = "HERALD_TLS_CLIENT_CA", value_name = "PEM")]
    tls_client_ca: Option<PathBuf>,
}

/// The `--config` file: the same keys as the flags, in snake_case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    grpc_listen: Option<SocketAddr>,
    metrics_listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    max_body_bytes: Option<usize>,
    max_schema_depth: Option<usize>,
    max_reference_depth: Option<usize>,
    max_schema_bytes: Option<usize>,
    schema_threads: Option<usize>,
    cache_mb: Option<u64>,
    schema_work_budget_ms: Option<u64>,
    request_read_timeout_ms: Option<u64>,
    max_connections: Option<usize>,
    allowed_hosts: Option<Vec<String>>,
    cors_origins: Option<Vec<String>>,
    auth: Option<PathBuf>,
    audit_max_age_days: Option<u64>,
    audit_max_entries: Option<u64>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_client_ca: Option<PathBuf>,
}

/// The flag (or its environment variable), else the file's value, else the default.
fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> T {
    flag.or(file).unwrap_or(default)
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
        let fallback = defaults.limits;
        let millis = |flag: Option<u64>, file: Option<u64>, default: Duration| {
            flag.or(file).map_or(default, Duration::from_millis)
        };
        let limits = Limits {
            max_body_bytes: pick(
                self.max_body_bytes,
                file.max_body_bytes,
                fallback.max_body_bytes,
            ),
            max_schema_bytes: pick(
                self.max_schema_bytes,
                file.max_schema_bytes,
                fallback.max_schema_bytes,
            ),
            max_schema_depth: pick(
                self.max_schema_depth,
                file.max_schema_depth,
                fallback.max_schema_depth,
            ),
            max_reference_depth: pick(
                self.max_reference_depth,
                file.max_reference_depth,
                fallback.max_reference_depth,
            ),
            schema_threads: pick(
                self.schema_threads,
                file.schema_threads,
                fallback.schema_threads,
            ),
            schema_work_budget: millis(
                self.schema_work_budget_ms,
                file.schema_work_budget_ms,
                fallback.schema_work_budget,
            ),
            request_read_timeout: millis(
                self.request_read_timeout_ms,
                file.request_read_timeout_ms,
                fallback.request_read_timeout,
            ),
            max_connections: pick(
                self.max_connections,
                file.max_connections,
                fallback.max_connections,
            ),
            cache_bytes: self
                .cache_mb
                .or(file.cache_mb)
                .map_or(fallback.cache_bytes, |mib| mib.saturating_mul(1024 * 1024)),
        };
        let access = match self.auth.or(file.auth) {
            Some(path) => herald_server::access::load_config(&path)?,
            None => defaults.access,
        };
        let audit_retention = AuditRetention {
            max_age: self
                .audit_max_age_days
                .or(file.audit_max_age_days)
                .map(|days| Duration::from_secs(days.saturating_mul(86_400))),
            max_entries: self.audit_max_entries.or(file.audit_max_entries),
        };
        let tls = match (
            self.tls_cert.or(file.tls_cert),
            self.tls_key.or(file.tls_key),
        ) {
            (Some(cert), Some(key)) => Some(TlsConfig {
                cert,
                key,
                client_ca: self.tls_client_ca.or(file.tls_client_ca),
            }),
            (None, None) => None,
            _ => {
                return Err("TLS needs both a certificate and a key (tls_cert, tls_key)".to_owned());
            }
        };
        Ok(ServerConfig {
            access,
            audit_retention,
            tls,
            listen: self.listen.or(file.listen).unwrap_or(defaults.listen),
            grpc_listen: self.grpc_listen.or(file.grpc_listen),
            metrics_listen: self.metrics_listen.or(file.metrics_listen),
            storage,
            limits,
            browsers: BrowserPolicy {
                allowed_hosts: self.allowed_hosts.or(file.allowed_hosts),
                cors_origins: pick(self.cors_origins, file.cors_origins, Vec::new()),
            },
        })
    }
}

/// Runs the registry until SIGTERM or SIGINT, logging in `log_format`
/// (and tracing over OTLP when configured).
pub fn run(args: ServeArgs, log_format: LogFormat) -> Result<(), String> {
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("starting the runtime: {e}"))?;
    #[cfg(feature = "otel")]
    let traces = {
        let _inside = runtime.enter();
        crate::logging::traces::Traces::from_env()?
    };
    crate::logging::init(
        log_format,
        #[cfg(feature = "otel")]
        traces.as_ref(),
    );
    let config = args.into_config()?;
    let served = runtime.block_on(async {
        let server = Server::bind(&config).await.map_err(|e| e.to_string())?;
        let address = server.local_addr().map_err(|e| e.to_string())?;
        let grpc = server.grpc_addr().map_err(|e| e.to_string())?;
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        tracing::info!(%address, %grpc, scheme, storage = %config.storage.describe(), "herald registry listening");
        server
            .run(shutdown_signal())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("herald registry stopped");
        Ok(())
    });
    #[cfg(feature = "otel")]
    if let Some(traces) = traces {
        traces.shutdown();
    }
    served
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
